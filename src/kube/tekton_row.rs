//! PipelineRun and TaskRun rows, derived from the untyped objects (Tekton is a CRD): status from
//! the `Succeeded` condition and its reason, as `tkn` reads it; progress from the condition
//! message the Tekton controller writes ("Tasks Completed: 2 (Failed: 0, Cancelled 0),
//! Incomplete: 3, Skipped: 0").

use jiff::Timestamp;
use serde_json::Value;

use super::age;
use super::pod_row::Health;

/// Where a run stands, in the words the STATUS column uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunState {
    Pending,
    Running,
    /// spec.status says cancel, the controller has not finished yet.
    Cancelling,
    Succeeded,
    Failed(String),
    Cancelled,
    TimedOut,
}

impl RunState {
    pub fn text(&self) -> String {
        match self {
            Self::Pending => "Pending".into(),
            Self::Running => "Running".into(),
            Self::Cancelling => "Cancelling".into(),
            Self::Succeeded => "Succeeded".into(),
            Self::Failed(reason) if reason.is_empty() || reason == "Failed" => "Failed".into(),
            Self::Failed(reason) => format!("Failed ({reason})"),
            Self::Cancelled => "Cancelled".into(),
            Self::TimedOut => "Timed out".into(),
        }
    }

    pub fn health(&self) -> Health {
        match self {
            Self::Pending => Health::Pending,
            Self::Running => Health::Ok,
            Self::Cancelling | Self::Cancelled => Health::Warning,
            Self::Succeeded => Health::Done,
            Self::Failed(_) | Self::TimedOut => Health::Error,
        }
    }

    pub fn finished(&self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::Failed(_) | Self::Cancelled | Self::TimedOut
        )
    }
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// The run's state from its `Succeeded` condition and `spec.status`.
pub fn run_state(obj: &Value) -> RunState {
    let cond = obj["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Succeeded"));
    let spec_status = obj["spec"]["status"].as_str().unwrap_or_default();
    let cancel_requested = matches!(
        spec_status,
        "Cancelled" | "CancelledRunFinally" | "StoppedRunFinally" | "TaskRunCancelled"
    );
    let Some(c) = cond else {
        return if cancel_requested {
            RunState::Cancelling
        } else {
            RunState::Pending
        };
    };
    let reason = c["reason"].as_str().unwrap_or_default();
    match c["status"].as_str().unwrap_or_default() {
        "True" => RunState::Succeeded,
        "False" => match reason {
            "Cancelled"
            | "PipelineRunCancelled"
            | "TaskRunCancelled"
            | "StoppedRunFinally"
            | "CancelledRunFinally" => RunState::Cancelled,
            "PipelineRunTimeout" | "TaskRunTimeout" => RunState::TimedOut,
            other => RunState::Failed(other.to_string()),
        },
        _ if cancel_requested => RunState::Cancelling,
        _ => match reason {
            "PipelineRunPending" | "Pending" | "ResolvingPipelineRef" | "ResolvingTaskRef" | "" => {
                RunState::Pending
            }
            _ => RunState::Running,
        },
    }
}

/// (done, total) from the controller's condition message.
pub fn progress(message: &str) -> Option<(u32, u32)> {
    let number_after = |key: &str| -> Option<u32> {
        let rest = &message[message.find(key)? + key.len()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    let done = number_after("Tasks Completed:")?;
    let incomplete = number_after("Incomplete:").unwrap_or(0);
    let skipped = number_after("Skipped:").unwrap_or(0);
    Some((done, done + incomplete + skipped))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineRunRow {
    /// The cluster the row came from (stamped by its informer; empty outside one).
    pub cluster: crate::kube::ids::ClusterId,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// The object's version: describe fetches the run again when it changes.
    pub resource_version: String,
    pub pipeline: String,
    pub state: RunState,
    pub created: Option<Timestamp>,
    pub started: Option<Timestamp>,
    pub completed: Option<Timestamp>,
    pub progress: Option<(u32, u32)>,
    pub message: String,
}

/// `5m ago`, or `-` before the run started.
fn started_text(started: Option<Timestamp>, now: Timestamp) -> String {
    match started {
        Some(_) => format!("{} ago", age::since(started, now)),
        None => "-".into(),
    }
}

/// Seconds a finished run took (None while it runs), for sorting by DURATION.
fn took(started: Option<Timestamp>, completed: Option<Timestamp>) -> Option<i64> {
    completed
        .zip(started)
        .map(|(c, s)| c.as_second() - s.as_second())
}

/// Seconds from start to completion, or to `now` while the run goes on.
fn duration(started: Option<Timestamp>, completed: Option<Timestamp>, now: Timestamp) -> String {
    match started {
        None => "-".into(),
        Some(s) => age::human_duration_secs(completed.unwrap_or(now).as_second() - s.as_second()),
    }
}

impl PipelineRunRow {
    pub fn health(&self) -> Health {
        self.state.health()
    }

    pub fn started_text(&self, now: Timestamp) -> String {
        started_text(self.started, now)
    }

    pub fn took_secs(&self) -> Option<i64> {
        took(self.started, self.completed)
    }

    pub fn duration_text(&self, now: Timestamp) -> String {
        duration(self.started, self.completed, now)
    }

    pub fn progress_text(&self) -> String {
        match self.progress {
            Some((done, total)) => format!("{done}/{total}"),
            None => "-".into(),
        }
    }
}

fn meta(obj: &Value) -> (String, String, String) {
    let m = &obj["metadata"];
    let name = text(&m["name"]);
    let uid = m["uid"]
        .as_str()
        .map_or_else(|| name.clone(), str::to_string);
    (text(&m["namespace"]), name, uid)
}

fn succeeded_message(obj: &Value) -> String {
    obj["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Succeeded"))
        .map(|c| text(&c["message"]))
        .unwrap_or_default()
}

pub fn pipelinerun_row(obj: &Value) -> PipelineRunRow {
    let (namespace, name, uid) = meta(obj);
    let pipeline = obj["spec"]["pipelineRef"]["name"]
        .as_str()
        .or_else(|| obj["metadata"]["labels"]["tekton.dev/pipeline"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| {
            if obj["spec"]["pipelineSpec"].is_object() {
                "(inline)".into()
            } else {
                "-".into()
            }
        });
    let message = succeeded_message(obj);
    let state = run_state(obj);
    let total_from_spec = obj["status"]["pipelineSpec"]["tasks"]
        .as_array()
        .map(|t| t.len() as u32);
    let progress = progress(&message).or_else(|| {
        total_from_spec.map(|total| {
            (
                if state == RunState::Succeeded {
                    total
                } else {
                    0
                },
                total,
            )
        })
    });
    PipelineRunRow {
        cluster: crate::kube::ids::ClusterId::default(),
        namespace,
        name,
        uid,
        resource_version: text(&obj["metadata"]["resourceVersion"]),
        pipeline,
        state,
        created: ts(&obj["metadata"]["creationTimestamp"]),
        started: ts(&obj["status"]["startTime"]),
        completed: ts(&obj["status"]["completionTime"]),
        progress,
        message,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRunRow {
    /// The cluster the row came from (stamped by its informer; empty outside one).
    pub cluster: crate::kube::ids::ClusterId,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// The pipeline task this run executes.
    pub task: String,
    pub state: RunState,
    pub started: Option<Timestamp>,
    pub completed: Option<Timestamp>,
    pub pod: String,
    /// Step container names, in step order.
    pub steps: Vec<String>,
    pub message: String,
}

impl TaskRunRow {
    pub fn health(&self) -> Health {
        self.state.health()
    }

    pub fn started_text(&self, now: Timestamp) -> String {
        started_text(self.started, now)
    }

    pub fn took_secs(&self) -> Option<i64> {
        took(self.started, self.completed)
    }

    pub fn duration_text(&self, now: Timestamp) -> String {
        duration(self.started, self.completed, now)
    }
}

pub fn taskrun_row(obj: &Value) -> TaskRunRow {
    let (namespace, name, uid) = meta(obj);
    let labels = &obj["metadata"]["labels"];
    let task = labels["tekton.dev/pipelineTask"]
        .as_str()
        .or_else(|| obj["spec"]["taskRef"]["name"].as_str())
        .unwrap_or("-")
        .to_string();
    let steps = obj["status"]["steps"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(|st| {
                    st["container"]
                        .as_str()
                        .map(str::to_string)
                        .or_else(|| st["name"].as_str().map(|n| format!("step-{n}")))
                })
                .collect()
        })
        .unwrap_or_default();
    TaskRunRow {
        cluster: crate::kube::ids::ClusterId::default(),
        namespace,
        name,
        uid,
        task,
        state: run_state(obj),
        started: ts(&obj["status"]["startTime"]),
        completed: ts(&obj["status"]["completionTime"]),
        pod: text(&obj["status"]["podName"]),
        steps,
        message: succeeded_message(obj),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(status: &str, reason: &str, message: &str) -> Value {
        json!({
            "metadata": {"name": "r", "namespace": "ci", "uid": "u1"},
            "spec": {"pipelineRef": {"name": "build"}},
            "status": {"startTime": "2026-11-22T10:00:00Z",
                       "conditions": [{"type": "Succeeded", "status": status, "reason": reason, "message": message}]}
        })
    }

    #[test]
    fn fixture_runs_read_like_kubectl() {
        #[derive(serde::Deserialize, Default)]
        struct Items {
            items: Vec<Value>,
        }
        let items: Items = serde_json::from_str(include_str!(
            "../../tests/fixtures/real-cluster/tekton-ci.json"
        ))
        .unwrap_or_default();
        let printed = include_str!("../../tests/fixtures/real-cluster/tekton-ci.kubectl.txt");
        let mut checked = 0;
        for obj in items.items.iter().filter(|o| o["kind"] == "PipelineRun") {
            let r = pipelinerun_row(obj);
            let line = printed
                .lines()
                .find(|l| l.starts_with(&format!("pipelinerun.tekton.dev/{} ", r.name)))
                .unwrap_or_default();
            // kubectl's REASON column is the condition reason our STATUS is derived from.
            let reason = line.split_whitespace().nth(2).unwrap_or_default();
            let expected = match reason {
                "Succeeded" => RunState::Succeeded,
                "Failed" => RunState::Failed("Failed".into()),
                "Running" => RunState::Running,
                other => panic!("unexpected reason {other}"),
            };
            assert_eq!(r.state, expected, "{}", r.name);
            assert_eq!(r.pipeline, "build-and-test");
            checked += 1;
        }
        assert_eq!(checked, 3);
        let tr = items.items.iter().find(|o| o["kind"] == "TaskRun");
        let tr = taskrun_row(tr.unwrap_or(&Value::Null));
        assert_eq!(tr.state, RunState::Succeeded);
    }

    #[test]
    fn tekton_condition_reasons() {
        let cases = [
            ("True", "Succeeded", RunState::Succeeded, "Succeeded"),
            (
                "False",
                "Failed",
                RunState::Failed("Failed".into()),
                "Failed",
            ),
            (
                "False",
                "CouldntGetPipeline",
                RunState::Failed("CouldntGetPipeline".into()),
                "Failed (CouldntGetPipeline)",
            ),
            (
                "False",
                "PipelineRunTimeout",
                RunState::TimedOut,
                "Timed out",
            ),
            ("False", "Cancelled", RunState::Cancelled, "Cancelled"),
            (
                "False",
                "PipelineRunCancelled",
                RunState::Cancelled,
                "Cancelled",
            ),
            (
                "False",
                "StoppedRunFinally",
                RunState::Cancelled,
                "Cancelled",
            ),
            ("Unknown", "Running", RunState::Running, "Running"),
            (
                "Unknown",
                "PipelineRunPending",
                RunState::Pending,
                "Pending",
            ),
            (
                "Unknown",
                "ResolvingPipelineRef",
                RunState::Pending,
                "Pending",
            ),
        ];
        for (status, reason, state, text) in cases {
            let r = pipelinerun_row(&run(status, reason, ""));
            assert_eq!(
                (&r.state, r.state.text().as_str()),
                (&state, text),
                "{reason}"
            );
        }
        let mut cancelling = run("Unknown", "Running", "");
        cancelling["spec"]["status"] = json!("Cancelled");
        assert_eq!(run_state(&cancelling), RunState::Cancelling);
        let fresh = json!({"metadata": {"name": "new"}, "spec": {"pipelineSpec": {"tasks": []}}});
        let r = pipelinerun_row(&fresh);
        assert_eq!(
            (r.state, r.pipeline.as_str()),
            (RunState::Pending, "(inline)")
        );
    }

    #[test]
    fn progress_from_the_controller_message() {
        assert_eq!(
            progress("Tasks Completed: 2 (Failed: 0, Cancelled 0), Incomplete: 3, Skipped: 0"),
            Some((2, 5))
        );
        assert_eq!(
            progress("Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 2"),
            Some((3, 5))
        );
        assert_eq!(progress("Pending"), None);
        let r = pipelinerun_row(&run(
            "Unknown",
            "Running",
            "Tasks Completed: 1 (Failed: 0, Cancelled 0), Incomplete: 2, Skipped: 0",
        ));
        assert_eq!(r.progress_text(), "1/3");
        let now: Timestamp = "2026-11-22T10:05:30Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(r.duration_text(now), "5m30s");
        assert_eq!(r.started_text(now), "5m30s ago");
    }

    #[test]
    fn taskrun_steps_task_and_pod() {
        let tr = json!({
            "metadata": {"name": "r-build", "namespace": "ci", "labels": {"tekton.dev/pipelineTask": "build"}},
            "status": {"podName": "r-build-pod", "startTime": "2026-11-22T10:00:00Z", "completionTime": "2026-11-22T10:01:00Z",
                       "steps": [{"name": "clone", "container": "step-clone"}, {"name": "compile"}],
                       "conditions": [{"type": "Succeeded", "status": "False", "reason": "TaskRunTimeout"}]}
        });
        let r = taskrun_row(&tr);
        assert_eq!(r.task, "build");
        assert_eq!(r.pod, "r-build-pod");
        assert_eq!(r.steps, ["step-clone", "step-compile"]);
        assert_eq!(r.state, RunState::TimedOut);
        assert_eq!(r.duration_text(Timestamp::UNIX_EPOCH), "60s");
    }
}
