//! Everything that talks to a cluster, and the pure derivations of what it returns.

pub mod age;
pub mod pod_row;
