//! The filter typed after `/`: plain text matched case-insensitively against a row's text
//! fields, `!` first to invert, and `-l key=value,key!=value,key` for labels (as kubectl's `-l`).

#[derive(Debug, Clone, PartialEq, Eq)]
enum LabelReq {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    Missing(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// What was typed, shown back in the title.
    pub text: String,
    invert: bool,
    /// Lowercased needle.
    needle: String,
    labels: Vec<LabelReq>,
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

fn parse_labels(spec: &str) -> Vec<LabelReq> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            if let Some((k, v)) = s.split_once("!=") {
                LabelReq::NotEquals(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = s.split_once("==").or_else(|| s.split_once('=')) {
                LabelReq::Equals(k.trim().into(), v.trim().into())
            } else if let Some(k) = s.strip_prefix('!') {
                LabelReq::Missing(k.trim().into())
            } else {
                LabelReq::Exists(s.into())
            }
        })
        .collect()
}

impl Filter {
    pub fn new(text: &str) -> Self {
        let text = text.trim().to_string();
        let (invert, rest) = match text.strip_prefix('!') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, text.as_str()),
        };
        let (labels, needle) = match rest.strip_prefix("-l") {
            Some(after) if after.is_empty() || after.starts_with(' ') => {
                let after = after.trim_start();
                let (spec, more) = after.split_once(' ').unwrap_or((after, ""));
                (parse_labels(spec), more.trim().to_lowercase())
            }
            _ => (Vec::new(), rest.to_lowercase()),
        };
        Self {
            invert,
            needle,
            labels,
            text,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.needle.is_empty() && self.labels.is_empty()
    }

    /// `fields` are the row's searchable texts; `label` looks a label up by key.
    pub fn matches<'a>(
        &self,
        mut fields: impl Iterator<Item = &'a str>,
        label: impl Fn(&str) -> Option<&'a str>,
    ) -> bool {
        if self.is_empty() {
            return true;
        }
        let labels_ok = self.labels.iter().all(|req| match req {
            LabelReq::Equals(k, v) => label(k) == Some(v.as_str()),
            LabelReq::NotEquals(k, v) => label(k) != Some(v.as_str()),
            LabelReq::Exists(k) => label(k).is_some(),
            LabelReq::Missing(k) => label(k).is_none(),
        });
        let text_ok = self.needle.is_empty() || fields.any(|f| contains_ci(f, &self.needle));
        (labels_ok && text_ok) != self.invert
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn check(filter: &str, fields: &[&str], labels: &[(&str, &str)]) -> bool {
        let labels: BTreeMap<&str, &str> = labels.iter().copied().collect();
        Filter::new(filter).matches(fields.iter().copied(), |k| labels.get(k).copied())
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
    fn label_selectors() {
        let l = [("app", "web"), ("tier", "front")];
        assert!(check("-l app=web", &["x"], &l));
        assert!(check("-l app==web,tier", &["x"], &l));
        assert!(!check("-l app=api", &["x"], &l));
        assert!(check("-l app!=api", &["x"], &l));
        assert!(check("-l !gone", &["x"], &l));
        assert!(!check("-l gone", &["x"], &l));
        assert!(!check("!-l app=web", &["x"], &l));
        // Labels and text together.
        assert!(check("-l app=web web-1", &["web-1"], &l));
        assert!(!check("-l app=web web-2", &["web-1"], &l));
        // "-long" is text, not a label selector.
        assert!(check("-long", &["a-long-name"], &[]));
    }
}
