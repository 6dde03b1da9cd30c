//! Attributes a vt100 cell has no room for (strikethrough, blink, bold together with dim,
//! overline, the underline's style and colour), kept as zero-width marks appended to the
//! cell's text: they move, scroll, get erased and overwritten with the cell. Whoever reads a
//! cell splits them off (`split`): the pane view turns them into styles, text for copying and
//! tests leaves them out. The marks are variation selectors no program's output keeps in a cell
//! after the emulator (`strip`), so they cannot be forged.
//!
//! A cell holds 22 bytes in all: a character of one byte leaves room for every mark, a wider
//! one may lose the last (the underline colour).

use std::borrow::Cow;

const STRIKE: char = '\u{FE00}';
const BLINK: char = '\u{FE01}';
/// Dim as well as bold (vt100 keeps one intensity).
const DIM: char = '\u{FE02}';
const OVERLINE: char = '\u{FE03}';
/// The underline styles beyond single, in `UnderlineStyle` order from `Double`.
const STYLES: [char; 4] = ['\u{FE04}', '\u{FE05}', '\u{FE06}', '\u{FE07}'];
/// The underline colour: this plus its slot in the emulator's `UnderlineColours`.
const COLOUR_BASE: u32 = 0xE0100;
const COLOUR_SLOTS: usize = 224;

fn is_mark(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE07}')
        || (COLOUR_BASE..COLOUR_BASE + COLOUR_SLOTS as u32).contains(&u32::from(c))
}

/// How an underlined cell is underlined (whether it is: vt100's own attribute).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnderlineStyle {
    #[default]
    Single,
    Double,
    Curly,
    Dotted,
    Dashed,
}

impl UnderlineStyle {
    /// `4:N`'s N for the styles beyond single (as tmux and xterm-likes number them).
    pub fn from_sub(n: u16) -> Self {
        match n {
            2 => Self::Double,
            3 => Self::Curly,
            4 => Self::Dotted,
            5 => Self::Dashed,
            _ => Self::Single,
        }
    }

    pub fn sub(self) -> u16 {
        match self {
            Self::Single => 1,
            Self::Double => 2,
            Self::Curly => 3,
            Self::Dotted => 4,
            Self::Dashed => 5,
        }
    }

    fn mark(self) -> Option<char> {
        match self {
            Self::Single => None,
            other => STYLES.get(usize::from(other.sub()) - 2).copied(),
        }
    }

    fn from_mark(c: char) -> Option<Self> {
        let i = STYLES.iter().position(|s| *s == c)?;
        Some(Self::from_sub(i as u16 + 2))
    }
}

/// The attributes the marks carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    pub strike: bool,
    pub blink: bool,
    pub dim: bool,
    pub overline: bool,
    pub underline: UnderlineStyle,
    /// The underline colour's slot in the emulator's `UnderlineColours`.
    pub underline_colour: Option<u8>,
}

impl Marks {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The marks to append after a character drawn with these attributes (the colour last: it
    /// is the one a full cell loses).
    pub fn chars(&self) -> impl Iterator<Item = char> {
        [(self.strike, STRIKE), (self.blink, BLINK), (self.dim, DIM)]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, c)| c)
            .chain(self.overline.then_some(OVERLINE))
            .chain(self.underline.mark())
            .chain(
                self.underline_colour
                    .and_then(|slot| char::from_u32(COLOUR_BASE + u32::from(slot))),
            )
    }
}

/// A cell's text without its marks, and the attributes they carry.
pub fn split(contents: &str) -> (Cow<'_, str>, Marks) {
    if !contents.chars().any(is_mark) {
        return (Cow::Borrowed(contents), Marks::default());
    }
    let mut marks = Marks::default();
    let mut text = String::with_capacity(contents.len());
    for c in contents.chars() {
        match c {
            STRIKE => marks.strike = true,
            BLINK => marks.blink = true,
            DIM => marks.dim = true,
            OVERLINE => marks.overline = true,
            c if is_mark(c) => match UnderlineStyle::from_mark(c) {
                Some(style) => marks.underline = style,
                None => marks.underline_colour = u8::try_from(u32::from(c) - COLOUR_BASE).ok(),
            },
            c => text.push(c),
        }
    }
    (Cow::Owned(text), marks)
}

/// `text` without marks (a program's own variation selectors of these ranges included).
pub fn strip(text: &str) -> Cow<'_, str> {
    split(text).0
}

/// The underline colours a screen has used, each in a slot a cell's mark names. Slots are never
/// reused while the session lives (a cell scrolled back may still name one); past 224 colours
/// new ones are not kept and underline in the text's colour.
#[derive(Debug, Clone, Default)]
pub struct UnderlineColours(Vec<vt100::Color>);

impl UnderlineColours {
    /// The slot of `colour`, given one if it has none yet.
    pub fn slot(&mut self, colour: vt100::Color) -> Option<u8> {
        if let Some(i) = self.0.iter().position(|c| *c == colour) {
            return u8::try_from(i).ok();
        }
        if self.0.len() >= COLOUR_SLOTS {
            return None;
        }
        self.0.push(colour);
        u8::try_from(self.0.len() - 1).ok()
    }

    pub fn get(&self, slot: u8) -> Option<vt100::Color> {
        self.0.get(usize::from(slot)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_round_trip() {
        let m = Marks {
            strike: true,
            dim: true,
            overline: true,
            underline: UnderlineStyle::Curly,
            underline_colour: Some(7),
            ..Marks::default()
        };
        let cell: String = std::iter::once('x').chain(m.chars()).collect();
        assert_eq!(split(&cell), (Cow::Owned("x".into()), m));
        assert_eq!(split("plain").1, Marks::default());
        assert_eq!(strip("a\u{FE00}b\u{FE05}c\u{E0100}"), "abc");
        for style in [
            UnderlineStyle::Double,
            UnderlineStyle::Curly,
            UnderlineStyle::Dotted,
            UnderlineStyle::Dashed,
        ] {
            let m = Marks {
                underline: style,
                ..Marks::default()
            };
            let cell: String = std::iter::once('y').chain(m.chars()).collect();
            assert_eq!(split(&cell).1.underline, style);
        }
    }

    #[test]
    fn colour_slots_are_kept_and_bounded() {
        let mut c = UnderlineColours::default();
        assert_eq!(c.slot(vt100::Color::Idx(1)), Some(0));
        assert_eq!(c.slot(vt100::Color::Rgb(1, 2, 3)), Some(1));
        assert_eq!(c.slot(vt100::Color::Idx(1)), Some(0));
        assert_eq!(c.get(1), Some(vt100::Color::Rgb(1, 2, 3)));
        for i in 0..=255 {
            c.slot(vt100::Color::Rgb(i, 0, 9));
        }
        assert_eq!(c.slot(vt100::Color::Rgb(9, 9, 9)), None);
        assert!(c.get(223).is_some());
    }
}
