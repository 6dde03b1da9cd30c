//! Sessions on this node: at most `MAX_SESSIONS` at once (each holds a locked slot file, freed
//! by the kernel when its process ends, however it ends), and a log line when each starts and
//! ends: when, which pod and container, the node PID joined, how long, how it ended. The agent
//! pod's main process copies the log to its stdout, so `kubectl logs` on the agent shows it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::fcntl::{Flock, FlockArg};

/// More concurrent sessions than this on one node are refused (a flood cannot fork-bomb it).
pub const MAX_SESSIONS: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("too many debug sessions on this node (at most {MAX_SESSIONS}); end one and retry")]
    TooMany,
    #[error("cannot use the agent's run directory {0}: {1}")]
    RunDir(String, std::io::Error),
}

/// The agent's private run directory (an emptyDir in the pod; `KUBEDECK_AGENT_RUN` in tests).
pub fn run_dir() -> PathBuf {
    std::env::var_os("KUBEDECK_AGENT_RUN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/run/kubedeck-agent"))
}

fn ensure_run_dir() -> Result<PathBuf, SessionError> {
    ensure_dir(run_dir())
}

fn ensure_dir(dir: PathBuf) -> Result<PathBuf, SessionError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| SessionError::RunDir(dir.display().to_string(), e))?;
    Ok(dir)
}

/// A held session slot; released when dropped or when the process exits.
pub struct Slot {
    _lock: Flock<File>,
    pub index: usize,
}

/// Take a free slot, or refuse at once.
pub fn take_slot() -> Result<Slot, SessionError> {
    take_slot_in(run_dir())
}

/// Take a free slot of the run directory `dir`.
pub fn take_slot_in(dir: PathBuf) -> Result<Slot, SessionError> {
    let dir = ensure_dir(dir)?;
    for index in 0..MAX_SESSIONS {
        let path = dir.join(format!("slot-{index}"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| SessionError::RunDir(path.display().to_string(), e))?;
        if let Ok(lock) = Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            return Ok(Slot { _lock: lock, index });
        }
    }
    Err(SessionError::TooMany)
}

/// `2026-12-01T16:42:05Z` for a time since the epoch (UTC, the civil calendar).
pub fn rfc3339(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// JSON string contents (the log is one JSON object per line).
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One line of the session log: `fields` are (name, JSON value) pairs.
pub fn log(event: &str, fields: &[(&str, String)]) {
    let mut line = format!(
        "{{\"time\":{},\"event\":{}",
        json_str(&rfc3339(SystemTime::now())),
        json_str(event)
    );
    for (k, v) in fields {
        line.push_str(&format!(",{}:{v}", json_str(k)));
    }
    line.push_str("}\n");
    let Ok(dir) = ensure_run_dir() else {
        return;
    };
    // One write per line with O_APPEND: lines from concurrent sessions never interleave.
    if let Ok(mut f) = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(dir.join("sessions.log"))
    {
        let _ = f.write_all(line.as_bytes());
    }
}

/// A JSON string value for `log`.
pub fn s(v: &str) -> String {
    json_str(v)
}

/// Copy the session log to stdout as it grows (the agent pod's main process).
pub fn follow_log_forever() -> ! {
    use std::io::{Read, Seek, SeekFrom};
    let path = run_dir().join("sessions.log");
    let mut offset = 0u64;
    loop {
        if let Ok(mut f) = File::open(&path) {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            if len < offset {
                offset = 0;
            }
            let mut buf = Vec::new();
            if f.seek(SeekFrom::Start(offset)).is_ok() && f.read_to_end(&mut buf).is_ok() {
                offset += buf.len() as u64;
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&buf);
                let _ = out.flush();
            }
        }
        // A log follower: nothing to wait on but time.
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_json() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_796_142_125)),
            "2026-12-01T16:22:05Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(json_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
    }

    #[test]
    fn a_flood_gets_at_most_the_slots_and_a_freed_slot_is_reused() {
        let dir = tempfile::tempdir().unwrap();
        let held: Vec<Slot> = (0..MAX_SESSIONS)
            .map(|_| take_slot_in(dir.path().to_path_buf()).unwrap())
            .collect();
        assert!(matches!(
            take_slot_in(dir.path().to_path_buf()),
            Err(SessionError::TooMany)
        ));
        let freed = held[3].index;
        drop(held);
        let again = take_slot_in(dir.path().to_path_buf()).unwrap();
        assert!(again.index <= freed);
    }
}
