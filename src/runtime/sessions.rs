//! The runner's terminal sessions: the backend that connects each (exec, an ephemeral debug
//! container, the node agent, `$EDITOR`, a local shell) with the client of the cluster it
//! names, started on its own task with the recording `update` chose; keys and resizes go to it.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::Duration;

use super::runner::Runner;
use crate::app::msg::{Done, Msg, SessionStartError};
use crate::app::sessions::SessionSpec;
use crate::kube::actions::ActionError;
use crate::kube::ids::ClusterId;
use crate::pty::Backend;
use crate::pty::session::{Input, SessionId};

/// How long an ephemeral container may take to start running.
const DEBUG_START: Duration = Duration::from_secs(300);

impl Runner {
    pub(super) fn open_session(
        &mut self,
        id: SessionId,
        spec: SessionSpec,
        record: Option<PathBuf>,
        out: &mut VecDeque<Msg>,
    ) {
        match self.backend(&spec) {
            Ok(backend) => {
                let backend: Box<dyn Backend> =
                    Box::new(crate::kube::server_warnings::Heard { inner: backend });
                // A session in a cluster ends as lost when its connection goes silent.
                let path = spec
                    .in_cluster()
                    .then(|| self.shown(spec.cluster()))
                    .flatten();
                let backend: Box<dyn Backend> = match path {
                    Some(c) => Box::new(crate::kube::on_path::OnPath {
                        inner: backend,
                        path: c.retry.path_signal(),
                    }),
                    None => backend,
                };
                self.terminals.start(id, backend, record);
            }
            Err(why) => out.push_back(Msg::Done(Done::SessionFailed(id, why))),
        }
    }

    /// Delete this user's node-shell pods an earlier kubedeck left in `namespace`.
    pub(super) fn sweep_node_shells(
        &self,
        cluster: ClusterId,
        namespace: String,
        out: &mut VecDeque<Msg>,
    ) {
        let (instance, answer) = (self.instance.clone(), cluster.clone());
        self.spawn_with(
            &cluster,
            out,
            |client| async move {
                crate::kube::node_shell::sweep(client, &namespace, &instance).await
            },
            move |result| Msg::Done(Done::NodeShellsSwept(answer, result)),
        );
    }

    /// Keys, a resize or a recording switch; a full queue drops the key, and says so.
    pub(super) fn session_input(&self, id: SessionId, input: Input, out: &mut VecDeque<Msg>) {
        if self.terminals.send(id, input).is_err() {
            out.push_back(Msg::Done(Done::InputDropped(id)));
        }
    }

    /// The backend that connects `spec`, with the client of the cluster it names.
    fn backend(&self, spec: &SessionSpec) -> Result<Box<dyn Backend>, SessionStartError> {
        use crate::kube::exec::Target;
        let client = || self.client(spec.cluster()).map_err(ActionError::from);
        Ok(match spec {
            SessionSpec::Exec { pod, container } => Box::new(crate::kube::exec::Exec {
                target: Target::of(client()?, pod, container),
                command: None,
            }),
            SessionSpec::Attach { pod, container } => Box::new(crate::kube::exec::AttachMain {
                target: Target::of(client()?, pod, container),
            }),
            SessionSpec::Debug {
                pod,
                target,
                profile,
            } => Box::new(crate::kube::debug::Ephemeral {
                target: Target::of(client()?, pod, target),
                profile: profile.clone(),
                timeout: DEBUG_START,
            }),
            SessionSpec::Agent {
                pod,
                container,
                profile,
            } => Box::new(crate::kube::agent::AgentSession {
                target: Target::of(client()?, pod, container),
                requested_by: Some(format!("kubeconfig context {}", pod.cluster.context())),
                profile: profile.clone(),
            }),
            SessionSpec::Node {
                node,
                namespace,
                image,
            } => Box::new(crate::kube::node_shell::NodeShell {
                client: client()?,
                node: node.name.clone(),
                namespace: namespace.clone(),
                image: image.clone(),
                instance: self.instance.clone(),
                requested_by: Some(format!("kubeconfig context {}", node.cluster.context())),
            }),
            SessionSpec::Edit(job) => Box::new(crate::pty::local::Local {
                command: crate::kube::edit::editor_command(&job.path),
                cwd: None,
                env: Vec::new(),
                keep: None,
                label: format!("edit {}", job.obj.label()),
                banner: None,
            }),
            SessionSpec::Plugin(run) => Box::new(crate::kube::shell_kubeconfig::plugin_session(
                &self.kubeconfig,
                run.cluster.context(),
                run.namespace.as_deref(),
                &run.name,
                &run.script,
            )?),
            SessionSpec::Local { cluster, scope } => {
                Box::new(crate::kube::shell_kubeconfig::local_shell(
                    &self.kubeconfig,
                    cluster.context(),
                    scope,
                    self.readonly,
                )?)
            }
        })
    }
}
