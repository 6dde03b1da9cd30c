//! Terminal sessions as the app sees them: plain data. What each session is connected to (its
//! spec, with the cluster it talks to), its state and terminal modes as its task reported them,
//! and the panes showing it. The screens themselves and the channels to each session's task
//! belong to the runtime; keys reach a session as an effect.

pub mod update;

use std::cmp::Ordering;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;

use super::table::{Col, TableRow, columns};
use crate::kube::debug::Profile;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::Health;
use crate::pty::keys::Modes;
use crate::pty::session::{SessionId, SessionState};

/// What a session is connected to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionSpec {
    /// A shell exec'd in a container of `pod`.
    Exec { pod: ObjectRef, container: String },
    /// Attached to the main process of a container of `pod` (detached when the pane ends).
    Attach { pod: ObjectRef, container: String },
    /// An ephemeral debug container in `pod`, targeting container `target`.
    Debug {
        pod: ObjectRef,
        target: String,
        profile: Profile,
    },
    /// A shell in `container`'s namespaces through the node agent on the pod's node.
    Agent {
        pod: ObjectRef,
        container: String,
        /// The agent profile (tool image); any when `None`.
        profile: Option<String>,
    },
    /// A shell on a node itself: through its agent, else a debug pod in `namespace`.
    Node {
        node: ObjectRef,
        namespace: String,
        image: String,
    },
    /// A shell on this machine with `cluster`'s context and `scope`'s namespace.
    Local { cluster: ClusterId, scope: Scope },
    /// The user's editor on an object's YAML; applied when it exits.
    Edit(crate::kube::edit::EditJob),
    /// A plugin's command, with the context's private kubeconfig.
    Plugin(Box<super::extensions::job::PluginRun>),
}

impl SessionSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            SessionSpec::Exec { .. } => "exec",
            SessionSpec::Attach { .. } => "attach",
            SessionSpec::Debug { .. } => "debug",
            SessionSpec::Agent { .. } => "agent",
            SessionSpec::Node { .. } => "node",
            SessionSpec::Local { .. } => "local",
            SessionSpec::Edit(_) => "edit",
            SessionSpec::Plugin(_) => "plugin",
        }
    }

    /// Whether kubedeck carries the session through the cluster's API server (an exec, a
    /// debug container, the agent), not a local process.
    pub fn in_cluster(&self) -> bool {
        matches!(
            self,
            SessionSpec::Exec { .. }
                | SessionSpec::Attach { .. }
                | SessionSpec::Debug { .. }
                | SessionSpec::Agent { .. }
                | SessionSpec::Node { .. }
        )
    }

    /// The cluster the session talks to.
    pub fn cluster(&self) -> &ClusterId {
        match self {
            SessionSpec::Exec { pod, .. }
            | SessionSpec::Attach { pod, .. }
            | SessionSpec::Debug { pod, .. }
            | SessionSpec::Agent { pod, .. } => &pod.cluster,
            SessionSpec::Node { node, .. } => &node.cluster,
            SessionSpec::Local { cluster, .. } => cluster,
            SessionSpec::Edit(job) => &job.obj.cluster,
            SessionSpec::Plugin(run) => &run.cluster,
        }
    }

    pub fn target(&self) -> String {
        match self {
            SessionSpec::Exec { pod, container } => {
                format!("{}/{}:{container}", pod.namespace, pod.name)
            }
            SessionSpec::Attach { pod, container } => {
                format!("{}/{}:{container} [attached]", pod.namespace, pod.name)
            }
            SessionSpec::Debug {
                pod,
                target,
                profile,
            } => format!("{}/{}:{target} [{}]", pod.namespace, pod.name, profile.name),
            SessionSpec::Agent {
                pod,
                container,
                profile,
            } => match profile {
                Some(p) => format!("{}/{}:{container} [agent: {p}]", pod.namespace, pod.name),
                None => format!("{}/{}:{container} [agent]", pod.namespace, pod.name),
            },
            SessionSpec::Node { node, .. } => node.name.clone(),
            SessionSpec::Local { cluster, .. } => format!("shell ({cluster})"),
            SessionSpec::Edit(job) => format!("{} ({})", job.obj.label(), job.obj.cluster),
            SessionSpec::Plugin(run) => format!("{}: {}", run.name, run.target),
        }
    }

    /// Whether opening it changes the cluster or runs commands in it (refused read-only).
    pub fn mutates(&self) -> bool {
        // A plugin is the user's own command on this machine (a dangerous one is refused
        // before it gets here).
        !matches!(self, SessionSpec::Local { .. } | SessionSpec::Plugin(_))
    }
}

/// One session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub spec: SessionSpec,
    pub label: String,
    pub state: SessionState,
    pub started: Timestamp,
    /// The terminal modes its program set (how keys are encoded for it).
    pub modes: Modes,
    pub recording: Option<PathBuf>,
    /// The way it was carried, when its backend chose (a node shell: agent or debug pod).
    pub via: Option<String>,
}

/// A pane showing a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermPane {
    pub session: SessionId,
    /// Rows scrolled back into the history (0: live).
    pub scroll: usize,
}

/// `[sessions]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettings {
    /// The key that turns the next key into a kubedeck command in a terminal pane.
    pub prefix: KeyEvent,
    pub prefix_label: String,
    pub scrollback: usize,
    pub record_dir: PathBuf,
    /// Record every session from its start.
    pub record_all: bool,
    pub profiles: Vec<Profile>,
    /// A node shell without the agent: its pod's image and namespace (`[nodes]`).
    pub node_shell_image: String,
    pub node_shell_namespace: String,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            prefix: KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL),
            prefix_label: "ctrl-a".into(),
            scrollback: 5000,
            record_dir: std::env::temp_dir().join("kubedeck-recordings"),
            record_all: false,
            profiles: crate::kube::debug::default_profiles(),
            node_shell_image: "busybox:1.37".into(),
            node_shell_namespace: "default".into(),
        }
    }
}

/// Terminal sessions: those open (running or ended, until closed), the next one's id, whether
/// the prefix key was just pressed in a terminal pane, and the settings from the config.
#[derive(Debug, Clone)]
pub struct Sessions {
    pub open: std::collections::BTreeMap<SessionId, SessionInfo>,
    pub next_id: SessionId,
    /// The prefix key was pressed in a terminal pane: the next key is kubedeck's.
    pub prefix_armed: bool,
    pub settings: SessionSettings,
}

impl Default for Sessions {
    fn default() -> Self {
        Self {
            open: std::collections::BTreeMap::new(),
            next_id: 1,
            prefix_armed: false,
            settings: SessionSettings::default(),
        }
    }
}

/// `DIR/kubedeck-<when>-<id>-<kind>-<pod>.cast`, with only safe characters from the pod name.
pub fn recording_path(
    dir: &std::path::Path,
    spec: &SessionSpec,
    id: SessionId,
    now: Timestamp,
) -> PathBuf {
    let what = match spec {
        SessionSpec::Exec { pod, .. }
        | SessionSpec::Attach { pod, .. }
        | SessionSpec::Debug { pod, .. }
        | SessionSpec::Agent { pod, .. } => pod.name.as_str(),
        SessionSpec::Node { node, .. } => node.name.as_str(),
        SessionSpec::Local { .. } => "local",
        SessionSpec::Edit(job) => job.obj.name.as_str(),
        SessionSpec::Plugin(run) => run.name.as_str(),
    };
    let safe: String = what
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    let when = now.strftime("%Y%m%dT%H%M%SZ");
    dir.join(format!("kubedeck-{when}-{id}-{}-{safe}.cast", spec.kind()))
}

/// A row of `:sessions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: SessionId,
    pub key: String,
    pub kind: &'static str,
    pub target: String,
    pub cluster: String,
    pub state: SessionState,
    pub started: Timestamp,
    pub shown: bool,
    pub recording: bool,
}

columns! {
    /// The columns of the SessionRow table, in display order.
    pub enum SessionCol {
        Id = Col::new("#", 4).shrink(0, 2),
        Kind = Col::new("KIND", 6).shrink(0, 5),
        Target = Col::new("TARGET", 70).shrink(250, 16),
        State = Col::new("STATE", 40).shrink(2, 10),
        Age = Col::new("AGE", 6).shrink(0, 4),
        Pane = Col::new("PANE", 6).shrink(0, 4).hide_below(70),
        Rec = Col::new("REC", 4).shrink(0, 3).hide_below(70),
        Context = Col::new("CONTEXT", 30).shrink(1, 6).hide_below(100),
    }
}

impl TableRow for SessionRow {
    type Column = SessionCol;

    fn key(&self) -> &str {
        &self.key
    }

    fn fields(&self) -> Vec<std::borrow::Cow<'_, str>> {
        vec![
            self.kind.into(),
            self.target.as_str().into(),
            self.state.label().into(),
            self.cluster.as_str().into(),
        ]
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            SessionCol::Kind => self.kind.cmp(o.kind),
            SessionCol::Target => self.target.cmp(&o.target),
            SessionCol::State => self.state.label().cmp(&o.state.label()),
            SessionCol::Age => o.started.cmp(&self.started),
            SessionCol::Context => self.cluster.cmp(&o.cluster),
            _ => self.id.cmp(&o.id),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.id.cmp(&o.id)
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        match col {
            SessionCol::Id => self.id.to_string(),
            SessionCol::Kind => self.kind.to_string(),
            SessionCol::Target => self.target.clone(),
            SessionCol::State => self.state.label(),
            SessionCol::Age => crate::kube::age::since(Some(self.started), now),
            SessionCol::Pane => if self.shown { "shown" } else { "-" }.to_string(),
            SessionCol::Rec => if self.recording { "●" } else { "" }.to_string(),
            _ => self.cluster.clone(),
        }
    }

    fn health(&self) -> Health {
        match self.state {
            SessionState::Running => Health::Ok,
            SessionState::Connecting(_) => Health::Pending,
            SessionState::Exited(0) => Health::Done,
            SessionState::Exited(_) => Health::Warning,
            SessionState::Failed(_) | SessionState::Disconnected(_) => Health::Error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::informer::ResourceKind;

    #[test]
    fn recording_names_are_safe_and_say_what_they_hold() {
        let pod = ObjectRef::new(&ClusterId::new("c"), ResourceKind::Pods, "demo", "../web/1");
        let spec = SessionSpec::Exec {
            pod,
            container: "app".into(),
        };
        let now: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap_or_default();
        let p = recording_path(std::path::Path::new("/rec"), &spec, 3, now);
        assert_eq!(
            p,
            PathBuf::from("/rec/kubedeck-20261122T100000Z-3-exec-___web_1.cast")
        );
    }

    #[test]
    fn only_local_shells_are_allowed_read_only_and_each_names_its_cluster() {
        let c = ClusterId::new("prod");
        let local = SessionSpec::Local {
            cluster: c.clone(),
            scope: Scope::All,
        };
        assert!(!local.mutates());
        let pod = ObjectRef::new(&c, ResourceKind::Pods, "a", "b");
        let exec = SessionSpec::Exec {
            pod,
            container: "c".into(),
        };
        assert!(exec.mutates());
        assert_eq!(exec.cluster(), &c);
        assert_eq!(local.cluster(), &c);
    }
}
