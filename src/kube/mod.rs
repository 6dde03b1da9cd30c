//! Everything that talks to a cluster, and the pure derivations of what it returns.

pub mod actions;
pub mod age;
pub mod client;
pub mod cluster;
pub mod debug;
pub mod drain;
pub mod error;
pub mod event_row;
pub mod informer;
pub mod log_request;
pub mod logs;
pub mod metrics;
pub mod namespace_row;
pub mod node_load;
pub mod node_row;
pub mod object_ref;
pub mod owner;
pub mod pod_resources;
pub mod pod_row;
pub mod quantity;
pub mod row_cache;
pub mod row_store;
pub mod step_capture;
pub mod step_store;
pub mod tekton;
pub mod tekton_row;
