//! Where k9s keeps its files: `$K9S_CONFIG_DIR` if set, else `$XDG_CONFIG_HOME/k9s` (by
//! default `~/.config/k9s`) for the configuration, and `$XDG_DATA_HOME/k9s` (by default
//! `~/.local/share/k9s`) for the plugin folder and each context's own files
//! (`clusters/CLUSTER/CONTEXT/`).

use std::path::{Path, PathBuf};

/// k9s's folders on this machine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dirs {
    pub config: Option<PathBuf>,
    pub data: Option<PathBuf>,
}

impl Dirs {
    /// From the environment, as k9s finds them.
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(dir) = var("K9S_CONFIG_DIR") {
            return Self {
                config: Some(dir.clone()),
                data: Some(dir),
            };
        }
        let home = var("HOME");
        let config = var("XDG_CONFIG_HOME")
            .or_else(|| home.as_ref().map(|h| h.join(".config")))
            .map(|d| d.join("k9s"));
        let data = var("XDG_DATA_HOME")
            .or_else(|| home.as_ref().map(|h| h.join(".local/share")))
            .map(|d| d.join("k9s"));
        Self { config, data }
    }
}

/// The files to read, in order (later ones win for a name they both define).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    pub plugins: Vec<PathBuf>,
    pub hotkeys: Vec<PathBuf>,
    pub aliases: Vec<PathBuf>,
    pub views: Vec<PathBuf>,
}

/// A cluster or context name as k9s names its folder (no path separators or colons).
fn folder_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':') {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// The YAML files of a folder, sorted (none when it does not exist).
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    files
}

impl Files {
    /// The files of `dirs`, and of the context `(cluster, context)` when given.
    pub fn of(dirs: &Dirs, context: Option<(&str, &str)>) -> Self {
        let mut out = Self::default();
        if let Some(config) = &dirs.config {
            out.plugins.push(config.join("plugins.yaml"));
            out.plugins.extend(yaml_files(&config.join("plugins")));
            out.hotkeys.push(config.join("hotkeys.yaml"));
            out.aliases.push(config.join("aliases.yaml"));
            out.views.push(config.join("views.yaml"));
        }
        if let Some(data) = &dirs.data
            && dirs.config.as_ref() != Some(data)
        {
            out.plugins.extend(yaml_files(&data.join("plugins")));
        }
        if let (Some(data), Some((cluster, context))) = (&dirs.data, context) {
            let own = data
                .join("clusters")
                .join(folder_name(cluster))
                .join(folder_name(context));
            out.plugins.push(own.join("plugins.yaml"));
            out.hotkeys.push(own.join("hotkeys.yaml"));
            out.aliases.push(own.join("aliases.yaml"));
        }
        out
    }

    /// Every file, in one list (what the reload check stats).
    pub fn all(&self) -> Vec<PathBuf> {
        self.plugins
            .iter()
            .chain(&self.hotkeys)
            .chain(&self.aliases)
            .chain(&self.views)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_then_folder_then_context_files() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::create_dir_all(config.join("plugins")).unwrap();
        std::fs::write(config.join("plugins/b.yaml"), "").unwrap();
        std::fs::write(config.join("plugins/a.yml"), "").unwrap();
        std::fs::write(config.join("plugins/notes.txt"), "").unwrap();
        let dirs = Dirs {
            config: Some(config.clone()),
            data: Some(dir.path().join("data")),
        };
        let files = Files::of(&dirs, Some(("arn:aws:eks/prod", "prod")));
        assert_eq!(
            files.plugins,
            [
                config.join("plugins.yaml"),
                config.join("plugins/a.yml"),
                config.join("plugins/b.yaml"),
                dir.path()
                    .join("data/clusters/arn-aws-eks-prod/prod/plugins.yaml"),
            ]
        );
        assert_eq!(files.hotkeys.len(), 2);
        assert_eq!(files.views, [config.join("views.yaml")]);
    }
}
