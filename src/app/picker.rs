//! The small list to choose from (a pod's containers, a debug profile): plain data. `update`
//! moves through it and hands the choice to whoever opened it (logs or sessions).

use crate::kube::debug::Profile;
use crate::kube::object_ref::ObjectRef;

/// What a picker is choosing for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PickFor {
    /// A container's logs (or all of them).
    #[default]
    Logs,
    /// A container's previous instance (a crash-looping pod's last words).
    PreviousLogs,
    /// The container to open a shell in.
    Shell,
    /// The container to attach to.
    Attach,
    /// The container of a workload whose image to set (values: `NAME=IMAGE`).
    ImageOf,
    /// The revision of a Deployment to roll back to.
    Revision,
    /// The debug profile.
    Profile,
    /// The container a debug profile targets.
    DebugTarget(Profile),
    /// The container to join through the node agent (of this profile, or any).
    AgentTarget(Option<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub title: String,
    /// Shown labels.
    pub items: Vec<String>,
    /// What each item stands for (container or profile names; empty: all containers).
    pub values: Vec<String>,
    pub selected: usize,
    /// The pod the choice is about.
    pub pod: ObjectRef,
    pub purpose: PickFor,
}

/// A choice made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub picker: Picker,
    /// The chosen value (empty: every container).
    pub value: String,
}
