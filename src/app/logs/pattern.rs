//! Search and filter patterns for log panes: plain text (case-insensitive unless it has an
//! upper-case letter), or a regular expression when it starts with `~`.

use std::ops::Range;

use regex::{Regex, RegexBuilder};

#[derive(Debug, Clone)]
pub struct Pattern {
    /// What the user typed, for display.
    pub text: String,
    re: Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Pattern {
    /// Parse what the user typed; an error says why a regex is invalid.
    /// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
    pub fn new(text: &str) -> Result<Option<Self>, String> {
        if text.is_empty() {
            return Ok(None);
        }
        let (source, regex) = match text.strip_prefix('~') {
            Some(re) => (re.to_string(), true),
            None => (regex::escape(text), false),
        };
        if source.is_empty() {
            return Ok(None);
        }
        let smart_case = !text.chars().any(char::is_uppercase);
        let re = RegexBuilder::new(&source)
            .case_insensitive(smart_case)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                if regex {
                    format!("bad regex: {e}")
                } else {
                    e.to_string()
                }
            })?;
        Ok(Some(Self {
            text: text.to_string(),
            re,
        }))
    }

    pub fn is_match(&self, s: &str) -> bool {
        self.re.is_match(s)
    }

    /// Byte ranges of the (non-empty) matches in `s`.
    pub fn ranges(&self, s: &str) -> Vec<Range<usize>> {
        self.re
            .find_iter(s)
            .filter(|m| !m.is_empty())
            .map(|m| m.range())
            .collect()
    }
}

/// A line filter: keep matching lines, or hide them.
#[derive(Debug, Clone, PartialEq)]
pub struct LineFilter {
    pub pattern: Pattern,
    pub hide: bool,
}

impl LineFilter {
    /// `text` shows matching lines, `!text` hides them.
    /// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
    pub fn new(input: &str) -> Result<Option<Self>, String> {
        let (hide, text) = match input.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, input),
        };
        Ok(Pattern::new(text)?.map(|pattern| Self { pattern, hide }))
    }

    pub fn keeps<'a>(&self, mut lines: impl Iterator<Item = &'a str>) -> bool {
        lines.any(|l| self.pattern.is_match(l)) != self.hide
    }

    pub fn label(&self) -> String {
        format!("{}{}", if self.hide { "!" } else { "" }, self.pattern.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        Pattern::new(s)
            .ok()
            .flatten()
            .unwrap_or_else(|| unreachable!("{s}"))
    }

    #[test]
    fn plain_text_is_literal_and_smart_case() {
        assert!(p("error").is_match("An ERROR here"));
        assert!(!p("Error").is_match("an ERROR here"), "upper case: exact");
        assert!(p("a.b").is_match("xa.by") && !p("a.b").is_match("axb"));
        assert_eq!(p("ab").ranges("ab-AB-ab"), [0..2, 3..5, 6..8]);
    }

    #[test]
    fn tilde_means_regex() {
        assert!(p("~lat(ency)?_ms\":[5-9]\\d\\d").is_match("\"latency_ms\":812"));
        assert!(Pattern::new("~(unclosed").is_err());
        assert_eq!(Pattern::new(""), Ok(None));
        assert_eq!(Pattern::new("~"), Ok(None));
    }

    #[test]
    fn filters_keep_or_hide() {
        let keep = LineFilter::new("timeout").ok().flatten();
        let hide = LineFilter::new("!healthz").ok().flatten();
        let (Some(keep), Some(hide)) = (keep, hide) else {
            unreachable!()
        };
        assert!(keep.keeps(["GET", "upstream timeout"].into_iter()));
        assert!(!keep.keeps(["all good"].into_iter()));
        assert!(!hide.keeps(["GET /healthz 200"].into_iter()));
        assert!(hide.keeps(["GET /api 200"].into_iter()));
        assert_eq!(hide.label(), "!healthz");
    }
}
