//! Everything that talks to a cluster, and the pure derivations of what it returns.

pub mod age;
pub mod client;
pub mod cluster;
pub mod informer;
pub mod pod_row;
pub mod tekton;
