//! A terminal pane: a session's `vt100` screen drawn cell by cell into ratatui's buffer, inside a
//! border titled with the session's target and state. Colours are degraded to what the outer
//! terminal (and the theme) can show; wide characters take two cells; the cursor is placed
//! where the program left it when the pane has the focus and the program shows it.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::theme::{Depth, Theme};
use crate::app::sessions::{SessionInfo, TermPane};
use crate::pty::emulator::marks::{Marks, UnderlineColours};
use crate::pty::session::SessionState;
use crate::term_out::extended::{Extra, marked};

/// The part of a pane's area the program draws in (inside the border).
pub fn inner(area: Rect) -> Rect {
    Block::default().borders(Borders::ALL).inner(area)
}

/// A vt100 colour as the outer terminal can show it (basic colours as basic SGR codes).
pub fn color(c: vt100::Color, depth: Depth) -> Option<Color> {
    match c {
        vt100::Color::Default => None,
        vt100::Color::Idx(i) => super::palette::indexed(i, depth),
        vt100::Color::Rgb(r, g, b) => super::palette::rgb(r, g, b, depth),
    }
}

fn cell_style(cell: &vt100::Cell, marks: Marks, colours: &UnderlineColours, depth: Depth) -> Style {
    let mut style = Style::default();
    if cell.underline()
        && let Some(c) = marks
            .underline_colour
            .and_then(|slot| colours.get(slot))
            .and_then(|c| color(c, depth))
    {
        style = style.underline_color(c);
    }
    if let Some(fg) = color(cell.fgcolor(), depth) {
        style = style.fg(fg);
    }
    if let Some(bg) = color(cell.bgcolor(), depth) {
        style = style.bg(bg);
    }
    let mut m = Modifier::empty();
    m.set(Modifier::BOLD, cell.bold());
    m.set(Modifier::DIM, cell.dim());
    m.set(Modifier::ITALIC, cell.italic());
    m.set(Modifier::UNDERLINED, cell.underline());
    m.set(Modifier::REVERSED, cell.inverse());
    // What vt100 has no room for, from the emulator's marks.
    m.set(Modifier::CROSSED_OUT, marks.strike);
    m.set(Modifier::SLOW_BLINK, marks.blink);
    if marks.dim {
        m.insert(Modifier::DIM);
    }
    style.add_modifier(m)
}

/// Draw `screen` into `area` of `buf`. Returns where the cursor is, if it should be shown.
pub fn render_screen(
    screen: &vt100::Screen,
    colours: &UnderlineColours,
    area: Rect,
    buf: &mut Buffer,
    depth: Depth,
) -> Option<Position> {
    let (rows, cols) = screen.size();
    let (rows, cols) = (rows.get(), cols.get());
    for row in 0..rows.min(area.height) {
        let mut col = 0;
        while col < cols.min(area.width) {
            let pos = Position::new(area.x + col, area.y + row);
            let Some(cell) = screen.cell(row, col) else {
                break;
            };
            if cell.is_wide_continuation() {
                col += 1;
                continue;
            }
            let (text, marks) = crate::pty::emulator::marks::split(cell.contents());
            let style = cell_style(cell, marks, colours, depth);
            // Cells hold printable text only; an empty cell is a blank. Overline and the
            // underline's style travel as marks the terminal backend draws.
            let symbol = marked(
                if text.is_empty() { " " } else { &text },
                Extra {
                    underline: marks.underline,
                    overline: marks.overline,
                },
            );
            if cell.is_wide() && col + 1 >= area.width {
                // Half a wide character does not fit at the right edge.
                if let Some(c) = buf.cell_mut(pos) {
                    c.set_symbol(" ").set_style(style);
                }
                break;
            }
            if let Some(c) = buf.cell_mut(pos) {
                c.set_symbol(&symbol).set_style(style);
            }
            if cell.is_wide()
                && let Some(c) = buf.cell_mut(Position::new(pos.x + 1, pos.y))
            {
                // The second half belongs to the wide character drawn before it.
                c.set_symbol("").set_style(style);
                col += 1;
            }
            col += 1;
        }
    }
    if screen.hide_cursor() {
        return None;
    }
    let (row, col) = screen.cursor_position();
    (row < area.height && col < area.width).then(|| Position::new(area.x + col, area.y + row))
}

fn title<'a>(session: &SessionInfo, pane: &TermPane, theme: &Theme) -> Line<'a> {
    let state_style = match session.state {
        SessionState::Running => theme.ok,
        SessionState::Connecting(_) => theme.pending,
        SessionState::Exited(0) => theme.done,
        _ => theme.error,
    };
    let state = match &session.state {
        SessionState::Connecting(_) => "connecting".to_string(),
        other => other.label(),
    };
    let mut spans = vec![
        Span::raw(format!(
            " {} {} ",
            session.spec.kind(),
            super::text::clean(&session.label)
        )),
        Span::raw(match &session.via {
            Some(via) => format!("via {} ", super::text::clean(via)),
            None => String::new(),
        }),
        Span::styled(format!("{} ", super::text::clean(&state)), state_style),
    ];
    if pane.scroll > 0 {
        spans.push(Span::styled(
            format!("[scrolled {}] ", pane.scroll),
            theme.warning,
        ));
    }
    if session.recording.is_some() {
        spans.push(Span::styled("● REC ", theme.error));
    }
    Line::from(spans)
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    session: &SessionInfo,
    screen: &crate::pty::screen::Screen,
    pane: &TermPane,
    focused: bool,
    theme: &Theme,
) {
    let border = if focused { theme.accent } else { theme.muted };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title(session, pane, theme));
    let inside = block.inner(area);
    frame.render_widget(block, area);
    let depth = theme.depth;
    let cursor = screen.view(pane.scroll, |screen, colours, used| {
        let cursor = render_screen(screen, colours, inside, frame.buffer_mut(), depth);
        (used == 0).then_some(cursor).flatten()
    });
    if focused && let Some(pos) = cursor {
        frame.set_cursor_position(pos);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pty::emulator::marks::UnderlineStyle;
    use crate::pty::emulator::nz;

    /// Draw `bytes` as a pane gets them: through the pane's emulator.
    fn render(bytes: &[u8], w: u16, h: u16, depth: Depth) -> (Buffer, Option<Position>) {
        let mut p = crate::pty::emulator::Emulator::new(h, w, 0);
        p.process(bytes);
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        let cursor = render_screen(p.screen(), p.underline_colours(), area, &mut buf, depth);
        (buf, cursor)
    }

    fn sym(buf: &Buffer, x: u16, y: u16) -> &str {
        buf.cell(Position::new(x, y)).map_or("", |c| c.symbol())
    }

    #[test]
    fn attributes_vt100_cannot_hold_are_drawn_and_basic_colours_stay_basic() {
        let (buf, _) = render(
            b"\x1b[9ms\x1b[29;5mb\x1b[25;1;2md\x1b[0;31mr",
            10,
            1,
            Depth::Ansi256,
        );
        assert_eq!(
            (sym(&buf, 0, 0), sym(&buf, 1, 0), sym(&buf, 2, 0)),
            ("s", "b", "d"),
            "the marks never reach the symbol"
        );
        let m = |x| buf.cell(Position::new(x, 0)).unwrap().modifier;
        assert!(m(0).contains(Modifier::CROSSED_OUT) && !m(0).contains(Modifier::SLOW_BLINK));
        assert!(m(1).contains(Modifier::SLOW_BLINK) && !m(1).contains(Modifier::CROSSED_OUT));
        assert!(m(2).contains(Modifier::BOLD | Modifier::DIM));
        // Red is red, sent as SGR 31 (not 38;5;1) by the terminal backend.
        assert_eq!(buf.cell(Position::new(3, 0)).unwrap().fg, Color::Red);
    }

    #[test]
    fn underline_style_overline_and_underline_colour_are_drawn() {
        let (buf, _) = render(
            b"[4:3;58:2::255:0:0mc[0;53mo[21;58;5;2md[0;4mu",
            10,
            1,
            Depth::TrueColor,
        );
        let cell = |x| buf.cell(Position::new(x, 0)).unwrap();
        let extra = |x| crate::term_out::extended::split(cell(x).symbol());
        assert_eq!(extra(0).0, "c");
        assert_eq!(extra(0).1.underline, UnderlineStyle::Curly);
        assert!(cell(0).modifier.contains(Modifier::UNDERLINED));
        assert_eq!(cell(0).underline_color, Color::Rgb(255, 0, 0));
        assert!(extra(1).1.overline && !cell(1).modifier.contains(Modifier::UNDERLINED));
        assert_eq!(extra(2).1.underline, UnderlineStyle::Double);
        assert_eq!(cell(2).underline_color, Color::Green);
        // A plain underline after a reset: no style, no colour, no marks.
        assert_eq!(sym(&buf, 3, 0), "u");
        assert_eq!(cell(3).underline_color, Color::Reset);
        // Under 16 colours the underline colour degrades with the rest.
        let (c16, _) = render(b"[4;58;5;196mx", 4, 1, Depth::Ansi16);
        assert_eq!(
            c16.cell(Position::new(0, 0)).unwrap().underline_color,
            Color::LightRed
        );
    }

    #[test]
    fn text_attributes_and_cursor() {
        let (buf, cursor) = render(
            b"\x1b[1;4mab\x1b[0m\x1b[7mc\x1b[0m\r\nd",
            10,
            3,
            Depth::TrueColor,
        );
        assert_eq!(
            (sym(&buf, 0, 0), sym(&buf, 1, 0), sym(&buf, 2, 0)),
            ("a", "b", "c")
        );
        let a = buf.cell(Position::new(0, 0)).unwrap();
        assert!(a.modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));
        let c = buf.cell(Position::new(2, 0)).unwrap();
        assert!(c.modifier.contains(Modifier::REVERSED));
        assert!(!c.modifier.contains(Modifier::BOLD));
        assert_eq!(sym(&buf, 0, 1), "d");
        assert_eq!(cursor, Some(Position::new(1, 1)));
        let (_, hidden) = render(b"x\x1b[?25l", 10, 3, Depth::TrueColor);
        assert_eq!(hidden, None);
    }

    #[test]
    fn colours_16_256_and_truecolour_degrade_to_the_depth() {
        let bytes = b"\x1b[31ma\x1b[38;5;196mb\x1b[38;2;10;20;200mc\x1b[42md";
        let fg = |buf: &Buffer, x| buf.cell(Position::new(x, 0)).unwrap().fg;
        let (full, _) = render(bytes, 10, 1, Depth::TrueColor);
        // A basic colour stays basic: sent as `31`, never re-sent as `38;5;1`.
        assert_eq!(fg(&full, 0), Color::Red);
        assert_eq!(fg(&full, 1), Color::Indexed(196));
        assert_eq!(fg(&full, 2), Color::Rgb(10, 20, 200));
        assert_eq!(full.cell(Position::new(3, 0)).unwrap().bg, Color::Green);
        let (c256, _) = render(bytes, 10, 1, Depth::Ansi256);
        assert!(matches!(fg(&c256, 2), Color::Indexed(i) if i >= 16));
        let (c16, _) = render(bytes, 10, 1, Depth::Ansi16);
        // 196 is pure red: the bright red of the 16.
        assert_eq!(fg(&c16, 1), Color::LightRed);
        // A deep blue lands on one of the blues.
        assert!(matches!(fg(&c16, 2), Color::Blue | Color::LightBlue));
        let (none, _) = render(bytes, 10, 1, Depth::None);
        assert_eq!(fg(&none, 0), Color::Reset);
    }

    #[test]
    fn wide_characters_take_two_cells_and_never_half_fit() {
        let (buf, cursor) = render("日本x".as_bytes(), 10, 1, Depth::TrueColor);
        assert_eq!(sym(&buf, 0, 0), "日");
        assert_eq!(sym(&buf, 2, 0), "本");
        assert_eq!(sym(&buf, 4, 0), "x");
        assert_eq!(cursor, Some(Position::new(5, 0)));
        // Drawn into a narrower area than the screen: the wide character at the edge is blank.
        let mut p = vt100::Parser::new(nz(1), nz(10), 0);
        p.process("ab日".as_bytes());
        let area = Rect::new(0, 0, 3, 1);
        let mut buf = Buffer::empty(area);
        render_screen(
            p.screen(),
            &UnderlineColours::default(),
            area,
            &mut buf,
            Depth::TrueColor,
        );
        assert_eq!(sym(&buf, 2, 0), " ");
    }

    #[test]
    fn alternate_screen_shows_and_leaves() {
        let (buf, _) = render(
            b"shell$ \x1b[?1049h\x1b[2J\x1b[HTOP",
            10,
            2,
            Depth::TrueColor,
        );
        assert_eq!(sym(&buf, 0, 0), "T");
        let (buf, _) = render(
            b"shell$ \x1b[?1049h\x1b[HTOP\x1b[?1049l",
            10,
            2,
            Depth::TrueColor,
        );
        assert_eq!(sym(&buf, 0, 0), "s");
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// Bytes biased towards escape sequences, so the parser's odd corners get exercised.
    fn noisy_bytes() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            any::<u8>().prop_map(|b| vec![b]),
            Just(b"\x1b[".to_vec()),
            Just(b"\x1b]".to_vec()),
            Just(b"\x1b[?1049h".to_vec()),
            Just(b"\x1b[?1049l".to_vec()),
            Just(b"\x1b[38;2;".to_vec()),
            Just(b"\x1b[48;5;".to_vec()),
            Just("日本".as_bytes().to_vec()),
            Just(b"\r\n".to_vec()),
            (0u16..400).prop_map(|n| n.to_string().into_bytes()),
        ];
        proptest::collection::vec(piece, 0..200).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Whatever a program prints, at whatever sizes (and resized in between), drawing its
        /// screen never panics and never writes outside the pane. (This found vt100 0.16
        /// panicking on wide characters after a resize; 0.18 does not.)
        #[test]
        fn any_output_renders_inside_the_area(
            bytes in noisy_bytes(),
            rows in 1u16..40,
            cols in 1u16..120,
            w in 1u16..130,
            h in 1u16..50,
            scroll in 0usize..60,
            resize_to in (1u16..40, 1u16..120),
        ) {
            let screen = crate::pty::screen::Screen::new(rows, cols, 100);
            screen.feed(&bytes);
            screen.resize(resize_to.0, resize_to.1);
            screen.feed(&bytes);
            let full = Rect::new(0, 0, w + 4, h + 4);
            let area = Rect::new(2, 2, w, h);
            let mut buf = Buffer::empty(full);
            for depth in [Depth::TrueColor, Depth::Ansi256, Depth::Ansi16, Depth::None] {
                let cursor = screen.view(scroll, |s, u, _| render_screen(s, u, area, &mut buf, depth));
                if let Some(c) = cursor {
                    prop_assert!(area.contains(c));
                }
            }
            // The 2-cell frame around the area stays blank.
            for y in 0..full.height {
                for x in 0..full.width {
                    if !area.contains(Position::new(x, y)) {
                        prop_assert_eq!(buf[(x, y)].symbol(), " ");
                    }
                }
            }
        }
    }
}
