//! Tekton step logs captured to disk, so a run's logs stay readable after its pods are deleted.
//!
//! Layout under the capture root (the cache dir by default):
//! `<cluster>/<namespace>/<pod>/meta.json` and `<pod>/<container>.log`, where `<cluster>` names
//! the context and its server (two clusters with one context name never share captures). Logs
//! are kept as the apiserver sent them (RFC 3339 timestamp, space, line), so a replay merges
//! them by time like a live stream. Files are private (0600, directories 0700): logs carry
//! secrets often enough. The whole root is bounded: past `max_bytes` the pods captured longest
//! ago are removed first. Names come from the cluster, so each path part is made safe first.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

const META: &str = "meta.json";

/// What is known about one captured pod (one TaskRun's pod).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodMeta {
    pub pod: String,
    pub pipeline_run: Option<String>,
    pub task_run: Option<String>,
    pub pipeline_task: Option<String>,
    pub steps: Vec<StepMeta>,
}

/// One captured step container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepMeta {
    pub container: String,
    /// Position in the pod spec: the step order.
    pub order: usize,
    pub exit_code: i32,
    /// Still running when its pod was marked for deletion (a cancel or timeout): the log was
    /// read then and `exit_code` means nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// The container's `finishedAt` (the pod's deletion time when interrupted): with the name, what identifies the instance captured.
    pub finished_at: String,
    /// RFC 3339, when kubedeck read the log.
    pub captured_at: String,
    /// Whether the log reached the per-step cap (its start is kept, the rest was not read).
    pub truncated: bool,
}

/// A captured pod's metadata with the logs of its steps, in step order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedPod {
    pub meta: PodMeta,
    pub logs: Vec<(StepMeta, Vec<u8>)>,
}

/// A run's captures, summed up for the captured-runs list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapturedRun {
    /// `namespace/kind/name`: the row's identity in the list.
    pub key: String,
    pub namespace: String,
    /// `PipelineRun`, or `TaskRun` for one outside a PipelineRun.
    pub kind: &'static str,
    pub name: String,
    pub pods: usize,
    pub steps: usize,
    /// `task/step` of each step that exited non-zero.
    pub failed: Vec<String>,
    /// When the newest of its steps was captured.
    pub captured_at: Option<jiff::Timestamp>,
}

#[derive(Debug)]
pub struct StepStore {
    root: PathBuf,
    cluster: PathBuf,
    max_bytes: u64,
    /// Bytes written since the last prune: the root is walked once per `max_bytes / 16`.
    since_prune: Mutex<u64>,
}

/// A path part made from a name the cluster sent: letters, digits, `.`, `-`, `_` only, never
/// `.` or `..`, never empty, bounded in length.
pub fn safe_part(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(200)
        .collect();
    if s.is_empty() || s.chars().all(|c| c == '.') {
        s = format!("_{s}");
    }
    s
}

fn private_dir(path: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(path)
}

/// Write `bytes` to `path` through a temporary file and a rename, so a reader never sees half.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_data()?;
    drop(f);
    fs::rename(&tmp, path)
}

fn dir_size(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

impl StepStore {
    /// The store for one cluster under `root`.
    pub fn new(root: &Path, context: &str, server: &str, max_bytes: u64) -> Self {
        let server = server
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        Self {
            root: root.to_path_buf(),
            cluster: root.join(safe_part(&format!("{context}@{server}"))),
            max_bytes,
            since_prune: Mutex::new(u64::MAX / 2),
        }
    }

    fn pod_dir(&self, namespace: &str, pod: &str) -> PathBuf {
        self.cluster.join(safe_part(namespace)).join(safe_part(pod))
    }

    fn read_meta(dir: &Path) -> Option<PodMeta> {
        let text = fs::read(dir.join(META)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Whether this instance of the step is captured already.
    pub fn has(&self, namespace: &str, pod: &str, container: &str, finished_at: &str) -> bool {
        Self::read_meta(&self.pod_dir(namespace, pod)).is_some_and(|m| {
            m.steps
                .iter()
                .any(|s| s.container == container && s.finished_at == finished_at)
        })
    }

    /// Store one step's log (replacing an earlier instance of the same container).
    pub fn save(
        &self,
        namespace: &str,
        pod: &PodMeta,
        step: StepMeta,
        log: &[u8],
    ) -> io::Result<()> {
        let dir = self.pod_dir(namespace, &pod.pod);
        private_dir(&dir)?;
        let file = dir.join(format!("{}.log", safe_part(&step.container)));
        write_private(&file, log)?;
        let mut meta = Self::read_meta(&dir).unwrap_or_else(|| PodMeta {
            steps: Vec::new(),
            ..pod.clone()
        });
        meta.steps.retain(|s| s.container != step.container);
        meta.steps.push(step);
        meta.steps.sort_by_key(|s| s.order);
        let text = serde_json::to_vec_pretty(&meta).map_err(io::Error::other)?;
        write_private(&dir.join(META), &text)?;
        let due = {
            let mut since = self.since_prune.lock().unwrap_or_else(|e| e.into_inner());
            *since = since.saturating_add(log.len() as u64);
            let due = *since >= self.max_bytes / 16;
            if due {
                *since = 0;
            }
            due
        };
        if due {
            self.prune()?;
        }
        Ok(())
    }

    /// The captured pods of a PipelineRun (`kind` "PipelineRun") or TaskRun in `namespace`,
    /// with their logs, skipping the pods named in `except` (those still live).
    pub fn find(
        &self,
        namespace: &str,
        kind: &str,
        name: &str,
        except: &[String],
    ) -> Vec<CapturedPod> {
        let dir = self.cluster.join(safe_part(namespace));
        let mut found = Vec::new();
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let Some(meta) = Self::read_meta(&entry.path()) else {
                continue;
            };
            let owner = if kind == "TaskRun" {
                &meta.task_run
            } else {
                &meta.pipeline_run
            };
            if owner.as_deref() != Some(name) || except.contains(&meta.pod) {
                continue;
            }
            let logs = meta
                .steps
                .iter()
                .filter_map(|s| {
                    let file = entry
                        .path()
                        .join(format!("{}.log", safe_part(&s.container)));
                    fs::read(file).ok().map(|bytes| (s.clone(), bytes))
                })
                .collect();
            found.push(CapturedPod { meta, logs });
        }
        found.sort_by(|a, b| a.meta.pod.cmp(&b.meta.pod));
        found
    }

    /// Every captured run in this cluster, newest capture first: a PipelineRun's pods grouped
    /// as one run, a TaskRun outside a PipelineRun as its own.
    pub fn runs(&self) -> Vec<CapturedRun> {
        let mut runs: std::collections::BTreeMap<(String, &'static str, String), CapturedRun> =
            std::collections::BTreeMap::new();
        for ns in fs::read_dir(&self.cluster).into_iter().flatten().flatten() {
            let namespace = ns.file_name().to_string_lossy().to_string();
            for pod in fs::read_dir(ns.path()).into_iter().flatten().flatten() {
                let Some(meta) = Self::read_meta(&pod.path()) else {
                    continue;
                };
                let (kind, name) = match (&meta.pipeline_run, &meta.task_run) {
                    (Some(pr), _) => ("PipelineRun", pr.clone()),
                    (None, Some(tr)) => ("TaskRun", tr.clone()),
                    (None, None) => continue,
                };
                let run = runs
                    .entry((namespace.clone(), kind, name.clone()))
                    .or_insert_with(|| CapturedRun {
                        key: format!("{namespace}/{kind}/{name}"),
                        namespace: namespace.clone(),
                        kind,
                        name,
                        ..CapturedRun::default()
                    });
                run.pods += 1;
                for step in &meta.steps {
                    run.steps += 1;
                    if step.exit_code != 0 || step.interrupted {
                        let task = meta.pipeline_task.as_deref();
                        let label = super::log_request::step_label(kind, task, &step.container);
                        run.failed.push(if step.interrupted {
                            format!("{label} (interrupted)")
                        } else {
                            label
                        });
                    }
                    let at = step.captured_at.parse::<jiff::Timestamp>().ok();
                    run.captured_at = run.captured_at.max(at);
                }
            }
        }
        let mut runs: Vec<CapturedRun> = runs.into_values().collect();
        runs.sort_by_key(|r| std::cmp::Reverse(r.captured_at));
        runs
    }

    /// Remove the pods captured longest ago until the whole root is within `max_bytes`.
    pub fn prune(&self) -> io::Result<()> {
        // Every pod directory under every cluster and namespace, with its size and age.
        let mut pods: Vec<(std::time::SystemTime, u64, PathBuf)> = Vec::new();
        for cluster in fs::read_dir(&self.root)?.flatten() {
            for ns in fs::read_dir(cluster.path()).into_iter().flatten().flatten() {
                for pod in fs::read_dir(ns.path()).into_iter().flatten().flatten() {
                    let path = pod.path();
                    let modified = fs::metadata(path.join(META))
                        .and_then(|m| m.modified())
                        .unwrap_or(std::time::UNIX_EPOCH);
                    pods.push((modified, dir_size(&path), path));
                }
            }
        }
        let mut total: u64 = pods.iter().map(|p| p.1).sum();
        pods.sort();
        for (_, size, path) in pods {
            if total <= self.max_bytes {
                break;
            }
            fs::remove_dir_all(&path)?;
            total = total.saturating_sub(size);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, run: &str) -> PodMeta {
        PodMeta {
            pod: name.into(),
            pipeline_run: Some(run.into()),
            task_run: Some(format!("{run}-build")),
            pipeline_task: Some("build".into()),
            steps: Vec::new(),
        }
    }

    fn step(container: &str, order: usize, code: i32) -> StepMeta {
        StepMeta {
            container: container.into(),
            order,
            exit_code: code,
            interrupted: false,
            finished_at: "2026-11-22T10:00:00Z".into(),
            captured_at: "2026-11-22T10:00:01Z".into(),
            truncated: false,
        }
    }

    #[test]
    fn names_from_the_cluster_cannot_leave_the_root() {
        assert_eq!(safe_part("../../etc"), ".._.._etc");
        assert_eq!(safe_part(".."), "_..");
        assert_eq!(safe_part(""), "_");
        assert_eq!(safe_part("a/b\0c"), "a_b_c");
        assert_eq!(safe_part("build-pod-x1"), "build-pod-x1");
        assert_eq!(safe_part(&"x".repeat(500)).len(), 200);
    }

    #[test]
    fn saves_and_finds_steps_in_order_by_run_or_taskrun() {
        let dir = tempfile::tempdir().unwrap();
        let store = StepStore::new(dir.path(), "kind", "https://127.0.0.1:6443", 1 << 20);
        let p = pod("ci-run-1-build-pod", "ci-run-1");
        store
            .save("ci", &p, step("step-test", 1, 1), b"t1 failing\n")
            .unwrap();
        store
            .save("ci", &p, step("step-build", 0, 0), b"t0 built\n")
            .unwrap();
        assert!(store.has(
            "ci",
            "ci-run-1-build-pod",
            "step-test",
            "2026-11-22T10:00:00Z"
        ));
        assert!(!store.has(
            "ci",
            "ci-run-1-build-pod",
            "step-test",
            "2026-11-22T11:00:00Z"
        ));

        let found = store.find("ci", "PipelineRun", "ci-run-1", &[]);
        assert_eq!(found.len(), 1);
        let steps: Vec<&str> = found[0]
            .logs
            .iter()
            .map(|(s, _)| s.container.as_str())
            .collect();
        assert_eq!(steps, ["step-build", "step-test"]);
        assert_eq!(found[0].logs[1].1, b"t1 failing\n");
        assert_eq!(store.find("ci", "TaskRun", "ci-run-1-build", &[]).len(), 1);
        assert!(store.find("ci", "PipelineRun", "ci-run-2", &[]).is_empty());
        // A live pod is streamed, not replayed.
        let live = vec!["ci-run-1-build-pod".to_string()];
        assert!(
            store
                .find("ci", "PipelineRun", "ci-run-1", &live)
                .is_empty()
        );
        let runs = store.runs();
        assert_eq!(runs.len(), 1);
        assert_eq!(
            (
                runs[0].kind,
                runs[0].name.as_str(),
                runs[0].pods,
                runs[0].steps
            ),
            ("PipelineRun", "ci-run-1", 1, 2)
        );
        assert_eq!(runs[0].failed, ["build/test"]);
        assert!(runs[0].captured_at.is_some());
        // Another cluster with the same context name sees nothing.
        let other = StepStore::new(dir.path(), "kind", "https://10.0.0.1:6443", 1 << 20);
        assert!(other.find("ci", "PipelineRun", "ci-run-1", &[]).is_empty());
    }

    #[test]
    fn an_interrupted_step_counts_as_failed_until_its_end_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = StepStore::new(dir.path(), "c", "s", 1 << 20);
        let p = pod("ci-run-1-build-pod", "ci-run-1");
        let cut = StepMeta {
            interrupted: true,
            ..step("step-test", 0, 0)
        };
        store.save("ci", &p, cut, b"t1 half\n").unwrap();
        assert_eq!(store.runs()[0].failed, ["build/test (interrupted)"]);
        let found = store.find("ci", "PipelineRun", "ci-run-1", &[]);
        assert!(found[0].logs[0].0.interrupted);
        // Killed before the pod went: its end is read again and replaces the cut log.
        let ended = StepMeta {
            finished_at: "2026-11-22T10:00:09Z".into(),
            ..step("step-test", 0, 143)
        };
        store.save("ci", &p, ended, b"t1 half\nt2 rest\n").unwrap();
        let found = store.find("ci", "PipelineRun", "ci-run-1", &[]);
        assert_eq!(found[0].logs.len(), 1);
        assert!(!found[0].logs[0].0.interrupted);
        assert_eq!(found[0].logs[0].1, b"t1 half\nt2 rest\n");
        assert_eq!(store.runs()[0].failed, ["build/test"]);
    }

    #[cfg(unix)]
    #[test]
    fn captures_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = StepStore::new(dir.path(), "c", "s", 1 << 20);
        store
            .save("ci", &pod("p", "r"), step("step-a", 0, 0), b"secret\n")
            .unwrap();
        let pod_dir = store.pod_dir("ci", "p");
        let mode = |p: &Path| {
            fs::metadata(p)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0)
        };
        assert_eq!(mode(&pod_dir.join("step-a.log")), 0o600);
        assert_eq!(mode(&pod_dir.join(META)), 0o600);
        assert_eq!(mode(&pod_dir), 0o700);
    }

    #[test]
    fn the_root_stays_within_its_bound_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = StepStore::new(dir.path(), "c", "s", 10_000);
        let log = vec![b'x'; 3_000];
        for i in 0..6 {
            let p = pod(&format!("pod-{i}"), &format!("run-{i}"));
            store.save("ci", &p, step("step-a", 0, 0), &log).unwrap();
            // The modification times must differ for "oldest" to mean something.
            let meta = store.pod_dir("ci", &p.pod).join(META);
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000 + i);
            fs::File::options()
                .write(true)
                .open(&meta)
                .and_then(|f| f.set_modified(t))
                .unwrap();
        }
        store.prune().unwrap();
        let left: Vec<bool> = (0..6)
            .map(|i| store.pod_dir("ci", &format!("pod-{i}")).exists())
            .collect();
        // 3 KB logs plus their metadata: the newest three fit in 10 KB, the rest went.
        assert_eq!(left, [false, false, false, true, true, true]);
        let total: u64 = (3..6)
            .map(|i| dir_size(&store.pod_dir("ci", &format!("pod-{i}"))))
            .sum();
        assert!(total <= 10_000, "{total}");
    }
}
