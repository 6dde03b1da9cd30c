//! The variables a plugin's arguments (and a hotkey's command) may name, as k9s sets them
//! (`$NAMESPACE $NAME $CONTAINER $POD $CONTEXT $CLUSTER $USER $GROUPS $KUBECONFIG $FILTER
//! $RESOURCE_NAME $RESOURCE_GROUP $RESOURCE_VERSION $COL-<COLUMN>`, and `$INPUT_<NAME>` for
//! what a plugin asked), substituted here; and the `/bin/sh` script that runs a plugin, every
//! word quoted so nothing from the cluster is ever read as shell syntax.

use std::collections::BTreeMap;

use crate::app::navigate::on_table;
use crate::app::state::{App, View};
use crate::app::table::{Table, TableRow};
use crate::kube::ids::ClusterId;
use crate::kube::object_ref::ObjectRef;

/// What a plugin runs for: one row (the selected one, or each marked one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub cluster: ClusterId,
    /// `kind/namespace/name`, for the pane and the confirmation.
    pub label: String,
    pub vars: BTreeMap<String, String>,
}

/// `$KUBECONFIG` is the private copy the runtime writes when it starts the plugin: left for
/// the shell to expand from the environment, never substituted here.
pub const KUBECONFIG: &str = "KUBECONFIG";

/// A piece of a substituted argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// `$KUBECONFIG`, expanded by the shell that runs the plugin.
    Kubeconfig,
}

/// A value from the cluster that a shell in the plugin would read as syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsafe {
    pub var: String,
    pub value: String,
}

/// Characters a value may hold when it goes into a shell script (a name, a label, a number).
fn shell_safe(value: &str) -> bool {
    value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._:/@%+=,~-".contains(c))
}

/// Programs that read an argument as a script.
const SHELLS: &[&str] = &["sh", "bash", "zsh", "dash", "ash", "ksh", "fish", "busybox"];

/// Whether `command` or any of `args` is a shell (`sh -c "… $NAME …"`, or `kubectl exec …
/// -- sh -c "…"`): values substituted into its arguments must then be shell-safe.
pub fn runs_a_shell(command: &str, args: &[String]) -> bool {
    std::iter::once(command)
        .chain(args.iter().map(String::as_str))
        .any(|w| {
            let base = w.rsplit('/').next().unwrap_or(w);
            SHELLS.contains(&base)
        })
}

/// `text` with `$VAR` and `${VAR}` replaced from `vars`. A `$NAME` followed by more name
/// characters (`$NAME-logs`) is the longest known variable at a `-` boundary; an unknown one
/// is left as written. With `shell`, a value a shell would read as syntax is refused.
pub fn substitute(
    text: &str,
    vars: &BTreeMap<String, String>,
    shell: bool,
) -> Result<Vec<Piece>, Unsafe> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut emit = |name: &str, written: &str, literal: &mut String| -> Result<(), Unsafe> {
        if name == KUBECONFIG {
            if !literal.is_empty() {
                out.push(Piece::Text(std::mem::take(literal)));
            }
            out.push(Piece::Kubeconfig);
            return Ok(());
        }
        match vars.get(name) {
            Some(value) if shell && !shell_safe(value) => Err(Unsafe {
                var: name.to_string(),
                value: value.clone(),
            }),
            Some(value) => {
                literal.push_str(value);
                Ok(())
            }
            None => {
                literal.push('$');
                literal.push_str(written);
                Ok(())
            }
        }
    };
    let known = |name: &str| name == KUBECONFIG || vars.contains_key(name);
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        literal.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => {
                    emit(&inner[..end], &after[..end + 2], &mut literal)?;
                    rest = &inner[end + 1..];
                }
                None => {
                    literal.push('$');
                    rest = after;
                }
            }
            continue;
        }
        let end = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
        let full = &after[..end];
        // The longest known name at a `-` boundary: `$NAME-logs` is `$NAME`, then `-logs`.
        let mut name = full;
        while !name.is_empty() && !known(name) {
            name = name.rfind('-').map_or("", |i| &name[..i]);
        }
        if name.is_empty() {
            literal.push('$');
            literal.push_str(full);
            rest = &after[end..];
        } else {
            emit(name, name, &mut literal)?;
            rest = &after[name.len()..];
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() || out.is_empty() {
        out.push(Piece::Text(literal));
    }
    Ok(out)
}

/// `text` with the variables replaced, `$KUBECONFIG` kept as written (for a hotkey's `:`
/// command and for showing a command line).
pub fn substitute_text(text: &str, vars: &BTreeMap<String, String>) -> String {
    match substitute(text, vars, false) {
        Ok(pieces) => pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Kubeconfig => format!("${KUBECONFIG}"),
            })
            .collect(),
        Err(_) => text.to_string(),
    }
}

/// One shell word: literal text single-quoted, `$KUBECONFIG` double-quoted for the shell to
/// expand.
pub fn shell_word(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => format!("'{}'", t.replace('\'', r"'\''")),
            Piece::Kubeconfig => "\"$KUBECONFIG\"".to_string(),
        })
        .collect()
}

/// The cells of a row by column title, as shown.
fn cells<R: TableRow>(t: &Table<R>, row: &R, now: jiff::Timestamp) -> Vec<(String, String)> {
    t.columns()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.title.to_string(), t.cell(row, i, now)))
        .collect()
}

/// The marked rows of `t` (else the selected one): each one's object and cells.
fn rows<R: TableRow>(
    t: &Table<R>,
    shown: &ClusterId,
    now: jiff::Timestamp,
) -> Vec<(ObjectRef, Vec<(String, String)>)> {
    let chosen: Vec<&R> = match t.marked_rows() {
        m if !m.is_empty() => m,
        _ => t.selected_row().into_iter().collect(),
    };
    chosen
        .into_iter()
        .filter_map(|r| Some((r.object(shown)?, cells(t, r, now))))
        .collect()
}

/// What the plugin runs for in the view on screen: the marked rows, else the selected one.
pub fn subjects(app: &mut App) -> Vec<Subject> {
    let shown = app.fleet.cluster.clone();
    let now = app.now;
    let view = app.view;
    let filter = on_table!(app, view, t => t.filter.text.clone()).unwrap_or_default();
    let chosen = on_table!(app, view, t => rows(t, &shown, now)).unwrap_or_default();
    let (resource, group, version) = resource_of(app);
    chosen
        .into_iter()
        .map(|(obj, cells)| {
            let mut vars = BTreeMap::new();
            let namespace = if obj.namespace.is_empty() {
                app.fleet.scope.namespace().unwrap_or_default().to_string()
            } else {
                obj.namespace.clone()
            };
            let context = obj.cluster.context().to_string();
            let row = app
                .tables
                .contexts
                .all_rows()
                .iter()
                .find(|r| r.name == context)
                .cloned();
            let set = |vars: &mut BTreeMap<String, String>, k: &str, v: String| {
                vars.insert(k.to_string(), v);
            };
            set(&mut vars, "NAMESPACE", namespace);
            set(&mut vars, "NAME", obj.name.clone());
            set(&mut vars, "CONTEXT", context);
            set(
                &mut vars,
                "CLUSTER",
                row.as_ref().map(|r| r.cluster.clone()).unwrap_or_default(),
            );
            set(
                &mut vars,
                "USER",
                row.as_ref().map(|r| r.user.clone()).unwrap_or_default(),
            );
            set(&mut vars, "GROUPS", String::new());
            set(&mut vars, "FILTER", filter.clone());
            set(&mut vars, "RESOURCE_NAME", resource.clone());
            set(&mut vars, "RESOURCE_GROUP", group.clone());
            set(&mut vars, "RESOURCE_VERSION", version.clone());
            // In the containers view the row is a container of the pod.
            let container = (view == View::Containers)
                .then(|| {
                    cells
                        .iter()
                        .find(|(t, _)| t == "NAME")
                        .map(|(_, v)| v.clone())
                })
                .flatten();
            match container {
                Some(c) => {
                    set(&mut vars, "POD", obj.name.clone());
                    set(&mut vars, "NAME", c.clone());
                    set(&mut vars, "CONTAINER", c);
                }
                None => {
                    set(&mut vars, "POD", String::new());
                    set(&mut vars, "CONTAINER", String::new());
                }
            }
            for (title, value) in cells {
                let title = title.to_ascii_uppercase();
                if title.contains(' ') {
                    set(
                        &mut vars,
                        &format!("COL-{}", title.replace(' ', "_")),
                        value.clone(),
                    );
                    set(
                        &mut vars,
                        &format!("COL-{}", title.replace(' ', "-")),
                        value.clone(),
                    );
                }
                set(&mut vars, &format!("COL-{title}"), value);
            }
            Subject {
                cluster: obj.cluster.clone(),
                label: obj.label(),
                vars,
            }
        })
        .collect()
}

/// The resource of the view: its plural, group and version.
fn resource_of(app: &App) -> (String, String, String) {
    let fixed = |plural: &str, group: &str, version: &str| {
        (plural.to_string(), group.to_string(), version.to_string())
    };
    match app.view {
        View::Resource => app.resource.as_ref().map_or_else(
            || fixed("", "", ""),
            |r| {
                (
                    r.api.plural.clone(),
                    r.api.group.clone(),
                    r.api.version.clone(),
                )
            },
        ),
        View::Pods => fixed("pods", "", "v1"),
        View::Nodes => fixed("nodes", "", "v1"),
        View::Events => fixed("events", "", "v1"),
        View::Namespaces => fixed("namespaces", "", "v1"),
        View::PipelineRuns => fixed("pipelineruns", "tekton.dev", "v1"),
        View::TaskRuns => fixed("taskruns", "tekton.dev", "v1"),
        _ => fixed("", "", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [
            ("NAME", "web-1"),
            ("NAMESPACE", "demo"),
            ("COL-STATUS", "Running"),
            ("COL-MESSAGE", "a; rm -rf ~"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn variables_are_replaced_as_k9s_does() {
        let v = vars();
        let text = |s| substitute_text(s, &v);
        assert_eq!(text("$NAME"), "web-1");
        assert_eq!(text("${NAME}.log"), "web-1.log");
        assert_eq!(text("$NAME-logs"), "web-1-logs");
        assert_eq!(text("-n=$NAMESPACE"), "-n=demo");
        assert_eq!(text("$COL-STATUS"), "Running");
        assert_eq!(text("$UNKNOWN stays"), "$UNKNOWN stays");
        assert_eq!(text("cost: 5$"), "cost: 5$");
        assert_eq!(text("--kubeconfig=$KUBECONFIG"), "--kubeconfig=$KUBECONFIG");
    }

    #[test]
    fn kubeconfig_is_left_to_the_shell_and_words_are_quoted() {
        let v = vars();
        let pieces = substitute("--kubeconfig=$KUBECONFIG", &v, false).unwrap();
        assert_eq!(
            pieces,
            [Piece::Text("--kubeconfig=".into()), Piece::Kubeconfig]
        );
        assert_eq!(shell_word(&pieces), "'--kubeconfig='\"$KUBECONFIG\"");
        let quoted = shell_word(&substitute("it's $NAME", &v, false).unwrap());
        assert_eq!(quoted, r"'it'\''s web-1'");
    }

    #[test]
    fn a_value_a_shell_would_read_as_syntax_is_refused_for_a_shell() {
        let v = vars();
        assert!(substitute("echo $COL-MESSAGE", &v, false).is_ok());
        let refused = substitute("echo $COL-MESSAGE", &v, true).unwrap_err();
        assert_eq!(refused.var, "COL-MESSAGE");
        assert!(substitute("kubectl logs $NAME -n $NAMESPACE", &v, true).is_ok());
        assert!(runs_a_shell("bash", &[]));
        assert!(runs_a_shell(
            "kubectl",
            &["exec".into(), "--".into(), "/bin/sh".into(), "-c".into()]
        ));
        assert!(!runs_a_shell("kubectl", &["logs".into()]));
    }
}
