//! The configuration file: defaults in code, the user's TOML a partial patch over them.
//! Errors name the file and the line, and say what was expected.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::views::theme::{DEFAULT_THEME, Theme};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Refuse every mutation, as `--readonly` does.
    pub readonly: bool,
    /// Namespace to show when neither `-n` nor `-A` is given (default: the context's).
    pub namespace: Option<String>,
    /// Start with every namespace shown.
    pub all_namespaces: bool,
    /// `default`, `no-color`, or the path of a theme TOML file.
    pub theme: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("theme {name:?} (from {path}): {message}")]
    Theme {
        name: String,
        path: String,
        message: String,
    },
}

/// Where the config file lives when `--config` is not given.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "kubedeck", "kubedeck")
        .map(|d| d.config_dir().join("config.toml"))
}

/// Load `explicit`, or the default file if it exists, or the defaults.
pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_path().filter(|p| p.exists()) {
            Some(p) => p,
            None => return Ok((Config::default(), None)),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let config = parse(&text).map_err(|message| ConfigError::Invalid {
        path: path.display().to_string(),
        message,
    })?;
    Ok((config, Some(path)))
}

/// Parse config text; the error is toml's, which names line and column and the expected value.
pub fn parse(text: &str) -> Result<Config, String> {
    toml::from_str(text).map_err(|e| e.to_string().trim().replace('\n', " "))
}

impl Config {
    /// The theme this config asks for (`no_color` from the environment wins).
    pub fn theme(&self, no_color: bool, config_path: Option<&Path>) -> Result<Theme, ConfigError> {
        if no_color {
            return Ok(Theme::monochrome());
        }
        let origin =
            config_path.map_or_else(|| "defaults".to_string(), |p| p.display().to_string());
        match self.theme.as_deref() {
            None | Some("default") => {
                Theme::from_toml(DEFAULT_THEME).map_err(|e| ConfigError::Theme {
                    name: "default".into(),
                    path: origin,
                    message: e.to_string(),
                })
            }
            Some("no-color") => Ok(Theme::monochrome()),
            Some(file) => {
                let text = std::fs::read_to_string(file).map_err(|e| ConfigError::Theme {
                    name: file.into(),
                    path: origin.clone(),
                    message: e.to_string(),
                })?;
                Theme::from_toml(&text).map_err(|e| ConfigError::Theme {
                    name: file.into(),
                    path: origin,
                    message: e.to_string(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses() {
        let c = parse(include_str!("../config.example.toml"));
        assert!(c.is_ok(), "{c:?}");
    }

    #[test]
    fn empty_is_defaults() {
        assert_eq!(parse(""), Ok(Config::default()));
    }

    #[test]
    fn errors_name_line_and_expectation() {
        let err = parse("readonly = \"yes\"\n").err().unwrap_or_default();
        assert!(err.contains("line 1") && err.contains("bool"), "{err}");
        let err = parse("\n\nbogus = 1\n").err().unwrap_or_default();
        assert!(
            err.contains("line 3") && err.contains("unknown field `bogus`"),
            "{err}"
        );
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
    fn themes_by_name_and_file() {
        let c = Config {
            theme: Some("no-color".into()),
            ..Config::default()
        };
        assert_eq!(c.theme(false, None).ok(), Some(Theme::monochrome()));
        let c = Config {
            theme: Some("/nonexistent.toml".into()),
            ..Config::default()
        };
        assert!(c.theme(false, None).is_err());
        assert_eq!(
            Config::default().theme(true, None).ok(),
            Some(Theme::monochrome())
        );
    }
}
