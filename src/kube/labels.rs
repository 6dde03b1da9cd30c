//! A pod's labels, held compactly: one allocation for the pairs, sorted by key, where a
//! `BTreeMap<String, String>` allocates a whole tree node (over 500 bytes) for even one label.
//! At 100,000 pods that node was about a third of every pod row's memory.

use std::collections::BTreeMap;

/// Labels sorted by key (keys are unique, as in an object's `metadata.labels`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Labels(Box<[(Box<str>, Box<str>)]>);

impl Labels {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| self.0[i].1.as_ref())
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The pairs in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As the API writes them (describe, YAML).
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

impl From<&BTreeMap<String, String>> for Labels {
    fn from(map: &BTreeMap<String, String>) -> Self {
        // A BTreeMap iterates in key order: already sorted and unique.
        Self(
            map.iter()
                .map(|(k, v)| (k.as_str().into(), v.as_str().into()))
                .collect(),
        )
    }
}

impl From<BTreeMap<String, String>> for Labels {
    fn from(map: BTreeMap<String, String>) -> Self {
        Self::from(&map)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Labels {
    /// Pairs in any order; a repeated key keeps its last value, as a map's insert would.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let map: BTreeMap<String, String> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self::from(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_found_by_its_key_whatever_the_order_given() {
        let labels: Labels = [("tier", "web"), ("app", "shop"), ("z", ""), ("b", "2")]
            .into_iter()
            .collect();
        assert_eq!(labels.get("app"), Some("shop"));
        assert_eq!(labels.get("tier"), Some("web"));
        assert_eq!(labels.get("z"), Some(""));
        assert_eq!(labels.get("b"), Some("2"));
        assert_eq!(labels.get("a"), None);
        assert_eq!(labels.get("zz"), None);
        assert!(labels.contains_key("b") && !labels.contains_key("c"));
        assert_eq!(
            labels.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["app", "b", "tier", "z"]
        );
        assert_eq!(labels.len(), 4);
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_and_the_map_round_trips() {
        let labels: Labels = [("app", "old"), ("app", "new")].into_iter().collect();
        assert_eq!(labels.len(), 1);
        assert_eq!(labels.get("app"), Some("new"));
        let map = BTreeMap::from([("a".to_string(), "1".to_string())]);
        assert_eq!(Labels::from(&map).to_map(), map);
        assert!(Labels::default().is_empty());
        assert_eq!(Labels::default().get(""), None);
    }
}
