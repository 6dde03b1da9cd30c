//! What is known of the current user's rights (the namespaces' reviews), `:can-i` and
//! `:who-can`'s questions, and the rights pod actions need. Data only: `access` acts on it.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;

use super::action::Action;
use crate::kube::access::{Access, Ask, WhoCanQuery};
use crate::kube::error::ApiError;
use crate::kube::ids::ClusterId;

/// How long a namespace's review is trusted before it is asked again (bindings change).
pub const REVIEW_SECONDS: i64 = 300;

/// What is known of the current user's rights in one namespace of one cluster.
#[derive(Debug, Clone, PartialEq)]
pub enum Review {
    Asking,
    Known(Arc<Access>, Timestamp),
    /// The review itself failed: actions go ahead (the server decides).
    Failed(ApiError),
}

#[derive(Debug, Clone, Default)]
pub struct AccessState {
    pub reviews: HashMap<(ClusterId, String), Review>,
    /// An action waiting for the review of its pod's namespace.
    pub held: Option<(ClusterId, String, Action)>,
    /// The held action, its review come: `update` runs it again (it goes or is refused now).
    pub rerun: Option<Action>,
    /// The namespace `:can-i` shows.
    pub can_i: Option<String>,
    pub who_can: Option<WhoCanQuery>,
    /// Why `:who-can` could not be answered (the RBAC objects could not be listed).
    pub who_can_failed: Option<ApiError>,
}

/// A right a pod action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    Exec,
    Attach,
    Debug,
    Logs,
    PortForward,
}

impl Capability {
    pub const ALL: [Capability; 5] = [
        Capability::Exec,
        Capability::Attach,
        Capability::Debug,
        Capability::Logs,
        Capability::PortForward,
    ];

    pub fn ask(self) -> Ask {
        match self {
            Capability::Exec => Ask::new("create", "", "pods", Some("exec")),
            Capability::Attach => Ask::new("create", "", "pods", Some("attach")),
            Capability::Debug => Ask::new("patch", "", "pods", Some("ephemeralcontainers")),
            Capability::Logs => Ask::new("get", "", "pods", Some("log")),
            Capability::PortForward => Ask::new("create", "", "pods", Some("portforward")),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Capability::Exec => "exec",
            Capability::Attach => "attach",
            Capability::Debug => "debug (ephemeral containers)",
            Capability::Logs => "logs",
            Capability::PortForward => "port-forward",
        }
    }

    /// The one word describe uses.
    pub fn word(self) -> &'static str {
        match self {
            Capability::Debug => "debug",
            other => other.label(),
        }
    }

    /// The right the key of `action` needs on a pod, if any.
    pub fn of(action: Action) -> Option<Capability> {
        match action {
            Action::Shell => Some(Capability::Exec),
            Action::Debug => Some(Capability::Debug),
            Action::Attach => Some(Capability::Attach),
            Action::Logs | Action::OwnerLogs => Some(Capability::Logs),
            Action::PortForward => Some(Capability::PortForward),
            _ => None,
        }
    }
}
