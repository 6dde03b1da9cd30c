//! The node agent (runs in a DaemonSet, joins a target container's namespaces). Only its
//! identity exists so far; the agent itself arrives with the debug-sessions work.

/// The agent's version string, shared with the `kubedeck-agent` binary.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
