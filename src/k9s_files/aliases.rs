//! `aliases.yaml` as k9s reads it: `aliases: { ALIAS: GVR | COMMAND }`, where a GVR
//! (`v1/pods`, `rbac.authorization.k8s.io/v1/clusterrolebindings`) names a kind and anything
//! else is a `:` command with its arguments (`pod fred app=blee`).

use std::path::Path;

use super::{Problem, line_of_key, top_map};

/// Alias → the `:` command it stands for (a GVR already turned into a kind name).
pub type Aliases = std::collections::BTreeMap<String, String>;

/// A GVR as the name kubectl resolves: `v1/pods` → `pods`, `apps/v1/deployments` →
/// `deployments.apps`; anything else as written.
pub fn command_of(target: &str) -> String {
    let target = target.trim();
    let parts: Vec<&str> = target.split('/').collect();
    let is_version =
        |v: &str| v.starts_with('v') && v[1..].chars().next().is_some_and(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [version, resource] if is_version(version) && !resource.contains(' ') => {
            resource.to_string()
        }
        [group, version, resource] if is_version(version) && !resource.contains(' ') => {
            format!("{resource}.{group}")
        }
        _ => target.to_string(),
    }
}

pub fn parse_file(file: &Path, text: &str, problems: &mut Vec<Problem>) -> Aliases {
    let mut out = Aliases::new();
    let expected = "`aliases:` and a map of alias: kind or command";
    let Some(map) = top_map(file, text, &["aliases"], expected, problems) else {
        return out;
    };
    for (key, value) in map {
        let (Some(alias), Some(target)) = (key.as_str(), value.as_str()) else {
            let name = key.as_str().unwrap_or_default().to_string();
            problems.push(Problem {
                file: file.to_path_buf(),
                line: line_of_key(text, &name),
                what: format!("alias {name}: expected `alias: kind or command`"),
            });
            continue;
        };
        if alias.contains(char::is_whitespace) || alias.is_empty() {
            problems.push(Problem {
                file: file.to_path_buf(),
                line: line_of_key(text, alias),
                what: format!("alias {alias:?}: one word"),
            });
            continue;
        }
        out.insert(alias.to_string(), command_of(target));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k9s_readme_aliases() {
        let text = "aliases:\n  pp: v1/pods\n  crb: rbac.authorization.k8s.io/v1/clusterrolebindings\n  fred: pod fred app=blee\n  bad alias: v1/pods\n";
        let mut problems = Vec::new();
        let a = parse_file(Path::new("/k9s/aliases.yaml"), text, &mut problems);
        assert_eq!(a["pp"], "pods");
        assert_eq!(a["crb"], "clusterrolebindings.rbac.authorization.k8s.io");
        assert_eq!(a["fred"], "pod fred app=blee");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 5);
    }
}
