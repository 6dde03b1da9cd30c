//! A cluster's client, renewable: after a 401 the kubeconfig is read again and the client built
//! anew (a token renewed in the file, an exec plugin run again), so `aws sso login` or
//! `gcloud auth login` in another pane is enough to bring kubedeck back. Every informer and
//! action takes the current client from here.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use kube::Client;

use super::client::{ConnectError, KubeconfigSource};

/// Where a renewed client comes from.
#[derive(Clone)]
struct Renew {
    source: KubeconfigSource,
    context: String,
}

struct Inner {
    /// The client, and how many times it has been renewed.
    current: RwLock<(u64, Client)>,
    /// Renewals one at a time: many informers failing with 401 together renew once. Holds
    /// when the last one was done.
    renewing: tokio::sync::Mutex<Option<Instant>>,
    renew: Option<Renew>,
    /// When something last came from the server (see `liveness`).
    heard: super::heard::Heard,
}

/// A cluster's current client. Cheap to clone (clones share it).
#[derive(Clone)]
pub struct ClientHandle {
    inner: Arc<Inner>,
}

/// What a renewal did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renewed {
    /// A new client, from credentials read again.
    New,
    /// Someone else renewed it since this client was taken: use the current one.
    Already,
    /// Nowhere to renew from (a client given as is).
    Fixed,
}

impl ClientHandle {
    /// A client that is renewed from `source`'s `context` after a 401.
    pub fn renewable(client: Client, source: KubeconfigSource, context: &str) -> Self {
        Self::build(
            client,
            Some(Renew {
                source,
                context: context.to_string(),
            }),
        )
    }

    /// A client that is never renewed (tests, benchmarks).
    pub fn fixed(client: Client) -> Self {
        Self::build(client, None)
    }

    fn build(client: Client, renew: Option<Renew>) -> Self {
        Self {
            inner: Arc::new(Inner {
                current: RwLock::new((0, client)),
                renewing: tokio::sync::Mutex::new(None),
                renew,
                heard: super::heard::Heard::default(),
            }),
        }
    }

    /// The client to use now, and its generation (to say which one failed).
    pub fn current(&self) -> (u64, Client) {
        let c = self.inner.current.read().unwrap_or_else(|e| e.into_inner());
        (c.0, c.1.clone())
    }

    pub fn client(&self) -> Client {
        self.current().1
    }

    /// The client of generation `failed` was refused (401): read the kubeconfig again and build
    /// a new one, unless that was done since.
    pub async fn renew(&self, failed: u64) -> Result<Renewed, ConnectError> {
        let Some(renew) = &self.inner.renew else {
            return Ok(Renewed::Fixed);
        };
        let mut last = self.inner.renewing.lock().await;
        if self.current().0 != failed {
            return Ok(Renewed::Already);
        }
        let source = renew.source.reload()?;
        let (client, _) = source.client(&renew.context).await?;
        *last = Some(Instant::now());
        let mut c = self
            .inner
            .current
            .write()
            .unwrap_or_else(|e| e.into_inner());
        *c = (failed + 1, client);
        Ok(Renewed::New)
    }

    /// When something last came from this cluster's server.
    pub fn heard(&self) -> super::heard::Heard {
        self.inner.heard.clone()
    }

    /// A new client with no pooled connections (the path went silent: the pooled ones may
    /// never answer). Credentials are read again on the way, as after a 401.
    pub async fn reconnect(&self) -> Result<Renewed, ConnectError> {
        self.renew(self.current().0).await
    }

    /// Renew before trying again after a 401 (credentials may have been renewed meanwhile),
    /// unless that was done in the last `within` (the informers waking together renew once).
    pub async fn renew_unless_recent(&self, within: Duration) -> Result<Renewed, ConnectError> {
        let recent = self
            .inner
            .renewing
            .lock()
            .await
            .is_some_and(|at| at.elapsed() < within);
        if recent {
            return Ok(Renewed::Already);
        }
        self.renew(self.current().0).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(token: &str) -> String {
        format!(
            r#"{{"apiVersion":"v1","kind":"Config","current-context":"a",
            "clusters":[{{"name":"c","cluster":{{"server":"http://127.0.0.1:1"}}}}],
            "users":[{{"name":"u","user":{{"token":"{token}"}}}}],
            "contexts":[{{"name":"a","context":{{"cluster":"c","user":"u"}}}}]}}"#
        )
    }

    #[tokio::test]
    async fn a_refused_client_is_renewed_once_from_the_file_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, config("old")).unwrap();
        let source = KubeconfigSource::load(Some(&path)).unwrap();
        let (client, _) = source.client("a").await.unwrap();
        let handle = ClientHandle::renewable(client, source, "a");
        assert_eq!(handle.current().0, 0);
        std::fs::write(&path, config("new")).unwrap();
        assert_eq!(handle.renew(0).await, Ok(Renewed::New));
        assert_eq!(handle.current().0, 1);
        // A second informer that failed with the old client does not renew again.
        assert_eq!(handle.renew(0).await, Ok(Renewed::Already));
        assert_eq!(handle.current().0, 1);
        // A file that became unreadable says so, and the client stays.
        std::fs::write(&path, "not: [yaml").unwrap();
        assert!(handle.renew(1).await.is_err());
        assert_eq!(handle.current().0, 1);
    }
}
