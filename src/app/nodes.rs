//! `update` for node actions: cordon, uncordon and drain (each asks first, and names what it
//! will do; a drain shows every pod it will evict, its owner and the disruption budget that
//! holds it, scrollable, before the answer).

use super::action::Effect;
use super::drain_preview::{DrainPreview, EvictLine};
use super::mutations::confirm;
use super::notice::Notice;
use super::prompt::Question;
use super::selection::selected_node;
use super::state::App;
use crate::kube::ids::ClusterId;
use crate::kube::pdb::Budget;

/// `:drain`: show what would be evicted, and drain after confirmation; the budgets are read
/// for the preview meanwhile.
pub fn drain(app: &mut App) -> Vec<Effect> {
    let Some(node) = selected_node(app) else {
        app.say(Notice::Refused("select a node to drain"));
        return Vec::new();
    };
    let rows = app.tables.pods.all_rows();
    let plan = crate::kube::drain::DrainPlan::for_node(&node.name, rows);
    let evict = plan
        .evict
        .iter()
        .map(|(ns, name)| {
            let row = rows.iter().find(|r| r.namespace == *ns && r.name == *name);
            EvictLine {
                namespace: ns.clone(),
                name: name.clone(),
                owner: row.and_then(|r| r.owner.clone()),
                labels: row.map(|r| r.labels.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let stay = plan
        .daemonsets
        .iter()
        .map(|p| (p.clone(), "DaemonSet: its controller would recreate it"))
        .chain(
            plan.mirrors
                .iter()
                .map(|p| (p.clone(), "static pod: the API cannot evict it")),
        )
        .collect();
    let question = Question::Drain {
        node: node.name.clone(),
        cluster: node.cluster.clone(),
        evict: plan.evict.len(),
    };
    let cluster = node.cluster.clone();
    let preview = DrainPreview {
        cluster: cluster.clone(),
        node: node.name.clone(),
        evict,
        stay,
        budgets: None,
    };
    confirm(app, Effect::Drain(node.cluster, plan), question);
    match app.prompt.pending.as_mut() {
        Some(p) => {
            p.preview = Some(preview);
            vec![Effect::LoadBudgets(cluster)]
        }
        // Refused (read-only).
        None => Vec::new(),
    }
}

/// The budgets arrived: the preview says which holds which pod.
pub fn budgets(
    app: &mut App,
    cluster: ClusterId,
    result: Result<Vec<Budget>, crate::kube::error::ApiError>,
) {
    if let Some(p) = app
        .prompt
        .pending
        .as_mut()
        .and_then(|p| p.preview.as_mut())
        .filter(|p| p.cluster == cluster)
    {
        p.budgets = Some(result);
    }
}

/// Cordon or uncordon the selected node, after confirmation.
pub fn cordon(app: &mut App, on: bool) {
    if super::mutations::on_marked(app, super::prompt::ManyVerb::Cordon(on)) {
        return;
    }
    let Some(node) = selected_node(app) else {
        app.say(Notice::Refused("select a node to cordon or uncordon"));
        return;
    };
    let question = Question::Cordon {
        node: node.name.clone(),
        on,
    };
    confirm(app, Effect::Cordon(node, on), question);
}
