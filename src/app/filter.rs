//! The filter typed after `/`: a pattern matched case-insensitively against the cells a row
//! shows (a regular expression when it has regex syntax: `^ci`, `bill.*5s`; plain text
//! otherwise), `!` first to invert, and `-l SELECTOR` for labels with the full grammar the
//! apiserver accepts (`key=value`, `key==value`, `key!=value`, `key in (a,b)`,
//! `key notin (a,b)`, `key`, `!key`). A selector that does not parse says why.

use regex::{Regex, RegexBuilder};

#[derive(Debug, Clone, PartialEq, Eq)]
enum LabelReq {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Missing(String),
}

/// How the text part matches a cell.
#[derive(Debug, Clone, Default)]
enum Needle {
    #[default]
    None,
    /// Lowercased text, matched as a substring.
    Text(String),
    Regex(Regex),
}

impl PartialEq for Needle {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Needle::None, Needle::None) => true,
            (Needle::Text(a), Needle::Text(b)) => a == b,
            (Needle::Regex(a), Needle::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

impl Eq for Needle {}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// What was typed, shown back in the title.
    pub text: String,
    invert: bool,
    needle: Needle,
    labels: Vec<LabelReq>,
    /// `cluster=NAME[,NAME]` (or `cluster!=…`) first: rows of these clusters (or of others).
    clusters: Option<(bool, Vec<String>)>,
}

/// Why a filter cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("invalid label selector {selector:?}: {why}")]
    Selector { selector: String, why: String },
}

/// Case-insensitive `contains` against an already lowercased needle, without allocating for
/// ASCII haystacks (the common case: names, reasons).
pub fn contains_ci(haystack: &str, needle_lower: &str) -> bool {
    if needle_lower.is_empty() {
        return true;
    }
    if haystack.is_ascii() && needle_lower.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle_lower.as_bytes());
        return h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    haystack.to_lowercase().contains(needle_lower)
}

/// A label key: an optional DNS prefix and `/`, then a name of alphanumerics, `-`, `_`, `.`.
fn valid_key(k: &str) -> bool {
    let name = k.rsplit_once('/').map_or(
        k,
        |(prefix, name)| {
            if prefix.is_empty() { "" } else { name }
        },
    );
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    !name.is_empty() && name.len() <= 63 && k.chars().all(|c| ok(c) || c == '/')
}

fn valid_value(v: &str) -> bool {
    v.len() <= 63
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Split a selector at the commas outside parentheses.
/// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
fn requirements(spec: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in spec.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err("unmatched ')'".into());
                }
            }
            ',' if depth == 0 => {
                out.push(spec[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("unmatched '('".into());
    }
    out.push(spec[start..].trim());
    Ok(out)
}

/// `(a, b)` as its values.
/// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
fn set_of(rest: &str) -> Result<Vec<String>, String> {
    let inner = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("expected a set like (a,b) after the operator, got {rest:?}"))?;
    let values: Vec<String> = inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Err("an empty set".into());
    }
    if let Some(bad) = values.iter().find(|v| !valid_value(v)) {
        return Err(format!("invalid value {bad:?}"));
    }
    Ok(values)
}

/// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
fn requirement(r: &str) -> Result<LabelReq, String> {
    if r.is_empty() {
        return Err("an empty requirement".into());
    }
    let key_then = |k: &str| -> Result<String, String> {
        let k = k.trim();
        if valid_key(k) {
            Ok(k.to_string())
        } else {
            Err(format!("invalid key {k:?}"))
        }
    };
    let value = |v: &str| -> Result<String, String> {
        let v = v.trim();
        if valid_value(v) {
            Ok(v.to_string())
        } else {
            Err(format!("invalid value {v:?}"))
        }
    };
    // Set operators: `key in (...)`, `key notin (...)`.
    let words: Vec<&str> = r.splitn(2, char::is_whitespace).collect();
    if let [key, rest] = words.as_slice() {
        let rest = rest.trim_start();
        if let Some(set) = rest.strip_prefix("notin") {
            return Ok(LabelReq::NotIn(key_then(key)?, set_of(set)?));
        }
        if let Some(set) = rest.strip_prefix("in") {
            return Ok(LabelReq::In(key_then(key)?, set_of(set)?));
        }
    }
    if let Some((k, v)) = r.split_once("!=") {
        return Ok(LabelReq::NotEquals(key_then(k)?, value(v)?));
    }
    if let Some((k, v)) = r.split_once("==").or_else(|| r.split_once('=')) {
        return Ok(LabelReq::Equals(key_then(k)?, value(v)?));
    }
    if let Some(k) = r.strip_prefix('!') {
        return Ok(LabelReq::Missing(key_then(k)?));
    }
    Ok(LabelReq::Exists(key_then(r)?))
}

/// Parse a label selector in the apiserver's grammar.
fn parse_labels(spec: &str) -> Result<Vec<LabelReq>, FilterError> {
    let fail = |why: String| FilterError::Selector {
        selector: spec.to_string(),
        why,
    };
    requirements(spec)
        .map_err(fail)?
        .into_iter()
        .map(|r| requirement(r).map_err(fail))
        .collect()
}

/// The selector part of `-l SELECTOR TEXT`: a selector may hold spaces inside a set
/// (`env in (a, b)`) and around a set operator, so it ends at the first space outside
/// parentheses that is not next to `in`/`notin`.
fn split_selector(after: &str) -> (&str, &str) {
    let mut depth = 0i32;
    let bytes = after.as_bytes();
    for (i, c) in after.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ' ' if depth == 0 => {
                let rest = after[i..].trim_start();
                let before = after[..i].trim_end();
                let operator = rest.starts_with("in ")
                    || rest.starts_with("in(")
                    || rest.starts_with("notin ")
                    || rest.starts_with("notin(")
                    || rest.starts_with('(')
                    || before.ends_with(" in")
                    || before.ends_with(" notin")
                    || before.ends_with(',')
                    || rest.starts_with(',');
                if !operator && i > 0 && bytes.get(i - 1) != Some(&b' ') {
                    return (&after[..i], after[i..].trim());
                }
            }
            _ => {}
        }
    }
    (after, "")
}

/// A leading `cluster=a,b` or `cluster!=a` term, and the rest of the filter.
fn split_clusters(text: &str) -> (Option<(bool, Vec<String>)>, &str) {
    let Some(after) = text.strip_prefix("cluster") else {
        return (None, text);
    };
    let (want, list) = if let Some(l) = after.strip_prefix("!=") {
        (false, l)
    } else if let Some(l) = after.strip_prefix("==").or_else(|| after.strip_prefix('=')) {
        (true, l)
    } else {
        return (None, text);
    };
    let (list, rest) = list.split_once(' ').unwrap_or((list, ""));
    let names = list
        .split(',')
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    (Some((want, names)), rest.trim_start())
}

/// Regex syntax in a filter: then it is a regular expression.
fn looks_like_regex(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(
            c,
            '^' | '$' | '*' | '+' | '?' | '[' | '(' | '|' | '\\' | '{'
        )
    }) || text.contains(".*")
}

impl Filter {
    /// Parse what was typed; a label selector that does not parse is an error.
    pub fn parse(text: &str) -> Result<Self, FilterError> {
        let text = text.trim().to_string();
        let (clusters, rest) = split_clusters(&text);
        let (invert, rest) = match rest.strip_prefix('!') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, rest),
        };
        let (labels, needle) = match rest.strip_prefix("-l") {
            Some(after) if after.is_empty() || after.starts_with(' ') => {
                let (spec, more) = split_selector(after.trim_start());
                let labels = if spec.is_empty() {
                    Vec::new()
                } else {
                    parse_labels(spec)?
                };
                (labels, more)
            }
            _ => (Vec::new(), rest),
        };
        let needle = if needle.is_empty() {
            Needle::None
        } else if looks_like_regex(needle) {
            // Invalid as a regex: the text as typed.
            match RegexBuilder::new(needle)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
            {
                Ok(re) => Needle::Regex(re),
                Err(_) => Needle::Text(needle.to_lowercase()),
            }
        } else {
            Needle::Text(needle.to_lowercase())
        };
        Ok(Self {
            invert,
            needle,
            labels,
            clusters,
            text,
        })
    }

    /// A filter, or no filter when the text does not parse.
    pub fn new(text: &str) -> Self {
        Self::parse(text).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        matches!(self.needle, Needle::None) && self.labels.is_empty() && self.clusters.is_none()
    }

    /// Whether every row this filter keeps, `before` keeps too: text typed on to the text of
    /// `before` (the same selectors), or `before` is no filter. Then the rows `before` kept are
    /// all this one needs to search, which makes each key typed into `/` at 100,000 pods cost
    /// the rows still shown rather than every row.
    pub fn narrows(&self, before: &Filter) -> bool {
        if before.is_empty() {
            return true;
        }
        let same_rest = !self.invert
            && !before.invert
            && self.labels == before.labels
            && self.clusters == before.clusters;
        match (&self.needle, &before.needle) {
            (Needle::Text(now), Needle::Text(was)) => same_rest && now.contains(was.as_str()),
            (Needle::None, Needle::None) => same_rest,
            _ => false,
        }
    }

    /// Whether a row of `cluster` passes the `cluster=` part (rows of no cluster always do).
    pub fn matches_cluster(&self, cluster: Option<&str>) -> bool {
        match (&self.clusters, cluster) {
            (Some((want, names)), Some(c)) => names.iter().any(|n| n == c) == *want,
            _ => true,
        }
    }

    /// `cells` are the texts the row shows; `label` looks a label up by key.
    pub fn matches<'a, S: AsRef<str>>(
        &self,
        mut cells: impl Iterator<Item = S>,
        label: impl Fn(&str) -> Option<&'a str>,
    ) -> bool {
        if self.is_empty() {
            return true;
        }
        let labels_ok = self.labels.iter().all(|req| match req {
            LabelReq::Equals(k, v) => label(k) == Some(v.as_str()),
            LabelReq::NotEquals(k, v) => label(k) != Some(v.as_str()),
            LabelReq::In(k, set) => label(k).is_some_and(|v| set.iter().any(|s| s == v)),
            LabelReq::NotIn(k, set) => !label(k).is_some_and(|v| set.iter().any(|s| s == v)),
            LabelReq::Exists(k) => label(k).is_some(),
            LabelReq::Missing(k) => label(k).is_none(),
        });
        let text_ok = match &self.needle {
            Needle::None => true,
            Needle::Text(t) => cells.any(|c| contains_ci(c.as_ref(), t)),
            Needle::Regex(re) => cells.any(|c| re.is_match(c.as_ref())),
        };
        (labels_ok && text_ok) != self.invert
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn check(filter: &str, cells: &[&str], labels: &[(&str, &str)]) -> bool {
        let labels: BTreeMap<&str, &str> = labels.iter().copied().collect();
        Filter::parse(filter)
            .unwrap_or_else(|e| panic!("{filter}: {e}"))
            .matches(cells.iter().copied(), |k| labels.get(k).copied())
    }

    #[test]
    fn cluster_terms_come_first_and_combine_with_text() {
        let f = Filter::new("cluster=eu,us crash");
        assert!(f.matches_cluster(Some("eu")) && f.matches_cluster(Some("us")));
        assert!(!f.matches_cluster(Some("ap")));
        assert!(
            f.matches_cluster(None),
            "rows of no cluster are not filtered by it"
        );
        assert!(f.matches(["CrashLoop"].into_iter(), |_| None));
        assert!(!f.matches(["Running"].into_iter(), |_| None));
        let not = Filter::new("cluster!=staging");
        assert!(!not.matches_cluster(Some("staging")) && not.matches_cluster(Some("prod")));
        assert!(not.matches(["anything"].into_iter(), |_| None));
        // Not a cluster term: plain text.
        assert!(!Filter::new("clusterfoo").matches(["web"].into_iter(), |_| None));
        assert!(Filter::new("cluster=eu").matches_cluster(Some("eu")));
        assert!(!Filter::new("cluster=eu").is_empty());
    }

    #[test]
    fn typing_on_narrows_and_anything_else_does_not() {
        let narrows = |now: &str, before: &str| Filter::new(now).narrows(&Filter::new(before));
        assert!(narrows("web", ""));
        assert!(narrows("web", "we"));
        assert!(narrows("web-1", "eb"));
        assert!(narrows("-l app=x", ""));
        assert!(narrows("-l app=x web", "-l app=x we"));
        assert!(!narrows("we", "web"), "taken back");
        assert!(!narrows("web", "wex"));
        assert!(!narrows("!web", "!we"), "inverted: fewer letters hide more");
        assert!(!narrows("web", "!we"));
        assert!(!narrows("-l app=y web", "-l app=x we"));
        assert!(!narrows("^web", "^we"), "a regular expression");
        assert!(!narrows("cluster=eu web", "we"));
    }

    #[test]
    fn text_inverse_and_case() {
        assert!(check("WEB", &["demo", "web-1"], &[]));
        assert!(!check("!web", &["demo", "web-1"], &[]));
        assert!(check("!api", &["demo", "web-1"], &[]));
        assert!(check("", &["x"], &[]));
        assert!(check("ünï", &["ÜNÏcode"], &[]));
        assert!(Filter::new("!").is_empty());
    }

    #[test]
    fn regular_expressions_match_within_a_cell() {
        assert!(check("^ci", &["ci", "build-1"], &[]));
        assert!(
            !check("^ci", &["demo", "build-ci"], &[]),
            "anchored to a cell"
        );
        assert!(check("bill.*5s", &["billing-4csq7nzjh9-5s79z"], &[]));
        assert!(check("web-[0-9]$", &["web-1"], &[]));
        assert!(!check("web-[0-9]$", &["web-12"], &[]));
        assert!(check("FAILED$", &["Failed"], &[]), "case-insensitive");
        // Not a valid regex: the text as typed.
        assert!(check("a(b", &["xa(by"], &[]));
        // A dot alone is text (a name with a dot matches itself).
        assert!(check("v1.2", &["app-v1.2"], &[]));
    }

    #[test]
    fn label_selectors_in_the_apiservers_grammar() {
        let l = [("app", "web"), ("tier", "front")];
        assert!(check("-l app=web", &["x"], &l));
        assert!(check("-l app==web,tier", &["x"], &l));
        assert!(!check("-l app=api", &["x"], &l));
        assert!(check("-l app!=api", &["x"], &l));
        assert!(check("-l !gone", &["x"], &l));
        assert!(!check("-l gone", &["x"], &l));
        assert!(!check("!-l app=web", &["x"], &l));
        assert!(check("-l app in (web,api)", &["x"], &l));
        assert!(check("-l app in (api, web)", &["x"], &l));
        assert!(!check("-l app notin (web)", &["x"], &l));
        assert!(check("-l env notin (prod),tier=front", &["x"], &l));
        assert!(check("-l app in (web),tier", &["x"], &l));
        // Labels and text together.
        assert!(check("-l app=web web-1", &["web-1"], &l));
        assert!(!check("-l app=web web-2", &["web-1"], &l));
        assert!(check("-l app in (web, api) web-1", &["web-1"], &l));
        // "-long" is text, not a label selector.
        assert!(check("-long", &["a-long-name"], &[]));
    }

    #[test]
    fn an_invalid_selector_says_why() {
        for bad in [
            "-l app in web",
            "-l app in (web",
            "-l =web",
            "-l app=we%b",
            "-l a,,b",
            "-l app in ()",
        ] {
            match Filter::parse(bad) {
                Err(FilterError::Selector { why, .. }) => assert!(!why.is_empty(), "{bad}"),
                Ok(f) => panic!("{bad} parsed: {f:?}"),
            }
        }
    }
}
