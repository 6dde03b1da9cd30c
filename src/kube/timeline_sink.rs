//! The nodes' informer sink that tells the timeline what changed of each node (see
//! `timeline`): a node's object is large, so only its facts are kept here, to compare.

use jiff::Timestamp;

use super::timeline::{NodeFacts, Record, node_changes};

/// The nodes' sink, telling the timeline what changed of each node (from their facts, kept
/// here: a node's object is large, its facts are not) before the store takes the event.
pub struct NodeSink<S> {
    inner: S,
    facts: std::collections::HashMap<String, NodeFacts>,
    relist: Option<std::collections::HashMap<String, NodeFacts>>,
    listed: bool,
    tx: super::informer::Updates,
    /// The flight recorder's, for nodes' recorded fields.
    record: Option<super::recorded::KindTap<NodeFacts>>,
}

impl<S> NodeSink<S> {
    pub fn new(inner: S, tx: super::informer::Updates) -> Self {
        Self {
            inner,
            facts: Default::default(),
            relist: None,
            listed: false,
            tx,
            record: None,
        }
    }

    /// Tell the flight recorder too.
    pub fn recorded(mut self, record: Option<super::recorded::KindTap<NodeFacts>>) -> Self {
        self.record = record;
        self
    }

    fn tell(&self, records: Vec<Record>) {
        if self.listed {
            self.tx
                .timeline(super::informer::ResourceKind::Nodes, records);
        }
    }
}

impl<S> super::informer::Sink<k8s_openapi::api::core::v1::Node> for NodeSink<S>
where
    S: super::informer::Sink<k8s_openapi::api::core::v1::Node>,
{
    fn apply(&mut self, event: &kube::runtime::watcher::Event<k8s_openapi::api::core::v1::Node>) {
        use kube::runtime::watcher::Event;
        let now = Timestamp::now();
        match event {
            Event::Init => self.relist = Some(Default::default()),
            Event::InitApply(n) => {
                let f = NodeFacts::of(n);
                self.relist
                    .get_or_insert_with(Default::default)
                    .insert(f.name.clone(), f);
            }
            Event::InitDone => {
                let new = self.relist.take().unwrap_or_default();
                if let Some(r) = &self.record {
                    r.listed(new.values().cloned().collect::<Vec<_>>());
                }
                let old = std::mem::replace(&mut self.facts, new);
                let mut records = Vec::new();
                for (name, f) in &self.facts {
                    records.extend(node_changes(old.get(name), Some(f), now));
                }
                for (name, f) in &old {
                    if !self.facts.contains_key(name) {
                        records.extend(node_changes(Some(f), None, now));
                    }
                }
                self.tell(records);
                self.listed = true;
            }
            Event::Apply(n) => {
                let f = NodeFacts::of(n);
                let old = self.facts.insert(f.name.clone(), f.clone());
                if let (Some(r), true) = (&self.record, self.listed) {
                    r.changed(old.as_ref(), Some(&f));
                }
                self.tell(node_changes(old.as_ref(), Some(&f), now));
            }
            Event::Delete(n) => {
                let name = n.metadata.name.clone().unwrap_or_default();
                if let Some(old) = self.facts.remove(&name) {
                    if let Some(r) = &self.record {
                        r.changed(Some(&old), None);
                    }
                    self.tell(node_changes(Some(&old), None, now));
                }
            }
        }
        self.inner.apply(event);
    }
}
