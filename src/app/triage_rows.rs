//! The rows triage reads, kept by changes: the pods that are a problem now or may become one
//! while they stay as they are (Pending turning old, a crash loop's window), and the warning
//! events. A healthy pod or a normal event, nearly every row of a big cluster, is never looked
//! at again until it changes, so a frame of triage costs what changed, not the cluster.

use std::sync::Arc;

use jiff::Timestamp;

use super::triage::RESTART_WINDOW;
use crate::kube::event_row::EventRow;
use crate::kube::pod_row::{Health, PodRow};
use crate::kube::row_store::{Cursor, RowStore, Since};

/// The rows of one store that pass a test, by uid, kept from the store's feed.
pub struct Kept<R> {
    read: Cursor,
    rows: foldhash::HashMap<String, Arc<R>>,
}

impl<R> Default for Kept<R> {
    fn default() -> Self {
        Self {
            read: Cursor::default(),
            rows: foldhash::HashMap::default(),
        }
    }
}

/// What a row is known by here.
pub trait Uid {
    fn uid(&self) -> &str;
}

impl Uid for PodRow {
    fn uid(&self) -> &str {
        &self.uid
    }
}

impl Uid for EventRow {
    fn uid(&self) -> &str {
        &self.uid
    }
}

impl<R: Uid> Kept<R> {
    /// Take what changed in `store` since the last call (every row on the first, after a
    /// relist, or when too far behind), keeping the rows that pass `keep`.
    pub fn update(&mut self, store: &RowStore<R>, keep: impl Fn(&R) -> bool) {
        match store.since(&mut self.read) {
            Since::All(rows) => {
                self.rows = rows
                    .into_iter()
                    .filter(|r| keep(r))
                    .map(|r| (r.uid().to_string(), r))
                    .collect();
            }
            Since::Changes(changes) => {
                for (old, new) in changes {
                    if let Some(old) = old {
                        self.rows.remove(old.uid());
                    }
                    if let Some(new) = new.filter(|r| keep(r)) {
                        self.rows.insert(new.uid().to_string(), new);
                    }
                }
            }
        }
    }

    /// The rows kept, in no particular order.
    pub fn rows(&self) -> Vec<Arc<R>> {
        self.rows.values().cloned().collect()
    }
}

/// One cluster's rows triage reads.
#[derive(Default)]
pub struct TriageRows {
    pub pods: Kept<PodRow>,
    pub warnings: Kept<EventRow>,
}

impl TriageRows {
    pub fn update(&mut self, pods: &RowStore<PodRow>, events: &RowStore<EventRow>, now: Timestamp) {
        self.pods.update(pods, |p| may_be_problem(p, now));
        self.warnings.update(events, |e| e.warning);
    }
}

/// Whether triage may list `p` now or later without the pod changing: anything but a pod
/// running (or done) as it should, with no restart still inside the crash-loop window and no
/// eviction. A restart out of the window cannot come back into it unchanged; Pending is
/// `Health::Pending`, so a young Pending pod is kept until it is old enough to list.
pub fn may_be_problem(p: &PodRow, now: Timestamp) -> bool {
    let recent_restart = p.restarts > 0
        && p.last_restart
            .is_none_or(|t| now.duration_since(t) <= RESTART_WINDOW);
    let oom_before = p.restarts > 0 && p.last_terminated_reason.as_deref() == Some("OOMKilled");
    p.evicted.is_some()
        || recent_restart
        || oom_before
        || !matches!(p.health, Health::Ok | Health::Done)
        || matches!(
            p.status.as_str(),
            "OOMKilled"
                | "CrashLoopBackOff"
                | "ImagePullBackOff"
                | "ErrImagePull"
                | "InvalidImageName"
                | "ErrImageNeverPull"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixture;
    use crate::app::triage::{pod_problem, triage};
    use crate::kube::row_store::RowWriter;
    use jiff::SignedDuration;
    use k8s_openapi::api::core::v1::Pod;
    use kube::runtime::watcher::Event;
    use std::collections::HashMap;

    fn minutes(m: i64) -> SignedDuration {
        SignedDuration::from_secs(m * 60)
    }

    /// Every kind of pod the triage rules tell apart, restarted at `last` (if it restarted).
    fn variants(now: Timestamp) -> Vec<PodRow> {
        let statuses = [
            ("Running", "Running", Health::Ok),
            ("Running", "Running", Health::Warning),
            ("Completed", "Succeeded", Health::Done),
            ("Pending", "Pending", Health::Pending),
            ("ContainerCreating", "Pending", Health::Pending),
            ("CrashLoopBackOff", "Running", Health::Error),
            ("Error", "Failed", Health::Error),
            ("OOMKilled", "Running", Health::Error),
            ("ImagePullBackOff", "Pending", Health::Error),
            ("Terminating", "Running", Health::Warning),
        ];
        let mut out = Vec::new();
        for (status, phase, health) in statuses {
            for restarts in [0, 3] {
                for last in [None, Some(minutes(1)), Some(minutes(30))] {
                    for reason in [None, Some("Error"), Some("OOMKilled")] {
                        for (created, evicted) in
                            [(0, false), (1, false), (120, false), (120, true)]
                        {
                            let mut p =
                                (*fixture::pod("demo", "p", status, health, restarts)).clone();
                            p.phase = phase.into();
                            p.last_restart = last.and_then(|d| now.checked_sub(d).ok());
                            p.last_terminated_reason = reason.map(str::to_string);
                            p.created = now.checked_sub(minutes(created)).ok();
                            p.evicted = evicted.then(|| {
                                Box::new(crate::kube::pod_row::Evicted {
                                    message: String::new(),
                                    at: p.created,
                                })
                            });
                            p.uid = format!("p{}", out.len());
                            p.name = p.uid.clone();
                            out.push(p);
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn a_pod_left_out_is_not_a_problem_now_nor_later_unchanged() {
        let now = fixture::now();
        let unhealthy = HashMap::new();
        let cluster = fixture::cluster();
        let pods = variants(now);
        let mut left_out = 0;
        for p in &pods {
            if may_be_problem(p, now) {
                continue;
            }
            left_out += 1;
            for later in [0, 2, 11, 60, 24 * 60] {
                let at = now.checked_add(minutes(later)).unwrap_or(now);
                assert!(
                    pod_problem(p, &unhealthy, at, &cluster).is_none(),
                    "{p:?} left out, a problem {later} minutes later"
                );
            }
        }
        // Healthy pods are left out (else this proves nothing).
        assert!(left_out > 0 && left_out < pods.len(), "{left_out}");
    }

    fn pod(name: &str, state: &str) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": "demo", "uid": format!("{name}-{state}"),
                "annotations": {"state": state}},
        }))
        .unwrap_or_default()
    }

    /// A pod row from its `state` annotation: healthy, looping, or pending.
    fn row(p: &Pod) -> PodRow {
        let name = p.metadata.name.as_deref().unwrap_or_default();
        let state = p
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("state"))
            .map_or("ok", String::as_str);
        let mut r = match state {
            "looping" => {
                (*fixture::pod("demo", name, "CrashLoopBackOff", Health::Error, 4)).clone()
            }
            "pending" => (*fixture::pod("demo", name, "Pending", Health::Pending, 0)).clone(),
            _ => (*fixture::pod("demo", name, "Running", Health::Ok, 0)).clone(),
        };
        r.uid = p.metadata.uid.clone().unwrap_or_default();
        r
    }

    fn listed(pods: &[Arc<PodRow>]) -> Vec<String> {
        let now = fixture::now();
        let mut rows: Vec<String> = triage(pods, &[], &[], &[], now, &fixture::cluster())
            .iter()
            .map(|r| format!("{} {} {}", r.problem, r.target.name, r.detail))
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn kept_by_changes_triage_lists_what_it_lists_from_every_pod() {
        let now = fixture::now();
        let mut w: RowWriter<Pod, PodRow> = RowWriter::new(row);
        let store = w.as_reader();
        w.apply(&Event::Init);
        for i in 0..20 {
            let state = ["ok", "ok", "looping", "pending"][i % 4];
            w.apply(&Event::InitApply(pod(&format!("p{i}"), state)));
        }
        w.apply(&Event::InitDone);
        let mut kept = Kept::default();
        kept.update(&store, |p| may_be_problem(p, now));
        assert_eq!(listed(&kept.rows()), listed(&store.rows()));
        let steps = [
            ("p0", Some("looping")),
            ("p2", Some("ok")),
            ("p3", None),
            ("p4", Some("pending")),
            ("p5", Some("ok")),
            ("p6", Some("looping")),
            ("p0", Some("ok")),
            ("p7", None),
        ];
        for (name, state) in steps {
            match state {
                Some(s) => w.apply(&Event::Apply(pod(name, s))),
                None => w.apply(&Event::Delete(pod(name, "ok"))),
            }
            kept.update(&store, |p| may_be_problem(p, now));
            assert_eq!(
                listed(&kept.rows()),
                listed(&store.rows()),
                "after {name} {state:?}"
            );
            // Only those that may be a problem are kept.
            assert!(kept.rows().len() < store.rows().len());
        }
    }
}
