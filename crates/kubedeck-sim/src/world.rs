//! The simulated world: who the pods, nodes and PipelineRuns are and what each is scripted to
//! do. `seed` builds it deterministically from a seed; `scenario` moves it forward a tick.

use jiff::{SignedDuration, Timestamp};

use super::model::{CState, CStatus, PodShape, RunShape, TaskState};

/// Seeding sizes. Defaults make a small, lively demo cluster.
#[derive(Debug, Clone)]
pub struct Scale {
    pub pods: usize,
    pub nodes: usize,
    pub pipelineruns: usize,
    pub events: usize,
    pub seed: u64,
}

impl Default for Scale {
    fn default() -> Self {
        Self {
            pods: 60,
            nodes: 5,
            pipelineruns: 12,
            events: 200,
            seed: 42,
        }
    }
}

/// What a scripted pod does on each tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Script {
    /// Runs; never changes unless evicted or deleted.
    Steady,
    /// Runs for `run` ticks, fails (`oom`: OOMKilled), backs off, restarts.
    CrashLoop { run: u32, oom: bool },
    /// Cannot be scheduled: not enough memory anywhere.
    Unschedulable,
    /// Its image cannot be pulled.
    ImagePull,
    /// Creating, then init containers, then running.
    Starting { init_ticks: u32 },
    /// A Job's pod that completes after `ticks`.
    Job { ticks: u32 },
    /// A Tekton TaskRun's pod; driven by its run.
    Task,
}

#[derive(Debug, Clone)]
pub struct PodActor {
    pub shape: PodShape,
    pub script: Script,
    pub phase: String,
    pub statuses: Vec<CStatus>,
    pub init_done: bool,
    /// Ticks spent in the current state.
    pub age: u32,
}

impl PodActor {
    pub fn running(shape: PodShape, script: Script, since: Timestamp) -> Self {
        let statuses = shape
            .containers
            .iter()
            .map(|_| CStatus::running(since))
            .collect();
        Self {
            shape,
            script,
            phase: "Running".into(),
            statuses,
            init_done: true,
            age: 0,
        }
    }

    pub fn waiting(shape: PodShape, script: Script, reason: &'static str, msg: &str) -> Self {
        let statuses = shape
            .containers
            .iter()
            .map(|_| CStatus {
                state: CState::Waiting(reason, msg.to_string()),
                last: None,
                restarts: 0,
            })
            .collect();
        Self {
            shape,
            script,
            phase: "Pending".into(),
            statuses,
            init_done: true,
            age: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RunActor {
    pub shape: RunShape,
    pub tasks: Vec<TaskState>,
    /// The task index that will fail, if any.
    pub fails_at: Option<usize>,
    pub ticks_per_task: u32,
    pub ticks_in_task: u32,
    pub reason_override: Option<(&'static str, &'static str)>,
}

impl RunActor {
    pub fn finished(&self) -> bool {
        self.reason_override.is_some()
            || self
                .tasks
                .iter()
                .any(|t| matches!(t, TaskState::Failed(..)))
            || self
                .tasks
                .iter()
                .all(|t| matches!(t, TaskState::Succeeded(..)))
    }
}

#[derive(Debug, Clone)]
pub struct NodeActor {
    pub name: String,
    pub n: u64,
    pub cpu_cores: u32,
    pub memory_gi: u32,
    /// This node's memory swings up to pressure and back.
    pub hot: bool,
    pub pressure: bool,
}

/// Live usage per node, as metrics-server would report it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    pub cpu_milli: u64,
    pub memory_bytes: u64,
}

pub struct World {
    pub rng: fastrand::Rng,
    pub now: Timestamp,
    pub tick: u64,
    pub next_n: u64,
    pub namespaces: Vec<String>,
    pub nodes: Vec<NodeActor>,
    pub pods: Vec<PodActor>,
    pub runs: Vec<RunActor>,
    /// Deployments whose rollout is in progress (namespace, name): the scenario moves them on.
    pub rollouts: Vec<(String, String)>,
}

/// The length of one hot-node memory wave, in ticks.
pub const WAVE_TICKS: u64 = 90;

impl World {
    pub fn n(&mut self) -> u64 {
        self.next_n += 1;
        self.next_n
    }

    pub fn ago(&self, secs: i64) -> Timestamp {
        self.now
            .checked_sub(SignedDuration::from_secs(secs))
            .unwrap_or(self.now)
    }

    /// Memory use of the hot node as a fraction of allocatable, following a triangle wave.
    pub fn hot_fraction(tick: u64) -> f64 {
        let phase = (tick % WAVE_TICKS) as f64 / WAVE_TICKS as f64;
        let tri = if phase < 0.5 {
            phase * 2.0
        } else {
            (1.0 - phase) * 2.0
        };
        0.55 + 0.45 * tri
    }

    pub fn usage(&self, node: &NodeActor) -> Usage {
        let gi = 1024u64 * 1024 * 1024;
        let mem_total = u64::from(node.memory_gi) * gi;
        let wobble = (node.n * 7 + self.tick * 3) % 20;
        let frac = if node.hot {
            Self::hot_fraction(self.tick)
        } else {
            0.30 + wobble as f64 / 100.0
        };
        Usage {
            cpu_milli: u64::from(node.cpu_cores) * 1000 * (15 + (node.n * 13 + self.tick * 5) % 50)
                / 100,
            memory_bytes: (mem_total as f64 * frac) as u64,
        }
    }
}
