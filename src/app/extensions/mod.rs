//! What a k9s user brings: plugins (their own commands on the selection), hotkeys (a key for a
//! `:` command) and aliases (a word for a `:` command), read from k9s's files
//! (`k9s_files`) and kubedeck's own `[plugins]`, turned into the app's terms here: each key
//! parsed, checked against the built-in keys (a clash is said once, and the built-in key
//! keeps its meaning unless the entry says `override: true`).

pub mod job;
pub mod run;
pub mod scope;
pub mod vars;

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::keymap::{Key, Keymap};
use crate::k9s_files::{HotKey, K9sFiles, Plugin};

pub use job::{PluginAsk, PluginRun};

/// A plugin ready to run: its key parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginDef {
    pub name: String,
    pub key: Key,
    pub plugin: Plugin,
    /// The file it came from (or the config's `[plugins]`).
    pub source: PathBuf,
}

/// A hotkey ready to use: its key parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotkeyDef {
    pub name: String,
    pub key: Key,
    pub hotkey: HotKey,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extensions {
    pub plugins: Vec<PluginDef>,
    pub hotkeys: Vec<HotkeyDef>,
    /// Alias → the `:` command it stands for.
    pub aliases: BTreeMap<String, String>,
    /// The user's own columns per kind (`v1/pods`, `apps/v1/deployments@NAMESPACE`).
    pub views: Vec<(String, std::sync::Arc<crate::k9s_files::ViewSetting>)>,
    /// What could not be used, each with its file and line (said once per load).
    pub problems: Vec<String>,
    /// Read at least once (a later read is a reload, and said).
    pub loaded: bool,
}

impl Extensions {
    /// The plugins of `own` (the config's `[plugins]`, read first) and of k9s's `files`,
    /// checked against the built-in keys of `keymap`.
    pub fn resolve(files: &K9sFiles, own: &[(String, Plugin)], keymap: &Keymap) -> Self {
        let mut out = Self {
            aliases: files.aliases.clone(),
            views: files
                .views
                .iter()
                .map(|(k, v)| (k.clone(), std::sync::Arc::new(v.clone())))
                .collect(),
            problems: files.problems.iter().map(ToString::to_string).collect(),
            ..Self::default()
        };
        let config = PathBuf::from("config.toml [plugins]");
        let plugins = own
            .iter()
            .map(|(n, p)| (n, p, &config))
            .chain(files.plugins.iter().map(|(n, p, f)| (n, p, f)));
        for (name, plugin, source) in plugins {
            // A later file's plugin of the same name replaces an earlier one.
            out.plugins.retain(|p| p.name != *name);
            let scopes = Some(plugin.scopes.as_slice());
            let Some(key) = out.bind(
                keymap,
                "plugin",
                name,
                &plugin.short_cut,
                plugin.override_key,
                source,
                scopes,
            ) else {
                continue;
            };
            out.plugins.push(PluginDef {
                name: name.clone(),
                key,
                plugin: plugin.clone(),
                source: source.clone(),
            });
        }
        for (name, hotkey, source) in &files.hotkeys {
            let Some(key) = out.bind(
                keymap,
                "hotkey",
                name,
                &hotkey.short_cut,
                hotkey.override_key,
                source,
                None,
            ) else {
                continue;
            };
            out.hotkeys.push(HotkeyDef {
                name: name.clone(),
                key,
                hotkey: hotkey.clone(),
            });
        }
        out
    }

    /// The key `short_cut` names for `what` `name`, when it is free; else why not, said in
    /// the problems.
    #[allow(clippy::too_many_arguments)]
    fn bind(
        &mut self,
        keymap: &Keymap,
        what: &str,
        name: &str,
        short_cut: &str,
        override_key: bool,
        source: &std::path::Path,
        scopes: Option<&[String]>,
    ) -> Option<Key> {
        let key = match Key::parse_k9s(short_cut) {
            Ok(k) => k,
            Err(e) => {
                let file = source.display();
                self.problems
                    .push(format!("{file}: {what} {name}: shortCut {e}"));
                return None;
            }
        };
        match self.taken(keymap, key, override_key, scopes) {
            None => Some(key),
            Some(taken) => {
                self.problems.push(format!(
                    "{}: {what} {name}: {} is {taken}; not bound (override: true to take it)",
                    source.display(),
                    key.label()
                ));
                None
            }
        }
    }

    /// What already answers `key` on the dashboard (a built-in binding, a hotkey, or a plugin
    /// of an overlapping scope read before), unless `override_key`.
    fn taken(
        &self,
        keymap: &Keymap,
        key: Key,
        override_key: bool,
        scopes: Option<&[String]>,
    ) -> Option<String> {
        if override_key {
            return None;
        }
        if let Some(b) = keymap.dashboard_binding(key) {
            return Some(format!("kubedeck's {b} key"));
        }
        if let Some(h) = self.hotkeys.iter().find(|h| h.key == key) {
            return Some(format!("hotkey {}'s key", h.name));
        }
        // Two plugins may share a key in views apart (`Shift-D` on pods and on deployments).
        let overlap = |theirs: &[String]| {
            let all = |s: &[String]| s.iter().any(|x| x.eq_ignore_ascii_case("all"));
            let ours = scopes.unwrap_or(&[]);
            scopes.is_none()
                || all(ours)
                || all(theirs)
                || ours.iter().any(|o| theirs.iter().any(|t| same_kind(o, t)))
        };
        self.plugins
            .iter()
            .find(|p| p.key == key && overlap(&p.plugin.scopes))
            .map(|p| format!("plugin {}'s key", p.name))
    }

    /// The user's own columns for `api`, in `namespace` (a view for `GVR@NAMESPACE` before the
    /// kind's own).
    pub fn view_for(
        &self,
        api: &crate::kube::discovery::ApiResourceInfo,
        namespace: Option<&str>,
    ) -> Option<std::sync::Arc<crate::k9s_files::ViewSetting>> {
        let gvr = format!("{}/{}", api.api_version(), api.plural);
        let find = |key: &str| {
            self.views
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        namespace
            .and_then(|ns| find(&format!("{gvr}@{ns}")))
            .or_else(|| find(&gvr))
    }

    /// The `:` command `word` stands for, if it is an alias.
    pub fn alias(&self, word: &str) -> Option<&str> {
        self.aliases.get(word).map(String::as_str)
    }
}

/// Whether two scopes name the same kind as k9s users write them (`po`, `pod`, `pods`,
/// `v1/pods`).
pub fn same_kind(a: &str, b: &str) -> bool {
    canonical(a) == canonical(b)
}

fn canonical(scope: &str) -> String {
    let word = scope.trim().to_ascii_lowercase();
    let word = word.rsplit('/').next().unwrap_or_default();
    let known = [
        (&["po", "pod"][..], "pods"),
        (&["dp", "deploy", "deployment"], "deployments"),
        (&["svc", "service"], "services"),
        (&["no", "node"], "nodes"),
        (&["ns", "namespace"], "namespaces"),
        (&["sts", "statefulset"], "statefulsets"),
        (&["ds", "daemonset"], "daemonsets"),
        (&["rs", "replicaset"], "replicasets"),
        (&["cm", "configmap"], "configmaps"),
        (&["sec", "secret"], "secrets"),
        (&["ing", "ingress"], "ingresses"),
        (&["pvc", "persistentvolumeclaim"], "persistentvolumeclaims"),
        (&["co", "container"], "containers"),
        (&["ev", "event"], "events"),
        (&["pr", "pipelinerun"], "pipelineruns"),
        (&["tr", "taskrun"], "taskruns"),
        (&["job"], "jobs"),
        (&["cj", "cronjob"], "cronjobs"),
        (&["ctx", "context"], "contexts"),
    ];
    known
        .iter()
        .find(|(short, _)| short.contains(&word))
        .map_or(word.to_string(), |(_, plural)| plural.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plugin(short_cut: &str) -> Plugin {
        Plugin {
            short_cut: short_cut.into(),
            description: "d".into(),
            scopes: vec!["all".into()],
            command: "echo".into(),
            ..Plugin::default()
        }
    }

    #[test]
    fn a_clash_with_a_built_in_key_is_said_and_the_built_in_key_stays() {
        let keymap = Keymap::default();
        let own = vec![
            ("takes-l".to_string(), plugin("l")),
            ("free".to_string(), plugin("Shift-Z")),
            (
                "forced".to_string(),
                Plugin {
                    override_key: true,
                    ..plugin("Ctrl-L")
                },
            ),
            ("bad-key".to_string(), plugin("Hyper-Q")),
        ];
        let ext = Extensions::resolve(&K9sFiles::default(), &own, &keymap);
        let names: Vec<&str> = ext.plugins.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["free", "forced"]);
        // Two plugins on one key: fine in views apart, a clash where both apply.
        let pods = |key: &str, scope: &str| Plugin {
            scopes: vec![scope.into()],
            ..plugin(key)
        };
        let own = vec![
            ("dive-pods".to_string(), pods("Shift-Y", "pods")),
            ("dive-deploy".to_string(), pods("Shift-Y", "deploy")),
            ("dive-again".to_string(), pods("Shift-Y", "po")),
        ];
        let two = Extensions::resolve(&K9sFiles::default(), &own, &keymap);
        assert_eq!(two.plugins.len(), 2, "{:?}", two.problems);
        assert!(
            two.problems[0].contains("dive-again: Y is plugin dive-pods's key"),
            "{:?}",
            two.problems
        );
        assert_eq!(ext.problems.len(), 2, "{:?}", ext.problems);
        assert!(ext.problems[0].contains("takes-l"), "{:?}", ext.problems);
        assert!(
            ext.problems[0].contains("kubedeck's logs key"),
            "{:?}",
            ext.problems
        );
        assert!(ext.problems[1].contains("bad-key"), "{:?}", ext.problems);
    }
}
