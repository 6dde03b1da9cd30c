//! Real programs' output (htop, mc, dialog, fzf, vim, less, a test pattern) replayed into a
//! pane's emulator and compared, cell by cell, with what tmux showed for the same bytes
//! (`tests/fixtures/terminal`, recorded with tmux's own capture; see its README).

use std::collections::HashMap;
use std::path::PathBuf;

use kubedeck::pty::emulator::{Emulator, marks};

const ROWS: u16 = 24;
const COLS: u16 = 80;
const FIXTURES: [&str; 8] = [
    "dialog",
    "checklist",
    "htop",
    "mc",
    "fzf",
    "vim",
    "less",
    "pattern",
];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terminal")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn replayed(name: &str) -> Emulator {
    let raw = std::fs::read(fixture(&format!("{name}.raw")))
        .unwrap_or_else(|e| panic!("{name}.raw: {e}"));
    let mut e = Emulator::new(ROWS, COLS, 0);
    e.process(&raw);
    e
}

fn colour(c: vt100::Color) -> String {
    match c {
        vt100::Color::Default => "-".into(),
        vt100::Color::Idx(i) => format!("i{i}"),
        vt100::Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
    }
}

/// A cell's colours and attributes in the fixtures' notation (with those the emulator keeps
/// as marks in the cell).
fn attrs(cell: &vt100::Cell, colours: &marks::UnderlineColours) -> String {
    let (_, marks) = marks::split(cell.contents());
    let style = match marks.underline {
        marks::UnderlineStyle::Single => None,
        marks::UnderlineStyle::Double => Some('W'),
        marks::UnderlineStyle::Curly => Some('C'),
        marks::UnderlineStyle::Dotted => Some('D'),
        marks::UnderlineStyle::Dashed => Some('A'),
    };
    let mut flags: String = [
        ('b', cell.bold()),
        ('d', cell.dim() || marks.dim),
        ('i', cell.italic()),
        ('u', cell.underline()),
        ('r', cell.inverse()),
        ('s', marks.strike),
        ('k', marks.blink),
    ]
    .iter()
    .filter(|(_, on)| *on)
    .map(|(f, _)| *f)
    .collect();
    flags.extend(style.filter(|_| cell.underline()));
    if marks.overline {
        flags.push('O');
    }
    let under_colour = marks
        .underline_colour
        .and_then(|slot| colours.get(slot))
        .map(|c| format!("/{}", colour(c)))
        .unwrap_or_default();
    format!(
        "{}/{}/{flags}{under_colour}",
        colour(cell.fgcolor()),
        colour(cell.bgcolor())
    )
}

/// What can be seen of `fg/bg/flags`: on a blank cell only the background (the foreground
/// when reversed) and an underline (erasing leaves the other attributes unseen; tmux does not
/// keep them, vt100 does).
fn visible(attrs: &str, blank: bool) -> String {
    if !blank {
        return attrs.to_string();
    }
    let mut parts = attrs.split('/');
    let (fg, bg, flags) = (
        parts.next().unwrap_or("-"),
        parts.next().unwrap_or("-"),
        parts.next().unwrap_or(""),
    );
    let shown = if flags.contains('r') { fg } else { bg };
    format!("{shown} {}", if flags.contains('u') { "u" } else { "" })
}

#[test]
fn every_program_shows_what_tmux_shows() {
    let mut failures = Vec::new();
    for name in FIXTURES {
        let e = replayed(name);
        let screen = e.screen();
        let ours: Vec<String> = screen
            .rows(0, COLS)
            .map(|r| marks::strip(&r).trim_end().to_string())
            .collect();
        let theirs: Vec<String> = read(&format!("{name}.txt"))
            .lines()
            .map(str::to_string)
            .collect();
        for row in 0..usize::from(ROWS) {
            let (o, t) = (
                ours.get(row).map_or("", String::as_str),
                theirs.get(row).map_or("", String::as_str),
            );
            if o != t {
                failures.push(format!(
                    "{name} row {row} text:\n  ours: {o:?}\n  tmux: {t:?}"
                ));
            }
        }
        // Per row: how many cells tmux's capture holds (it leaves out cells that were only
        // erased), and the ones that are not default.
        let expected: Vec<(u16, HashMap<u16, String>)> = read(&format!("{name}.attrs"))
            .lines()
            .map(|l| {
                let width = l
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("W=")?.parse().ok())
                    .unwrap_or(0);
                let cells = l
                    .split_whitespace()
                    .filter_map(|c| c.split_once(':'))
                    .filter_map(|(col, a)| Some((col.parse().ok()?, a.to_string())))
                    .collect();
                (width, cells)
            })
            .collect();
        for row in 0..ROWS {
            let width = expected.get(usize::from(row)).map_or(0, |r| r.0);
            for col in 0..COLS.min(width) {
                let Some(cell) = screen.cell(row, col) else {
                    continue;
                };
                if cell.is_wide_continuation() {
                    continue;
                }
                let want = expected
                    .get(usize::from(row))
                    .and_then(|r| r.1.get(&col))
                    .map_or("-/-/", String::as_str);
                let got = attrs(cell, e.underline_colours());
                let blank = marks::strip(cell.contents()).trim().is_empty();
                if visible(&got, blank) != visible(want, blank) {
                    failures.push(format!(
                        "{name} row {row} col {col} {:?}: ours {got}, tmux {want}",
                        cell.contents()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_fixtures_are_what_they_say() {
    // A replay that ignored its input would agree with an empty screen only.
    for name in FIXTURES {
        let text = read(&format!("{name}.txt"));
        assert!(text.trim().len() > 20, "{name}.txt is nearly empty");
    }
    assert!(read("dialog.txt").contains("┌───────────────Drain"));
    assert!(read("mc.txt").contains("│/..              │UP--DIR│"));
}
