//! Kubeconfig loading and client construction: KUBECONFIG with several files, `--kubeconfig`,
//! `--context`, exec auth plugins (through kube-rs), with errors that say what to do.

use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "cannot read kubeconfig {source_name}: {reason}. Check the file, or pass another with --kubeconfig"
    )]
    Kubeconfig { source_name: String, reason: String },
    #[error(
        "context {context:?} is not in {source_name} (available: {available}). Pick one with --context"
    )]
    NoContext {
        context: String,
        source_name: String,
        available: String,
    },
    #[error(
        "{source_name} has no current-context and --context was not given (available: {available})"
    )]
    NoCurrentContext {
        source_name: String,
        available: String,
    },
    #[error("cannot use context {context:?} from {source_name}: {reason}")]
    BadContext {
        context: String,
        source_name: String,
        reason: String,
    },
}

/// Where the kubeconfig came from, for messages.
fn describe(explicit: Option<&Path>) -> String {
    match explicit {
        Some(p) => p.display().to_string(),
        None => match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
            Some(v) => format!("KUBECONFIG={}", v.to_string_lossy()),
            None => "~/.kube/config".to_string(),
        },
    }
}

fn reason(e: &KubeconfigError) -> String {
    // The error chain's innermost cause is usually the useful part (file not found, YAML error);
    // a cause already said by the one above it is not said twice.
    let mut text = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let cause = s.to_string();
        if !text.contains(&cause) {
            text = format!("{text}: {cause}");
        }
        src = s.source();
    }
    text
}

/// A parsed kubeconfig, and where it was read from (so a changed file, a renewed token, is
/// read again when credentials are refreshed or the context is switched).
#[derive(Clone)]
pub struct KubeconfigSource {
    pub config: Kubeconfig,
    pub name: String,
    /// `--kubeconfig`, or `None` for KUBECONFIG / ~/.kube/config.
    path: Option<PathBuf>,
}

impl KubeconfigSource {
    pub fn load(explicit: Option<&PathBuf>) -> Result<Self, ConnectError> {
        let name = describe(explicit.map(PathBuf::as_path));
        let config = match explicit {
            Some(p) => Kubeconfig::read_from(p),
            None => Kubeconfig::read(),
        }
        .map_err(|e| ConnectError::Kubeconfig {
            source_name: name.clone(),
            reason: reason(&e),
        })?;
        Ok(Self {
            config,
            name,
            path: explicit.cloned(),
        })
    }

    /// The same source read again from disk (a token renewed by `aws sso login`, an edited file).
    pub fn reload(&self) -> Result<Self, ConnectError> {
        Self::load(self.path.as_ref())
    }

    pub fn contexts(&self) -> Vec<String> {
        self.config
            .contexts
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// The context to use: the given one (checked to exist) or the current one.
    /// The API server URL of a context, for display.
    pub fn server_of(&self, context: &str) -> String {
        let cluster = self
            .config
            .contexts
            .iter()
            .find(|c| c.name == context)
            .and_then(|c| c.context.as_ref())
            .map(|c| c.cluster.clone());
        cluster
            .and_then(|name| self.config.clusters.iter().find(|c| c.name == name))
            .and_then(|c| c.cluster.as_ref())
            .and_then(|c| c.server.clone())
            .unwrap_or_default()
    }

    pub fn resolve_context(&self, wanted: Option<&str>) -> Result<String, ConnectError> {
        let available = self.contexts().join(", ");
        match wanted.map(str::to_string).or_else(|| {
            self.config
                .current_context
                .clone()
                .filter(|c| !c.is_empty())
        }) {
            Some(c) if self.contexts().contains(&c) => Ok(c),
            Some(c) => Err(ConnectError::NoContext {
                context: c,
                source_name: self.name.clone(),
                available,
            }),
            None => Err(ConnectError::NoCurrentContext {
                source_name: self.name.clone(),
                available,
            }),
        }
    }

    /// Build a client for `context`. No network I/O happens here.
    pub async fn client(&self, context: &str) -> Result<(Client, String), ConnectError> {
        let options = KubeConfigOptions {
            context: Some(context.to_string()),
            ..KubeConfigOptions::default()
        };
        let bad = |reason: String| ConnectError::BadContext {
            context: context.to_string(),
            source_name: self.name.clone(),
            reason,
        };
        let mut config = Config::from_custom_kubeconfig(self.config.clone(), &options)
            .await
            .map_err(|e| bad(reason(&e)))?;
        // kube-rs would retry 429/503/504 up to 15 times with back-off reaching minutes, so a
        // user's action could hang that long. kubedeck retries where it makes sense itself (the
        // informers and the metrics poller back off; drain retries evictions a disruption
        // budget blocks) and reports the rest at once.
        config.default_retry = false;
        let namespace = config.default_namespace.clone();
        let client = super::client_stack::build(config).map_err(|e| bad(e.to_string()))?;
        Ok((client, namespace))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        let _ = std::fs::write(&p, text);
        p
    }

    const GOOD: &str = r#"{"apiVersion":"v1","kind":"Config","current-context":"a",
        "clusters":[{"name":"c","cluster":{"server":"http://127.0.0.1:1"}}],
        "users":[{"name":"u","user":{"token":"t"}}],
        "contexts":[{"name":"a","context":{"cluster":"c","user":"u","namespace":"team"}},{"name":"b","context":{"cluster":"c","user":"u"}}]}"#;

    #[tokio::test]
    async fn contexts_resolve_and_clients_build() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "config", GOOD);
        let src = KubeconfigSource::load(Some(&path)).unwrap();
        assert_eq!(src.contexts(), ["a", "b"]);
        assert_eq!(src.resolve_context(None).ok().as_deref(), Some("a"));
        assert_eq!(src.resolve_context(Some("b")).ok().as_deref(), Some("b"));
        let err = src
            .resolve_context(Some("nope"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("\"nope\"")
                && err.contains("available: a, b")
                && err.contains("--context"),
            "{err}"
        );
        let (_, ns) = src.client("a").await.unwrap();
        assert_eq!(ns, "team");
        let (_, ns) = src.client("b").await.unwrap();
        assert_eq!(ns, "default");
    }

    #[test]
    fn malformed_and_missing_files_name_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bad = write(dir.path(), "bad", "clusters: [ {oops");
        let err = KubeconfigSource::load(Some(&bad))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains(&bad.display().to_string()) && err.contains("--kubeconfig"),
            "{err}"
        );
        let missing = dir.path().join("missing");
        let err = KubeconfigSource::load(Some(&missing))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("missing"), "{err}");
    }
}
