//! The describe / YAML pane as data: styled lines, a scroll position, and a search with its
//! matches. Lines are produced by `kube::describe` (describe) or from the fetched object (YAML).

use super::filter::contains_ci;
use crate::kube::object_ref::ObjectRef;

/// The theme role a piece of text is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Plain,
    Heading,
    Key,
    Str,
    Number,
    Literal,
    Muted,
    Ok,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub role: Role,
    pub text: String,
}

pub type DocLine = Vec<Span>;

pub fn span(role: Role, text: impl Into<String>) -> Span {
    Span {
        role,
        text: text.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailKind {
    Describe,
    Yaml,
    /// A part of a Helm release's revision (decoded in memory, never written anywhere).
    Helm(HelmPart),
    /// What the flight recorder kept (`:at`'s Enter, `:diff`): set once, never fetched.
    Recorded,
}

/// What of a Helm release revision the pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelmPart {
    /// Its status, description and notes (`helm status`).
    Status,
    /// The values given (`helm get values`).
    Values,
    /// Every value, the chart's defaults under the given ones (`helm get values --all`).
    AllValues,
    /// What it rendered (`helm get manifest`).
    Manifest,
}

impl HelmPart {
    pub fn label(self) -> &'static str {
        match self {
            HelmPart::Status => "status",
            HelmPart::Values => "values",
            HelmPart::AllValues => "all values",
            HelmPart::Manifest => "manifest",
        }
    }
}

/// Why the pane shows no document (yet): the pane says it in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetailStatus {
    Loading,
    /// Its cluster is no longer one of those shown.
    NotShown(crate::kube::ids::ClusterId),
    /// Its row is gone from the store (deleted, or not listed yet).
    Gone,
    /// The fetch failed.
    CannotGet(crate::kube::actions::ActionError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub target: ObjectRef,
    pub kind: DetailKind,
    pub lines: Vec<DocLine>,
    /// Set while the YAML is being fetched, or when the object is gone.
    pub status: Option<DetailStatus>,
    pub scroll: usize,
    pub search: String,
    /// Line numbers that match `search`.
    pub matches: Vec<usize>,
    pub show_managed_fields: bool,
    /// A Secret's values shown decoded (masked until asked for).
    pub revealed: bool,
    /// Rows the pane showed last frame, for paging.
    pub page: usize,
}

impl Detail {
    pub fn new(target: ObjectRef, kind: DetailKind) -> Self {
        Self {
            target,
            kind,
            lines: Vec::new(),
            status: Some(DetailStatus::Loading),
            scroll: 0,
            search: String::new(),
            matches: Vec::new(),
            show_managed_fields: false,
            revealed: false,
            page: 20,
        }
    }

    pub fn set_lines(&mut self, lines: Vec<DocLine>) {
        self.lines = lines;
        self.status = None;
        self.scroll = self.scroll.min(self.max_scroll());
        self.find();
    }

    pub fn max_scroll(&self) -> usize {
        self.lines.len().saturating_sub(self.page.max(1))
    }

    pub fn scroll_by(&mut self, delta: isize) {
        self.scroll = self
            .scroll
            .saturating_add_signed(delta)
            .min(self.max_scroll());
    }

    pub fn line_text(line: &DocLine) -> String {
        line.iter().map(|s| s.text.as_str()).collect()
    }

    /// Recompute matches for the search text.
    pub fn find(&mut self) {
        let needle = self.search.to_lowercase();
        self.matches = if needle.is_empty() {
            Vec::new()
        } else {
            self.lines
                .iter()
                .enumerate()
                .filter(|(_, l)| contains_ci(&Self::line_text(l), &needle))
                .map(|(i, _)| i)
                .collect()
        };
    }

    /// Scroll to the next (or previous) match after the current top line; wraps around.
    pub fn jump(&mut self, forward: bool) -> bool {
        let next = if forward {
            self.matches
                .iter()
                .find(|&&m| m > self.scroll)
                .or(self.matches.first())
        } else {
            self.matches
                .iter()
                .rev()
                .find(|&&m| m < self.scroll)
                .or(self.matches.last())
        };
        match next {
            Some(&m) => {
                self.scroll = m;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::informer::ResourceKind;

    #[test]
    fn search_finds_lines_and_jumps_around() {
        let mut d = Detail::new(
            crate::app::fixture::obj(ResourceKind::Pods, "demo", "p"),
            DetailKind::Describe,
        );
        d.page = 2;
        d.set_lines(
            [
                "Name: p",
                "State: Running",
                "Image: nginx",
                "Last State: Terminated",
            ]
            .iter()
            .map(|t| vec![span(Role::Plain, *t)])
            .collect(),
        );
        d.search = "state".into();
        d.find();
        assert_eq!(d.matches, [1, 3]);
        assert!(d.jump(true));
        assert_eq!(d.scroll, 1);
        assert!(d.jump(true));
        assert_eq!(d.scroll, 3);
        assert!(d.jump(true), "wraps to the first match");
        assert_eq!(d.scroll, 1);
        assert!(d.jump(false));
        assert_eq!(d.scroll, 3);
        d.search = "absent".into();
        d.find();
        assert!(!d.jump(true));
    }
}
