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
//! - waits bounded by [`backoff::MAX`], cut short by the retry key.
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

use super::backoff::{Backoff, RetrySignal};
use super::credentials::ClientHandle;
use super::informer::{Change, InformerState, ResourceKind, Sink, Updates};

/// The server ends a watch after this long (it is asked to), and we start another.
const WATCH_TIMEOUT_SECS: u32 = 290;
/// No event and no bookmark for this long: the connection is presumed dead.
const IDLE: Duration = Duration::from_secs(WATCH_TIMEOUT_SECS as u64 + 10);
/// Objects per list page.
const PAGE: u32 = 500;

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

/// The loop's reporting: states are sent only when they change.
struct Reporter {
    tx: Updates,
    kind: ResourceKind,
    state: Option<InformerState>,
}

impl Reporter {
    fn state(&mut self, s: InformerState) {
        if self.state.as_ref() != Some(&s) {
            self.state = Some(s.clone());
            self.tx.send(self.kind, Change::State(s));
        }
    }

    fn changed(&self) {
        self.tx.send(self.kind, Change::Changed);
    }

    fn is_live(&self) -> bool {
        self.state == Some(InformerState::Live)
    }
}

/// List every page into `sink` (replacing its contents when complete); the list's
/// resourceVersion.
async fn list_into<K>(
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
    loop {
        let page = api.list(&lp).await?;
        let rv = page.metadata.resource_version.clone().unwrap_or_default();
        for obj in page.items {
            sink.apply(&Event::InitApply(slim(obj)));
        }
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => lp.continue_token = Some(token),
            None => {
                sink.apply(&Event::InitDone);
                return Ok(rv);
            }
        }
    }
}

/// Run an informer until its task is aborted, or until its API is gone.
pub async fn run<K>(
    target: &Target<K>,
    sink: &mut impl Sink<K>,
    tx: Updates,
    mut retry: RetrySignal,
) -> Ended
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    let mut report = Reporter {
        tx,
        kind: target.kind,
        state: None,
    };
    report.state(InformerState::Syncing);
    let selector = target.label_selector.as_deref();
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
            let _ = target
                .clients
                .renew_unless_recent(Duration::from_secs(1))
                .await;
        }
        let (generation, client) = target.clients.current();
        let api = (target.api)(client);
        let fault = match &rv {
            None => match list_into(&api, selector, sink).await {
                Ok(version) => {
                    rv = Some(version);
                    report.changed();
                    report.state(InformerState::Live);
                    continue;
                }
                Err(e) => classify(&e),
            },
            Some(from) => match watch(&api, from, selector, sink, &mut report).await {
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
                let why = match target.clients.renew(generation).await {
                    Ok(_) => why,
                    Err(e) => format!("{why} (reading the kubeconfig again failed: {e})"),
                };
                report.state(InformerState::Unauthorized(why));
                refused = true;
            }
            Fault::Forbidden(why) => report.state(InformerState::Forbidden(why)),
            Fault::Gone(why) => {
                // What was listed is not true any more: nothing is.
                sink.apply(&Event::Init);
                sink.apply(&Event::InitDone);
                report.changed();
                report.state(InformerState::NotInstalled);
                return Ended::Gone(why);
            }
            Fault::Transient(why) => report.state(InformerState::Reconnecting(why)),
        }
        if retry.sleep(backoff.wait()).await {
            backoff.reset();
        }
        relist_at_once = true;
    }
}

enum WatchEnd {
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
    let mut version = from.to_string();
    let mut delivered = false;
    let stream = match api.watch(&wp, &version).await {
        Ok(s) => s,
        Err(e) => return WatchEnd::Fault(version, classify(&e)),
    };
    let mut stream = std::pin::pin!(stream);
    // The server accepted it: whatever happened before, this kind is live again.
    report.state(InformerState::Live);
    loop {
        let item = match tokio::time::timeout(IDLE, stream.next()).await {
            Ok(Some(item)) => item,
            Ok(None) | Err(_) => return WatchEnd::Resume { version, delivered },
        };
        // A broken connection mid-stream: resume (at once if it had delivered before); a
        // failure to resume is reported.
        let Ok(event) = item else {
            return WatchEnd::Resume { version, delivered };
        };
        delivered = true;
        match event {
            WatchEvent::Added(obj) | WatchEvent::Modified(obj) => {
                version = obj.resource_version().unwrap_or(version);
                sink.apply(&Event::Apply(slim(obj)));
                report.changed();
            }
            WatchEvent::Deleted(obj) => {
                version = obj.resource_version().unwrap_or(version);
                sink.apply(&Event::Delete(slim(obj)));
                report.changed();
            }
            WatchEvent::Bookmark(b) => {
                version = b.metadata.resource_version;
                if !report.is_live() {
                    report.state(InformerState::Live);
                }
            }
            WatchEvent::Error(status) => {
                return WatchEnd::Fault(version, classify_status(&status));
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
        .unwrap_or_else(|e| panic!("{e}"));
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
