//! Rows kept between store changes: an object is re-derived only when its resourceVersion
//! changed, so a change to one pod among 10,000 costs one derivation, not 10,000.

use std::collections::HashMap;
use std::sync::Arc;

use kube::Resource;

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
                _ => Arc::new(derive(obj)),
            };
            out.push(row.clone());
            next.insert(uid, (rv, row));
        }
        self.rows = next;
        out
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
}
