//! What the user has selected, looked up once for every action: the object under the cursor
//! (a triage row's target, the object a describe pane shows) and, when it is a pod, its row.

use std::sync::Arc;

use super::state::{App, View};
use super::table::TableRow;
use crate::kube::informer::ResourceKind;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::PodRow;

/// The object under the cursor: a table's row, a triage row's target, or the object the
/// detail pane shows.
pub fn selected_object(app: &App) -> Option<ObjectRef> {
    let c = &app.fleet.cluster;
    let t = &app.tables;
    match app.view {
        View::Detail => app.detail.as_ref().map(|d| d.target.clone()),
        View::Triage => t.triage.selected_row().map(|r| r.target.clone()),
        View::Pods => t.pods.selected_row().and_then(|r| TableRow::object(r, c)),
        View::PipelineRuns => t.runs.selected_row().and_then(|r| TableRow::object(r, c)),
        View::TaskRuns => t
            .taskruns
            .selected_row()
            .and_then(|r| TableRow::object(r, c)),
        View::Events => t.events.selected_row().and_then(|r| TableRow::object(r, c)),
        View::Nodes => t.nodes.selected_row().and_then(|r| TableRow::object(r, c)),
        View::Namespaces => t
            .namespaces
            .selected_row()
            .and_then(|r| TableRow::object(r, c)),
        View::Resource => t
            .resource
            .selected_row()
            .and_then(|r| TableRow::object(r, c)),
        View::Forwards => t
            .forwards
            .selected_row()
            .and_then(|r| TableRow::object(r, c)),
        View::Contexts | View::Sessions | View::Captured | View::ApiResources => None,
    }
}

/// The pod's row, when the selection is a pod.
pub fn selected_pod(app: &App) -> Option<Arc<PodRow>> {
    let obj = selected_object(app).filter(|o| o.kind == ResourceKind::Pods)?;
    pod_row(app, &obj)
}

/// A pod's row from the pods table (all rows, whatever the filter), in its cluster.
pub fn pod_row(app: &App, pod: &ObjectRef) -> Option<Arc<PodRow>> {
    app.tables
        .pods
        .all_rows()
        .iter()
        .find(|p| p.namespace == pod.namespace && p.name == pod.name && p.cluster == pod.cluster)
        .cloned()
}

/// The node under the cursor (nodes view, or a node's describe).
pub fn selected_node(app: &App) -> Option<ObjectRef> {
    selected_object(app).filter(|o| o.kind == ResourceKind::Nodes)
}
