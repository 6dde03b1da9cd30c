//! Tekton steps whose pods are gone, replayed from the step capture as a live stream would
//! have shown them.

use std::sync::Arc;

use jiff::Timestamp;

use super::{BATCH, LogReport, Reporter, TS_PREFIX};
use crate::kube::log_request::{LogTarget, step_label};
use crate::kube::step_store::StepStore;
use crate::logline::record::{Grouper, Line, MAX_LINE_BYTES, parse_line};
use crate::logline::source::{NoteKind, Source, SourceId, SourceState};

/// Replay the captured steps of a Tekton target whose pods are not live (`live`); how many
/// steps were replayed.
pub(super) async fn replay_captured(
    report: &Reporter,
    store: Arc<StepStore>,
    target: &LogTarget,
    live: Vec<String>,
    mut new_id: impl FnMut() -> SourceId,
) -> usize {
    let LogTarget::Tekton {
        namespace,
        kind,
        name,
    } = target
    else {
        return 0;
    };
    let found = {
        let (namespace, name) = (namespace.clone(), name.clone());
        let kind: &'static str = kind;
        tokio::task::spawn_blocking(move || store.find(&namespace, kind, &name, &live))
            .await
            .unwrap_or_default()
    };
    let mut steps = 0;
    let mut newest = String::new();
    for pod in &found {
        for (step, bytes) in &pod.logs {
            let id = new_id();
            steps += 1;
            newest = newest.max(step.captured_at.clone());
            let source = Source {
                pod: pod.meta.pod.clone(),
                container: step.container.clone(),
                label: step_label(kind, pod.meta.pipeline_task.as_deref(), &step.container),
                state: if step.interrupted {
                    SourceState::Interrupted
                } else {
                    SourceState::Ended(Some(step.exit_code))
                },
            };
            if !report.send(LogReport::Source { id, source }).await {
                return steps;
            }
            let lines = captured_lines(bytes);
            let last_ts = lines.iter().rev().find_map(|l| l.ts);
            for chunk in lines.chunks(BATCH) {
                let lines = chunk.to_vec();
                report.send(LogReport::Lines { id, lines }).await;
            }
            if step.interrupted {
                let text = format!(
                    "{}/{} was still running when its pod was deleted: its log up to then",
                    pod.meta.pod, step.container
                );
                // Right after the step's last line: it kept printing after the deletion mark.
                let at = last_ts.or_else(|| step.finished_at.parse::<Timestamp>().ok());
                report.note_at(id, NoteKind::Warning, text, at).await;
            }
            if step.truncated {
                let text = format!(
                    "{}/{}: only the first {} MiB were captured",
                    pod.meta.pod,
                    step.container,
                    crate::kube::step_capture::STEP_LIMIT_BYTES >> 20
                );
                report.note(id, NoteKind::Warning, text).await;
            }
        }
    }
    if steps > 0 {
        let at = newest
            .parse::<Timestamp>()
            .map(|t| {
                t.to_zoned(jiff::tz::TimeZone::system())
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or(newest);
        let pods = found.len();
        let text = format!(
            "{pods} pod(s) of {kind} {name} are gone: {steps} step(s) shown as kubedeck captured them ({at})"
        );
        report.note(0, NoteKind::Info, text).await;
        report.send(LogReport::Captured { at }).await;
    }
    steps
}

/// Lines of a captured log, cut and parsed as a live stream's are.
pub(super) fn captured_lines(bytes: &[u8]) -> Vec<Line> {
    let mut grouper = Grouper::default();
    let cap = MAX_LINE_BYTES + TS_PREFIX;
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if bytes.is_empty() {
        return Vec::new();
    }
    bytes
        .split(|&b| b == b'\n')
        .map(|piece| {
            let (kept, dropped) = if piece.len() > cap {
                (&piece[..cap], piece.len() - cap)
            } else {
                (piece, 0)
            };
            parse_line(kept, dropped, &mut grouper)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captured_logs_read_back_as_a_live_stream_would() {
        let mut raw = b"2026-11-22T10:00:00.000000001Z fetching\n".to_vec();
        raw.extend_from_slice(b"2026-11-22T10:00:01Z \x1b]52;c;aGk=\x07panic: boom\n");
        raw.extend_from_slice(b"2026-11-22T10:00:01Z goroutine 1 [running]:\n");
        raw.extend_from_slice(b"2026-11-22T10:00:02Z ");
        raw.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 5000));
        raw.push(b'\n');
        let lines = captured_lines(&raw);
        assert_eq!(lines.len(), 4, "the trailing newline ends the last line");
        assert_eq!(lines[0].text, "fetching");
        assert!(lines[0].ts.is_some());
        assert!(!lines[1].text.contains('\x1b'), "{:?}", lines[1].text);
        assert!(lines[2].continuation, "a panic's frames stay with it");
        assert!(lines[3].text.contains("line cut"), "long lines are cut");
        assert!(lines[3].text.len() < MAX_LINE_BYTES + 200);
        assert!(captured_lines(b"").is_empty());
    }
}
