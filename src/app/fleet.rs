//! The fleet: the clusters shown (the first first), what each one's informers and metrics
//! poller last said, and what the config says of contexts (production-like, sets, kinds
//! watched, each one's own namespace). Plain data; the status bar and the tables read it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::kube::agent::AgentPresence;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::informer::{InformerState, ResourceKind};

/// What one shown cluster's informers and metrics poller last said.
#[derive(Debug, Clone, Default)]
pub struct ClusterStatus {
    pub informers: BTreeMap<ResourceKind, InformerState>,
    /// Kinds whose rows are last-known, not live: since when (the moment they stopped being
    /// live). A kind never live has no rows to mark.
    pub not_live_since: BTreeMap<ResourceKind, Timestamp>,
    pub counts: BTreeMap<ResourceKind, usize>,
    /// Live usage: the newest sample, or why there is none.
    pub metrics: MetricsStatus,
}

impl ClusterStatus {
    pub fn informer(&self, kind: ResourceKind) -> InformerState {
        self.informers
            .get(&kind)
            .cloned()
            .unwrap_or(InformerState::Syncing)
    }
}

/// What the metrics poller last said.
#[derive(Debug, Clone, Default)]
pub struct MetricsStatus {
    pub sample: Option<std::sync::Arc<crate::kube::metrics::Sample>>,
    /// Bumped with each sample (rows with usage are re-made once per sample).
    pub generation: u64,
    /// Why usage is not shown, when it is not.
    pub unavailable: Option<String>,
    /// The last samples per node (millicores, bytes), oldest first, for the sparklines.
    pub history: std::collections::HashMap<String, std::collections::VecDeque<(i64, i64)>>,
}

/// Samples of history kept per node (40 × 15 s = 10 minutes at the default interval).
pub const HISTORY_SAMPLES: usize = 40;

impl MetricsStatus {
    /// No usage now: the last sample is dropped, so no column shows old usage as current.
    pub fn lost(&mut self, why: String) {
        self.unavailable = Some(why);
        if self.sample.take().is_some() {
            self.generation += 1;
        }
    }

    pub fn record(&mut self, sample: std::sync::Arc<crate::kube::metrics::Sample>) {
        // Nodes kept from the round before are not a new point in their history.
        if !sample.nodes_kept {
            for (node, usage) in &sample.nodes {
                let h = self.history.entry(node.clone()).or_default();
                h.push_back(*usage);
                while h.len() > HISTORY_SAMPLES {
                    h.pop_front();
                }
            }
        }
        self.history.retain(|n, _| sample.nodes.contains_key(n));
        self.unavailable = sample.note().map(str::to_string);
        self.sample = Some(sample);
        self.generation += 1;
    }
}

/// The clusters shown and what they said.
#[derive(Debug, Clone)]
pub struct Fleet {
    /// The cluster shown first (its kubeconfig context): discovery, namespaces and `:ctx`
    /// start from it.
    pub cluster: ClusterId,
    /// Every cluster shown, `cluster` first; more than one adds a CLUSTER column everywhere.
    pub clusters: Vec<ClusterId>,
    /// The first cluster's API server, for the top bar.
    pub server: String,
    /// The namespaces shown (in each cluster).
    pub scope: Scope,
    /// Each shown cluster's informer states, counts and metrics.
    pub status: BTreeMap<ClusterId, ClusterStatus>,
    /// Contexts marked production-like in the config (a distinct colour, typed deletes).
    pub production: Vec<String>,
    /// Named sets of contexts from the config (`:ctx SET`).
    pub cluster_sets: BTreeMap<String, Vec<String>>,
    /// `[watch]`: the kinds watched per context pattern when several clusters are shown.
    pub watch: BTreeMap<String, Vec<String>>,
    /// Each connected context's own namespace, as its kubeconfig entry names it (for
    /// `Scope::ContextDefaults`).
    pub context_namespaces: BTreeMap<ClusterId, String>,
    /// Each shown cluster's namespaces that enforce a Pod Security level, and the level (the
    /// debug picker marks the profiles a pod's namespace would refuse).
    pub pod_security: BTreeMap<ClusterId, BTreeMap<String, String>>,
    /// Whether the node agent is installed in a cluster, as last checked (on `D`).
    pub agent: Option<(ClusterId, AgentPresence)>,
    /// Per context, the namespaces switched to most recently, the latest first (the number
    /// keys of the namespaces view); kept across restarts.
    pub favourites: BTreeMap<String, Vec<String>>,
}

/// How many favourite namespaces a context keeps (the keys 1 to 9).
pub const FAVOURITES: usize = 9;

impl Fleet {
    pub fn new(cluster: ClusterId, server: String, scope: Scope) -> Self {
        Self {
            clusters: vec![cluster.clone()],
            cluster,
            server,
            scope,
            status: BTreeMap::new(),
            production: Vec::new(),
            cluster_sets: BTreeMap::new(),
            watch: BTreeMap::new(),
            context_namespaces: BTreeMap::new(),
            pod_security: BTreeMap::new(),
            agent: None,
            favourites: BTreeMap::new(),
        }
    }

    /// The first cluster's favourite namespaces, the latest first.
    pub fn favourites(&self) -> &[String] {
        self.favourites
            .get(self.cluster.context())
            .map_or(&[], Vec::as_slice)
    }

    /// `namespace` was switched to: it becomes the first favourite of the first cluster's
    /// context. Whether that changed anything.
    pub fn remember_namespace(&mut self, namespace: &str) -> bool {
        let list = self
            .favourites
            .entry(self.cluster.context().to_string())
            .or_default();
        if list.first().is_some_and(|n| n == namespace) {
            return false;
        }
        list.retain(|n| n != namespace);
        list.insert(0, namespace.to_string());
        list.truncate(FAVOURITES);
        true
    }

    /// The kinds watched in `cluster`: every kind when it is the only one shown, else those
    /// `[watch]` gives its context.
    pub fn watched_kinds(&self, cluster: &ClusterId, multi: bool) -> Vec<ResourceKind> {
        if multi {
            super::contexts::watched_kinds(&self.watch, cluster.context())
        } else {
            ResourceKind::WATCHABLE.to_vec()
        }
    }

    /// Whether several clusters are shown.
    pub fn multi(&self) -> bool {
        self.clusters.len() > 1
    }

    /// Whether `cluster` is one of those shown.
    pub fn shows(&self, cluster: &ClusterId) -> bool {
        self.clusters.contains(cluster)
    }

    /// Whether `context` is marked production-like in the config (`*` matches any text).
    pub fn is_production(&self, cluster: &ClusterId) -> bool {
        self.production
            .iter()
            .any(|p| super::contexts::glob_match(p, cluster.context()))
    }

    /// The status of `cluster` (empty until it reports).
    pub fn status_of(&self, cluster: &ClusterId) -> Cow<'_, ClusterStatus> {
        self.status
            .get(cluster)
            .map_or_else(Default::default, Cow::Borrowed)
    }

    pub fn status_mut(&mut self, cluster: &ClusterId) -> &mut ClusterStatus {
        self.status.entry(cluster.clone()).or_default()
    }

    /// The first cluster's status.
    pub fn primary_status(&mut self) -> &mut ClusterStatus {
        let first = self.cluster.clone();
        self.status_mut(&first)
    }

    /// The metrics of the first cluster shown (the nodes view's history, the status bar).
    pub fn metrics(&self) -> Cow<'_, MetricsStatus> {
        match self.status.get(&self.cluster) {
            Some(s) => Cow::Borrowed(&s.metrics),
            None => Cow::Owned(MetricsStatus::default()),
        }
    }

    /// A kind's state across the clusters shown: theirs when they agree; live when any is
    /// (its rows are live; the others' problems are in the status bar); else the first
    /// cluster's.
    pub fn informer(&self, kind: ResourceKind) -> InformerState {
        // Drawn every frame: no status is copied, only the state returned.
        let state_of = |c: &ClusterId| {
            self.status
                .get(c)
                .and_then(|s| s.informers.get(&kind))
                .unwrap_or(&InformerState::Syncing)
        };
        let mut states = self.clusters.iter().map(state_of);
        let first = states.next().unwrap_or(&InformerState::Syncing);
        let mut live = *first == InformerState::Live;
        let mut agree = true;
        for s in states {
            agree &= s == first;
            live |= *s == InformerState::Live;
        }
        if !agree && live {
            return InformerState::Live;
        }
        first.clone()
    }

    /// How many objects of `kind` the shown clusters' stores hold.
    pub fn count(&self, kind: ResourceKind) -> usize {
        self.clusters
            .iter()
            .filter_map(|c| self.status.get(c))
            .filter_map(|s| s.counts.get(&kind))
            .sum()
    }

    /// Whether rows built from `kinds` are last-known rather than live: since when (the
    /// earliest), and the state of the kind that stopped first. With several clusters, only
    /// when no cluster has them live.
    pub fn not_live(&self, kinds: &[ResourceKind]) -> Option<(Timestamp, InformerState)> {
        kinds
            .iter()
            .filter(|k| self.informer(**k) != InformerState::Live)
            .flat_map(|k| {
                self.clusters.iter().filter_map(move |c| {
                    let s = self.status.get(c)?;
                    s.not_live_since.get(k).map(|at| (*at, s.informer(*k)))
                })
            })
            .min_by_key(|(at, _)| *at)
    }

    /// Whether `cluster`'s rows built from `kinds` are last-known: since when, and the state of
    /// the kind that stopped first (the per-row mark when several clusters are shown).
    pub fn not_live_in(
        &self,
        cluster: &ClusterId,
        kinds: &[ResourceKind],
    ) -> Option<(Timestamp, InformerState)> {
        let s = self.status.get(cluster)?;
        kinds
            .iter()
            .filter_map(|k| s.not_live_since.get(k).map(|at| (*at, s.informer(*k))))
            .min_by_key(|(at, _)| *at)
    }

    /// `cluster`'s informer of `kind` is in `state` now: rows stay marked last-known from the
    /// moment it stops being live until it is live again (or its API is gone).
    pub fn informer_state(
        &mut self,
        cluster: &ClusterId,
        kind: ResourceKind,
        state: InformerState,
        now: Timestamp,
    ) {
        let status = self.status_mut(cluster);
        let was_live = status.informer(kind) == InformerState::Live;
        match &state {
            InformerState::Live | InformerState::NotInstalled | InformerState::NotWatched => {
                status.not_live_since.remove(&kind);
            }
            _ if was_live => {
                status.not_live_since.insert(kind, now);
            }
            _ => {}
        }
        status.informers.insert(kind, state);
    }

    /// `cluster`'s metrics poller brought a sample, or said why there is none.
    pub fn metrics_reported(
        &mut self,
        cluster: &ClusterId,
        update: crate::kube::metrics::MetricsUpdate,
    ) {
        let metrics = &mut self.status_mut(cluster).metrics;
        match update {
            crate::kube::metrics::MetricsUpdate::Sample(s) => metrics.record(s),
            crate::kube::metrics::MetricsUpdate::Unavailable(why) => metrics.lost(why),
        }
    }

    /// The context of the first cluster shown.
    pub fn context(&self) -> &str {
        self.cluster.context()
    }
}

#[cfg(test)]
mod metrics_status_tests {
    use super::*;
    use crate::kube::metrics::Sample;
    use std::sync::Arc;

    /// A round that listed only pods (its nodes kept from the round before) is a new sample
    /// for the rows, not a new point in the nodes' sparklines.
    #[test]
    fn kept_node_usage_adds_no_point_to_the_history() {
        let round = |cpu: i64, nodes_kept: bool| {
            Arc::new(Sample {
                nodes: [("n1".to_string(), (cpu, 1 << 30))].into_iter().collect(),
                nodes_kept,
                ..Sample::default()
            })
        };
        let mut m = MetricsStatus::default();
        m.record(round(100, false));
        m.record(round(100, true));
        m.record(round(300, false));
        let points: Vec<i64> = m.history["n1"].iter().map(|p| p.0).collect();
        assert_eq!(points, [100, 300]);
        assert_eq!(m.generation, 3, "each sample re-makes the rows with usage");
    }
}
