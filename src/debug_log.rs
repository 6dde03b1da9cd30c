//! A debug log for finding out why kubedeck decided something (a kind shown NOT LIVE, a path
//! called silent): `KUBEDECK_LOG=FILE` appends timestamped lines to FILE, created private
//! (0600: it names clusters, namespaces and objects). `KUBEDECK_LOG_FILTER` chooses what is
//! written, in `RUST_LOG`'s syntax (`kubedeck=debug` by default; `kube=debug,tower_http=debug`
//! adds kube-rs's watches and the HTTP requests). Nothing is written, and nothing costs,
//! without it.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// The variable naming the log file.
pub const FILE_VAR: &str = "KUBEDECK_LOG";
/// The variable choosing what is written.
pub const FILTER_VAR: &str = "KUBEDECK_LOG_FILTER";
const DEFAULT_FILTER: &str = "kubedeck=debug";

/// Why the log could not start.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot open the debug log {path} ({FILE_VAR}): {source}")]
    Open {
        path: String,
        source: std::io::Error,
    },
    #[error("{FILTER_VAR} is not a valid filter: {0}")]
    Filter(String),
}

/// Start the log when `KUBEDECK_LOG` names a file; `Ok(false)` when it does not.
pub fn start_from_env() -> Result<bool, LogError> {
    let Some(path) = std::env::var_os(FILE_VAR).filter(|p| !p.is_empty()) else {
        return Ok(false);
    };
    let filter = std::env::var(FILTER_VAR).unwrap_or_else(|_| DEFAULT_FILTER.to_string());
    start(Path::new(&path), &filter)?;
    Ok(true)
}

/// With the log on: say whenever the async runtime's timers fire late (a worker thread held by
/// something that does not yield), so that a slow change on screen can be told apart from a
/// slow frame or a slow update (those say themselves).
pub async fn watch_runtime() {
    const TICK: std::time::Duration = std::time::Duration::from_millis(10);
    const LATE: std::time::Duration = std::time::Duration::from_millis(30);
    loop {
        let asked = std::time::Instant::now();
        tokio::time::sleep(TICK).await;
        let late = asked.elapsed().saturating_sub(TICK);
        if late > LATE {
            tracing::debug!(
                "runtime stalled: a timer fired {} ms late",
                late.as_millis()
            );
        }
    }
}

fn start(path: &Path, filter: &str) -> Result<(), LogError> {
    let filter = EnvFilter::try_new(filter).map_err(|e| LogError::Filter(e.to_string()))?;
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(|source| LogError::Open {
        path: path.display().to_string(),
        source,
    })?;
    // A subscriber set already (a second start) keeps the first: not an error worth stopping.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_filter_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let err = start(&dir.path().join("log"), "kubedeck=loud").unwrap_err();
        assert!(err.to_string().contains(FILTER_VAR), "{err}");
    }

    #[test]
    fn a_file_that_cannot_be_opened_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let err = start(&dir.path().join("no/such/dir/log"), DEFAULT_FILTER).unwrap_err();
        assert!(err.to_string().contains("no/such/dir"), "{err}");
    }
}
