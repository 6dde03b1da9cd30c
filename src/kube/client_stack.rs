//! kube-rs's client stack, built from its own parts, with one change: the connections to the
//! API server have Nagle's algorithm off (`TCP_NODELAY`), as kubectl's (Go sets it on every TCP
//! connection) and ssh's interactive sessions have. kube-rs makes its `HttpConnector` with Nagle
//! on and offers no setting for it, so a small write behind one not yet acknowledged waited for
//! the API server's delayed ACK (up to 40 ms): a port-forwarded protocol that writes a request
//! in two pieces stalled on every request, and keys typed faster than the round trip in a shell
//! pane were held back.
//!
//! The connections also send TCP keepalive probes (after 30 s idle, every 10 s, 3 unanswered
//! end it), as client-go's dialer does (kube-rs sends none): a pooled connection whose peer
//! vanished while it was idle (an API server restarted behind a load balancer, a VPN that came
//! back with a new address) is closed within a minute, so the next request gets a new one
//! instead of being written into the dead one and waiting for the read timeout.
//!
//! The TLS (kube's rustls connector, client certificates and exec plugins' included), the
//! authentication layer (tokens, exec plugins, refreshing), the impersonation headers, gzip and
//! the timeouts are kube-rs's own, set from the same `Config`, in the same order as its
//! `ClientBuilder::try_from`. A kubeconfig with a proxy (`proxy-url`) gets kube-rs's stack as is
//! (its SOCKS5 and HTTP CONNECT tunnels), Nagle included.
//!
//! One layer is kubedeck's: the API server's `Warning:` headers are read off each response
//! for whichever request listens (`server_warnings`); kube-rs drops them. Through a proxy's
//! stack they are not read.

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kube::client::ConfigExt;
use kube::{Client, Config};
use tower::ServiceBuilder;
use tower_http::decompression::DecompressionLayer;

/// Idle time before the first keepalive probe, the time between probes, and how many go
/// unanswered before the connection is closed.
const KEEPALIVE_IDLE: std::time::Duration = std::time::Duration::from_secs(30);
const KEEPALIVE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);
const KEEPALIVE_PROBES: u32 = 3;

/// A client for `config`, its connections without Nagle's delay (through a proxy: kube-rs's).
/// kube-rs's retry layer (`default_retry`) is not part of it: kubedeck turns it off and retries
/// where it makes sense itself (`client.rs`).
pub fn build(config: Config) -> Result<Client, kube::Error> {
    if config.proxy_url.is_some() {
        return Client::try_from(config);
    }
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_keepalive(Some(KEEPALIVE_IDLE));
    http.set_keepalive_interval(Some(KEEPALIVE_INTERVAL));
    http.set_keepalive_retries(Some(KEEPALIVE_PROBES));
    let https = config.rustls_https_connector_with_connector(http)?;
    let mut timed = hyper_timeout::TimeoutConnector::new(https);
    timed.set_connect_timeout(config.connect_timeout);
    timed.set_read_timeout(config.read_timeout);
    timed.set_write_timeout(config.write_timeout);
    timed.set_reset_reader_on_write(config.reset_reader_on_write);
    let hyper: hyper_util::client::legacy::Client<_, kube::client::Body> =
        hyper_util::client::legacy::Builder::new(TokioExecutor::new()).build(timed);
    let service = ServiceBuilder::new()
        .map_response(super::server_warnings::note)
        .layer(config.base_uri_layer())
        .layer(
            DecompressionLayer::new()
                .no_br()
                .no_deflate()
                .no_zstd()
                .gzip(!config.disable_compression),
        )
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .map_err(tower::BoxError::from)
        .service(hyper);
    Ok(Client::new(service, config.default_namespace))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Answer every request on a connection with `{}` (each read taken as one request), until
    /// it closes.
    async fn answer_each(mut conn: impl AsyncReadExt + AsyncWriteExt + Unpin) {
        let mut buf = vec![0u8; 4096];
        while let Ok(n) = conn.read(&mut buf).await {
            if n == 0 {
                break;
            }
            let answer =
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
            if conn.write_all(answer.as_bytes()).await.is_err() {
                break;
            }
        }
    }

    /// A plain HTTP server answering `{}` with a Pod Security warning.
    async fn serve_warning(listener: tokio::net::TcpListener) {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                while let Ok(n) = conn.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nwarning: 299 - \"would violate PodSecurity \\\"restricted:latest\\\": runAsNonRoot != true\"\r\ncontent-length: 2\r\n\r\n{}";
                    if conn.write_all(answer.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    }

    /// Through the whole client (kube-rs's buffer included), a request's warnings reach the
    /// work that made it.
    #[tokio::test]
    async fn the_servers_warnings_reach_the_request_that_listens() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let server = listener.local_addr().expect("its address");
        tokio::spawn(serve_warning(listener));
        let client = build(Config::new(
            format!("http://{server}").parse().expect("a url"),
        ))
        .expect("a client");
        let ((), heard) = super::super::server_warnings::heard_during(ask(&client)).await;
        assert_eq!(
            heard,
            [r#"would violate PodSecurity "restricted:latest": runAsNonRoot != true"#]
        );
    }

    /// A plain HTTP server answering `{}`.
    async fn serve(listener: tokio::net::TcpListener) {
        while let Ok((conn, _)) = listener.accept().await {
            tokio::spawn(answer_each(conn));
        }
    }

    /// What a connection's socket is set to: TCP_NODELAY, and its keepalive (idle, interval,
    /// probes) when on.
    #[derive(Debug, PartialEq)]
    struct Options {
        nodelay: bool,
        keepalive: Option<(std::time::Duration, std::time::Duration, u32)>,
    }

    /// The options of this process's sockets connected to `server` (one per connection). Each
    /// descriptor is looked at through a copy taken with `pidfd_getfd` (no unsafe borrowing of
    /// a number): a copy shares the socket, and its options.
    fn sockets_towards(server: SocketAddr) -> Vec<Options> {
        use rustix::process::{PidfdFlags, PidfdGetfdFlags, getpid, pidfd_getfd, pidfd_open};
        let Ok(me) = pidfd_open(getpid(), PidfdFlags::empty()) else {
            return Vec::new();
        };
        let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
            return Vec::new();
        };
        fds.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter_map(|raw| {
                let fd = pidfd_getfd(&me, raw, PidfdGetfdFlags::empty()).ok()?;
                let peer = rustix::net::getpeername(&fd).ok()??;
                let peer = SocketAddr::try_from(peer).ok()?;
                use rustix::net::sockopt::{
                    socket_keepalive, tcp_keepcnt, tcp_keepidle, tcp_keepintvl, tcp_nodelay,
                };
                if peer != server {
                    return None;
                }
                let keepalive = socket_keepalive(&fd).ok()?.then(|| {
                    Some((
                        tcp_keepidle(&fd).ok()?,
                        tcp_keepintvl(&fd).ok()?,
                        tcp_keepcnt(&fd).ok()?,
                    ))
                });
                Some(Options {
                    nodelay: tcp_nodelay(&fd).ok()?,
                    keepalive: keepalive.flatten(),
                })
            })
            .collect()
    }

    async fn ask(client: &Client) {
        let request = http::Request::get("/version")
            .body(Vec::new())
            .expect("a request");
        let answer = client.request_text(request).await;
        assert_eq!(answer.ok().as_deref(), Some("{}"));
    }

    /// The test certificates (`tests/fixtures/tls`: a CA, a server certificate for 127.0.0.1
    /// and a client one, made with openssl for this test only).
    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tls")
            .join(name)
    }

    /// An HTTPS server on 127.0.0.1 that completes a handshake only with a client certificate
    /// signed by the test CA, then answers `{}`.
    async fn serve_tls(listener: tokio::net::TcpListener) {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        for ca in CertificateDer::pem_file_iter(fixture("ca.crt")).expect("ca.crt") {
            roots.add(ca.expect("a CA certificate")).expect("a root");
        }
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            std::sync::Arc::new(roots),
            provider.clone(),
        )
        .build()
        .expect("a client verifier");
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(fixture("server.crt"))
                .expect("server.crt")
                .map(|c| c.expect("a certificate"))
                .collect();
        let key = PrivateKeyDer::from_pem_file(fixture("server.key")).expect("server.key");
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .expect("a server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
        while let Ok((conn, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(conn).await {
                    answer_each(tls).await;
                }
            });
        }
    }

    /// A kubeconfig's client for `server`, with or without the client certificate.
    async fn tls_config(server: SocketAddr, with_certificate: bool) -> Config {
        let path = |name: &str| fixture(name).display().to_string();
        let user = if with_certificate {
            serde_json::json!({"client-certificate": path("client.crt"), "client-key": path("client.key")})
        } else {
            serde_json::json!({"token": "t"})
        };
        let kubeconfig = serde_json::json!({
            "apiVersion": "v1", "kind": "Config", "current-context": "tls",
            "clusters": [{"name": "tls", "cluster": {"server": format!("https://{server}"),
                "certificate-authority": path("ca.crt")}}],
            "users": [{"name": "tls", "user": user}],
            "contexts": [{"name": "tls", "context": {"cluster": "tls", "user": "tls"}}],
        });
        let kubeconfig: kube::config::Kubeconfig =
            serde_json::from_value(kubeconfig).expect("a kubeconfig");
        Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .expect("a config")
    }

    /// The stack is kube-rs's own TLS: the server is verified against the kubeconfig's CA and
    /// the client certificate is presented (a server requiring one refuses a client without).
    #[tokio::test]
    async fn tls_with_a_client_certificate_goes_through_and_keeps_nagle_off() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let server = listener.local_addr().expect("its address");
        tokio::spawn(serve_tls(listener));
        let client = build(tls_config(server, true).await).expect("a client");
        ask(&client).await;
        assert!(
            sockets_towards(server).iter().all(|o| o.nodelay),
            "{:?}",
            sockets_towards(server)
        );
        let without = build(tls_config(server, false).await).expect("a client");
        let request = http::Request::get("/version")
            .body(Vec::new())
            .expect("a request");
        assert!(without.request_text(request).await.is_err());
    }

    #[tokio::test]
    async fn connections_have_nagle_off_and_keepalive_on_where_kube_rs_has_neither() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let server = listener.local_addr().expect("its address");
        tokio::spawn(serve(listener));
        let config = || Config::new(format!("http://{server}").parse().expect("a url"));

        let ours = build(config()).expect("a client");
        ask(&ours).await;
        let probing = Some((KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_PROBES));
        assert_eq!(
            sockets_towards(server),
            [Options {
                nodelay: true,
                keepalive: probing
            }]
        );
        drop(ours);

        // kube-rs's own stack, for contrast (if it ever sets these itself, this module can
        // go): the same check sees Nagle on and no keepalive.
        let theirs = Client::try_from(config()).expect("a client");
        ask(&theirs).await;
        let seen = sockets_towards(server);
        let plain = Options {
            nodelay: false,
            keepalive: None,
        };
        assert!(seen.contains(&plain), "{seen:?}");
    }
}
