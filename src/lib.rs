//! kubedeck: a keyboard-driven terminal UI for operating Kubernetes clusters.

pub mod app;
pub mod cli;
pub mod kube;
pub mod runtime;
pub mod signals;
pub mod sim;
pub mod views;
pub mod agent;
pub mod config;
pub mod pty;
