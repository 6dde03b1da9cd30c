//! SGR (`CSI … m`) as vt100 can take it. vt100 stops at the first attribute it does not know and
//! drops every one after it (`CSI 1;9;31m` would lose the red), so a sequence is rewritten to
//! what it knows: curly and double underline become underline, colon colour forms the
//! semicolon ones, and attributes a vt100 cell cannot hold are taken out: the emulator keeps
//! conceal (concealed text is drawn as blanks, as tmux shows it), strikethrough, blink and bold
//! with dim itself (as marks in the cells, see `marks`); overline, the underline colour and
//! fonts are dropped.

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
            (3 | 4 | 7 | 23 | 24 | 27 | 30..=37 | 39 | 40..=47 | 49 | 90..=97 | 100..=107, 1) => {
                out.push(head.to_string());
            }
            (9, _) => r.strike = Some(true),
            (29, _) => r.strike = Some(false),
            (5 | 6, _) => r.blink = Some(true),
            (25, _) => r.blink = Some(false),
            // Curly, dotted, dashed, double underline (4:N), and 21: shown as underline.
            (4, _) => out.push(if p.get(1) == Some(&0) { "24" } else { "4" }.into()),
            (21, _) => out.push("4".into()),
            (8, _) => r.conceal = Some(true),
            (28, _) => r.conceal = Some(false),
            // Colours: the colon forms (38:5:N, 38:2::R:G:B or 38:2:R:G:B), then the
            // semicolon ones, which take the next parameters.
            (38 | 48, n) if n > 1 => {
                if let Some(c) = colour_from(&p[1..]) {
                    out.push(format!("{head};{c}"));
                }
            }
            (38 | 48, _) => {
                let rest: Vec<u16> = params[i + 1..]
                    .iter()
                    .map(|q| q.first().copied().unwrap_or(0))
                    .collect();
                let (used, colour) = match rest.first() {
                    Some(5) => (2, rest.get(1).map(|n| format!("5;{n}"))),
                    Some(2) => (
                        4,
                        (rest.len() >= 4).then(|| format!("2;{};{};{}", rest[1], rest[2], rest[3])),
                    ),
                    _ => (0, None),
                };
                if let Some(c) = colour {
                    out.push(format!("{head};{c}"));
                }
                i += used;
            }
            // Underline colour: its own parameters are skipped, the colour is not kept.
            (58, 1) => {
                i += match params.get(i + 1).and_then(|q| q.first()) {
                    Some(5) => 2,
                    Some(2) => 4,
                    _ => 0,
                };
            }
            // Blink, strikethrough, overline, fonts, frames, underline colour (colon form)…
            _ => {}
        }
        i += 1;
    }
    r.params = (!out.is_empty()).then(|| out.join(";"));
    r
}

/// `5:N` or `2::R:G:B` / `2:R:G:B` as vt100's semicolon form.
fn colour_from(sub: &[u16]) -> Option<String> {
    match sub {
        [5, n] => Some(format!("5;{n}")),
        [2, _, r, g, b] | [2, r, g, b] => Some(format!("2;{r};{g};{b}")),
        _ => None,
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
    fn conceal_is_tracked_and_reset() {
        assert_eq!(sgr("8"), (None, Some(true)));
        assert_eq!(sgr("28;1"), (Some("1".into()), Some(false)));
        assert_eq!(sgr("0"), (Some("0".into()), Some(false)));
        assert_eq!(sgr(""), (Some("0".into()), Some(false)));
    }
}
