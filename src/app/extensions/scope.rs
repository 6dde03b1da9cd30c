//! Which plugins apply where: a plugin's `scopes` name kinds as k9s users write them (`pods`,
//! `po`, `deploy`, `v1/pods`, `apps/v1/deployments`, `containers`) or `all`.

use crate::app::state::{App, View};

/// The names the view on screen answers to (empty: no plugin applies there).
pub fn names_of(app: &App) -> Vec<String> {
    let fixed: &[&str] = match app.view {
        View::Pods => &["pods", "pod", "po", "v1/pods"],
        View::PipelineRuns => &[
            "pipelineruns",
            "pipelinerun",
            "pr",
            "tekton.dev/v1/pipelineruns",
        ],
        View::TaskRuns => &["taskruns", "taskrun", "tr", "tekton.dev/v1/taskruns"],
        View::Events => &["events", "event", "ev", "v1/events"],
        View::Nodes => &["nodes", "node", "no", "v1/nodes"],
        View::Namespaces => &["namespaces", "namespace", "ns", "v1/namespaces"],
        View::Contexts => &["contexts", "context", "ctx"],
        View::Containers => &["containers", "container", "co"],
        View::Resource => {
            let Some(r) = &app.resource else {
                return Vec::new();
            };
            let a = &r.api;
            let mut names = vec![
                a.plural.clone(),
                a.singular.clone(),
                a.kind.to_ascii_lowercase(),
                format!("{}/{}", a.api_version(), a.plural),
            ];
            if !a.group.is_empty() {
                names.push(format!("{}.{}", a.plural, a.group));
            }
            names.extend(a.short_names.iter().cloned());
            return names;
        }
        View::Triage
        | View::Sessions
        | View::Captured
        | View::Detail
        | View::ApiResources
        | View::Forwards
        | View::CanI
        | View::WhoCan
        | View::Helm
        | View::HelmHistory
        | View::Xray
        | View::Timeline
        | View::AsOf => &[],
    };
    fixed.iter().map(|s| s.to_string()).collect()
}

/// Whether `scopes` (as written in a plugin) take in a view named `names`.
pub fn applies(scopes: &[String], names: &[String]) -> bool {
    if names.is_empty() {
        return false;
    }
    scopes.iter().any(|s| {
        let s = s.trim().to_ascii_lowercase();
        s == "all" || names.contains(&s)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_as_k9s_users_write_them() {
        let mut app = crate::app::fixture::app();
        app.view = View::Pods;
        let names = names_of(&app);
        assert!(applies(&["po".into()], &names));
        assert!(applies(&["v1/pods".into()], &names));
        assert!(applies(&["all".into()], &names));
        assert!(applies(&["Pods".into()], &names));
        assert!(!applies(&["deploy".into()], &names));
        app.view = View::Sessions;
        assert!(
            !applies(&["all".into()], &names_of(&app)),
            "no plugin on sessions"
        );
    }
}
