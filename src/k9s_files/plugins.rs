//! `plugins.yaml` as k9s reads it: `plugins: { NAME: { shortCut, description, scopes,
//! command, args, background, confirm, dangerous, override, overwriteOutput, pipes, inputs } }`;
//! a file of k9s's `plugins/` folder holds either that map or one plugin (named after the
//! file). Each entry is read on its own: a bad one is named with its line, the others load.

use std::path::Path;

use serde::Deserialize;
use serde_yaml_ng::Value;

use super::{Problem, line_of_key, yaml_problem};

/// One plugin, as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Plugin {
    pub short_cut: String,
    pub description: String,
    pub scopes: Vec<String>,
    pub command: String,
    #[serde(default, deserialize_with = "strings")]
    pub args: Vec<String>,
    #[serde(default)]
    pub background: bool,
    #[serde(default)]
    pub confirm: bool,
    #[serde(default)]
    pub dangerous: bool,
    /// Take the key even when a built-in binding has it.
    #[serde(default, rename = "override")]
    pub override_key: bool,
    /// A background plugin's own output is the message, as is.
    #[serde(default)]
    pub overwrite_output: bool,
    /// Commands the output is piped through (each a command line of words, no shell).
    #[serde(default)]
    pub pipes: Vec<String>,
    #[serde(default)]
    pub inputs: Vec<Input>,
}

/// What a plugin asks before it runs (its value is `$INPUT_<NAME>`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub name: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub kind: InputKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default, deserialize_with = "optional_scalar")]
    pub default: Option<String>,
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    String,
    Number,
    Bool,
    Dropdown,
}

/// A scalar (string, number or bool) as text.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let values = Vec::<Value>::deserialize(d)?;
    values
        .iter()
        .map(|v| scalar(v).ok_or_else(|| serde::de::Error::custom("args are strings or numbers")))
        .collect()
}

fn optional_scalar<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(scalar(&v))
}

/// The most inputs a plugin may ask (k9s's limit).
const MAX_INPUTS: usize = 5;

impl Plugin {
    /// What k9s's schema requires beyond the shape.
    /// A parser of what a user wrote: its `Err` is the sentence they read.
    pub fn check(&self) -> Result<(), String> {
        if self.short_cut.trim().is_empty() {
            return Err("shortCut is empty".into());
        }
        if self.command.trim().is_empty() {
            return Err("command is empty".into());
        }
        if self.scopes.is_empty() {
            return Err("scopes is empty (name kinds, or `all`)".into());
        }
        if self.inputs.len() > MAX_INPUTS {
            return Err(format!("at most {MAX_INPUTS} inputs"));
        }
        for i in &self.inputs {
            if i.kind == InputKind::Dropdown && i.options.is_empty() {
                return Err(format!("input {}: a dropdown needs options", i.name));
            }
            if i.name.is_empty()
                || !i
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(format!(
                    "input {:?}: a name of letters, digits and _",
                    i.name
                ));
            }
        }
        Ok(())
    }
}

/// One entry `name` of `file`: the plugin, or a problem at its line.
fn entry(file: &Path, text: &str, name: &str, value: Value) -> Result<Plugin, Problem> {
    let problem = |what: String| Problem {
        file: file.to_path_buf(),
        line: line_of_key(text, name),
        what: format!("plugin {name}: {what}"),
    };
    let plugin: Plugin = serde_yaml_ng::from_value(value).map_err(|e| problem(e.to_string()))?;
    plugin.check().map_err(problem)?;
    Ok(plugin)
}

/// The plugins of one file, and what was wrong with it.
pub fn parse_file(file: &Path, text: &str, problems: &mut Vec<Problem>) -> Vec<(String, Plugin)> {
    let doc: Value = match serde_yaml_ng::from_str(text) {
        Ok(Value::Null) => return Vec::new(),
        Ok(v) => v,
        Err(e) => {
            problems.push(yaml_problem(file, &e));
            return Vec::new();
        }
    };
    let Value::Mapping(top) = doc else {
        problems.push(Problem {
            file: file.to_path_buf(),
            line: 1,
            what: "expected `plugins:` and a map of plugins".into(),
        });
        return Vec::new();
    };
    let map = match top.get("plugins") {
        Some(Value::Mapping(m)) => m.clone(),
        Some(Value::Null) => return Vec::new(),
        Some(_) => {
            problems.push(Problem {
                file: file.to_path_buf(),
                line: line_of_key(text, "plugins"),
                what: "plugins: expected a map of plugins by name".into(),
            });
            return Vec::new();
        }
        // A file of the plugins folder may be one plugin, named after the file.
        None => {
            let name = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            return match entry(file, text, &name, Value::Mapping(top)) {
                Ok(p) => vec![(name, p)],
                Err(mut problem) => {
                    problem.line = problem.line.max(1);
                    problems.push(problem);
                    Vec::new()
                }
            };
        }
    };
    let mut out = Vec::new();
    for (key, value) in map {
        let Some(name) = scalar(&key) else {
            continue;
        };
        match entry(file, text, &name, value) {
            Ok(p) => out.push((name, p)),
            Err(problem) => problems.push(problem),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// k9s's README example, and shapes from its community plugin files.
    const K9S_EXAMPLE: &str = r#"
plugins:
  # Defines a plugin to provide a `ctrl-l` shortcut to tail the logs while in pod view.
  fred:
    shortCut: Ctrl-L
    override: false
    overwriteOutput: false
    confirm: false
    dangerous: false
    description: Pod logs
    scopes:
    - pods
    command: kubectl
    background: false
    args:
    - logs
    - -f
    - $NAME
    - -n
    - $NAMESPACE
    - --context
    - $CONTEXT
  stern:
    shortCut: Ctrl-L
    confirm: false
    description: "Logs <Stern>"
    scopes:
      - pods
    command: stern
    background: false
    args:
      - --tail
      - 50
      - $FILTER
      - -n
      - $NAMESPACE
      - --context
      - $CONTEXT
  broken:
    shortCut: b
    description: no command
    scopes: [all]
  typo:
    shortCut: t
    description: typo
    scopes: [all]
    command: echo
    backgorund: true
  scale:
    shortCut: Shift-S
    description: scale to
    scopes: [deploy]
    command: kubectl
    args: [scale, --replicas=$INPUT_REPLICAS, deploy/$NAME]
    inputs:
      - name: REPLICAS
        label: Replicas
        type: number
        required: true
        default: 3
"#;

    #[test]
    fn k9s_examples_parse_and_bad_entries_are_named_with_their_line() {
        let mut problems = Vec::new();
        let file = Path::new("/k9s/plugins.yaml");
        let plugins = parse_file(file, K9S_EXAMPLE, &mut problems);
        let names: Vec<&str> = plugins.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["fred", "stern", "scale"]);
        let stern = &plugins[1].1;
        assert_eq!(stern.args[1], "50", "a number arg is its text");
        assert_eq!(stern.short_cut, "Ctrl-L");
        let scale = &plugins[2].1;
        assert_eq!(scale.inputs[0].kind, InputKind::Number);
        assert_eq!(scale.inputs[0].default.as_deref(), Some("3"));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].what.starts_with("plugin broken:"),
            "{problems:?}"
        );
        assert!(problems[0].what.contains("command"), "{problems:?}");
        assert_eq!(problems[0].line, 39, "{problems:?}");
        assert_eq!(problems[1].line, 43, "{problems:?}");
        assert!(problems[1].what.contains("backgorund"), "{problems:?}");
        assert_eq!(
            problems[1].to_string(),
            format!(
                "/k9s/plugins.yaml:{}: {}",
                problems[1].line, problems[1].what
            )
        );
    }

    #[test]
    fn a_folder_file_may_be_one_plugin_named_after_it() {
        let mut problems = Vec::new();
        let one = "shortCut: Shift-D\ndescription: dive\nscopes: [containers]\ncommand: dive\nargs: [$COL-IMAGE]\n";
        let plugins = parse_file(Path::new("/k9s/plugins/dive.yaml"), one, &mut problems);
        assert_eq!(plugins.len(), 1, "{problems:?}");
        assert_eq!(plugins[0].0, "dive");
        let not_yaml = "plugins: [\n";
        parse_file(Path::new("/k9s/plugins/x.yaml"), not_yaml, &mut problems);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].line > 0, "{problems:?}");
    }
}
