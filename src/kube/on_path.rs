//! A cluster session that does not freeze on a silent connection: it ends as lost ("connection
//! lost", kept in `:sessions` as disconnected) when the cluster's path goes silent (see
//! `liveness`), whether it is still connecting or running.

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
