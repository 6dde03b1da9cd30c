//! The runner against the simulated cluster: an effect comes back as the right `Done`, typed.

use std::collections::VecDeque;
use std::time::Duration;

use kubedeck_sim::{Kind, Scale, Sim, SimOptions};
use tokio::sync::mpsc;

use super::runner::{Channels, Internal, Runner, RunnerConfig};
use crate::app::Effect;
use crate::app::action::Watched;
use crate::app::msg::{Done, Msg};
use crate::kube::actions::{Acted, ActionError};
use crate::kube::agent::AgentPresence;
use crate::kube::client::KubeconfigSource;
use crate::kube::cluster::Cluster;
use crate::kube::credentials::ClientHandle;
use crate::kube::error::ApiError;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::informer::{Change, InformerState, InformerUpdate, ResourceKind};
use crate::kube::object_ref::ObjectRef;

/// A runner on a frozen simulator, and the ends of its channels.
struct Rig {
    sim: Sim,
    runner: Runner,
    done: mpsc::UnboundedReceiver<Msg>,
    informers: mpsc::UnboundedReceiver<InformerUpdate>,
    internal: mpsc::UnboundedReceiver<Internal>,
    _kubeconfig: tempfile::TempPath,
}

const CONTEXT: &str = "kubedeck-sim";

fn cluster() -> ClusterId {
    ClusterId::new(CONTEXT)
}

async fn rig(readonly: bool) -> Rig {
    let options = SimOptions {
        scale: Scale {
            pods: 12,
            nodes: 2,
            pipelineruns: 2,
            events: 10,
            seed: 5,
        },
        tick: None,
        ..SimOptions::default()
    };
    let sim = Sim::start(options, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let kubeconfig = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let source = KubeconfigSource::load(Some(&kubeconfig.to_path_buf())).unwrap();
    let (client, _) = source.client(CONTEXT).await.unwrap();
    let clients = ClientHandle::renewable(client, source.clone(), CONTEXT);
    let (informers_tx, informers) = mpsc::unbounded_channel();
    let (done_tx, done) = mpsc::unbounded_channel();
    let (internal_tx, internal) = mpsc::unbounded_channel();
    let (logs, _) = mpsc::channel(8);
    let (metrics, _) = mpsc::unbounded_channel();
    let (sessions, _) = mpsc::unbounded_channel();
    let first = Cluster::start_watching(
        clients,
        cluster(),
        Scope::All,
        informers_tx.clone(),
        &[ResourceKind::Pods],
        None,
    );
    let config = RunnerConfig {
        low_bandwidth: false,
        kubeconfig: source,
        cluster: first,
        others: Vec::new(),
        theme: crate::views::theme::Theme::monochrome(),
        terminal_depth: crate::views::theme::Depth::None,
        readonly,
        metrics_interval: Duration::from_secs(3600),
        step_capture: None,
        scrollback: 100,
        k9s_dirs: crate::k9s_files::Dirs::default(),
        instance: crate::kube::node_shell::Instance::load(None),
        journal: None,
        recorder: None,
    };
    let channels = Channels {
        informers: informers_tx,
        done: done_tx,
        internal: internal_tx,
        logs,
        metrics,
        sessions,
    };
    Rig {
        sim,
        runner: Runner::new(config, channels),
        done,
        informers,
        internal,
        _kubeconfig: kubeconfig,
    }
}

impl Rig {
    /// Carry out `effect`; what it said at once.
    fn run(&mut self, effect: Effect) -> Vec<Msg> {
        let mut out = VecDeque::new();
        self.runner.run(effect, &mut out);
        out.into()
    }

    /// The next message a task sends back (a closed channel or silence fails the test).
    async fn next_done(&mut self) -> Msg {
        tokio::time::timeout(Duration::from_secs(20), self.done.recv())
            .await
            .expect("no answer within 20 s")
            .expect("the done channel closed")
    }

    /// Wait for `kind` of `cluster` to report `want`.
    async fn until_state(&mut self, cluster: &ClusterId, kind: ResourceKind, want: InformerState) {
        let wait = async {
            loop {
                let u = self.informers.recv().await.expect("informers closed");
                if u.cluster == *cluster
                    && u.kind == kind
                    && u.change == Change::State(want.clone())
                {
                    return;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), wait)
            .await
            .expect("the state did not come");
    }

    fn a_pod(&self) -> ObjectRef {
        let pods = self.sim.store().snapshot(Kind::Pod).items;
        let p = pods.first().expect("a pod");
        let meta = &p["metadata"];
        ObjectRef::new(
            &cluster(),
            ResourceKind::Pods,
            meta["namespace"].as_str().unwrap(),
            meta["name"].as_str().unwrap(),
        )
    }
}

#[tokio::test]
async fn a_fetch_comes_back_as_the_object_it_named() {
    let mut rig = rig(false).await;
    let pod = rig.a_pod();
    assert!(rig.run(Effect::FetchYaml(pod.clone())).is_empty());
    match rig.next_done().await {
        Msg::Done(Done::Yaml(obj, Ok(v))) => {
            assert_eq!(obj, pod);
            assert_eq!(v["metadata"]["name"], pod.name.as_str());
        }
        other => panic!("{other:?}"),
    }
    rig.run(Effect::FetchPod(pod.clone()));
    match rig.next_done().await {
        Msg::Done(Done::Pod(obj, Ok(p))) => {
            assert_eq!(obj, pod);
            assert_eq!(p.metadata.name.as_deref(), Some(pod.name.as_str()));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_delete_is_typed_and_a_missing_object_is_a_404() {
    let mut rig = rig(false).await;
    let pod = rig.a_pod();
    rig.run(Effect::Delete(pod.clone()));
    match rig.next_done().await {
        Msg::Done(Done::Action(Ok(Acted::Deleted(obj)))) => assert_eq!(obj, pod),
        other => panic!("{other:?}"),
    }
    let gone = ObjectRef::new(&cluster(), ResourceKind::Pods, "demo", "no-such-pod");
    rig.run(Effect::FetchYaml(gone));
    match rig.next_done().await {
        Msg::Done(Done::Yaml(_, Err(ActionError::Api(ApiError::NotFound(_))))) => {}
        other => panic!("a 404 stays a 404: {other:?}"),
    }
}

/// On a silent path (a dropped VPN: nothing answers, nothing closes) a request is not left
/// waiting for the client's read timeout: a read in flight says the connection is lost, a
/// change is not sent, and a change sent before the silence says its outcome is not known. A
/// read asked while the path is silent is made once it is back.
#[tokio::test]
async fn a_silent_path_ends_requests_and_says_what_is_not_known() {
    let mut rig = rig(false).await;
    let pod = rig.a_pod();
    rig.runner.cluster.retry.path_changed(true);
    rig.run(Effect::FetchYaml(pod.clone()));
    rig.run(Effect::Delete(pod.clone()));
    match rig.next_done().await {
        Msg::Done(Done::Action(Err(ActionError::Api(ApiError::Lost)))) => {}
        other => panic!("{other:?}"),
    }
    let still = rig
        .sim
        .store()
        .get(Kind::Pod, &(pod.namespace.clone(), pod.name.clone()));
    assert!(
        still.is_some_and(|p| p["metadata"]["deletionTimestamp"].is_null()),
        "nothing was sent"
    );
    // Nor is an edit's fetch: an editor opening minutes after the key would surprise.
    rig.run(Effect::PrepareEdit(pod.clone()));
    match rig.next_done().await {
        Msg::Done(Done::EditReady(Err(ActionError::Api(ApiError::Lost)))) => {}
        other => panic!("{other:?}"),
    }
    // The read asked while silent is answered once the path is back.
    rig.runner.cluster.retry.path_changed(false);
    match rig.next_done().await {
        Msg::Done(Done::Yaml(obj, Ok(_))) => assert_eq!(obj, pod),
        other => panic!("{other:?}"),
    }

    // An apiserver that answers slowly: a read and a cordon leave, then the path goes silent.
    rig.sim.faults().set_latency(Duration::from_secs(60));
    rig.run(Effect::FetchYaml(pod.clone()));
    tokio::task::yield_now().await;
    rig.runner.cluster.retry.path_changed(true);
    match rig.next_done().await {
        Msg::Done(Done::Yaml(obj, Err(ActionError::Api(ApiError::Lost)))) => assert_eq!(obj, pod),
        other => panic!("{other:?}"),
    }
    rig.runner.cluster.retry.path_changed(false);
    let node = ObjectRef::new(&cluster(), ResourceKind::Nodes, "", "worker-01");
    rig.run(Effect::Cordon(node, true));
    // This runtime has one thread: the cordon's task runs (and asks) before this one goes on.
    tokio::task::yield_now().await;
    rig.runner.cluster.retry.path_changed(true);
    match rig.next_done().await {
        Msg::Done(Done::Action(Err(ActionError::OutcomeUnknown))) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn read_only_refuses_a_change_before_it_leaves() {
    let mut rig = rig(true).await;
    let pod = rig.a_pod();
    let said = rig.run(Effect::Delete(pod.clone()));
    assert!(
        matches!(
            &said[..],
            [Msg::Done(Done::Action(Err(ActionError::ReadOnly)))]
        ),
        "{said:?}"
    );
    let still = rig
        .sim
        .store()
        .get(Kind::Pod, &(pod.namespace.clone(), pod.name.clone()));
    assert!(still.is_some_and(|p| p["metadata"]["deletionTimestamp"].is_null()));
}

#[tokio::test]
async fn a_cluster_without_a_client_is_said_for_every_kind_of_effect() {
    let mut rig = rig(false).await;
    let elsewhere = ClusterId::new("elsewhere");
    let not_connected = ApiError::NotConnected(elsewhere.clone());
    let obj = ObjectRef::new(&elsewhere, ResourceKind::Pods, "demo", "web");
    let said = rig.run(Effect::FetchYaml(obj.clone()));
    assert!(
        matches!(&said[..], [Msg::Done(Done::Yaml(o, Err(ActionError::Api(e))))] if *o == obj && *e == not_connected),
        "{said:?}"
    );
    let said = rig.run(Effect::Discover(elsewhere.clone()));
    assert!(
        matches!(&said[..], [Msg::Done(Done::Discovered(c, Err(e)))] if *c == elsewhere && *e == not_connected),
        "{said:?}"
    );
    // The agent check said nothing before: now it says it cannot tell, and why.
    let said = rig.run(Effect::CheckAgent(elsewhere.clone()));
    assert!(
        matches!(&said[..], [Msg::Done(Done::Agent(c, AgentPresence::Unknown(e)))] if *c == elsewhere && *e == not_connected),
        "{said:?}"
    );
    let said = rig.run(Effect::LoadBudgets(elsewhere.clone()));
    assert!(
        matches!(&said[..], [Msg::Done(Done::Budgets(c, Err(e)))] if *c == elsewhere && *e == not_connected),
        "{said:?}"
    );
    let said = rig.run(Effect::Scale(obj, 3));
    assert!(
        matches!(&said[..], [Msg::Done(Done::Action(Err(ActionError::Api(e))))] if *e == not_connected),
        "{said:?}"
    );
}

#[tokio::test]
async fn discovery_and_the_agent_check_answer_for_their_cluster() {
    let mut rig = rig(false).await;
    rig.run(Effect::Discover(cluster()));
    match rig.next_done().await {
        Msg::Done(Done::Discovered(c, Ok(catalog))) => {
            assert_eq!(c, cluster());
            assert!(catalog.resolve("deploy").is_ok());
        }
        other => panic!("{other:?}"),
    }
    rig.run(Effect::CheckAgent(cluster()));
    match rig.next_done().await {
        Msg::Done(Done::Agent(c, AgentPresence::Absent)) => assert_eq!(c, cluster()),
        other => panic!("no agent installed yet: {other:?}"),
    }
    rig.sim.install_agent();
    rig.run(Effect::CheckAgent(cluster()));
    match rig.next_done().await {
        Msg::Done(Done::Agent(_, AgentPresence::Installed { ready, .. })) => assert_eq!(ready, 2),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_cordon_and_a_scale_say_what_they_did() {
    let mut rig = rig(false).await;
    let node = ObjectRef::new(&cluster(), ResourceKind::Nodes, "", "worker-01");
    rig.run(Effect::Cordon(node, true));
    match rig.next_done().await {
        Msg::Done(Done::Action(Ok(Acted::Cordoned { node, on: true }))) => {
            assert_eq!(node, "worker-01");
        }
        other => panic!("{other:?}"),
    }
    let n = rig
        .sim
        .store()
        .get(Kind::Node, &(String::new(), "worker-01".into()))
        .expect("node");
    assert_eq!(n["spec"]["unschedulable"], true);
    // A scale of something discovery never found: said as such, not as text.
    let unknown = ObjectRef::new(&cluster(), ResourceKind::Generic, "demo", "web");
    rig.run(Effect::Scale(unknown, 2));
    match rig.next_done().await {
        Msg::Done(Done::Action(Err(ActionError::UnknownResource(label)))) => {
            assert!(label.contains("web"), "{label}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_connect_starts_the_informers_update_chose() {
    let mut rig = rig(false).await;
    rig.until_state(&cluster(), ResourceKind::Pods, InformerState::Live)
        .await;
    rig.run(Effect::Connect(vec![Watched {
        cluster: cluster(),
        scope: Scope::Namespace("demo".into()),
        kinds: vec![ResourceKind::Nodes],
    }]));
    rig.until_state(&cluster(), ResourceKind::Nodes, InformerState::Live)
        .await;
    assert_eq!(rig.runner.cluster.scope, Scope::Namespace("demo".into()));
    assert!(rig.runner.cluster.stores.count(ResourceKind::Nodes) > 0);
}

#[tokio::test]
async fn a_context_switch_hands_back_each_namespace() {
    let mut rig = rig(false).await;
    rig.run(Effect::SwitchContext(vec![
        cluster(),
        ClusterId::new("nosuch"),
    ]));
    let internal = tokio::time::timeout(Duration::from_secs(20), rig.internal.recv())
        .await
        .expect("no clients")
        .expect("internal closed");
    match rig.runner.client_ready(internal) {
        Msg::Done(Done::Context(answers)) => {
            assert_eq!(answers.len(), 2);
            assert!(matches!(&answers[0], (c, Ok(ns)) if *c == cluster() && ns == "default"));
            assert!(matches!(&answers[1], (c, Err(_)) if c.context() == "nosuch"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_taskruns_of_a_run_wait_for_tekton_and_say_so() {
    let mut rig = rig(false).await;
    // Tekton is discovered by the PipelineRuns informer, which this rig does not start.
    let run = ObjectRef::new(&cluster(), ResourceKind::PipelineRuns, "ci", "build-1");
    let said = rig.run(Effect::WatchTaskRuns(Some(run.clone())));
    assert!(
        matches!(&said[..], [Msg::Done(Done::NoTekton(r)), Msg::Informer(u)] if *r == run && u.kind == ResourceKind::TaskRuns),
        "{said:?}"
    );
}

#[tokio::test]
async fn a_stopped_taskruns_watch_is_cleared() {
    let mut rig = rig(false).await;
    let said = rig.run(Effect::WatchTaskRuns(None));
    assert!(
        matches!(&said[..], [Msg::Informer(u)] if u.kind == ResourceKind::TaskRuns
            && u.change == Change::State(InformerState::NotWatched)),
        "{said:?}"
    );
    assert!(rig.runner.cluster.stores.taskruns.is_none());
}

mod local_tests;
