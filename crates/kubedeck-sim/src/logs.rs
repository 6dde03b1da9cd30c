//! Container logs, generated: line `i` of a container instance is a pure function of the pod,
//! the container and `i`, stamped at `start + i * interval`. So `tailLines`, `sinceSeconds`,
//! `limitBytes` and `previous` are arithmetic, and nothing is held in memory.

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

/// Like kubelet's log rotation: only this many of the newest lines are still on disk.
pub const RETAINED_LINES: u64 = 5000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogQuery {
    pub container: Option<String>,
    pub follow: bool,
    pub tail_lines: Option<i64>,
    pub limit_bytes: Option<i64>,
    pub since_seconds: Option<i64>,
    pub since_time: Option<Timestamp>,
    pub timestamps: bool,
    pub previous: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    #[error("{0}")]
    BadRequest(String),
}

/// One container instance's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSource {
    pub style: String,
    pub container: String,
    pub pod: String,
    pub seed: u64,
    pub start: Timestamp,
    /// Set when the instance has exited: no lines after this.
    pub end: Option<Timestamp>,
    /// The last words of an instance that failed.
    pub last_words: Option<String>,
    pub interval: SignedDuration,
}

fn mix(a: u64, b: u64) -> u64 {
    let mut x = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 29)
}

fn interval_for(style: &str) -> SignedDuration {
    if style == "flood" {
        // A million lines a second: the log-ingest benchmark's firehose.
        return SignedDuration::from_micros(1);
    }
    SignedDuration::from_millis(match style {
        "hostile" => 1000,
        "task" => 400,
        "json" => 1500,
        "java" => 2500,
        "web" => 2000,
        _ => 3000,
    })
}

fn parse_ts(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// Work out which container instance a request reads, with the apiserver's errors.
pub fn source(pod: &Value, q: &LogQuery) -> Result<LogSource, LogError> {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let names: Vec<&str> = pod["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .chain(pod["spec"]["containers"].as_array())
        .chain(pod["spec"]["ephemeralContainers"].as_array())
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let main: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let container = match &q.container {
        Some(c) if names.contains(&c.as_str()) => c.clone(),
        Some(c) => {
            return Err(LogError::BadRequest(format!(
                "container {c} is not valid for pod {name}"
            )));
        }
        None if main.len() == 1 => main[0].to_string(),
        None => {
            return Err(LogError::BadRequest(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                names.join(" ")
            )));
        }
    };
    let status = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .chain(pod["status"]["initContainerStatuses"].as_array())
        .chain(pod["status"]["ephemeralContainerStatuses"].as_array())
        .flatten()
        .find(|s| s["name"] == container.as_str());
    // A debug container's output went to whoever was attached; its log has nothing scripted.
    let ephemeral = pod["spec"]["ephemeralContainers"]
        .as_array()
        .is_some_and(|l| l.iter().any(|c| c["name"] == container.as_str()));
    let waiting_reason = || {
        status
            .and_then(|s| s["state"]["waiting"]["reason"].as_str())
            .unwrap_or("ContainerCreating")
            .to_string()
    };
    let style = if ephemeral {
        "silent".to_string()
    } else {
        pod["metadata"]["annotations"][super::model::LOG_STYLE]
            .as_str()
            .unwrap_or("worker")
            .to_string()
    };
    let seed = mix(
        name.bytes().fold(0, |h, b| mix(h, u64::from(b))),
        container.len() as u64,
    );
    let mk = |start, end, last_words, seed| LogSource {
        style: style.clone(),
        container: container.clone(),
        pod: name.to_string(),
        seed,
        start,
        end,
        last_words,
        interval: interval_for(&style),
    };
    let Some(status) = status else {
        return Err(LogError::BadRequest(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: {}",
            waiting_reason()
        )));
    };
    let last = &status["lastState"]["terminated"];
    if q.previous {
        let (Some(start), Some(end)) =
            (parse_ts(&last["startedAt"]), parse_ts(&last["finishedAt"]))
        else {
            return Err(LogError::BadRequest(format!(
                "previous terminated container \"{container}\" in pod \"{name}\" not found"
            )));
        };
        return Ok(mk(start, Some(end), last_words(last), seed ^ 1));
    }
    let state = &status["state"];
    if let Some(start) = parse_ts(&state["running"]["startedAt"]) {
        return Ok(mk(start, None, None, seed));
    }
    if let (Some(start), Some(end)) = (
        parse_ts(&state["terminated"]["startedAt"]),
        parse_ts(&state["terminated"]["finishedAt"]),
    ) {
        return Ok(mk(start, Some(end), last_words(&state["terminated"]), seed));
    }
    // Waiting after a crash: kubelet serves the instance that last ran.
    if let (Some(start), Some(end)) = (parse_ts(&last["startedAt"]), parse_ts(&last["finishedAt"]))
    {
        return Ok(mk(start, Some(end), last_words(last), seed ^ 1));
    }
    Err(LogError::BadRequest(format!(
        "container \"{container}\" in pod \"{name}\" is waiting to start: {}",
        waiting_reason()
    )))
}

fn last_words(terminated: &Value) -> Option<String> {
    match terminated["reason"].as_str() {
        Some("OOMKilled") => Some("java.lang.OutOfMemoryError: Java heap space".into()),
        Some("Completed") => Some("done".into()),
        Some(_) => Some(format!(
            "fatal: exiting with code {}",
            terminated["exitCode"].as_i64().unwrap_or(1)
        )),
        None => None,
    }
}

impl LogSource {
    /// Lines that exist at `now`: indices `first..end` (rotation drops the oldest).
    pub fn available(&self, now: Timestamp) -> (u64, u64) {
        if self.style == "silent" {
            return (0, 0);
        }
        let until = self.end.map_or(now, |e| e.min(now));
        let span = until.duration_since(self.start);
        let count = if span.is_negative() {
            0
        } else {
            (span.as_nanos() / self.interval.as_nanos().max(1)) as u64 + 1
        };
        let count =
            count + u64::from(self.last_words.is_some() && self.end.is_some_and(|e| e <= now));
        (count.saturating_sub(RETAINED_LINES), count)
    }

    pub fn time_of(&self, i: u64) -> Timestamp {
        // Less than one interval, so a container's lines stay in time order.
        let spread = (self.interval.as_nanos() * 9 / 10).max(1) as u64;
        let jitter = SignedDuration::from_nanos((mix(self.seed, i) % spread) as i64);
        let base = self
            .interval
            .checked_mul(i as i32)
            .unwrap_or(SignedDuration::MAX);
        self.start
            .checked_add(base)
            .and_then(|t| t.checked_add(jitter))
            .unwrap_or(self.start)
    }

    /// Line `i` as bytes: a hostile container prints escape sequences, 8-bit controls, invalid
    /// UTF-8 and the odd 1 MiB line, which kubedeck must show harmlessly.
    pub fn line_bytes(&self, i: u64) -> Vec<u8> {
        if self.style != "hostile" {
            return self.line(i).into_bytes();
        }
        let tail = format!(" #{i}");
        let mut out: Vec<u8> = match i % 8 {
            1 => b"\x1b[2J\x1b[Hcleared the screen".to_vec(),
            2 => b"\x1b]0;pwned-title\x07set the title".to_vec(),
            3 => b"\x1b]52;c;cHduZWQ=\x07wrote the clipboard".to_vec(),
            4 => b"\x1b[10;10Hmoved the cursor".to_vec(),
            5 => b"8-bit CSI \x9b2J, NUL \x00, invalid \xff\xfe UTF-8".to_vec(),
            6 => b"\x1b[31mred\x1b[0m via SGR".to_vec(),
            7 if i % 64 == 7 => vec![b'x'; 1 << 20],
            _ => b"hostile container says hello".to_vec(),
        };
        out.extend_from_slice(tail.as_bytes());
        out
    }

    /// The text of line `i` (no newline).
    pub fn line(&self, i: u64) -> String {
        let (_, total) = self.available(self.end.unwrap_or(Timestamp::MAX));
        if self.end.is_some() && self.last_words.is_some() && i + 1 == total {
            return self.last_words.clone().unwrap_or_default();
        }
        let r = mix(self.seed, i);
        let t = self.time_of(i);
        match self.style.as_str() {
            "web" => format!(
                "10.244.{}.{} - - [{}] \"GET /api/items/{} HTTP/1.1\" {} {} \"-\" \"Mozilla/5.0\"",
                r % 250,
                (r >> 8) % 250,
                t.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                r % 1000,
                [200, 200, 200, 200, 304, 404, 500][(r >> 16) as usize % 7],
                200 + r % 5000
            ),
            "json" => {
                let level =
                    ["info", "info", "info", "debug", "warn", "error"][(r >> 12) as usize % 6];
                format!(
                    "{{\"time\":\"{:.3}\",\"level\":\"{level}\",\"msg\":\"{}\",\"order_id\":{},\"latency_ms\":{}}}",
                    t,
                    [
                        "processed order",
                        "cache miss",
                        "upstream slow",
                        "retrying request"
                    ][(r >> 20) as usize % 4],
                    r % 100_000,
                    r % 900
                )
            }
            "java" => match i % 40 {
                35 => format!(
                    "{} ERROR [http-nio-8080-exec-{}] c.a.billing.InvoiceService - invoice {} failed",
                    t.strftime("%Y-%m-%d %H:%M:%S"),
                    r % 10,
                    r % 9999
                ),
                36 => "java.lang.IllegalStateException: ledger locked".into(),
                37 => "\tat com.acme.billing.Ledger.post(Ledger.java:88)".into(),
                38 => "\tat com.acme.billing.InvoiceService.close(InvoiceService.java:142)".into(),
                _ => format!(
                    "{} INFO  [main] c.a.billing.Scheduler - tick {} queued={}",
                    t.strftime("%Y-%m-%d %H:%M:%S"),
                    i,
                    r % 50
                ),
            },
            "flood" => format!("flood line {i} {}", "payload-".repeat(6)),
            "task" => format!(
                "[{}] step {}: {}",
                self.container,
                i,
                ["resolving deps", "compiling", "running tests", "ok"][(r % 4) as usize]
            ),
            _ => format!(
                "level=info msg=\"job step done\" worker={} item={} took={}ms",
                self.container,
                r % 10_000,
                r % 700
            ),
        }
    }

    /// Indices to send for a query at `now`, honouring sinceSeconds/sinceTime and tailLines.
    pub fn selection(&self, q: &LogQuery, now: Timestamp) -> (u64, u64) {
        let (mut first, end) = self.available(now);
        let since = q.since_time.or_else(|| {
            q.since_seconds
                .and_then(|s| now.checked_sub(SignedDuration::from_secs(s)).ok())
        });
        if let Some(since) = since {
            while first < end && self.time_of(first) < since {
                // Binary search would be faster; retained lines are bounded, so this is too.
                let step = ((end - first) / 2).max(1);
                if self.time_of(first + step - 1) < since {
                    first += step
                } else {
                    first += 1
                }
            }
        }
        if let Some(tail) = q.tail_lines.filter(|t| *t >= 0) {
            first = first.max(end.saturating_sub(tail as u64));
        }
        (first, end)
    }

    /// Line `i` as sent, with its newline and optional timestamp.
    pub fn render(&self, i: u64, timestamps: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if timestamps {
            out.extend_from_slice(format!("{:.9} ", self.time_of(i)).as_bytes());
        }
        out.extend(self.line_bytes(i));
        out.push(b'\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({
            "metadata": {"name": "multi", "annotations": {"sim.kubedeck.dev/logs": "worker"}},
            "spec": {"initContainers": [{"name": "init"}], "containers": [{"name": "app"}, {"name": "sidecar"}]},
            "status": {"containerStatuses": [
                {"name": "app", "state": {"running": {"startedAt": "2026-11-22T10:00:00Z"}},
                 "lastState": {"terminated": {"reason": "Error", "exitCode": 2, "startedAt": "2026-11-22T09:00:00Z", "finishedAt": "2026-11-22T09:10:00Z"}}},
                {"name": "sidecar", "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {}}
            ]}
        })
    }

    fn q(container: &str) -> LogQuery {
        LogQuery {
            container: Some(container.into()),
            ..LogQuery::default()
        }
    }

    #[test]
    fn container_choice_errors_match_the_apiserver() {
        let err = source(&pod(), &LogQuery::default());
        assert_eq!(err, Err(LogError::BadRequest("a container name must be specified for pod multi, choose one of: [init app sidecar]".into())));
        assert!(
            matches!(source(&pod(), &q("nope")), Err(LogError::BadRequest(m)) if m == "container nope is not valid for pod multi")
        );
        assert!(
            matches!(source(&pod(), &q("sidecar")), Err(LogError::BadRequest(m)) if m.ends_with("is waiting to start: ContainerCreating"))
        );
        let mut prev = q("sidecar");
        prev.previous = true;
        assert!(
            matches!(source(&pod(), &prev), Err(LogError::BadRequest(m)) if m.starts_with("previous terminated container"))
        );
    }

    #[test]
    fn tail_since_and_previous() {
        let now: Timestamp = "2026-11-22T10:01:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let src = source(&pod(), &q("app")).unwrap_or_else(|_| unreachable!());
        let (first, end) = src.available(now);
        assert_eq!(
            (first, end),
            (0, 21),
            "one line every 3s for 60s, both ends included"
        );
        let tail = LogQuery {
            tail_lines: Some(3),
            ..q("app")
        };
        assert_eq!(src.selection(&tail, now), (18, 21));
        let since = LogQuery {
            since_seconds: Some(10),
            ..q("app")
        };
        let (f, e) = src.selection(&since, now);
        assert!(src.time_of(f) >= "2026-11-22T10:00:50Z".parse().unwrap_or(now));
        assert!(
            f > 0
                && f - 1 < e
                && src.time_of(f - 1) < "2026-11-22T10:00:50Z".parse().unwrap_or(now)
        );
        let prev = LogQuery {
            previous: true,
            ..q("app")
        };
        let p = source(&pod(), &prev).unwrap_or_else(|_| unreachable!());
        let (_, pend) = p.available(now);
        assert_eq!(p.line(pend - 1), "fatal: exiting with code 2");
        assert!(p.render(0, true).starts_with(b"2026-11-22T09:00:00."));
    }

    #[test]
    fn timestamps_never_go_backwards() {
        for style in ["task", "web", "flood", "hostile"] {
            let mut p = pod();
            p["metadata"]["annotations"]["sim.kubedeck.dev/logs"] = serde_json::json!(style);
            let src = source(&p, &q("app")).unwrap_or_else(|_| unreachable!());
            for i in 0..500 {
                assert!(src.time_of(i) < src.time_of(i + 1), "{style} line {i}");
            }
        }
    }

    #[test]
    fn lines_are_deterministic() {
        let src = source(&pod(), &q("app")).unwrap_or_else(|_| unreachable!());
        assert_eq!(src.line(5), src.clone().line(5));
        assert_ne!(src.line(5), src.line(6));
    }
}
