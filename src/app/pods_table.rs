//! The pods table as data: every row, the sorted and filtered view of them, and a selection that
//! follows the same pod when rows move. Rebuilt only when the pod store changes.

use std::sync::Arc;

use crate::kube::pod_row::PodRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Namespace,
    Name,
    Ready,
    Status,
    Restarts,
    Age,
    Node,
    Ip,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::Namespace,
        Column::Name,
        Column::Ready,
        Column::Status,
        Column::Restarts,
        Column::Age,
        Column::Node,
        Column::Ip,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::Namespace => "NAMESPACE",
            Column::Name => "NAME",
            Column::Ready => "READY",
            Column::Status => "STATUS",
            Column::Restarts => "RESTARTS",
            Column::Age => "AGE",
            Column::Node => "NODE",
            Column::Ip => "IP",
        }
    }
}

/// A filter typed after `/`: plain text matched case-insensitively against the row, `!` first to
/// invert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
}

impl Filter {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.trim().to_string(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty() || self.text == "!"
    }

    pub fn matches(&self, row: &PodRow) -> bool {
        let (invert, needle) = match self.text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, self.text.as_str()),
        };
        if needle.is_empty() {
            return true;
        }
        let needle = needle.to_lowercase();
        let hit = [&row.namespace, &row.name, &row.status, &row.node, &row.ip]
            .iter()
            .any(|f| f.to_lowercase().contains(&needle));
        hit != invert
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodTable {
    rows: Vec<Arc<PodRow>>,
    /// Indices into `rows`, sorted and filtered.
    view: Vec<usize>,
    pub sort: Column,
    pub descending: bool,
    pub filter: Filter,
    /// Position in `view`.
    pub selected: usize,
    /// First visible position in `view`.
    pub offset: usize,
    /// The uid under the cursor, so the cursor follows the pod when rows move.
    selected_uid: Option<String>,
}

impl Default for PodTable {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            view: Vec::new(),
            sort: Column::Namespace,
            descending: false,
            filter: Filter::default(),
            selected: 0,
            offset: 0,
            selected_uid: None,
        }
    }
}

fn compare(a: &PodRow, b: &PodRow, col: Column) -> std::cmp::Ordering {
    let by = match col {
        Column::Namespace => a.namespace.cmp(&b.namespace),
        Column::Name => std::cmp::Ordering::Equal,
        Column::Ready => a.ready.cmp(&b.ready),
        Column::Status => a.status.cmp(&b.status),
        Column::Restarts => a.restarts.cmp(&b.restarts),
        // Oldest first reads as "by age ascending" in kubectl terms: newest pods are youngest.
        Column::Age => b.created.cmp(&a.created),
        Column::Node => a.node.cmp(&b.node),
        Column::Ip => a.ip.cmp(&b.ip),
    };
    by.then_with(|| a.namespace.cmp(&b.namespace))
        .then_with(|| a.name.cmp(&b.name))
}

impl PodTable {
    /// Number of rows after filtering.
    pub fn len(&self) -> usize {
        self.view.len()
    }

    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// The visible row at view position `i`.
    pub fn row(&self, i: usize) -> Option<&PodRow> {
        self.view
            .get(i)
            .and_then(|&r| self.rows.get(r))
            .map(|r| r.as_ref())
    }

    pub fn selected_row(&self) -> Option<&PodRow> {
        self.row(self.selected)
    }

    /// Replace every row (the store changed), keeping sort, filter and the selected pod.
    pub fn set_rows(&mut self, rows: Vec<Arc<PodRow>>) {
        self.rows = rows;
        self.rebuild();
    }

    pub fn set_filter(&mut self, filter: Filter) {
        self.filter = filter;
        self.selected_uid = None;
        self.selected = 0;
        self.offset = 0;
        self.rebuild();
    }

    /// Sort by `col`; choosing the current column again reverses the order.
    pub fn sort_by(&mut self, col: Column) {
        if self.sort == col {
            self.descending = !self.descending;
        } else {
            self.sort = col;
            self.descending = false;
        }
        self.rebuild();
    }

    fn rebuild(&mut self) {
        let keep = self
            .selected_uid
            .clone()
            .or_else(|| self.selected_row().map(|r| r.uid.clone()));
        let rows = &self.rows;
        let mut view: Vec<usize> = (0..rows.len())
            .filter(|&i| self.filter.matches(&rows[i]))
            .collect();
        let (col, desc) = (self.sort, self.descending);
        view.sort_by(|&a, &b| {
            let o = compare(&rows[a], &rows[b], col);
            if desc { o.reverse() } else { o }
        });
        self.view = view;
        if let Some(uid) = keep
            && let Some(pos) = self.view.iter().position(|&i| self.rows[i].uid == uid)
        {
            self.selected = pos;
        }
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
        self.selected_uid = self.selected_row().map(|r| r.uid.clone());
    }

    /// Move the cursor by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            return;
        }
        let max = self.view.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(max);
        self.selected_uid = self.selected_row().map(|r| r.uid.clone());
    }

    pub fn select(&mut self, pos: usize) {
        self.selected = pos.min(self.view.len().saturating_sub(1));
        self.selected_uid = self.selected_row().map(|r| r.uid.clone());
    }

    /// Keep the cursor inside a window of `height` rows; returns the first visible position.
    pub fn scroll_into_view(&mut self, height: usize) -> usize {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.view.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
        self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::pod_row::Health;

    fn row(ns: &str, name: &str, status: &str, restarts: u32) -> Arc<PodRow> {
        Arc::new(PodRow {
            namespace: ns.into(),
            name: name.into(),
            uid: format!("{ns}/{name}"),
            ready: "1/1".into(),
            status: status.into(),
            restarts,
            last_restart: None,
            created: None,
            node: "n1".into(),
            ip: "10.0.0.1".into(),
            health: Health::Ok,
        })
    }

    fn names(t: &PodTable) -> Vec<String> {
        (0..t.len())
            .filter_map(|i| t.row(i))
            .map(|r| r.name.clone())
            .collect()
    }

    #[test]
    fn sorts_and_reverses() {
        let mut t = PodTable::default();
        t.set_rows(vec![
            row("b", "x", "Running", 0),
            row("a", "y", "Error", 5),
            row("a", "a", "Running", 1),
        ]);
        assert_eq!(names(&t), ["a", "y", "x"]);
        t.sort_by(Column::Restarts);
        assert_eq!(names(&t), ["x", "a", "y"]);
        t.sort_by(Column::Restarts);
        assert_eq!(names(&t), ["y", "a", "x"]);
    }

    #[test]
    fn filter_plain_and_inverted() {
        let mut t = PodTable::default();
        t.set_rows(vec![
            row("demo", "web-1", "Running", 0),
            row("demo", "crasher", "CrashLoopBackOff", 4),
        ]);
        t.set_filter(Filter::new("crash"));
        assert_eq!(names(&t), ["crasher"]);
        t.set_filter(Filter::new("!crash"));
        assert_eq!(names(&t), ["web-1"]);
        t.set_filter(Filter::new("LOOPBACK"));
        assert_eq!(names(&t), ["crasher"], "case-insensitive, matches status");
    }

    #[test]
    fn selection_follows_the_pod_when_rows_move() {
        let mut t = PodTable::default();
        t.set_rows(vec![
            row("a", "b", "Running", 0),
            row("a", "c", "Running", 0),
        ]);
        t.move_by(1);
        assert_eq!(t.selected_row().map(|r| r.name.as_str()), Some("c"));
        // A new pod sorts in front; the cursor stays on "c".
        t.set_rows(vec![
            row("a", "a", "Running", 0),
            row("a", "b", "Running", 0),
            row("a", "c", "Running", 0),
        ]);
        assert_eq!(t.selected_row().map(|r| r.name.as_str()), Some("c"));
        // "c" is deleted: the cursor stays in range.
        t.set_rows(vec![row("a", "a", "Running", 0)]);
        assert_eq!(t.selected, 0);
    }

    #[test]
    fn scrolling_window_follows_cursor() {
        let mut t = PodTable::default();
        t.set_rows(
            (0..100)
                .map(|i| row("ns", &format!("p{i:03}"), "Running", 0))
                .collect(),
        );
        t.move_by(50);
        assert_eq!(t.scroll_into_view(10), 41);
        t.move_by(-45);
        assert_eq!(t.scroll_into_view(10), 5);
        t.move_by(1000);
        assert_eq!((t.selected, t.scroll_into_view(10)), (99, 90));
    }
}
