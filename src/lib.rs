//! kubedeck: a keyboard-driven terminal UI for operating Kubernetes clusters.

pub mod cli;
pub mod kube;
pub mod signals;
pub mod sim;
