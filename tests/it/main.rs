//! kubedeck's integration tests, in one binary (one link instead of one per file): the kube
//! layer against the simulator (`*_api`), the real binary in a terminal against it (`*_e2e`),
//! kubectl against the simulator, recorded terminal output replayed, the layering rules, and
//! the real-cluster run (`real_cluster`, only with `KUBEDECK_E2E_KUBECONFIG`). Shared builders
//! are in `common`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod agent_e2e;
mod chaos_e2e;
mod clusters_e2e;
mod defects_e2e;
mod e2e;
mod faults_api;
mod faults_e2e;
mod habits_e2e;
mod helm_e2e;
mod kinds_e2e;
mod kubectl;
mod layers;
mod logs_e2e;
mod node_shell_e2e;
mod nodes_e2e;
mod portforward_api;
mod rbac_e2e;
mod real_cluster;
mod sessions_api;
mod sessions_e2e;
mod sim_api;
mod terminal_e2e;
mod terminal_replay;
mod timeline_e2e;
mod workloads_e2e;
mod xray_e2e;
