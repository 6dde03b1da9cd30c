//! Whether a cluster's connection still carries anything. A VPN that drops, or a jump host
//! whose NAT forgets the flow, leaves TCP connections that never close: a watch on one waits
//! for its idle timeout (minutes) while the screen looks live. Through a proxy or a forwarded
//! port even TCP keepalive is answered by the nearest hop while nothing gets through.
//!
//! So the path is probed end to end: when nothing has come from the server for
//! [`PROBE_EVERY`] (watches deliver events and bookmarks; a busy cluster is never probed), a
//! small request (`GET /version`) must be answered within [`PROBE_TIMEOUT`]. [`MISSES`]
//! unanswered in a row make the path silent, within 12 s of the silence starting: every request
//! waiting on the cluster is abandoned (its kinds say so and are not live), the client is built
//! anew (its pooled connections may be the silent ones), and probing goes on, each on a fresh
//! connection. The first answer brings the path back: everything retries at once, and the
//! watches resume from where they were (or relist when the server says so).

use std::time::Duration;

use super::backoff::RetryNow;
use super::credentials::ClientHandle;
use super::ids::ClusterId;

/// How often the path is checked when nothing has been heard.
pub const PROBE_EVERY: Duration = Duration::from_secs(4);
/// How long a probe may go unanswered.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(4);
/// Unanswered probes in a row that make the path silent.
pub const MISSES: u32 = 2;

/// What a request made while the path was silent says once it is back (it is made again).
pub const BACK: &str = "the API server answers again; reconnecting";

/// What a request abandoned on a silent path says (the kinds' NOT LIVE reason).
pub const SILENT: &str = "connection lost: the API server stopped answering (a silent connection, as a dropped VPN or jump host leaves); reconnecting";

/// The path's state as the prober decides it, from one probe's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Path {
    misses: u32,
    pub silent: bool,
}

/// What a probe's outcome changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    Same,
    WentSilent,
    CameBack,
}

impl Path {
    /// A probe went unanswered, and the path is not yet called silent.
    pub fn suspect(&self) -> bool {
        self.misses > 0 && !self.silent
    }

    /// Take one probe's outcome: answered (anything, even an error status or a refused
    /// connection: the path carries) or not within the timeout.
    pub fn probed(&mut self, answered: bool) -> Turn {
        if answered {
            self.misses = 0;
            if std::mem::take(&mut self.silent) {
                return Turn::CameBack;
            }
            return Turn::Same;
        }
        self.misses = self.misses.saturating_add(1);
        if self.misses >= MISSES && !self.silent {
            self.silent = true;
            return Turn::WentSilent;
        }
        Turn::Same
    }
}

/// Probe `clients`' path for as long as the task lives, telling `retry` when it turns.
pub async fn watch_path(cluster: ClusterId, clients: ClientHandle, retry: RetryNow) {
    let mut path = Path::default();
    let heard = clients.heard();
    loop {
        // After a first miss the next probe goes at once (on a fresh connection): two misses
        // take at most 4 s of quiet and two timeouts, within the 12 s said above.
        if !path.suspect() {
            tokio::time::sleep(PROBE_EVERY).await;
        }
        // Something came from the server lately: the path carries (also when a probe missed
        // on a connection of its own, or it was called silent and the informers got through
        // since: then it is back).
        if heard.within(PROBE_EVERY) {
            tracing::trace!(%cluster, "heard lately: not probed");
            if path.probed(true) == Turn::CameBack {
                tracing::debug!(%cluster, "path back: the informers were heard");
                came_back(&clients, &retry).await;
            }
            continue;
        }
        let client = clients.client();
        let answered = tokio::time::timeout(PROBE_TIMEOUT, client.apiserver_version())
            .await
            .is_ok();
        tracing::trace!(%cluster, answered, "probe");
        if answered {
            heard.now();
        } else {
            // The next probe on a fresh connection: pooled ones may be the silent ones.
            let renewed = clients.reconnect().await;
            tracing::debug!(%cluster, ?renewed, "probe unanswered; client rebuilt");
        }
        match path.probed(answered) {
            Turn::Same => {}
            Turn::WentSilent => {
                tracing::debug!(%cluster, "path silent");
                retry.path_changed(true);
            }
            Turn::CameBack => {
                tracing::debug!(%cluster, "path back: a probe was answered");
                came_back(&clients, &retry).await;
            }
        }
    }
}

/// The path answers again: every request waiting on it is made again at once, on a client
/// with no pooled connections. A connection that carried something while the path was silent
/// may never answer (its flow is forgotten by the VPN or NAT that dropped it); a request made
/// again on it would wait, unseen, while the probes get through on others.
async fn came_back(clients: &ClientHandle, retry: &RetryNow) {
    let _ = clients.reconnect().await;
    retry.path_changed(false);
    retry.now();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_misses_make_it_silent_and_one_answer_brings_it_back() {
        let mut p = Path::default();
        assert_eq!(p.probed(false), Turn::Same);
        assert!(p.suspect(), "asked again at once");
        assert_eq!(p.probed(true), Turn::Same, "one miss is forgiven");
        assert!(!p.suspect());
        assert_eq!(p.probed(false), Turn::Same);
        assert_eq!(p.probed(false), Turn::WentSilent);
        assert_eq!(p.probed(false), Turn::Same, "said once");
        assert!(p.silent);
        assert_eq!(p.probed(true), Turn::CameBack);
        assert_eq!(p.probed(true), Turn::Same);
    }
}
