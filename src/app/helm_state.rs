//! What `:helm` holds: every revision's summary per cluster (values and manifests are not
//! kept), the release whose history is shown, and the one revision whose content the pane
//! shows (dropped when the pane closes). Data only: `helm` acts on it.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::kube::error::ApiError;
use crate::kube::helm::{Content, Summary};
use crate::kube::ids::ClusterId;

#[derive(Debug, Clone, Default)]
pub struct HelmState {
    /// Every revision of every release, per cluster, as last listed.
    pub revisions: BTreeMap<ClusterId, Vec<Summary>>,
    /// The namespace listed (`None`: every namespace).
    pub namespace: Option<String>,
    /// Why the list could not be read, per cluster.
    pub failed: BTreeMap<ClusterId, ApiError>,
    /// The release whose history is shown: cluster, namespace, name.
    pub history_of: Option<(ClusterId, String, String)>,
    /// The revision the pane shows, decoded (in memory only).
    pub content: Option<Arc<Content>>,
}
