//! What kubedeck and its node agent agree on: where the agent runs, how its pods are labelled,
//! and the `join` command line kubedeck execs in an agent pod. Both sides (and the simulator,
//! which plays a node with the agent installed) take these from here, so a change to the
//! contract is one change.

/// The agent's binary, DaemonSet and `app.kubernetes.io/name` label value.
pub const NAME: &str = "kubedeck-agent";
/// The namespace `deploy/agent.yaml` installs the agent in.
pub const NAMESPACE: &str = "kubedeck-system";
/// The label every agent pod carries, with [`NAME`] as its value.
pub const NAME_LABEL: &str = "app.kubernetes.io/name";
/// The label selector of the agent's pods: `NAME_LABEL=NAME`.
pub const SELECTOR: &str = "app.kubernetes.io/name=kubedeck-agent";
/// The agent container in each agent pod (what kubedeck execs into).
pub const CONTAINER: &str = "agent";
/// The label naming an agent DaemonSet's tool image (one job per image: `netshoot`, `jvm`).
pub const PROFILE_LABEL: &str = "kubedeck.dev/agent-profile";

/// The `join` subcommand and its flags.
pub mod join {
    pub const COMMAND: &str = "join";
    pub const NAMESPACE: &str = "--namespace";
    pub const POD: &str = "--pod";
    pub const CONTAINER: &str = "--container";
    pub const CONTAINER_ID: &str = "--container-id";
    pub const SHELL: &str = "--shell";
    pub const REQUESTED_BY: &str = "--requested-by";
    /// Every flag `join` takes, each followed by its value.
    pub const FLAGS: [&str; 6] = [NAMESPACE, POD, CONTAINER, CONTAINER_ID, SHELL, REQUESTED_BY];
    /// The longest `--requested-by` kubedeck sends (the agent refuses longer arguments).
    pub const MAX_REQUESTED_BY: usize = 200;
}

/// The `host` subcommand (a shell in the node's own namespaces) and its flags.
pub mod host {
    pub const COMMAND: &str = "host";
    pub const NODE: &str = "--node";
    pub const SHELL: &str = "--shell";
    pub const REQUESTED_BY: &str = "--requested-by";
    /// Every flag `host` takes, each followed by its value.
    pub const FLAGS: [&str; 3] = [NODE, SHELL, REQUESTED_BY];
}

/// The agent's command line for a shell on `node` itself (PID 1's namespaces), as kubedeck
/// execs it in the agent pod on that node.
pub fn host_argv(node: &str, requested_by: Option<&str>) -> Vec<String> {
    let mut argv: Vec<String> = [NAME, host::COMMAND, host::NODE, node]
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Some(who) = requested_by {
        argv.push(host::REQUESTED_BY.into());
        argv.push(who.chars().take(join::MAX_REQUESTED_BY).collect());
    }
    argv
}

/// The agent's command line for a join into `container` (runtime ID `container_id`) of
/// `namespace/pod`, as kubedeck execs it in the agent pod on the pod's node.
pub fn join_argv(
    namespace: &str,
    pod: &str,
    container: &str,
    container_id: &str,
    requested_by: Option<&str>,
) -> Vec<String> {
    let mut argv: Vec<String> = [
        NAME,
        join::COMMAND,
        join::NAMESPACE,
        namespace,
        join::POD,
        pod,
        join::CONTAINER,
        container,
        join::CONTAINER_ID,
        container_id,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    if let Some(who) = requested_by {
        argv.push(join::REQUESTED_BY.into());
        argv.push(who.chars().take(join::MAX_REQUESTED_BY).collect());
    }
    argv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selector_is_the_name_label() {
        assert_eq!(SELECTOR, format!("{NAME_LABEL}={NAME}"));
    }

    #[test]
    fn a_join_line_is_what_the_agent_parses() {
        let argv = join_argv(
            "demo",
            "web-1",
            "app",
            "containerd://3f1c0e2b7a9d4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",
            Some(&"x".repeat(300)),
        );
        match crate::cli::parse(&argv[1..]) {
            Ok(crate::cli::Command::Join {
                target,
                requested_by,
                ..
            }) => {
                assert_eq!(target.pod, "web-1");
                assert_eq!(requested_by.map(|r| r.len()), Some(join::MAX_REQUESTED_BY));
            }
            other => panic!("not a join: {other:?}"),
        }
    }
}
