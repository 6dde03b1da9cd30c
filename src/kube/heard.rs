//! When something last came from a cluster's server: its informers note each event and
//! bookmark, and the path prober (`liveness`) probes only a cluster it has not heard from.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// When something last came from the server, shared by a cluster's informers and its prober.
#[derive(Debug, Clone)]
pub struct Heard(Arc<AtomicU64>);

/// A process-wide origin for [`Heard`]'s clock.
fn origin() -> Instant {
    static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

fn millis_since_origin() -> u64 {
    u64::try_from(origin().elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl Default for Heard {
    fn default() -> Self {
        Self(Arc::new(AtomicU64::new(millis_since_origin())))
    }
}

impl Heard {
    pub fn now(&self) {
        self.0.store(millis_since_origin(), Ordering::Relaxed);
    }

    /// Whether something came within `d`.
    pub fn within(&self, d: Duration) -> bool {
        let last = self.0.load(Ordering::Relaxed);
        let age = millis_since_origin().saturating_sub(last);
        u128::from(age) < d.as_millis()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heard_ages() {
        let h = Heard::default();
        h.now();
        assert!(h.within(Duration::from_secs(60)));
        assert!(!h.within(Duration::ZERO));
    }
}
