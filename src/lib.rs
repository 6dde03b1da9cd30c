//! kubedeck: a keyboard-driven terminal UI for operating Kubernetes clusters.

pub mod agent_install;
pub mod app;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod debug_log;
pub mod journal;
pub mod journal_travel;
pub mod k9s_files;
pub mod kube;
pub mod logline;
pub mod os_error;
pub mod pty;
pub mod runtime;
pub mod signals;
pub mod term_out;
pub mod views;
