//! What `:xray` holds: the kind its trees start from, the objects each cluster answered with
//! (reduced, see `kube::xray`), why a cluster could not answer, which nodes the user opened or
//! closed, and when it last asked. Data only: `xray` acts on it.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use crate::kube::error::ApiError;
use crate::kube::ids::ClusterId;
use crate::kube::xray::{XKind, XObject};

#[derive(Debug, Clone, Default)]
pub struct XrayState {
    /// The kind the trees start from (`None`: `:xray` not opened yet).
    pub root: Option<XKind>,
    /// Each cluster's objects, as last read.
    pub objects: BTreeMap<ClusterId, Vec<XObject>>,
    /// Why a cluster's objects could not be read.
    pub failed: BTreeMap<ClusterId, ApiError>,
    /// Rows (by key) whose open/closed state the user changed from the default.
    pub toggled: BTreeSet<String>,
    /// When the objects were last asked for, and how many clusters have not answered yet.
    pub asked: Option<Timestamp>,
    pub waiting: usize,
}
