//! A table as data, for any kind of row: every row, the sorted and filtered view of them, and a
//! selection that follows the same object when rows move. Rebuilt only when its store changes,
//! never per frame.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use jiff::Timestamp;

use super::filter::Filter;
use crate::kube::ids::ClusterId;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::Health;

/// One column: its title and how it behaves when space is short.
#[derive(Debug, Clone)]
pub struct Col {
    pub title: Cow<'static, str>,
    /// The widest it grows.
    pub max: usize,
    /// The narrowest it is squeezed to.
    pub min: usize,
    /// Squeeze order when the table is too wide: lower goes first.
    pub shrink: u8,
    /// Hidden when the table is narrower than this.
    pub hide_below: u16,
    /// Hidden when one namespace is shown (it would repeat on every row).
    pub namespace: bool,
}

impl Col {
    pub const fn new(title: &'static str, max: usize) -> Self {
        Self {
            title: Cow::Borrowed(title),
            max,
            min: 3,
            shrink: u8::MAX,
            hide_below: 0,
            namespace: false,
        }
    }

    pub const fn shrink(mut self, rank: u8, min: usize) -> Self {
        self.shrink = rank;
        self.min = min;
        self
    }

    pub const fn hide_below(mut self, width: u16) -> Self {
        self.hide_below = width;
        self
    }

    pub const fn namespace(mut self) -> Self {
        self.namespace = true;
        self
    }
}

/// A kind's columns as an enum, in display order: code names a column by its variant, never by
/// a position. The table itself counts positions (the sort keys 1-9 mean "the Nth column").
pub trait Column: Copy + Eq + std::fmt::Debug + 'static {
    const ALL: &'static [Self];
    const SPECS: &'static [Col];

    fn at(index: usize) -> Option<Self> {
        Self::ALL.get(index).copied()
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }
}

/// Declare a kind's columns: `columns! { pub enum PodCol { Name = Col::new("NAME", 64), … } }`
/// gives the enum and its `Column` impl, the specs in the same order as the variants.
macro_rules! columns {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $spec:expr),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $crate::app::table::Column for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const SPECS: &'static [$crate::app::table::Col] = &[$($spec),+];
        }
    };
}
pub(crate) use columns;

/// What a table needs from its rows.
pub trait TableRow {
    type Column: Column;
    const COLUMNS: &'static [Col] = <Self::Column as Column>::SPECS;
    /// The column sorted by at first, and whether descending.
    const DEFAULT_SORT: (usize, bool) = (0, false);
    /// Stable identity (the uid), so the cursor can follow the object.
    fn key(&self) -> &str;
    /// What the `/` filter searches: the text cells the row shows (the same text, so a filter
    /// never matches what the user cannot see).
    fn fields(&self) -> Vec<std::borrow::Cow<'_, str>>;
    fn label(&self, _key: &str) -> Option<&str> {
        None
    }
    fn cmp_col(&self, other: &Self, col: Self::Column) -> Ordering;

    /// The order in the column at `index` (rows with columns known only at run time override
    /// this and `cell_at`).
    fn cmp_at(&self, other: &Self, index: usize) -> Ordering {
        Self::Column::at(index).map_or(Ordering::Equal, |c| self.cmp_col(other, c))
    }
    /// The order among rows equal in the sorted column (namespace, then name).
    fn tiebreak(&self, other: &Self) -> Ordering;
    fn cell(&self, col: Self::Column, now: Timestamp) -> String;

    /// The text of the column at `index` (the table and its widget count positions).
    fn cell_at(&self, index: usize, now: Timestamp) -> String {
        Self::Column::at(index).map_or_else(String::new, |c| self.cell(c, now))
    }
    fn health(&self) -> Health;
    /// Whether the row belongs to `obj` (a table pinned to one object shows only these).
    fn belongs_to(&self, _obj: &ObjectRef) -> bool {
        true
    }
    /// Rows the one-key "only these" switch keeps (events: warnings).
    fn flagged(&self) -> bool {
        true
    }
    /// The cluster the row came from, for rows of a cluster's objects (the CLUSTER column
    /// and `cluster=NAME` when several clusters are shown).
    fn cluster(&self) -> Option<&ClusterId> {
        None
    }
    /// The object the row is, for describe, YAML and actions (`shown`: the cluster shown, for
    /// rows that do not carry their own).
    fn object(&self, _shown: &ClusterId) -> Option<ObjectRef> {
        None
    }
    /// A row that stays first and visible whatever the sort and filter (namespaces: "(all)").
    fn pinned_first(&self) -> bool {
        false
    }
}

/// Every cell of a row whose cells do not depend on the time, for `TableRow::fields` (the
/// filter matches what is shown).
pub fn timeless_fields<R: TableRow>(row: &R) -> Vec<Cow<'static, str>> {
    R::Column::ALL
        .iter()
        .map(|c| Cow::Owned(row.cell(*c, Timestamp::UNIX_EPOCH)))
        .collect()
}

/// Two such rows in the order of their text in `col`.
pub fn cmp_text<R: TableRow>(a: &R, b: &R, col: R::Column) -> Ordering {
    a.cell(col, Timestamp::UNIX_EPOCH)
        .cmp(&b.cell(col, Timestamp::UNIX_EPOCH))
}

/// The part of a table's state a history entry keeps, so `Esc` returns to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableState {
    pub filter: Filter,
    pub pin: Option<ObjectRef>,
    pub only_flagged: bool,
    pub sort: Option<(usize, bool)>,
    pub selected_key: Option<String>,
    pub selected_cluster: Option<ClusterId>,
}

#[derive(Debug, Clone)]
pub struct Table<R> {
    rows: Vec<Arc<R>>,
    /// Indices into `rows`, sorted and filtered.
    view: Vec<usize>,
    pub sort: usize,
    pub descending: bool,
    pub filter: Filter,
    /// Show only rows that belong to this object.
    pub pin: Option<ObjectRef>,
    pub only_flagged: bool,
    /// Position in `view`.
    pub selected: usize,
    /// First visible position in `view`.
    pub offset: usize,
    selected_key: Option<String>,
    /// The selected row's cluster (keys are unique only within a cluster).
    selected_cluster: Option<ClusterId>,
    /// Columns known only at run time (a server-side Table's), instead of the row type's.
    columns: Option<Arc<[Col]>>,
    /// Several clusters are shown: a CLUSTER column comes first (rows that carry a cluster).
    by_cluster: bool,
    /// The columns shown with the CLUSTER column in front, while `by_cluster`.
    with_cluster: Option<Arc<[Col]>>,
    /// Rows marked for an action on many (Space), by cluster and key: they stay marked
    /// through sorts and filters, and go when their object does.
    marks: std::collections::HashSet<(Option<ClusterId>, String)>,
    /// The row marked last, where a range (Ctrl-Space) starts.
    mark_anchor: Option<(Option<ClusterId>, String)>,
    /// Every column whatever the width (Ctrl-w, as `-o wide`).
    pub wide: bool,
    /// Each row's place in `rows` by identity, for [`Table::apply_changes`]: made when first
    /// needed after the rows were set whole, then kept with them. It holds indices only, each
    /// hashed by its row's identity (cluster, key), so no copy of a key is kept.
    places: Option<Places>,
    /// Counts each change of the rows (whole or by changes): a reader that applies changes
    /// knows whether anyone else set them since.
    rows_version: u64,
    /// How many times the view was made again from every row (what placing changes one by
    /// one spares).
    #[cfg(test)]
    rebuilds: usize,
}

/// Indices into a table's rows, found by the row's identity (see [`Places::hash`]).
#[derive(Debug, Clone, Default)]
struct Places {
    at: hashbrown::HashTable<usize>,
    hasher: foldhash::fast::RandomState,
}

impl Places {
    fn hash(&self, cluster: Option<&ClusterId>, key: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, (cluster, key))
    }

    fn hash_row<R: TableRow>(&self, row: &R) -> u64 {
        self.hash(row.cluster(), row.key())
    }

    /// The index of the row with this identity.
    fn find<R: TableRow>(
        &self,
        rows: &[Arc<R>],
        cluster: Option<&ClusterId>,
        key: &str,
    ) -> Option<usize> {
        self.at
            .find(self.hash(cluster, key), |&i| {
                rows[i].key() == key && rows[i].cluster() == cluster
            })
            .copied()
    }

    /// Record that `rows[i]` is at `i` (its row already in place).
    fn insert<R: TableRow>(&mut self, rows: &[Arc<R>], i: usize) {
        let hasher = &self.hasher;
        let hash = |r: &R| std::hash::BuildHasher::hash_one(hasher, (r.cluster(), r.key()));
        self.at
            .insert_unique(hash(&rows[i]), i, |&j| hash(&rows[j]));
    }

    /// Forget index `i` (its row, the one hashed, still in place).
    fn remove<R: TableRow>(&mut self, rows: &[Arc<R>], i: usize) {
        if let Ok(entry) = self.at.find_entry(self.hash_row(&*rows[i]), |&j| j == i) {
            entry.remove();
        }
    }
}

/// The column naming each row's cluster when several are shown.
pub const CLUSTER_COL: Col = Col::new("CLUSTER", 24).shrink(180, 6);

impl<R: TableRow> Default for Table<R> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            view: Vec::new(),
            sort: R::DEFAULT_SORT.0,
            descending: R::DEFAULT_SORT.1,
            filter: Filter::default(),
            pin: None,
            only_flagged: false,
            selected: 0,
            offset: 0,
            selected_key: None,
            selected_cluster: None,
            columns: None,
            by_cluster: false,
            with_cluster: None,
            marks: std::collections::HashSet::new(),
            mark_anchor: None,
            wide: false,
            places: None,
            rows_version: 0,
            #[cfg(test)]
            rebuilds: 0,
        }
    }
}

impl<R: TableRow> Table<R> {
    /// The columns shown: the row type's, or those set at run time; CLUSTER first when
    /// several clusters are shown.
    pub fn columns(&self) -> &[Col] {
        if let Some(c) = &self.with_cluster {
            return c;
        }
        self.base_columns()
    }

    fn base_columns(&self) -> &[Col] {
        self.columns.as_deref().unwrap_or(R::COLUMNS)
    }

    /// Columns known only at run time; the sort falls back to the first when it is past them.
    pub fn set_columns(&mut self, columns: Arc<[Col]>) {
        if self
            .columns
            .as_ref()
            .is_some_and(|c| Arc::ptr_eq(c, &columns))
        {
            return;
        }
        let shift = usize::from(self.by_cluster);
        if self.sort >= columns.len() + shift {
            self.sort = 0;
            self.descending = false;
        }
        self.columns = Some(columns);
        self.with_cluster = self.by_cluster.then(|| self.prefixed());
    }

    fn prefixed(&self) -> Arc<[Col]> {
        std::iter::once(CLUSTER_COL)
            .chain(self.base_columns().iter().cloned())
            .collect()
    }

    /// Show (or stop showing) the CLUSTER column; the sort stays on the same column.
    pub fn set_by_cluster(&mut self, on: bool) {
        if on == self.by_cluster {
            return;
        }
        self.by_cluster = on;
        if on {
            self.sort += 1;
            self.with_cluster = Some(self.prefixed());
        } else {
            if self.sort == 0 {
                self.descending = R::DEFAULT_SORT.1;
            }
            self.sort = self.sort.checked_sub(1).unwrap_or(R::DEFAULT_SORT.0);
            self.with_cluster = None;
        }
        self.rebuild();
    }

    pub fn by_cluster(&self) -> bool {
        self.by_cluster
    }

    /// The text of `row` in the column at `index` of `columns()`.
    pub fn cell(&self, row: &R, index: usize, now: Timestamp) -> String {
        match (self.by_cluster, index) {
            (true, 0) => row.cluster().map(ToString::to_string).unwrap_or_default(),
            (true, i) => row.cell_at(i - 1, now),
            (false, i) => row.cell_at(i, now),
        }
    }

    fn cmp_rows(&self, a: &R, b: &R, col: usize) -> Ordering {
        match (self.by_cluster, col) {
            (true, 0) => a.cluster().cmp(&b.cluster()),
            (true, i) => a.cmp_at(b, i - 1),
            (false, i) => a.cmp_at(b, i),
        }
    }

    fn is_selected(&self, row: &R, key: &str, cluster: Option<&ClusterId>) -> bool {
        row.key() == key && (!self.by_cluster || row.cluster() == cluster)
    }

    fn remember_selection(&mut self) {
        let (key, cluster) = match self.selected_row() {
            Some(r) => (Some(r.key().to_string()), r.cluster().cloned()),
            None => (None, None),
        };
        self.selected_key = key;
        self.selected_cluster = cluster;
    }

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
    pub fn row(&self, i: usize) -> Option<&R> {
        self.view
            .get(i)
            .and_then(|&r| self.rows.get(r))
            .map(|r| r.as_ref())
    }

    pub fn selected_row(&self) -> Option<&R> {
        self.row(self.selected)
    }

    /// Changes with each change of the rows (see [`Table::apply_changes`]).
    pub fn rows_version(&self) -> u64 {
        self.rows_version
    }

    /// Every row, unfiltered.
    pub fn all_rows(&self) -> &[Arc<R>] {
        &self.rows
    }

    fn identity(row: &R) -> (Option<ClusterId>, String) {
        (row.cluster().cloned(), row.key().to_string())
    }

    /// Mark the row under the cursor, or unmark it.
    pub fn toggle_mark(&mut self) {
        let Some(id) = self
            .selected_row()
            .filter(|r| !r.pinned_first())
            .map(Self::identity)
        else {
            return;
        };
        if !self.marks.remove(&id) {
            self.marks.insert(id.clone());
            self.mark_anchor = Some(id);
        }
    }

    /// Mark every row shown from the last one marked to the cursor (or just the cursor's).
    pub fn mark_range(&mut self) {
        let anchor = self.mark_anchor.as_ref().and_then(|(c, k)| {
            self.view
                .iter()
                .position(|&i| self.is_selected(&self.rows[i], k, c.as_ref()))
        });
        let (from, to) = match anchor {
            Some(a) => (a.min(self.selected), a.max(self.selected)),
            None => (self.selected, self.selected),
        };
        let ids: Vec<_> = (from..=to)
            .filter_map(|p| self.row(p))
            .filter(|r| !r.pinned_first())
            .map(Self::identity)
            .collect();
        self.marks.extend(ids);
        self.mark_anchor = self.selected_row().map(Self::identity);
    }

    pub fn clear_marks(&mut self) {
        self.marks.clear();
        self.mark_anchor = None;
    }

    pub fn marked(&self) -> usize {
        self.marks.len()
    }

    pub fn is_marked(&self, row: &R) -> bool {
        !self.marks.is_empty() && self.marks.contains(&Self::identity(row))
    }

    /// The marked rows (shown or filtered out), in the table's order of rows.
    pub fn marked_rows(&self) -> Vec<&R> {
        if self.marks.is_empty() {
            return Vec::new();
        }
        let mut rows: Vec<&R> = self
            .view
            .iter()
            .map(|&i| self.rows[i].as_ref())
            .filter(|r| self.is_marked(r))
            .collect();
        // Those the filter hides come after the ones shown.
        let shown: std::collections::HashSet<usize> = self.view.iter().copied().collect();
        rows.extend(
            self.rows
                .iter()
                .enumerate()
                .filter(|(i, r)| !shown.contains(i) && self.is_marked(r))
                .map(|(_, r)| r.as_ref()),
        );
        rows
    }

    /// Forget the marks of objects no longer in the rows (deleted).
    fn prune_marks(&mut self) {
        if self.marks.is_empty() {
            return;
        }
        let present: std::collections::HashSet<(Option<ClusterId>, String)> =
            self.rows.iter().map(|r| Self::identity(r)).collect();
        self.marks.retain(|m| present.contains(m));
        if self
            .mark_anchor
            .as_ref()
            .is_some_and(|a| !present.contains(a))
        {
            self.mark_anchor = None;
        }
    }

    /// Replace every row (the store changed), keeping sort, filter and the selected object.
    /// The very same rows (a metrics sample that changed nothing shown) are not sorted again;
    /// when only a few rows were replaced in place (the same rows in the same order, as a
    /// store hands them between frames under a watch storm), only those are placed again.
    pub fn set_rows(&mut self, rows: Vec<Arc<R>>) {
        self.places = None;
        self.rows_version += 1;
        if rows.len() == self.rows.len() && !self.rows.is_empty() {
            let changed: Vec<usize> = (0..rows.len())
                .filter(|&i| !Arc::ptr_eq(&rows[i], &self.rows[i]))
                .collect();
            self.rows = rows;
            // Placing k rows costs k binary searches and moves; sorting all costs n log n.
            match changed.len() {
                0 => {}
                k if k <= self.rows.len() / 16 => self.replace_in_view(&changed),
                _ => self.rebuild(),
            }
            if !changed.is_empty() {
                self.prune_marks();
            }
            return;
        }
        self.rows = rows;
        self.rebuild();
        self.prune_marks();
    }

    /// Apply changes to the rows in order, each `(before, after)`: the row before (found by
    /// its identity) is replaced by the one after, a new one added, or it is removed. Only the
    /// rows touched are placed again, so a frame's work follows the changes, not the rows.
    pub fn apply_changes(&mut self, changes: &[crate::kube::row_cache::Change<R>]) {
        if changes.is_empty() {
            return;
        }
        self.rows_version += 1;
        // Placing a change is a binary search and a shift of the view; a rebuild tests every
        // row against the filter and sorts what it keeps. Many changes at once over a big
        // view (a burst after a pause) are rebuilt; into a small view (the list filtered to a
        // few rows) they are placed, however many: a usage sample's hundreds of rows over a
        // list filtered to one pod cost a frame 8 ms at 10,000 pods as a rebuild.
        let (rows, view) = (self.rows.len(), self.view.len());
        let one_by_one = changes.len() <= rows / 16
            || (view <= rows / 16 && changes.len().saturating_mul(view) <= rows.saturating_mul(64));
        let cursor = self.cursor_object();
        let mut places = self.places.take().unwrap_or_else(|| {
            let mut places = Places::default();
            for i in 0..self.rows.len() {
                places.insert(&self.rows, i);
            }
            places
        });
        let mut removed = false;
        for (old, new) in changes {
            let find = |r: &Arc<R>| places.find(&self.rows, r.cluster(), r.key());
            let at = old
                .as_ref()
                .and_then(find)
                .or_else(|| new.as_ref().and_then(find));
            match (at, new) {
                (Some(i), Some(n)) => {
                    let same =
                        self.rows[i].key() == n.key() && self.rows[i].cluster() == n.cluster();
                    if !same {
                        places.remove(&self.rows, i);
                    }
                    if one_by_one {
                        self.unplace(i);
                    }
                    self.rows[i] = n.clone();
                    if !same {
                        places.insert(&self.rows, i);
                    }
                    if one_by_one {
                        self.place(i);
                    }
                }
                (None, Some(n)) => {
                    self.rows.push(n.clone());
                    places.insert(&self.rows, self.rows.len() - 1);
                    if one_by_one {
                        self.place(self.rows.len() - 1);
                    }
                }
                (Some(i), None) => {
                    places.remove(&self.rows, i);
                    let last = self.rows.len() - 1;
                    if i < last {
                        places.remove(&self.rows, last);
                    }
                    if one_by_one {
                        self.unplace(i);
                        if i < last {
                            self.unplace(last);
                        }
                    }
                    self.rows.swap_remove(i);
                    if i < last {
                        places.insert(&self.rows, i);
                        if one_by_one {
                            self.place(i);
                        }
                    }
                    removed = true;
                }
                (None, None) => {}
            }
        }
        let cursor_at = cursor
            .as_ref()
            .and_then(|(key, cluster)| places.find(&self.rows, cluster.as_ref(), key));
        self.places = Some(places);
        if one_by_one {
            let pos = cursor_at.and_then(|i| self.position_of(i));
            self.cursor_to(pos);
        } else {
            self.rebuild();
        }
        if removed {
            self.prune_marks();
        }
    }

    /// Where the row at `i` is in the view, if shown: found by the sort (a binary search),
    /// not by walking the view.
    fn position_of(&self, i: usize) -> Option<usize> {
        if !self.keep(&self.rows[i]) {
            return None;
        }
        let at = self
            .view
            .partition_point(|&v| self.order(v, i) == Ordering::Less);
        if self.view.get(at) == Some(&i) {
            return Some(at);
        }
        // Not where the order puts it (rows equal in every key): looked for.
        self.view.iter().position(|&v| v == i)
    }

    /// Take the row at `i` out of the view (before it changes or goes).
    fn unplace(&mut self, i: usize) {
        if let Some(at) = self.position_of(i) {
            self.view.remove(at);
        }
    }

    /// Put the row at `i` where the sort puts it, if the filter keeps it.
    fn place(&mut self, i: usize) {
        if !self.keep(&self.rows[i]) {
            return;
        }
        let at = self
            .view
            .partition_point(|&v| self.order(v, i) == Ordering::Less);
        self.view.insert(at, i);
    }

    /// The rows at `changed` (ascending) were replaced: take them out of the view and put
    /// back the ones the filter keeps, each where the sort puts it.
    fn replace_in_view(&mut self, changed: &[usize]) {
        let keep = self.cursor_object();
        self.view.retain(|i| changed.binary_search(i).is_err());
        for &i in changed {
            self.place(i);
        }
        self.place_cursor(keep);
    }

    pub fn set_filter(&mut self, filter: Filter) {
        let narrows = filter.narrows(&self.filter);
        self.filter = filter;
        if narrows {
            // The view holds what the filter before kept, sorted: this one keeps a subset.
            let keep = self.cursor_object();
            let mut view = std::mem::take(&mut self.view);
            view.retain(|&i| self.keep(&self.rows[i]));
            self.view = view;
            self.place_cursor(keep);
        } else {
            self.rebuild();
        }
    }

    pub fn set_pin(&mut self, pin: Option<ObjectRef>) {
        self.pin = pin;
        self.selected_key = None;
        self.selected_cluster = None;
        self.selected = 0;
        self.rebuild();
    }

    pub fn toggle_flagged(&mut self) {
        self.only_flagged = !self.only_flagged;
        self.rebuild();
    }

    /// Sort by `col`; choosing the current column again reverses the order.
    /// Sort by `col` in its natural order (`reversed`: the other way).
    pub fn sort_by_col(&mut self, col: usize, reversed: bool) {
        if col >= self.columns().len() {
            return;
        }
        self.sort = col;
        self.descending = reversed;
        self.rebuild();
    }

    pub fn sort_by(&mut self, col: usize) {
        if col >= self.columns().len() {
            return;
        }
        if self.sort == col {
            self.descending = !self.descending;
        } else {
            self.sort = col;
            self.descending = false;
        }
        self.rebuild();
    }

    pub fn state(&self) -> TableState {
        TableState {
            filter: self.filter.clone(),
            pin: self.pin.clone(),
            only_flagged: self.only_flagged,
            sort: Some((self.sort, self.descending)),
            selected_key: self.selected_row().map(|r| r.key().to_string()),
            selected_cluster: self.selected_row().and_then(|r| r.cluster().cloned()),
        }
    }

    pub fn restore(&mut self, state: TableState) {
        self.filter = state.filter;
        self.pin = state.pin;
        self.only_flagged = state.only_flagged;
        if let Some((sort, desc)) = state.sort {
            self.sort = sort;
            self.descending = desc;
        }
        self.selected_key = state.selected_key;
        self.selected_cluster = state.selected_cluster;
        self.rebuild();
    }

    fn keep(&self, row: &R) -> bool {
        if row.pinned_first() {
            return true;
        }
        // A pin is an object of one cluster: rows of another never belong to it.
        self.pin
            .as_ref()
            .is_none_or(|p| row.belongs_to(p) && row.cluster().is_none_or(|c| *c == p.cluster))
            && (!self.only_flagged || row.flagged())
            && (self.filter.is_empty() || self.matches_filter(row))
    }

    fn matches_filter(&self, row: &R) -> bool {
        self.filter
            .matches_cluster(row.cluster().map(ClusterId::context))
            && match (self.by_cluster, row.cluster()) {
                (true, Some(c)) => self.filter.matches(
                    row.fields().into_iter().chain([Cow::Borrowed(c.context())]),
                    |k| row.label(k),
                ),
                _ => self
                    .filter
                    .matches(row.fields().into_iter(), |k| row.label(k)),
            }
    }

    /// The order of the rows at `a` and `b` in the view: pinned rows first, then the sorted
    /// column, then the row type's tiebreak and the cluster (a total order).
    fn order(&self, a: usize, b: usize) -> Ordering {
        let rows = &self.rows;
        let first = rows[b].pinned_first().cmp(&rows[a].pinned_first());
        if first != Ordering::Equal {
            return first;
        }
        let o = self.cmp_rows(&rows[a], &rows[b], self.sort);
        let o = if self.descending { o.reverse() } else { o };
        o.then_with(|| rows[a].tiebreak(&rows[b]))
            .then_with(|| rows[a].cluster().cmp(&rows[b].cluster()))
    }

    /// The object under the cursor, to find again after the rows move.
    fn cursor_object(&self) -> Option<(String, Option<ClusterId>)> {
        match &self.selected_key {
            Some(k) => Some((k.clone(), self.selected_cluster.clone())),
            None => self
                .selected_row()
                .map(|r| (r.key().to_string(), r.cluster().cloned())),
        }
    }

    fn rebuild(&mut self) {
        #[cfg(test)]
        {
            self.rebuilds += 1;
        }
        let keep = self.cursor_object();
        let mut view: Vec<usize> = (0..self.rows.len())
            .filter(|&i| self.keep(&self.rows[i]))
            .collect();
        view.sort_by(|&a, &b| self.order(a, b));
        self.view = view;
        self.place_cursor(keep);
    }

    /// Put the cursor back on `keep` (at its place on the screen) if it is still shown.
    fn place_cursor(&mut self, keep: Option<(String, Option<ClusterId>)>) {
        let pos = keep.as_ref().and_then(|(key, cluster)| {
            self.view
                .iter()
                .position(|&i| self.is_selected(&self.rows[i], key, cluster.as_ref()))
        });
        self.cursor_to(pos);
    }

    /// Put the cursor at view position `pos` (its object's), keeping its place on the screen:
    /// the rows move around it rather than the cursor jumping.
    fn cursor_to(&mut self, pos: Option<usize>) {
        if let Some(pos) = pos {
            let screen_row = self.selected.saturating_sub(self.offset);
            self.offset = pos.saturating_sub(screen_row);
            self.selected = pos;
        }
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
        self.remember_selection();
    }

    /// Move the cursor by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            return;
        }
        let max = self.view.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(max);
        self.remember_selection();
    }

    /// Put the cursor on the visible row with `key` (nothing when none has it).
    pub fn select_key(&mut self, key: &str) {
        if let Some(pos) =
            (0..self.view.len()).find(|&i| self.row(i).is_some_and(|r| r.key() == key))
        {
            self.select(pos);
        }
    }

    pub fn select(&mut self, pos: usize) {
        self.selected = pos.min(self.view.len().saturating_sub(1));
        self.remember_selection();
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
    use crate::kube::namespace_row::NamespaceRow;

    fn ns(name: &str) -> Arc<NamespaceRow> {
        Arc::new(NamespaceRow {
            name: name.into(),
            uid: name.into(),
            status: "Active".into(),
            created: None,
            every: false,
        })
    }

    fn names(t: &Table<NamespaceRow>) -> Vec<String> {
        (0..t.len())
            .filter_map(|i| t.row(i).map(|r| r.name.clone()))
            .collect()
    }

    #[test]
    fn the_all_row_stays_first_through_sorts_and_filters() {
        let mut t: Table<NamespaceRow> = Table::default();
        t.set_rows(vec![ns("demo"), Arc::new(NamespaceRow::every()), ns("ci")]);
        assert_eq!(names(&t), ["(all)", "ci", "demo"]);
        t.sort_by_col(0, true);
        assert_eq!(names(&t), ["(all)", "demo", "ci"]);
        t.set_filter(Filter::new("dem"));
        assert_eq!(names(&t), ["(all)", "demo"]);
        // Not an object: nothing to describe or delete.
        assert!(
            t.row(0)
                .and_then(|r| r.object(&crate::app::fixture::cluster()))
                .is_none()
        );
    }

    /// Changes applied one frame at a time (adds, replacements, deletions, in two clusters
    /// whose pods share names) leave the table as a table set whole from the same rows: the
    /// same rows in the same order, and the cursor on the same object while it lasts.
    #[test]
    fn changes_applied_show_what_the_rows_set_whole_show() {
        use crate::app::fixture::pod;
        use crate::kube::pod_row::{Health, PodRow};
        let row = |c: &str, name: &str, restarts: u32| {
            Arc::new(PodRow {
                cluster: ClusterId::new(c),
                ..(*pod("demo", name, "Running", Health::Ok, restarts)).clone()
            })
        };
        let identity = |r: &PodRow| (r.cluster.to_string(), r.uid.clone());
        let shown = |t: &Table<PodRow>| -> Vec<(String, String, u32)> {
            (0..t.len())
                .filter_map(|i| t.row(i))
                .map(|r| (r.cluster.to_string(), r.name.clone(), r.restarts))
                .collect()
        };
        let mut rng = fastrand::Rng::with_seed(29);
        let mut model: Vec<Arc<PodRow>> = Vec::new();
        let mut t: Table<PodRow> = Table::default();
        t.set_by_cluster(true);
        // Sorted by RESTARTS: replacements move rows.
        let restarts_col = t.columns().iter().position(|c| c.title == "RESTARTS");
        let restarts_col = restarts_col.unwrap_or_default();
        t.sort_by(restarts_col);
        let descending = t.descending;
        let mut next = 0;
        for frame in 0..300 {
            // Mostly a few changes (placed one by one), now and then many (a rebuild).
            let n = if frame % 25 == 0 { 40 } else { rng.usize(1..4) };
            let mut changes = Vec::new();
            for _ in 0..n {
                let cluster = if rng.bool() { "us" } else { "eu" };
                match rng.u8(0..3) {
                    0 | 1 if !model.is_empty() && rng.bool() => {
                        let i = rng.usize(..model.len());
                        let old = model[i].clone();
                        // Now and then the row after is another object (a new identity).
                        let name = if rng.u8(0..4) == 0 {
                            next += 1;
                            format!("renamed{next}")
                        } else {
                            old.name.clone()
                        };
                        let new = row(&old.cluster.to_string(), &name, rng.u32(0..50));
                        model[i] = new.clone();
                        changes.push((Some(old), Some(new)));
                    }
                    2 if !model.is_empty() => {
                        let old = model.swap_remove(rng.usize(..model.len()));
                        changes.push((Some(old), None));
                    }
                    _ => {
                        // A name both clusters may have (same uid in each).
                        let name = format!("p{}", next % 60);
                        next += 1;
                        let new = row(cluster, &name, rng.u32(0..50));
                        if model.iter().any(|r| identity(r) == identity(&new)) {
                            continue;
                        }
                        model.push(new.clone());
                        changes.push((None, Some(new)));
                    }
                }
            }
            if !t.is_empty() && rng.u8(0..4) == 0 {
                t.select(rng.usize(..t.len()));
            }
            let cursor = t.selected_row().map(identity);
            t.apply_changes(&changes);
            let mut whole: Table<PodRow> = Table::default();
            whole.set_by_cluster(true);
            whole.sort_by(restarts_col);
            whole.set_rows(model.clone());
            let (mut got, mut want) = (shown(&t), shown(&whole));
            // Ties in RESTARTS may come in either order; the rows shown are the same.
            got.sort();
            want.sort();
            assert_eq!(got, want, "frame {frame}");
            assert_eq!(t.all_rows().len(), model.len(), "frame {frame}");
            let kept = cursor.filter(|c| model.iter().any(|r| identity(r) == *c));
            if let Some(c) = kept {
                assert_eq!(
                    t.selected_row().map(identity),
                    Some(c),
                    "frame {frame}: the cursor moved"
                );
            }
            // Sorted as the column says.
            let mut restarts: Vec<u32> = shown(&t).iter().map(|r| r.2).collect();
            if descending {
                restarts.reverse();
            }
            assert!(restarts.is_sorted(), "frame {frame}: {restarts:?}");
        }
    }

    /// A list filtered to one pod takes a burst of changes (a usage sample's namespace) one by
    /// one, not by testing every row again; the unfiltered list still rebuilds for a burst.
    #[test]
    fn a_burst_into_a_filtered_list_is_placed_not_rebuilt() {
        use crate::app::fixture::pod;
        use crate::kube::pod_row::{Health, PodRow};
        let rows = |restarts: u32| -> Vec<Arc<PodRow>> {
            (0..2_000)
                .map(|i| {
                    pod(
                        "demo",
                        &format!("web-{i:04}"),
                        "Running",
                        Health::Ok,
                        restarts,
                    )
                })
                .collect()
        };
        let shown = |t: &Table<PodRow>| -> Vec<(String, u32)> {
            (0..t.len())
                .filter_map(|i| t.row(i))
                .map(|r| (r.name.clone(), r.restarts))
                .collect()
        };
        let (before, after) = (rows(0), rows(3));
        // Every tenth pod changes: 200, more than a sixteenth of the rows.
        let changes: Vec<_> = before
            .iter()
            .zip(&after)
            .step_by(10)
            .map(|(old, new)| (Some(old.clone()), Some(new.clone())))
            .collect();
        for (filter, placed) in [("web-0420", true), ("", false)] {
            let mut t: Table<PodRow> = Table::default();
            t.set_rows(before.clone());
            t.set_filter(Filter::new(filter));
            let rebuilds = t.rebuilds;
            t.apply_changes(&changes);
            assert_eq!(t.rebuilds == rebuilds, placed, "filter {filter:?}");
            let mut whole: Table<PodRow> = Table::default();
            let mut model = before.clone();
            for (old, new) in &changes {
                if let (Some(old), Some(new)) = (old, new) {
                    let i = model.iter().position(|r| r.uid == old.uid).unwrap_or(0);
                    model[i] = new.clone();
                }
            }
            whole.set_rows(model);
            whole.set_filter(Filter::new(filter));
            assert_eq!(shown(&t), shown(&whole), "filter {filter:?}");
        }
    }

    #[test]
    fn several_clusters_add_a_cluster_column_that_sorts_filters_and_keeps_the_cursor() {
        use crate::app::fixture::pod;
        use crate::kube::pod_row::{Health, PodRow};
        let in_cluster = |c: &str, name: &str| {
            Arc::new(PodRow {
                cluster: ClusterId::new(c),
                ..(*pod("demo", name, "Running", Health::Ok, 0)).clone()
            })
        };
        let rows = vec![
            in_cluster("us", "web"),
            in_cluster("eu", "web"),
            in_cluster("eu", "api"),
        ];
        let mut t: Table<PodRow> = Table::default();
        t.set_rows(rows.clone());
        let base = t.columns().len();
        let sorted_by = t.columns()[t.sort].title.clone();
        t.set_by_cluster(true);
        assert_eq!(t.columns().len(), base + 1);
        assert_eq!(t.columns()[0].title, "CLUSTER");
        assert_eq!(
            t.columns()[t.sort].title,
            sorted_by,
            "the sort stays on its column"
        );
        let now = Timestamp::UNIX_EPOCH;
        let cells = |t: &Table<PodRow>| -> Vec<(String, String)> {
            (0..t.len())
                .filter_map(|i| t.row(i))
                .map(|r| (t.cell(r, 0, now), r.name.clone()))
                .collect()
        };
        // Sorted by CLUSTER (key 1), then the row's own order.
        t.sort_by(0);
        assert_eq!(
            cells(&t),
            [
                ("eu".into(), "api".into()),
                ("eu".into(), "web".into()),
                ("us".into(), "web".into())
            ]
        );
        // The cursor on us's web stays on it, not on eu's web of the same name and uid.
        t.select(2);
        t.sort_by(0);
        assert_eq!(
            t.selected_row().map(|r| r.cluster.to_string()),
            Some("us".into())
        );
        t.set_rows(rows);
        assert_eq!(
            t.selected_row().map(|r| r.cluster.to_string()),
            Some("us".into())
        );
        t.set_filter(Filter::new("cluster=eu"));
        assert_eq!(t.len(), 2);
        t.set_filter(Filter::new("us"));
        assert_eq!(
            cells(&t),
            [("us".to_string(), "web".to_string())],
            "text matches the cluster"
        );
        t.set_filter(Filter::default());
        // One cluster again: the column goes, the sort back on the same column.
        t.set_by_cluster(false);
        assert_eq!(t.columns().len(), base);
    }

    #[test]
    fn the_cursor_keeps_its_object_and_its_place_on_the_screen() {
        let mut t: Table<NamespaceRow> = Table::default();
        let names: Vec<String> = (10..40).map(|i| format!("ns-{i:02}")).collect();
        t.set_rows(names.iter().map(|n| ns(n)).collect());
        t.select(5);
        t.scroll_into_view(10);
        assert_eq!(t.selected - t.offset, 5);
        // Three rows arrive before it: it moves down the list, not on the screen.
        let more: Vec<_> = ["ns-01", "ns-02", "ns-03"]
            .into_iter()
            .map(ns)
            .chain(names.iter().map(|n| ns(n)))
            .collect();
        t.set_rows(more);
        t.scroll_into_view(10);
        assert_eq!(t.selected_row().map(|r| r.name.as_str()), Some("ns-15"));
        assert_eq!(t.selected - t.offset, 5, "the same place on the screen");
    }

    /// A filter typed key by key (and taken back) shows at each step what a table given that
    /// filter at once shows, in the same order, with the cursor on its object while shown.
    #[test]
    fn a_filter_typed_key_by_key_shows_what_a_fresh_one_does() {
        use crate::app::fixture::pod;
        use crate::kube::pod_row::{Health, PodRow};
        let mut rng = fastrand::Rng::with_seed(7);
        let rows: Vec<Arc<PodRow>> = (0..300)
            .map(|i| {
                let (status, health) = [
                    ("Running", Health::Ok),
                    ("Pending", Health::Pending),
                    ("Error", Health::Error),
                ][i % 3];
                let ns = ["demo", "ci", "payments"][i % 7 % 3];
                pod(ns, &format!("pod-{i:03}"), status, health, rng.u32(..9))
            })
            .collect();
        let steps = [
            "p",
            "po",
            "pod-0",
            "pod-01",
            "pod-0",
            "o",
            "od-1",
            "od-12",
            "",
            "Run",
            "Running",
            "runn",
            "!ci",
            "!cip",
            "ci",
            "c",
            "-l app=web",
            "-l app=web x",
            "^pod-1",
            "^pod-12",
            "pod-1",
            "",
        ];
        let columns = Table::<PodRow>::default().columns().len();
        for col in [0, columns - 1] {
            let mut t: Table<PodRow> = Table::default();
            t.sort_by_col(col, false);
            t.set_rows(rows.clone());
            t.select(40);
            for text in steps {
                let cursor = t.selected_row().map(|r| r.name.clone());
                t.set_filter(Filter::new(text));
                let mut fresh: Table<PodRow> = Table::default();
                fresh.sort_by_col(col, false);
                fresh.set_rows(rows.clone());
                fresh.set_filter(Filter::new(text));
                let shown = |t: &Table<PodRow>| -> Vec<String> {
                    (0..t.len())
                        .filter_map(|i| t.row(i).map(|r| r.name.clone()))
                        .collect()
                };
                assert_eq!(shown(&t), shown(&fresh), "filter {text:?}, column {col}");
                if let Some(c) = cursor
                    && shown(&t).contains(&c)
                {
                    assert_eq!(
                        t.selected_row().map(|r| r.name.clone()),
                        Some(c),
                        "{text:?}"
                    );
                }
            }
        }
    }

    /// Rows replaced in place are placed again one by one: the view must be exactly the one a
    /// full sort gives, under every column, with and without a filter, and the cursor stays on
    /// its object.
    #[test]
    fn rows_replaced_in_place_land_where_a_full_sort_puts_them() {
        use crate::app::fixture::pod;
        use crate::kube::pod_row::{Health, PodRow};
        let mut rng = fastrand::Rng::with_seed(19);
        let statuses = [
            ("Running", Health::Ok),
            ("Pending", Health::Pending),
            ("CrashLoopBackOff", Health::Error),
        ];
        let make = |i: usize, rng: &mut fastrand::Rng| {
            let (status, health) = statuses[rng.usize(..statuses.len())];
            let ns = ["demo", "ci", "payments"][i % 3];
            pod(ns, &format!("pod-{i:03}"), status, health, rng.u32(..9))
        };
        let mut rows: Vec<Arc<PodRow>> = (0..400).map(|i| make(i, &mut rng)).collect();
        let columns = Table::<PodRow>::default().columns().len();
        for filter in ["", "Running", "!ci"] {
            for col in 0..columns {
                let mut t: Table<PodRow> = Table::default();
                t.set_filter(Filter::new(filter));
                t.sort_by_col(col, col % 2 == 1);
                t.set_rows(rows.clone());
                t.select(t.len() / 2);
                for _ in 0..20 {
                    let cursor = t.selected_row().map(|r| r.name.clone());
                    for _ in 0..rng.usize(1..6) {
                        let i = rng.usize(..rows.len());
                        rows[i] = make(i, &mut rng);
                    }
                    t.set_rows(rows.clone());
                    let mut full: Table<PodRow> = Table::default();
                    full.set_filter(Filter::new(filter));
                    full.sort_by_col(col, col % 2 == 1);
                    full.set_rows(rows.clone());
                    let shown = |t: &Table<PodRow>| -> Vec<String> {
                        (0..t.len())
                            .filter_map(|i| t.row(i).map(|r| format!("{}/{}", r.name, r.status)))
                            .collect()
                    };
                    assert_eq!(shown(&t), shown(&full), "filter {filter:?}, column {col}");
                    let still_shown =
                        (0..t.len()).any(|i| t.row(i).map(|r| &r.name) == cursor.as_ref());
                    if still_shown {
                        assert_eq!(t.selected_row().map(|r| r.name.clone()), cursor);
                    }
                }
            }
        }
    }
}
