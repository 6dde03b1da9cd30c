//! `hotkeys.yaml` as k9s reads it: `hotKeys: { NAME: { shortCut, description, command,
//! override, keepHistory } }`, the command a `:` line (`pods`, `dp demo`, `$RESOURCE_NAME
//! $NAMESPACE`).

use std::path::Path;

use serde::Deserialize;

use super::{Problem, line_of_key, top_map};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HotKey {
    pub short_cut: String,
    #[serde(default)]
    pub description: String,
    pub command: String,
    #[serde(default, rename = "override")]
    pub override_key: bool,
    /// Whether `Esc` returns to where the hotkey was pressed (k9s clears the history
    /// otherwise; kubedeck always keeps it, as for `:`).
    #[serde(default)]
    pub keep_history: bool,
}

pub fn parse_file(file: &Path, text: &str, problems: &mut Vec<Problem>) -> Vec<(String, HotKey)> {
    let expected = "`hotKeys:` and a map of hotkeys by name";
    let Some(map) = top_map(file, text, &["hotKeys", "hotkeys"], expected, problems) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in map {
        let Some(name) = key.as_str().map(str::to_string) else {
            continue;
        };
        match serde_yaml_ng::from_value::<HotKey>(value) {
            Ok(h) if !h.command.trim().is_empty() && !h.short_cut.trim().is_empty() => {
                out.push((name, h));
            }
            Ok(_) => problems.push(Problem {
                file: file.to_path_buf(),
                line: line_of_key(text, &name),
                what: format!("hotkey {name}: shortCut and command may not be empty"),
            }),
            Err(e) => problems.push(Problem {
                file: file.to_path_buf(),
                line: line_of_key(text, &name),
                what: format!("hotkey {name}: {e}"),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k9s_readme_hotkeys() {
        let text = r#"
hotKeys:
  # Hitting Shift-0 navigates to your pod view
  shift-0:
    shortCut:    Shift-0
    description: Viewing pods
    command:     pods
  shift-1:
    shortCut:    Shift-1
    description: View deployments
    command:     dp
  shift-s:
    shortCut:    Shift-S
    override:    true
    description: Namespaced resources
    command:     "$RESOURCE_NAME $NAMESPACE"
    keepHistory: true
  bad:
    shortCut: x
"#;
        let mut problems = Vec::new();
        let keys = parse_file(Path::new("/k9s/hotkeys.yaml"), text, &mut problems);
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[2].1.command, "$RESOURCE_NAME $NAMESPACE");
        assert!(keys[2].1.override_key && keys[2].1.keep_history);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 18, "{problems:?}");
    }
}
