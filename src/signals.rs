//! Process signals: SIGHUP (the SSH session dropped), SIGTERM and SIGINT all mean "exit now".

/// Resolves when the process is asked to stop.
pub async fn wait_for_termination() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut hup), Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        // Without signal handlers, fall back to Ctrl-C only.
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = hup.recv() => {}
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
