//! The projection: stores + caches + view state -> the rows and lines a view shows. Pure (no
//! I/O, no awaiting): it reads the informers' stores, brings the tables the current view needs
//! up to date (only the kinds that changed), recomputes triage, rebuilds the describe pane, and
//! asks for what it cannot know (the pod a describe shows) as effects. Unit-tested by feeding
//! watch events into the stores.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::action::Effect;
use super::describe;
use super::detail::{DetailKind, DetailStatus};
use super::navigate::navigate;
use super::resource;
use super::state::{App, DescribedPod, View};
use super::table::TableRow;
use super::triage;
use crate::kube::cluster::Stores;
use crate::kube::event_row::EventRow;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::informer::{InformerState, ResourceKind};
use crate::kube::metrics::PodUsage;
use crate::kube::namespace_row::{NamespaceRow, enforced_level, namespace_row};
use crate::kube::node_load::NodeLoads;
use crate::kube::node_row::NodeRow;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::PodRow;
use crate::kube::row_cache::RowCache;
use crate::kube::row_store::{Cursor, RowDiff, Since};
use crate::kube::tekton_row::{TaskRunRow, taskrun_row};

/// One cluster's derived rows and aggregates.
#[derive(Default)]
struct PerCluster {
    /// The pod rows as last read, for the per-node sums.
    pods: RowDiff<PodRow>,
    /// Where the pods table got to in the store's changes.
    pods_read: Cursor,
    /// Requests and limits per node, kept by delta from the pod rows.
    node_loads: NodeLoads,
    pod_usage: PodUsage,
    /// The node rows as the nodes table has them, by name.
    node_rows: HashMap<String, Arc<NodeRow>>,
    /// The metrics sample (its generation) the node rows were made with.
    nodes_metrics: Option<u64>,
    /// The nodes NotReady or under pressure, for triage (a node's sums do not change them).
    troubled_nodes: Vec<Arc<NodeRow>>,
    /// The pods (those that are or may become a problem) and warning events triage looks at,
    /// kept by changes.
    triage_rows: super::triage_rows::TriageRows,
}

/// Rows derived from the stores, re-derived only for objects whose resourceVersion changed,
/// and aggregates kept by delta, per cluster. Reset whenever the clusters, scope or
/// PipelineRun shown change.
#[derive(Default)]
pub struct Projection {
    /// What the caches were built for.
    source: Option<(Vec<ClusterId>, Scope)>,
    taskruns_of: Option<ObjectRef>,
    per: HashMap<ClusterId, PerCluster>,
    /// The first cluster's namespaces (the scope is chosen there).
    namespaces: RowCache<NamespaceRow>,
    taskruns: RowCache<TaskRunRow>,
    /// How the resource view reads its store's rows (rebuilt when the columns change).
    resource_layout: Option<Arc<resource::Layout>>,
    /// The pod the containers view's rows were built from.
    containers_from: Option<Arc<k8s_openapi::api::core::v1::Pod>>,
    /// The pods table's rows as this projection last left them (anyone else setting them
    /// means every row is read again).
    pods_version: Option<u64>,
    /// How many times every pod row was read (the rest were taken by changes).
    pods_whole_reads: u64,
    /// The nodes table's rows as this projection last left them.
    nodes_version: Option<u64>,
    nodes_thresholds: Option<crate::kube::node_row::Thresholds>,
    /// Set in a frame where pods changed and nodes did not: the node rows follow the sums.
    nodes_by_sums: bool,
    /// How many times every node row was made (the rest followed the changed sums).
    nodes_whole_builds: u64,
    /// Each triage row's place, held while it is listed.
    triage_order: HashMap<String, Option<jiff::Timestamp>>,
}

/// `r` with its node's sums, usage and heat now (`r` itself when none changed).
fn with_load(
    r: &Arc<NodeRow>,
    loads: &NodeLoads,
    sample: Option<&crate::kube::metrics::Sample>,
    thresholds: crate::kube::node_row::Thresholds,
) -> Arc<NodeRow> {
    let load = loads.get(&r.name);
    let usage = sample.and_then(|s| s.nodes.get(&r.name).copied());
    // Most nodes are unchanged by a frame's few pod changes: kept as is.
    if r.load == load
        && r.usage == usage
        && r.pods == load.pods as usize
        && r.heat == r.heat_for(thresholds)
    {
        return r.clone();
    }
    let mut next = (**r).clone();
    next.load = load;
    next.pods = load.pods as usize;
    next.usage = usage;
    next.heat = next.heat_for(thresholds);
    if next == **r {
        r.clone()
    } else {
        Arc::new(next)
    }
}

fn pod_uid(r: &PodRow) -> &str {
    r.uid.as_str()
}

/// The clusters shown, each with its stores, the first cluster first.
pub type Sources<'a> = [(&'a ClusterId, &'a Stores)];

fn dynamic_value(o: &kube::api::DynamicObject) -> Value {
    serde_json::to_value(o).unwrap_or(Value::Null)
}

/// The rows of `cluster` among `rows` (all of them when only one cluster is shown).
fn of_cluster<R: TableRow>(rows: &[Arc<R>], cluster: &ClusterId, multi: bool) -> Vec<Arc<R>> {
    if !multi {
        return rows.to_vec();
    }
    rows.iter()
        .filter(|r| r.cluster() == Some(cluster))
        .cloned()
        .collect()
}

impl Projection {
    /// Bring what the current view shows up to date with the one cluster's `stores`.
    pub fn project(&mut self, app: &mut App, stores: &Stores) -> Vec<Effect> {
        let cluster = app.fleet.cluster.clone();
        self.project_all(app, &[(&cluster, stores)])
    }

    /// Bring what the current view shows up to date with every shown cluster's stores;
    /// effects for what must be fetched.
    pub fn project_all(&mut self, app: &mut App, sources: &Sources<'_>) -> Vec<Effect> {
        let source = Some((app.fleet.clusters.clone(), app.fleet.scope.clone()));
        if self.source != source {
            *self = Projection {
                source,
                ..Projection::default()
            };
        }
        if self.taskruns_of != app.taskruns_of {
            self.taskruns_of = app.taskruns_of.clone();
            self.taskruns = RowCache::default();
            app.stale.kinds.insert(ResourceKind::TaskRuns);
        }
        let multi = app.fleet.multi();
        let t = &mut app.tables;
        t.triage.set_by_cluster(multi);
        t.pods.set_by_cluster(multi);
        t.runs.set_by_cluster(multi);
        t.events.set_by_cluster(multi);
        t.nodes.set_by_cluster(multi);
        t.resource.set_by_cluster(multi);
        t.forwards.set_by_cluster(multi);
        // (The RBAC and Helm views have rows from each cluster too.)
        t.can_i.set_by_cluster(multi);
        t.who_can.set_by_cluster(multi);
        t.helm.set_by_cluster(multi);
        t.helm_history.set_by_cluster(multi);
        t.xray.set_by_cluster(multi);
        t.timeline.set_by_cluster(multi);
        t.as_of.set_by_cluster(multi);
        let mut needed: Vec<ResourceKind> = app.view.needs().to_vec();
        if app.auto_triage {
            needed.extend(View::Triage.needs());
        }
        // Always: a few rows, and the debug picker reads the pod's namespace's Pod Security
        // level from them on any view.
        needed.push(ResourceKind::Namespaces);
        // Node pod counts read the pod rows, so pods go first.
        needed.sort();
        needed.dedup();
        self.nodes_by_sums = false;
        for kind in needed {
            if kind == ResourceKind::Pods && app.stale.kinds.contains(&kind) {
                // Node rows count pods: only the nodes whose sums changed are made again,
                // unless the nodes changed too.
                self.nodes_by_sums = !app.stale.kinds.contains(&ResourceKind::Nodes);
                app.stale.kinds.insert(ResourceKind::Nodes);
            }
            if app.stale.kinds.remove(&kind) {
                self.refresh(kind, app, sources);
                app.stale.triage |= View::Triage.needs().contains(&kind);
            }
        }
        if app.stale.triage && (app.view == View::Triage || app.auto_triage) {
            app.stale.triage = false;
            let t = &app.tables;
            let mut rows = Vec::new();
            for (cluster, stores) in sources {
                let per = self.per.entry((*cluster).clone()).or_default();
                per.triage_rows
                    .update(&stores.pods, &stores.events, app.now);
                // The node rows this projection made name the troubled ones; else (not made
                // here yet) every node row is looked at.
                let nodes = match per.nodes_metrics {
                    Some(_) => per.troubled_nodes.clone(),
                    None => of_cluster(t.nodes.all_rows(), cluster, multi),
                };
                rows.extend(triage::triage(
                    &per.triage_rows.pods.rows(),
                    &of_cluster(t.runs.all_rows(), cluster, multi),
                    &nodes,
                    &per.triage_rows.warnings.rows(),
                    app.now,
                    cluster,
                ));
            }
            let rows = triage::hold_order(rows, &mut self.triage_order);
            let rows = triage::with_history(rows, &app.timeline);
            app.tables.triage.set_rows(rows);
        }
        let mut effects = Vec::new();
        if app.stale.describe && app.view == View::Detail {
            app.stale.describe = false;
            effects.extend(self.describe(app, sources));
        }
        if app.view == View::Containers {
            effects.extend(self.containers(app, sources));
        }
        for (cluster, stores) in sources {
            let status = app.fleet.status_mut(cluster);
            for kind in ResourceKind::ALL {
                status.counts.insert(kind, stores.count(kind));
            }
        }
        auto_triage(app);
        effects
    }

    /// How many times every pod row was read (for the debug log).
    pub fn pods_whole_reads(&self) -> u64 {
        self.pods_whole_reads
    }

    fn refresh(&mut self, kind: ResourceKind, app: &mut App, sources: &Sources<'_>) {
        match kind {
            ResourceKind::Pods => self.refresh_pods(app, sources),
            // Derived as they arrived, on the informer's task.
            ResourceKind::Events => {
                let rows = sources.iter().flat_map(|(_, s)| s.events.rows()).collect();
                app.tables.events.set_rows(rows);
            }
            ResourceKind::Nodes => self.refresh_nodes(app, sources),
            ResourceKind::Namespaces => {
                app.fleet.pod_security = sources
                    .iter()
                    .map(|(id, stores)| {
                        let levels = stores
                            .namespaces
                            .state()
                            .iter()
                            .filter_map(|ns| Some((ns.metadata.name.clone()?, enforced_level(ns)?)))
                            .collect();
                        ((*id).clone(), levels)
                    })
                    .collect();
                let Some((_, stores)) = sources.first() else {
                    return;
                };
                let state = stores.namespaces.state();
                let mut rows = self.namespaces.refresh(&state, namespace_row);
                rows.insert(0, Arc::new(NamespaceRow::every()));
                app.tables.namespaces.set_rows(rows);
            }
            // Derived as they arrived, on the informer's task.
            ResourceKind::PipelineRuns => {
                let rows = sources
                    .iter()
                    .flat_map(|(_, s)| s.pipelineruns.rows())
                    .collect();
                app.tables.runs.set_rows(rows);
            }
            ResourceKind::TaskRuns => {
                let of = app.taskruns_of.as_ref().map(|r| r.cluster.clone());
                let found = sources
                    .iter()
                    .find(|(c, _)| Some(*c) == of.as_ref())
                    .and_then(|(c, s)| s.taskruns.as_ref().map(|t| (*c, t)));
                match found {
                    Some((cluster, store)) => {
                        let derive = |o: &kube::api::DynamicObject| TaskRunRow {
                            cluster: cluster.clone(),
                            ..taskrun_row(&dynamic_value(o))
                        };
                        let rows = self.taskruns.refresh(&store.state(), derive);
                        app.tables.taskruns.set_rows(rows);
                    }
                    None => app.tables.taskruns.set_rows(Vec::new()),
                }
            }
            // Watched for the timeline only: no table.
            ResourceKind::Workloads => {}
            ResourceKind::Generic => {
                let Some(shown) = app.resource.clone() else {
                    return app.tables.resource.set_rows(Vec::new());
                };
                let stores: Vec<_> = sources
                    .iter()
                    .filter_map(|(c, s)| s.generic.as_ref().map(|g| (*c, g)))
                    .collect();
                // The first cluster's columns; another server version may print others, read
                // by the same positions.
                let Some((_, first)) = stores.first() else {
                    return app.tables.resource.set_rows(Vec::new());
                };
                let columns = first.columns();
                let same = |l: &resource::Layout| {
                    Arc::ptr_eq(&l.columns, &columns) && l.api == shown.api && l.view == shown.view
                };
                let layout = match &self.resource_layout {
                    Some(l) if same(l) => l.clone(),
                    _ => {
                        // The user's sort (views.yaml `sortColumn`) when a kind's layout is new,
                        // not each time the server's columns come again.
                        // (Its columns known: the first layout may be made before they come.)
                        let new_kind = !columns.is_empty()
                            && self.resource_layout.as_ref().is_none_or(|l| {
                                l.api != shown.api || l.view != shown.view || l.columns.is_empty()
                            });
                        let l = Arc::new(resource::Layout::new(
                            shown.api.clone(),
                            columns,
                            shown.view.clone(),
                        ));
                        self.resource_layout = Some(l.clone());
                        if let Some((col, descending)) = l.sort().filter(|_| new_kind) {
                            app.tables.resource.set_columns(l.cols());
                            let shift = usize::from(app.tables.resource.by_cluster());
                            app.tables.resource.sort_by_col(col + shift, descending);
                        }
                        l
                    }
                };
                let rows = stores
                    .iter()
                    .flat_map(|(c, s)| resource::rows(c, s.rows(), &layout))
                    .collect();
                app.tables.resource.set_columns(layout.cols());
                app.tables.resource.set_rows(rows);
                super::kinds::follow_rollouts(app);
            }
        }
    }

    /// The nodes table. When only pods changed (not the nodes, the metrics or the thresholds),
    /// only the rows of nodes whose sums changed are re-made and placed again; else every
    /// node row is made (each node re-derived only if its object changed).
    fn refresh_nodes(&mut self, app: &mut App, sources: &Sources<'_>) {
        let thresholds = app.thresholds;
        let by_sums = std::mem::take(&mut self.nodes_by_sums)
            && self.nodes_version == Some(app.tables.nodes.rows_version())
            && self.nodes_thresholds == Some(thresholds)
            && sources.iter().all(|(c, _)| {
                let generation = app.fleet.status_of(c).metrics.generation;
                self.per
                    .get(*c)
                    .is_some_and(|per| per.nodes_metrics == Some(generation))
            });
        if by_sums {
            let mut changes = Vec::new();
            for (cluster, _) in sources {
                let Some(per) = self.per.get_mut(*cluster) else {
                    continue;
                };
                let status = app.fleet.status_of(cluster);
                let sample = status.metrics.sample.as_deref();
                for name in per.node_loads.take_changed() {
                    // (Pods bound to a node not listed, or not yet.)
                    let Some(row) = per.node_rows.get(&name) else {
                        continue;
                    };
                    let next = with_load(row, &per.node_loads, sample, thresholds);
                    if !Arc::ptr_eq(&next, row) {
                        changes.push((Some(row.clone()), Some(next.clone())));
                        per.node_rows.insert(name, next);
                    }
                }
            }
            app.tables.nodes.apply_changes(&changes);
        } else {
            self.nodes_whole_builds += 1;
            let mut all = Vec::new();
            for (cluster, stores) in sources {
                let per = self.per.entry((*cluster).clone()).or_default();
                // Each node's row is made once, by its informer, as it arrives.
                let rows = stores.nodes.rows();
                per.node_loads.take_changed();
                let metrics = &app.fleet.status_of(cluster).metrics;
                per.nodes_metrics = Some(metrics.generation);
                let sample = metrics.sample.as_deref();
                let rows: Vec<Arc<NodeRow>> = rows
                    .iter()
                    .map(|r| with_load(r, &per.node_loads, sample, thresholds))
                    .collect();
                per.node_rows = rows.iter().map(|r| (r.name.clone(), r.clone())).collect();
                per.troubled_nodes = rows
                    .iter()
                    .filter(|n| !n.ready || !n.pressure.is_empty())
                    .cloned()
                    .collect();
                all.extend(rows);
            }
            app.tables.nodes.set_rows(all);
            self.nodes_thresholds = Some(thresholds);
        }
        self.nodes_version = Some(app.tables.nodes.rows_version());
    }

    /// The pods table and the per-node sums. Under a storm of changes only the pods changed
    /// since the last frame are taken (read from each store's feed), and a new metrics sample
    /// re-makes only the rows whose usage it can change: a frame's work follows the changes,
    /// not the cluster. Every row is read when a store no longer holds the changes (a relist,
    /// a reader too far behind) or the table was set by someone else.
    fn refresh_pods(&mut self, app: &mut App, sources: &Sources<'_>) {
        let mut whole = self.pods_version != Some(app.tables.pods.rows_version());
        let mut reads = Vec::with_capacity(sources.len());
        for (cluster, stores) in sources {
            let per = self.per.entry((*cluster).clone()).or_default();
            let read = if whole {
                Since::All(stores.pods.all_since(&mut per.pods_read))
            } else {
                stores.pods.since(&mut per.pods_read)
            };
            match &read {
                Since::All(rows) => {
                    let changes = per.pods.changes(rows, pod_uid);
                    per.node_loads.apply(&changes);
                    whole = true;
                }
                Since::Changes(changes) => {
                    per.pods.follow(changes, pod_uid);
                    per.node_loads.apply(changes);
                }
            }
            reads.push(read);
        }
        if whole {
            self.pods_whole_reads += 1;
            let mut all = Vec::new();
            for ((cluster, stores), read) in sources.iter().zip(reads) {
                let per = self.per.entry((*cluster).clone()).or_default();
                let rows = match read {
                    Since::All(rows) => rows,
                    // Read as changes before another cluster needed every row: its rows now
                    // (what changed meanwhile taken as any list is).
                    Since::Changes(_) => {
                        let rows = stores.pods.all_since(&mut per.pods_read);
                        let changes = per.pods.changes(&rows, pod_uid);
                        per.node_loads.apply(&changes);
                        rows
                    }
                };
                let m = &app.fleet.status_of(cluster).metrics;
                all.extend(per.pod_usage.apply(rows, m.sample.as_deref(), m.generation));
            }
            app.tables.pods.set_rows(all);
        } else {
            let mut shown = Vec::new();
            for ((cluster, stores), read) in sources.iter().zip(reads) {
                let Since::Changes(changes) = read else {
                    continue;
                };
                let per = self.per.entry((*cluster).clone()).or_default();
                let metrics = &app.fleet.status_of(cluster).metrics;
                let sample = metrics.sample.as_deref();
                for (old, new) in changes {
                    let row = per.pod_usage.one(old.as_deref(), new, sample);
                    shown.push((old, row));
                }
                // A new sample: only the pods with usage before or in it are placed again.
                if !per.pod_usage.current(metrics.generation) {
                    let (pods, usage) = (&per.pods, &mut per.pod_usage);
                    let by_uid = |uid: &str| pods.get(uid, pod_uid).cloned();
                    let by_name = |ns: &str, name: &str| {
                        let row = stores.pods.get(ns, name)?;
                        pods.get(&row.uid, pod_uid).cloned()
                    };
                    shown.extend(usage.resample(sample, metrics.generation, by_uid, by_name));
                }
            }
            app.tables.pods.apply_changes(&shown);
        }
        self.pods_version = Some(app.tables.pods.rows_version());
    }

    /// The containers view's rows, from its pod as last fetched (fetched again when the
    /// pod's row changes); none once the pod is gone.
    fn containers(&mut self, app: &mut App, sources: &Sources<'_>) -> Vec<Effect> {
        let Some(target) = app.containers_of.clone() else {
            return Vec::new();
        };
        let Some((_, stores)) = sources.iter().find(|(c, _)| **c == target.cluster) else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        match described_pod(app, stores, &target, &mut effects) {
            None => {
                if !app.tables.containers.is_empty() {
                    app.tables.containers.set_rows(Vec::new());
                }
                self.containers_from = None;
            }
            Some(None) => {}
            Some(Some(pod)) => {
                let same = self
                    .containers_from
                    .as_ref()
                    .is_some_and(|p| Arc::ptr_eq(p, &pod));
                if !same {
                    let rows = super::containers::rows(&target.cluster, &pod);
                    app.tables.containers.set_rows(rows);
                    self.containers_from = Some(pod);
                }
            }
        }
        effects
    }

    /// Rebuild the describe pane from the stores of the object's cluster (a pod's from the
    /// pod as last fetched).
    fn describe(&mut self, app: &mut App, sources: &Sources<'_>) -> Vec<Effect> {
        let Some(target) = app
            .detail
            .as_ref()
            .filter(|d| d.kind == DetailKind::Describe)
            .map(|d| d.target.clone())
        else {
            return Vec::new();
        };
        let Some((_, stores)) = sources.iter().find(|(c, _)| **c == target.cluster) else {
            if let Some(d) = app.detail.as_mut() {
                d.status = Some(DetailStatus::NotShown(target.cluster.clone()));
            }
            return Vec::new();
        };
        let no_loads = NodeLoads::default();
        let loads = self
            .per
            .get(&target.cluster)
            .map_or(&no_loads, |p| &p.node_loads);
        let metrics = app.fleet.status_of(&target.cluster).metrics.clone();
        let mut effects = Vec::new();
        let pod = if target.kind == ResourceKind::Pods {
            match described_pod(app, stores, &target, &mut effects) {
                Some(None) => {
                    let failed = app.described.as_ref().is_some_and(|d| d.failed);
                    if let Some(d) = app.detail.as_mut().filter(|_| !failed) {
                        d.status = Some(DetailStatus::Loading);
                    }
                    return effects;
                }
                found => found.flatten(),
            }
        } else {
            None
        };
        let events = events_of(stores, &target);
        let events: Vec<&EventRow> = events.iter().collect();
        let now = app.now;
        let same = |ns: Option<&str>, name: Option<&str>| {
            name == Some(target.name.as_str()) && ns.unwrap_or_default() == target.namespace
        };
        let lines = match target.kind {
            ResourceKind::Pods => pod.map(|p| describe::pod(&p, &events, now)),
            ResourceKind::Nodes => {
                // The row says which version is current; the node itself is fetched.
                let version = stores
                    .nodes
                    .get("", &target.name)
                    .map(|r| r.resource_version.clone());
                let node = match fetched_object(app, &target, version.clone(), &mut effects) {
                    Fetched::Loading => return effects,
                    // Its row is gone: the node was deleted.
                    Fetched::Gone => None,
                    Fetched::Object(_) if version.is_none() => None,
                    Fetched::Object(o) => {
                        match serde_json::from_value::<k8s_openapi::api::core::v1::Node>(
                            (*o).clone(),
                        ) {
                            Ok(n) => Some(n),
                            Err(e) => {
                                if let Some(d) = app.detail.as_mut() {
                                    d.status = Some(DetailStatus::CannotGet(
                                        crate::kube::actions::ActionError::Decode(e.to_string()),
                                    ));
                                }
                                return effects;
                            }
                        }
                    }
                };
                node.map(|n| {
                    // From the store: the pods table is not refreshed while describing.
                    let pods: Vec<Arc<PodRow>> = stores
                        .pods
                        .rows()
                        .into_iter()
                        .filter(|p| p.node == target.name)
                        .collect();
                    let extras = describe::NodeExtras {
                        pods: &pods,
                        load: loads.get(&target.name),
                        usage: metrics
                            .sample
                            .as_ref()
                            .and_then(|s| s.nodes.get(&target.name).copied()),
                        history: metrics.history.get(&target.name),
                        now,
                    };
                    describe::node(&n, &extras, &events, now)
                })
            }
            ResourceKind::Namespaces => stores
                .namespaces
                .state()
                .iter()
                .find(|n| same(None, n.metadata.name.as_deref()))
                .map(|n| describe::namespace(n, &events, now)),
            ResourceKind::Events => stores
                .events
                .get(&target.namespace, &target.name)
                .map(|e| describe::event(&e, now)),
            ResourceKind::PipelineRuns => {
                // The row says which version is current; the run itself is fetched.
                let version = stores
                    .pipelineruns
                    .get(&target.namespace, &target.name)
                    .map(|r| r.resource_version.clone());
                match fetched_object(app, &target, version.clone(), &mut effects) {
                    Fetched::Loading => return effects,
                    // Its row is gone: the run was deleted.
                    Fetched::Gone => None,
                    Fetched::Object(_) if version.is_none() => None,
                    Fetched::Object(o) => {
                        let rows: Vec<Arc<PodRow>> = stores
                            .pods
                            .rows()
                            .into_iter()
                            .filter(|p| {
                                p.namespace == target.namespace
                                    && p.labels.get("tekton.dev/pipelineRun") == Some(&target.name)
                            })
                            .collect();
                        let pods: Vec<&PodRow> = rows.iter().map(|r| &**r).collect();
                        Some(describe::pipelinerun(&o, &pods, &events, now))
                    }
                }
            }
            ResourceKind::TaskRuns => stores.taskruns.as_ref().and_then(|s| {
                s.state()
                    .iter()
                    .find(|o| same(o.metadata.namespace.as_deref(), o.metadata.name.as_deref()))
                    .map(|o| describe::taskrun(&dynamic_value(o), &events, now))
            }),
            ResourceKind::Workloads => None,
            ResourceKind::Generic => {
                let reveal = app.detail.as_ref().is_some_and(|x| x.revealed);
                let version = stores
                    .generic
                    .as_ref()
                    .and_then(|s| s.get(&target.namespace, &target.name))
                    .map(|r| r.resource_version.clone());
                match fetched_object(app, &target, version, &mut effects) {
                    Fetched::Loading => return effects,
                    Fetched::Gone => None,
                    Fetched::Object(o) => Some(describe::generic(&o, &events, now, reveal)),
                }
            }
        };
        // A pod's describe says what the current user may do to it, before its containers.
        let lines = match (lines, target.kind) {
            (Some(mut lines), ResourceKind::Pods) => {
                let (access, asked) = super::access::pod_lines(app, &target);
                effects.extend(asked);
                let at = lines
                    .iter()
                    .position(|l| {
                        let text = super::detail::Detail::line_text(l);
                        text == "Containers:" || text == "Events:"
                    })
                    .unwrap_or(lines.len());
                lines.splice(at..at, access);
                Some(lines)
            }
            (lines, _) => lines,
        };
        // Its last changes, as the timeline saw them, before its events.
        let lines = lines.map(|mut lines| {
            let history = super::timeline::history_lines(app, &target, now);
            if !history.is_empty() {
                let at = lines
                    .iter()
                    .position(|l| super::detail::Detail::line_text(l) == "Events:")
                    .unwrap_or(lines.len());
                lines.splice(at..at, history);
            }
            lines
        });
        if let Some(d) = app.detail.as_mut() {
            match lines {
                Some(lines) => d.set_lines(lines),
                None => d.status = Some(DetailStatus::Gone),
            }
        }
        effects
    }
}

/// An object described from a fetch (the informer keeps only its row).
enum Fetched {
    /// The first fetch is in flight (the pane says so).
    Loading,
    /// No fetch made: the object is not described (left to the caller to say why).
    Gone,
    Object(Arc<Value>),
}

/// The object to describe, as last fetched; fetched again when its row shows a newer
/// `version` than the one fetched.
fn fetched_object(
    app: &mut App,
    target: &ObjectRef,
    version: Option<String>,
    effects: &mut Vec<Effect>,
) -> Fetched {
    let Some(d) = app
        .described_object
        .as_mut()
        .filter(|d| d.target == *target)
    else {
        return Fetched::Gone;
    };
    let newer = version.is_some() && version != d.version;
    if newer && !d.in_flight && d.object.is_some() {
        d.in_flight = true;
        effects.push(Effect::FetchYaml(target.clone()));
    }
    match d.object.clone() {
        Some(o) => Fetched::Object(o),
        None => {
            if let Some(detail) = app.detail.as_mut().filter(|_| !d.failed) {
                detail.status = Some(DetailStatus::Loading);
            }
            Fetched::Loading
        }
    }
}

/// The events about `target`, from the store.
fn events_of(stores: &Stores, target: &ObjectRef) -> Vec<EventRow> {
    stores
        .events
        .rows()
        .iter()
        .filter(|r| target.is(&r.object_kind, &r.object_namespace, &r.object_name))
        .map(|r| (**r).clone())
        .collect()
}

/// The pod to describe, as last fetched; asks for it (again) when its row is new. `None` when
/// it is gone; `Some(None)` while the first fetch is in flight.
fn described_pod(
    app: &mut App,
    stores: &Stores,
    target: &ObjectRef,
    effects: &mut Vec<Effect>,
) -> Option<Option<Arc<k8s_openapi::api::core::v1::Pod>>> {
    let row = stores.pods.get(&target.namespace, &target.name)?;
    let d = match app.described.as_mut().filter(|d| d.target == *target) {
        Some(d) => d,
        None => app.described.insert(DescribedPod {
            target: target.clone(),
            row: None,
            pod: None,
            in_flight: false,
            failed: false,
        }),
    };
    let changed = !d.row.as_ref().is_some_and(|r| Arc::ptr_eq(r, &row));
    if changed && !d.in_flight {
        d.row = Some(row);
        d.in_flight = true;
        d.failed = false;
        effects.push(Effect::FetchPod(target.clone()));
    }
    Some(d.pod.clone())
}

/// On the first sync, open triage if something is broken and the user has not moved yet.
fn auto_triage(app: &mut App) {
    if !app.auto_triage {
        return;
    }
    if !app.untouched || app.view != View::Pods {
        app.auto_triage = false;
        return;
    }
    let synced = [
        ResourceKind::Pods,
        ResourceKind::Nodes,
        ResourceKind::Events,
    ]
    .into_iter()
    .all(|k| app.fleet.informer(k) == InformerState::Live);
    if !synced {
        return;
    }
    app.auto_triage = false;
    if !app.tables.triage.is_empty() {
        // What the status bar says (a config warning) stays.
        let notice = app.notice.take();
        navigate(app, View::Triage);
        app.notice = notice;
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{Event, Node, Pod};
    use kube::runtime::watcher;
    use serde_json::json;

    use super::*;
    use crate::app::detail::Detail;
    use crate::app::fixture::{cluster, obj};
    use crate::kube::cluster::StoreWriters;
    use crate::kube::ids::Scope;

    fn app() -> App {
        let mut a = App::new(cluster(), "https://sim".into(), Scope::All, false);
        a.now = crate::app::fixture::now();
        a
    }

    fn pod(name: &str, node: &str, rv: &str) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "demo", "uid": format!("uid-{name}"),
                         "resourceVersion": rv, "creationTimestamp": "2026-11-22T11:00:00Z"},
            "spec": {"nodeName": node, "containers": [{"name": "app", "image": "busybox",
                     "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "app", "ready": true, "restartCount": 0, "image": "busybox", "imageID": "",
                 "state": {"running": {"startedAt": "2026-11-22T11:00:00Z"}}}]}
        }))
        .unwrap_or_default()
    }

    fn node(name: &str) -> Node {
        serde_json::from_value(json!({
            "metadata": {"name": name, "uid": format!("uid-{name}"), "resourceVersion": "1",
                         "creationTimestamp": "2026-11-01T00:00:00Z"},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True"}]}
        }))
        .unwrap_or_default()
    }

    fn warning(name: &str, about: &str) -> Event {
        serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "demo", "uid": name, "resourceVersion": "1"},
            "involvedObject": {"kind": "Pod", "namespace": "demo", "name": about},
            "type": "Warning", "reason": "BackOff", "message": "Back-off restarting failed container",
            "count": 3, "lastTimestamp": "2026-11-22T11:59:00Z"
        }))
        .unwrap_or_default()
    }

    /// Stores listed with `pods` on `nodes` and `events`, as an informer's first list does.
    fn listed(pods: Vec<Pod>, nodes: Vec<Node>, events: Vec<Event>) -> (Stores, StoreWriters) {
        let (stores, mut w) = Stores::with_writers(&crate::app::fixture::cluster());
        w.pods.apply(&watcher::Event::Init);
        for p in pods {
            w.pods.apply(&watcher::Event::InitApply(p));
        }
        w.pods.apply(&watcher::Event::InitDone);
        for n in nodes {
            w.nodes.apply(&watcher::Event::Apply(n));
        }
        w.events.apply(&watcher::Event::Init);
        for e in events {
            w.events.apply(&watcher::Event::InitApply(e));
        }
        w.events.apply(&watcher::Event::InitDone);
        (stores, w)
    }

    fn text(d: &Detail) -> String {
        d.lines
            .iter()
            .map(Detail::line_text)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_pods_view_shows_the_store_and_follows_its_changes() {
        let (stores, mut w) = listed(vec![pod("web-1", "n1", "1")], vec![], vec![]);
        let mut a = app();
        let mut p = Projection::default();
        p.project(&mut a, &stores);
        assert_eq!(a.tables.pods.len(), 1);
        assert_eq!(a.fleet.count(ResourceKind::Pods), 1);
        // A new pod reaches the table only once the informer says the kind changed.
        w.pods
            .apply(&watcher::Event::Apply(pod("web-2", "n1", "2")));
        p.project(&mut a, &stores);
        assert_eq!(
            a.tables.pods.len(),
            1,
            "not marked stale: the table is not rebuilt"
        );
        a.stale.kinds.insert(ResourceKind::Pods);
        p.project(&mut a, &stores);
        assert_eq!(a.tables.pods.len(), 2);
        w.pods
            .apply(&watcher::Event::Delete(pod("web-1", "n1", "3")));
        a.stale.kinds.insert(ResourceKind::Pods);
        p.project(&mut a, &stores);
        let names: Vec<&str> = a
            .tables
            .pods
            .all_rows()
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(names, ["web-2"]);
    }

    /// Under a storm only the changed pods are taken, and the table and the per-node sums
    /// end as a fresh read of the store makes them: sorted, filtered, pods moved between nodes,
    /// deleted and made again under the same name (a new uid).
    #[test]
    fn pods_taken_by_changes_end_as_a_fresh_read() {
        let names: Vec<String> = (0..200).map(|i| format!("web-{i:03}")).collect();
        let pods = names.iter().map(|n| pod(n, "n1", "1")).collect();
        let (stores, mut w) = listed(pods, vec![node("n1"), node("n2")], vec![]);
        let mut a = app();
        let mut p = Projection::default();
        p.project(&mut a, &stores);
        a.tables.pods.sort_by_col(1, true);
        a.tables
            .pods
            .set_filter(crate::app::filter::Filter::new("web-1"));
        let mut rng = fastrand::Rng::with_seed(29);
        let mut moved_under_cursor = 0;
        let mut with_usage = 0;
        let mut usage: Option<(std::sync::Arc<crate::kube::metrics::Sample>, u64)> = None;
        for round in 0..60 {
            // The cursor somewhere in the table: it stays on its pod while that is shown.
            let len = a.tables.pods.len();
            a.tables.pods.select(rng.usize(..len.max(1)));
            let selected = a.tables.pods.selected_row().map(|r| r.uid.clone());
            for _ in 0..5 {
                let name = &names[rng.usize(..names.len())];
                let node = if rng.bool() { "n1" } else { "n2" };
                let rv = format!("{}", 10 + round);
                match rng.u8(..4) {
                    0 => w.pods.apply(&watcher::Event::Delete(pod(name, node, &rv))),
                    1 => {
                        // Deleted and made again at once: the same name, another uid.
                        let mut again = pod(name, node, &rv);
                        again.metadata.uid = Some(format!("uid-{name}-{round}"));
                        w.pods.apply(&watcher::Event::Apply(again));
                    }
                    _ => w.pods.apply(&watcher::Event::Apply(pod(name, node, &rv))),
                }
            }
            // Every few rounds a new metrics sample, of a few pods (the namespaces on screen).
            let sample = (round % 4 == 1).then(|| {
                let mut s = crate::kube::metrics::Sample::default();
                for _ in 0..10 {
                    let name = &names[rng.usize(..names.len())];
                    s.insert_pod("demo", name, (round as i64 * 10, 64 << 20));
                }
                std::sync::Arc::new(s)
            });
            if let Some(s) = sample {
                let m = &mut a.fleet.status_mut(&cluster()).metrics;
                m.sample = Some(s.clone());
                m.generation += 1;
                usage = Some((s, m.generation));
            }
            a.stale.kinds.insert(ResourceKind::Pods);
            p.project(&mut a, &stores);
            let mut fresh = app();
            if let Some((s, generation)) = &usage {
                let m = &mut fresh.fleet.status_mut(&cluster()).metrics;
                m.sample = Some(s.clone());
                m.generation = *generation;
            }
            fresh.tables.pods.sort_by_col(1, true);
            fresh
                .tables
                .pods
                .set_filter(crate::app::filter::Filter::new("web-1"));
            Projection::default().project(&mut fresh, &stores);
            let shown = |t: &crate::app::table::Table<PodRow>| {
                (0..t.len())
                    .filter_map(|i| {
                        t.row(i)
                            .map(|r| format!("{}/{} {:?}", r.name, r.uid, r.usage))
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                shown(&a.tables.pods),
                shown(&fresh.tables.pods),
                "round {round}"
            );
            assert_eq!(a.tables.pods.total(), stores.pods.len());
            let still = (0..fresh.tables.pods.len())
                .any(|i| fresh.tables.pods.row(i).map(|r| &r.uid) == selected.as_ref());
            with_usage += a
                .tables
                .pods
                .all_rows()
                .iter()
                .filter(|r| r.usage.is_some())
                .count();
            if still {
                let now = a.tables.pods.selected_row().map(|r| r.uid.clone());
                assert_eq!(now, selected, "round {round}: the cursor left its pod");
                moved_under_cursor += 1;
            }
            let per = &p.per[&cluster()];
            assert!(
                per.node_loads == NodeLoads::recount(&stores.pods.rows()),
                "round {round}"
            );
        }
        assert_eq!(p.pods_whole_reads, 1, "only the first read took every row");
        assert!(moved_under_cursor > 30, "the cursor was checked");
        assert!(with_usage > 100, "usage was shown");
    }

    /// Under a storm of pod changes only the nodes whose sums changed are made again; the
    /// table ends as a fresh build makes it, and a changed node or metrics sample makes every
    /// row again.
    #[test]
    fn node_rows_follow_the_changed_sums_and_end_as_a_fresh_build() {
        let nodes: Vec<String> = (1..=6).map(|i| format!("n{i}")).collect();
        let names: Vec<String> = (0..120).map(|i| format!("web-{i:03}")).collect();
        let pods = names.iter().map(|n| pod(n, "n1", "1")).collect();
        let (stores, mut w) = listed(pods, nodes.iter().map(|n| node(n)).collect(), vec![]);
        let mut a = app();
        a.view = View::Nodes;
        let mut p = Projection::default();
        p.project(&mut a, &stores);
        a.tables.nodes.sort_by_col(2, true);
        let mut rng = fastrand::Rng::with_seed(7);
        let mut whole = 1;
        for round in 0..40 {
            for _ in 0..4 {
                let name = &names[rng.usize(..names.len())];
                let node = &nodes[rng.usize(..nodes.len())];
                let rv = format!("{}", 10 + round);
                match rng.u8(..4) {
                    0 => w.pods.apply(&watcher::Event::Delete(pod(name, node, &rv))),
                    _ => w.pods.apply(&watcher::Event::Apply(pod(name, node, &rv))),
                }
            }
            a.stale.kinds.insert(ResourceKind::Pods);
            if round % 10 == 5 {
                // A node changed: every row is made again.
                let mut n = node("n3");
                n.metadata.resource_version = Some(format!("{round}"));
                w.nodes.apply(&watcher::Event::Apply(n));
                a.stale.kinds.insert(ResourceKind::Nodes);
                whole += 1;
            }
            p.project(&mut a, &stores);
            let mut fresh = app();
            fresh.view = View::Nodes;
            fresh.tables.nodes.sort_by_col(2, true);
            Projection::default().project(&mut fresh, &stores);
            let shown = |t: &crate::app::table::Table<NodeRow>| {
                (0..t.len())
                    .filter_map(|i| {
                        t.row(i)
                            .map(|r| format!("{} {} {:?}", r.name, r.pods, r.load))
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                shown(&a.tables.nodes),
                shown(&fresh.tables.nodes),
                "round {round}"
            );
        }
        assert_eq!(
            p.nodes_whole_builds, whole,
            "only the first build and changed nodes made every row"
        );
    }

    #[test]
    fn nodes_count_their_pods_from_the_pod_rows() {
        let pods = vec![
            pod("a", "n1", "1"),
            pod("b", "n1", "1"),
            pod("c", "n2", "1"),
        ];
        let (stores, _w) = listed(pods, vec![node("n1"), node("n2")], vec![]);
        let mut a = app();
        a.view = View::Nodes;
        Projection::default().project(&mut a, &stores);
        let count = |name: &str| {
            a.tables
                .nodes
                .all_rows()
                .iter()
                .find(|n| n.name == name)
                .map(|n| n.pods)
        };
        assert_eq!((count("n1"), count("n2")), (Some(2), Some(1)));
    }

    #[test]
    fn triage_lists_what_is_broken_with_its_warning_events() {
        let events = vec![warning("e1", "web-1")];
        let (stores, mut w) = listed(vec![pod("web-1", "n1", "1")], vec![node("n1")], events);
        let mut a = app();
        a.view = View::Triage;
        let mut p = Projection::default();
        p.project(&mut a, &stores);
        let warned = |a: &App, about: &str| {
            a.tables
                .triage
                .all_rows()
                .iter()
                .any(|r| r.problem == "WarningEvent" && r.target.name == about)
        };
        assert!(warned(&a, "web-1"));
        assert_eq!(a.tables.triage.all_rows()[0].target.cluster, cluster());
        // Warnings are kept by changes: a new one is listed, a deleted one goes.
        w.events
            .apply(&watcher::Event::Apply(warning("e2", "web-2")));
        w.events
            .apply(&watcher::Event::Delete(warning("e1", "web-1")));
        a.stale.kinds.insert(ResourceKind::Events);
        p.project(&mut a, &stores);
        assert!(warned(&a, "web-2") && !warned(&a, "web-1"));
    }

    /// Triage's node rows come from the node rows the projection made: a NotReady node stays
    /// listed while only its pods change, and goes once the node is Ready again.
    #[test]
    fn a_not_ready_node_is_in_triage_until_it_is_ready() {
        let mut down = node("n2");
        if let Some(c) = down
            .status
            .as_mut()
            .and_then(|s| s.conditions.as_mut())
            .and_then(|c| c.first_mut())
        {
            c.status = "False".into();
        }
        let (stores, mut w) = listed(vec![pod("a", "n1", "1")], vec![node("n1"), down], vec![]);
        let mut a = app();
        a.view = View::Triage;
        let mut p = Projection::default();
        p.project(&mut a, &stores);
        let listed_nodes = |a: &App| -> Vec<String> {
            (a.tables.triage.all_rows().iter())
                .filter(|r| r.problem == "NodeNotReady")
                .map(|r| r.target.name.clone())
                .collect()
        };
        assert_eq!(listed_nodes(&a), ["n2"]);
        w.pods.apply(&watcher::Event::Apply(pod("b", "n2", "2")));
        a.stale.kinds.insert(ResourceKind::Pods);
        p.project(&mut a, &stores);
        assert_eq!(
            listed_nodes(&a),
            ["n2"],
            "still listed while only pods change"
        );
        let mut up = node("n2");
        up.metadata.resource_version = Some("2".into());
        w.nodes.apply(&watcher::Event::Apply(up));
        a.stale.kinds.insert(ResourceKind::Nodes);
        p.project(&mut a, &stores);
        assert!(listed_nodes(&a).is_empty());
    }

    /// The node describe counted pods from the pods table, which is not refreshed while the
    /// describe pane is open: a pod scheduled meanwhile never showed. It reads the store now.
    #[test]
    fn a_node_describe_follows_pods_scheduled_while_it_is_open() {
        let (stores, mut w) = listed(vec![pod("a", "n1", "1")], vec![node("n1")], vec![]);
        let mut a = app();
        a.view = View::Nodes;
        let mut p = Projection::default();
        p.project(&mut a, &stores);
        let target = obj(ResourceKind::Nodes, "", "n1");
        // The store keeps the node's row: its describe asks for the node.
        let asked = crate::app::navigate::open_detail(&mut a, target.clone(), DetailKind::Describe);
        assert_eq!(asked, [Effect::FetchYaml(target.clone())]);
        assert!(p.project(&mut a, &stores).is_empty(), "one fetch at a time");
        assert_eq!(
            a.detail.as_ref().and_then(|d| d.status.clone()),
            Some(DetailStatus::Loading)
        );
        let answer = |n: Node| {
            crate::app::msg::Done::Yaml(
                target.clone(),
                Ok(serde_json::to_value(n).unwrap_or_default()),
            )
        };
        crate::app::results::done(&mut a, answer(node("n1")));
        p.project(&mut a, &stores);
        let before = a.detail.as_ref().map(text).unwrap_or_default();
        assert!(before.contains("Conditions:"), "{before}");
        assert!(
            before.contains("demo/a") || before.contains(" a "),
            "{before}"
        );
        assert!(!before.contains("late-pod"), "{before}");
        // A pod lands on the node while its describe is open.
        w.pods
            .apply(&watcher::Event::Apply(pod("late-pod", "n1", "2")));
        a.stale.kinds.insert(ResourceKind::Pods);
        a.stale.describe = true;
        p.project(&mut a, &stores);
        let after = a.detail.as_ref().map(text).unwrap_or_default();
        assert!(after.contains("late-pod"), "{after}");
        // The node itself changed (a newer resourceVersion in its row): fetched again, and
        // its describe shows the new object.
        let mut cordoned = node("n1");
        cordoned.metadata.resource_version = Some("7".into());
        cordoned.spec = Some(k8s_openapi::api::core::v1::NodeSpec {
            unschedulable: Some(true),
            ..Default::default()
        });
        w.nodes.apply(&watcher::Event::Apply(cordoned.clone()));
        a.stale.kinds.insert(ResourceKind::Nodes);
        a.stale.describe = true;
        assert_eq!(
            p.project(&mut a, &stores),
            [Effect::FetchYaml(target.clone())]
        );
        crate::app::results::done(&mut a, answer(cordoned));
        p.project(&mut a, &stores);
        let cordoned = a.detail.as_ref().map(text).unwrap_or_default();
        let unschedulable = |text: &str| {
            text.lines()
                .find(|l| l.starts_with("Unschedulable:"))
                .map(|l| l.split_whitespace().last().unwrap_or_default().to_string())
        };
        assert_eq!(unschedulable(&before).as_deref(), Some("false"), "{before}");
        assert_eq!(
            unschedulable(&cordoned).as_deref(),
            Some("true"),
            "{cordoned}"
        );
        // The node is deleted: its describe says it is gone.
        w.nodes.apply(&watcher::Event::Delete(node("n1")));
        a.stale.describe = true;
        p.project(&mut a, &stores);
        assert_eq!(
            a.detail.as_ref().and_then(|d| d.status.clone()),
            Some(DetailStatus::Gone)
        );
    }

    #[test]
    fn a_pod_describe_fetches_the_pod_and_again_when_its_row_changes() {
        let (stores, mut w) = listed(vec![pod("web-1", "n1", "1")], vec![], vec![]);
        let mut a = app();
        let mut p = Projection::default();
        p.project(&mut a, &stores);
        let target = obj(ResourceKind::Pods, "demo", "web-1");
        crate::app::navigate::open_detail(&mut a, target.clone(), DetailKind::Describe);
        let effects = p.project(&mut a, &stores);
        assert_eq!(effects, [Effect::FetchPod(target.clone())]);
        assert_eq!(
            a.detail.as_ref().and_then(|d| d.status.clone()),
            Some(DetailStatus::Loading)
        );
        // Nothing new while the fetch is in flight.
        a.stale.describe = true;
        assert!(p.project(&mut a, &stores).is_empty());
        let fetched = Arc::new(pod("web-1", "n1", "1"));
        crate::app::results::done(
            &mut a,
            crate::app::msg::Done::Pod(target.clone(), Ok(fetched)),
        );
        // The same row: no new fetch (only the user's rights in its namespace are asked, once,
        // for the describe's access line).
        assert_eq!(
            p.project(&mut a, &stores),
            [Effect::ReviewAccess(cluster(), "demo".into())],
        );
        let shown = a.detail.as_ref().map(text).unwrap_or_default();
        assert!(shown.contains("web-1"), "{shown}");
        // The pod changed: its row is replaced, so it is fetched again.
        w.pods
            .apply(&watcher::Event::Apply(pod("web-1", "n2", "5")));
        a.stale.describe = true;
        assert_eq!(p.project(&mut a, &stores), [Effect::FetchPod(target)]);
    }

    #[test]
    fn a_new_scope_starts_from_fresh_caches() {
        let (stores, _w) = listed(vec![pod("a", "n1", "1")], vec![node("n1")], vec![]);
        let mut a = app();
        a.view = View::Nodes;
        let mut p = Projection::default();
        p.project(&mut a, &stores);
        let effects = crate::app::navigate::switch_scope(&mut a, Scope::Namespace("demo".into()));
        assert!(
            matches!(&effects[..], [Effect::Connect(w)] if w[0].scope == Scope::Namespace("demo".into()))
        );
        assert!(
            a.tables.nodes.is_empty(),
            "tables start empty on a new scope"
        );
        p.project(&mut a, &stores);
        assert_eq!(a.tables.nodes.len(), 1);
    }
}
