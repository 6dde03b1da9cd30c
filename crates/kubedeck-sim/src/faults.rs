//! Fault injection, shared by the HTTP handlers and controlled from tests or `/_sim/` endpoints.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

const EPHEMERAL: &str = "v1/pods/ephemeralcontainers";

pub struct Faults {
    /// Bumped to cut every open watch connection.
    drop_watches: watch::Sender<u64>,
    /// Bumped when the apiserver restarts: the streams it carries (exec, attach,
    /// port-forward) are cut, as a restarted apiserver's connections are.
    restarts: watch::Sender<u64>,
    gone_next_watches: AtomicU32,
    forbidden: Mutex<HashSet<String>>,
    latency_ms: AtomicU64,
    /// API group/versions answered with 404 as if not installed ("metrics.k8s.io/v1beta1").
    hidden_apis: Mutex<HashSet<String>>,
    /// Readiness flips a second (a kubelet under a storm: containers' probes failing and
    /// passing), for the benchmarks; 0: none.
    churn: watch::Sender<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            drop_watches: watch::channel(0).0,
            restarts: watch::channel(0).0,
            gone_next_watches: AtomicU32::new(0),
            forbidden: Mutex::new(HashSet::new()),
            latency_ms: AtomicU64::new(0),
            hidden_apis: Mutex::new(HashSet::new()),
            churn: watch::channel(0).0,
        }
    }
}

impl Faults {
    /// Flip `per_sec` running pods' readiness a second (0: stop).
    pub fn set_churn(&self, per_sec: u64) {
        self.churn.send_replace(per_sec);
    }

    pub fn churn(&self) -> watch::Receiver<u64> {
        self.churn.subscribe()
    }

    /// Cut every open watch connection now (clients see the stream break).
    pub fn drop_all_watches(&self) {
        self.drop_watches.send_modify(|g| *g += 1);
    }

    pub fn watch_drops(&self) -> watch::Receiver<u64> {
        self.drop_watches.subscribe()
    }

    /// The apiserver restarts: cut the streams it carries.
    pub fn restarted(&self) {
        self.restarts.send_modify(|g| *g += 1);
    }

    /// Told of the next restart.
    pub fn restarts(&self) -> watch::Receiver<u64> {
        let mut rx = self.restarts.subscribe();
        rx.mark_unchanged();
        rx
    }

    /// The next `n` watch requests get an in-stream 410 Expired, as a compacted apiserver sends.
    pub fn gone_next_watches(&self, n: u32) {
        self.gone_next_watches.store(n, Ordering::SeqCst);
    }

    /// Consume one pending 410, if any.
    pub fn take_gone(&self) -> bool {
        self.gone_next_watches
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Answer 403 Forbidden for every request on this resource (plural, e.g. `pipelineruns`).
    pub fn forbid(&self, resource: &str) {
        self.forbidden
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(resource.to_string());
    }

    pub fn allow(&self, resource: &str) {
        self.forbidden
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(resource);
    }

    pub fn is_forbidden(&self, resource: &str) -> bool {
        self.forbidden
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(resource)
    }

    /// Added before every response.
    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms.store(
            u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            Ordering::SeqCst,
        );
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::SeqCst))
    }

    /// Serve `group_version` (e.g. `tekton.dev/v1`) or not: hidden ones vanish from discovery
    /// and their requests get 404, as on a cluster where they are not installed; open watches
    /// end (every watch, for simplicity: the others resume).
    pub fn set_api_served(&self, group_version: &str, served: bool) {
        let mut hidden = self.hidden_apis.lock().unwrap_or_else(|e| e.into_inner());
        if served {
            hidden.remove(group_version);
        } else {
            hidden.insert(group_version.to_string());
            drop(hidden);
            // As when a CRD is deleted: the apiserver ends the watches it was serving.
            self.drop_all_watches();
        }
    }

    pub fn serves(&self, group: &str, version: &str) -> bool {
        let hidden = self.hidden_apis.lock().unwrap_or_else(|e| e.into_inner());
        !hidden.contains(&format!("{group}/{version}"))
    }

    /// Whether metrics.k8s.io is served (off: discovery omits it and requests get 404).
    pub fn set_metrics_enabled(&self, on: bool) {
        self.set_api_served("metrics.k8s.io/v1beta1", on);
    }

    /// Whether the ephemeralcontainers subresource exists (off: 404, as on a cluster older than
    /// 1.23 or with the feature gate off).
    pub fn set_ephemeral_enabled(&self, on: bool) {
        self.set_api_served(EPHEMERAL, on);
    }

    pub fn ephemeral_enabled(&self) -> bool {
        let hidden = self.hidden_apis.lock().unwrap_or_else(|e| e.into_inner());
        !hidden.contains(EPHEMERAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gone_is_consumed_once_per_request() {
        let f = Faults::default();
        assert!(!f.take_gone());
        f.gone_next_watches(2);
        assert!(f.take_gone() && f.take_gone());
        assert!(!f.take_gone());
    }

    #[test]
    fn forbid_and_allow() {
        let f = Faults::default();
        f.forbid("pipelineruns");
        assert!(f.is_forbidden("pipelineruns") && !f.is_forbidden("pods"));
        f.allow("pipelineruns");
        assert!(!f.is_forbidden("pipelineruns"));
    }
}
