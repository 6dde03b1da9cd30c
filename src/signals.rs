//! Leaving cleanly on SIGHUP (the SSH session to the jump host dropped), SIGTERM and SIGINT.

use tokio::signal::unix::{Signal, SignalKind, signal};

/// The termination signals, caught from the moment this is made: one that comes before the
/// first wait is kept for it (not left to the default action, which kills the process without
/// restoring the terminal).
pub struct Termination {
    signals: Option<(Signal, Signal, Signal)>,
}

impl Termination {
    /// Catch SIGHUP, SIGTERM and SIGINT from now on (in a tokio runtime).
    pub fn catch() -> Self {
        let signals = match (
            signal(SignalKind::hangup()),
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(hup), Ok(term), Ok(int)) => Some((hup, term, int)),
            _ => None,
        };
        Self { signals }
    }

    /// Until one of them comes (without handlers, Ctrl-C only).
    pub async fn wait(&mut self) {
        let Some((hup, term, int)) = &mut self.signals else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = hup.recv() => {}
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
}

/// Until SIGHUP, SIGTERM or SIGINT comes (caught from the first poll on).
pub async fn wait_for_termination() {
    Termination::catch().wait().await;
}
