//! Live usage from metrics.k8s.io, polled on its own task at an interval (default 15 s) and
//! backing off on errors. Where the API is not served or is forbidden the UI says so instead of
//! showing zeros.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use kube::api::ListParams;
use tokio::sync::mpsc;

use super::quantity;

/// One round of samples: node and pod usage (millicores, bytes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sample {
    pub at: Option<Timestamp>,
    pub nodes: HashMap<String, (i64, i64)>,
    /// By namespace, then name (so a lookup borrows instead of building a key).
    pub pods: foldhash::HashMap<String, foldhash::HashMap<String, (i64, i64)>>,
    /// Why the node usage could not be read (node metrics need cluster-wide RBAC that a
    /// namespaced user may lack; pod usage still shows then). With the nodes kept, their
    /// round's reason.
    pub node_note: Option<String>,
    /// Why the pod usage could not be read this round.
    pub pod_note: Option<String>,
    /// The node usage is the last round's, kept: this round listed only pods (rows newly on
    /// screen), so it adds nothing to the nodes' history.
    pub nodes_kept: bool,
}

impl Sample {
    /// What could not be read, as the status bar says it (the nodes' reason first).
    pub fn note(&self) -> Option<&str> {
        self.node_note.as_deref().or(self.pod_note.as_deref())
    }

    /// A pod's (CPU millicores, memory bytes), when the sample has it.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<(i64, i64)> {
        self.pods.get(namespace)?.get(name).copied()
    }

    pub fn insert_pod(&mut self, namespace: &str, name: &str, usage: (i64, i64)) {
        self.pods
            .entry(namespace.to_string())
            .or_default()
            .insert(name.to_string(), usage);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricsUpdate {
    Sample(Arc<Sample>),
    /// Why usage is not shown (and whether it will be tried again).
    Unavailable(String),
}

/// A metrics list as read: only what the columns use (the rest of each object is skipped
/// unparsed, not built into a tree: at a fleet's rest this decode was most of the workers'
/// time).
#[derive(Debug, Default, serde::Deserialize)]
struct MetricsList {
    #[serde(default)]
    items: Vec<MetricsItem>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct MetricsItem {
    #[serde(default)]
    metadata: ItemMeta,
    /// A NodeMetrics' usage.
    #[serde(default)]
    usage: Usage,
    /// A PodMetrics' containers, each with its usage.
    #[serde(default)]
    containers: Vec<ContainerUsage>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ItemMeta {
    name: Option<String>,
    namespace: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ContainerUsage {
    #[serde(default)]
    usage: Usage,
}

#[derive(Debug, Default, serde::Deserialize)]
struct Usage {
    cpu: Option<String>,
    memory: Option<String>,
}

impl Usage {
    /// CPU millicores and memory bytes (0 for what is missing or does not parse).
    fn amounts(&self) -> (i64, i64) {
        let cpu = self
            .cpu
            .as_deref()
            .and_then(quantity::millicores)
            .unwrap_or(0);
        let mem = self
            .memory
            .as_deref()
            .and_then(quantity::bytes)
            .unwrap_or(0);
        (cpu, mem)
    }
}

/// A NodeMetrics object's usage.
fn node_usage(item: MetricsItem) -> Option<(String, (i64, i64))> {
    Some((item.metadata.name?, item.usage.amounts()))
}

/// A PodMetrics object's usage: the sum of its containers.
fn pod_usage(item: MetricsItem) -> Option<((String, String), (i64, i64))> {
    let total = item
        .containers
        .iter()
        .map(|c| c.usage.amounts())
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    Some(((item.metadata.namespace?, item.metadata.name?), total))
}

/// What to say when a poll fails.
fn explain(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) if s.code == 404 => {
            "usage unavailable: metrics.k8s.io not served (is metrics-server installed?)".into()
        }
        kube::Error::Api(s) if s.code == 403 => format!(
            "usage unavailable: forbidden to list metrics.k8s.io ({})",
            s.message
        ),
        other => format!("usage unavailable: {other}"),
    }
}

/// Which pods' usage the screen needs: at 10,000 pods the PodMetrics list is 3.7 MB, where the
/// nodes' is a few KB, and the pods table shows a screenful.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PodMetricsWanted {
    /// No view shows pod usage.
    #[default]
    None,
    /// Every pod in the poller's scope (the table is sorted by usage, or many namespaces are
    /// on screen).
    All,
    /// The pods of these namespaces (those of the rows on screen).
    Namespaces(std::collections::BTreeSet<String>),
}

/// What each shown cluster's poller lists of pod usage: only the clusters with rows on screen
/// (or all, sorted by usage) list any, so a fleet at rest costs one screenful's metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedByCluster {
    /// For a cluster not named.
    pub others: PodMetricsWanted,
    pub clusters: std::collections::BTreeMap<super::ids::ClusterId, PodMetricsWanted>,
}

impl WantedByCluster {
    /// The same for every cluster.
    pub fn every(wanted: PodMetricsWanted) -> Self {
        Self {
            others: wanted,
            clusters: std::collections::BTreeMap::new(),
        }
    }

    pub fn of(&self, cluster: &super::ids::ClusterId) -> PodMetricsWanted {
        self.clusters.get(cluster).unwrap_or(&self.others).clone()
    }
}

impl PodMetricsWanted {
    /// Whether a poll for `self` also answers `other` (no poll needed at once for it).
    pub fn covers(&self, other: &Self) -> bool {
        match (self, other) {
            (_, Self::None) | (Self::All, _) => true,
            (Self::Namespaces(have), Self::Namespaces(want)) => want.is_subset(have),
            _ => false,
        }
    }
}

/// The metrics API's path for `plural` (in `namespace` when given).
fn path(plural: &str, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) => format!("/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/{plural}"),
        None => format!("/apis/metrics.k8s.io/v1beta1/{plural}"),
    }
}

/// One list's body as the server sent it (decoded later, off the async workers).
async fn list_text(client: &kube::Client, path: String) -> Result<String, kube::Error> {
    let req = kube::core::Request::new(path)
        .list(&ListParams::default())
        .map_err(kube::Error::BuildRequest)?;
    // One asked on a connection that died unseen is given up on then, not at the client's read
    // timeout minutes later.
    let body = super::answered::body_within(client, req, super::answered::QUICK_ANSWER).await?;
    String::from_utf8(body.into()).map_err(kube::Error::FromUtf8)
}

/// The items of list bodies (at 2,500 nodes and a screenful's namespaces the decode took a
/// worker thread for ~40 ms, long enough to delay a watch event queued behind it, so it runs
/// on the blocking pool).
fn items_of(bodies: &[String]) -> Result<Vec<MetricsItem>, kube::Error> {
    let mut items = Vec::new();
    for body in bodies {
        let list: MetricsList = serde_json::from_str(body).map_err(kube::Error::SerdeError)?;
        items.extend(list.items);
    }
    Ok(items)
}

/// One round: node usage (or, with `nodes_of`, that round's kept), and the pod usage `wanted`
/// (every pod's in `namespace`, or all, or those of the namespaces on screen).
async fn poll(
    client: &kube::Client,
    namespace: Option<&str>,
    wanted: &PodMetricsWanted,
    nodes_of: Option<Arc<Sample>>,
) -> Result<Sample, kube::Error> {
    let node_list = match &nodes_of {
        Some(_) => Ok(None),
        None => list_text(client, path("nodes", None)).await.map(Some),
    };
    let pod_list = match (wanted, namespace) {
        (PodMetricsWanted::None, _) => Ok(Vec::new()),
        // One namespace watched: that namespace's list is all there is.
        (_, Some(ns)) => list_text(client, path("pods", Some(ns)))
            .await
            .map(|t| vec![t]),
        (PodMetricsWanted::All, None) => {
            list_text(client, path("pods", None)).await.map(|t| vec![t])
        }
        (PodMetricsWanted::Namespaces(names), None) => futures::future::join_all(
            names
                .iter()
                .map(|ns| list_text(client, path("pods", Some(ns)))),
        )
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>(),
    };
    if let (Err(_), Err(_)) = (&node_list, &pod_list) {
        return node_list.map(|_| Sample::default());
    }
    let node_note = match &node_list {
        Err(e) => Some(format!("node {}", explain(e))),
        // The nodes kept: what their round could not read still stands.
        Ok(None) => nodes_of.as_ref().and_then(|s| s.node_note.clone()),
        Ok(Some(_)) => None,
    };
    let pod_note = pod_list
        .as_ref()
        .err()
        .map(|e| format!("pod {}", explain(e)));
    let decode = move || -> Result<Sample, kube::Error> {
        let (nodes, nodes_kept) = match (node_list, nodes_of) {
            (Ok(Some(text)), _) => (
                items_of(&[text])?
                    .into_iter()
                    .filter_map(node_usage)
                    .collect(),
                false,
            ),
            (Ok(None), Some(kept)) => (kept.nodes.clone(), true),
            _ => (HashMap::new(), false),
        };
        let pods = items_of(&pod_list.unwrap_or_default())?;
        let mut sample = Sample {
            at: Some(Timestamp::now()),
            nodes,
            pods: Default::default(),
            node_note,
            pod_note,
            nodes_kept,
        };
        for ((ns, name), usage) in pods.into_iter().filter_map(pod_usage) {
            sample.insert_pod(&ns, &name, usage);
        }
        Ok(sample)
    };
    tokio::task::spawn_blocking(decode)
        .await
        .map_err(|e| kube::Error::Service(Box::new(e)))?
}

/// The delay after `failures` failed polls in a row: the interval, doubling, at most 5 minutes.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let factor = 1u32 << failures.min(5);
    (interval * factor).min(Duration::from_secs(300).max(interval))
}

/// The wait after a good poll: to the next multiple of `interval` on the wall clock (`since_epoch`
/// now), at least half an interval away. Every cluster's poller keeps the same beat, so a
/// fleet's samples come together and make one frame, not one a cluster (at rest, 30 clusters
/// drew 2 frames a second for their samples alone).
pub fn aligned_wait(since_epoch: Duration, interval: Duration) -> Duration {
    let step = interval.as_nanos().max(1);
    let phase = since_epoch.as_nanos() % step;
    let to_beat = Duration::from_nanos(u64::try_from(step - phase).unwrap_or(u64::MAX));
    if to_beat < interval / 2 {
        to_beat + interval
    } else {
        to_beat
    }
}

/// Aborts the poller when dropped.
pub struct MetricsTask(tokio::task::JoinHandle<()>);

impl Drop for MetricsTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Poll every `interval` until dropped; pod metrics only for `namespace` when given, and only
/// what `wants_pods` says the screen needs (when it needs more than the last poll brought, a
/// poll starts at once).
pub fn spawn(
    clients: super::credentials::ClientHandle,
    namespace: Option<String>,
    interval: Duration,
    mut wants_pods: tokio::sync::watch::Receiver<PodMetricsWanted>,
    tx: mpsc::UnboundedSender<MetricsUpdate>,
) -> MetricsTask {
    MetricsTask(tokio::spawn(async move {
        let mut failures = 0u32;
        // The last good round, and when the next whole one is due: a poll between (more pods
        // shown) lists only pod usage and keeps that round's nodes, so a filter or a scroll
        // into another namespace does not list 5,000 nodes again (at 100,000 pods that was
        // most of the round, and it held the first change after a filter 40-70 ms), and the
        // beat stays the wall clock's.
        let mut last: Option<Arc<Sample>> = None;
        let mut due = tokio::time::Instant::now();
        loop {
            let wanted = wants_pods.borrow_and_update().clone();
            let started = std::time::Instant::now();
            let nodes_of = last.clone().filter(|_| tokio::time::Instant::now() < due);
            let whole = nodes_of.is_none();
            tracing::trace!(?wanted, whole, "metrics poll asked");
            // The current client: one renewed after a 401 is used from the next poll.
            let polled = poll(&clients.client(), namespace.as_deref(), &wanted, nodes_of).await;
            match polled {
                Ok(sample) => {
                    failures = 0;
                    tracing::debug!(
                        ?wanted,
                        "metrics poll: {} pods' usage in {} ms",
                        sample.pods.values().map(|p| p.len()).sum::<usize>(),
                        started.elapsed().as_millis()
                    );
                    let sample = Arc::new(sample);
                    last = Some(sample.clone());
                    if tx.send(MetricsUpdate::Sample(sample)).is_err() {
                        return;
                    }
                    if whole {
                        let since_epoch = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .unwrap_or_default();
                        due = tokio::time::Instant::now() + aligned_wait(since_epoch, interval);
                    }
                }
                Err(e) => {
                    failures += 1;
                    last = None;
                    let wait = backoff(interval, failures);
                    let msg = format!("{}; retrying in {}s", explain(&e), wait.as_secs());
                    if tx.send(MetricsUpdate::Unavailable(msg)).is_err() {
                        return;
                    }
                    due = tokio::time::Instant::now() + wait;
                }
            }
            loop {
                tokio::select! {
                    () = tokio::time::sleep_until(due) => break,
                    changed = wants_pods.changed() => {
                        if changed.is_err() {
                            // Nobody says what is shown any more: keep the interval.
                            tokio::time::sleep_until(due).await;
                            break;
                        }
                        // More pods shown than the last poll brought: poll now.
                        if !wanted.covers(&wants_pods.borrow()) {
                            break;
                        }
                    }
                }
            }
        }
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn node_and_pod_usage_from_metrics_objects() {
        let item = |v: serde_json::Value| serde_json::from_value::<MetricsItem>(v).unwrap();
        let node = json!({"metadata": {"name": "w1", "labels": {"a": "b"}}, "timestamp": "2026-12-07T03:00:00Z",
            "window": "20.05s", "usage": {"cpu": "1500000000n", "memory": "2048Ki"}});
        assert_eq!(node_usage(item(node)), Some(("w1".into(), (1500, 2 << 20))));
        let pod = json!({"metadata": {"name": "p", "namespace": "demo"}, "containers": [
            {"name": "a", "usage": {"cpu": "100m", "memory": "64Mi"}},
            {"name": "b", "usage": {"cpu": "50m", "memory": "16Mi"}}]});
        assert_eq!(
            pod_usage(item(pod)),
            Some((("demo".into(), "p".into()), (150, 80 << 20)))
        );
        // Without a namespace it is no pod's; a list's body decodes its items.
        assert_eq!(pod_usage(item(json!({"metadata": {"name": "p"}}))), None);
        let body = r#"{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},
            "items":[{"metadata":{"name":"p","namespace":"n"},"containers":[{"name":"c","usage":{"cpu":"2m","memory":"1Mi"}}]}]}"#;
        let items = items_of(&[body.to_string()]).unwrap();
        assert_eq!(
            items.into_iter().filter_map(pod_usage).collect::<Vec<_>>(),
            vec![(("n".into(), "p".into()), (2, 1 << 20))]
        );
    }

    #[test]
    fn pod_usage_is_filled_in_and_reused_until_something_changes() {
        use crate::kube::pod_row::pod_row;
        let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(json!({
            "metadata": {"name": "p", "namespace": "demo", "uid": "u1"}, "spec": {"containers": []}}))
        .unwrap();
        let base = Arc::new(pod_row(&pod));
        let mut sample = Sample::default();
        sample.insert_pod("demo", "p", (120, 64 << 20));
        let mut overlay = PodUsage::default();
        let first = overlay.apply(vec![base.clone()], Some(&sample), 1);
        assert_eq!(first[0].usage, Some((120, 64 << 20)));
        let again = overlay.apply(vec![base.clone()], Some(&sample), 1);
        assert!(Arc::ptr_eq(&first[0], &again[0]), "unchanged: the same row");
        // A new sample showing the same (memory within the same MiB): the same row.
        sample.insert_pod("demo", "p", (120, (64 << 20) + 4096));
        let same = overlay.apply(vec![base.clone()], Some(&sample), 2);
        assert!(Arc::ptr_eq(&first[0], &same[0]), "nothing shown changed");
        sample.insert_pod("demo", "p", (300, 64 << 20));
        let newer = overlay.apply(vec![base.clone()], Some(&sample), 3);
        assert_eq!(newer[0].usage, Some((300, 64 << 20)));
        // The pod's row changed: re-made even if its usage did not.
        let changed = Arc::new((*base).clone());
        let remade = overlay.apply(vec![changed.clone()], Some(&sample), 3);
        assert!(!Arc::ptr_eq(&remade[0], &newer[0]));
        assert_eq!(remade[0].usage, Some((300, 64 << 20)));
        let none = overlay.apply(vec![base.clone()], None, 4);
        assert!(Arc::ptr_eq(&none[0], &base));
    }

    #[test]
    fn a_pod_that_ended_shows_no_usage_from_a_sample_taken_while_it_ran() {
        use crate::kube::pod_row::pod_row;
        let pod = |phase: &str| -> k8s_openapi::api::core::v1::Pod {
            serde_json::from_value(json!({
                "metadata": {"name": "job-1", "namespace": "demo", "uid": "u1"},
                "spec": {"containers": []}, "status": {"phase": phase}}))
            .unwrap()
        };
        let mut sample = Sample::default();
        sample.insert_pod("demo", "job-1", (215, 220 << 20));
        let mut overlay = PodUsage::default();
        let running = overlay.apply(vec![Arc::new(pod_row(&pod("Running")))], Some(&sample), 1);
        assert_eq!(running[0].usage, Some((215, 220 << 20)));
        for phase in ["Succeeded", "Failed"] {
            // The pod's row changed under the same sample, and a new sample still has it.
            let ended = Arc::new(pod_row(&pod(phase)));
            let row = overlay.one(Some(&running[0]), Some(ended.clone()), Some(&sample));
            assert_eq!(row.and_then(|r| r.usage), None, "{phase}");
            let later = overlay.apply(vec![ended], Some(&sample), 2);
            assert_eq!(later[0].usage, None, "{phase}");
        }
    }

    #[test]
    fn a_poll_covers_what_it_brought_and_no_more() {
        use PodMetricsWanted as W;
        let ns = |n: &[&str]| W::Namespaces(n.iter().map(|s| s.to_string()).collect());
        assert!(W::All.covers(&ns(&["a", "b"])));
        assert!(ns(&["a", "b"]).covers(&ns(&["a"])));
        assert!(!ns(&["a"]).covers(&ns(&["a", "b"])));
        assert!(!ns(&["a"]).covers(&W::All));
        assert!(W::None.covers(&W::None) && ns(&[]).covers(&W::None));
        assert!(!W::None.covers(&ns(&["a"])));
    }

    #[test]
    fn polls_keep_the_wall_clocks_beat() {
        let i = Duration::from_secs(15);
        let s = Duration::from_secs;
        // Whenever a poll ends, the next is on a multiple of 15 s, 7.5 to 22.5 s away.
        assert_eq!(aligned_wait(s(1_500_000_005), i), s(10));
        assert_eq!(aligned_wait(s(1_500_000_000), i), s(15));
        assert_eq!(aligned_wait(s(1_500_000_012), i), s(18));
        assert_eq!(
            aligned_wait(Duration::from_millis(1_500_000_007_000), i),
            Duration::from_millis(8_000)
        );
        for ms in (0..60_000).step_by(250) {
            let now = Duration::from_millis(1_700_000_000_000 + ms);
            let wait = aligned_wait(now, i);
            assert_eq!((now + wait).as_millis() % 15_000, 0, "at {ms} ms");
            assert!(wait >= i / 2 && wait <= i + i / 2, "{wait:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        let i = Duration::from_secs(15);
        assert_eq!(backoff(i, 1), Duration::from_secs(30));
        assert_eq!(backoff(i, 2), Duration::from_secs(60));
        assert_eq!(backoff(i, 10), Duration::from_secs(300));
    }
}

/// Pod rows with their live usage filled in, re-made only when a pod's row changed or its usage
/// changed as shown (millicores, MiB): a refresh between samples clones nothing, and a new
/// sample clones only the rows whose CPU or MEM cell changes (none in a still cluster), so the
/// table is not rebuilt for a sample that changes nothing on screen.
#[derive(Debug, Default)]
pub struct PodUsage {
    generation: u64,
    rows: foldhash::HashMap<String, (Arc<super::pod_row::PodRow>, Arc<super::pod_row::PodRow>)>,
}

/// Usage as the CPU and MEM columns show it: millicores, and memory to the MiB.
fn as_shown(usage: (i64, i64)) -> (i64, i64) {
    (usage.0, usage.1 >> 20)
}

impl PodUsage {
    pub fn apply(
        &mut self,
        rows: Vec<Arc<super::pod_row::PodRow>>,
        sample: Option<&Sample>,
        generation: u64,
    ) -> Vec<Arc<super::pod_row::PodRow>> {
        let Some(sample) = sample else {
            self.rows.clear();
            self.generation = generation;
            return rows;
        };
        // Same sample: a cached row is current whenever its pod's row is the same.
        let same_sample = generation == self.generation;
        self.generation = generation;
        let mut used = 0;
        let out: Vec<_> = rows
            .into_iter()
            .map(|base| {
                let (row, with_usage) = self.overlay(base, sample, same_sample);
                used += usize::from(with_usage);
                row
            })
            .collect();
        // Forget pods gone or without usage now (rare: only then is the map walked).
        if self.rows.len() > used {
            let live: std::collections::HashSet<&str> = out
                .iter()
                .filter(|r| r.usage.is_some())
                .map(|r| r.uid.as_str())
                .collect();
            self.rows.retain(|uid, _| live.contains(uid.as_str()));
        }
        out
    }

    /// A new sample (`generation`) for rows kept by changes: only the pods it can change (those
    /// with usage shown before, and those in it), each `(shown before, shown now)` where they
    /// differ. `by_uid` and `by_name` give a pod's row as the table has it, so a sample of a
    /// screenful's namespaces costs a screenful, whatever the cluster's size.
    pub fn resample(
        &mut self,
        sample: Option<&Sample>,
        generation: u64,
        by_uid: impl Fn(&str) -> Option<Arc<super::pod_row::PodRow>>,
        by_name: impl Fn(&str, &str) -> Option<Arc<super::pod_row::PodRow>>,
    ) -> Vec<super::row_cache::Change<super::pod_row::PodRow>> {
        self.generation = generation;
        let before: Vec<(Arc<super::pod_row::PodRow>, Arc<super::pod_row::PodRow>)> =
            self.rows.values().cloned().collect();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut changes = Vec::new();
        let mut redo = |usage: &mut Self,
                        base: Arc<super::pod_row::PodRow>,
                        shown: Arc<super::pod_row::PodRow>| {
            if !seen.insert(base.uid.clone()) {
                return;
            }
            let now = match sample {
                Some(s) => usage.overlay(base.clone(), s, false).0,
                None => {
                    usage.rows.remove(base.uid.as_str());
                    base
                }
            };
            if !Arc::ptr_eq(&shown, &now) {
                changes.push((Some(shown), Some(now)));
            }
        };
        for (base, shown) in before {
            if let Some(current) = by_uid(&base.uid) {
                redo(self, current, shown);
            }
        }
        if let Some(s) = sample {
            for (namespace, pods) in &s.pods {
                for name in pods.keys() {
                    if let Some(base) = by_name(namespace, name) {
                        redo(self, base.clone(), base);
                    }
                }
            }
        }
        changes
    }

    /// Whether `generation` is the sample the rows were last made with (then [`PodUsage::one`]
    /// may place a pod's changed row alone).
    pub fn current(&self, generation: u64) -> bool {
        self.generation == generation
    }

    /// One pod's row changed (`old` before, `new` now) while the sample stayed: its row with
    /// usage, the one before forgotten.
    pub fn one(
        &mut self,
        old: Option<&super::pod_row::PodRow>,
        new: Option<Arc<super::pod_row::PodRow>>,
        sample: Option<&Sample>,
    ) -> Option<Arc<super::pod_row::PodRow>> {
        if let Some(o) = old
            && new.as_ref().is_none_or(|n| n.uid != o.uid)
        {
            self.rows.remove(o.uid.as_str());
        }
        let new = new?;
        match sample {
            Some(sample) => Some(self.overlay(new, sample, true).0),
            None => Some(new),
        }
    }

    /// `base` with its usage from `sample` (the row made before when it shows the same), and
    /// whether it has usage.
    fn overlay(
        &mut self,
        base: Arc<super::pod_row::PodRow>,
        sample: &Sample,
        same_sample: bool,
    ) -> (Arc<super::pod_row::PodRow>, bool) {
        let cached = self
            .rows
            .get(base.uid.as_str())
            .filter(|(b, _)| Arc::ptr_eq(b, &base));
        if same_sample && let Some((_, row)) = cached {
            return (row.clone(), true);
        }
        // A pod that ended uses nothing, whatever a sample taken while it ran says (metrics-server
        // keeps it until its next scrape).
        let Some(usage) = sample
            .pod(&base.namespace, &base.name)
            .filter(|_| !base.has_ended())
        else {
            self.rows.remove(base.uid.as_str());
            return (base, false);
        };
        // A new sample that shows the same: the row made for the last one.
        if let Some((_, row)) = cached
            && row.usage.map(as_shown) == Some(as_shown(usage))
        {
            return (row.clone(), true);
        }
        let mut r = (*base).clone();
        r.usage = Some(usage);
        let row = Arc::new(r);
        match self.rows.get_mut(base.uid.as_str()) {
            Some(entry) => *entry = (base, row.clone()),
            None => {
                let uid = base.uid.clone();
                self.rows.insert(uid, (base, row.clone()));
            }
        }
        (row, true)
    }
}
