//! Rows kept between store changes: an object is re-derived only when its resourceVersion
//! changed, so a change to one pod among 10,000 costs one derivation, not 10,000.

use std::collections::HashMap;
use std::sync::Arc;

use kube::Resource;

/// A row before and after a refresh.
pub type Change<R> = (Option<Arc<R>>, Option<Arc<R>>);

#[derive(Debug)]
pub struct RowCache<R> {
    rows: HashMap<String, (String, Arc<R>)>,
}

impl<R> Default for RowCache<R> {
    fn default() -> Self {
        Self {
            rows: HashMap::new(),
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
        let mut next = HashMap::with_capacity(objects.len());
        let mut out = Vec::with_capacity(objects.len());
        for obj in objects {
            let meta = obj.meta();
            let uid = meta.uid.clone().unwrap_or_else(|| {
                format!(
                    "{}/{}",
                    meta.namespace.as_deref().unwrap_or_default(),
                    meta.name.as_deref().unwrap_or_default()
                )
            });
            let rv = meta.resource_version.clone().unwrap_or_default();
            let row = match self.rows.remove(&uid) {
                Some((old_rv, row)) if old_rv == rv && !rv.is_empty() => row,
                old => {
                    let new = Arc::new(derive(obj));
                    changes.push((old.map(|(_, r)| r), Some(new.clone())));
                    new
                }
            };
            out.push(row.clone());
            next.insert(uid, (rv, row));
        }
        // What is left was not in `objects`: gone.
        changes.extend(self.rows.drain().map(|(_, (_, r))| (Some(r), None)));
        self.rows = next;
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
    }
}
