//! kubedeck-sim, the simulated cluster: a real HTTP server on 127.0.0.1 speaking the
//! Kubernetes wire protocol, backed by a deterministic, living world. Used by kubedeck's
//! `--demo` and `kubedeck sim` (through its default `demo` feature), its tests and its
//! benchmarks. It never imports kubedeck: it prints, ages and counts with its own code, written
//! from Kubernetes' rules, so it checks the product instead of echoing it.

mod age;
mod agent;
mod debug;
mod denied;
mod endpoints;
mod events;
mod exec;
pub mod faults;
mod field_validation;
mod helm_seed;
mod http;
pub(crate) mod kinds_seed;
mod kubelet;
mod logs;
mod metrics;
pub mod model;
mod openapi;
pub mod owners;
pub mod pod_printer;
pub mod pod_security;
mod pod_update;
mod portforward;
pub mod printers;
mod procs;
mod quantity;
pub mod rbac;
pub mod resources;
mod revisions;
mod rollout;
mod route;
mod scenario;
mod seed;
mod selector;
mod spdy;
pub mod store;
mod strategic;
pub mod table;

mod workload_update;
pub mod world;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

pub use faults::Faults;
pub use logs::LogQuery;
pub use resources::Kind;
use store::Key;
pub use store::Store;
pub use world::Scale;

use events::EventLog;
use world::World;

/// How to run the simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub scale: Scale,
    /// How often the scenario moves by itself; `None` leaves it to `step` (tests).
    pub tick: Option<Duration>,
    /// Bearer token clients must present; `None` accepts anyone.
    pub token: Option<String>,
    /// Changes kept for watch resumption; older resourceVersions get 410 Gone.
    pub history: usize,
    pub bookmark_every: Duration,
    /// Cap on pod deletion grace periods, so deletes finish promptly in a demo.
    pub max_grace: Duration,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            scale: Scale::default(),
            tick: Some(Duration::from_secs(1)),
            token: Some("kubedeck-sim-token".into()),
            history: 200_000,
            bookmark_every: Duration::from_secs(5),
            max_grace: Duration::from_secs(3),
        }
    }
}

#[derive(Debug)]
pub enum Ctrl {
    /// Stop serving for `downtime`, then serve again; with `restore`, from the store's
    /// checkpoint (an etcd restore: objects and resourceVersions go back).
    Restart { downtime: Duration, restore: bool },
}

/// What every request handler shares.
pub struct Shared {
    pub store: Store,
    pub faults: Faults,
    world: Mutex<World>,
    events: Mutex<EventLog>,
    /// Responses sent gzipped (large lists to clients that accept it).
    gzipped: std::sync::atomic::AtomicU64,
    /// API requests served (the `/_sim/` endpoints not counted), and how many were watches:
    /// what a client costs the apiserver at rest.
    requests: std::sync::atomic::AtomicU64,
    watches: std::sync::atomic::AtomicU64,
    /// Exec and attach streams connected now (a client that detaches closes its own).
    open_streams: std::sync::atomic::AtomicUsize,
    /// The bearer token accepted now (rotated by `/_sim/token`).
    token: RwLock<Option<String>>,
    /// Who every request is authenticated as (an administrator unless a test says otherwise).
    identity: RwLock<rbac::Identity>,
    bookmark_every: Duration,
    max_grace: Duration,
    addr: OnceLock<SocketAddr>,
    /// Scratch directories of the containers' stand-in processes (removed on drop).
    scratch: tempfile::TempDir,
    /// Processes attach reaches, by (namespace, pod) and container.
    procs: Mutex<HashMap<(Key, String), Arc<procs::Proc>>>,
    /// Fake containers the agent's joins reach, by container ID hex.
    agent_targets: Mutex<HashMap<String, kubedeck_agent::testbed::FakeContainer>>,
    /// Fake nodes the agent's host sessions reach, by node name, with their init's PID.
    agent_nodes: Mutex<HashMap<String, (kubedeck_agent::testbed::FakeContainer, u32)>>,
    ctrl: OnceLock<mpsc::UnboundedSender<(Ctrl, Option<oneshot::Sender<()>>)>>,
}

/// One connected exec or attach stream, counted while it lives.
pub(crate) struct OpenStream(Arc<Shared>);

impl OpenStream {
    pub(crate) fn new(shared: &Arc<Shared>) -> Self {
        shared
            .open_streams
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self(shared.clone())
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0
            .open_streams
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Shared {
    /// Count an API request (a watch too when `watch`).
    pub(crate) fn count_request(&self, watch: bool) {
        use std::sync::atomic::Ordering::Relaxed;
        self.requests.fetch_add(1, Relaxed);
        if watch {
            self.watches.fetch_add(1, Relaxed);
        }
    }

    pub(crate) fn requests_served(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.requests.load(Relaxed), self.watches.load(Relaxed))
    }

    fn token(&self) -> Option<String> {
        self.token.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn identity(&self) -> rbac::Identity {
        self.identity
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether the current identity may do `a`, by the stored RBAC objects.
    fn authorize(&self, a: &rbac::Attributes<'_>) -> bool {
        rbac::authorize(&self.store, &self.identity(), a).allowed
    }

    fn set_token(&self, token: Option<&str>) {
        *self.token.write().unwrap_or_else(|e| e.into_inner()) = token.map(str::to_string);
    }

    fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn install_agent(&self) {
        let mut w = self.world();
        let now = w.now;
        agent::install(&self.store, now, || w.n());
        let key = (
            kubedeck_agent::contract::NAMESPACE.to_string(),
            kubedeck_agent::contract::NAME.to_string(),
        );
        revisions::record(&self.store, Kind::DaemonSet, &key, now);
    }

    /// A fake container for the target of an agent `join` command line, unless one runs
    /// already (needs root; see `agent`). Blocks while it starts.
    fn agent_target(&self, command: &[String]) {
        let Some(target) = agent::join_target(command) else {
            return;
        };
        let mut targets = self.agent_targets.lock().unwrap_or_else(|e| e.into_inner());
        if targets.contains_key(&target.id.hex) {
            return;
        }
        // The target pod's own IP on the fake container's interface.
        let key = (target.namespace.clone(), target.pod.clone());
        let address = self
            .store
            .get(Kind::Pod, &key)
            .and_then(|p| p["status"]["podIP"].as_str().map(|ip| format!("{ip}/24")))
            .unwrap_or_else(|| "10.77.0.1/24".into());
        if let Some(container) = agent::fake_container(self.scratch.path(), &target, &address) {
            targets.insert(target.id.hex.clone(), container);
        }
    }

    /// The PID of a fake node's init for an agent `host` command line, started unless it
    /// runs already (needs root; see `agent`). Blocks while it starts.
    fn agent_node(&self, command: &[String]) -> Option<u32> {
        let node = agent::host_node(command)?;
        let mut nodes = self.agent_nodes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, pid)) = nodes.get(&node) {
            return Some(*pid);
        }
        let address = format!("{}/24", kubelet::node_ip(&self.store, &node));
        let (container, pid) = agent::fake_node(self.scratch.path(), &node, &address)?;
        nodes.insert(node, (container, pid));
        Some(pid)
    }

    fn events(&self) -> MutexGuard<'_, EventLog> {
        self.events.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn scratch(&self) -> &Path {
        self.scratch.path()
    }

    fn process(&self, key: &Key, container: &str) -> Option<Arc<procs::Proc>> {
        let procs = self.procs.lock().unwrap_or_else(|e| e.into_inner());
        procs
            .get(&(key.clone(), container.to_string()))
            .filter(|p| p.exit_code().is_none())
            .cloned()
    }

    /// Stop every process of a pod (it is being deleted).
    fn kill_processes(&self, pod: &Key) {
        let procs = self.procs.lock().unwrap_or_else(|e| e.into_inner());
        for ((key, _), p) in procs.iter() {
            if key == pod {
                p.kill();
            }
        }
    }

    fn register_process(&self, key: &Key, container: &str, proc: Arc<procs::Proc>) {
        let mut procs = self.procs.lock().unwrap_or_else(|e| e.into_inner());
        procs.retain(|_, p| p.exit_code().is_none());
        procs.insert((key.clone(), container.to_string()), proc);
    }

    fn container_process(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        tty: bool,
    ) -> Result<Arc<procs::Proc>, String> {
        debug::container_process(self, &(namespace.into(), pod.into()), container, tty)
    }

    fn addr_text(&self) -> String {
        self.addr.get().map(ToString::to_string).unwrap_or_default()
    }

    /// Advance the scenario `n` ticks now.
    fn step(&self, n: u64) {
        let mut w = self.world();
        let mut ev = self.events.lock().unwrap_or_else(|e| e.into_inner());
        for _ in 0..n {
            scenario::step(&mut w, &self.store, &mut ev, Timestamp::now());
        }
    }

    /// Let the scenario's controllers react to an object a client wrote.
    fn react(self: &Arc<Self>, kind: Kind, key: &(String, String)) {
        if kind == Kind::Pod
            && let Some(pod) = self.store.get(Kind::Pod, key)
            && kubelet::takes(&self.store, &pod)
        {
            // The kubelet starts it a moment after it is bound, as a watch then sees.
            let (sim, key) = (self.clone(), key.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let Some(pod) = sim.store.get(Kind::Pod, &key) else {
                    return;
                };
                if !kubelet::takes(&sim.store, &pod) {
                    return;
                }
                let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
                let ip = kubelet::node_ip(&sim.store, node);
                let (n, now) = {
                    let mut w = sim.world();
                    (w.n(), w.now)
                };
                sim.store
                    .put(Kind::Pod, kubelet::started(&pod, &ip, now, n));
            });
        }
        if kind == Kind::Deployment && rollout::react(&self.store, key) {
            let mut w = self.world();
            if !w.rollouts.contains(key) {
                w.rollouts.push(key.clone());
            }
        }
        if matches!(kind, Kind::StatefulSet | Kind::DaemonSet) {
            let now = self.world().now;
            revisions::record(&self.store, kind, key, now);
        }
        if kind == Kind::PipelineRun {
            let mut w = self.world();
            let mut ev = self.events.lock().unwrap_or_else(|e| e.into_inner());
            scenario::react_to_pipelinerun(&mut w, &self.store, &mut ev, key);
        }
    }

    fn control(&self, c: Ctrl) {
        if let Some(tx) = self.ctrl.get() {
            let _ = tx.send((c, None));
        }
    }
}

pub fn version_info() -> Value {
    json!({
        "major": "1", "minor": "36", "emulationMajor": "1", "emulationMinor": "36",
        "minCompatibilityMajor": "1", "minCompatibilityMinor": "35",
        "gitVersion": "v1.36.2-kubedeck-sim", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2026-11-22T00:00:00Z", "goVersion": "go1.26.6",
        "compiler": "gc", "platform": "linux/amd64",
    })
}

/// A running simulator. Dropping it stops the server.
pub struct Sim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    ctrl: mpsc::UnboundedSender<(Ctrl, Option<oneshot::Sender<()>>)>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot create the simulator's scratch directory: {0}")]
    Scratch(std::io::Error),
    #[error("cannot write kubeconfig {path}: {source}")]
    Kubeconfig {
        path: String,
        source: std::io::Error,
    },
}

fn router(shared: Arc<Shared>) -> axum::Router {
    use axum::routing::any;
    axum::Router::new()
        .route(
            "/api/v1/namespaces/{namespace}/pods/{name}/exec",
            any(exec::exec),
        )
        .route(
            "/api/v1/namespaces/{namespace}/pods/{name}/attach",
            any(exec::attach),
        )
        .route(
            "/api/v1/namespaces/{namespace}/pods/{name}/portforward",
            any(portforward::portforward),
        )
        .fallback(http::handle)
        .with_state(shared)
}

impl Sim {
    /// Seed the world and start serving on `listen` (port 0 picks a free one).
    pub async fn start(opts: SimOptions, listen: SocketAddr) -> Result<Self, SimError> {
        let store = Store::new(opts.history);
        let mut events = EventLog::default();
        let world = seed::seed(&opts.scale, &store, &mut events, Timestamp::now());
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| SimError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: listen,
            source,
        })?;
        let (ctrl, ctrl_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            store,
            faults: Faults::default(),
            world: Mutex::new(world),
            events: Mutex::new(events),
            token: RwLock::new(opts.token.clone()),
            identity: RwLock::new(rbac::Identity::admin()),
            gzipped: std::sync::atomic::AtomicU64::new(0),
            requests: std::sync::atomic::AtomicU64::new(0),
            watches: std::sync::atomic::AtomicU64::new(0),
            open_streams: std::sync::atomic::AtomicUsize::new(0),
            bookmark_every: opts.bookmark_every,
            max_grace: opts.max_grace,
            addr: OnceLock::new(),
            scratch: tempfile::Builder::new()
                .prefix("kubedeck-sim-")
                .tempdir()
                .map_err(SimError::Scratch)?,
            procs: Mutex::new(HashMap::new()),
            agent_targets: Mutex::new(HashMap::new()),
            agent_nodes: Mutex::new(HashMap::new()),
            ctrl: OnceLock::new(),
        });
        let _ = shared.addr.set(addr);
        let _ = shared.ctrl.set(ctrl.clone());
        let mut tasks = vec![tokio::spawn(serve_loop(
            shared.clone(),
            listener,
            addr,
            ctrl_rx,
        ))];
        tasks.push(tokio::spawn(kubelet::churn(shared.clone())));
        if let Some(tick) = opts.tick {
            let s = shared.clone();
            tasks.push(tokio::spawn(async move {
                let mut every = tokio::time::interval(tick);
                every.tick().await;
                loop {
                    every.tick().await;
                    s.step(1);
                }
            }));
        }
        Ok(Self {
            shared,
            addr,
            ctrl,
            tasks,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// The session log of the agent pods' execs (one run directory per agent pod), joined.
    pub fn agent_session_log(&self) -> String {
        let agents = self.shared.store.snapshot(Kind::Pod).items;
        agents
            .iter()
            .filter(|p| agent::is_agent_pod(p))
            .filter_map(|p| p["metadata"]["name"].as_str())
            .map(|name| {
                procs::scratch(
                    self.shared.scratch(),
                    kubedeck_agent::contract::NAMESPACE,
                    name,
                    kubedeck_agent::contract::CONTAINER,
                )
                .join("run/sessions.log")
            })
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .collect()
    }

    /// Install the node agent (namespace, DaemonSet, a pod per node), as `kubedeck agent
    /// install` would on a real cluster.
    pub fn install_agent(&self) {
        self.shared.install_agent();
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Move the scenario `n` ticks forward now.
    pub fn step(&self, n: u64) {
        self.shared.step(n);
    }

    /// Stop serving (closing every connection), stay down for `downtime`, then serve again on the
    /// same address with the same objects and resourceVersions.
    pub async fn restart(&self, downtime: Duration) {
        self.control_and_wait(Ctrl::Restart {
            downtime,
            restore: false,
        })
        .await;
    }

    /// As [`Sim::restart`], coming back from the store's checkpoint (`store().checkpoint()`):
    /// a new apiserver on a restored etcd, whose resourceVersions went backwards.
    pub async fn restart_restored(&self, downtime: Duration) {
        self.control_and_wait(Ctrl::Restart {
            downtime,
            restore: true,
        })
        .await;
    }

    /// How many exec and attach streams are connected now.
    pub fn open_streams(&self) -> usize {
        self.shared
            .open_streams
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// API requests served so far, and how many of them were watches (`/_sim/requests` says
    /// the same over HTTP).
    pub fn requests_served(&self) -> (u64, u64) {
        self.shared.requests_served()
    }

    /// How many responses went out gzipped.
    pub fn gzipped_responses(&self) -> u64 {
        self.shared
            .gzipped
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Start a restart and return at once (a test watches the screen while it is down).
    pub fn begin_restart(&self, downtime: Duration, restore: bool) {
        let _ = self.ctrl.send((Ctrl::Restart { downtime, restore }, None));
    }

    async fn control_and_wait(&self, ctrl: Ctrl) {
        let (done_tx, done_rx) = oneshot::channel();
        if self.ctrl.send((ctrl, Some(done_tx))).is_ok() {
            let _ = done_rx.await;
        }
    }

    /// Authenticate every request as `who` from now on: what it may do is what the stored
    /// (Cluster)RoleBindings give it, as a narrow-RBAC user on a real cluster.
    pub fn act_as(&self, who: rbac::Identity) {
        *self
            .shared
            .identity
            .write()
            .unwrap_or_else(|e| e.into_inner()) = who;
    }

    /// Accept only `token` from now on (`None`: anyone), as when a token expires or is
    /// revoked and a new one issued.
    pub fn set_token(&self, token: Option<&str>) {
        self.shared.set_token(token);
    }

    /// A kubeconfig (JSON, which is valid YAML) for this simulator.
    pub fn kubeconfig(&self) -> Value {
        kubeconfig_of(&[("kubedeck-sim", self)])
    }

    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), SimError> {
        let text = serde_json::to_string_pretty(&self.kubeconfig()).unwrap_or_default();
        std::fs::write(path, text).map_err(|source| SimError::Kubeconfig {
            path: path.display().to_string(),
            source,
        })
    }
}

/// One kubeconfig reaching several simulators, a context (and cluster and user) per name;
/// the first is the current context.
pub fn kubeconfig_of(sims: &[(&str, &Sim)]) -> Value {
    let mut clusters = Vec::new();
    let mut users = Vec::new();
    let mut contexts = Vec::new();
    for (name, sim) in sims {
        let mut user = json!({});
        if let Some(t) = sim.shared.token() {
            user["token"] = json!(t);
        }
        let user_name = format!("{name}-admin");
        clusters.push(json!({"name": name, "cluster": {"server": sim.url()}}));
        users.push(json!({"name": user_name, "user": user}));
        contexts.push(json!({"name": name, "context": {"cluster": name, "user": user_name, "namespace": "default"}}));
    }
    json!({
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": clusters,
        "users": users,
        "contexts": contexts,
        "current-context": sims.first().map_or("", |(n, _)| n),
    })
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.shared.faults.drop_all_watches();
        let procs = self.shared.procs.lock().unwrap_or_else(|e| e.into_inner());
        for p in procs.values() {
            p.kill();
        }
        for t in &self.tasks {
            t.abort();
        }
        self.shared
            .agent_targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// `listener` with Nagle's algorithm off on every connection it accepts, as a real apiserver
/// has it (Go sets `TCP_NODELAY` on every TCP connection). With Nagle on, a watch event written
/// while the one before was not yet acknowledged waited for the client's delayed ACK (40 ms on
/// Linux): under a storm, a change in every few reached the client 40 ms late, kubectl's as
/// much as kubedeck's.
fn without_nagle(
    listener: TcpListener,
) -> axum::serve::TapIo<TcpListener, impl FnMut(&mut tokio::net::TcpStream) + Send + 'static> {
    use axum::serve::ListenerExt;
    listener.tap_io(|conn| {
        // A connection whose option cannot be set is served anyway (only slower).
        let _ = conn.set_nodelay(true);
    })
}

async fn serve_loop(
    shared: Arc<Shared>,
    first: TcpListener,
    addr: SocketAddr,
    mut ctrl: mpsc::UnboundedReceiver<(Ctrl, Option<oneshot::Sender<()>>)>,
) {
    let mut listener = Some(first);
    // Who awaits the end of a restart: told once the listener is back.
    let mut restarted: Option<oneshot::Sender<()>> = None;
    loop {
        let l = match listener.take() {
            Some(l) => l,
            None => match TcpListener::bind(addr).await {
                Ok(l) => l,
                Err(_) => {
                    // The port may linger briefly after a restart; try again.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        if let Some(done) = restarted.take() {
            let _ = done.send(());
        }
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let server =
            axum::serve(without_nagle(l), router(shared.clone())).with_graceful_shutdown(async {
                let _ = stop_rx.await;
            });
        let mut server = tokio::spawn(async move {
            let _ = server.await;
        });
        let msg = tokio::select! {
            _ = &mut server => return,
            msg = ctrl.recv() => msg,
        };
        let Some((Ctrl::Restart { downtime, restore }, done)) = msg else {
            server.abort();
            return;
        };
        // Cut streams so the graceful shutdown can finish, then give up waiting after a moment.
        // Upgraded connections (exec, attach, port-forward) are not the server's to wait
        // for: they are cut too, as a restarting apiserver's are.
        shared.faults.drop_all_watches();
        shared.faults.restarted();
        let _ = stop_tx.send(());
        if tokio::time::timeout(Duration::from_secs(2), &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
        if restore {
            shared.store.restore();
        }
        // A watch a client opened on a kept-alive connection while the server was shutting
        // down would outlive the restart (connections are not the serving task's to abort) and
        // never see the restore: cut those too.
        shared.faults.drop_all_watches();
        tokio::time::sleep(downtime).await;
        restarted = done;
    }
}

#[cfg(test)]
mod nagle_tests {
    use super::*;
    use axum::serve::Listener;

    #[tokio::test]
    async fn connections_are_served_without_nagle() {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("an address");
        let mut listener = without_nagle(listener);
        let _client = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let (conn, _) = listener.accept().await;
        assert!(conn.nodelay().expect("read TCP_NODELAY"));
    }
}
