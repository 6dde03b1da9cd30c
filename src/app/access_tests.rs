//! The RBAC checks through `update`, as a user drives them: a pod action held for the
//! namespace's review then refused (or run), `:can-i`, `:who-can`, the describe pane's access
//! line and the help's marks, on the recorded users' reviews.
#![allow(clippy::unwrap_used)]
use super::access::{Review, WhoCanQuery};
use super::action::Effect;
use super::fixture::{app, cluster};
use super::msg::{Done, Msg};
use super::state::{App, View};
use super::update::{on_action, update};
use super::update_tests::said;
use super::{Action, Mode};
use crate::kube::access::{Access, Ask, Grantee};

fn recorded(who: &str) -> Access {
    let path = format!(
        "{}/tests/fixtures/real-cluster/ops/selfsubjectrulesreview-{who}-demo.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let review: k8s_openapi::api::authorization::v1::SelfSubjectRulesReview =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Access::of(review.status.as_ref().unwrap())
}

/// The fixture, with nothing known yet of the user's rights.
fn unknown_rights() -> App {
    let mut a = app();
    a.access.reviews.clear();
    a
}

fn reviewed(a: &mut App, ns: &str, access: Access) -> Vec<Effect> {
    update(a, Msg::Done(Done::Access(cluster(), ns.into(), Ok(access))))
}

fn type_command(a: &mut App, line: &str) -> Vec<Effect> {
    a.prompt.mode = Mode::Command;
    a.prompt.input = line.to_string();
    on_action(a, Action::Submit)
}

#[test]
fn a_shell_waits_for_the_review_then_a_viewer_is_refused_before_any_picker() {
    let mut a = unknown_rights();
    let effects = on_action(&mut a, Action::Shell);
    assert_eq!(effects, [Effect::ReviewAccess(cluster(), "demo".into())]);
    // Pressed again while asking: still one question.
    assert!(on_action(&mut a, Action::Shell).is_empty());
    let effects = reviewed(&mut a, "demo", recorded("viewer"));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(a.prompt.mode, Mode::Table, "no picker");
    let text = said(&a);
    assert!(text.contains("exec: not allowed"), "{text}");
    assert!(text.contains("pods/exec in demo"), "{text}");
    // Known now: refused at once, no question.
    a.notice = None;
    assert!(on_action(&mut a, Action::Shell).is_empty());
    assert!(said(&a).contains("not allowed"));
    // Logs are allowed to a viewer.
    a.tables.pods.select(1);
    let effects = on_action(&mut a, Action::Logs);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::OpenLogs { .. })),
        "{effects:?}"
    );
}

#[test]
fn an_administrators_held_shell_opens_when_the_review_comes() {
    let mut a = unknown_rights();
    on_action(&mut a, Action::Shell);
    let effects = reviewed(&mut a, "demo", recorded("admin"));
    assert!(
        matches!(&effects[..], [Effect::OpenSession { spec: crate::app::sessions::SessionSpec::Exec { pod, .. }, .. }] if pod.name == "crasher"),
        "{effects:?}"
    );
}

#[test]
fn a_failed_review_lets_the_server_decide() {
    let mut a = unknown_rights();
    on_action(&mut a, Action::Shell);
    let failed = crate::kube::error::ApiError::Unreachable("reset".into());
    let effects = update(
        &mut a,
        Msg::Done(Done::Access(cluster(), "demo".into(), Err(failed.clone()))),
    );
    assert!(
        matches!(&effects[..], [Effect::OpenSession { .. }]),
        "{effects:?}"
    );
    assert_eq!(
        a.access.reviews.get(&(cluster(), "demo".into())),
        Some(&Review::Failed(failed))
    );
}

#[test]
fn can_i_lists_resources_by_verb_for_the_namespace() {
    let mut a = unknown_rights();
    let effects = type_command(&mut a, "can-i demo");
    assert_eq!(effects, [Effect::ReviewAccess(cluster(), "demo".into())]);
    assert_eq!(a.view, View::CanI);
    reviewed(&mut a, "demo", recorded("viewer"));
    let rows = a.tables.can_i.all_rows();
    let pods = rows.iter().find(|r| r.rule.resource == "pods").unwrap();
    use crate::app::access_rows::CanICol;
    use crate::app::table::TableRow;
    let now = a.now;
    assert_eq!(pods.cell(CanICol::Get, now), "✓");
    assert_eq!(pods.cell(CanICol::Delete, now), "·");
    assert!(!rows.iter().any(|r| r.rule.resource == "pods/exec"));
    assert_eq!(crate::app::access::can_i_title(&a), "demo");
    // Asked again each time it is opened.
    let effects = type_command(&mut a, "can-i demo");
    assert_eq!(effects, [Effect::ReviewAccess(cluster(), "demo".into())]);
    // One namespace at most.
    type_command(&mut a, "can-i demo ci");
    assert!(said(&a).contains("one too many"), "{}", said(&a));
}

#[test]
fn who_can_resolves_the_resource_and_lists_the_grantees() {
    let mut a = unknown_rights();
    let effects = type_command(&mut a, "who-can create pods/exec demo");
    let query = WhoCanQuery {
        ask: Ask::new("create", "", "pods", Some("exec")),
        namespace: Some("demo".into()),
    };
    assert_eq!(effects, [Effect::WhoCan(cluster(), query.clone())]);
    assert_eq!(a.view, View::WhoCan);
    assert_eq!(
        crate::app::access::who_can_title(&a),
        "create pods/exec in demo"
    );
    let admins = Grantee {
        kind: "Group".into(),
        name: "system:masters".into(),
        namespace: None,
        binding_kind: "ClusterRoleBinding".into(),
        binding: "cluster-admin".into(),
        role: "ClusterRole/cluster-admin".into(),
    };
    update(
        &mut a,
        Msg::Done(Done::WhoCan(cluster(), query, Ok(vec![admins]))),
    );
    assert_eq!(a.tables.who_can.len(), 1);
    // An answer to an older question is not shown.
    let other = WhoCanQuery {
        ask: Ask::new("get", "", "pods", None),
        namespace: None,
    };
    update(
        &mut a,
        Msg::Done(Done::WhoCan(cluster(), other, Ok(Vec::new()))),
    );
    assert_eq!(a.tables.who_can.len(), 1);
    type_command(&mut a, "who-can create");
    assert!(said(&a).contains("VERB RESOURCE"), "{}", said(&a));
}

#[test]
fn the_help_marks_what_the_rules_do_not_allow_on_the_selected_pod() {
    let mut a = unknown_rights();
    assert!(crate::app::access::denied_actions(&a).is_empty());
    reviewed(&mut a, "demo", recorded("viewer"));
    let denied = crate::app::access::denied_actions(&a);
    assert!(denied.contains(&Action::Shell) && denied.contains(&Action::Debug));
    assert!(!denied.contains(&Action::Logs));
    let theme = crate::views::theme::Theme::monochrome();
    let lines =
        crate::views::help::lines_with(&theme, &a.keymap, false, &crate::views::help::extras(&a));
    let text: Vec<String> = lines.iter().map(ToString::to_string).collect();
    let shell = text.iter().find(|l| l.contains("shell")).unwrap();
    assert!(shell.contains("not allowed here"), "{shell}");
}

#[test]
fn with_several_clusters_can_i_and_helm_ask_each_and_show_rows_of_each() {
    use crate::kube::ids::ClusterId;
    let mut a = unknown_rights();
    let (prod, staging) = (ClusterId::new("prod"), ClusterId::new("staging"));
    a.fleet.clusters = vec![prod.clone(), staging.clone()];
    let effects = type_command(&mut a, "can-i demo");
    assert_eq!(
        effects,
        [
            Effect::ReviewAccess(prod.clone(), "demo".into()),
            Effect::ReviewAccess(staging.clone(), "demo".into())
        ]
    );
    for (c, who) in [(&prod, "admin"), (&staging, "viewer")] {
        update(
            &mut a,
            Msg::Done(Done::Access(c.clone(), "demo".into(), Ok(recorded(who)))),
        );
    }
    let rows = a.tables.can_i.all_rows();
    assert!(
        rows.iter()
            .any(|r| r.cluster == prod && r.rule.resource == "*.*")
    );
    assert!(
        rows.iter()
            .any(|r| r.cluster == staging && r.rule.resource == "pods")
    );
    assert!(
        !rows
            .iter()
            .any(|r| r.cluster == staging && r.rule.resource == "*.*")
    );

    // :helm: asked of each; each cluster's releases, one failing said.
    let effects = type_command(&mut a, "helm demo");
    assert_eq!(
        effects,
        [
            Effect::LoadHelm(prod.clone(), Some("demo".into())),
            Effect::LoadHelm(staging.clone(), Some("demo".into()))
        ]
    );
    let summary = |name: &str| crate::kube::helm::Summary {
        name: name.into(),
        namespace: "demo".into(),
        revision: 1,
        status: "deployed".into(),
        chart: format!("{name}-1.0.0"),
        app_version: "1.0".into(),
        updated: None,
        description: String::new(),
        secret: format!("sh.helm.release.v1.{name}.v1"),
    };
    update(
        &mut a,
        Msg::Done(Done::Helm(
            prod.clone(),
            Ok((vec![summary("shop")], Vec::new())),
        )),
    );
    let refused = crate::kube::error::ApiError::Forbidden("secrets is forbidden".into());
    update(&mut a, Msg::Done(Done::Helm(staging.clone(), Err(refused))));
    let rows = a.tables.helm.all_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].cluster, prod);
    assert!(
        said(&a).contains("needs list and get on secrets"),
        "{}",
        said(&a)
    );
}
