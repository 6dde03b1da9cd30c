//! How long an informer waits before trying again: doubling from half a second, never more than
//! [`MAX`] with the jitter included (the documented bound), and a way to cut the wait short
//! (the retry key).

use std::time::Duration;

use tokio::sync::watch;

/// The longest wait between two attempts, jitter included.
pub const MAX: Duration = Duration::from_secs(30);
const FIRST: Duration = Duration::from_millis(500);

/// Exponential backoff with jitter in the upper half of each step: `[step/2, step]`, with step
/// doubling up to [`MAX`].
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// The wait after one more failure; `unit` in [0, 1) picks the jitter.
    pub fn wait_with(&mut self, unit: f64) -> Duration {
        let step = FIRST.saturating_mul(1u32 << self.failures.min(16)).min(MAX);
        self.failures = self.failures.saturating_add(1);
        let unit = unit.clamp(0.0, 1.0);
        step.mul_f64(0.5 + unit / 2.0).min(MAX)
    }

    pub fn wait(&mut self) -> Duration {
        self.wait_with(fastrand::f64())
    }

    /// It worked: the next failure starts from the shortest wait again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// "Try again now": every informer of a cluster waiting out a backoff wakes up. Also carries
/// the cluster's path changes (see [`crate::kube::liveness`]): when the connection to the API
/// server goes silent or comes back, every request waiting on it is abandoned.
#[derive(Debug, Clone)]
pub struct RetryNow {
    tx: watch::Sender<u64>,
    /// Whether the path is silent now; every change is sent.
    path: watch::Sender<bool>,
}

impl Default for RetryNow {
    fn default() -> Self {
        Self {
            tx: watch::channel(0).0,
            path: watch::channel(false).0,
        }
    }
}

impl RetryNow {
    pub fn now(&self) {
        self.tx.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The path to the API server went silent (`true`), or came back: what waits on it gives
    /// up.
    pub fn path_changed(&self, silent: bool) {
        self.path.send_replace(silent);
    }

    pub fn subscribe(&self) -> RetrySignal {
        let mut rx = self.tx.subscribe();
        rx.mark_unchanged();
        RetrySignal {
            rx,
            path: self.path_signal(),
        }
    }

    /// Told of the path's next change.
    pub fn path_signal(&self) -> PathSignal {
        let mut rx = self.path.subscribe();
        rx.mark_unchanged();
        PathSignal { rx }
    }
}

/// One waiter's end of the path changes.
#[derive(Debug, Clone)]
pub struct PathSignal {
    rx: watch::Receiver<bool>,
}

impl PathSignal {
    /// A signal that never fires (no cluster to watch).
    pub fn never() -> Self {
        Self {
            rx: watch::channel(false).1,
        }
    }

    /// A copy told only of changes from now on.
    pub fn fresh(&self) -> Self {
        let mut rx = self.rx.clone();
        rx.mark_unchanged();
        Self { rx }
    }

    /// Whether the path is silent now.
    pub fn silent(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once the path is not called silent (at once if it is not); `false` when nobody
    /// can say so any more (the cluster was closed).
    pub async fn not_silent(&mut self) -> bool {
        self.rx.wait_for(|silent| !silent).await.is_ok()
    }

    /// Resolves when the path changes (never, once nobody can change it).
    pub async fn changed(&mut self) {
        if self.rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// `fut`'s output, or `None` when the path changed first (the request was on a connection
    /// that went silent, or on one opened while it was).
    pub async fn cut<F: std::future::Future>(&mut self, fut: F) -> Option<F::Output> {
        tokio::select! {
            out = fut => Some(out),
            () = self.changed() => None,
        }
    }
}

/// One informer's end of [`RetryNow`].
#[derive(Debug)]
pub struct RetrySignal {
    rx: watch::Receiver<u64>,
    path: PathSignal,
}

impl RetrySignal {
    /// The path changes, for the requests this informer makes.
    pub fn path(&self) -> PathSignal {
        self.path.fresh()
    }

    /// Until asked to retry now (never, once nobody can ask).
    pub async fn asked(&mut self) {
        if self.rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Sleep `delay`, or less if asked to retry now. `true` when cut short.
    pub async fn sleep(&mut self, delay: Duration) -> bool {
        tokio::select! {
            () = tokio::time::sleep(delay) => false,
            changed = self.rx.changed() => changed.is_ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_and_never_pass_the_bound_with_jitter() {
        let mut b = Backoff::default();
        let lows: Vec<_> = (0..8).map(|_| b.wait_with(0.0)).collect();
        assert_eq!(lows[0], Duration::from_millis(250));
        assert_eq!(lows[1], Duration::from_millis(500));
        assert_eq!(lows[2], Duration::from_secs(1));
        let mut b = Backoff::default();
        for _ in 0..40 {
            assert!(b.wait_with(0.999_999) <= MAX);
        }
        assert!(b.wait_with(0.0) >= MAX / 2, "it stays at the bound's step");
        b.reset();
        assert_eq!(b.wait_with(1.0), FIRST);
    }

    #[tokio::test]
    async fn retry_now_cuts_the_wait_short() {
        let retry = RetryNow::default();
        let mut signal = retry.subscribe();
        let waiting = tokio::spawn(async move { signal.sleep(Duration::from_secs(3600)).await });
        // The signal is a watch channel: sent before or after the sleep starts, it is seen.
        retry.now();
        assert_eq!(waiting.await.ok(), Some(true));
    }
}
