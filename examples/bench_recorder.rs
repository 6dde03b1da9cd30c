//! The flight recorder's own costs (not a test), through its real code: an hour of a storm of
//! recorded changes (readiness flips, 200 a second: each writes the pod's recorded fields and
//! a timeline change) after a list of N pods, written by `journal::Journal` as the writer
//! thread does (flushed every 200 ms of the storm's time); then `:at` read back from it.
//! Reported: the journal's size per hour, the writing cost per change (as a share of one
//! core at 200 a second), `:at` at the middle and the end of the hour, and the memory of a
//! full live timeline (its 20,000 kept changes).
//!
//! Run: cargo build --release --examples && target/release/examples/bench_recorder
//!        [--pods 100000] [--minutes 60] [--rate 200]

use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use kubedeck::journal::{DEFAULT_CAP, Journal};
use kubedeck::journal_travel::state_at;
use kubedeck::kube::pod_row::PodRow;
use kubedeck::kube::recorded::{StateLine, pod_fields};
use kubedeck::kube::timeline::pod_changes;

fn arg(flag: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pod(i: u64, created: Timestamp) -> PodRow {
    PodRow {
        namespace: format!("ns-{}", i / 400),
        name: format!("app-{}-7d9f8c6b5d-{:05}", i % 37, i),
        uid: format!("uid-{i}"),
        ready: "1/1".into(),
        status: "Running".into(),
        phase: "Running".into(),
        node: format!("worker-{:03}", i / 20),
        ip: format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256),
        created: Some(created),
        owner: Some(("ReplicaSet".into(), format!("app-{}-7d9f8c6b5d", i % 37))),
        ..kubedeck::kube::pod_row::pod_row(&Default::default())
    }
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |pages| pages * 4096.0 / 1048576.0)
}

fn main() -> std::io::Result<()> {
    let pods = arg("--pods", 100_000);
    let minutes = arg("--minutes", 60);
    let rate = arg("--rate", 200);
    let dir = tempfile::tempdir()?;
    let journal = dir.path().join("journal");
    let start = Timestamp::now()
        .checked_sub(SignedDuration::from_mins(minutes as i64 + 1))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let mut j = Journal::open(&journal, DEFAULT_CAP).map_err(std::io::Error::other)?;
    let mut rows: Vec<PodRow> = (0..pods).map(|i| pod(i, start)).collect();
    // The first list, whole.
    let t = Instant::now();
    let mut list = vec![StateLine::list("pod", start)];
    list.extend(rows.iter().map(|p| {
        let (ns, n, f) = pod_fields(p);
        StateLine::of("pod", &ns, &n, Some(f), start)
    }));
    j.append_states(&list).map_err(std::io::Error::other)?;
    j.flush().map_err(std::io::Error::other)?;
    let listed = t.elapsed();
    // The storm: `rate` readiness flips a second for `minutes`, flushed every 200 ms.
    let changes = rate * 60 * minutes;
    let per_flush = (rate / 5).max(1);
    let t = Instant::now();
    for n in 0..changes {
        let at = start
            .checked_add(SignedDuration::from_millis((n * 1000 / rate) as i64))
            .unwrap_or(start);
        let i = fastrand::usize(..rows.len());
        let old = rows[i].clone();
        let new = &mut rows[i];
        let ready = new.ready == "1/1";
        new.ready = if ready { "0/1" } else { "1/1" }.into();
        // The recorder's own path: fields compared, the line and the change written.
        let (ns, name, f) = pod_fields(new);
        if pod_fields(&old).2 != f {
            let line = StateLine::of("pod", &ns, &name, Some(f), at);
            j.append_states(&[line]).map_err(std::io::Error::other)?;
        }
        let records = pod_changes(Some(&old), Some(new), at);
        j.append(&records).map_err(std::io::Error::other)?;
        if n % per_flush == per_flush - 1 {
            j.flush().map_err(std::io::Error::other)?;
        }
    }
    j.flush().map_err(std::io::Error::other)?;
    let stormed = t.elapsed();
    drop(j);
    let bytes: u64 = kubedeck::journal::segments(&journal)
        .iter()
        .map(|s| s.2)
        .sum();
    let hours = minutes as f64 / 60.0;
    let per_change = stormed.as_secs_f64() / changes as f64;
    println!(
        "### The flight recorder: {pods} pods, {rate} recorded changes a second for {minutes} min\n"
    );
    println!("| | |");
    println!("|---|---|");
    println!("| the first list written | {:.2} s |", listed.as_secs_f64());
    println!(
        "| journal after the list and the storm | {:.1} MB ({:.1} MB per hour of storm, segments: {}) |",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / hours,
        kubedeck::journal::segments(&journal).len()
    );
    println!(
        "| writing one change (fields compared, both lines serialized and compressed) | {:.1} µs: {:.2}% of a core at {rate}/s |",
        per_change * 1e6,
        per_change * rate as f64 * 100.0
    );
    for (label, at) in [
        (
            "`:at` the middle of the storm",
            start.checked_add(SignedDuration::from_mins(minutes as i64 / 2)),
        ),
        (
            "`:at` the end of the storm",
            start.checked_add(SignedDuration::from_mins(minutes as i64)),
        ),
    ] {
        let at = at.unwrap_or(start);
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let snap = state_at(&journal, at).map_err(std::io::Error::other)?;
            times.push(t.elapsed().as_secs_f64());
            found = snap.kinds.get("pod").map_or(0, |p| p.len());
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {label} | {:.2} s (median of 3; {found} pods) |",
            times[1]
        );
    }
    // A full live timeline: its 20,000 kept changes.
    let before = rss_mib();
    let mut timeline = kubedeck::app::timeline_state::TimelineState::default();
    let cluster = kubedeck::kube::ids::ClusterId::new("bench");
    for n in 0..kubedeck::app::timeline_state::KEPT as u64 {
        let mut a = pod(n, start);
        let b = PodRow {
            ready: "0/1".into(),
            status: "CrashLoopBackOff".into(),
            restarts: 3,
            last_terminated_reason: Some("OOMKilled".into()),
            last_exit_code: Some(137),
            ..a.clone()
        };
        a.restarts = 2;
        timeline.push(&cluster, pod_changes(Some(&a), Some(&b), start));
    }
    println!(
        "| the live timeline, full ({} changes) | {:.1} MiB resident more |",
        timeline.changes.len(),
        rss_mib() - before
    );
    Ok(())
}
