//! Attributes ratatui's cells have no room for (the underline's style: double, curly, dotted,
//! dashed; overline), carried as zero-width marks at the end of a cell's symbol and drawn by
//! `ExtendedBackend`, which writes them as SGR (`4:N`, `53`) around the cell and takes the marks
//! off. A terminal pane sets them for what its program drew; text from outside cannot forge them
//! (the sanitiser drops these code points).

use std::borrow::Cow;
use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::Modifier;

use crate::pty::emulator::marks::UnderlineStyle;

const OVERLINE: char = '\u{E01E0}';
/// Double, curly, dotted, dashed.
const STYLES: [char; 4] = ['\u{E01E1}', '\u{E01E2}', '\u{E01E3}', '\u{E01E4}'];

fn is_mark(c: char) -> bool {
    c == OVERLINE || STYLES.contains(&c)
}

/// What a cell draws beyond ratatui's modifiers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extra {
    /// The underline's style (when the cell is `UNDERLINED`).
    pub underline: UnderlineStyle,
    pub overline: bool,
}

impl Extra {
    fn is_plain(&self) -> bool {
        *self == Self::default()
    }
}

/// `symbol` with the marks for `extra` appended.
pub fn marked(symbol: &str, extra: Extra) -> Cow<'_, str> {
    if extra.is_plain() {
        return Cow::Borrowed(symbol);
    }
    let mut s = symbol.to_string();
    if extra.overline {
        s.push(OVERLINE);
    }
    if extra.underline != UnderlineStyle::Single
        && let Some(c) = STYLES.get(usize::from(extra.underline.sub()) - 2)
    {
        s.push(*c);
    }
    Cow::Owned(s)
}

/// A symbol without its marks, and what they say.
pub fn split(symbol: &str) -> (Cow<'_, str>, Extra) {
    if !symbol.chars().any(is_mark) {
        return (Cow::Borrowed(symbol), Extra::default());
    }
    let mut extra = Extra::default();
    let mut text = String::with_capacity(symbol.len());
    for c in symbol.chars() {
        if c == OVERLINE {
            extra.overline = true;
        } else if let Some(i) = STYLES.iter().position(|s| *s == c) {
            extra.underline = UnderlineStyle::from_sub(i as u16 + 2);
        } else {
            text.push(c);
        }
    }
    (Cow::Owned(text), extra)
}

/// ratatui's crossterm backend, drawing the cells that carry marks with their extra attributes.
pub struct ExtendedBackend<W: Write> {
    inner: CrosstermBackend<W>,
}

impl<W: Write> ExtendedBackend<W> {
    pub fn new(writer: W) -> Self {
        Self {
            inner: CrosstermBackend::new(writer),
        }
    }
}

impl<W: Write> Write for ExtendedBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

impl<W: Write> Backend for ExtendedBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        // Plain cells go to crossterm's backend in runs; a marked one on its own, after its
        // extra SGR (crossterm's draw sets attributes without resetting, and resets at its end).
        let mut run: Vec<(u16, u16, &Cell)> = Vec::new();
        for (x, y, cell) in content {
            let (text, extra) = split(cell.symbol());
            if extra.is_plain() {
                run.push((x, y, cell));
                continue;
            }
            self.inner.draw(run.drain(..))?;
            let mut plain = cell.clone();
            plain.set_symbol(&text);
            let mut sgr = Vec::new();
            if cell.modifier.contains(Modifier::UNDERLINED)
                && extra.underline != UnderlineStyle::Single
            {
                plain.modifier.remove(Modifier::UNDERLINED);
                sgr.push(format!("4:{}", extra.underline.sub()));
            }
            if extra.overline {
                sgr.push("53".into());
            }
            if !sgr.is_empty() {
                write!(self.inner, "\x1b[{}m", sgr.join(";"))?;
            }
            self.inner.draw(std::iter::once((x, y, &plain)))?;
        }
        self.inner.draw(run.into_iter())
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// What the backend writes, kept where the test can read it.
    #[derive(Clone, Default)]
    struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn drawn(cells: &[(&str, Modifier)]) -> String {
        let out = Shared::default();
        let mut b = ExtendedBackend::new(out.clone());
        let cells: Vec<Cell> = cells
            .iter()
            .map(|(s, m)| {
                let mut c = Cell::default();
                c.set_symbol(s);
                c.modifier = *m;
                c
            })
            .collect();
        b.draw(cells.iter().enumerate().map(|(x, c)| (x as u16, 0, c)))
            .unwrap();
        Backend::flush(&mut b).unwrap();
        String::from_utf8(out.0.borrow().clone()).unwrap()
    }

    #[test]
    fn marks_round_trip_and_plain_symbols_stay_borrowed() {
        let e = Extra {
            underline: UnderlineStyle::Dashed,
            overline: true,
        };
        let s = marked("x", e);
        assert_eq!(split(&s), (Cow::Owned("x".into()), e));
        assert!(matches!(marked("y", Extra::default()), Cow::Borrowed("y")));
        assert!(matches!(split("plain").0, Cow::Borrowed(_)));
    }

    #[test]
    fn curly_underline_and_overline_are_written_and_their_marks_are_not() {
        let curly = marked(
            "c",
            Extra {
                underline: UnderlineStyle::Curly,
                overline: false,
            },
        );
        let over = marked(
            "o",
            Extra {
                underline: UnderlineStyle::Single,
                overline: true,
            },
        );
        let out = drawn(&[
            ("a", Modifier::empty()),
            (&curly, Modifier::UNDERLINED),
            (&over, Modifier::empty()),
            ("b", Modifier::UNDERLINED),
        ]);
        assert!(out.contains("\x1b[4:3m"), "{out:?}");
        assert!(out.contains("\x1b[53m"), "{out:?}");
        // The curly cell's plain underline is not sent over its curly one.
        let curly_at = out.find("\x1b[4:3m").unwrap();
        let c_at = out.find('c').unwrap();
        assert!(!out[curly_at..c_at].contains("\x1b[4m"), "{out:?}");
        // The plain underlined cell after it is underlined as usual.
        assert!(out[c_at..].contains("\x1b[4m"), "{out:?}");
        assert!(!out.chars().any(is_mark), "{out:?}");
        for text in ["a", "c", "o", "b"] {
            assert!(out.contains(text));
        }
    }

    #[test]
    fn a_style_without_underline_draws_nothing_extra() {
        let s = marked(
            "z",
            Extra {
                underline: UnderlineStyle::Double,
                overline: false,
            },
        );
        let out = drawn(&[(&s, Modifier::empty())]);
        assert!(!out.contains("4:2") && out.contains('z'), "{out:?}");
    }
}
