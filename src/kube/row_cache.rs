//! Rows kept between store changes: an object is re-derived only when its resourceVersion
//! changed, so a change to one pod among 10,000 costs one derivation, not 10,000.

use std::sync::Arc;

use foldhash::HashMap;

use kube::Resource;

/// A row before and after a refresh.
pub type Change<R> = (Option<Arc<R>>, Option<Arc<R>>);

/// One object's row, with the resourceVersion it was derived from and the refresh that last
/// saw the object.
#[derive(Debug)]
struct Entry<R> {
    rv: String,
    row: Arc<R>,
    seen: u64,
}

/// The map is kept between refreshes and looked up by borrowed keys, so a refresh of 10,000
/// unchanged objects allocates nothing but the output.
#[derive(Debug)]
pub struct RowCache<R> {
    rows: HashMap<String, Entry<R>>,
    generation: u64,
}

impl<R> Default for RowCache<R> {
    fn default() -> Self {
        Self {
            rows: HashMap::default(),
            generation: 0,
        }
    }
}

impl<R> RowCache<R> {
    /// Rows for exactly `objects`, reusing unchanged ones; forgets objects that are gone.
    pub fn refresh<K: Resource>(
        &mut self,
        objects: &[Arc<K>],
        derive: impl Fn(&K) -> R,
    ) -> Vec<Arc<R>> {
        self.refresh_changes(objects, derive).0
    }

    /// Like `refresh`, also returning what changed: `(old, new)` for each row added (`None`,
    /// new), re-derived (old, new) or gone (old, `None`), for aggregates kept by delta.
    pub fn refresh_changes<K: Resource>(
        &mut self,
        objects: &[Arc<K>],
        derive: impl Fn(&K) -> R,
    ) -> (Vec<Arc<R>>, Vec<Change<R>>) {
        let mut changes = Vec::new();
        let mut out = Vec::with_capacity(objects.len());
        self.generation = self.generation.wrapping_add(1);
        let generation = self.generation;
        // Distinct entries seen this time: when fewer than the map holds, some went away.
        let mut seen = 0;
        for obj in objects {
            let meta = obj.meta();
            let rv = meta.resource_version.as_deref().unwrap_or_default();
            let no_uid;
            let uid = match meta.uid.as_deref() {
                Some(uid) => uid,
                None => {
                    no_uid = format!(
                        "{}/{}",
                        meta.namespace.as_deref().unwrap_or_default(),
                        meta.name.as_deref().unwrap_or_default()
                    );
                    &no_uid
                }
            };
            match self.rows.get_mut(uid) {
                Some(e) if e.rv == rv && !rv.is_empty() => {
                    seen += usize::from(e.seen != generation);
                    e.seen = generation;
                    out.push(e.row.clone());
                }
                Some(e) => {
                    seen += usize::from(e.seen != generation);
                    let new = Arc::new(derive(obj));
                    let old = std::mem::replace(&mut e.row, new.clone());
                    changes.push((Some(old), Some(new.clone())));
                    e.rv = rv.to_string();
                    e.seen = generation;
                    out.push(new);
                }
                None => {
                    let new = Arc::new(derive(obj));
                    changes.push((None, Some(new.clone())));
                    let entry = Entry {
                        rv: rv.to_string(),
                        row: new.clone(),
                        seen: generation,
                    };
                    self.rows.insert(uid.to_string(), entry);
                    seen += 1;
                    out.push(new);
                }
            }
        }
        // What was not seen this time is gone.
        if self.rows.len() > seen {
            self.rows.retain(|_, e| {
                let keep = e.seen == generation;
                if !keep {
                    changes.push((Some(e.row.clone()), None));
                }
                keep
            });
        }
        (out, changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    fn pod(uid: &str, rv: &str) -> Arc<Pod> {
        Arc::new(
            serde_json::from_value(serde_json::json!({
                "metadata": {"name": uid, "uid": uid, "resourceVersion": rv}
            }))
            .unwrap_or_default(),
        )
    }

    #[test]
    fn unchanged_objects_are_not_derived_again() {
        let mut cache = RowCache::default();
        let calls = std::cell::Cell::new(0);
        let derive = |p: &Pod| {
            calls.set(calls.get() + 1);
            p.metadata.name.clone().unwrap_or_default()
        };
        cache.refresh(&[pod("a", "1"), pod("b", "1")], derive);
        assert_eq!(calls.get(), 2);
        let rows = cache.refresh(&[pod("a", "1"), pod("b", "2")], derive);
        assert_eq!(calls.get(), 3, "only b changed");
        assert_eq!(rows.len(), 2);
        cache.refresh(&[pod("a", "1")], derive);
        assert_eq!(calls.get(), 3);
        cache.refresh(&[pod("a", "1"), pod("b", "2")], derive);
        assert_eq!(calls.get(), 4, "b was forgotten when it went away");
    }

    #[test]
    fn changes_name_what_was_added_changed_and_removed() {
        let mut cache = RowCache::default();
        let derive = |p: &Pod| p.metadata.resource_version.clone().unwrap_or_default();
        let (_, c) = cache.refresh_changes(&[pod("a", "1"), pod("b", "1")], derive);
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|(old, new)| old.is_none() && new.is_some()));
        let (_, c) = cache.refresh_changes(&[pod("a", "1"), pod("b", "2")], derive);
        assert_eq!(c.len(), 1, "only b");
        assert_eq!(c[0].0.as_deref().map(String::as_str), Some("1"));
        assert_eq!(c[0].1.as_deref().map(String::as_str), Some("2"));
        let (_, c) = cache.refresh_changes(&[pod("b", "2")], derive);
        assert_eq!(c.len(), 1);
        assert!(c[0].0.is_some() && c[0].1.is_none(), "a went away");
        // Nothing changed: nothing reported, the same rows handed out.
        let (rows, c) = cache.refresh_changes(&[pod("b", "2")], derive);
        assert!(c.is_empty());
        let (again, _) = cache.refresh_changes(&[pod("b", "2")], derive);
        assert!(Arc::ptr_eq(&rows[0], &again[0]));
        // Everything gone at once.
        let (rows, c) = cache.refresh_changes(&[], derive);
        assert!(rows.is_empty());
        assert!(c.len() == 1 && c[0].1.is_none(), "b went away");
        let (_, c) = cache.refresh_changes(&[pod("a", "1")], derive);
        assert!(c.len() == 1 && c[0].0.is_none(), "a is new again");
    }
}
