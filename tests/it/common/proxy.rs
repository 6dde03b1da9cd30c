//! A TCP proxy on loopback that can go silent: what a VPN that drops, or a jump host whose NAT
//! forgets the flow, does to kubedeck's connections. While [`SilentProxy::blackhole`] is on,
//! nothing is forwarded either way and nothing is closed: the connections open then, and those
//! that carried anything meanwhile, stay dead for good (their flow is forgotten), as do new
//! connections accepted meanwhile. After [`SilentProxy::restore`], new connections work.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct SilentProxy {
    pub addr: SocketAddr,
    blackhole: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SilentProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copy `from` to `to` until either ends, or forever without forwarding once `blackhole` was
/// seen on (the flow is dead: bytes read are dropped, nothing is closed).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    blackhole: Arc<AtomicBool>,
    dead: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if blackhole.load(Ordering::SeqCst) {
            dead.store(true, Ordering::SeqCst);
        }
        if dead.load(Ordering::SeqCst) {
            continue;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    if !dead.load(Ordering::SeqCst) {
        let _ = to.shutdown().await;
    } else {
        // Never close a dead flow: hold the write half until the test ends.
        std::future::pending::<()>().await;
    }
}

impl SilentProxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let blackhole = Arc::new(AtomicBool::new(false));
        let flag = blackhole.clone();
        let task = tokio::spawn(async move {
            let mut flows = tokio::task::JoinSet::new();
            while let Ok((client, _)) = listener.accept().await {
                let flag = flag.clone();
                // A connection accepted while silent is dead from the start.
                let dead = Arc::new(AtomicBool::new(flag.load(Ordering::SeqCst)));
                flows.spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    tokio::join!(
                        pump(cr, sw, flag.clone(), dead.clone()),
                        pump(sr, cw, flag, dead),
                    );
                });
            }
        });
        Self {
            addr,
            blackhole,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A copy of the simulator's `kubeconfig` (its server `sim_url`) that reaches it through
    /// this proxy, removed when dropped.
    pub fn kubeconfig_for(
        &self,
        kubeconfig: &std::path::Path,
        sim_url: &str,
    ) -> tempfile::TempPath {
        let copy = tempfile::NamedTempFile::new()
            .expect("a temporary kubeconfig")
            .into_temp_path();
        let text = std::fs::read_to_string(kubeconfig).expect("the simulator's kubeconfig");
        std::fs::write(&copy, text.replace(sim_url, &self.url())).expect("the kubeconfig written");
        copy
    }

    /// Stop forwarding, closing nothing.
    pub fn blackhole(&self) {
        self.blackhole.store(true, Ordering::SeqCst);
    }

    /// New connections work again (the dead ones stay dead).
    pub fn restore(&self) {
        self.blackhole.store(false, Ordering::SeqCst);
    }
}
