//! `update` for plugins and hotkeys: a key that is theirs in the view on screen, a plugin's
//! inputs asked one by one, its confirmation, and its launch (in a terminal pane beside the
//! dashboard, or in the background with its exit status and last line said when it ends).

use super::vars::{self, Piece, Subject};
use super::{HotkeyDef, PluginAsk, PluginDef, PluginRun, scope};
use crate::app::action::{Effect, OnConfirm};
use crate::app::keymap::Key;
use crate::app::notice::Notice;
use crate::app::prompt::{Pending, Question};
use crate::app::sessions::SessionSpec;
use crate::app::state::{App, Mode};
use crate::k9s_files::InputKind;

/// The plugins that apply to the view on screen (dangerous ones hidden when read-only).
pub fn shown(app: &App) -> Vec<&PluginDef> {
    let names = scope::names_of(app);
    app.extensions
        .plugins
        .iter()
        .filter(|p| scope::applies(&p.plugin.scopes, &names))
        .filter(|p| !(app.readonly && p.plugin.dangerous))
        .collect()
}

/// A key on the dashboard: a hotkey's, or that of a plugin of the view on screen. `None` when
/// it is neither (the built-in keys then decide).
/// Whether a hotkey or a plugin (in any scope) is on `key`.
pub fn binds(app: &App, key: Key) -> bool {
    app.extensions.hotkeys.iter().any(|h| h.key == key)
        || app.extensions.plugins.iter().any(|p| p.key == key)
}

pub fn on_key(app: &mut App, key: Key) -> Option<Vec<Effect>> {
    if let Some(h) = app
        .extensions
        .hotkeys
        .iter()
        .find(|h| h.key == key)
        .cloned()
    {
        return Some(hotkey(app, &h));
    }
    let names = scope::names_of(app);
    let def = app
        .extensions
        .plugins
        .iter()
        .find(|p| p.key == key && scope::applies(&p.plugin.scopes, &names))
        .cloned()?;
    Some(start(app, &def))
}

/// A hotkey: its `:` command, with the selection's variables.
fn hotkey(app: &mut App, h: &HotkeyDef) -> Vec<Effect> {
    let vars = vars::subjects(app)
        .into_iter()
        .next()
        .map(|s| s.vars)
        .unwrap_or_default();
    let line = vars::substitute_text(&h.hotkey.command, &vars);
    let line = line.trim().trim_start_matches(':').to_string();
    crate::app::command::command(app, &line)
}

/// A plugin's key: refused when dangerous and read-only; its inputs asked first.
pub fn start(app: &mut App, def: &PluginDef) -> Vec<Effect> {
    if def.plugin.dangerous && app.readonly {
        app.say(Notice::PluginRefused {
            name: def.name.clone(),
            why: "it is marked dangerous and kubedeck is read-only".into(),
        });
        return Vec::new();
    }
    if def.plugin.inputs.is_empty() {
        return ready(app, def, &[]);
    }
    app.prompt.plugin_ask = Some(PluginAsk {
        plugin: def.name.clone(),
        answers: Vec::new(),
    });
    ask_next(app, def)
}

/// Open the input line for the next unanswered input, or run once all are answered.
fn ask_next(app: &mut App, def: &PluginDef) -> Vec<Effect> {
    let answered = app
        .prompt
        .plugin_ask
        .as_ref()
        .map_or(0, |a| a.answers.len());
    match def.plugin.inputs.get(answered) {
        Some(input) => {
            // The default is shown, ready to take or edit.
            app.prompt.mode = Mode::PluginInput;
            app.prompt.input = input.default.clone().unwrap_or_default();
            Vec::new()
        }
        None => {
            let answers = app
                .prompt
                .plugin_ask
                .take()
                .map(|a| a.answers)
                .unwrap_or_default();
            ready(app, def, &answers)
        }
    }
}

/// The input being asked: its plugin and the input.
pub fn asking(app: &App) -> Option<(&PluginDef, &crate::k9s_files::Input)> {
    let ask = app.prompt.plugin_ask.as_ref()?;
    let def = app
        .extensions
        .plugins
        .iter()
        .find(|p| p.name == ask.plugin)?;
    let input = def.plugin.inputs.get(ask.answers.len())?;
    Some((def, input))
}

/// What an answer to `input` is as the plugin gets it, or why it is not one.
/// A parser of what a user typed: its `Err` is the sentence they read.
fn answer(input: &crate::k9s_files::Input, text: &str) -> Result<String, String> {
    let text = text.trim();
    let label = input.label.as_deref().unwrap_or(&input.name);
    if text.is_empty() {
        return match &input.default {
            Some(d) => Ok(d.clone()),
            None if input.required => Err(format!("{label} is required")),
            None => Ok(String::new()),
        };
    }
    match input.kind {
        InputKind::String => Ok(text.to_string()),
        InputKind::Number => text
            .parse::<f64>()
            .map(|_| text.to_string())
            .map_err(|_| format!("{label}: a number")),
        InputKind::Bool => match text.to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" => Ok("true".into()),
            "n" | "no" | "false" => Ok("false".into()),
            _ => Err(format!("{label}: true or false")),
        },
        InputKind::Dropdown => input
            .options
            .iter()
            .find(|o| o.as_str() == text)
            .cloned()
            .ok_or_else(|| format!("{label}: one of {}", input.options.join(", "))),
    }
}

/// Enter on a plugin's input line.
pub fn answered(app: &mut App, text: &str) -> Vec<Effect> {
    let Some((def, input)) = asking(app).map(|(d, i)| (d.clone(), i.clone())) else {
        app.prompt.plugin_ask = None;
        return Vec::new();
    };
    match answer(&input, text) {
        Ok(value) => {
            if let Some(ask) = app.prompt.plugin_ask.as_mut() {
                ask.answers.push((input.name.clone(), value));
            }
            ask_next(app, &def)
        }
        Err(why) => {
            app.say(Notice::Invalid(why));
            app.prompt.mode = Mode::PluginInput;
            app.prompt.input = text.to_string();
            Vec::new()
        }
    }
}

/// Tab on a dropdown input: its next option.
pub fn next_option(app: &mut App) {
    let Some((_, input)) = asking(app) else {
        return;
    };
    if input.options.is_empty() {
        return;
    }
    let at = input
        .options
        .iter()
        .position(|o| *o == app.prompt.input)
        .map_or(0, |i| (i + 1) % input.options.len());
    app.prompt.input = input.options[at].clone();
}

/// One quoted shell word per argument of the plugin for `subject`, or the variable whose
/// value a shell would read as syntax.
fn words(def: &PluginDef, subject: &Subject) -> Result<Vec<String>, vars::Unsafe> {
    let p = &def.plugin;
    let shell = vars::runs_a_shell(&p.command, &p.args);
    let mut out = vec![vars::shell_word(&[Piece::Text(p.command.clone())])];
    for a in &p.args {
        out.push(vars::shell_word(&vars::substitute(
            a,
            &subject.vars,
            shell,
        )?));
    }
    Ok(out)
}

/// The command line, then its pipes (`| tool args`).
fn pipeline(def: &PluginDef, words: &[String]) -> String {
    let mut line = words.join(" ");
    for pipe in &def.plugin.pipes {
        let pipe: Vec<String> = pipe
            .split_whitespace()
            .map(|w| vars::shell_word(&[Piece::Text(w.to_string())]))
            .collect();
        if !pipe.is_empty() {
            line.push_str(" | ");
            line.push_str(&pipe.join(" "));
        }
    }
    line
}

/// Every input answered: the script for the marked rows (or the selected one), asked about
/// first when the plugin says `confirm`.
fn ready(app: &mut App, def: &PluginDef, answers: &[(String, String)]) -> Vec<Effect> {
    let mut subjects = vars::subjects(app);
    if subjects.is_empty() {
        app.say(Notice::Tip("select a row for the plugin to run on"));
        return Vec::new();
    }
    for s in &mut subjects {
        for (name, value) in answers {
            s.vars.insert(
                format!("INPUT_{}", name.to_ascii_uppercase()),
                value.clone(),
            );
        }
    }
    let mut lines = Vec::new();
    for s in &subjects {
        match words(def, s) {
            Ok(w) => lines.push((s, pipeline(def, &w))),
            Err(bad) => {
                app.say(Notice::PluginRefused {
                    name: def.name.clone(),
                    why: format!(
                        "${} of {} holds characters its shell would run ({:?})",
                        bad.var, s.label, bad.value
                    ),
                });
                return Vec::new();
            }
        }
    }
    // One run per cluster: each with its own context's kubeconfig as `$KUBECONFIG`.
    let mut by_cluster: Vec<(&Subject, Vec<(&Subject, String)>)> = Vec::new();
    for (s, line) in lines {
        match by_cluster.iter_mut().find(|(f, _)| f.cluster == s.cluster) {
            Some((_, group)) => group.push((s, line)),
            None => by_cluster.push((s, vec![(s, line)])),
        }
    }
    let runs: Vec<PluginRun> = by_cluster
        .into_iter()
        .map(|(first, group)| PluginRun {
            name: def.name.clone(),
            cluster: first.cluster.clone(),
            namespace: first
                .vars
                .get("NAMESPACE")
                .cloned()
                .filter(|n| !n.is_empty()),
            script: script_of(def, &group),
            target: match group.len() {
                1 => first.label.clone(),
                n => format!("{n} marked"),
            },
            overwrite_output: def.plugin.overwrite_output,
        })
        .collect();
    let first = &subjects[0];
    let background = def.plugin.background;
    if def.plugin.confirm || def.plugin.dangerous {
        let shown = std::iter::once(def.plugin.command.clone())
            .chain(
                def.plugin
                    .args
                    .iter()
                    .map(|a| vars::substitute_text(a, &first.vars)),
            )
            .collect::<Vec<_>>()
            .join(" ");
        let question = Question::Plugin {
            name: def.name.clone(),
            description: def.plugin.description.clone(),
            command: shown,
            count: subjects.len(),
        };
        app.prompt.pending = Some(Pending::ask(
            question,
            OnConfirm::Plugin { runs, background },
        ));
        app.prompt.mode = Mode::Confirm;
        return Vec::new();
    }
    launch(app, runs, background)
}

/// The script for a group of rows of one cluster: the command (and its pipes) for the one row,
/// or for each row one after another under a line naming it.
fn script_of(def: &PluginDef, group: &[(&Subject, String)]) -> String {
    match group {
        [(_, line)] if def.plugin.pipes.is_empty() => format!("exec {line}"),
        [(_, line)] => line.clone(),
        many => many
            .iter()
            .map(|(s, line)| {
                let title = vars::shell_word(&[Piece::Text(format!("── {} ──", s.label))]);
                format!("printf '%s\\n' {title}; {line}")
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Run them: each in a terminal pane, or in the background.
pub fn launch(app: &mut App, runs: Vec<PluginRun>, background: bool) -> Vec<Effect> {
    let mut effects = Vec::new();
    for run in runs {
        if background {
            app.say(Notice::PluginStarted {
                name: run.name.clone(),
                target: run.target.clone(),
            });
            effects.push(Effect::RunPlugin(Box::new(run)));
        } else {
            effects.extend(crate::app::sessions::update::open_session(
                app,
                SessionSpec::Plugin(Box::new(run)),
            ));
        }
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::extensions::Extensions;
    use crate::app::state::View;
    use crate::k9s_files::{Input, Plugin};

    fn with_plugin(app: &mut App, name: &str, plugin: Plugin) {
        let own = vec![(name.to_string(), plugin)];
        app.extensions =
            Extensions::resolve(&crate::k9s_files::K9sFiles::default(), &own, &app.keymap);
        assert!(
            app.extensions.problems.is_empty(),
            "{:?}",
            app.extensions.problems
        );
    }

    fn plugin(key: &str, args: &[&str]) -> Plugin {
        Plugin {
            short_cut: key.into(),
            description: "show".into(),
            scopes: vec!["pods".into()],
            command: "echo".into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            ..Plugin::default()
        }
    }

    fn shift(c: char) -> Key {
        Key::parse_k9s(&format!("Shift-{c}")).unwrap()
    }

    #[test]
    fn a_foreground_plugin_opens_a_pane_with_every_word_quoted() {
        let mut app = crate::app::fixture::app();
        app.view = View::Pods;
        with_plugin(
            &mut app,
            "show",
            plugin("Shift-Z", &["$NAME", "$COL-STATUS", "$KUBECONFIG"]),
        );
        let name = app.tables.pods.selected_row().unwrap().name.clone();
        let effects = on_key(&mut app, shift('Z')).expect("the plugin's key");
        let [
            Effect::OpenSession {
                spec: SessionSpec::Plugin(run),
                ..
            },
        ] = &effects[..]
        else {
            panic!("{effects:?}");
        };
        assert!(run.script.starts_with("exec 'echo' "), "{}", run.script);
        assert!(run.script.contains(&format!("'{name}'")), "{}", run.script);
        assert!(run.script.ends_with("\"$KUBECONFIG\""), "{}", run.script);
        // Not in the nodes view: the key is nobody's there.
        app.view = View::Nodes;
        assert!(on_key(&mut app, shift('Z')).is_none());
    }

    #[test]
    fn a_dangerous_plugin_is_refused_read_only_and_hidden() {
        let mut app = crate::app::fixture::app();
        app.view = View::Pods;
        app.readonly = true;
        let p = Plugin {
            dangerous: true,
            ..plugin("Shift-K", &["$NAME"])
        };
        with_plugin(&mut app, "kill", p);
        assert!(shown(&app).is_empty());
        let effects = on_key(&mut app, shift('K')).expect("its key");
        assert!(effects.is_empty());
        assert!(
            matches!(app.notice, Some(Notice::PluginRefused { .. })),
            "{:?}",
            app.notice
        );
    }

    #[test]
    fn inputs_are_asked_checked_and_substituted() {
        let mut app = crate::app::fixture::app();
        app.view = View::Pods;
        let p = Plugin {
            background: true,
            inputs: vec![Input {
                name: "lines".into(),
                label: Some("Lines".into()),
                kind: InputKind::Number,
                required: true,
                default: Some("50".into()),
                options: Vec::new(),
            }],
            ..plugin("Shift-T", &["--tail=$INPUT_LINES"])
        };
        with_plugin(&mut app, "tail", p);
        assert!(on_key(&mut app, shift('T')).unwrap().is_empty());
        assert_eq!(app.prompt.mode, Mode::PluginInput);
        assert_eq!(app.prompt.input, "50", "the default, ready to take or edit");
        assert!(answered(&mut app, "many").is_empty());
        assert!(matches!(&app.notice, Some(Notice::Invalid(w)) if w.contains("number")));
        assert_eq!(app.prompt.mode, Mode::PluginInput, "asked again");
        let effects = answered(&mut app, "20");
        let [Effect::RunPlugin(run)] = &effects[..] else {
            panic!("{effects:?}");
        };
        assert!(run.script.contains("'--tail=20'"), "{}", run.script);
    }

    #[test]
    fn marked_rows_run_one_after_another_in_one_script() {
        let mut app = crate::app::fixture::app();
        app.view = View::Pods;
        with_plugin(&mut app, "show", plugin("Shift-Z", &["$NAME"]));
        app.tables.pods.select(0);
        app.tables.pods.toggle_mark();
        app.tables.pods.select(1);
        app.tables.pods.toggle_mark();
        let effects = on_key(&mut app, shift('Z')).unwrap();
        let [
            Effect::OpenSession {
                spec: SessionSpec::Plugin(run),
                ..
            },
        ] = &effects[..]
        else {
            panic!("{effects:?}");
        };
        assert_eq!(run.script.matches("printf").count(), 2, "{}", run.script);
        assert_eq!(run.target, "2 marked");
    }

    #[test]
    fn rows_of_several_clusters_run_once_per_cluster_each_with_its_own_context() {
        let mut app = crate::app::fixture::app();
        app.view = View::Pods;
        with_plugin(&mut app, "show", plugin("Shift-Z", &["$NAME"]));
        let mut rows: Vec<_> = app.tables.pods.all_rows().to_vec();
        let mut other = (*rows[1]).clone();
        other.cluster = crate::kube::ids::ClusterId::new("other");
        rows[1] = std::sync::Arc::new(other);
        app.tables.pods.set_by_cluster(true);
        app.tables.pods.set_rows(rows);
        for i in 0..app.tables.pods.len() {
            app.tables.pods.select(i);
            app.tables.pods.toggle_mark();
        }
        let effects = on_key(&mut app, shift('Z')).unwrap();
        let clusters: Vec<String> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::OpenSession {
                    spec: SessionSpec::Plugin(run),
                    ..
                } => Some(run.cluster.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(clusters.len(), 2, "{effects:?}");
        assert!(clusters.contains(&"other".to_string()), "{clusters:?}");
    }

    #[test]
    fn a_value_a_shell_would_run_is_refused() {
        let mut app = crate::app::fixture::app();
        app.view = View::Pods;
        let p = Plugin {
            command: "sh".into(),
            ..plugin("Shift-Z", &["-c", "echo $COL-STATUS"])
        };
        with_plugin(&mut app, "sh", p);
        // A status a CRD (or a hostile controller) could set to anything.
        let mut rows: Vec<_> = app.tables.pods.all_rows().to_vec();
        let mut row = (*rows[0]).clone();
        row.status = "x; rm -rf ~".into();
        rows[0] = std::sync::Arc::new(row);
        app.tables.pods.set_rows(rows);
        let t = &app.tables.pods;
        let at = (0..t.len())
            .find(|&i| t.row(i).is_some_and(|r| r.status.contains(';')))
            .expect("the hostile row is shown");
        app.tables.pods.select(at);
        let effects = on_key(&mut app, shift('Z')).unwrap();
        assert!(effects.is_empty(), "{effects:?}");
        assert!(
            matches!(&app.notice, Some(Notice::PluginRefused { why, .. }) if why.contains("COL-STATUS")),
            "{:?}",
            app.notice
        );
    }
}
