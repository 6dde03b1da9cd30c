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
        View::Containers => t.containers.selected_row().map(|r| r.pod.clone()),
        View::Xray => t.xray.selected_row().map(super::xray_rows::XrayRow::object),
        View::Timeline => t
            .timeline
            .selected_row()
            .and_then(super::timeline_rows::TimelineRow::object),
        View::Contexts
        | View::Sessions
        | View::Captured
        | View::ApiResources
        | View::CanI
        | View::WhoCan
        | View::Helm
        | View::HelmHistory
        // The past is not there to act on.
        | View::AsOf => None,
    }
}

/// The objects of the rows marked in the current view (none marked: empty).
pub fn marked_objects(app: &App) -> Vec<ObjectRef> {
    let c = &app.fleet.cluster;
    let t = &app.tables;
    fn objects<R: TableRow>(
        t: &super::table::Table<R>,
        c: &crate::kube::ids::ClusterId,
    ) -> Vec<ObjectRef> {
        t.marked_rows()
            .into_iter()
            .filter_map(|r| TableRow::object(r, c))
            .collect()
    }
    match app.view {
        View::Pods => objects(&t.pods, c),
        View::PipelineRuns => objects(&t.runs, c),
        View::TaskRuns => objects(&t.taskruns, c),
        View::Events => objects(&t.events, c),
        View::Nodes => objects(&t.nodes, c),
        View::Namespaces => objects(&t.namespaces, c),
        View::Resource => objects(&t.resource, c),
        View::Xray => objects(&t.xray, c),
        View::Timeline | View::AsOf => Vec::new(),
        View::Triage => t
            .triage
            .marked_rows()
            .into_iter()
            .map(|r| r.target.clone())
            .collect(),
        View::Detail
        | View::Forwards
        | View::Containers
        | View::Contexts
        | View::Sessions
        | View::Captured
        | View::ApiResources
        | View::CanI
        | View::WhoCan
        | View::Helm
        | View::HelmHistory => Vec::new(),
    }
}

/// The container under the cursor in the containers view.
pub fn selected_container(app: &App) -> Option<String> {
    match app.view {
        View::Containers => app.tables.containers.selected_row().map(|r| r.name.clone()),
        View::Xray => app
            .tables
            .xray
            .selected_row()
            .filter(|r| r.kind == crate::kube::xray::XKind::Container)
            .map(|r| r.name.clone()),
        _ => None,
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
