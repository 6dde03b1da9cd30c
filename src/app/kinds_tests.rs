//! `:KIND`, `:api-resources`, the resource view's describe and its actions (scale, restart,
//! delete), through `update` as a user drives them, on the shared fixture and the real
//! cluster's discovery and Tables.
#![allow(clippy::unwrap_used)]
use super::action::Effect;
use super::state::{App, View};
use crate::app::detail::DetailKind;
use crate::app::fixture::{app, cluster};
use crate::app::msg::{Done, Msg};
use crate::app::projection::Projection;
use crate::app::update::{on_action, update};
use crate::app::{Action, Mode};
use crate::kube::cluster::Stores;
use crate::kube::discovery::real_catalog;
use crate::kube::server_table::{TableStore, WireTable};

fn discovered(a: &mut App) -> Vec<Effect> {
    update(
        a,
        Msg::Done(Done::Discovered(cluster(), Ok(real_catalog()))),
    )
}

fn type_command(a: &mut App, line: &str) -> Vec<Effect> {
    a.prompt.mode = Mode::Command;
    a.prompt.input = line.to_string();
    on_action(a, Action::Submit)
}

fn watched(effects: &[Effect]) -> Option<(String, Option<String>)> {
    effects.iter().find_map(|e| match e {
        Effect::WatchResource(Some(s)) => Some((s.api.qualified(), s.namespace.clone())),
        _ => None,
    })
}

#[test]
fn a_kind_waits_for_discovery_then_opens_and_is_watched() {
    let mut a = app();
    let effects = type_command(&mut a, "deploy demo");
    assert_eq!(effects, vec![Effect::Discover(cluster())]);
    assert_ne!(a.view, View::Resource);
    let effects = discovered(&mut a);
    assert_eq!(
        watched(&effects),
        Some(("deployments.apps".into(), Some("demo".into())))
    );
    assert_eq!(a.view, View::Resource);
    assert_eq!(
        a.breadcrumb().last().map(String::as_str),
        Some("deployments demo")
    );
    // Known now: the next kind opens at once.
    let effects = type_command(&mut a, "svc");
    assert_eq!(watched(&effects), Some(("services".into(), None)));
}

#[test]
fn an_unknown_name_asks_again_before_saying_so() {
    let mut a = app();
    discovered(&mut a);
    let effects = type_command(&mut a, "certificates.cert-manager.io");
    assert_eq!(effects, vec![Effect::Discover(cluster())]);
    let effects = discovered(&mut a);
    assert!(watched(&effects).is_none());
    let text = crate::app::update_tests::said(&a);
    assert!(text.contains("doesn't have a resource type"), "{text}");
}

#[test]
fn back_returns_to_the_previous_kind_and_watches_it_again() {
    let mut a = app();
    discovered(&mut a);
    type_command(&mut a, "deploy");
    type_command(&mut a, "cm kube-system");
    let effects = on_action(&mut a, Action::Back);
    assert_eq!(watched(&effects), Some(("deployments.apps".into(), None)));
    assert_eq!(
        a.resource.as_ref().map(|r| r.api.plural.as_str()),
        Some("deployments")
    );
    // Leaving the resource view for another view stops nothing it does not own.
    let effects = on_action(&mut a, Action::Back);
    assert!(watched(&effects).is_none());
    assert_ne!(a.view, View::Resource);
}

#[test]
fn tab_completes_commands_and_kinds() {
    let mut a = app();
    discovered(&mut a);
    a.prompt.mode = Mode::Command;
    a.prompt.input = "cronj".into();
    on_action(&mut a, Action::Complete);
    assert_eq!(a.prompt.input, "cronjobs");
    a.prompt.input = "api-r".into();
    on_action(&mut a, Action::Complete);
    assert_eq!(a.prompt.input, "api-resources ");
    a.prompt.input = "zzz".into();
    on_action(&mut a, Action::Complete);
    assert_eq!(a.prompt.input, "zzz");
}

/// A file of the real cluster's `kinds` fixtures, as JSON.
fn fixture(name: &str) -> serde_json::Value {
    let path = format!(
        "{}/tests/fixtures/real-cluster/kinds/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The real cluster's Table of `kind`, read.
fn page(kind: &str) -> crate::kube::server_table::Page {
    let t: WireTable = serde_json::from_value(fixture(&format!("{kind}.table.json"))).unwrap();
    t.read()
}

/// A store listed with `page`.
fn store_of(page: crate::kube::server_table::Page) -> TableStore {
    let store = TableStore::default();
    store.begin_list();
    store.list_page(page);
    store.end_list();
    store
}

fn store_with(kind: &str) -> TableStore {
    store_of(page(kind))
}

/// Put the resource view's cursor on the row named `name`.
fn select_named(a: &mut App, name: &str) {
    let i = (0..a.tables.resource.len())
        .find(|&i| a.tables.resource.row(i).is_some_and(|r| r.row.name == name))
        .unwrap();
    a.tables.resource.select(i);
}

#[test]
fn the_store_becomes_the_view_and_describe_fetches_the_object() {
    let mut a = app();
    discovered(&mut a);
    type_command(&mut a, "deploy");
    let (mut stores, _writers) = Stores::with_writers(&crate::app::fixture::cluster());
    stores.generic = Some(store_with("deployments"));
    let mut p = Projection::default();
    p.project(&mut a, &stores);
    let t = &a.tables.resource;
    assert_eq!(t.len(), 1);
    let titles: Vec<String> = t.columns().iter().map(|c| c.title.to_string()).collect();
    assert_eq!(titles[..3], ["NAMESPACE", "NAME", "READY"]);
    // `d` describes it: the object is fetched, then shown with its fields.
    let effects = on_action(&mut a, Action::Describe);
    let obj = match effects.as_slice() {
        [Effect::FetchYaml(o)] => o.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (obj.namespace.as_str(), obj.name.as_str()),
        ("kinds", "web")
    );
    assert_eq!(obj.label(), "deployment/kinds/web");
    let object = serde_json::json!({"kind": "Deployment", "metadata": {"name": "web", "namespace": "kinds", "resourceVersion": "1"},
        "spec": {"replicas": 4}, "status": {"readyReplicas": 4}});
    update(&mut a, Msg::Done(Done::Yaml(obj, Ok(object))));
    p.project(&mut a, &stores);
    let d = a.detail.as_ref().unwrap();
    assert_eq!(d.kind, DetailKind::Describe);
    let text: String = d
        .lines
        .iter()
        .flat_map(|l| l.iter().map(|s| s.text.clone()))
        .collect();
    assert!(text.contains("Ready Replicas:"), "{text}");
}

#[test]
fn workloads_are_scaled_and_restarted_after_confirmation_and_never_when_read_only() {
    let mut a = app();
    discovered(&mut a);
    type_command(&mut a, "deploy");
    let (mut stores, _writers) = Stores::with_writers(&crate::app::fixture::cluster());
    stores.generic = Some(store_with("deployments"));
    Projection::default().project(&mut a, &stores);
    // `a` opens `:scale ` for the count.
    on_action(&mut a, Action::Scale);
    assert_eq!(
        (a.prompt.mode, a.prompt.input.as_str()),
        (Mode::Command, "scale ")
    );
    a.prompt.input.push('3');
    on_action(&mut a, Action::Submit);
    assert_eq!(a.prompt.mode, Mode::Confirm);
    let prompt = a
        .prompt
        .pending
        .as_ref()
        .map(crate::views::notice::question)
        .unwrap_or_default();
    assert!(
        prompt.contains("deployment/kinds/web")
            && prompt.contains("3 replicas")
            && prompt.contains("context prod"),
        "{prompt}"
    );
    let effects = on_action(&mut a, Action::Confirm);
    assert!(
        matches!(effects.as_slice(), [Effect::Scale(o, 3)] if o.name == "web"),
        "{effects:?}"
    );
    assert!(effects[0].mutates());
    let effects = type_command(&mut a, "restart");
    assert!(effects.is_empty());
    let effects = on_action(&mut a, Action::Confirm);
    assert!(matches!(effects.as_slice(), [Effect::RolloutRestart(o)] if o.name == "web"));
    assert!(effects[0].mutates());
    // Bad counts and read-only mode are refused before anything is asked.
    type_command(&mut a, "scale -1");
    assert_ne!(a.prompt.mode, Mode::Confirm);
    a.readonly = true;
    type_command(&mut a, "scale 2");
    assert_ne!(a.prompt.mode, Mode::Confirm);
    let text = crate::app::update_tests::said(&a);
    assert!(text.contains("read-only"), "{text}");
    // Not a workload: said, not asked.
    a.readonly = false;
    type_command(&mut a, "cm");
    stores.generic = Some(store_with("configmaps"));
    Projection::default().project(&mut a, &stores);
    type_command(&mut a, "restart");
    assert_ne!(a.prompt.mode, Mode::Confirm);
    // Deleting any kind asks, naming what goes with it.
    on_action(&mut a, Action::Delete);
    let prompt = a
        .prompt
        .pending
        .as_ref()
        .map(crate::views::notice::question)
        .unwrap_or_default();
    assert!(
        prompt.starts_with("Delete configmap/kinds/") && prompt.contains("Background"),
        "{prompt}"
    );
}

fn shown_with(a: &mut App, command: &str, kind: &str) {
    type_command(a, command);
    let (mut stores, _writers) = Stores::with_writers(&crate::app::fixture::cluster());
    stores.generic = Some(store_with(kind));
    Projection::default().project(a, &stores);
}

#[test]
fn enter_follows_the_relations_and_o_goes_to_the_owner() {
    let mut a = app();
    discovered(&mut a);
    // A Deployment: its ReplicaSets, pinned to it.
    shown_with(&mut a, "deploy", "deployments");
    let effects = on_action(&mut a, Action::Open);
    assert_eq!(
        watched(&effects),
        Some(("replicasets.apps".into(), Some("kinds".into())))
    );
    let pin = a.tables.resource.pin.clone().unwrap();
    assert_eq!(pin.label(), "deployment/kinds/web");
    // The ReplicaSets the Deployment owns belong to it; a pod view of a ReplicaSet pins it.
    let (mut stores, _writers) = Stores::with_writers(&crate::app::fixture::cluster());
    stores.generic = Some(store_with("replicasets"));
    Projection::default().project(&mut a, &stores);
    assert_eq!(a.tables.resource.len(), 2, "both ReplicaSets of web");
    on_action(&mut a, Action::Open);
    assert_eq!(a.view, View::Pods);
    let pin = a.tables.pods.pin.clone().unwrap();
    assert!(
        pin.label().starts_with("replicaset/kinds/web-"),
        "{}",
        pin.label()
    );
    // A Service: the pods its selector picks, in its namespace.
    shown_with(&mut a, "svc", "services");
    select_named(&mut a, "web");
    on_action(&mut a, Action::Open);
    assert_eq!(a.view, View::Pods);
    assert_eq!(a.tables.pods.filter.text, "-l app=web");
    assert_eq!(
        a.tables.pods.pin.as_ref().map(|p| p.label()),
        Some("namespace/kinds".into())
    );
    // `o` on a ReplicaSet: its Deployment, found by name in the deployments view.
    shown_with(&mut a, "rs", "replicasets");
    let effects = on_action(&mut a, Action::Owner);
    assert_eq!(
        watched(&effects),
        Some(("deployments.apps".into(), Some("kinds".into())))
    );
    assert_eq!(a.tables.resource.filter.text, "^web$");
    // A kind without relations: Enter describes.
    shown_with(&mut a, "cm", "configmaps");
    let effects = on_action(&mut a, Action::Open);
    assert!(matches!(effects.as_slice(), [Effect::FetchYaml(o)] if o.singular() == "configmap"));
}

#[test]
fn a_secret_is_masked_until_x_and_masked_again() {
    let mut a = app();
    discovered(&mut a);
    shown_with(&mut a, "secrets", "secrets");
    let effects = on_action(&mut a, Action::Describe);
    let obj = match effects.as_slice() {
        [Effect::FetchYaml(o)] => o.clone(),
        other => panic!("{other:?}"),
    };
    let list = fixture("secrets.json");
    let secret = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metadata"]["name"] == obj.name.as_str())
        .cloned()
        .unwrap();
    update(
        &mut a,
        Msg::Done(Done::Yaml(obj.clone(), Ok(secret.clone()))),
    );
    let (mut stores, _writers) = Stores::with_writers(&crate::app::fixture::cluster());
    stores.generic = Some(store_with("secrets"));
    let mut p = Projection::default();
    let text = |a: &App| -> String {
        a.detail
            .as_ref()
            .unwrap()
            .lines
            .iter()
            .flat_map(|l| l.iter().map(|s| s.text.clone()))
            .collect()
    };
    p.project(&mut a, &stores);
    assert!(text(&a).contains("bytes") && !text(&a).contains("not-a-real-password"));
    on_action(&mut a, Action::RevealSecret);
    p.project(&mut a, &stores);
    assert!(text(&a).contains("not-a-real-password"), "{}", text(&a));
    on_action(&mut a, Action::RevealSecret);
    p.project(&mut a, &stores);
    assert!(!text(&a).contains("not-a-real-password"));
    // In YAML, X fetches again and masks or shows.
    let effects = on_action(&mut a, Action::Yaml);
    assert!(matches!(effects.as_slice(), [Effect::FetchYaml(_)]));
    let effects = on_action(&mut a, Action::RevealSecret);
    assert!(matches!(effects.as_slice(), [Effect::FetchYaml(_)]));
}

#[test]
fn port_forwards_start_from_the_selection_list_and_stop() {
    use crate::kube::portforward::{ForwardReport, ForwardTarget};
    let mut a = app();
    discovered(&mut a);
    shown_with(&mut a, "svc", "services");
    select_named(&mut a, "web");
    let effects = type_command(&mut a, "pf 8080:80");
    let spec = match effects.as_slice() {
        [Effect::StartForward(s)] => s.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!((spec.local_port, spec.remote_port), (8080, 80));
    assert!(
        matches!(&spec.target, ForwardTarget::Service { object, selector } if object.name == "web" && selector == "app=web"),
        "a Service's port is carried to its targetPort: {:?}",
        spec.target
    );
    assert!(effects[0].mutates());
    // The task's reports fill the row.
    let addr = "127.0.0.1:8080".parse().unwrap();
    update(
        &mut a,
        Msg::Done(Done::Forward(ForwardReport::Listening(spec.id, addr))),
    );
    update(
        &mut a,
        Msg::Done(Done::Forward(ForwardReport::Connections {
            id: spec.id,
            open: 1,
            total: 3,
            pod: "web-1".into(),
            port: 8080,
        })),
    );
    // A connection that failed: in LAST ERROR and in the status bar.
    let refused = crate::kube::portforward::ForwardError::Refused {
        pod: "web-1".into(),
        port: 8080,
        message: "error forwarding port 8080 to pod 1f2e, uid : connection refused".into(),
    };
    update(
        &mut a,
        Msg::Done(Done::Forward(ForwardReport::Error(spec.id, refused))),
    );
    let said = crate::app::update_tests::said(&a);
    assert!(
        said.starts_with("a connection through the forward to service/")
            && said.contains("/web failed: web-1:8080: error forwarding port 8080"),
        "{said}"
    );
    type_command(&mut a, "pf");
    assert_eq!(a.view, View::Forwards);
    let row = a.tables.forwards.selected_row().unwrap();
    use crate::app::forwards::ForwardCol;
    use crate::app::table::TableRow;
    assert_eq!(
        row.cell(ForwardCol::Local, crate::app::fixture::now()),
        "127.0.0.1:8080"
    );
    assert_eq!(
        row.cell(ForwardCol::Connections, crate::app::fixture::now()),
        "1/3"
    );
    assert_eq!(
        row.cell(ForwardCol::Pod, crate::app::fixture::now()),
        "web-1:8080"
    );
    assert!(
        row.cell(ForwardCol::Error, crate::app::fixture::now())
            .ends_with("connection refused")
    );
    // r restarts it, Ctrl-d stops it.
    let effects = on_action(&mut a, Action::Rerun);
    assert!(matches!(
        effects.as_slice(),
        [Effect::StopForward(_), Effect::StartForward(_)]
    ));
    let effects = on_action(&mut a, Action::Delete);
    assert_eq!(effects, vec![Effect::StopForward(spec.id)]);
    assert!(a.forwards.is_empty());
    // Bad ports, nothing forwardable and read-only are said, not started.
    shown_with(&mut a, "cm", "configmaps");
    assert!(type_command(&mut a, "pf 80").is_empty());
    assert!(crate::app::update_tests::said(&a).contains("selects no pods"));
    shown_with(&mut a, "svc", "services");
    assert!(type_command(&mut a, "pf x:80").is_empty());
    a.readonly = true;
    assert!(type_command(&mut a, "pf 80").is_empty());
    assert!(crate::app::update_tests::said(&a).contains("read-only"));
}

#[test]
fn a_restart_is_followed_until_it_has_rolled_out() {
    use crate::kube::server_table::Cell;
    let mut a = app();
    discovered(&mut a);
    shown_with(&mut a, "deploy", "deployments");
    type_command(&mut a, "restart");
    on_action(&mut a, Action::Confirm);
    assert_eq!(a.rollouts.len(), 1);
    // The server's row mid-rollout: 1 of 4 updated.
    let mut mid = page("deployments");
    let full = mid.rows[0].clone();
    mid.rows[0].cells[2] = Cell::Int(1);
    let store = store_of(mid);
    let (mut stores, _writers) = Stores::with_writers(&crate::app::fixture::cluster());
    stores.generic = Some(store.clone());
    let mut p = Projection::default();
    a.stale
        .kinds
        .insert(crate::kube::informer::ResourceKind::Generic);
    p.project(&mut a, &stores);
    let said = crate::app::update_tests::said(&a);
    assert!(
        said.contains("rolling out deployment/kinds/web: 1 of 4 updated"),
        "{said}"
    );
    // Every replica updated and available: said once, and no longer followed.
    store.upsert(None, full);
    a.stale
        .kinds
        .insert(crate::kube::informer::ResourceKind::Generic);
    p.project(&mut a, &stores);
    let said = crate::app::update_tests::said(&a);
    assert!(said.contains("deployment/kinds/web rolled out"), "{said}");
    assert!(a.rollouts.is_empty());
}

#[test]
fn a_claim_shows_its_pods_and_an_ingress_its_services() {
    let mut a = app();
    discovered(&mut a);
    shown_with(&mut a, "pvc", "persistentvolumeclaims");
    select_named(&mut a, "data-bound");
    on_action(&mut a, Action::Open);
    assert_eq!(a.view, View::Pods);
    let pin = a.tables.pods.pin.clone().unwrap();
    assert_eq!(pin.label(), "persistentvolumeclaim/kinds/data-bound");
    // Of two pods in the claim's namespace, the one whose volume uses it belongs.
    let mut uses = (*crate::app::fixture::pod(
        "kinds",
        "db-0",
        "Running",
        crate::kube::pod_row::Health::Ok,
        0,
    ))
    .clone();
    uses.claims = Box::new(["data-bound".into()]);
    let other = crate::app::fixture::pod(
        "kinds",
        "web-1",
        "Running",
        crate::kube::pod_row::Health::Ok,
        0,
    );
    use crate::app::table::TableRow;
    assert!(uses.belongs_to(&pin) && !other.belongs_to(&pin));

    shown_with(&mut a, "ing", "ingresses");
    let effects = on_action(&mut a, Action::Open);
    let obj = match effects.as_slice() {
        [Effect::FetchForDrill(o)] => o.clone(),
        other => panic!("{other:?}"),
    };
    let list = fixture("ingresses.json");
    let ingress = list["items"][0].clone();
    let effects = update(&mut a, Msg::Done(Done::DrillFetched(obj, Ok(ingress))));
    assert_eq!(
        watched(&effects),
        Some(("services".into(), Some("kinds".into())))
    );
    assert_eq!(a.tables.resource.filter.text, "^(upstream|web)$");
}

#[test]
fn a_kind_on_screen_takes_its_own_columns_when_views_yaml_is_read_after_it_opened() {
    use crate::k9s_files::{K9sFiles, ViewColumn, ViewSetting};
    let mut a = app();
    discovered(&mut a);
    type_command(&mut a, "deploy");
    assert_eq!(a.resource.as_ref().and_then(|r| r.view.clone()), None);
    let setting = ViewSetting {
        columns: vec![ViewColumn::Named("NAME".into())],
        sort: None,
    };
    let files = K9sFiles {
        views: vec![("apps/v1/deployments".into(), setting.clone())],
        ..K9sFiles::default()
    };
    let effects = update(&mut a, Msg::K9sFiles(Box::new(files.clone())));
    let rewatched = effects.iter().find_map(|e| match e {
        Effect::WatchResource(Some(s)) => s.view.clone(),
        _ => None,
    });
    assert_eq!(rewatched.as_deref(), Some(&setting));
    // Read again unchanged: nothing to do.
    let effects = update(&mut a, Msg::K9sFiles(Box::new(files)));
    assert!(watched(&effects).is_none(), "{effects:?}");
    // Another kind, then back: the one it returns to has the columns as they are now.
    type_command(&mut a, "cm");
    let effects = update(&mut a, Msg::K9sFiles(Box::default()));
    assert!(watched(&effects).is_none(), "{effects:?}");
    let effects = on_action(&mut a, Action::Back);
    let back = effects.iter().find_map(|e| match e {
        Effect::WatchResource(Some(s)) => Some(s.view.clone()),
        _ => None,
    });
    assert_eq!(back, Some(None), "{effects:?}");
}
