//! The configuration file: defaults in code, the user's TOML a partial patch over them.
//! A file that is not TOML at all stops the program (we cannot know what it asked for); an
//! unknown option or a bad value is reported with file, line and what is expected, and that one
//! option falls back to its default — except `readonly`, which falls back to read-only.
//!
//! A leaf: plain values from TOML, nothing of kubedeck's. The app turns them into its own types
//! at one boundary (`app::settings`), themes are loaded by `views::theme`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Refuse every mutation, as `--readonly` does.
    pub readonly: bool,
    /// Namespace to show when neither `-n` nor `-A` is given (default: the context's).
    pub namespace: Option<String>,
    /// Start with every namespace shown.
    pub all_namespaces: bool,
    /// `default`, `light`, `high-contrast`, `16`, `no-color`, or the path of a theme TOML file.
    pub theme: Option<String>,
    /// The view shown first: `auto` (triage when something is broken), or a view name.
    pub start_view: Option<String>,
    /// Key overrides: action name -> keys.
    pub keys: BTreeMap<String, Vec<String>>,
    /// Log pane bounds.
    pub logs: LogsConfig,
    /// Terminal sessions: prefix key, scrollback, recording.
    pub sessions: SessionsConfig,
    /// Debug profiles for ephemeral containers.
    pub debug: DebugConfig,
    /// Node pressure: metrics polling and highlight thresholds.
    pub nodes: NodesConfig,
    /// The timeline's flight recorder.
    pub timeline: TimelineConfig,
    /// Named sets of contexts shown together: `prod = ["eu-1", "us-1"]`, chosen with
    /// `--context prod` or `:ctx prod`.
    pub clusters: BTreeMap<String, Vec<String>>,
    /// Contexts that are production-like (`*` matches any text): a distinct colour, and a
    /// delete asks for the object's name to be typed.
    pub production: Vec<String>,
    /// Per context (`*` matches any text): the kinds watched there when several clusters are
    /// shown, among pods, events, nodes and pipelineruns (`["pods", "nodes"]`; the default
    /// is all four). The first matching entry counts.
    pub watch: BTreeMap<String, Vec<String>>,
    /// kubedeck's own plugins, by name, with the fields of k9s's `plugins.yaml`
    /// (`shortCut`, `description`, `scopes`, `command`, `args`, …): read by the app.
    pub plugins: BTreeMap<String, toml::Table>,
}

/// `[timeline]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimelineConfig {
    /// Keep the changes on disk, one journal per cluster, across restarts.
    pub record: bool,
    /// The bound of one cluster's journal, in MiB (the oldest changes go first).
    pub journal_max_mib: u64,
}

impl Default for TimelineConfig {
    fn default() -> Self {
        Self {
            record: true,
            journal_max_mib: 256,
        }
    }
}

impl TimelineConfig {
    /// A parser of what a user wrote in the config: its `Err` is the sentence they read.
    fn check(&self) -> Result<(), String> {
        if !(1..=100_000).contains(&self.journal_max_mib) {
            return Err(format!(
                "journal_max_mib {} is out of range (1 to 100000)",
                self.journal_max_mib
            ));
        }
        Ok(())
    }
}

/// The kinds `[watch]` may name.
pub const WATCHABLE: &[&str] = &["pods", "events", "nodes", "pipelineruns", "workloads"];

/// `[nodes]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NodesConfig {
    /// Seconds between metrics.k8s.io polls (errors back off from there, up to 5 minutes).
    pub metrics_interval_secs: u64,
    /// Usage or requests at this percent of allocatable marks a node as warm, and at
    /// `critical_percent` as hot.
    pub warn_percent: i64,
    pub critical_percent: i64,
    /// The image of the pod a node shell starts on a node without the agent.
    pub shell_image: String,
    /// Where that pod goes (and where leftovers are looked for at start).
    pub shell_namespace: String,
}

impl Default for NodesConfig {
    fn default() -> Self {
        Self {
            metrics_interval_secs: 15,
            warn_percent: 80,
            critical_percent: 95,
            shell_image: "busybox:1.37".into(),
            shell_namespace: "default".into(),
        }
    }
}

impl NodesConfig {
    /// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
    fn check(&self) -> Result<(), String> {
        if !(1..=3600).contains(&self.metrics_interval_secs) {
            return Err(format!(
                "metrics_interval_secs {} is out of range (1 to 3600)",
                self.metrics_interval_secs
            ));
        }
        if !(1..=1000).contains(&self.warn_percent)
            || !(1..=1000).contains(&self.critical_percent)
            || self.warn_percent > self.critical_percent
        {
            return Err(format!(
                "warn_percent {} and critical_percent {} must be 1 to 1000, warn at most critical",
                self.warn_percent, self.critical_percent
            ));
        }
        Ok(())
    }
}

/// `[sessions]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionsConfig {
    /// The key that makes the next key kubedeck's in a terminal pane.
    pub prefix: String,
    /// Lines of history kept per terminal pane.
    pub scrollback: usize,
    /// Record every session to an asciicast file from its start.
    pub record: bool,
    /// Where recordings go (default: the cache directory's `recordings`).
    pub record_dir: Option<PathBuf>,
}

impl Default for SessionsConfig {
    fn default() -> Self {
        Self {
            prefix: "ctrl-a".into(),
            scrollback: 5000,
            record: false,
            record_dir: None,
        }
    }
}

impl SessionsConfig {
    /// The prefix key is checked where keys are understood (`app::settings`).
    /// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
    fn check(&self) -> Result<(), String> {
        if self.scrollback > 100_000 {
            return Err(format!(
                "scrollback {} is out of range (0 to 100000)",
                self.scrollback
            ));
        }
        Ok(())
    }
}

/// `[debug]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DebugConfig {
    /// Added to the built-in profiles (net, busybox, jvm, distroless-helper, restricted); a
    /// profile with a built-in's name replaces it.
    pub profiles: Vec<ProfileConfig>,
}

/// One `[[debug.profiles]]`: a tool image for ephemeral containers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    pub name: String,
    pub image: String,
    /// The command to run (the image's entrypoint when empty).
    #[serde(default)]
    pub command: Vec<String>,
    /// Linux capabilities to add (the cluster's Pod Security level must allow them).
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Run as Pod Security `restricted` asks (as nobody, no privilege escalation, every
    /// capability dropped, RuntimeDefault seccomp).
    #[serde(default)]
    pub restricted: bool,
    #[serde(default)]
    pub description: String,
}

impl DebugConfig {
    /// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
    fn check(&self) -> Result<(), String> {
        for p in &self.profiles {
            if p.name.is_empty() || p.image.is_empty() {
                return Err("every profile needs a name and an image".into());
            }
        }
        Ok(())
    }
}

/// `[logs]`: how much a log pane asks for and keeps.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogsConfig {
    /// Lines kept per pane (the ring drops the oldest).
    pub max_lines: usize,
    /// MiB kept per pane.
    pub max_mib: usize,
    /// Lines of backlog asked for per container when a pane opens.
    pub tail_lines: i64,
    /// Capture the logs of Tekton steps that finish while kubedeck runs.
    pub capture_steps: bool,
    /// Where captured step logs go (default: the platform cache dir, `step-logs`).
    pub capture_dir: Option<std::path::PathBuf>,
    /// MiB the capture directory may hold; the oldest captures leave first.
    pub capture_max_mib: u64,
}

impl Default for LogsConfig {
    fn default() -> Self {
        Self {
            max_lines: 20_000,
            max_mib: 32,
            tail_lines: 500,
            capture_steps: true,
            capture_dir: None,
            capture_max_mib: 256,
        }
    }
}

impl LogsConfig {
    /// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
    fn check(&self) -> Result<(), String> {
        if !(100..=2_000_000).contains(&self.max_lines) {
            return Err(format!(
                "max_lines {} is out of range (100 to 2000000)",
                self.max_lines
            ));
        }
        if !(1..=4096).contains(&self.max_mib) {
            return Err(format!(
                "max_mib {} is out of range (1 to 4096)",
                self.max_mib
            ));
        }
        if !(1..=1_000_000).contains(&self.tail_lines) {
            return Err(format!(
                "tail_lines {} is out of range (1 to 1000000)",
                self.tail_lines
            ));
        }
        if !(8..=65_536).contains(&self.capture_max_mib) {
            return Err(format!(
                "capture_max_mib {} is out of range (8 to 65536)",
                self.capture_max_mib
            ));
        }
        Ok(())
    }

    /// Where step logs are captured, or `None` when capture is off (or no cache dir exists).
    pub fn capture_root(&self) -> Option<std::path::PathBuf> {
        if !self.capture_steps {
            return None;
        }
        self.capture_dir.clone().or_else(|| {
            directories::ProjectDirs::from("dev", "kubedeck", "kubedeck")
                .map(|d| d.cache_dir().join("step-logs"))
        })
    }
}

/// The options a config file may set, for messages.
pub const OPTIONS: &[&str] = &[
    "readonly",
    "namespace",
    "all_namespaces",
    "theme",
    "start_view",
    "keys",
    "logs",
    "sessions",
    "debug",
    "nodes",
    "timeline",
    "clusters",
    "production",
    "watch",
];

/// Views `start_view` accepts.
pub const START_VIEWS: &[&str] = &[
    "auto",
    "triage",
    "pods",
    "pipelineruns",
    "events",
    "nodes",
    "namespaces",
    "contexts",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Invalid { path: String, message: String },
}

/// A loaded config and what was wrong with it.
#[derive(Debug, Default)]
pub struct Loaded {
    pub config: Config,
    pub path: Option<PathBuf>,
    /// `line N: problem` for every option that fell back to its default.
    pub warnings: Vec<String>,
    /// The line of each option the file sets, for problems found where the values are used.
    pub lines: BTreeMap<String, usize>,
}

impl Loaded {
    /// `line N: ` for an option the file sets, empty for a default.
    pub fn at(&self, option: &str) -> String {
        self.lines
            .get(option)
            .map(|l| format!("line {l}: "))
            .unwrap_or_default()
    }
}

/// Where the config file lives when `--config` is not given.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "kubedeck", "kubedeck")
        .map(|d| d.config_dir().join("config.toml"))
}

/// Load `explicit`, or the default file if it exists, or the defaults.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_path().filter(|p| p.exists()) {
            Some(p) => p,
            None => return Ok(Loaded::default()),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let (config, problems) = parse(&text).map_err(|message| ConfigError::Invalid {
        path: path.display().to_string(),
        message,
    })?;
    let warnings = problems
        .into_iter()
        .map(|(line, what)| format!("line {line}: {what}"))
        .collect();
    Ok(Loaded {
        config,
        path: Some(path),
        warnings,
        lines: option_lines(&text),
    })
}

/// A TOML error on one line a person can act on: where, and what (the parser's caret diagram
/// does not survive being put on one line).
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim();
    match e.span() {
        Some(span) => {
            let line = line_of(text, span.start);
            let start = text[..span.start.min(text.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let column = text[start..span.start.min(text.len())].chars().count() + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message.to_string(),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line each top-level option of `text` starts on (empty when it is not TOML).
fn option_lines(text: &str) -> BTreeMap<String, usize> {
    toml::from_str::<BTreeMap<String, toml::Spanned<toml::Value>>>(text)
        .map(|table| {
            table
                .into_iter()
                .map(|(k, v)| (k, line_of(text, v.span().start)))
                .collect()
        })
        .unwrap_or_default()
}

/// Parse config text (a user's file: the error is the one line shown to them, so it is text).
/// `Err` only when it is not TOML; otherwise the config with every bad option
/// at its default (readonly: on), and (line, problem) for each.
/// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
pub fn parse(text: &str) -> Result<(Config, Vec<(usize, String)>), String> {
    let table: BTreeMap<String, toml::Spanned<toml::Value>> =
        toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    let mut config = Config::default();
    let mut problems = Vec::new();
    for (key, value) in table {
        let line = line_of(text, value.span().start);
        if !OPTIONS.contains(&key.as_str()) {
            problems.push((
                line,
                format!("unknown option `{key}` (see config.example.toml)"),
            ));
            continue;
        }
        let mut one = toml::Table::new();
        one.insert(key.clone(), value.into_inner());
        match Config::deserialize(one) {
            Ok(c) => match key.as_str() {
                "readonly" => config.readonly = c.readonly,
                "namespace" => config.namespace = c.namespace,
                "all_namespaces" => config.all_namespaces = c.all_namespaces,
                "theme" => config.theme = c.theme,
                "start_view" => match c.start_view {
                    Some(v) if !START_VIEWS.contains(&v.as_str()) => problems.push((
                        line,
                        format!(
                            "start_view: unknown view {v:?} (expected one of {})",
                            START_VIEWS.join(", ")
                        ),
                    )),
                    v => config.start_view = v,
                },
                "logs" => match c.logs.check() {
                    Ok(()) => config.logs = c.logs,
                    Err(e) => problems.push((line, format!("[logs] {e}; using the defaults"))),
                },
                "sessions" => match c.sessions.check() {
                    Ok(()) => config.sessions = c.sessions,
                    Err(e) => problems.push((line, format!("[sessions] {e}; using the defaults"))),
                },
                "nodes" => match c.nodes.check() {
                    Ok(()) => config.nodes = c.nodes,
                    Err(e) => problems.push((line, format!("[nodes] {e}; using the defaults"))),
                },
                "timeline" => match c.timeline.check() {
                    Ok(()) => config.timeline = c.timeline,
                    Err(e) => problems.push((line, format!("[timeline] {e}; using the defaults"))),
                },
                "clusters" => config.clusters = c.clusters,
                "production" => config.production = c.production,
                "watch" => match c
                    .watch
                    .values()
                    .flatten()
                    .find(|k| !WATCHABLE.contains(&k.as_str()))
                {
                    Some(k) => problems.push((
                        line,
                        format!(
                            "[watch] unknown kind {k:?} (expected some of {}); watching every kind",
                            WATCHABLE.join(", ")
                        ),
                    )),
                    None => config.watch = c.watch,
                },
                "debug" => match c.debug.check() {
                    Ok(()) => config.debug = c.debug,
                    Err(e) => problems.push((line, format!("[debug] {e}; using the defaults"))),
                },
                _ => config.keys = c.keys,
            },
            Err(e) => {
                let what = e.to_string().trim().replace('\n', " ");
                if key == "readonly" {
                    // Fail safe: a broken `readonly` must not turn mutations on.
                    config.readonly = true;
                    problems.push((line, format!("readonly: {what}; starting read-only")));
                } else {
                    problems.push((line, format!("{key}: {what}")));
                }
            }
        }
    }
    problems.sort();
    Ok((config, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_without_problems() {
        let c = parse(include_str!("../config.example.toml"));
        assert!(matches!(&c, Ok((_, p)) if p.is_empty()), "{c:?}");
    }

    #[test]
    fn a_file_that_is_not_toml_says_where_on_one_line() {
        let e = parse("theme = \"16\"\nreadonly = true\n[logs\n")
            .err()
            .unwrap_or_default();
        assert_eq!(e.lines().count(), 1, "{e}");
        assert_eq!(e, "line 3, column 6: unclosed table, expected `]`");
        assert!(
            !e.contains('|') && !e.contains('^'),
            "no caret diagram: {e}"
        );
    }

    #[test]
    fn cluster_sets_production_marks_and_watched_kinds() {
        let (c, problems) = parse(
            r#"production = ["prod-*", "eu-1"]
[clusters]
prod = ["eu-1", "us-1"]
[watch]
"staging-*" = ["pods", "nodes"]
"#,
        )
        .unwrap_or_default();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.clusters["prod"], ["eu-1", "us-1"]);
        assert_eq!(c.production, ["prod-*", "eu-1"]);
        assert_eq!(c.watch["staging-*"], ["pods", "nodes"]);
        let (c, problems) = parse("[watch]\n\"a\" = [\"deployments\"]\n").unwrap_or_default();
        assert_eq!(c.watch.len(), 0);
        assert!(
            problems
                .first()
                .is_some_and(|p| p.1.contains("unknown kind")),
            "{problems:?}"
        );
    }

    #[test]
    fn empty_is_defaults() {
        assert_eq!(parse(""), Ok((Config::default(), vec![])));
    }

    #[test]
    fn bad_options_name_their_line_and_fall_back() {
        let (c, problems) =
            parse("theme = \"light\"\n\nbogus = 1\nall_namespaces = \"yes\"\n").unwrap_or_default();
        assert_eq!(
            c.theme.as_deref(),
            Some("light"),
            "good options still apply"
        );
        assert!(!c.all_namespaces);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].0, 3);
        assert!(
            problems[0].1.contains("unknown option `bogus`"),
            "{problems:?}"
        );
        assert_eq!(problems[1].0, 4);
        assert!(problems[1].1.contains("bool"), "{problems:?}");
    }

    #[test]
    fn a_broken_readonly_means_read_only() {
        let (c, problems) = parse("readonly = \"no\"\n").unwrap_or_default();
        assert!(c.readonly);
        assert!(problems[0].1.contains("starting read-only"), "{problems:?}");
    }

    #[test]
    fn not_toml_is_an_error_with_the_line() {
        let err = parse("theme = \"x\"\nthis is not toml\n")
            .err()
            .unwrap_or_default();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn log_bounds_are_read_and_checked() {
        let (c, p) = parse("[logs]\nmax_lines = 5000\ntail_lines = 100\n").unwrap_or_default();
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(
            (c.logs.max_lines, c.logs.max_mib, c.logs.tail_lines),
            (5000, 32, 100)
        );
        let (c, p) = parse("theme = \"light\"\n[logs]\nmax_lines = 5\n").unwrap_or_default();
        assert_eq!(c.logs, LogsConfig::default());
        assert_eq!(p.len(), 1);
        assert!(p[0].0 == 2 || p[0].0 == 3, "{p:?}");
        assert!(p[0].1.contains("max_lines 5 is out of range"), "{p:?}");
        let (_, p) = parse("[logs]\nmax_lnes = 5000\n").unwrap_or_default();
        assert!(p[0].1.contains("unknown field `max_lnes`"), "{p:?}");
    }

    #[test]
    fn step_capture_options() {
        let (c, p) = parse("[logs]\ncapture_dir = \"/var/tmp/steps\"\ncapture_max_mib = 64\n")
            .unwrap_or_default();
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(
            c.logs.capture_root(),
            Some(std::path::PathBuf::from("/var/tmp/steps"))
        );
        assert_eq!(c.logs.capture_max_mib, 64);
        let (c, _) =
            parse("[logs]\ncapture_steps = false\ncapture_dir = \"/x\"\n").unwrap_or_default();
        assert_eq!(c.logs.capture_root(), None, "off wins over a directory");
        let (c, p) = parse("[logs]\ncapture_max_mib = 1\n").unwrap_or_default();
        assert_eq!(c.logs, LogsConfig::default());
        assert!(
            p[0].1.contains("capture_max_mib 1 is out of range"),
            "{p:?}"
        );
    }

    #[test]
    fn node_thresholds_and_interval() {
        let (c, p) =
            parse("[nodes]\nmetrics_interval_secs = 30\nwarn_percent = 70\n").unwrap_or_default();
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(c.nodes.metrics_interval_secs, 30);
        assert_eq!(c.nodes.warn_percent, 70);
        let (c, p) =
            parse("[nodes]\nwarn_percent = 99\ncritical_percent = 90\n").unwrap_or_default();
        assert_eq!(c.nodes, NodesConfig::default());
        assert!(p[0].1.contains("warn at most critical"), "{p:?}");
    }

    #[test]
    fn sessions_and_debug_profiles() {
        let text = "[sessions]\nprefix = \"ctrl-b\"\nrecord = true\n\n[[debug.profiles]]\nname = \"py\"\nimage = \"python:3.13\"\ncommand = [\"python3\"]\n";
        let (c, p) = parse(text).unwrap_or_default();
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(c.sessions.prefix, "ctrl-b");
        assert!(c.sessions.record);
        assert_eq!(c.debug.profiles[0].command, ["python3"]);
        let (c, p) = parse("[sessions]\nscrollback = 200000\n").unwrap_or_default();
        assert_eq!(c.sessions, SessionsConfig::default());
        assert!(
            p[0].1.contains("scrollback 200000 is out of range"),
            "{p:?}"
        );
        let (_, p) = parse("[[debug.profiles]]\nname = \"x\"\n").unwrap_or_default();
        assert!(p[0].1.contains("image"), "{p:?}");
    }

    #[test]
    fn keys_and_start_view() {
        let (c, p) =
            parse("start_view = \"events\"\n[keys]\ndescribe = [\"D\"]\n").unwrap_or_default();
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(c.start_view.as_deref(), Some("events"));
        assert_eq!(c.keys.get("describe"), Some(&vec!["D".to_string()]));
        let (_, p) = parse("start_view = \"bogus\"\n").unwrap_or_default();
        assert!(p[0].1.contains("unknown view"), "{p:?}");
    }

    #[test]
    fn missing_explicit_file_is_an_error_naming_it() {
        let err = load(Some(Path::new("/nonexistent/kubedeck.toml")))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("/nonexistent/kubedeck.toml"), "{err}");
    }

    #[test]
    fn the_line_of_each_option_is_kept() {
        let text = "theme = \"light\"\n\n[sessions]\nprefix = \"a\"\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let loaded = load(Some(&path)).unwrap_or_default();
        assert_eq!(loaded.at("sessions"), "line 3: ");
        assert_eq!(loaded.at("theme"), "line 1: ");
        assert_eq!(loaded.at("logs"), "");
    }
}
