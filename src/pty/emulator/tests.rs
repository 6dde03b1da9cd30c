//! The emulator against byte streams: each gap it fills, and each query and its answer.

use super::Emulator;

fn emu(rows: u16, cols: u16) -> Emulator {
    Emulator::new(rows, cols, 0)
}

fn fed(rows: u16, cols: u16, bytes: &[u8]) -> Emulator {
    let mut e = emu(rows, cols);
    e.process(bytes);
    e
}

fn text(e: &Emulator) -> String {
    e.screen().contents()
}

fn replies(bytes: &[u8]) -> String {
    let mut e = emu(24, 80);
    e.process(bytes);
    String::from_utf8_lossy(&e.take_replies()).into_owned()
}

#[test]
fn queries_get_tmux_answers() {
    // Cursor position after moving to row 5, column 10 (1-based), then status.
    assert_eq!(replies(b"\x1b[5;10H\x1b[6n"), "\x1b[5;10R");
    assert_eq!(replies(b"\x1b[5n"), "\x1b[0n");
    assert_eq!(replies(b"\x1b[c"), "\x1b[?1;2c");
    assert_eq!(replies(b"\x1b[0c"), "\x1b[?1;2c");
    assert_eq!(replies(b"\x1b[>c"), "\x1b[>84;0;0c");
    assert_eq!(replies(b"\x1b[18t"), "\x1b[8;24;80t");
    assert_eq!(
        replies(b"\x1b]10;?\x07"),
        "\x1b]10;rgb:e5e5/e5e5/e5e5\x1b\\"
    );
    assert_eq!(
        replies(b"\x1b]11;?\x1b\\"),
        "\x1b]11;rgb:0000/0000/0000\x1b\\"
    );
    // DECRQM: bracketed paste set, then reset; autowrap (ours); a mode nobody knows.
    assert_eq!(replies(b"\x1b[?2004h\x1b[?2004$p"), "\x1b[?2004;1$y");
    assert_eq!(replies(b"\x1b[?2004$p"), "\x1b[?2004;2$y");
    assert_eq!(replies(b"\x1b[?7l\x1b[?7$p"), "\x1b[?7;2$y");
    assert_eq!(replies(b"\x1b[?1049h\x1b[?1049$p"), "\x1b[?1049;1$y");
    assert_eq!(replies(b"\x1b[4h\x1b[4$p"), "\x1b[4;1$y");
    assert_eq!(replies(b"\x1b[?31337$p"), "\x1b[?31337;0$y");
    // A cursor at the right margin (a wrap pending) is on the last column.
    assert_eq!(
        replies(&[b"x".repeat(80).as_slice(), b"\x1b[6n"].concat()),
        "\x1b[1;80R"
    );
}

#[test]
fn answers_carry_nothing_from_outside_and_titles_stay_in() {
    // Title and clipboard requests get no answer and change nothing on screen.
    assert_eq!(replies(b"\x1b]2;secret\x07\x1b[21t\x1b]52;c;?\x07"), "");
    let e = fed(2, 20, b"\x1b]0;title\x07ok");
    assert_eq!(text(&e), "ok");
}

#[test]
fn line_drawing_shows_boxes() {
    // G0 designated DEC graphics, then back to ASCII.
    let e = fed(3, 10, b"\x1b(0lqqk\r\nx  x\r\nmqqj\x1b(B ok");
    assert_eq!(text(&e), "┌──┐\n│  │\n└──┘ ok");
    // G1 designated, shifted in and out (as ncurses does with smacs/rmacs on some terms).
    let e = fed(1, 10, b"\x1b)0a\x0eqqq\x0fq");
    assert_eq!(text(&e), "a───q");
}

#[test]
fn the_screen_title_is_swallowed() {
    let e = fed(1, 20, b"a\x1bkmy title\x1b\\b");
    assert_eq!(text(&e), "ab");
}

#[test]
fn save_restore_index_and_next_line() {
    let e = fed(3, 10, b"ab\x1b[s\r\ncd\x1b[uX");
    assert_eq!(text(&e), "abX\ncd");
    // ESC D moves down in the same column; ESC E to the next line's start.
    let e = fed(3, 10, b"ab\x1bDc\x1bEd");
    assert_eq!(text(&e), "ab\n  c\nd");
}

#[test]
fn tab_stops_set_and_cleared() {
    // Clear all, set one at column 4, tab to it.
    let e = fed(1, 20, b"\x1b[3g\x1b[5G\x1bH\rab\tc");
    assert_eq!(text(&e), "ab  c");
    // Default stops every 8; clear the one at 8; CHT and CBT.
    let e = fed(1, 30, b"\x1b[9G\x1b[g\r\tx");
    assert_eq!(text(&e), format!("{}x", " ".repeat(16)));
    let e = fed(1, 30, b"\x1b[2Ix\x1b[2Zy");
    assert_eq!(text(&e), format!("{}y{}x", " ".repeat(8), " ".repeat(7)));
}

#[test]
fn fill_with_e() {
    let e = fed(2, 3, b"ab\x1b#8");
    assert_eq!(text(&e), "EEE\nEEE");
    assert_eq!(e.screen().cursor_position(), (0, 0));
}

#[test]
fn insert_mode_shifts_the_line() {
    // "world" moves right as "hello " is inserted (its end falls off); then X overwrites.
    let e = fed(1, 10, b"world\r\x1b[4hhello \x1b[4lX");
    assert_eq!(text(&e), "hello Xorl");
}

#[test]
fn autowrap_off_overwrites_the_last_column() {
    let e = fed(2, 5, b"\x1b[?7labcdefg");
    assert_eq!(text(&e), "abcdg");
    let e = fed(2, 5, b"\x1b[?7l\x1b[?7habcdefg");
    assert_eq!(text(&e), "abcdefg");
}

#[test]
fn sgr_keeps_what_follows_an_unknown_attribute_and_conceals() {
    let e = fed(1, 20, b"\x1b[1;9;31mred\x1b[0m");
    let cell = e.screen().cell(0, 0);
    assert!(cell.is_some_and(|c| c.bold() && c.fgcolor() == vt100::Color::Idx(1)));
    let e = fed(1, 20, b"pw:\x1b[8mhunter2\x1b[28m!");
    assert_eq!(text(&e), "pw:       !");
}

#[test]
fn sequences_split_across_reads_are_understood() {
    let mut e = emu(3, 10);
    for chunk in [
        &b"\x1b"[..],
        b"(",
        b"0lq",
        b"k\x1b[",
        b"6",
        b"n\x1bk ti",
        b"tle\x1b",
        b"\\!",
    ] {
        e.process(chunk);
    }
    assert_eq!(text(&e), "┌─┐!");
    assert_eq!(String::from_utf8_lossy(&e.take_replies()), "\x1b[1;4R");
}

#[test]
fn wide_and_multibyte_characters_pass() {
    let e = fed(1, 10, "héllo 日本".as_bytes());
    assert_eq!(text(&e), "héllo 日本");
    let e = fed(1, 10, "\x1b[4h日\r本".as_bytes());
    assert_eq!(text(&e), "本日");
}

#[test]
fn a_program_cannot_forge_the_marks() {
    // The variation selectors the emulator uses as marks are dropped from program output.
    let e = fed(1, 10, "x\u{FE00}y\u{FE01}".as_bytes());
    let cell = e.screen().cell(0, 0).map(|c| c.contents().to_string());
    assert_eq!(cell.as_deref(), Some("x"));
    assert_eq!(
        super::marks::split(&text(&e)).1,
        super::marks::Marks::default()
    );
    // Its own strikethrough does carry one.
    let e = fed(1, 10, b"\x1b[9mx");
    let cell = e
        .screen()
        .cell(0, 0)
        .map(|c| c.contents().to_string())
        .unwrap_or_default();
    assert!(super::marks::split(&cell).1.strike);
}
