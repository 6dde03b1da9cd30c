//! A list page decoded in one pass that tells its `metadata` (the continue token) as soon as it
//! is read, before the items: the informers ask for the next page then, so the server makes it
//! while this one's items decode (an apiserver writes `metadata` before `items`). A server that
//! writes them the other way round is told after the items: the pages are then asked for one
//! after the other, as before.

use std::fmt;
use std::marker::PhantomData;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta;
use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// One page of a list.
#[derive(Debug)]
pub struct Page<K> {
    pub metadata: ListMeta,
    pub items: Vec<K>,
}

/// The token of the page after the one `meta` heads; `None` on the last.
pub fn continue_token(meta: &ListMeta) -> Option<&str> {
    meta.continue_.as_deref().filter(|c| !c.is_empty())
}

/// Decode a list page's JSON, calling `on_meta` with its metadata once it is read.
pub fn decode<K: DeserializeOwned>(
    body: &[u8],
    on_meta: impl FnOnce(&ListMeta),
) -> serde_json::Result<Page<K>> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let page = PageSeed {
        on_meta: Some(on_meta),
        items: PhantomData,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(page)
}

struct PageSeed<K, F> {
    on_meta: Option<F>,
    items: PhantomData<K>,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Field {
    Metadata,
    Items,
    #[serde(other)]
    Other,
}

impl<'de, K: Deserialize<'de>, F: FnOnce(&ListMeta)> DeserializeSeed<'de> for PageSeed<K, F> {
    type Value = Page<K>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Page<K>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, K: Deserialize<'de>, F: FnOnce(&ListMeta)> Visitor<'de> for PageSeed<K, F> {
    type Value = Page<K>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list (metadata and items)")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Page<K>, A::Error> {
        let mut metadata = None;
        let mut items = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Metadata => {
                    let meta: ListMeta = map.next_value()?;
                    if let Some(told) = self.on_meta.take() {
                        told(&meta);
                    }
                    metadata = Some(meta);
                }
                // `null` items: an empty page, as kube's own ObjectList reads it.
                Field::Items => items = map.next_value::<Option<Vec<K>>>()?,
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let metadata = metadata.unwrap_or_default();
        if let Some(told) = self.on_meta.take() {
            told(&metadata);
        }
        Ok(Page {
            metadata,
            items: items.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// Whether the page's metadata has been told (read by [`Probe`] as it decodes).
        static TOLD: Cell<bool> = const { Cell::new(false) };
    }

    /// An item that records whether the metadata was told before it was decoded.
    #[derive(Debug)]
    struct Probe(bool);

    impl<'de> Deserialize<'de> for Probe {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            IgnoredAny::deserialize(d)?;
            Ok(Probe(TOLD.get()))
        }
    }

    fn decode_probes(body: &str) -> (Page<Probe>, Option<String>) {
        TOLD.set(false);
        let mut token = None;
        let page = decode::<Probe>(body.as_bytes(), |m| {
            TOLD.set(true);
            token = continue_token(m).map(str::to_string);
        })
        .unwrap();
        (page, token)
    }

    #[test]
    fn the_continue_token_is_told_before_the_items_decode() {
        // A real apiserver's first page (`limit=2`) of the 1.36 cluster's pods.
        let body = include_str!("../../tests/fixtures/real-cluster/wire-list-pods-limit2.json");
        let (page, token) = decode_probes(body);
        assert!(token.is_some_and(|t| !t.is_empty()));
        assert!(!page.items.is_empty());
        assert!(
            page.items.iter().all(|p| p.0),
            "an item decoded before the token was told"
        );
    }

    #[test]
    fn metadata_after_the_items_is_told_once_they_are_read() {
        let (page, token) = decode_probes(
            r#"{"items": [{}, {}], "metadata": {"resourceVersion": "7", "continue": "abc"}, "kind": "PodList"}"#,
        );
        assert_eq!(token.as_deref(), Some("abc"));
        assert_eq!(page.items.len(), 2);
        assert!(page.items.iter().all(|p| !p.0));
        assert_eq!(page.metadata.resource_version.as_deref(), Some("7"));
    }

    #[test]
    fn a_last_page_has_no_token_and_null_items_are_none() {
        let (page, token) =
            decode_probes(r#"{"kind": "PodList", "metadata": {"continue": ""}, "items": null}"#);
        assert_eq!(token, None);
        assert!(page.items.is_empty());
        let (_, token) = decode_probes(r#"{"kind": "PodList", "items": []}"#);
        assert_eq!(token, None);
    }

    #[test]
    fn a_body_that_is_not_a_list_is_an_error() {
        assert!(decode::<Probe>(b"[1, 2]", |_| {}).is_err());
        assert!(decode::<Probe>(br#"{"items": []} trailing"#, |_| {}).is_err());
    }
}
