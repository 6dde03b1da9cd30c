//! A reference to one object in one cluster, used to navigate between views (a pod's events, a
//! triage row's target, the object a describe pane shows) and to act on it: every action takes
//! its client from the reference's cluster.

use std::sync::Arc;

use super::discovery::ApiResourceInfo;
use super::ids::ClusterId;
use super::informer::ResourceKind;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    pub cluster: ClusterId,
    pub kind: ResourceKind,
    /// Empty for cluster-scoped kinds.
    pub namespace: String,
    pub name: String,
    /// For `ResourceKind::Generic`: which resource (from discovery).
    pub api: Option<Arc<ApiResourceInfo>>,
}

impl ObjectRef {
    pub fn new(cluster: &ClusterId, kind: ResourceKind, namespace: &str, name: &str) -> Self {
        Self {
            cluster: cluster.clone(),
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
            api: None,
        }
    }

    /// An object of any resource discovery found.
    pub fn of_api(
        cluster: &ClusterId,
        api: &Arc<ApiResourceInfo>,
        namespace: &str,
        name: &str,
    ) -> Self {
        Self {
            api: Some(api.clone()),
            ..Self::new(cluster, ResourceKind::Generic, namespace, name)
        }
    }

    /// `deployment`, `pod`: the singular kubectl uses in `KIND/NAME`.
    pub fn singular(&self) -> &str {
        match &self.api {
            Some(api) => &api.singular,
            None => self.kind.singular(),
        }
    }

    /// The API kind (`Deployment`).
    pub fn kind_name(&self) -> &str {
        match &self.api {
            Some(api) => &api.kind,
            None => self.kind.kind_name(),
        }
    }

    /// `pod/demo/web-1`, `node/worker-1`: short and unambiguous, for titles and messages.
    pub fn label(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.singular(), self.name)
        } else {
            format!("{}/{}/{}", self.singular(), self.namespace, self.name)
        }
    }

    /// Whether an event's `involvedObject` (kind, namespace, name) points at this object.
    pub fn is(&self, kind: &str, namespace: &str, name: &str) -> bool {
        self.kind_name() == kind
            && self.name == name
            && (self.namespace.is_empty() || self.namespace == namespace)
    }
}
