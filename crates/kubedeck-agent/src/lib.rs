//! kubedeck-agent: the node agent for debug sessions where ephemeral containers cannot go. It
//! listens on nothing: kubedeck reaches it by `exec` into the agent pod on the target's node
//! (so the apiserver authenticates and authorises every session), and the agent joins the
//! target container's namespaces for a shell. See docs/agent.md and docs/security.md.

pub mod cli;
pub mod contract;
pub mod finder;
pub mod join;
pub mod readiness;
pub mod sessions;
pub mod target;
pub mod testbed;
