//! The views the dashboard shows, their names, and the informer kinds each draws from.

use crate::kube::informer::ResourceKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Triage,
    Pods,
    PipelineRuns,
    /// The TaskRuns of one PipelineRun.
    TaskRuns,
    Events,
    Nodes,
    Namespaces,
    Contexts,
    /// Terminal sessions.
    Sessions,
    /// Tekton runs whose step logs kubedeck captured.
    Captured,
    /// Describe or YAML of one object.
    Detail,
    /// Any other kind, as the server prints it (`app.resource` says which).
    Resource,
    /// Every kind the server serves.
    ApiResources,
    /// Port-forwards.
    Forwards,
    /// The containers of one pod.
    Containers,
    /// `:can-i`: what the current user may do in a namespace.
    CanI,
    /// `:who-can`: who may do something.
    WhoCan,
    /// `:helm`: Helm releases.
    Helm,
    /// One Helm release's revisions.
    HelmHistory,
    /// `:xray`: what belongs to what, as trees.
    Xray,
    /// `:timeline`: what changed.
    Timeline,
    /// `:at`: the recorded objects as they were at a moment (read-only).
    AsOf,
}

impl View {
    pub const ALL: [View; 22] = [
        View::Triage,
        View::Pods,
        View::PipelineRuns,
        View::TaskRuns,
        View::Events,
        View::Nodes,
        View::Namespaces,
        View::Contexts,
        View::Sessions,
        View::Captured,
        View::Detail,
        View::Resource,
        View::ApiResources,
        View::Forwards,
        View::Containers,
        View::CanI,
        View::WhoCan,
        View::Helm,
        View::HelmHistory,
        View::Xray,
        View::Timeline,
        View::AsOf,
    ];

    pub fn title(self) -> &'static str {
        match self {
            View::Triage => "triage",
            View::Pods => "pods",
            View::PipelineRuns => "pipelineruns",
            View::TaskRuns => "taskruns",
            View::Events => "events",
            View::Nodes => "nodes",
            View::Namespaces => "namespaces",
            View::Contexts => "contexts",
            View::Sessions => "sessions",
            View::Captured => "captured",
            View::Resource => "resource",
            View::ApiResources => "api-resources",
            View::Forwards => "port-forwards",
            View::Detail => "detail",
            View::Containers => "containers",
            View::CanI => "can-i",
            View::WhoCan => "who-can",
            View::Helm => "helm",
            View::HelmHistory => "history",
            View::Xray => "xray",
            View::Timeline => "timeline",
            View::AsOf => "as-of",
        }
    }

    /// A view by the name `--view` and `start_view` use.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            View::Triage,
            View::Pods,
            View::PipelineRuns,
            View::Events,
            View::Nodes,
            View::Namespaces,
            View::Contexts,
        ]
        .into_iter()
        .find(|v| v.title() == name)
    }

    /// The informer kinds this view draws from.
    pub fn needs(self) -> &'static [ResourceKind] {
        match self {
            View::Triage => &[
                ResourceKind::Pods,
                ResourceKind::Events,
                ResourceKind::Nodes,
                ResourceKind::PipelineRuns,
            ],
            View::Pods => &[ResourceKind::Pods],
            View::PipelineRuns => &[ResourceKind::PipelineRuns],
            View::TaskRuns => &[ResourceKind::TaskRuns],
            View::Events => &[ResourceKind::Events],
            View::Nodes => &[ResourceKind::Nodes, ResourceKind::Pods],
            View::Namespaces => &[ResourceKind::Namespaces],
            // Read from the pod, fetched again whenever its row changes.
            View::Containers => &[ResourceKind::Pods],
            // Its pods' rows, for l, s and D on a pod or container node.
            View::Xray => &[ResourceKind::Pods],
            // Enter goes to a pod, node or run: their rows say whether it is still there.
            View::Timeline => &[],
            // From the journal, not the informers.
            View::AsOf => &[],
            View::Resource => &[ResourceKind::Generic],
            // The describe pane reads the stores directly, not the tables.
            View::Contexts
            | View::Sessions
            | View::Captured
            | View::Detail
            | View::ApiResources
            | View::Forwards
            | View::CanI
            | View::WhoCan
            | View::Helm
            | View::HelmHistory => &[],
        }
    }
}
