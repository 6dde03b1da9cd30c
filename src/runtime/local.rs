//! The runner's work on this machine: the clipboard (OSC 52), saving a file off the UI task,
//! and loading a theme (capped to the colours the terminal shows).

use std::collections::VecDeque;

use super::runner::Runner;
use crate::app::msg::{Done, Msg};

impl Runner {
    pub(super) fn clipboard(&self, text: &str, out: &mut VecDeque<Msg>) {
        if let Err(e) = crate::clipboard::copy(text) {
            out.push_back(Msg::Done(Done::ClipboardFailed(e.into())));
        }
    }

    /// Write `text` to `path` on a blocking task; the app hears how many lines went, or why
    /// none did.
    pub(super) fn save_file(&self, path: String, text: String) {
        let tx = self.channels.done.clone();
        tokio::task::spawn_blocking(move || {
            let lines = text.lines().count();
            let outcome = write_private(std::path::Path::new(&path), &text)
                .map(|()| lines)
                .map_err(Into::into);
            let _ = tx.send(Msg::Done(Done::Saved { path, outcome }));
        });
    }

    /// Keep the favourite namespaces for the next start (quietly: losing them is no failure the
    /// user must hear about mid-incident).
    pub(super) fn save_favourites(
        &self,
        path: std::path::PathBuf,
        favourites: std::collections::BTreeMap<String, Vec<String>>,
    ) {
        tokio::task::spawn_blocking(move || {
            if let Ok(text) = serde_json::to_string_pretty(&favourites) {
                let _ = write_private(&path, &text);
            }
        });
    }

    /// Draw with the theme `name` from now on, or say why not.
    pub(super) fn set_theme(&mut self, name: String, out: &mut VecDeque<Msg>) {
        let result = crate::views::theme::by_name(&name).map(|theme| {
            self.theme = theme.capped(self.terminal_depth);
        });
        out.push_back(Msg::Done(Done::Theme(name, result)));
    }
}

/// Write `text` to `path` readable by its owner only (a table or a log holds what the cluster
/// said: names, and often more), making its folder first.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// The favourite namespaces kept by an earlier run (none when there is no such file, or it
/// does not read).
pub fn load_favourites(path: &std::path::Path) -> std::collections::BTreeMap<String, Vec<String>> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}
