//! The config file's values as the app's own types: the one place the app reads `config`
//! (a leaf of plain TOML values). What only makes sense here (a prefix key that is not a
//! `ctrl-` key, an unknown action in `[keys]`) is said with its line, and the default kept.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::keymap::{Key, Keymap};
use super::logs::buffer::Limits;
use super::sessions::SessionSettings;
use crate::config::{Loaded, SessionsConfig};
use crate::kube::debug::{Profile, merge_profiles};
use crate::kube::node_row::Thresholds;

/// What the app takes from the config.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub readonly: bool,
    pub keymap: Keymap,
    pub sessions: SessionSettings,
    pub log_limits: Limits,
    /// Lines of backlog a new log pane asks for.
    pub tail_lines: i64,
    pub thresholds: Thresholds,
    /// Contexts marked production-like (`*` matches any text).
    pub production: Vec<String>,
    /// Named sets of contexts (`:ctx SET`, `--context SET`).
    pub cluster_sets: BTreeMap<String, Vec<String>>,
    /// The kinds watched per context pattern when several clusters are shown.
    pub watch: BTreeMap<String, Vec<String>>,
    pub metrics_interval: Duration,
    /// Where Tekton step logs are captured and how many bytes it may hold; none when off.
    pub step_capture: Option<(PathBuf, u64)>,
    /// Where saved tables go (the user's data directory), if the user has one.
    pub data_dir: Option<PathBuf>,
    /// Where the timeline's journals go and each one's bound; none when not recording.
    pub journal: Option<(PathBuf, u64)>,
    /// `[plugins]`: kubedeck's own plugins, with k9s's fields.
    pub plugins: Vec<(String, crate::k9s_files::Plugin)>,
}

/// The settings of `loaded`, and what could not be used (each with its line).
pub fn from_config(loaded: &Loaded) -> (Settings, Vec<String>) {
    let config = &loaded.config;
    let mut problems = Vec::new();
    let keymap = Keymap::with_overrides(&config.keys).unwrap_or_else(|e| {
        problems.push(format!("{}{e}; default keys kept", loaded.at("keys")));
        Keymap::default()
    });
    let profiles = config
        .debug
        .profiles
        .iter()
        .map(|p| Profile {
            name: p.name.clone(),
            image: p.image.clone(),
            command: p.command.clone(),
            capabilities: p.capabilities.clone(),
            restricted: p.restricted,
            description: p.description.clone(),
        })
        .collect::<Vec<_>>();
    // A profile meant for restricted namespaces that restricted would refuse anyway.
    for p in profiles.iter().filter(|p| p.restricted) {
        if let Some(why) =
            crate::kube::pod_security::refuses("restricted", &p.capabilities, p.restricted)
        {
            problems.push(format!(
                "{}[[debug.profiles]] {}: restricted = true, but it {why}, which Pod Security restricted refuses (only NET_BIND_SERVICE may be added)",
                loaded.at("debug"),
                p.name
            ));
        }
    }
    let sessions = session_settings(&config.sessions, &profiles).unwrap_or_else(|e| {
        problems.push(format!(
            "{}[sessions] {e}; using the defaults",
            loaded.at("sessions")
        ));
        session_settings(&SessionsConfig::default(), &profiles).unwrap_or_default()
    });
    let sessions = SessionSettings {
        node_shell_image: config.nodes.shell_image.clone(),
        node_shell_namespace: config.nodes.shell_namespace.clone(),
        ..sessions
    };
    let settings = Settings {
        readonly: config.readonly,
        keymap,
        sessions,
        log_limits: Limits {
            max_lines: config.logs.max_lines,
            max_bytes: config.logs.max_mib << 20,
        },
        tail_lines: config.logs.tail_lines,
        thresholds: Thresholds {
            warn: config.nodes.warn_percent,
            critical: config.nodes.critical_percent,
        },
        production: config.production.clone(),
        cluster_sets: config.clusters.clone(),
        watch: config.watch.clone(),
        metrics_interval: Duration::from_secs(config.nodes.metrics_interval_secs),
        step_capture: config
            .logs
            .capture_root()
            .map(|root| (root, config.logs.capture_max_mib << 20)),
        data_dir: directories::ProjectDirs::from("dev", "kubedeck", "kubedeck")
            .map(|d| d.data_dir().to_path_buf()),
        journal: directories::ProjectDirs::from("dev", "kubedeck", "kubedeck")
            .filter(|_| config.timeline.record)
            .map(|d| {
                (
                    d.data_dir().join("journal"),
                    config.timeline.journal_max_mib << 20,
                )
            }),
        plugins: own_plugins(loaded, &mut problems),
    };
    (settings, problems)
}

/// `[plugins.NAME]` tables as plugins (k9s's fields); one that does not read is said with its
/// line and left out.
fn own_plugins(
    loaded: &Loaded,
    problems: &mut Vec<String>,
) -> Vec<(String, crate::k9s_files::Plugin)> {
    use serde::Deserialize;
    let mut out = Vec::new();
    for (name, table) in &loaded.config.plugins {
        let read = crate::k9s_files::Plugin::deserialize(toml::Value::Table(table.clone()))
            .map_err(|e| e.to_string())
            .and_then(|p| p.check().map(|()| p));
        match read {
            Ok(p) => out.push((name.clone(), p)),
            Err(e) => problems.push(format!(
                "{}[plugins.{name}] {}; left out",
                loaded.at("plugins"),
                e.lines().next().unwrap_or_default()
            )),
        }
    }
    out
}

/// `[sessions]` and `[[debug.profiles]]` as the sessions use them; the prefix must be a ctrl-
/// key (a plain key could not be typed into a shell). The `Err` is for the person who wrote
/// the file.
/// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
fn session_settings(
    sessions: &SessionsConfig,
    profiles: &[Profile],
) -> Result<SessionSettings, String> {
    let key =
        Key::parse(&sessions.prefix).map_err(|e| format!("prefix {:?}: {e}", sessions.prefix))?;
    if !key.ctrl {
        return Err(format!(
            "prefix {:?} must be a ctrl- key (a plain key could not be typed into a shell)",
            sessions.prefix
        ));
    }
    let defaults = SessionSettings::default();
    let record_dir = sessions.record_dir.clone().unwrap_or_else(|| {
        directories::ProjectDirs::from("dev", "kubedeck", "kubedeck")
            .map_or(defaults.record_dir.clone(), |d| {
                d.cache_dir().join("recordings")
            })
    });
    Ok(SessionSettings {
        prefix: key.event(),
        prefix_label: sessions.prefix.clone(),
        scrollback: sessions.scrollback,
        record_dir,
        record_all: sessions.record,
        profiles: merge_profiles(profiles),
        ..defaults
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(text: &str) -> Loaded {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        crate::config::load(Some(&path)).unwrap()
    }

    #[test]
    fn sessions_and_debug_profiles() {
        let (s, problems) = from_config(&loaded(
            "[sessions]\nprefix = \"ctrl-b\"\nrecord = true\n\n[[debug.profiles]]\nname = \"py\"\nimage = \"python:3.13\"\ncommand = [\"python3\"]\n",
        ));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.sessions.prefix.code, crossterm::event::KeyCode::Char('b'));
        assert!(s.sessions.record_all);
        let profiles = &s.sessions.profiles;
        assert!(
            profiles
                .iter()
                .any(|p| p.name == "py" && p.command == ["python3"])
        );
        assert!(
            profiles.iter().any(|p| p.name == "net"),
            "the defaults stay"
        );
    }

    #[test]
    fn a_restricted_profile_that_restricted_would_refuse_is_said() {
        let (s, problems) = from_config(&loaded(
            "[[debug.profiles]]\nname = \"sniff\"\nimage = \"netshoot\"\nrestricted = true\ncapabilities = [\"NET_RAW\", \"NET_BIND_SERVICE\"]\n\n[[debug.profiles]]\nname = \"web\"\nimage = \"busybox\"\nrestricted = true\ncapabilities = [\"NET_BIND_SERVICE\"]\n",
        ));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .contains("[[debug.profiles]] sniff: restricted = true, but it adds NET_RAW"),
            "{problems:?}"
        );
        // Kept as configured: the picker marks it where restricted is enforced.
        assert!(s.sessions.profiles.iter().any(|p| p.name == "sniff"));
    }

    #[test]
    fn a_plain_prefix_is_said_with_its_line_and_the_default_kept() {
        let (s, problems) = from_config(&loaded("theme = \"16\"\n[sessions]\nprefix = \"a\"\n"));
        assert_eq!(s.sessions.prefix_label, "ctrl-a");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("line 2: [sessions] prefix"),
            "{problems:?}"
        );
        assert!(problems[0].contains("must be a ctrl- key"), "{problems:?}");
    }

    #[test]
    fn unknown_keys_are_said_and_the_defaults_kept() {
        let (s, problems) = from_config(&loaded("[keys]\nfly = [\"F\"]\n"));
        assert_eq!(s.keymap.bindings.len(), Keymap::default().bindings.len());
        assert!(problems[0].starts_with("line 1: "), "{problems:?}");
        assert!(problems[0].contains("fly"), "{problems:?}");
    }

    #[test]
    fn thresholds_logs_and_capture() {
        let (s, _) = from_config(&loaded(
            "[nodes]\nwarn_percent = 70\n[logs]\nmax_mib = 2\ncapture_dir = \"/x\"\ncapture_max_mib = 64\n",
        ));
        assert_eq!(s.thresholds.warn, 70);
        assert_eq!(s.log_limits.max_bytes, 2 << 20);
        assert_eq!(s.step_capture, Some((PathBuf::from("/x"), 64 << 20)));
    }
}
