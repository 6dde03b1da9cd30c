//! The informers' list-then-watch loop, written so its state is always true:
//!
//! - live as soon as the server accepts a watch (a resumed watch after a reconnect is live
//!   even if nothing changes), on a bookmark, and when a list completes (even an empty one);
//! - a relist that replaces the store whenever the server says our resourceVersion is no
//!   longer valid: 410 Expired, and "Too large resource version" (504 with the
//!   `ResourceVersionTooLarge` cause) from a server whose versions went backwards (a new
//!   apiserver process, an etcd restore, another cluster behind the same address);
//! - 401: the credentials are read again ([`ClientHandle::renew`]);
//! - 404: the API went away: the store is emptied and the caller told (a CRD is rediscovered);
//! - waits bounded by [`super::backoff::MAX`], cut short by the retry key.
//!
//! kube-runtime's watcher hides the first two (it reports nothing when a watch resumes, and
//! retries a too-large resourceVersion forever); the store sinks are the same.

use std::fmt::Debug;
use std::time::Duration;

use futures::StreamExt;
use kube::api::{Api, ListParams, WatchEvent, WatchParams};
use kube::core::Status;
use kube::runtime::watcher::Event;
use kube::{Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;

use super::answered::{LIST_START, QUICK_ANSWER, body_within};
use super::backoff::{Backoff, PathSignal, RetrySignal};
use super::credentials::ClientHandle;
use super::informer::{Change, InformerState, ResourceKind, Sink, Updates};
use super::list_page;

/// The server ends a watch after this long (it is asked to), and we start another.
pub const WATCH_TIMEOUT_SECS: u32 = 290;
/// No event and no bookmark for this long: the connection is presumed dead.
const IDLE: Duration = Duration::from_secs(WATCH_TIMEOUT_SECS as u64 + 10);
/// Objects per list page.
pub const PAGE: u32 = 500;

/// What a failed request means for the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Our resourceVersion is not valid on this server any more: list again.
    Relist(String),
    /// 401: the credentials were refused.
    Unauthorized(String),
    /// 403.
    Forbidden(String),
    /// 404: the resource is not served (any more).
    Gone(String),
    /// Anything else: unreachable, 5xx, 429: try again after a wait.
    Transient(String),
    /// A request made while the path was silent, abandoned because it is back: ask again now.
    Back,
}

/// What a Status the server answered with means.
pub fn classify_status(s: &Status) -> Fault {
    let too_large = s.details.as_ref().is_some_and(|d| {
        d.causes
            .iter()
            .any(|c| c.reason == "ResourceVersionTooLarge")
    }) || s.message.contains("Too large resource version");
    match s.code {
        410 => Fault::Relist(s.message.clone()),
        _ if too_large => Fault::Relist(s.message.clone()),
        401 => Fault::Unauthorized(
            "credentials rejected (expired?); log in again, kubedeck rereads the kubeconfig".into(),
        ),
        403 => Fault::Forbidden(s.message.clone()),
        404 => Fault::Gone(if s.message.is_empty() {
            "the server does not serve this resource".into()
        } else {
            s.message.clone()
        }),
        code => Fault::Transient(format!("{} ({code})", s.message)),
    }
}

pub fn classify(e: &kube::Error) -> Fault {
    match e {
        kube::Error::Api(s) => classify_status(s),
        other => Fault::Transient(format!(
            "cannot reach the API server: {}",
            super::error::root_cause(other)
        )),
    }
}

/// How an informer's loop ended (it runs until its task is aborted otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The API is not served: the store was emptied.
    Gone(String),
}

/// What one informer watches.
pub struct Target<K> {
    pub clients: ClientHandle,
    /// The Api for a client (scoped to a namespace or not, typed or dynamic).
    pub api: Box<dyn Fn(Client) -> Api<K> + Send + Sync>,
    pub kind: ResourceKind,
    pub label_selector: Option<String>,
}

/// Strip what no view shows but dominates memory on real clusters.
fn slim<K: Resource + ResourceExt>(mut o: K) -> K {
    o.managed_fields_mut().clear();
    o.annotations_mut()
        .remove("kubectl.kubernetes.io/last-applied-configuration");
    o
}

/// The loop's reporting: states are sent only when they change. It also holds the cluster's
/// path changes, so every request of the loop can be abandoned when the connection goes silent.
pub struct Reporter {
    tx: Updates,
    kind: ResourceKind,
    state: Option<InformerState>,
    path: PathSignal,
    heard: super::heard::Heard,
}

impl Reporter {
    pub fn state(&mut self, s: InformerState) {
        if self.state.as_ref() != Some(&s) {
            tracing::debug!(cluster = %self.tx.cluster, kind = ?self.kind, state = ?s, "informer");
            self.state = Some(s.clone());
            self.tx.send(self.kind, Change::State(s));
        }
    }

    pub fn changed(&self) {
        self.tx.send(self.kind, Change::Changed);
    }

    pub fn is_live(&self) -> bool {
        self.state == Some(InformerState::Live)
    }

    /// `fut`, unless the cluster's path changes first: then the fault that says so.
    pub async fn cut<F: std::future::Future>(&mut self, fut: F) -> Result<F::Output, Fault> {
        match self.path.cut(fut).await {
            Some(out) => Ok(out),
            None if self.path.silent() => Err(Fault::Transient(super::liveness::SILENT.into())),
            None => Err(Fault::Back),
        }
    }

    /// Something came from the server: the path answers.
    fn heard(&self) {
        self.heard.now();
    }
}

/// List every page into `sink` (replacing its contents when complete); the list's
/// resourceVersion.
async fn list_into<K>(
    client: &Client,
    api: &Api<K>,
    selector: Option<&str>,
    sink: &mut impl Sink<K>,
) -> Result<String, kube::Error>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let mut lp = ListParams::default().limit(PAGE);
    if let Some(s) = selector {
        lp = lp.labels(s);
    }
    sink.apply(&Event::Init);
    let url = api.resource_url();
    let fetch = |lp: &ListParams| -> Result<Prefetch, kube::Error> {
        let request = kube::core::Request::new(url)
            .list(lp)
            .map_err(kube::Error::BuildRequest)?;
        let client = client.clone();
        // A page that is never answered (its connection died unseen) is given up on.
        Ok(Prefetch(tokio::spawn(async move {
            body_within(&client, request, LIST_START).await
        })))
    };
    let mut next = Some(fetch(&lp));
    let mut rv = String::new();
    while let Some(asked) = next.take() {
        let body = asked?.body().await?;
        // The next page is asked for as soon as this one's token is read: the server makes it
        // while this page's items decode and become rows.
        let page = list_page::decode::<K>(&body, |meta| {
            if let Some(token) = list_page::continue_token(meta) {
                lp.continue_token = Some(token.to_string());
                next = Some(fetch(&lp));
            }
        })
        .map_err(kube::Error::SerdeError)?;
        drop(body);
        rv = page.metadata.resource_version.unwrap_or_default();
        for obj in page.items {
            sink.apply(&Event::InitApply(slim(obj)));
        }
    }
    sink.apply(&Event::InitDone);
    Ok(rv)
}

/// A list page asked for ahead, on its own task; abandoned (the request dropped) with the list.
struct Prefetch(tokio::task::JoinHandle<Result<bytes::Bytes, kube::Error>>);

impl Prefetch {
    async fn body(mut self) -> Result<bytes::Bytes, kube::Error> {
        (&mut self.0)
            .await
            .map_err(|e| kube::Error::Service(Box::new(e)))?
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The two requests an informer makes, and where their results go: typed objects into a
/// [`Sink`] ([`Typed`]), or a server-side Table's rows (`table_informer`).
pub trait Source: Send {
    /// List every page, replacing what the store holds once complete; the list's version.
    fn list(
        &mut self,
        client: Client,
    ) -> impl std::future::Future<Output = Result<String, kube::Error>> + Send;
    /// Watch from `from` until the stream ends.
    fn watch(
        &mut self,
        client: Client,
        from: &str,
        report: &mut Reporter,
    ) -> impl std::future::Future<Output = WatchEnd> + Send;
    /// The API is gone: nothing listed is true any more.
    fn clear(&mut self);
}

/// A kind watched as typed objects into a sink.
pub struct Typed<'a, K, S> {
    pub target: &'a Target<K>,
    pub sink: &'a mut S,
}

impl<K, S> Source for Typed<'_, K, S>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    S: Sink<K>,
{
    async fn list(&mut self, client: Client) -> Result<String, kube::Error> {
        let api = (self.target.api)(client.clone());
        list_into(
            &client,
            &api,
            self.target.label_selector.as_deref(),
            self.sink,
        )
        .await
    }

    async fn watch(&mut self, client: Client, from: &str, report: &mut Reporter) -> WatchEnd {
        let api = (self.target.api)(client);
        watch(
            &api,
            from,
            self.target.label_selector.as_deref(),
            self.sink,
            report,
        )
        .await
    }

    fn clear(&mut self) {
        self.sink.apply(&Event::Init);
        self.sink.apply(&Event::InitDone);
    }
}

/// Run an informer until its task is aborted, or until its API is gone.
pub async fn run<K>(
    target: &Target<K>,
    sink: &mut impl Sink<K>,
    tx: Updates,
    retry: RetrySignal,
) -> Ended
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    let mut source = Typed { target, sink };
    run_source(&target.clients, target.kind, &mut source, tx, retry).await
}

/// The loop itself, for any source.
pub async fn run_source(
    clients: &ClientHandle,
    kind: ResourceKind,
    source: &mut impl Source,
    tx: Updates,
    mut retry: RetrySignal,
) -> Ended {
    let mut report = Reporter {
        tx,
        kind,
        state: None,
        path: retry.path(),
        heard: clients.heard(),
    };
    report.state(InformerState::Syncing);
    let mut backoff = Backoff::default();
    // Where the watch resumes from; `None`: list first.
    let mut rv: Option<String> = None;
    // A relist after a watch that delivered happens at once; a server that keeps refusing
    // our fresh version waits out the backoff like any other failure (never a busy loop).
    let mut relist_at_once = true;
    // After a 401 the kubeconfig is read again before every attempt, so credentials renewed
    // meanwhile (or the retry key right after a login) are used at once.
    let mut refused = false;
    loop {
        if std::mem::take(&mut refused) {
            let _ = clients.renew_unless_recent(Duration::from_secs(1)).await;
        }
        let (generation, client) = clients.current();
        let fault = match &rv {
            None => {
                // A list retried after a fault is cut by the retry key: its connection may have
                // died unseen (the rest of the cluster is heard, so the path is not probed) and
                // would hold the kind until the client's read timeout. A first sync is not
                // (on a slow link it may be a long list making progress).
                let failing = report
                    .state
                    .as_ref()
                    .and_then(InformerState::problem)
                    .is_some();
                let listed = tokio::select! {
                    listed = report.cut(source.list(client)) => Some(listed),
                    () = retry.asked(), if failing => None,
                };
                match listed {
                    Some(Ok(Ok(version))) => {
                        rv = Some(version);
                        report.changed();
                        report.state(InformerState::Live);
                        continue;
                    }
                    Some(Ok(Err(e))) => classify(&e),
                    Some(Err(silent)) => silent,
                    None => {
                        tracing::debug!(cluster = %report.tx.cluster, kind = ?kind, "list abandoned for the retry key");
                        backoff.reset();
                        relist_at_once = true;
                        continue;
                    }
                }
            }
            Some(from) => match source.watch(client, from, &mut report).await {
                WatchEnd::Resume { version, delivered } => {
                    rv = Some(version);
                    if delivered {
                        // It delivered (events or bookmarks), then ended: the server's
                        // timeout, a dropped connection. Watch again at once; a failure to do
                        // so is reported then.
                        backoff.reset();
                        relist_at_once = true;
                    } else {
                        // Ended with nothing at all: wait a little before the next one.
                        retry.sleep(backoff.wait()).await;
                    }
                    continue;
                }
                WatchEnd::Fault(version, fault) => {
                    rv = Some(version);
                    fault
                }
            },
        };
        tracing::debug!(cluster = %report.tx.cluster, kind = ?kind, ?fault, "informer fault");
        match fault {
            Fault::Relist(why) => {
                rv = None;
                if std::mem::take(&mut relist_at_once) {
                    continue;
                }
                report.state(InformerState::Reconnecting(why));
            }
            Fault::Unauthorized(why) => {
                // Renewed or not, the next attempt shows whether the new credentials work.
                let why = match clients.renew(generation).await {
                    Ok(_) => why,
                    Err(e) => format!("{why} (reading the kubeconfig again failed: {e})"),
                };
                report.state(InformerState::Unauthorized(why));
                refused = true;
            }
            Fault::Forbidden(why) => report.state(InformerState::Forbidden(why)),
            Fault::Gone(why) => {
                // What was listed is not true any more: nothing is.
                source.clear();
                report.changed();
                report.state(InformerState::NotInstalled);
                return Ended::Gone(why);
            }
            // A request made while the path was silent, abandoned because it is back: asked
            // again at once (a path turns at most once a probe, so this cannot spin).
            Fault::Back => {
                report.state(InformerState::Reconnecting(super::liveness::BACK.into()));
                backoff.reset();
                relist_at_once = true;
                continue;
            }
            Fault::Transient(why) => report.state(InformerState::Reconnecting(why)),
        }
        // Waiting out the backoff: the retry key, or the path turning, ends the wait. A path
        // that went silent meanwhile is said (whatever the last attempt said), so a refused or
        // forbidden kind does not hide that nothing gets through now.
        let woke = tokio::select! {
            woke = retry.sleep(backoff.wait()) => woke,
            () = report.path.changed() => {
                if report.path.silent() {
                    report.state(InformerState::Reconnecting(super::liveness::SILENT.into()));
                }
                true
            }
        };
        if woke {
            backoff.reset();
        }
        relist_at_once = true;
    }
}

pub enum WatchEnd {
    /// The stream ended or broke after the server accepted it: resume from this version.
    /// `delivered`: anything (an event, a bookmark) came before the end.
    Resume { version: String, delivered: bool },
    /// The watch could not start, or the server said something is wrong.
    Fault(String, Fault),
}

/// One watch request from `from`, applied to `sink` until it ends.
async fn watch<K>(
    api: &Api<K>,
    from: &str,
    selector: Option<&str>,
    sink: &mut impl Sink<K>,
    report: &mut Reporter,
) -> WatchEnd
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    // Bookmarks are asked for (the default): they keep `version` current and say the
    // connection is alive when nothing changes.
    let mut wp = WatchParams::default().timeout(WATCH_TIMEOUT_SECS);
    if let Some(s) = selector {
        wp = wp.labels(s);
    }
    let stream = match started(api.watch(&wp, from), QUICK_ANSWER, from, report).await {
        Ok(s) => s,
        Err(end) => return end,
    };
    follow(stream, from, report, |event| match event {
        WatchEvent::Added(obj) | WatchEvent::Modified(obj) => {
            let version = obj.resource_version();
            // When each change arrived (with the frames' trace lines: where its time to the
            // screen went).
            tracing::trace!(name = obj.meta().name.as_deref(), ?version, "watch event");
            sink.apply(&Event::Apply(slim(obj)));
            version
        }
        WatchEvent::Deleted(obj) => {
            let version = obj.resource_version();
            sink.apply(&Event::Delete(slim(obj)));
            version
        }
        WatchEvent::Bookmark(_) | WatchEvent::Error(_) => None,
    })
    .await
}

/// A watch request's answer (its stream of events), or how the watch ended before one came.
/// A server answers a watch at once (the events follow): no answer `within` ([`QUICK_ANSWER`])
/// is a connection that carries nothing, which the path's probes (on other connections)
/// cannot see; a change of the cluster's path cuts the wait too.
pub async fn started<S>(
    request: impl std::future::Future<Output = Result<S, kube::Error>>,
    within: Duration,
    from: &str,
    report: &mut Reporter,
) -> Result<S, WatchEnd> {
    let fault = |f| Err(WatchEnd::Fault(from.to_string(), f));
    match report.cut(tokio::time::timeout(within, request)).await {
        Ok(Ok(Ok(s))) => Ok(s),
        Ok(Ok(Err(e))) => fault(classify(&e)),
        Ok(Err(_)) => fault(Fault::Transient(format!(
            "a watch got no answer in {within:?}; reconnecting"
        ))),
        Err(silent) => fault(silent),
    }
}

/// Follow a watch the server accepted until it ends: `apply` takes each added, modified or
/// deleted object and says its resourceVersion; bookmarks and errors are handled here.
pub async fn follow<T>(
    stream: impl futures::Stream<Item = Result<WatchEvent<T>, kube::Error>>,
    from: &str,
    report: &mut Reporter,
    mut apply: impl FnMut(WatchEvent<T>) -> Option<String>,
) -> WatchEnd {
    let mut stream = std::pin::pin!(stream);
    let mut version = from.to_string();
    let mut delivered = false;
    // The server accepted it: whatever happened before, this kind is live again.
    report.state(InformerState::Live);
    loop {
        let item = match report.cut(tokio::time::timeout(IDLE, stream.next())).await {
            Ok(Ok(Some(item))) => item,
            Ok(Ok(None) | Err(_)) => return WatchEnd::Resume { version, delivered },
            // The connection went silent: resume from where it got to, once it answers.
            Err(silent) => return WatchEnd::Fault(version, silent),
        };
        report.heard();
        // A broken connection mid-stream: resume (at once if it had delivered before); a
        // failure to resume is reported.
        let Ok(event) = item else {
            return WatchEnd::Resume { version, delivered };
        };
        delivered = true;
        match event {
            WatchEvent::Bookmark(b) => {
                version = b.metadata.resource_version;
                if !report.is_live() {
                    report.state(InformerState::Live);
                }
            }
            WatchEvent::Error(status) => {
                return WatchEnd::Fault(version, classify_status(&status));
            }
            other => {
                if let Some(v) = apply(other) {
                    version = v;
                }
                report.changed();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, reason: &str, message: &str) -> Status {
        Status::failure(message, reason).with_code(code)
    }

    #[test]
    fn faults_say_what_to_do_next() {
        assert!(matches!(
            classify_status(&status(
                410,
                "Expired",
                "too old resource version: 1 (77311)"
            )),
            Fault::Relist(_)
        ));
        // What the apiserver answers for a resourceVersion it has not reached
        // (storage.NewTooLargeResourceVersionError).
        let too_large: Status = serde_json::from_value(serde_json::json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "Timeout: Too large resource version: 900, current: 12",
            "reason": "Timeout",
            "details": {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}], "retryAfterSeconds": 1},
            "code": 504
        }))
        .unwrap();
        assert!(matches!(classify_status(&too_large), Fault::Relist(_)));
        assert!(matches!(
            classify_status(&status(
                504,
                "Timeout",
                "the server was unable to return a response"
            )),
            Fault::Transient(_)
        ));
        assert!(matches!(
            classify_status(&status(401, "Unauthorized", "Unauthorized")),
            Fault::Unauthorized(_)
        ));
        assert!(matches!(
            classify_status(&status(403, "Forbidden", "pods is forbidden")),
            Fault::Forbidden(m) if m == "pods is forbidden"
        ));
        assert!(matches!(
            classify_status(&status(404, "NotFound", "")),
            Fault::Gone(_)
        ));
    }
}

#[cfg(test)]
mod retry_tests {
    use super::*;
    use crate::kube::ids::ClusterId;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Refused once (403), then a list that never answers (its connection died unseen), then
    /// one that does; its watches never end.
    struct HangingOnce {
        lists: Arc<AtomicUsize>,
    }

    impl Source for HangingOnce {
        async fn list(&mut self, _client: Client) -> Result<String, kube::Error> {
            match self.lists.fetch_add(1, Ordering::SeqCst) {
                0 => Err(kube::Error::Api(Box::new(
                    Status::failure("pods is forbidden", "Forbidden").with_code(403),
                ))),
                1 => std::future::pending().await,
                _ => Ok("7".into()),
            }
        }

        async fn watch(
            &mut self,
            _client: Client,
            _from: &str,
            _report: &mut Reporter,
        ) -> WatchEnd {
            std::future::pending().await
        }

        fn clear(&mut self) {}
    }

    #[tokio::test]
    async fn the_retry_key_cuts_a_retried_list_that_never_answers() {
        let Ok(client) = Client::try_from(kube::Config::new(
            "http://127.0.0.1:9".parse().unwrap_or_default(),
        )) else {
            panic!("a client for no server");
        };
        let clients = ClientHandle::fixed(client);
        let (tx, mut updates) = tokio::sync::mpsc::unbounded_channel();
        let retry = super::super::backoff::RetryNow::default();
        let lists = Arc::new(AtomicUsize::new(0));
        let mut source = HangingOnce {
            lists: lists.clone(),
        };
        let signal = retry.subscribe();
        let run = tokio::spawn(async move {
            run_source(
                &clients,
                ResourceKind::Pods,
                &mut source,
                Updates::new(ClusterId::from("c"), tx),
                signal,
            )
            .await
        });
        let mut states = Vec::new();
        let mut pressed = false;
        // (A guard against a hang, far above the milliseconds this takes: not a timing check.)
        let live = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(u) = updates.recv().await {
                if let Change::State(s) = u.change {
                    states.push(s.clone());
                    match s {
                        InformerState::Live => break,
                        // Retried after its backoff (the key wakes it), the list now hangs: the
                        // key, pressed again once it is in flight, must cut it.
                        InformerState::Forbidden(_) if !pressed => {
                            pressed = true;
                            retry.now();
                            while lists.load(Ordering::SeqCst) < 2 {
                                tokio::task::yield_now().await;
                            }
                            retry.now();
                        }
                        _ => {}
                    }
                }
            }
        })
        .await;
        run.abort();
        assert!(live.is_ok(), "the hung list held the kind: {states:?}");
        assert_eq!(states.last(), Some(&InformerState::Live), "{states:?}");
        assert_eq!(
            lists.load(Ordering::SeqCst),
            3,
            "the hung list was asked again"
        );
    }

    fn reporter() -> Reporter {
        let Ok(client) = Client::try_from(kube::Config::new(
            "http://127.0.0.1:9".parse().unwrap_or_default(),
        )) else {
            panic!("a client for no server");
        };
        let (tx, _) = tokio::sync::mpsc::unbounded_channel();
        Reporter {
            tx: Updates::new(ClusterId::from("c"), tx),
            kind: ResourceKind::Pods,
            state: None,
            path: super::super::backoff::RetryNow::default()
                .subscribe()
                .path(),
            heard: ClientHandle::fixed(client).heard(),
        }
    }

    /// Every watch (typed, or a server-side Table's) starts through `started`: a request never
    /// answered ends the watch after its deadline, one refused says why.
    #[tokio::test]
    async fn a_watch_never_answered_is_given_up_after_its_start_deadline() {
        let mut report = reporter();
        let never = std::future::pending::<Result<(), kube::Error>>();
        let within = Duration::from_millis(20);
        match started(never, within, "41", &mut report).await {
            Err(WatchEnd::Fault(from, Fault::Transient(why))) => {
                assert_eq!(from, "41");
                assert_eq!(why, "a watch got no answer in 20ms; reconnecting");
            }
            _ => panic!("a watch never answered was waited on"),
        }
        let refused = async {
            Err::<(), _>(kube::Error::Api(Box::new(
                Status::failure("pods is forbidden", "Forbidden").with_code(403),
            )))
        };
        assert!(matches!(
            started(refused, QUICK_ANSWER, "41", &mut report).await,
            Err(WatchEnd::Fault(_, Fault::Forbidden(why))) if why == "pods is forbidden"
        ));
        assert!(matches!(
            started(
                async { Ok::<_, kube::Error>(7) },
                QUICK_ANSWER,
                "41",
                &mut report
            )
            .await,
            Ok(7)
        ));
    }
}

#[cfg(test)]
mod prefetch_tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use std::sync::mpsc;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    /// An apiserver of two list pages, a ConfigMap each, that tells `asked` each request's
    /// path as it arrives (on any connection).
    async fn two_pages(asked: mpsc::Sender<String>) -> Client {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("a bound address");
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let asked = asked.clone();
                tokio::spawn(async move {
                    let (read, mut write) = conn.into_split();
                    let mut lines = BufReader::new(read).lines();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let Some(path) = line.strip_prefix("GET ") else {
                            continue;
                        };
                        let second = path.contains("continue=");
                        let _ = asked.send(path.to_string());
                        // The rest of the head (a GET has no body).
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l.is_empty() {
                                break;
                            }
                        }
                        let (name, token) = if second { ("b", "") } else { ("a", "next") };
                        let body = serde_json::json!({
                            "kind": "ConfigMapList", "apiVersion": "v1",
                            "metadata": {"resourceVersion": "9", "continue": token},
                            "items": [{"metadata": {"name": name, "namespace": "demo"}}],
                        })
                        .to_string();
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                            body.len()
                        );
                        let _ = write.write_all(head.as_bytes()).await;
                        let _ = write.write_all(body.as_bytes()).await;
                    }
                });
            }
        });
        let url = format!("http://{addr}").parse().expect("a loopback url");
        Client::try_from(kube::Config::new(url)).expect("a client")
    }

    /// Holds the first object until the server has been asked for the second page.
    struct Waiting {
        asked: mpsc::Receiver<String>,
        second_asked_first: Option<bool>,
        names: Vec<String>,
        done: bool,
    }

    impl Sink<ConfigMap> for Waiting {
        fn apply(&mut self, event: &Event<ConfigMap>) {
            match event {
                Event::InitApply(o) => {
                    if self.second_asked_first.is_none() {
                        // (A guard against a hang, far above the milliseconds this takes.)
                        let wait = Duration::from_secs(30);
                        let first = self.asked.recv_timeout(wait);
                        let second = self.asked.recv_timeout(wait);
                        self.second_asked_first = Some(
                            first.is_ok_and(|p| !p.contains("continue="))
                                && second.is_ok_and(|p| p.contains("continue=next")),
                        );
                    }
                    self.names.push(o.metadata.name.clone().unwrap_or_default());
                }
                Event::InitDone => self.done = true,
                _ => {}
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_next_page_is_asked_for_before_this_pages_objects_are_kept() {
        let (tx, asked) = mpsc::channel();
        let client = two_pages(tx).await;
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), "demo");
        let mut sink = Waiting {
            asked,
            second_asked_first: None,
            names: Vec::new(),
            done: false,
        };
        let rv = list_into(&client, &api, None, &mut sink).await;
        assert_eq!(rv.ok().as_deref(), Some("9"));
        assert_eq!(sink.second_asked_first, Some(true));
        assert_eq!(sink.names, ["a", "b"]);
        assert!(sink.done);
    }
}
