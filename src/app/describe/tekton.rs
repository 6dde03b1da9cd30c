//! Tekton: a PipelineRun (with each TaskRun's state from its pod) and a TaskRun.

use super::*;

fn health_role(health: crate::kube::pod_row::Health) -> Role {
    match health {
        crate::kube::pod_row::Health::Error => Role::Error,
        crate::kube::pod_row::Health::Warning => Role::Warning,
        crate::kube::pod_row::Health::Ok | crate::kube::pod_row::Health::Done => Role::Ok,
        crate::kube::pod_row::Health::Pending => Role::Plain,
    }
}

fn run_state_role(state: &crate::kube::tekton_row::RunState) -> Role {
    health_role(state.health())
}

/// Describe a PipelineRun; `pods` are its TaskRuns' pods (from the pod store), which give each
/// TaskRun's state without watching TaskRuns.
pub fn pipelinerun(
    obj: &Value,
    pods: &[&crate::kube::pod_row::PodRow],
    events: &[&EventRow],
    now: Timestamp,
) -> Vec<DocLine> {
    let mut doc = Doc::default();
    let r = pipelinerun_row(obj);
    json_meta(&mut doc, obj, now);
    doc.field(0, "Pipeline", r.pipeline.clone());
    doc.field_as(0, "Status", r.state.text(), run_state_role(&r.state));
    doc.field(0, "Message", r.message.clone());
    doc.field(0, "Started", time(r.started, now));
    doc.field(0, "Duration", r.duration_text(now));
    doc.field(0, "Tasks", r.progress_text());
    if let Some(sa) = obj["spec"]["taskRunTemplate"]["serviceAccountName"]
        .as_str()
        .or_else(|| obj["spec"]["serviceAccountName"].as_str())
    {
        doc.field(0, "Service Account", sa);
    }
    if let Some(params) = obj["spec"]["params"].as_array().filter(|p| !p.is_empty()) {
        doc.heading(0, "Params:");
        for p in params {
            doc.text(
                2,
                format!("{}: {}", p["name"].as_str().unwrap_or_default(), p["value"]),
                Role::Plain,
            );
        }
    }
    doc.heading(0, "TaskRuns:");
    let children = obj["status"]["childReferences"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if children.is_empty() {
        doc.text(2, "<none>", Role::Muted);
    }
    for c in children {
        let name = c["name"].as_str().unwrap_or_default();
        let pod = pods
            .iter()
            .find(|p| p.labels.get("tekton.dev/taskRun") == Some(name));
        let (state, role) = match pod {
            Some(p) => (p.status.clone(), health_role(p.health)),
            None => ("no pod".to_string(), Role::Muted),
        };
        doc.text(
            2,
            format!(
                "{name} ({})  {state}",
                c["pipelineTaskName"].as_str().unwrap_or_default()
            ),
            role,
        );
    }
    events_section(&mut doc, events, now);
    doc.lines
}

pub fn taskrun(obj: &Value, events: &[&EventRow], now: Timestamp) -> Vec<DocLine> {
    let mut doc = Doc::default();
    let r = taskrun_row(obj);
    json_meta(&mut doc, obj, now);
    doc.field(0, "Task", r.task.clone());
    doc.field_as(0, "Status", r.state.text(), run_state_role(&r.state));
    doc.field(0, "Message", r.message.clone());
    doc.field(0, "Pod", r.pod.clone());
    doc.field(0, "Started", time(r.started, now));
    doc.field(0, "Duration", r.duration_text(now));
    doc.field(0, "Steps", r.steps.join(", "));
    events_section(&mut doc, events, now);
    doc.lines
}
