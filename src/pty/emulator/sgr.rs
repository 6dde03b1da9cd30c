//! SGR (`CSI … m`) as vt100 can take it. vt100 stops at the first attribute it does not know and
//! drops every one after it (`CSI 1;9;31m` would lose the red), so a sequence is rewritten to
//! what it knows: curly and double underline become underline, colon colour forms the
//! semicolon ones, and attributes a vt100 cell cannot hold are taken out: the emulator keeps
//! conceal (concealed text is drawn as blanks, as tmux shows it), strikethrough, blink, bold
//! with dim, overline, the underline's style and its colour itself (as marks in the cells, see
//! `marks`); fonts and frames are dropped.

use super::marks::UnderlineStyle;

/// One SGR sequence, rewritten.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rewritten {
    /// The parameters to send to vt100 (`None`: nothing left to send).
    pub params: Option<String>,
    /// What the sequence did to the attributes the emulator keeps itself (`Some(on)`).
    pub conceal: Option<bool>,
    pub strike: Option<bool>,
    pub blink: Option<bool>,
    pub bold: Option<bool>,
    pub dim: Option<bool>,
    pub overline: Option<bool>,
    /// The underline's style when it is set or reset (on or off: vt100's own attribute).
    pub underline: Option<UnderlineStyle>,
    /// The underline colour set (`Some(Some)`) or back to the text's (`Some(None)`).
    pub underline_colour: Option<Option<vt100::Color>>,
}

/// Parse `1;38:2::10:20:30;4:3` into parameters and their sub-parameters (empty = 0).
pub fn parse(text: &str) -> Vec<Vec<u16>> {
    text.split(';')
        .map(|p| {
            p.split(':')
                .map(|s| s.parse::<u16>().unwrap_or(0))
                .collect()
        })
        .collect()
}

pub fn rewrite(params: &[Vec<u16>]) -> Rewritten {
    let mut out: Vec<String> = Vec::new();
    let mut r = Rewritten::default();
    let mut i = 0;
    while i < params.len() {
        let p = &params[i];
        let head = p.first().copied().unwrap_or(0);
        match (head, p.len()) {
            (0, _) => {
                out.push("0".into());
                r.conceal = Some(false);
                r.strike = Some(false);
                r.blink = Some(false);
                r.bold = Some(false);
                r.dim = Some(false);
                r.overline = Some(false);
                r.underline = Some(UnderlineStyle::Single);
                r.underline_colour = Some(None);
            }
            (1, 1) => {
                out.push("1".into());
                r.bold = Some(true);
            }
            (2, 1) => {
                out.push("2".into());
                r.dim = Some(true);
            }
            (22, 1) => {
                out.push("22".into());
                r.bold = Some(false);
                r.dim = Some(false);
            }
            (4 | 24, 1) => {
                out.push(head.to_string());
                r.underline = Some(UnderlineStyle::Single);
            }
            (3 | 7 | 23 | 27 | 30..=37 | 39 | 40..=47 | 49 | 90..=97 | 100..=107, 1) => {
                out.push(head.to_string());
            }
            (9, _) => r.strike = Some(true),
            (29, _) => r.strike = Some(false),
            (5 | 6, _) => r.blink = Some(true),
            (25, _) => r.blink = Some(false),
            // Curly, dotted, dashed, double underline (4:N), and 21 (double, as tmux takes
            // it): an underline to vt100, the style a mark.
            (4, _) => {
                let sub = p.get(1).copied().unwrap_or(1);
                out.push(if sub == 0 { "24" } else { "4" }.into());
                r.underline = Some(UnderlineStyle::from_sub(sub));
            }
            (21, _) => {
                out.push("4".into());
                r.underline = Some(UnderlineStyle::Double);
            }
            (53, _) => r.overline = Some(true),
            (55, _) => r.overline = Some(false),
            (8, _) => r.conceal = Some(true),
            (28, _) => r.conceal = Some(false),
            // Colours: the colon forms (38:5:N, 38:2::R:G:B or 38:2:R:G:B), then the
            // semicolon ones, which take the next parameters.
            (38 | 48 | 58, n) => {
                let colour = if n > 1 {
                    colour_from(&p[1..])
                } else {
                    let rest: Vec<u16> = params[i + 1..]
                        .iter()
                        .map(|q| q.first().copied().unwrap_or(0))
                        .collect();
                    let (used, colour) = match rest.as_slice() {
                        [5, n, ..] => (2, Some(indexed(*n))),
                        [5] => (1, None),
                        [2, r, g, b, ..] => (4, Some(rgb(*r, *g, *b))),
                        _ => (0, None),
                    };
                    i += used;
                    colour
                };
                match (head, colour) {
                    (58, c) => r.underline_colour = c.map(Some),
                    (_, Some(c)) => out.push(format!("{head};{}", semicolon_form(c))),
                    (_, None) => {}
                }
            }
            (59, _) => r.underline_colour = Some(None),
            // Fonts, frames, …
            _ => {}
        }
        i += 1;
    }
    r.params = (!out.is_empty()).then(|| out.join(";"));
    r
}

/// `5:N` or `2::R:G:B` / `2:R:G:B`.
fn colour_from(sub: &[u16]) -> Option<vt100::Color> {
    match sub {
        [5, n] => Some(indexed(*n)),
        [2, _, r, g, b] | [2, r, g, b] => Some(rgb(*r, *g, *b)),
        _ => None,
    }
}

fn byte(n: u16) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

fn indexed(n: u16) -> vt100::Color {
    vt100::Color::Idx(byte(n))
}

fn rgb(r: u16, g: u16, b: u16) -> vt100::Color {
    vt100::Color::Rgb(byte(r), byte(g), byte(b))
}

/// A colour as vt100 takes it after `38;` or `48;`.
fn semicolon_form(c: vt100::Color) -> String {
    match c {
        vt100::Color::Idx(n) => format!("5;{n}"),
        vt100::Color::Rgb(r, g, b) => format!("2;{r};{g};{b}"),
        vt100::Color::Default => "9".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sgr(text: &str) -> (Option<String>, Option<bool>) {
        let r = rewrite(&parse(text));
        (r.params, r.conceal)
    }

    #[test]
    fn strike_blink_and_intensity_are_reported() {
        let r = rewrite(&parse("1;2;9;5"));
        assert_eq!(r.params.as_deref(), Some("1;2"));
        assert_eq!(
            (r.bold, r.dim, r.strike, r.blink),
            (Some(true), Some(true), Some(true), Some(true))
        );
        let r = rewrite(&parse("22;29;25"));
        assert_eq!(
            (r.bold, r.dim, r.strike, r.blink),
            (Some(false), Some(false), Some(false), Some(false))
        );
    }

    #[test]
    fn attributes_after_an_unknown_one_are_kept() {
        assert_eq!(sgr("1;9;31"), (Some("1;31".into()), None));
        assert_eq!(sgr("5;4:3;58:2::255:0:0;32"), (Some("4;32".into()), None));
        assert_eq!(sgr("21"), (Some("4".into()), None));
        assert_eq!(sgr("4:0"), (Some("24".into()), None));
        assert_eq!(sgr("53;9"), (None, None));
    }

    #[test]
    fn colours_in_both_forms() {
        assert_eq!(sgr("38;5;196;1"), (Some("38;5;196;1".into()), None));
        assert_eq!(sgr("38:5:196"), (Some("38;5;196".into()), None));
        assert_eq!(sgr("48:2::10:20:30"), (Some("48;2;10;20;30".into()), None));
        assert_eq!(sgr("38;2;1;2;3;7"), (Some("38;2;1;2;3;7".into()), None));
        assert_eq!(sgr("58;5;3;31"), (Some("31".into()), None));
    }

    #[test]
    fn underline_styles_overline_and_colour_are_reported() {
        let r = rewrite(&parse("4:3;53;58:2::255:0:0"));
        assert_eq!(r.params.as_deref(), Some("4"));
        assert_eq!(r.underline, Some(UnderlineStyle::Curly));
        assert_eq!(r.overline, Some(true));
        assert_eq!(r.underline_colour, Some(Some(vt100::Color::Rgb(255, 0, 0))));
        let r = rewrite(&parse("21;58;5;9"));
        assert_eq!(r.underline, Some(UnderlineStyle::Double));
        assert_eq!(r.underline_colour, Some(Some(vt100::Color::Idx(9))));
        let r = rewrite(&parse("24;55;59"));
        assert_eq!(r.params.as_deref(), Some("24"));
        assert_eq!(
            (r.underline, r.overline, r.underline_colour),
            (Some(UnderlineStyle::Single), Some(false), Some(None))
        );
        let r = rewrite(&parse("0"));
        assert_eq!(r.underline_colour, Some(None));
        // A colour cut short takes nothing after it.
        assert_eq!(sgr("38;5"), (None, None));
    }

    #[test]
    fn conceal_is_tracked_and_reset() {
        assert_eq!(sgr("8"), (None, Some(true)));
        assert_eq!(sgr("28;1"), (Some("1".into()), Some(false)));
        assert_eq!(sgr("0"), (Some("0".into()), Some(false)));
        assert_eq!(sgr(""), (Some("0".into()), Some(false)));
    }
}
