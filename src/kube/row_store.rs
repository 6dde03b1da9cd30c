//! A store of rows derived from watched objects as they arrive, keeping the rows and not the
//! objects. For resources the UI only lists (events: often tens of thousands), a typed object
//! costs several times its row; the row is all the views need, and YAML fetches the object.
//!
//! A reader that follows the store (the pods table under a storm of changes) reads only what
//! changed since it last looked, from the store's feed, instead of every row each frame.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};

use kube::Resource;
use kube::runtime::watcher;

use super::row_cache::Change;

/// Changes kept for a follower that has not read them yet; one further behind reads every row
/// again (the rows of the changes are held until read: a bound on what that costs).
const FEED_CAP: usize = 4096;

/// The rows, readable from the UI task while the informer task writes them.
#[derive(Debug)]
pub struct RowStore<R> {
    inner: Arc<RwLock<Rows<R>>>,
}

#[derive(Debug)]
struct Rows<R> {
    map: HashMap<String, Arc<R>>,
    feed: Feed<R>,
}

impl<R> Default for Rows<R> {
    fn default() -> Self {
        Self {
            map: HashMap::new(),
            feed: Feed::default(),
        }
    }
}

/// The store's changes in order, kept only once someone follows them.
#[derive(Debug)]
struct Feed<R> {
    followed: bool,
    /// Bumped when the rows are replaced whole (a relist): followers read every row again.
    epoch: u64,
    /// The number of the first change kept.
    first: u64,
    changes: VecDeque<Change<R>>,
}

impl<R> Default for Feed<R> {
    fn default() -> Self {
        Self {
            followed: false,
            epoch: 0,
            first: 0,
            changes: VecDeque::new(),
        }
    }
}

impl<R> Feed<R> {
    fn push(&mut self, change: Change<R>) {
        if !self.followed {
            return;
        }
        if self.changes.len() == FEED_CAP {
            self.changes.pop_front();
            self.first += 1;
        }
        self.changes.push_back(change);
    }

    fn replaced(&mut self) {
        self.epoch += 1;
        self.first += self.changes.len() as u64;
        self.changes.clear();
    }

    fn end(&self) -> u64 {
        self.first + self.changes.len() as u64
    }
}

/// Where a follower got to in a store's feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor(Option<(u64, u64)>);

/// What a follower reads: every row (its first read, after a relist, or too far behind), or
/// the changes since its last read, in order.
#[derive(Debug)]
pub enum Since<R> {
    All(Vec<Arc<R>>),
    Changes(Vec<Change<R>>),
}

impl<R> Clone for RowStore<R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<R> Default for RowStore<R> {
    fn default() -> Self {
        Self {
            inner: Arc::default(),
        }
    }
}

impl<R> RowStore<R> {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Rows<R>> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Rows<R>> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Every row, in no particular order.
    pub fn rows(&self) -> Vec<Arc<R>> {
        self.read().map.values().cloned().collect()
    }

    /// The row of `namespace/name` (`/name` for a cluster-scoped object).
    pub fn get(&self, namespace: &str, name: &str) -> Option<Arc<R>> {
        self.read().map.get(&format!("{namespace}/{name}")).cloned()
    }

    pub fn len(&self) -> usize {
        self.read().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What changed since `cursor` (moved to now): the changes when the feed still holds them
    /// all, else every row.
    pub fn since(&self, cursor: &mut Cursor) -> Since<R> {
        if let Some((epoch, next)) = cursor.0 {
            let rows = self.read();
            let feed = &rows.feed;
            if feed.followed && epoch == feed.epoch && (feed.first..=feed.end()).contains(&next) {
                let skip = usize::try_from(next - feed.first).unwrap_or(usize::MAX);
                let changes = feed.changes.iter().skip(skip).cloned().collect();
                *cursor = Cursor(Some((feed.epoch, feed.end())));
                return Since::Changes(changes);
            }
        }
        Since::All(self.all_since(cursor))
    }

    /// Every row, and `cursor` moved to now (one snapshot: a change after it is in the feed).
    pub fn all_since(&self, cursor: &mut Cursor) -> Vec<Arc<R>> {
        let mut rows = self.write();
        rows.feed.followed = true;
        *cursor = Cursor(Some((rows.feed.epoch, rows.feed.end())));
        rows.map.values().cloned().collect()
    }
}

/// What changed between two snapshots of a store's rows, by key and row identity (a row is
/// replaced, never changed in place): for aggregates kept by delta, like per-node requests.
/// Each row is found by its own key (hashed, compared in the row): no copy of the key is kept,
/// at 100,000 pods a string and a map slot each.
#[derive(Debug)]
pub struct RowDiff<R> {
    rows: hashbrown::HashTable<(Arc<R>, u64)>,
    hasher: foldhash::fast::RandomState,
    generation: u64,
}

impl<R> Default for RowDiff<R> {
    fn default() -> Self {
        Self {
            rows: hashbrown::HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
            generation: 0,
        }
    }
}

impl<R> RowDiff<R> {
    fn hash(&self, key: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, key)
    }

    /// `(old, new)` for each row added (`None`, new), replaced (old, new) or gone (old, `None`)
    /// since the last call.
    pub fn changes(
        &mut self,
        rows: &[Arc<R>],
        key: impl Fn(&R) -> &str,
    ) -> Vec<super::row_cache::Change<R>> {
        self.generation = self.generation.wrapping_add(1);
        let generation = self.generation;
        let mut changes = Vec::new();
        let mut seen = 0;
        for row in rows {
            let k = key(row);
            let hash = self.hash(k);
            match self.rows.find_mut(hash, |(r, _)| key(r) == k) {
                Some((old, at)) => {
                    seen += usize::from(*at != generation);
                    *at = generation;
                    if !Arc::ptr_eq(old, row) {
                        let old = std::mem::replace(old, row.clone());
                        changes.push((Some(old), Some(row.clone())));
                    }
                }
                None => {
                    seen += 1;
                    let hasher = &self.hasher;
                    self.rows
                        .insert_unique(hash, (row.clone(), generation), |(r, _)| {
                            std::hash::BuildHasher::hash_one(hasher, key(r))
                        });
                    changes.push((None, Some(row.clone())));
                }
            }
        }
        if self.rows.len() > seen {
            self.rows.retain(|(old, at)| {
                let keep = *at == generation;
                if !keep {
                    changes.push((Some(old.clone()), None));
                }
                keep
            });
        }
        changes
    }

    /// The row of `key` as last seen (`key_of` gives a row's key).
    pub fn get(&self, key: &str, key_of: impl Fn(&R) -> &str) -> Option<&Arc<R>> {
        self.rows
            .find(self.hash(key), |(r, _)| key_of(r) == key)
            .map(|(row, _)| row)
    }

    /// Take `changes` (read from a store's feed) as if seen by [`RowDiff::changes`], so a later
    /// full diff compares with the rows as they are now.
    pub fn follow(&mut self, changes: &[Change<R>], key: impl Fn(&R) -> &str) {
        for (old, new) in changes {
            if let Some(o) = old {
                let k = key(o);
                if let Ok(entry) = self.rows.find_entry(self.hash(k), |(r, _)| key(r) == k) {
                    entry.remove();
                }
            }
            if let Some(n) = new {
                let k = key(n);
                let hash = self.hash(k);
                let generation = self.generation;
                match self.rows.find_mut(hash, |(r, _)| key(r) == k) {
                    Some(slot) => *slot = (n.clone(), generation),
                    None => {
                        let hasher = &self.hasher;
                        self.rows
                            .insert_unique(hash, (n.clone(), generation), |(r, _)| {
                                std::hash::BuildHasher::hash_one(hasher, key(r))
                            });
                    }
                }
            }
        }
    }
}

/// Told of a row's change: before and after (`None`: not there).
pub type Observer<R> = Box<dyn FnMut(Option<&R>, Option<&R>) + Send + Sync>;

/// Applies watch events to a [`RowStore`], deriving each object's row once, on arrival.
pub struct RowWriter<K, R> {
    store: RowStore<R>,
    derive: Box<dyn Fn(&K) -> R + Send + Sync>,
    /// Rows of a relist in progress; they replace the store's when it is complete, so a
    /// relist never shows a half-empty store (as kube's reflector does).
    relist: Option<HashMap<String, Arc<R>>>,
    /// Told of every change once a first list is complete (the objects of the first list were
    /// there before anyone looked: they are not changes): the timeline, the flight recorder.
    observers: Vec<Observer<R>>,
    /// Told of every complete list, the first too (the flight recorder keeps what was there).
    lister: Option<Lister<R>>,
    listed: bool,
}

/// Told of each complete list: every row.
pub type Lister<R> = Box<dyn FnMut(Vec<Arc<R>>) + Send + Sync>;

impl<K: Resource, R> RowWriter<K, R> {
    pub fn new(derive: impl Fn(&K) -> R + Send + Sync + 'static) -> Self {
        Self {
            store: RowStore::default(),
            derive: Box::new(derive),
            relist: None,
            observers: Vec::new(),
            lister: None,
            listed: false,
        }
    }

    /// Tell `lister` of each complete list (the first too).
    pub fn on_list(mut self, lister: impl FnMut(Vec<Arc<R>>) + Send + Sync + 'static) -> Self {
        self.lister = Some(Box::new(lister));
        self
    }

    /// Tell `observer` of each change too (after those already told).
    pub fn observe(
        mut self,
        observer: impl FnMut(Option<&R>, Option<&R>) + Send + Sync + 'static,
    ) -> Self {
        self.observers.push(Box::new(observer));
        self
    }

    fn told(&mut self, old: Option<&R>, new: Option<&R>) {
        if self.listed {
            for o in &mut self.observers {
                o(old, new);
            }
        }
    }

    pub fn as_reader(&self) -> RowStore<R> {
        self.store.clone()
    }

    fn key(obj: &K) -> String {
        let meta = obj.meta();
        format!(
            "{}/{}",
            meta.namespace.as_deref().unwrap_or_default(),
            meta.name.as_deref().unwrap_or_default()
        )
    }

    pub fn apply(&mut self, event: &watcher::Event<K>) {
        match event {
            watcher::Event::Init => self.relist = Some(HashMap::new()),
            watcher::Event::InitApply(obj) => {
                let row = Arc::new((self.derive)(obj));
                self.relist
                    .get_or_insert_with(HashMap::new)
                    .insert(Self::key(obj), row);
            }
            watcher::Event::InitDone => {
                let rows = self.relist.take().unwrap_or_default();
                let listed: Option<Vec<Arc<R>>> = self
                    .lister
                    .is_some()
                    .then(|| rows.values().cloned().collect());
                let old = {
                    let mut store = self.store.write();
                    store.feed.replaced();
                    std::mem::replace(&mut store.map, rows)
                };
                // A relist (after a 410, or a watch that could not resume): what changed
                // meanwhile is told as if watched.
                if self.listed && !self.observers.is_empty() {
                    let store = self.store.clone();
                    let rows = &store.read().map;
                    for (key, row) in rows {
                        self.told(old.get(key).map(Arc::as_ref), Some(row));
                    }
                    for (key, row) in &old {
                        if !rows.contains_key(key) {
                            self.told(Some(row), None);
                        }
                    }
                }
                if let Some((l, rows)) = self.lister.as_mut().zip(listed) {
                    l(rows);
                }
                self.listed = true;
            }
            watcher::Event::Apply(obj) => {
                let row = Arc::new((self.derive)(obj));
                let old = {
                    let mut store = self.store.write();
                    let old = store.map.insert(Self::key(obj), row.clone());
                    store.feed.push((old.clone(), Some(row.clone())));
                    old
                };
                self.told(old.as_deref(), Some(&row));
            }
            watcher::Event::Delete(obj) => {
                let old = {
                    let mut store = self.store.write();
                    let old = store.map.remove(&Self::key(obj));
                    if let Some(o) = &old {
                        store.feed.push((Some(o.clone()), None));
                    }
                    old
                };
                if let Some(old) = old {
                    self.told(Some(&old), None);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Event;

    fn event(name: &str, reason: &str) -> Event {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": "demo"}, "involvedObject": {}, "reason": reason
        }))
        .unwrap_or_default()
    }

    fn reason(e: &Event) -> String {
        e.reason.clone().unwrap_or_default()
    }

    fn reasons(store: &RowStore<String>) -> Vec<String> {
        let mut r: Vec<String> = store.rows().iter().map(|r| r.to_string()).collect();
        r.sort();
        r
    }

    #[test]
    fn diff_names_what_was_added_replaced_and_removed() {
        // A row: its key and a version (rows are compared by identity, not content).
        type Row = (&'static str, u8);
        let (a, b, b2) = (Arc::new(("a", 1)), Arc::new(("b", 1)), Arc::new(("b", 1)));
        fn key(r: &Row) -> &str {
            r.0
        }
        let mut diff = RowDiff::default();
        let c = diff.changes(&[a.clone(), b.clone()], key);
        assert!(c.len() == 2 && c.iter().all(|(o, n)| o.is_none() && n.is_some()));
        assert!(
            diff.changes(&[a.clone(), b.clone()], key).is_empty(),
            "same rows"
        );
        // A new row for the same key (the object changed) is a replacement.
        let c = diff.changes(&[a.clone(), b2.clone()], key);
        assert_eq!(c.len(), 1);
        assert!(c[0].0.as_ref().is_some_and(|o| Arc::ptr_eq(o, &b)));
        assert!(c[0].1.as_ref().is_some_and(|n| Arc::ptr_eq(n, &b2)));
        let c = diff.changes(std::slice::from_ref(&b2), key);
        assert!(c.len() == 1 && c[0].1.is_none(), "a went away");
        let c = diff.changes(&[], key);
        assert!(c.len() == 1 && c[0].1.is_none(), "b went away");
    }

    #[test]
    fn a_diff_that_followed_changes_compares_with_the_rows_after_them() {
        type Row = (String, u8);
        fn key(r: &Row) -> &str {
            &r.0
        }
        let row = |k: &str, v: u8| Arc::new((k.to_string(), v));
        let (a, b, b2, c) = (row("a", 1), row("b", 1), row("b", 2), row("c", 1));
        let mut diff = RowDiff::default();
        // Many rows: the table grows and rehashes under the rows' own keys.
        let many: Vec<_> = (0..500).map(|i| row(&format!("p{i}"), 0)).collect();
        assert_eq!(diff.changes(&many, key).len(), 500);
        diff.changes(&[a.clone(), b.clone()], key);
        // Told: b replaced by b2, a deleted, c added (as a store's feed says).
        diff.follow(
            &[
                (Some(b.clone()), Some(b2.clone())),
                (Some(a.clone()), None),
                (None, Some(c.clone())),
            ],
            key,
        );
        assert!(diff.get("b", key).is_some_and(|r| Arc::ptr_eq(r, &b2)));
        assert!(diff.get("a", key).is_none());
        assert!(diff.get("c", key).is_some_and(|r| Arc::ptr_eq(r, &c)));
        // The rows as they are now: nothing new to say.
        assert!(diff.changes(&[b2.clone(), c.clone()], key).is_empty());
        // A key never seen, and one dropped, are not found.
        assert!(diff.get("p7", key).is_none() && diff.get("zz", key).is_none());
    }

    #[test]
    fn a_follower_reads_every_row_then_the_changes_in_order() {
        let mut w = RowWriter::new(reason);
        let store = w.as_reader();
        w.apply(&watcher::Event::Init);
        w.apply(&watcher::Event::InitApply(event("a", "Pulled")));
        w.apply(&watcher::Event::InitDone);
        // Nobody follows yet: nothing is kept.
        w.apply(&watcher::Event::Apply(event("a", "Started")));
        let mut at = Cursor::default();
        assert!(matches!(store.since(&mut at), Since::All(rows) if rows.len() == 1));
        assert!(matches!(store.since(&mut at), Since::Changes(c) if c.is_empty()));
        w.apply(&watcher::Event::Apply(event("a", "Killing")));
        w.apply(&watcher::Event::Apply(event("b", "Pulled")));
        w.apply(&watcher::Event::Delete(event("a", "Killing")));
        let Since::Changes(c) = store.since(&mut at) else {
            panic!("the changes are kept")
        };
        let said = |r: &Option<Arc<String>>| r.as_deref().cloned();
        let c: Vec<_> = c.iter().map(|(o, n)| (said(o), said(n))).collect();
        assert_eq!(
            c,
            [
                (Some("Started".into()), Some("Killing".into())),
                (None, Some("Pulled".into())),
                (Some("Killing".into()), None),
            ]
        );
        // A relist replaces the rows whole: every row is read again.
        w.apply(&watcher::Event::Init);
        w.apply(&watcher::Event::InitApply(event("c", "Pulled")));
        w.apply(&watcher::Event::InitDone);
        assert!(matches!(store.since(&mut at), Since::All(rows) if rows.len() == 1));
        // A follower further behind than the feed keeps reads every row.
        for i in 0..=FEED_CAP {
            w.apply(&watcher::Event::Apply(event("c", &i.to_string())));
        }
        assert!(matches!(store.since(&mut at), Since::All(_)));
        assert!(matches!(store.since(&mut at), Since::Changes(c) if c.is_empty()));
    }

    #[test]
    fn rows_follow_applies_deletes_and_relists() {
        let mut w = RowWriter::new(reason);
        let store = w.as_reader();
        w.apply(&watcher::Event::Init);
        w.apply(&watcher::Event::InitApply(event("a", "Pulled")));
        w.apply(&watcher::Event::InitApply(event("b", "BackOff")));
        assert!(
            store.is_empty(),
            "nothing shows before the list is complete"
        );
        w.apply(&watcher::Event::InitDone);
        assert_eq!(reasons(&store), ["BackOff", "Pulled"]);
        // An update replaces the row; a delete removes it.
        w.apply(&watcher::Event::Apply(event("a", "Created")));
        w.apply(&watcher::Event::Delete(event("b", "BackOff")));
        assert_eq!(reasons(&store), ["Created"]);
        // A relist (after a 410) keeps the old rows until it is complete, then replaces them.
        w.apply(&watcher::Event::Init);
        w.apply(&watcher::Event::InitApply(event("c", "Killing")));
        assert_eq!(reasons(&store), ["Created"]);
        w.apply(&watcher::Event::InitDone);
        assert_eq!(reasons(&store), ["Killing"]);
        assert_eq!(store.len(), 1);
        assert_eq!(
            store.get("demo", "c").as_deref().map(String::as_str),
            Some("Killing")
        );
        assert!(store.get("demo", "a").is_none());
    }

    /// The lister (the flight recorder) is told of a list once the store holds it, so the
    /// screen never waits for it; a relist tells the observers what changed meanwhile.
    #[test]
    fn a_list_is_in_the_store_before_the_lister_hears_and_a_relist_tells_what_changed() {
        use std::sync::Mutex;
        /// Each list heard: how many rows the store held then, and the list's rows.
        type Heard = Vec<(usize, Vec<String>)>;
        type Told = Vec<(Option<String>, Option<String>)>;
        let heard: Arc<Mutex<Heard>> = Arc::default();
        let told: Arc<Mutex<Told>> = Arc::default();
        let w = RowWriter::new(reason);
        let store = w.as_reader();
        let (h, seen) = (heard.clone(), store.clone());
        let t = told.clone();
        let mut w = w
            .on_list(move |rows| {
                let mut r: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
                r.sort();
                h.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((seen.len(), r));
            })
            .observe(move |old, new| {
                t.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((old.cloned(), new.cloned()));
            });
        w.apply(&watcher::Event::Init);
        w.apply(&watcher::Event::InitApply(event("a", "Pulled")));
        w.apply(&watcher::Event::InitApply(event("b", "BackOff")));
        w.apply(&watcher::Event::InitDone);
        w.apply(&watcher::Event::Init);
        w.apply(&watcher::Event::InitApply(event("a", "Created")));
        w.apply(&watcher::Event::InitApply(event("c", "Killing")));
        w.apply(&watcher::Event::InitDone);
        let heard = heard.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(
            heard,
            [
                (2, vec!["BackOff".to_string(), "Pulled".into()]),
                (2, vec!["Created".to_string(), "Killing".into()])
            ]
        );
        // The first list is not a change; the relist's are, and the row gone is told gone.
        let mut told = told.lock().unwrap_or_else(|e| e.into_inner()).clone();
        told.sort();
        let s = |t: &str| Some(t.to_string());
        assert_eq!(
            told,
            [
                (None, s("Killing")),
                (s("BackOff"), None),
                (s("Pulled"), s("Created"))
            ]
        );
    }
}
