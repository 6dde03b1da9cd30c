//! The simulator's object store: every object as JSON with a global resourceVersion, a bounded
//! change history (so watches can resume from a resourceVersion, and older ones get 410 Gone),
//! and a broadcast of each change to live watches.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::broadcast;

use super::resources::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeType {
    Added,
    Modified,
    Deleted,
}

impl ChangeType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Added => "ADDED",
            ChangeType::Modified => "MODIFIED",
            ChangeType::Deleted => "DELETED",
        }
    }
}

#[derive(Debug)]
pub struct Change {
    pub kind: Kind,
    pub rv: u64,
    pub change: ChangeType,
    pub object: Arc<Value>,
}

/// The changes a resumed watch must replay, and the receiver for live ones.
pub type WatchStart = (Vec<Arc<Change>>, broadcast::Receiver<Arc<Change>>);

/// Why a watch cannot resume from a resourceVersion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresumable {
    /// Older than the history kept (410 Expired): `oldest` is the first still known.
    Expired { oldest: u64 },
    /// Newer than anything this store has reached ("Too large resource version"): a client
    /// that watched another store, or this one before a restore.
    TooLarge { current: u64 },
}

/// (namespace, name); cluster-scoped objects have an empty namespace.
pub type Key = (String, String);

#[derive(Default, Clone)]
struct Inner {
    rv: u64,
    objects: HashMap<Kind, BTreeMap<Key, Arc<Value>>>,
    history: VecDeque<Arc<Change>>,
    /// Watches from a resourceVersion below this get 410 Gone.
    oldest_rv: u64,
}

pub struct Store {
    inner: Mutex<Inner>,
    /// A saved state to go back to, as an etcd restore does.
    checkpoint: Mutex<Option<Inner>>,
    tx: broadcast::Sender<Arc<Change>>,
    history_cap: usize,
}

pub fn key_of(obj: &Value) -> Key {
    let m = &obj["metadata"];
    (
        m["namespace"].as_str().unwrap_or_default().to_string(),
        m["name"].as_str().unwrap_or_default().to_string(),
    )
}

/// A snapshot for list and watch start: objects plus the resourceVersion they are at.
pub struct Snapshot {
    pub rv: u64,
    pub items: Vec<Arc<Value>>,
}

impl Store {
    pub fn new(history_cap: usize) -> Self {
        let (tx, _) = broadcast::channel(16384);
        Self {
            inner: Mutex::new(Inner {
                rv: 1,
                ..Inner::default()
            }),
            checkpoint: Mutex::new(None),
            tx,
            history_cap,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data; keep serving it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    /// Insert or replace; returns the stored object (with its new resourceVersion).
    pub fn put(&self, kind: Kind, obj: Value) -> Arc<Value> {
        let mut inner = self.lock();
        self.put_locked(&mut inner, kind, obj)
    }

    fn put_locked(&self, inner: &mut Inner, kind: Kind, mut obj: Value) -> Arc<Value> {
        inner.rv += 1;
        let rv = inner.rv;
        obj["metadata"]["resourceVersion"] = Value::String(rv.to_string());
        let key = key_of(&obj);
        let obj = Arc::new(obj);
        let previous = inner
            .objects
            .entry(kind)
            .or_default()
            .insert(key, obj.clone());
        let change = if previous.is_some() {
            ChangeType::Modified
        } else {
            ChangeType::Added
        };
        self.record(
            inner,
            Change {
                kind,
                rv,
                change,
                object: obj.clone(),
            },
        );
        obj
    }

    /// Remove; returns the object as deleted (carrying the deletion's resourceVersion).
    pub fn remove(&self, kind: Kind, key: &Key) -> Option<Arc<Value>> {
        let mut inner = self.lock();
        let old = inner.objects.get_mut(&kind)?.remove(key)?;
        inner.rv += 1;
        let rv = inner.rv;
        let mut obj = (*old).clone();
        obj["metadata"]["resourceVersion"] = Value::String(rv.to_string());
        let obj = Arc::new(obj);
        self.record(
            &mut inner,
            Change {
                kind,
                rv,
                change: ChangeType::Deleted,
                object: obj.clone(),
            },
        );
        Some(obj)
    }

    fn record(&self, inner: &mut Inner, change: Change) {
        let change = Arc::new(change);
        inner.history.push_back(change.clone());
        while inner.history.len() > self.history_cap {
            if let Some(old) = inner.history.pop_front() {
                inner.oldest_rv = old.rv;
            }
        }
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(change);
    }

    pub fn get(&self, kind: Kind, key: &Key) -> Option<Arc<Value>> {
        self.lock().objects.get(&kind)?.get(key).cloned()
    }

    /// Apply `f` to a copy of the object and store it if `f` returns true. Atomic: no other
    /// write lands between reading and storing (the scenario and the simulated kubelet both
    /// write pods).
    pub fn update(
        &self,
        kind: Kind,
        key: &Key,
        f: impl FnOnce(&mut Value) -> bool,
    ) -> Option<Arc<Value>> {
        let mut inner = self.lock();
        let mut obj = (**inner.objects.get(&kind)?.get(key)?).clone();
        if f(&mut obj) {
            Some(self.put_locked(&mut inner, kind, obj))
        } else {
            None
        }
    }

    pub fn snapshot(&self, kind: Kind) -> Snapshot {
        let inner = self.lock();
        let items = inner
            .objects
            .get(&kind)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        Snapshot {
            rv: inner.rv,
            items,
        }
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.lock().objects.get(&kind).map_or(0, BTreeMap::len)
    }

    /// Visit objects of `kind` with key after `start` (exclusive), in key order, while `visit`
    /// returns true. Returns the resourceVersion the scan saw. Visitors must be quick: the store
    /// is locked meanwhile.
    pub fn scan_after(
        &self,
        kind: Kind,
        start: Option<&Key>,
        mut visit: impl FnMut(&Key, &Arc<Value>) -> bool,
    ) -> u64 {
        let inner = self.lock();
        let Some(map) = inner.objects.get(&kind) else {
            return inner.rv;
        };
        let lower = match start {
            Some(k) => std::ops::Bound::Excluded(k),
            None => std::ops::Bound::Unbounded,
        };
        for (k, v) in map.range::<Key, _>((lower, std::ops::Bound::Unbounded)) {
            if !visit(k, v) {
                break;
            }
        }
        inner.rv
    }

    /// Start a watch from `from_rv`: the changes after it still in history, and a receiver for
    /// the live ones, taken atomically.
    pub fn watch_from(&self, kind: Kind, from_rv: u64) -> Result<WatchStart, Unresumable> {
        let inner = self.lock();
        if from_rv < inner.oldest_rv {
            return Err(Unresumable::Expired {
                oldest: inner.oldest_rv,
            });
        }
        if from_rv > inner.rv {
            return Err(Unresumable::TooLarge { current: inner.rv });
        }
        let rx = self.tx.subscribe();
        let backlog = inner
            .history
            .iter()
            .filter(|c| c.kind == kind && c.rv > from_rv)
            .cloned()
            .collect();
        Ok((backlog, rx))
    }

    /// Every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.tx.subscribe()
    }

    /// Subscribe with a snapshot taken at the same instant (for watches without a resourceVersion).
    pub fn snapshot_and_subscribe(
        &self,
        kind: Kind,
    ) -> (Snapshot, broadcast::Receiver<Arc<Change>>) {
        let inner = self.lock();
        let rx = self.tx.subscribe();
        let items = inner
            .objects
            .get(&kind)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        (
            Snapshot {
                rv: inner.rv,
                items,
            },
            rx,
        )
    }

    /// Save the objects and versions as they are now, for [`Store::restore`].
    pub fn checkpoint(&self) {
        let now = self.lock().clone();
        *self.checkpoint.lock().unwrap_or_else(|e| e.into_inner()) = Some(now);
    }

    /// Go back to the checkpoint, as after an etcd restore: objects created since are gone,
    /// those deleted are back, and the resourceVersion goes backwards (watches from a later
    /// version get "Too large resource version", from an earlier one 410). `false` without a
    /// checkpoint.
    pub fn restore(&self) -> bool {
        let Some(mut saved) = self
            .checkpoint
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        else {
            return false;
        };
        saved.history.clear();
        saved.oldest_rv = saved.rv;
        *self.lock() = saved;
        true
    }

    /// Forget history up to now: every watch from an older resourceVersion gets 410.
    pub fn compact(&self) {
        let mut inner = self.lock();
        inner.history.clear();
        inner.oldest_rv = inner.rv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "ns"}})
    }

    #[test]
    fn versions_grow_and_history_replays() {
        let s = Store::new(100);
        let a = s.put(Kind::Pod, pod("a"));
        let rv_a: u64 = a["metadata"]["resourceVersion"]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        s.put(Kind::Pod, pod("b"));
        s.put(Kind::Node, json!({"metadata": {"name": "n"}}));
        s.remove(Kind::Pod, &("ns".into(), "a".into()));
        let changes = s
            .watch_from(Kind::Pod, rv_a)
            .map(|(c, _)| c)
            .unwrap_or_default();
        let kinds: Vec<_> = changes.iter().map(|c| c.change).collect();
        assert_eq!(kinds, vec![ChangeType::Added, ChangeType::Deleted]);
        assert_eq!(s.count(Kind::Pod), 1);
    }

    #[test]
    fn a_restore_goes_back_in_objects_and_versions() {
        let s = Store::new(100);
        s.put(Kind::Pod, pod("kept"));
        s.put(Kind::Pod, pod("deleted-later"));
        s.checkpoint();
        let at_checkpoint = s.resource_version();
        s.put(Kind::Pod, pod("created-later"));
        s.remove(Kind::Pod, &("ns".into(), "deleted-later".into()));
        let client_saw = s.resource_version();
        assert!(s.restore());
        assert_eq!(s.resource_version(), at_checkpoint);
        let names: Vec<String> = s
            .snapshot(Kind::Pod)
            .items
            .iter()
            .map(|p| key_of(p).1)
            .collect();
        assert_eq!(names, ["deleted-later", "kept"]);
        // A client that had seen the later versions is told they do not exist here.
        assert!(matches!(
            s.watch_from(Kind::Pod, client_saw),
            Err(Unresumable::TooLarge { current }) if current == at_checkpoint
        ));
        assert!(s.watch_from(Kind::Pod, at_checkpoint).is_ok());
    }

    #[test]
    fn compaction_makes_old_versions_gone() {
        let s = Store::new(2);
        for n in ["a", "b", "c", "d"] {
            s.put(Kind::Pod, pod(n));
        }
        assert!(matches!(
            s.watch_from(Kind::Pod, 1),
            Err(Unresumable::Expired { .. })
        ));
        assert!(s.watch_from(Kind::Pod, s.resource_version()).is_ok());
        s.compact();
        assert!(s.watch_from(Kind::Pod, s.resource_version() - 1).is_err());
    }

    #[test]
    fn pages_continue_after_key() {
        let s = Store::new(10);
        for n in ["a", "b", "c"] {
            s.put(Kind::Pod, pod(n));
        }
        let mut names = Vec::new();
        s.scan_after(Kind::Pod, Some(&("ns".into(), "a".into())), |k, _| {
            names.push(k.1.clone());
            true
        });
        assert_eq!(names, ["b", "c"]);
    }
}
