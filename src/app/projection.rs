//! The projection: stores + caches + view state -> the rows and lines a view shows. Pure (no
//! I/O, no awaiting): it reads the informers' stores, brings the tables the current view needs
//! up to date (only the kinds that changed), recomputes triage, rebuilds the describe pane, and
//! asks for what it cannot know (the pod a describe shows) as effects. Unit-tested by feeding
//! watch events into the stores.

use std::sync::Arc;

use serde_json::Value;

use super::action::Effect;
use super::describe;
use super::detail::DetailKind;
use super::navigate::navigate;
use super::state::{App, DescribedPod, View};
use super::triage;
use crate::kube::cluster::Stores;
use crate::kube::event_row::EventRow;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::informer::{InformerState, ResourceKind};
use crate::kube::metrics::PodUsage;
use crate::kube::namespace_row::{NamespaceRow, namespace_row};
use crate::kube::node_load::NodeLoads;
use crate::kube::node_row::{NodeRow, node_row};
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::PodRow;
use crate::kube::row_cache::RowCache;
use crate::kube::row_store::RowDiff;
use crate::kube::tekton_row::{PipelineRunRow, TaskRunRow, pipelinerun_row, taskrun_row};

/// Rows derived from the stores, re-derived only for objects whose resourceVersion changed,
/// and aggregates kept by delta. Reset whenever the cluster, scope or PipelineRun shown changes.
#[derive(Default)]
pub struct Projection {
    /// What the caches were built for.
    source: Option<(ClusterId, Scope)>,
    taskruns_of: Option<ObjectRef>,
    /// What changed among the pod rows, for the per-node sums.
    pods: RowDiff<PodRow>,
    nodes: RowCache<NodeRow>,
    namespaces: RowCache<NamespaceRow>,
    runs: RowCache<PipelineRunRow>,
    taskruns: RowCache<TaskRunRow>,
    /// Requests and limits per node, kept by delta from the pod rows.
    node_loads: NodeLoads,
    pod_usage: PodUsage,
}

fn dynamic_value(o: &kube::api::DynamicObject) -> Value {
    serde_json::to_value(o).unwrap_or(Value::Null)
}

impl Projection {
    /// Bring what the current view shows up to date with `stores`; effects for what must be
    /// fetched.
    pub fn project(&mut self, app: &mut App, stores: &Stores) -> Vec<Effect> {
        let source = Some((app.cluster.clone(), app.scope.clone()));
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
        let mut needed: Vec<ResourceKind> = app.view.needs().to_vec();
        if app.auto_triage {
            needed.extend(View::Triage.needs());
        }
        // Node pod counts read the pod rows, so pods go first.
        needed.sort();
        needed.dedup();
        for kind in needed {
            if kind == ResourceKind::Pods && app.stale.kinds.contains(&kind) {
                // Node rows count pods.
                app.stale.kinds.insert(ResourceKind::Nodes);
            }
            if app.stale.kinds.remove(&kind) {
                self.refresh(kind, app, stores);
                app.stale.triage |= View::Triage.needs().contains(&kind);
            }
        }
        if app.stale.triage && (app.view == View::Triage || app.auto_triage) {
            app.stale.triage = false;
            let t = &app.tables;
            let rows = triage::triage(
                t.pods.all_rows(),
                t.runs.all_rows(),
                t.nodes.all_rows(),
                t.events.all_rows(),
                app.now,
                &app.cluster,
            );
            app.tables.triage.set_rows(rows);
        }
        let mut effects = Vec::new();
        if app.stale.describe && app.view == View::Detail {
            app.stale.describe = false;
            effects.extend(self.describe(app, stores));
        }
        for kind in ResourceKind::ALL {
            app.counts.insert(kind, stores.count(kind));
        }
        auto_triage(app);
        effects
    }

    fn refresh(&mut self, kind: ResourceKind, app: &mut App, stores: &Stores) {
        let t = &mut app.tables;
        match kind {
            ResourceKind::Pods => {
                // Derived as they arrived, on the informer's task.
                let rows = stores.pods.rows();
                let changes = self.pods.changes(&rows, |r| r.uid.as_str());
                self.node_loads.apply(&changes);
                let m = &app.metrics;
                let rows = self
                    .pod_usage
                    .apply(rows, m.sample.as_deref(), m.generation);
                t.pods.set_rows(rows);
            }
            // Derived as they arrived, on the informer's task.
            ResourceKind::Events => t.events.set_rows(stores.events.rows()),
            ResourceKind::Nodes => {
                let rows = self.nodes.refresh(&stores.nodes.state(), node_row);
                let loads = &self.node_loads;
                let sample = app.metrics.sample.as_deref();
                let thresholds = app.thresholds;
                let rows = rows
                    .into_iter()
                    .map(|r| {
                        let load = loads.get(&r.name);
                        let usage = sample.and_then(|s| s.nodes.get(&r.name).copied());
                        let mut next = (*r).clone();
                        next.load = load;
                        next.pods = load.pods as usize;
                        next.usage = usage;
                        next.heat = next.heat_for(thresholds);
                        if next == *r { r } else { Arc::new(next) }
                    })
                    .collect();
                t.nodes.set_rows(rows);
            }
            ResourceKind::Namespaces => {
                let state = stores.namespaces.state();
                let mut rows = self.namespaces.refresh(&state, namespace_row);
                rows.insert(0, Arc::new(NamespaceRow::every()));
                t.namespaces.set_rows(rows);
            }
            ResourceKind::PipelineRuns => {
                if let Some(store) = stores.pipelineruns.get() {
                    let derive = |o: &kube::api::DynamicObject| pipelinerun_row(&dynamic_value(o));
                    t.runs.set_rows(self.runs.refresh(&store.state(), derive));
                }
            }
            ResourceKind::TaskRuns => match &stores.taskruns {
                Some(store) => {
                    let derive = |o: &kube::api::DynamicObject| taskrun_row(&dynamic_value(o));
                    t.taskruns
                        .set_rows(self.taskruns.refresh(&store.state(), derive));
                }
                None => t.taskruns.set_rows(Vec::new()),
            },
        }
    }

    /// Rebuild the describe pane from the stores (a pod's from the pod as last fetched).
    fn describe(&mut self, app: &mut App, stores: &Stores) -> Vec<Effect> {
        let Some(target) = app
            .detail
            .as_ref()
            .filter(|d| d.kind == DetailKind::Describe)
            .map(|d| d.target.clone())
        else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        let pod = if target.kind == ResourceKind::Pods {
            match described_pod(app, stores, &target, &mut effects) {
                Some(None) => {
                    let failed = app.described.as_ref().is_some_and(|d| d.failed);
                    if let Some(d) = app.detail.as_mut().filter(|_| !failed) {
                        d.status = Some("loading…".into());
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
            ResourceKind::Nodes => stores
                .nodes
                .state()
                .iter()
                .find(|n| same(None, n.metadata.name.as_deref()))
                .map(|n| {
                    // From the store: the pods table is not refreshed while describing.
                    let pods: Vec<Arc<PodRow>> = stores
                        .pods
                        .rows()
                        .into_iter()
                        .filter(|p| p.node == target.name)
                        .collect();
                    let extras = describe::NodeExtras {
                        pods: &pods,
                        load: self.node_loads.get(&target.name),
                        usage: app
                            .metrics
                            .sample
                            .as_ref()
                            .and_then(|s| s.nodes.get(&target.name).copied()),
                        history: app.metrics.history.get(&target.name),
                    };
                    describe::node(n, &extras, &events, now)
                }),
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
            ResourceKind::PipelineRuns => stores.pipelineruns.get().and_then(|s| {
                s.state()
                    .iter()
                    .find(|o| same(o.metadata.namespace.as_deref(), o.metadata.name.as_deref()))
                    .map(|o| {
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
                        describe::pipelinerun(&dynamic_value(o), &pods, &events, now)
                    })
            }),
            ResourceKind::TaskRuns => stores.taskruns.as_ref().and_then(|s| {
                s.state()
                    .iter()
                    .find(|o| same(o.metadata.namespace.as_deref(), o.metadata.name.as_deref()))
                    .map(|o| describe::taskrun(&dynamic_value(o), &events, now))
            }),
        };
        if let Some(d) = app.detail.as_mut() {
            match lines {
                Some(lines) => d.set_lines(lines),
                None => d.status = Some(format!("{} is gone (or not loaded yet)", target.label())),
            }
        }
        effects
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
    .all(|k| app.informer(k) == InformerState::Live);
    if !synced {
        return;
    }
    app.auto_triage = false;
    if !app.tables.triage.is_empty() {
        // What the status bar says (a config warning) stays.
        let message = app.message.take();
        navigate(app, View::Triage);
        app.message = message;
    }
}
