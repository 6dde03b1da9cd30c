//! k9s's own files, read as k9s reads them, so a k9s user's plugins, hotkeys, aliases and
//! custom columns work here unchanged: `plugins.yaml` (and the files of its `plugins/`
//! folder), `hotkeys.yaml`, `aliases.yaml` and `views.yaml`, from `$K9S_CONFIG_DIR` (else
//! `$XDG_CONFIG_HOME/k9s`), k9s's data folder, and per context. A leaf: YAML in, plain values
//! out; what the app makes of them is `app::extensions`.
//!
//! One bad entry is named with its file and line and left out; the rest still load.

mod aliases;
mod hotkeys;
mod paths;
mod plugins;
mod views;

use std::path::{Path, PathBuf};

pub use aliases::Aliases;
pub use hotkeys::HotKey;
pub use paths::{Dirs, Files};
pub use plugins::{Input, InputKind, Plugin};
pub use views::{ViewColumn, ViewSetting, json_path, read_path};

/// Something in one of the files that could not be used: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based; 0 when the file as a whole is the problem.
    pub line: usize,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file.display(), self.what),
            n => write!(f, "{}:{n}: {}", self.file.display(), self.what),
        }
    }
}

/// Everything read from k9s's files (and kubedeck's own `[plugins]`), with what was wrong.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct K9sFiles {
    /// By name; a later file's plugin of the same name replaces an earlier one's.
    pub plugins: Vec<(String, Plugin, PathBuf)>,
    pub hotkeys: Vec<(String, HotKey, PathBuf)>,
    pub aliases: Aliases,
    pub views: Vec<(String, ViewSetting)>,
    pub problems: Vec<Problem>,
    /// The files read (for the reload check) with what they were when read.
    pub read: Vec<(PathBuf, Option<Stamp>)>,
}

/// A file's size and modification time: a change means it is read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub len: u64,
    pub modified: Option<std::time::SystemTime>,
}

/// The stamp of `path`, or `None` when it does not exist.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// The 1-based line of the first `key:` at the start of a line (after indentation) in `text`:
/// where a map entry begins, for a problem with that entry.
pub(crate) fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(key)
                .or_else(|| {
                    t.strip_prefix('"')
                        .and_then(|t| t.strip_prefix(key))
                        .and_then(|t| t.strip_prefix('"'))
                })
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(0, |i| i + 1)
}

/// A YAML error as one line with where it is.
pub(crate) fn yaml_problem(file: &Path, e: &serde_yaml_ng::Error) -> Problem {
    Problem {
        file: file.to_path_buf(),
        line: e.location().map_or(0, |l| l.line()),
        what: e.to_string().lines().next().unwrap_or_default().to_string(),
    }
}

/// The map under `keys` (the first present) at the top of `text`: `None` for an empty file or
/// an empty map, or when the file is not that shape (said in `problems`, with `expected`).
pub(crate) fn top_map(
    file: &Path,
    text: &str,
    keys: &[&str],
    expected: &str,
    problems: &mut Vec<Problem>,
) -> Option<serde_yaml_ng::Mapping> {
    use serde_yaml_ng::Value;
    let doc: Value = match serde_yaml_ng::from_str(text) {
        Ok(Value::Null) => return None,
        Ok(v) => v,
        Err(e) => {
            problems.push(yaml_problem(file, &e));
            return None;
        }
    };
    match keys.iter().find_map(|k| doc.get(k)) {
        Some(Value::Mapping(m)) => Some(m.clone()),
        Some(Value::Null) => None,
        _ => {
            problems.push(Problem {
                file: file.to_path_buf(),
                line: 1,
                what: format!("expected {expected}"),
            });
            None
        }
    }
}

impl K9sFiles {
    /// Read every file `files` names, in order (later ones win).
    pub fn load(files: &Files) -> Self {
        let mut out = Self::default();
        for path in &files.plugins {
            out.read_file(path, |out, path, text| {
                for (name, plugin) in plugins::parse_file(path, text, &mut out.problems) {
                    out.plugins.retain(|(n, _, _)| *n != name);
                    out.plugins.push((name, plugin, path.to_path_buf()));
                }
            });
        }
        for path in &files.hotkeys {
            out.read_file(path, |out, path, text| {
                for (name, hotkey) in hotkeys::parse_file(path, text, &mut out.problems) {
                    out.hotkeys.retain(|(n, _, _)| *n != name);
                    out.hotkeys.push((name, hotkey, path.to_path_buf()));
                }
            });
        }
        for path in &files.aliases {
            out.read_file(path, |out, path, text| {
                let read = aliases::parse_file(path, text, &mut out.problems);
                out.aliases.extend(read);
            });
        }
        for path in &files.views {
            out.read_file(path, |out, path, text| {
                for (key, view) in views::parse_file(path, text, &mut out.problems) {
                    out.views.retain(|(k, _)| *k != key);
                    out.views.push((key, view));
                }
            });
        }
        out
    }

    fn read_file(&mut self, path: &Path, parse: impl FnOnce(&mut Self, &Path, &str)) {
        let stamp = stamp(path);
        self.read.push((path.to_path_buf(), stamp));
        if stamp.is_none() {
            return;
        }
        match std::fs::read_to_string(path) {
            Ok(text) => parse(self, path, &text),
            Err(e) => self.problems.push(Problem {
                file: path.to_path_buf(),
                line: 0,
                what: format!("cannot read: {e}"),
            }),
        }
    }

    /// Whether any file read has changed (or appeared, or gone) since.
    pub fn changed(&self, files: &Files) -> bool {
        let now = files.all();
        now.len() != self.read.len()
            || now
                .iter()
                .zip(&self.read)
                .any(|(p, (q, s))| p != q || stamp(p) != *s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_on_its_line() {
        let text = "plugins:\n  fred:\n    shortCut: a\n  \"blee\":\n    shortCut: b\n";
        assert_eq!(line_of_key(text, "fred"), 2);
        assert_eq!(line_of_key(text, "blee"), 4);
        assert_eq!(line_of_key(text, "nope"), 0);
    }

    #[test]
    fn files_are_read_again_when_they_change() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("k9s");
        std::fs::create_dir_all(&config).unwrap();
        let dirs = Dirs {
            config: Some(config.clone()),
            data: None,
        };
        let files = Files::of(&dirs, None);
        let first = K9sFiles::load(&files);
        assert!(first.plugins.is_empty());
        assert!(!first.changed(&files));
        std::fs::write(
            config.join("plugins.yaml"),
            "plugins:\n  p:\n    shortCut: Shift-P\n    description: d\n    scopes: [all]\n    command: echo\n",
        )
        .unwrap();
        assert!(first.changed(&files));
        let second = K9sFiles::load(&files);
        assert_eq!(second.plugins.len(), 1, "{:?}", second.problems);
    }
}
