//! Attributes a vt100 cell has no room for (strikethrough, blink, bold together with dim),
//! kept as zero-width marks appended to the cell's text: they move, scroll, get erased and
//! overwritten with the cell. Whoever reads a cell splits them off (`split`): the pane view
//! turns them into styles, text for copying and tests leaves them out. The marks are variation
//! selectors no program's output keeps in a cell after the emulator (`strip`), so they cannot
//! be forged.

use std::borrow::Cow;

const STRIKE: char = '\u{FE00}';
const BLINK: char = '\u{FE01}';
/// Dim as well as bold (vt100 keeps one intensity).
const DIM: char = '\u{FE02}';

fn is_mark(c: char) -> bool {
    matches!(c, STRIKE | BLINK | DIM)
}

/// The attributes the marks carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    pub strike: bool,
    pub blink: bool,
    pub dim: bool,
}

impl Marks {
    pub fn is_empty(&self) -> bool {
        !(self.strike || self.blink || self.dim)
    }

    /// The marks to append after a character drawn with these attributes.
    pub fn chars(&self) -> impl Iterator<Item = char> {
        [(self.strike, STRIKE), (self.blink, BLINK), (self.dim, DIM)]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, c)| c)
    }
}

/// A cell's text without its marks, and the attributes they carry.
pub fn split(contents: &str) -> (Cow<'_, str>, Marks) {
    if !contents.chars().any(is_mark) {
        return (Cow::Borrowed(contents), Marks::default());
    }
    let marks = Marks {
        strike: contents.contains(STRIKE),
        blink: contents.contains(BLINK),
        dim: contents.contains(DIM),
    };
    (
        Cow::Owned(contents.chars().filter(|c| !is_mark(*c)).collect()),
        marks,
    )
}

/// `text` without marks (a program's own variation selectors of this range included).
pub fn strip(text: &str) -> Cow<'_, str> {
    split(text).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_round_trip() {
        let m = Marks {
            strike: true,
            blink: false,
            dim: true,
        };
        let cell: String = std::iter::once('x').chain(m.chars()).collect();
        assert_eq!(split(&cell), (Cow::Owned("x".into()), m));
        assert_eq!(split("plain").1, Marks::default());
        assert_eq!(strip("a\u{FE00}b"), "ab");
    }
}
