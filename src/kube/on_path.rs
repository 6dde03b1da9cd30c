//! What does not freeze on a silent connection (see `liveness`): a cluster session ends as lost
//! ("connection lost", kept in `:sessions` as disconnected) whether it is still connecting or
//! running, and a one-shot request ([`read`], [`change`]) ends instead of waiting for the
//! client's read timeout (minutes).

use futures::FutureExt;
use futures::future::BoxFuture;

use super::backoff::PathSignal;
use super::liveness::SILENT;
use crate::pty::{Backend, Connection, Ended, Progress, SessionError, Size};

/// Resolves once the path is silent (at once if it is already).
pub async fn silent(path: &mut PathSignal) {
    while !path.silent() {
        path.changed().await;
    }
}

/// How a one-shot request on a path that can go silent came out.
#[derive(Debug, PartialEq, Eq)]
pub enum Asked<T> {
    /// It ended by itself: its answer (or its error).
    Answered(T),
    /// Nothing was sent: the path was silent (a change), or the cluster was closed while it
    /// was (a read).
    NotSent,
    /// The path went silent before the answer: a change may or may not have been made.
    Cut,
}

/// A read: made once the path is not called silent (it waits while it is; the prober says the
/// path is back within seconds of its answering, and `make` then takes the client rebuilt for
/// it), and given up when the path goes silent.
pub async fn read<F: std::future::Future>(
    mut path: PathSignal,
    make: impl FnOnce() -> F,
) -> Asked<F::Output> {
    if !path.not_silent().await {
        return Asked::NotSent;
    }
    let work = make();
    tokio::select! {
        out = work => Asked::Answered(out),
        () = silent(&mut path) => Asked::Cut,
    }
}

/// A change: not sent while the path is called silent (made minutes later, when it is back, it
/// would surprise), and given up when the path goes silent before its answer.
pub async fn change<F: std::future::Future>(mut path: PathSignal, work: F) -> Asked<F::Output> {
    if path.silent() {
        return Asked::NotSent;
    }
    tokio::select! {
        out = work => Asked::Answered(out),
        () = silent(&mut path) => Asked::Cut,
    }
}

/// `inner`, ended as lost when `path` goes silent.
pub struct OnPath {
    pub inner: Box<dyn Backend>,
    pub path: PathSignal,
}

impl Backend for OnPath {
    fn label(&self) -> String {
        self.inner.label()
    }

    fn connect(
        self: Box<Self>,
        size: Size,
        progress: Progress,
    ) -> BoxFuture<'static, Result<Connection, SessionError>> {
        let Self { inner, path } = *self;
        async move {
            let mut path = path.fresh();
            let mut conn = tokio::select! {
                conn = inner.connect(size, progress) => conn?,
                () = silent(&mut path) => return Err(SessionError::Refused(SILENT.into())),
            };
            let (tx, exit) = tokio::sync::oneshot::channel();
            let program = std::mem::replace(&mut conn.exit, exit);
            tokio::spawn(async move {
                let ended = tokio::select! {
                    ended = program => ended.unwrap_or(Ended::Lost("connection closed".into())),
                    () = silent(&mut path) => Ended::Lost(SILENT.into()),
                };
                let _ = tx.send(ended);
            });
            Ok(conn)
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::backoff::RetryNow;

    /// A backend whose program never ends by itself.
    struct Forever;

    impl Backend for Forever {
        fn label(&self) -> String {
            "forever".into()
        }

        fn connect(
            self: Box<Self>,
            _size: Size,
            _progress: Progress,
        ) -> BoxFuture<'static, Result<Connection, SessionError>> {
            async move {
                let (_out_tx, output) = tokio::sync::mpsc::channel(1);
                let (input, _in_rx) = tokio::sync::mpsc::channel(1);
                let (resize, _r) = tokio::sync::mpsc::channel(1);
                let (end, exit) = tokio::sync::oneshot::channel();
                // Kept alive by the test's own lifetime: never sent.
                std::mem::forget((end, _out_tx, _in_rx, _r));
                Ok(Connection {
                    output,
                    input,
                    resize,
                    exit,
                    via: None,
                })
            }
            .boxed()
        }
    }

    #[tokio::test]
    async fn a_change_is_not_sent_on_a_silent_path_and_is_cut_when_it_goes_silent() {
        let retry = RetryNow::default();
        assert_eq!(
            change(retry.path_signal(), async { 7 }).await,
            Asked::Answered(7)
        );
        let cut = tokio::spawn(change(retry.path_signal(), std::future::pending::<()>()));
        tokio::task::yield_now().await;
        retry.path_changed(true);
        assert_eq!(cut.await.ok(), Some(Asked::Cut));
        let mut sent = false;
        let asked = change(retry.path_signal(), async { sent = true }).await;
        assert_eq!(asked, Asked::NotSent);
        assert!(!sent, "nothing is changed on a silent path");
        retry.path_changed(false);
        assert_eq!(
            change(retry.path_signal(), async { 8 }).await,
            Asked::Answered(8)
        );
    }

    #[tokio::test]
    async fn a_read_waits_while_the_path_is_silent_and_is_cut_when_it_goes_silent() {
        let retry = RetryNow::default();
        let cut = tokio::spawn(read(retry.path_signal(), std::future::pending::<()>));
        tokio::task::yield_now().await;
        retry.path_changed(true);
        assert_eq!(cut.await.ok(), Some(Asked::Cut));
        // Asked while silent: made only once the path is back.
        let (made_tx, mut made) = tokio::sync::mpsc::unbounded_channel();
        let waiting = tokio::spawn(read(retry.path_signal(), move || async move {
            let _ = made_tx.send(());
            9
        }));
        tokio::task::yield_now().await;
        assert!(made.try_recv().is_err(), "made while the path was silent");
        retry.path_changed(false);
        assert_eq!(waiting.await.ok(), Some(Asked::Answered(9)));
        assert!(made.try_recv().is_ok());
        // The cluster closed while silent: given up, not left waiting.
        let closed = RetryNow::default();
        let path = closed.path_signal();
        closed.path_changed(true);
        drop(closed);
        assert_eq!(read(path, || async { 1 }).await, Asked::NotSent);
    }

    #[tokio::test]
    async fn a_running_session_ends_as_lost_when_the_path_goes_silent() {
        let retry = RetryNow::default();
        let backend = Box::new(OnPath {
            inner: Box::new(Forever),
            path: retry.path_signal(),
        });
        let (progress, _p) = tokio::sync::mpsc::unbounded_channel();
        let conn = backend
            .connect(Size { rows: 24, cols: 80 }, progress)
            .await
            .unwrap();
        retry.path_changed(true);
        assert_eq!(conn.exit.await, Ok(Ended::Lost(SILENT.into())));
    }
}
