//! What the workload actions (`workloads`) keep between their steps. Data only.

use crate::kube::object_ref::ObjectRef;
use crate::kube::workload_ops::Revision;

/// What the workload actions keep between steps.
#[derive(Debug, Clone, Default)]
pub struct WorkloadState {
    /// The revisions listed in the rollback picker, and whose.
    pub revisions: Option<(ObjectRef, Vec<Revision>)>,
    /// `:rollback N`: the revision named, until the revisions come.
    pub wanted_revision: Option<i64>,
}
