//! `views.yaml` as k9s reads it: per kind (a GVR, `v1/pods`, `apps/v1/deployments`), and per
//! namespace with `@NAMESPACE` (`v1/pods@kube-system`), the columns to show in their order
//! (the others hidden), each an existing column's title or `NAME:JSONPATH` read from the
//! objects, and `sortColumn: NAME:asc|desc`.

use std::path::Path;

use serde::Deserialize;

use super::{Problem, line_of_key, top_map};

/// One column of a custom view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewColumn {
    /// An existing column, by its title.
    Named(String),
    /// A column read from each object at a JSONPath (`.spec.nodeName`); `wide`: only with
    /// Ctrl-w.
    Path {
        title: String,
        path: String,
        wide: bool,
    },
}

/// A column's path as kubectl writes it (`.spec.nodeName`, `{.metadata.labels.app}`,
/// `.spec.containers[*].image`), read as the JSONPath standard's (RFC 9535) `$...`.
pub fn json_path(path: &str) -> Result<serde_json_path::JsonPath, String> {
    let p = path.trim();
    let p = p
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .unwrap_or(p);
    let p = if p.starts_with('$') {
        p.to_string()
    } else {
        format!("${p}")
    };
    serde_json_path::JsonPath::parse(&p).map_err(|e| e.to_string())
}

/// The text of what `path` finds in `object`: each value found, strings as they are, others
/// as JSON, several joined with `,` (kubectl's custom columns do the same).
pub fn read_path(path: &serde_json_path::JsonPath, object: &serde_json::Value) -> String {
    path.query(object)
        .all()
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewSetting {
    pub columns: Vec<ViewColumn>,
    /// A column title and whether descending.
    pub sort: Option<(String, bool)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Raw {
    columns: Vec<String>,
    #[serde(default)]
    sort_column: Option<String>,
}

fn column(spec: &str) -> Result<ViewColumn, String> {
    let spec = spec.trim();
    let Some((title, rest)) = spec.split_once(':') else {
        if spec.is_empty() {
            return Err("an empty column".into());
        }
        return Ok(ViewColumn::Named(spec.to_uppercase()));
    };
    // `NAME:JSONPATH|FLAGS`: W (wide) is kept; k9s's others (T time, N number, R right)
    // are not needed to read the cell.
    let (path, flags) = rest.split_once('|').unwrap_or((rest, ""));
    let path = path.trim();
    if !path.starts_with('.') && !path.starts_with('{') {
        return Err(format!(
            "column {title}: the path starts with . (as .spec.nodeName)"
        ));
    }
    if let Err(e) = json_path(path) {
        return Err(format!("column {title}: {path} is not a JSONPath ({e})"));
    }
    Ok(ViewColumn::Path {
        title: title.trim().to_uppercase(),
        path: path.to_string(),
        wide: flags.contains('W'),
    })
}

pub fn parse_file(
    file: &Path,
    text: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(String, ViewSetting)> {
    let expected = "`views:` and a map of GVR: { columns }";
    let Some(map) = top_map(file, text, &["views"], expected, problems) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in map {
        let Some(gvr) = key.as_str().map(str::to_string) else {
            continue;
        };
        let problem = |what: String| Problem {
            file: file.to_path_buf(),
            line: line_of_key(text, &gvr),
            what: format!("view {gvr}: {what}"),
        };
        let raw: Raw = match serde_yaml_ng::from_value(value.clone()) {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(e.to_string()));
                continue;
            }
        };
        let columns: Result<Vec<ViewColumn>, String> =
            raw.columns.iter().map(|c| column(c)).collect();
        let columns = match columns {
            Ok(c) => c,
            Err(e) => {
                problems.push(problem(e));
                continue;
            }
        };
        let sort = raw.sort_column.map(|s| {
            let (name, dir) = s.split_once(':').unwrap_or((&s, "asc"));
            (name.trim().to_uppercase(), dir.trim() == "desc")
        });
        out.push((gvr, ViewSetting { columns, sort }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k9s_views_with_paths_and_namespaces() {
        let text = "views:\n  v1/pods:\n    sortColumn: AGE:desc\n    columns:\n      - AGE\n      - NAMESPACE\n      - NAME\n      - NODE:.spec.nodeName\n      - ZONE:.metadata.labels.zone|W\n  v1/pods@kube-system:\n    columns: [NAME, STATUS]\n  apps/v1/deployments:\n    columns: [NAME, 'BAD:spec']\n";
        let mut problems = Vec::new();
        let views = parse_file(Path::new("/k9s/views.yaml"), text, &mut problems);
        assert_eq!(views.len(), 2);
        let pods = &views[0].1;
        assert_eq!(pods.sort, Some(("AGE".into(), true)));
        assert_eq!(
            pods.columns[3],
            ViewColumn::Path {
                title: "NODE".into(),
                path: ".spec.nodeName".into(),
                wide: false
            }
        );
        assert!(matches!(
            &pods.columns[4],
            ViewColumn::Path { wide: true, .. }
        ));
        assert_eq!(views[1].0, "v1/pods@kube-system");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].what.contains("starts with ."), "{problems:?}");
        assert_eq!(problems[0].line, 12);
        let broken = "views:\n  v1/pods:\n    columns: ['X:.spec[']\n";
        let mut problems = Vec::new();
        assert!(parse_file(Path::new("/v.yaml"), broken, &mut problems).is_empty());
        assert!(
            problems[0].what.contains("is not a JSONPath"),
            "{problems:?}"
        );
    }

    #[test]
    fn paths_as_kubectl_writes_them_read_the_object() {
        let pod = serde_json::json!({
            "spec": {"nodeName": "n1", "containers": [{"image": "a:1"}, {"image": "b:2"}]},
            "metadata": {"labels": {"app.kubernetes.io/name": "web"}},
            "status": {"containerStatuses": [{"restartCount": 3}]}
        });
        let read = |p: &str| read_path(&json_path(p).unwrap(), &pod);
        assert_eq!(read(".spec.nodeName"), "n1");
        assert_eq!(read("{.spec.nodeName}"), "n1");
        assert_eq!(read(".spec.containers[*].image"), "a:1,b:2");
        assert_eq!(read(".status.containerStatuses[0].restartCount"), "3");
        assert_eq!(read(".metadata.labels['app.kubernetes.io/name']"), "web");
        assert_eq!(read(".spec.missing"), "");
    }
}
