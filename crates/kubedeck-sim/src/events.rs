//! Recording events the way kubelet's event recorder does: a repeat of the same reason about the
//! same object bumps `count` and `lastTimestamp` on the existing Event instead of adding one.
//! Events older than the apiserver's TTL (1h) are pruned.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::model::{self, EventShape};
use super::resources::Kind;
use super::store::{Key, Store};

#[derive(Default)]
pub struct EventLog {
    /// (namespace, object kind, object name, reason, type) -> stored event key.
    index: HashMap<(String, String, String, String, String), Key>,
    next: u64,
}

pub const EVENT_TTL: SignedDuration = SignedDuration::from_secs(3600);

impl EventLog {
    fn agg_key(e: &EventShape<'_>) -> (String, String, String, String, String) {
        (
            e.namespace.into(),
            e.object_kind.into(),
            e.object_name.into(),
            e.reason.into(),
            e.type_.into(),
        )
    }

    /// Record `e` at `now`, aggregating with an earlier event of the same kind.
    pub fn record(&mut self, store: &Store, now: Timestamp, e: &EventShape<'_>) {
        let agg = Self::agg_key(e);
        if let Some(key) = self.index.get(&agg) {
            let message = e.message.clone();
            let updated = store.update(Kind::Event, key, |ev| {
                let count = ev["count"].as_u64().unwrap_or(1) + u64::from(e.count.max(1));
                ev["count"] = json!(count);
                ev["lastTimestamp"] = model::ts(now);
                ev["message"] = json!(message);
                true
            });
            if updated.is_some() {
                return;
            }
        }
        self.next += 1;
        let shape = EventShape {
            n: e.n ^ self.next.wrapping_mul(0x9E37),
            last: now,
            ..clone_shape(e)
        };
        let stored = store.put(Kind::Event, model::event(&shape));
        self.index.insert(agg, super::store::key_of(&stored));
    }

    /// Add an event without aggregation (seeded history).
    pub fn put_unique(&mut self, store: &Store, e: &EventShape<'_>) {
        self.next += 1;
        let shape = EventShape {
            n: e.n ^ self.next.wrapping_mul(0x9E37),
            ..clone_shape(e)
        };
        store.put(Kind::Event, model::event(&shape));
    }

    /// Delete events whose last occurrence is older than the TTL.
    pub fn prune(&mut self, store: &Store, now: Timestamp) -> usize {
        let cutoff = now.checked_sub(EVENT_TTL).unwrap_or(now);
        let cutoff_text = model::ts(cutoff);
        let cutoff_text = cutoff_text.as_str().unwrap_or_default();
        let old: Vec<Key> = store
            .snapshot(Kind::Event)
            .items
            .iter()
            // RFC 3339 UTC timestamps of one format sort as text.
            .filter(|e| e["lastTimestamp"].as_str().is_some_and(|t| t < cutoff_text))
            .map(|e| super::store::key_of(e))
            .collect();
        for key in &old {
            store.remove(Kind::Event, key);
        }
        self.index.retain(|_, k| !old.contains(k));
        old.len()
    }
}

fn clone_shape<'a>(e: &EventShape<'a>) -> EventShape<'a> {
    EventShape {
        namespace: e.namespace,
        object_kind: e.object_kind,
        object_name: e.object_name,
        object_uid: e.object_uid,
        type_: e.type_,
        reason: e.reason,
        message: e.message.clone(),
        component: e.component,
        host: e.host,
        first: e.first,
        last: e.last,
        count: e.count,
        n: e.n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(reason: &str, first: Timestamp) -> EventShape<'_> {
        EventShape {
            namespace: "demo",
            object_kind: "Pod",
            object_name: "crasher",
            object_uid: "u",
            type_: "Warning",
            reason,
            message: "Back-off restarting failed container".into(),
            component: "kubelet",
            host: Some("vm"),
            first,
            last: first,
            count: 1,
            n: 1,
        }
    }

    #[test]
    fn repeats_aggregate_into_count() {
        let store = Store::new(100);
        let mut log = EventLog::default();
        let t0 = Timestamp::UNIX_EPOCH;
        let t1 = t0.checked_add(SignedDuration::from_secs(30)).unwrap_or(t0);
        log.record(&store, t0, &shape("BackOff", t0));
        log.record(&store, t1, &shape("BackOff", t0));
        log.record(&store, t1, &shape("Pulled", t0));
        let items = store.snapshot(Kind::Event).items;
        assert_eq!(items.len(), 2);
        let backoff = items
            .iter()
            .find(|e| e["reason"] == "BackOff")
            .cloned()
            .unwrap_or_default();
        assert_eq!(backoff["count"], 2);
        assert_eq!(backoff["lastTimestamp"], "1970-01-01T00:00:30Z");
        assert_eq!(backoff["firstTimestamp"], "1970-01-01T00:00:00Z");
    }

    #[test]
    fn prune_drops_events_past_ttl() {
        let store = Store::new(100);
        let mut log = EventLog::default();
        let t0 = Timestamp::UNIX_EPOCH;
        log.record(&store, t0, &shape("BackOff", t0));
        let later = t0
            .checked_add(SignedDuration::from_secs(2 * 3600))
            .unwrap_or(t0);
        log.record(&store, later, &shape("Pulled", later));
        assert_eq!(log.prune(&store, later), 1);
        assert_eq!(store.count(Kind::Event), 1);
        // A new BackOff after pruning starts a fresh event instead of updating a deleted one.
        log.record(&store, later, &shape("BackOff", later));
        assert_eq!(store.count(Kind::Event), 2);
    }
}
