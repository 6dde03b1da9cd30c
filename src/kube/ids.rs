//! Identities that travel with every object reference, request and session: which cluster
//! (`ClusterId`) and which namespaces (`Scope`). Typed, so "every namespace" is never confused
//! with a namespace named `all`, and an action always reaches the cluster its object came from.

use std::fmt;
use std::sync::Arc;

/// A cluster, named by the kubeconfig context it is reached through. The default (empty) is
/// only for rows derived outside any cluster (unit tests); informers stamp their own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClusterId(Arc<str>);

impl From<&str> for ClusterId {
    fn from(context: &str) -> Self {
        Self::new(context)
    }
}

impl ClusterId {
    pub fn new(context: &str) -> Self {
        Self(Arc::from(context))
    }

    /// The kubeconfig context.
    pub fn context(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClusterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which namespaces the namespaced informers watch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    All,
    Namespace(String),
    /// Several clusters, each in its own kubeconfig context's namespace (resolved per cluster
    /// before its informers start).
    ContextDefaults,
}

impl Scope {
    /// For titles and the status bar: `all` or the namespace's name.
    pub fn label(&self) -> &str {
        match self {
            Scope::All => "all",
            Scope::Namespace(ns) => ns,
            Scope::ContextDefaults => "each context's",
        }
    }

    /// The namespace, unless every namespace is watched.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            Scope::All | Scope::ContextDefaults => None,
            Scope::Namespace(ns) => Some(ns),
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Scope::All)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_namespace_named_all_is_not_every_namespace() {
        let named = Scope::Namespace("all".into());
        assert!(!named.is_all());
        assert_eq!(named.namespace(), Some("all"));
        assert!(Scope::All.is_all());
        assert_eq!(Scope::All.namespace(), None);
    }
}
