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
            let outcome = std::fs::write(&path, text)
                .map(|()| lines)
                .map_err(Into::into);
            let _ = tx.send(Msg::Done(Done::Saved { path, outcome }));
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
