//! The errors the app speaks of that no lower layer owns: a theme that does not load, a
//! session that cannot start. Plain data, rendered where they are drawn.

use crate::kube::actions::ActionError;
use crate::kube::shell_kubeconfig::ShellConfigError;

/// What can be wrong with a theme (loaded by `views::theme`; a `:theme` that failed says it).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ThemeError {
    #[error("theme is not valid TOML: {0}")]
    Parse(String),
    #[error("theme role {role:?}: {what}")]
    Role { role: String, what: String },
    #[error("unknown theme {name:?} (built in: {}, no-color; or a .toml file)", known.join(", "))]
    Unknown { name: String, known: Vec<String> },
    #[error("theme {path}: {reason}")]
    Read { path: String, reason: String },
    /// A built-in or file theme that did not load, with its name.
    #[error("theme {name}: {error}")]
    Named {
        name: String,
        error: Box<ThemeError>,
    },
}

/// Why a session could not start before it connected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionStartError {
    /// The cluster it belongs to is not connected.
    #[error("{0}")]
    Cluster(#[from] ActionError),
    /// The local shell's private kubeconfig could not be written.
    #[error("{0}")]
    ShellConfig(#[from] ShellConfigError),
}
