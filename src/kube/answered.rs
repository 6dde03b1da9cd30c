//! A request whose answer must start within a deadline.
//!
//! A request sent on a pooled connection that died unseen (a NAT or load balancer forgot it, the
//! peer's host froze) is otherwise held until the client's read timeout, minutes, while the rest
//! of the cluster is heard (so the path prober has nothing to say). The deadline covers only
//! the response's head: the body then takes as long as the link needs, since a page of 500 pods
//! is megabytes and a jump host's link may be slow.

use std::time::Duration;

use http_body_util::BodyExt;
use kube::Client;
use kube::client::Body;
use kube::core::Status;
use serde::de::DeserializeOwned;

/// How long an informer's list page may take to be answered. An apiserver answers, or ends a
/// request with a timeout of its own, within its `--request-timeout` (60 s by default): a head
/// later than that is not coming.
pub const LIST_START: Duration = Duration::from_secs(60);

/// How long a request the server answers at once may take to be answered (its head): a watch
/// (the events follow), Tekton's discovery, a metrics list (made from memory). One later than
/// this was asked on a connection that carries nothing.
pub const QUICK_ANSWER: Duration = Duration::from_secs(15);

/// No response head came within the deadline.
#[derive(Debug, thiserror::Error)]
#[error("no answer to a list in {0:?}")]
pub struct NoAnswer(pub Duration);

/// Send `request` and decode its JSON answer as [`Client::request`] does (a 4xx or 5xx answer is
/// `kube::Error::Api` with the server's Status), unless no response head comes `within`.
pub async fn request_within<T: DeserializeOwned>(
    client: &Client,
    request: http::Request<Vec<u8>>,
    within: Duration,
) -> Result<T, kube::Error> {
    let body = body_within(client, request, within).await?;
    serde_json::from_slice(&body).map_err(kube::Error::SerdeError)
}

/// [`request_within`]'s answer undecoded: the body of a 2xx answer.
pub async fn body_within(
    client: &Client,
    request: http::Request<Vec<u8>>,
    within: Duration,
) -> Result<bytes::Bytes, kube::Error> {
    let response = tokio::time::timeout(within, client.send(request.map(Body::from)))
        .await
        .map_err(|_| kube::Error::Service(Box::new(NoAnswer(within))))??;
    let code = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if code.is_client_error() || code.is_server_error() {
        return Err(kube::Error::Api(status_of(code, &body).boxed()));
    }
    Ok(body)
}

/// The Status a refusal carries; a proxy's text or HTML page (not a Status) as its message.
fn status_of(code: http::StatusCode, body: &[u8]) -> Status {
    serde_json::from_slice::<Status>(body).unwrap_or_else(|_| {
        let text = String::from_utf8_lossy(body);
        Status::failure(text.trim(), "Failed to parse error data").with_code(code.as_u16())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::list_watch::{Fault, classify};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    /// A server on loopback that reads one request, then lets `answer` reply (or not).
    async fn serve<F, Fut>(answer: F) -> Client
    where
        F: FnOnce(TcpStream) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("a bound address");
        tokio::spawn(async move {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            answer(conn).await;
        });
        let url = format!("http://{addr}").parse().expect("a loopback url");
        Client::try_from(kube::Config::new(url)).expect("a client")
    }

    /// Write a response's head: `status` (`200 OK`), a body of `len` bytes of `content_type`.
    async fn head(conn: &mut TcpStream, status: &str, content_type: &str, len: usize) {
        let head = format!(
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {len}\r\n\r\n"
        );
        let _ = conn.write_all(head.as_bytes()).await;
    }

    /// A whole answer: its head, then its body.
    async fn answer(mut conn: TcpStream, status: &str, content_type: &str, body: &[u8]) {
        head(&mut conn, status, content_type, body.len()).await;
        let _ = conn.write_all(body).await;
    }

    fn list_request() -> http::Request<Vec<u8>> {
        http::Request::get("/api/v1/pods?limit=500")
            .body(Vec::new())
            .expect("a request")
    }

    #[tokio::test]
    async fn a_server_that_never_answers_is_given_up_on() {
        let client = serve(|conn| async move {
            // Holds the connection open, saying nothing, until the client gives up.
            let mut conn = conn;
            let _ = conn.read(&mut [0u8; 1]).await;
        })
        .await;
        let within = Duration::from_millis(100);
        let got = request_within::<serde_json::Value>(&client, list_request(), within).await;
        let Err(e) = got else {
            panic!("an answer from a server that sent none: {got:?}");
        };
        assert_eq!(
            classify(&e),
            Fault::Transient("cannot reach the API server: no answer to a list in 100ms".into())
        );
    }

    #[tokio::test]
    async fn a_body_slower_than_the_deadline_is_read_whole() {
        let body = br#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42"},"items":[]}"#;
        let client = serve(move |mut conn| async move {
            head(&mut conn, "200 OK", "application/json", body.len()).await;
            let _ = conn.write_all(&body[..10]).await;
            // The rest well after the head's deadline: a slow link, not a dead one.
            tokio::time::sleep(Duration::from_millis(400)).await;
            let _ = conn.write_all(&body[10..]).await;
        })
        .await;
        let got = request_within::<serde_json::Value>(
            &client,
            list_request(),
            Duration::from_millis(100),
        )
        .await;
        match got {
            Ok(list) => assert_eq!(list["metadata"]["resourceVersion"], "42"),
            Err(e) => panic!("a slow body was cut: {e}"),
        }
    }

    #[tokio::test]
    async fn a_refusal_is_the_servers_status() {
        // The apiserver's own 403 body (fixtures/real-cluster wire captures have its shape).
        let body = br#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden: User \"dev\" cannot list resource \"pods\" in API group \"\" at the cluster scope","reason":"Forbidden","details":{"kind":"pods"},"code":403}"#;
        let client =
            serve(move |conn| answer(conn, "403 Forbidden", "application/json", body)).await;
        let got = request_within::<serde_json::Value>(&client, list_request(), LIST_START).await;
        let Err(e) = got else {
            panic!("a 403 read as an answer: {got:?}");
        };
        assert_eq!(
            classify(&e),
            Fault::Forbidden(
                "pods is forbidden: User \"dev\" cannot list resource \"pods\" in API group \"\" \
                 at the cluster scope"
                    .into()
            )
        );
    }

    #[tokio::test]
    async fn a_proxys_page_is_said_with_its_code() {
        let page = b"<html>bad gateway</html>\n";
        let client = serve(move |conn| answer(conn, "502 Bad Gateway", "text/html", page)).await;
        let got = request_within::<serde_json::Value>(&client, list_request(), LIST_START).await;
        let Err(e) = got else {
            panic!("a proxy's page read as an answer: {got:?}");
        };
        assert_eq!(
            classify(&e),
            Fault::Transient("<html>bad gateway</html> (502)".into())
        );
    }
}
