//! What a log pane asks for: whose logs (one container, all of a pod's, every pod behind a label
//! selector, a Tekton run's steps) and how much (tail, since, previous). Pure data.

use std::fmt;

use jiff::SignedDuration;

/// Whose logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// One pod: one named container, or all of them.
    Pod {
        namespace: String,
        name: String,
        container: Option<String>,
    },
    /// Named pods (the marked rows), merged: each pod's containers, while the pod lives
    /// (`namespace`: theirs when they share one, `None` when they do not).
    Pods {
        namespace: Option<String>,
        pods: Vec<(String, String)>,
    },
    /// Every pod a label selector matches now and later (`None`: all namespaces).
    Selector {
        namespace: Option<String>,
        selector: String,
    },
    /// Every pod a workload (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job) selects, by
    /// the selector read from the workload when the stream starts.
    Owner {
        namespace: String,
        kind: super::owner::OwnerKind,
        name: String,
    },
    /// The step containers of a PipelineRun's or TaskRun's pods.
    Tekton {
        namespace: String,
        /// `PipelineRun` or `TaskRun`.
        kind: &'static str,
        name: String,
    },
}

impl LogTarget {
    /// The label selector that finds the target's pods, if it is not a single pod (an owner's
    /// is read from the cluster).
    pub fn selector(&self) -> Option<String> {
        match self {
            LogTarget::Pod { .. } | LogTarget::Owner { .. } | LogTarget::Pods { .. } => None,
            LogTarget::Selector { selector, .. } => Some(selector.clone()),
            LogTarget::Tekton { kind, name, .. } => {
                let key = if *kind == "TaskRun" {
                    "tekton.dev/taskRun"
                } else {
                    "tekton.dev/pipelineRun"
                };
                Some(format!("{key}={name}"))
            }
        }
    }

    pub fn namespace(&self) -> Option<&str> {
        match self {
            LogTarget::Pod { namespace, .. }
            | LogTarget::Tekton { namespace, .. }
            | LogTarget::Owner { namespace, .. } => Some(namespace),
            LogTarget::Selector { namespace, .. } | LogTarget::Pods { namespace, .. } => {
                namespace.as_deref()
            }
        }
    }

    /// Whether the pod `namespace/name` is one the target reads (named pods: only those).
    pub fn admits(&self, namespace: &str, name: &str) -> bool {
        match self {
            LogTarget::Pods { pods, .. } => pods.iter().any(|(n, p)| n == namespace && p == name),
            _ => true,
        }
    }

    /// Whether the target spans pods (each line then says which pod it is from).
    pub fn is_many(&self) -> bool {
        matches!(
            self,
            LogTarget::Selector { .. } | LogTarget::Owner { .. } | LogTarget::Pods { .. }
        )
    }

    /// Whether a container of a matched pod belongs to the target.
    pub fn wants(&self, container: &str) -> bool {
        match self {
            LogTarget::Pod {
                container: Some(c), ..
            } => c == container,
            LogTarget::Tekton { .. } => container.starts_with("step-"),
            _ => true,
        }
    }

    /// Whether the target is a PipelineRun's or TaskRun's steps.
    pub fn is_tekton(&self) -> bool {
        matches!(self, LogTarget::Tekton { .. })
    }
}

impl fmt::Display for LogTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogTarget::Pod {
                name,
                container: Some(c),
                ..
            } => write!(f, "{name}/{c}"),
            LogTarget::Pod { name, .. } => write!(f, "{name} (all containers)"),
            LogTarget::Selector { selector, .. } => write!(f, "-l {selector}"),
            LogTarget::Pods { pods, .. } => match &pods[..] {
                [(_, one)] => write!(f, "{one}"),
                [(_, first), rest @ ..] => write!(f, "{first} and {} more", rest.len()),
                [] => write!(f, "no pods"),
            },
            LogTarget::Owner { kind, name, .. } => write!(f, "{}/{name}", kind.short),
            LogTarget::Tekton { kind, name, .. } => write!(f, "{kind} {name}"),
        }
    }
}

/// A Tekton step's prefix: `task/step` in a PipelineRun, `step` in a TaskRun.
pub fn step_label(kind: &str, task: Option<&str>, container: &str) -> String {
    let step = container.strip_prefix("step-").unwrap_or(container);
    match task {
        Some(task) if kind == "PipelineRun" => format!("{task}/{step}"),
        _ => step.to_string(),
    }
}

/// How much of each container's log to ask for. Every request carries `tailLines` or
/// `limitBytes`, so the server never streams an unbounded backlog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogOptions {
    pub follow: bool,
    pub previous: bool,
    /// Lines of backlog per container.
    pub tail_lines: i64,
    pub since: Option<SignedDuration>,
    /// Bytes per request; a follow stream that reaches it reconnects from where it stopped.
    pub limit_bytes: i64,
}

impl Default for LogOptions {
    fn default() -> Self {
        Self {
            follow: true,
            previous: false,
            tail_lines: 500,
            since: None,
            limit_bytes: 32 << 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    /// The cluster the pods are in.
    pub cluster: super::ids::ClusterId,
    pub target: LogTarget,
    pub options: LogOptions,
}

/// Parse `5m`, `1h`, `30s`, `2h30m`, `1d`.
/// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
pub fn parse_since(text: &str) -> Result<SignedDuration, String> {
    let mut total = 0i64;
    let mut num = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => {
                return Err(format!(
                    "bad duration {text:?} (expected e.g. 30s, 5m, 1h, 2h30m)"
                ));
            }
        };
        let n: i64 = num
            .parse()
            .map_err(|_| format!("bad duration {text:?} (a number must come before {c})"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        num.clear();
    }
    if !num.is_empty() || total <= 0 {
        return Err(format!(
            "bad duration {text:?} (expected e.g. 30s, 5m, 1h, 2h30m)"
        ));
    }
    Ok(SignedDuration::from_secs(total))
}

/// `5m` style text for a duration.
pub fn since_label(d: SignedDuration) -> String {
    let s = d.as_secs();
    match s {
        s if s % 86400 == 0 => format!("{}d", s / 86400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_since("5m"), Ok(SignedDuration::from_secs(300)));
        assert_eq!(parse_since("2h30m"), Ok(SignedDuration::from_secs(9000)));
        assert_eq!(parse_since("1d"), Ok(SignedDuration::from_secs(86400)));
        assert!(parse_since("5").is_err());
        assert!(parse_since("m").is_err());
        assert!(parse_since("5x").is_err());
        assert_eq!(since_label(SignedDuration::from_secs(3600)), "1h");
        assert_eq!(since_label(SignedDuration::from_secs(90)), "90s");
    }

    #[test]
    fn targets_find_their_pods() {
        let tr = LogTarget::Tekton {
            namespace: "ci".into(),
            kind: "TaskRun",
            name: "build-1-fetch".into(),
        };
        assert_eq!(
            tr.selector().as_deref(),
            Some("tekton.dev/taskRun=build-1-fetch")
        );
        assert!(tr.wants("step-clone") && !tr.wants("prepare"));
        let pod = LogTarget::Pod {
            namespace: "demo".into(),
            name: "api-1".into(),
            container: Some("envoy".into()),
        };
        assert!(pod.wants("envoy") && !pod.wants("app"));
        assert_eq!(pod.to_string(), "api-1/envoy");
    }
}
