//! Colours as the terminal can show them: the 16 basic colours are sent as the basic SGR codes
//! (`31`, not `38;5;1`, which terminals treat differently: bold brightening, 16-colour themes),
//! and 256-colour or RGB colours are brought down to what the terminal (or the theme) allows.
//! Used by the themes and by the terminal panes.

use ratatui::style::{Color, Style};

/// How many colours may be drawn: the lesser of what the theme is made for and what the
/// terminal says it shows. Terminal panes degrade the programs' colours to this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Depth {
    None,
    Ansi16,
    Ansi256,
    TrueColor,
}

impl Depth {
    /// What the terminal shows, from the environment (`COLORTERM`, `TERM`), as most tools guess.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> Self {
        let term = term.unwrap_or_default();
        if term == "dumb" {
            return Depth::None;
        }
        if matches!(colorterm, Some("truecolor" | "24bit")) {
            return Depth::TrueColor;
        }
        if term.contains("256color") || term.contains("direct") {
            return Depth::Ansi256;
        }
        Depth::Ansi16
    }
}

/// The xterm palette, for turning 256-colour and RGB colours into fewer.
pub fn xterm_rgb(i: u8) -> (u8, u8, u8) {
    const BASE: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    match i {
        0..=15 => BASE[usize::from(i)],
        16..=231 => {
            let n = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (level(n / 36), level((n / 6) % 6), level(n % 6))
        }
        _ => {
            let g = 8 + (i - 232) * 10;
            (g, g, g)
        }
    }
}

/// The index among `candidates` closest to `rgb`.
pub fn nearest(rgb: (u8, u8, u8), candidates: impl Iterator<Item = u8>) -> u8 {
    let d = |a: (u8, u8, u8), b: (u8, u8, u8)| {
        let s = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
        s(a.0, b.0) + s(a.1, b.1) + s(a.2, b.2)
    };
    candidates
        .min_by_key(|&c| d(rgb, xterm_rgb(c)))
        .unwrap_or(7)
}

/// One of the 16 basic colours by its index, as the named colour (sent as SGR 30–37, 90–97).
pub fn basic(i: u8) -> Color {
    match i {
        0 => Color::Black,
        1 => Color::Red,
        2 => Color::Green,
        3 => Color::Yellow,
        4 => Color::Blue,
        5 => Color::Magenta,
        6 => Color::Cyan,
        7 => Color::Gray,
        8 => Color::DarkGray,
        9 => Color::LightRed,
        10 => Color::LightGreen,
        11 => Color::LightYellow,
        12 => Color::LightBlue,
        13 => Color::LightMagenta,
        14 => Color::LightCyan,
        _ => Color::White,
    }
}

/// An indexed colour at `depth`.
pub fn indexed(i: u8, depth: Depth) -> Option<Color> {
    match depth {
        Depth::None => None,
        _ if i < 16 => Some(basic(i)),
        Depth::Ansi16 => Some(basic(nearest(xterm_rgb(i), 0..16))),
        _ => Some(Color::Indexed(i)),
    }
}

/// An RGB colour at `depth`.
pub fn rgb(r: u8, g: u8, b: u8, depth: Depth) -> Option<Color> {
    match depth {
        Depth::None => None,
        Depth::TrueColor => Some(Color::Rgb(r, g, b)),
        Depth::Ansi256 => Some(Color::Indexed(nearest((r, g, b), 16..=255))),
        Depth::Ansi16 => Some(basic(nearest((r, g, b), 0..16))),
    }
}

/// A colour as `depth` can show it (`None`: no colour at all).
pub fn degrade(c: Color, depth: Depth) -> Option<Color> {
    match c {
        Color::Reset => Some(Color::Reset),
        Color::Indexed(i) => indexed(i, depth),
        Color::Rgb(r, g, b) => rgb(r, g, b, depth),
        named => (depth != Depth::None).then_some(named),
    }
}

/// A style whose colours `depth` can show.
pub fn degrade_style(s: Style, depth: Depth) -> Style {
    let mut out = s;
    out.fg = s.fg.and_then(|c| degrade(c, depth));
    out.bg = s.bg.and_then(|c| degrade(c, depth));
    out.underline_color = s.underline_color.and_then(|c| degrade(c, depth));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_colours_stay_basic_and_others_come_down_to_the_depth() {
        assert_eq!(
            degrade(Color::Indexed(1), Depth::TrueColor),
            Some(Color::Red)
        );
        assert_eq!(
            degrade(Color::Indexed(9), Depth::Ansi16),
            Some(Color::LightRed)
        );
        assert_eq!(
            degrade(Color::Indexed(196), Depth::Ansi256),
            Some(Color::Indexed(196))
        );
        assert_eq!(
            degrade(Color::Indexed(196), Depth::Ansi16),
            Some(Color::LightRed)
        );
        assert_eq!(
            degrade(Color::Rgb(175, 95, 0), Depth::Ansi256),
            Some(Color::Indexed(130))
        );
        assert!(matches!(
            degrade(Color::Rgb(175, 95, 0), Depth::Ansi16),
            Some(c) if !matches!(c, Color::Indexed(_) | Color::Rgb(..))
        ));
        assert_eq!(degrade(Color::Green, Depth::None), None);
        assert_eq!(degrade(Color::Green, Depth::Ansi16), Some(Color::Green));
    }
}
