//! The pane layout: a binary tree of splits whose leaves are panes (the dashboard is pane 0).
//! Pure geometry, shared by log panes and terminal panes.

use ratatui::layout::Rect;

pub type PaneId = u32;
pub const DASHBOARD: PaneId = 0;

/// How a split divides its area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Side by side.
    Columns,
    /// One above the other.
    Rows,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Leaf(PaneId),
    Split {
        dir: Dir,
        /// Percent of the area given to `a`.
        ratio: u16,
        a: Box<Node>,
        b: Box<Node>,
    },
}

const MIN_RATIO: u16 = 10;
const MAX_RATIO: u16 = 90;

impl Node {
    fn leaves(&self, out: &mut Vec<PaneId>) {
        match self {
            Node::Leaf(id) => out.push(*id),
            Node::Split { a, b, .. } => {
                a.leaves(out);
                b.leaves(out);
            }
        }
    }

    fn rects(&self, area: Rect, out: &mut Vec<(PaneId, Rect)>) {
        match self {
            Node::Leaf(id) => out.push((*id, area)),
            Node::Split { dir, ratio, a, b } => {
                let (ra, rb) = divide(area, *dir, *ratio);
                a.rects(ra, out);
                b.rects(rb, out);
            }
        }
    }

    /// Replace the leaf `target` with `with(target)`; true when found.
    fn replace_leaf(&mut self, target: PaneId, with: &mut dyn FnMut(PaneId) -> Node) -> bool {
        match self {
            Node::Leaf(id) if *id == target => {
                *self = with(*id);
                true
            }
            Node::Leaf(_) => false,
            Node::Split { a, b, .. } => {
                a.replace_leaf(target, with) || b.replace_leaf(target, with)
            }
        }
    }

    /// Remove the leaf `target`, its sibling taking the parent's place.
    fn remove(&mut self, target: PaneId) -> bool {
        let Node::Split { a, b, .. } = self else {
            return false;
        };
        if **a == Node::Leaf(target) {
            *self = std::mem::replace(b.as_mut(), Node::Leaf(DASHBOARD));
            return true;
        }
        if **b == Node::Leaf(target) {
            *self = std::mem::replace(a.as_mut(), Node::Leaf(DASHBOARD));
            return true;
        }
        a.remove(target) || b.remove(target)
    }

    /// The split directly holding `target`, and whether `target` is on its `a` side.
    fn parent_of(&mut self, target: PaneId) -> Option<(&mut Node, bool)> {
        let Node::Split { a, b, .. } = self else {
            return None;
        };
        let contains = |n: &Node| {
            let mut v = Vec::new();
            n.leaves(&mut v);
            v.contains(&target)
        };
        let (in_a, direct) = if **a == Node::Leaf(target) {
            (true, true)
        } else if **b == Node::Leaf(target) {
            (false, true)
        } else if contains(a) {
            (true, false)
        } else if contains(b) {
            (false, false)
        } else {
            return None;
        };
        if direct {
            return Some((self, in_a));
        }
        match self {
            Node::Split { a, b, .. } => {
                if in_a {
                    a.parent_of(target)
                } else {
                    b.parent_of(target)
                }
            }
            Node::Leaf(_) => None,
        }
    }
}

/// Divide `area` at `ratio` percent.
pub fn divide(area: Rect, dir: Dir, ratio: u16) -> (Rect, Rect) {
    match dir {
        Dir::Columns => {
            let wa = (u32::from(area.width) * u32::from(ratio) / 100) as u16;
            let a = Rect::new(area.x, area.y, wa, area.height);
            let b = Rect::new(area.x + wa, area.y, area.width - wa, area.height);
            (a, b)
        }
        Dir::Rows => {
            let ha = (u32::from(area.height) * u32::from(ratio) / 100) as u16;
            let a = Rect::new(area.x, area.y, area.width, ha);
            let b = Rect::new(area.x, area.y + ha, area.width, area.height - ha);
            (a, b)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    root: Node,
    pub focus: PaneId,
    pub zoomed: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            root: Node::Leaf(DASHBOARD),
            focus: DASHBOARD,
            zoomed: false,
        }
    }
}

impl Layout {
    /// Every pane in screen order (left to right, top to bottom).
    pub fn panes(&self) -> Vec<PaneId> {
        let mut v = Vec::new();
        self.root.leaves(&mut v);
        v
    }

    pub fn is_split(&self) -> bool {
        matches!(self.root, Node::Split { .. })
    }

    /// Each pane's area; only the focused pane when zoomed.
    pub fn rects(&self, area: Rect) -> Vec<(PaneId, Rect)> {
        if self.zoomed {
            return vec![(self.focus, area)];
        }
        let mut v = Vec::new();
        self.root.rects(area, &mut v);
        v
    }

    /// Split the pane `target` in two, the new pane `id` after it, and focus the new pane.
    pub fn split(&mut self, target: PaneId, id: PaneId, dir: Dir) {
        let found = self.root.replace_leaf(target, &mut |old| Node::Split {
            dir,
            ratio: 50,
            a: Box::new(Node::Leaf(old)),
            b: Box::new(Node::Leaf(id)),
        });
        if !found {
            // Unknown target: split the whole screen.
            let old = std::mem::replace(&mut self.root, Node::Leaf(DASHBOARD));
            self.root = Node::Split {
                dir,
                ratio: 50,
                a: Box::new(old),
                b: Box::new(Node::Leaf(id)),
            };
        }
        self.focus = id;
        self.zoomed = false;
    }

    /// Close a pane (never the dashboard); focus moves to its neighbour.
    pub fn close(&mut self, id: PaneId) -> bool {
        if id == DASHBOARD {
            return false;
        }
        let order = self.panes();
        let at = order.iter().position(|&p| p == id);
        if !self.root.remove(id) {
            return false;
        }
        if self.focus == id {
            let order = self.panes();
            self.focus = at
                .and_then(|i| order.get(i.saturating_sub(1)).copied())
                .unwrap_or(DASHBOARD);
            self.zoomed = false;
        }
        true
    }

    /// Focus the next (or previous) pane in screen order.
    pub fn cycle(&mut self, forward: bool) {
        let order = self.panes();
        let Some(i) = order.iter().position(|&p| p == self.focus) else {
            self.focus = DASHBOARD;
            return;
        };
        let n = order.len();
        let next = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        self.focus = order[next];
        self.zoomed = false;
    }

    /// Grow (positive) or shrink the focused pane by `step` percent of its split.
    pub fn resize(&mut self, step: i16) {
        let focus = self.focus;
        if let Some((Node::Split { ratio, .. }, in_a)) = self.root.parent_of(focus) {
            let delta = if in_a { step } else { -step };
            let r = (*ratio as i16 + delta).clamp(MIN_RATIO as i16, MAX_RATIO as i16);
            *ratio = r as u16;
        }
    }

    /// Turn the focused pane's split between side by side and stacked.
    pub fn flip(&mut self) {
        let focus = self.focus;
        if let Some((Node::Split { dir, .. }, _)) = self.root.parent_of(focus) {
            *dir = match dir {
                Dir::Columns => Dir::Rows,
                Dir::Rows => Dir::Columns,
            };
        }
    }

    pub fn toggle_zoom(&mut self) {
        self.zoomed = !self.zoomed && self.is_split();
    }
}

/// Side by side when the pane is wide enough for two readable halves, else stacked.
pub fn dir_for(area: Rect) -> Dir {
    if area.width >= 2 * 60 && area.width >= area.height * 3 {
        Dir::Columns
    } else {
        Dir::Rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: Rect = Rect {
        x: 0,
        y: 1,
        width: 160,
        height: 40,
    };

    #[test]
    fn split_divides_and_focuses_the_new_pane() {
        let mut l = Layout::default();
        assert_eq!(l.rects(AREA), [(DASHBOARD, AREA)]);
        l.split(DASHBOARD, 1, Dir::Columns);
        assert_eq!(l.focus, 1);
        assert_eq!(
            l.rects(AREA),
            [(0, Rect::new(0, 1, 80, 40)), (1, Rect::new(80, 1, 80, 40))]
        );
        l.split(1, 2, Dir::Rows);
        assert_eq!(
            l.rects(AREA),
            [
                (0, Rect::new(0, 1, 80, 40)),
                (1, Rect::new(80, 1, 80, 20)),
                (2, Rect::new(80, 21, 80, 20))
            ]
        );
        assert_eq!(l.panes(), [0, 1, 2]);
    }

    #[test]
    fn odd_sizes_cover_the_whole_area() {
        let area = Rect::new(0, 0, 81, 23);
        for dir in [Dir::Columns, Dir::Rows] {
            let (a, b) = divide(area, dir, 33);
            assert_eq!(a.union(b), area);
            assert_eq!(
                u32::from(a.width) * u32::from(a.height) + u32::from(b.width) * u32::from(b.height),
                81 * 23
            );
        }
    }

    #[test]
    fn resize_grows_the_focused_side_within_bounds() {
        let mut l = Layout::default();
        l.split(DASHBOARD, 1, Dir::Columns);
        l.resize(10);
        assert_eq!(
            l.rects(AREA)[1].1.width,
            96,
            "pane 1 is the b side: it grows"
        );
        for _ in 0..20 {
            l.resize(10);
        }
        assert_eq!(l.rects(AREA)[1].1.width, 144, "capped at 90%");
        l.cycle(true);
        assert_eq!(l.focus, DASHBOARD);
        l.resize(-100);
        assert_eq!(l.rects(AREA)[0].1.width, 16, "at least 10%");
    }

    #[test]
    fn close_gives_the_space_back() {
        let mut l = Layout::default();
        l.split(DASHBOARD, 1, Dir::Columns);
        l.split(1, 2, Dir::Rows);
        assert!(l.close(1));
        assert_eq!(
            l.rects(AREA),
            [(0, Rect::new(0, 1, 80, 40)), (2, Rect::new(80, 1, 80, 40))]
        );
        assert_eq!(l.focus, 2, "focus was elsewhere, stays");
        l.focus = 2;
        assert!(l.close(2));
        assert_eq!(l.focus, DASHBOARD);
        assert!(!l.close(DASHBOARD), "the dashboard stays");
        assert_eq!(l.rects(AREA), [(DASHBOARD, AREA)]);
    }

    #[test]
    fn zoom_flip_and_cycle() {
        let mut l = Layout::default();
        l.toggle_zoom();
        assert!(!l.zoomed, "nothing to zoom with one pane");
        l.split(DASHBOARD, 1, Dir::Columns);
        l.toggle_zoom();
        assert_eq!(l.rects(AREA), [(1, AREA)]);
        l.toggle_zoom();
        l.flip();
        assert_eq!(l.rects(AREA)[1].1, Rect::new(0, 21, 160, 20));
        l.cycle(false);
        assert_eq!(l.focus, DASHBOARD);
        l.cycle(false);
        assert_eq!(l.focus, 1);
    }

    #[test]
    fn wide_panes_split_side_by_side() {
        assert_eq!(dir_for(Rect::new(0, 0, 160, 43)), Dir::Columns);
        assert_eq!(dir_for(Rect::new(0, 0, 80, 22)), Dir::Rows);
    }
}
