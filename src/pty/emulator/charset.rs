//! Character sets a program can designate (`ESC ( 0`, `ESC ) 0`) and shift between (SO, SI):
//! ncurses draws its borders with the DEC special graphics set when the terminal says it can
//! (`TERM=xterm-256color` does), so `lqqqk` must show as `┌───┐`.

/// What one of G0 / G1 holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    #[default]
    Ascii,
    /// DEC special graphics (line drawing).
    DecGraphics,
}

impl Charset {
    /// The set a designation's final byte names (`0`: DEC graphics; anything else is shown as
    /// ASCII, as tmux does).
    pub fn designated(final_byte: u8) -> Self {
        if final_byte == b'0' {
            Self::DecGraphics
        } else {
            Self::Ascii
        }
    }

    /// `c` (a printable ASCII byte) as this set shows it.
    pub fn map(self, c: u8) -> Option<char> {
        match self {
            Self::Ascii => None,
            Self::DecGraphics => dec_graphics(c),
        }
    }
}

/// The DEC special graphics glyphs for 0x60..=0x7e (as xterm and tmux draw them).
fn dec_graphics(c: u8) -> Option<char> {
    const TABLE: [char; 31] = [
        '◆', '▒', '␉', '␌', '␍', '␊', '°', '±', '␤', '␋', '┘', '┐', '┌', '└', '┼', '⎺', '⎻', '─',
        '⎼', '⎽', '├', '┤', '┴', '┬', '│', '≤', '≥', 'π', '≠', '£', '·',
    ];
    match c {
        0x60..=0x7e => TABLE.get(usize::from(c - 0x60)).copied(),
        _ => None,
    }
}

/// G0 and G1 and which is shifted in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Charsets {
    pub g0: Charset,
    pub g1: Charset,
    /// SO selected G1; SI goes back to G0.
    pub shifted_out: bool,
}

impl Charsets {
    pub fn active(&self) -> Charset {
        if self.shifted_out { self.g1 } else { self.g0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_in_dec_graphics() {
        let g = Charset::DecGraphics;
        let line: String = b"lqqk".iter().filter_map(|&c| g.map(c)).collect();
        assert_eq!(line, "┌──┐");
        let line: String = b"mqvj".iter().filter_map(|&c| g.map(c)).collect();
        assert_eq!(line, "└─┴┘");
        assert_eq!(g.map(b'x'), Some('│'));
        assert_eq!(g.map(b'n'), Some('┼'));
        assert_eq!(g.map(b'A'), None, "letters below 0x60 stay");
        assert_eq!(Charset::Ascii.map(b'q'), None);
    }
}
