//! An informer for any resource, as server-side Tables: lists and watches ask for
//! `as=Table` (kubectl's Accept) with only the objects' metadata, and the rows go into a
//! [`TableStore`]. Runs in the same list-then-watch loop as every other informer, so its
//! states (live, relisting, forbidden, gone) are as true as theirs.

use std::sync::Arc;

use kube::Client;
use kube::api::WatchEvent;

use super::answered::{LIST_START, QUICK_ANSWER, request_within};
use super::discovery::ApiResourceInfo;
use super::list_watch::{self, PAGE, Reporter, Source, WATCH_TIMEOUT_SECS, WatchEnd};
use super::server_table::{TABLE_ACCEPT, TableStore, WireTable};

pub struct TableSource {
    pub resource: Arc<ApiResourceInfo>,
    /// `None`: every namespace (or a cluster-scoped resource).
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub store: TableStore,
    /// The user's own columns' paths (views.yaml): with any, each row's whole object is asked
    /// for and read there (then dropped), else only its metadata.
    pub paths: Arc<Vec<serde_json_path::JsonPath>>,
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl TableSource {
    fn path(&self, query: &[(&str, String)]) -> String {
        let mut q: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if let Some(s) = &self.label_selector {
            q.push(format!("labelSelector={}", encode(s)));
        }
        q.push(if self.paths.is_empty() {
            "includeObject=Metadata".into()
        } else {
            "includeObject=Object".into()
        });
        format!(
            "{}?{}",
            self.resource.collection_path(self.namespace.as_deref()),
            q.join("&")
        )
    }

    fn request(&self, path: &str) -> Result<http::Request<Vec<u8>>, kube::Error> {
        http::Request::get(path)
            .header(http::header::ACCEPT, TABLE_ACCEPT)
            .body(Vec::new())
            .map_err(kube::Error::HttpError)
    }
}

impl Source for TableSource {
    async fn list(&mut self, client: Client) -> Result<String, kube::Error> {
        self.store.begin_list();
        let mut continue_token: Option<String> = None;
        loop {
            let mut query = vec![("limit", PAGE.to_string())];
            if let Some(c) = continue_token.take() {
                query.push(("continue", c));
            }
            let request = self.request(&self.path(&query))?;
            let page = request_within::<WireTable>(&client, request, LIST_START)
                .await?
                .read_with(&self.paths);
            let (rv, next) = (page.resource_version.clone(), page.continue_token.clone());
            self.store.list_page(page);
            match next {
                Some(token) => continue_token = Some(token),
                None => {
                    self.store.end_list();
                    return Ok(rv);
                }
            }
        }
    }

    async fn watch(&mut self, client: Client, from: &str, report: &mut Reporter) -> WatchEnd {
        let query = [
            ("watch", "1".to_string()),
            ("resourceVersion", from.to_string()),
            ("allowWatchBookmarks", "true".to_string()),
            ("timeoutSeconds", WATCH_TIMEOUT_SECS.to_string()),
        ];
        let req = match self.request(&self.path(&query)) {
            Ok(req) => req,
            Err(e) => return WatchEnd::Fault(from.to_string(), list_watch::classify(&e)),
        };
        let stream = match list_watch::started(
            client.request_events::<WireTable>(req),
            QUICK_ANSWER,
            from,
            report,
        )
        .await
        {
            Ok(s) => s,
            Err(end) => return end,
        };
        let store = self.store.clone();
        let paths = self.paths.clone();
        list_watch::follow(stream, from, report, |event| {
            let (deleted, table) = match event {
                WatchEvent::Added(t) | WatchEvent::Modified(t) => (false, t),
                WatchEvent::Deleted(t) => (true, t),
                WatchEvent::Bookmark(_) | WatchEvent::Error(_) => return None,
            };
            let page = table.read_with(&paths);
            let mut version = None;
            for row in page.rows {
                version = Some(row.resource_version.clone());
                if deleted {
                    store.remove(&row.key());
                } else {
                    store.upsert(page.columns.clone(), row);
                }
            }
            version
        })
        .await
    }

    fn clear(&mut self) {
        self.store.clear();
    }
}
