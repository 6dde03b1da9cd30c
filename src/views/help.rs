//! The help overlay, generated from the keymap and the command table so it lists every key and
//! command that exists (mutations are left out in read-only mode, where they are refused).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme::Theme;
use crate::app::command::COMMANDS;
use crate::app::keymap::{Keymap, Section, is_mutation};

/// Whether every sort key is still its default digit (then help shows them as one line).
fn sort_keys_folded(keymap: &Keymap) -> bool {
    keymap
        .bindings
        .iter()
        .filter(|b| b.name.starts_with("sort_"))
        .all(|b| {
            let n: usize = b.name["sort_".len()..].parse().unwrap_or(0);
            let digit = if n == 10 {
                '0'
            } else {
                char::from(b'0' + n as u8)
            };
            b.keys.len() == 1 && b.keys[0].label() == digit.to_string()
        })
}

/// Plugins and hotkeys of the view on screen: key, name, description.
pub type Extras = Vec<(String, String)>;

/// What the help adds for the view on screen: its plugins and hotkeys, and the keys the
/// user's RBAC rules do not allow on the selected pod.
#[derive(Debug, Default)]
pub struct ViewExtras {
    pub plugins: Extras,
    pub hotkeys: Extras,
    pub denied: Vec<crate::app::Action>,
}

/// What the view on screen has of plugins and hotkeys, for the help.
pub fn extras(app: &crate::app::App) -> ViewExtras {
    let plugins = crate::app::extensions::run::shown(app)
        .into_iter()
        .map(|p| {
            let mut desc = format!("{}: {}", p.name, p.plugin.description);
            if p.plugin.background {
                desc.push_str(" (in the background)");
            }
            if p.plugin.dangerous {
                desc.push_str(" (dangerous)");
            }
            (p.key.label(), desc)
        })
        .collect();
    let hotkeys = app
        .extensions
        .hotkeys
        .iter()
        .map(|h| {
            let what = if h.hotkey.description.is_empty() {
                format!(":{}", h.hotkey.command.trim_start_matches(':'))
            } else {
                format!(
                    "{} (:{})",
                    h.hotkey.description,
                    h.hotkey.command.trim_start_matches(':')
                )
            };
            (h.key.label(), what)
        })
        .collect();
    ViewExtras {
        plugins,
        hotkeys,
        denied: crate::app::access::denied_actions(app),
    }
}

/// Whether every favourite key is still its default digit.
fn favourites_folded(keymap: &Keymap) -> bool {
    keymap
        .bindings
        .iter()
        .filter_map(|b| Some((b.name.strip_prefix("favourite_")?, b)))
        .all(|(n, b)| b.keys.len() == 1 && b.keys[0].label() == n)
}

pub fn lines(theme: &Theme, keymap: &Keymap, readonly: bool) -> Vec<Line<'static>> {
    lines_with(theme, keymap, readonly, &ViewExtras::default())
}

pub fn lines_with(
    theme: &Theme,
    keymap: &Keymap,
    readonly: bool,
    extras: &ViewExtras,
) -> Vec<Line<'static>> {
    let (plugins, hotkeys) = (&extras.plugins, &extras.hotkeys);
    let mut out = Vec::new();
    // Your own first: the plugins and hotkeys of the view shown.
    for (title, list) in [
        (
            "Plugins of this view (k9s plugins.yaml, [plugins])",
            plugins,
        ),
        ("Hotkeys (k9s hotkeys.yaml)", hotkeys),
    ] {
        if list.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(title, theme.header));
        for (key, desc) in list {
            entry(&mut out, key, 16, desc, theme);
        }
    }
    let sections = [
        Section::Global,
        Section::Table,
        Section::Logs,
        Section::Panes,
        Section::Terminal,
    ];
    for (section, b) in sections.iter().flat_map(|s| {
        keymap
            .bindings
            .iter()
            .filter(move |b| b.section == *s)
            .map(move |b| (*s, b))
    }) {
        if b.desc.is_empty() || (readonly && is_mutation(b.action)) || b.keys.is_empty() {
            continue;
        }
        // The sort keys on their default digits are one line (`1-9`, `0`); one rebound shows
        // on its own line.
        let folded = sort_keys_folded(keymap);
        if folded && b.name.starts_with("sort_") && b.name != "sort_1" {
            continue;
        }
        let title = section.title();
        if !out.iter().any(|l: &Line| l.to_string() == title) {
            if !out.is_empty() {
                out.push(Line::raw(""));
            }
            out.push(Line::styled(title, theme.header));
        }
        let keys = b
            .keys
            .iter()
            .map(|k| k.label())
            .collect::<Vec<_>>()
            .join(" ");
        // The favourites on their default digits are one line too.
        let favourites = favourites_folded(keymap);
        if favourites && b.name.starts_with("favourite_") && b.name != "favourite_1" {
            continue;
        }
        if favourites && b.name == "favourite_1" {
            entry(&mut out, "1-9 0", 16, b.desc, theme);
            continue;
        }
        if b.name == "sort_1" && folded {
            let desc = "sort by column N (again: reverse); 0 the tenth";
            entry(&mut out, &format!("{keys}-9 0"), 16, desc, theme);
            continue;
        }
        // A key the user's rules do not allow on the selected pod says so.
        let desc = if extras.denied.contains(&b.action) {
            format!("{} [not allowed here: your RBAC rules]", b.desc)
        } else {
            b.desc.to_string()
        };
        match b.views.note() {
            Some(note) if section == Section::Global || section == Section::Table => {
                entry(&mut out, &keys, 16, &format!("{desc} ({note})"), theme);
            }
            _ => entry(&mut out, &keys, 16, &desc, theme),
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Commands", theme.header));
    for c in COMMANDS {
        let cmd = format!(
            ":{} {}",
            c.names
                .iter()
                .take(2)
                .copied()
                .collect::<Vec<_>>()
                .join(" :"),
            c.args
        );
        entry(&mut out, &cmd, 24, c.desc, theme);
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Triage: one key to the cause", theme.header));
    for (keys, desc) in [
        (
            "Enter",
            "jump to the object; on NodePressure, the node's pods, biggest user first",
        ),
        (
            "l",
            "on RunFailed, the failed step's log; on CrashLoop, the crashed instance's log first",
        ),
        ("e", "on a broken pod, its warning events"),
    ] {
        entry(&mut out, keys, 16, desc, theme);
    }
    out.push(Line::styled(
        "Triage order: nodes NotReady or under pressure, then failed runs and workloads with several pods down, then single pods, then warning events; newer first, rows keep their place. A pod restarted in the last 10 minutes stays as CrashLoop.",
        theme.muted,
    ));
    out.push(Line::styled(
        "Port-forward to a Service: its port goes to its targetPort (by number or the pod's port name), as kubectl does; a refused connection is said.",
        theme.muted,
    ));
    out.push(Line::raw(""));
    out.push(Line::styled(
        "While typing a filter or command: Enter applies, Esc cancels.",
        theme.muted,
    ));
    out.push(Line::styled(
        "Log search and filters: plain text (smart case), ~regex; Esc clears them.",
        theme.muted,
    ));
    out.push(Line::styled(
        "Tekton step logs are captured as steps end or their pod is deleted; gone pods replay (\"captured\").",
        theme.muted,
    ));
    out.push(Line::styled(
        "Slow link: --low-bandwidth. Why NOT LIVE: KUBEDECK_LOG=FILE.",
        theme.muted,
    ));
    if readonly {
        out.push(Line::styled(
            "Read-only mode: delete, cancel, rerun, scale, restart, cordon, drain, edits, shells, port-forwards and :cp are disabled.",
            theme.warning,
        ));
    }
    out
}

/// One key or command with its description in a column `column` wide; a name too wide for
/// the column gets a line of its own, with the description under the column.
fn entry(out: &mut Vec<Line<'static>>, name: &str, column: usize, desc: &str, theme: &Theme) {
    use unicode_width::UnicodeWidthStr;
    let name = name.trim_end();
    if name.width() < column {
        out.push(Line::from(vec![
            Span::styled(format!("  {name:<column$}"), theme.accent),
            Span::raw(desc.to_string()),
        ]));
    } else {
        out.push(Line::styled(format!("  {name}"), theme.accent));
        out.push(Line::from(vec![
            Span::raw(" ".repeat(column + 2)),
            Span::raw(desc.to_string()),
        ]));
    }
}

/// Word-wrap help lines to `width` columns. A key or command line (a styled name, then its
/// description) continues under the description, so the names stay a clean column.
fn wrap(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthStr;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= width || width < 20 {
            out.push(line);
            continue;
        }
        let (head, text, style) = match line.spans.as_slice() {
            [name, desc] => (Some(name.clone()), desc.content.to_string(), desc.style),
            [only] => (None, only.content.to_string(), only.style),
            _ => {
                out.push(line);
                continue;
            }
        };
        let style = style.patch(line.style);
        let indent = head.as_ref().map_or(0, |h| h.content.width());
        let room = width.saturating_sub(indent).max(10);
        let mut rows: Vec<String> = vec![String::new()];
        for word in text.split(' ') {
            let cur = rows.last_mut().map(|r| r.width()).unwrap_or(0);
            if cur > 0 && cur + 1 + word.width() > room {
                rows.push(String::new());
            }
            if let Some(r) = rows.last_mut() {
                if !r.is_empty() {
                    r.push(' ');
                }
                r.push_str(word);
            }
        }
        for (i, row) in rows.into_iter().enumerate() {
            let lead = match (&head, i) {
                (Some(h), 0) => h.clone(),
                _ => Span::raw(" ".repeat(indent)),
            };
            out.push(Line::from(vec![lead, Span::styled(row, style)]));
        }
    }
    out
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    scroll: usize,
    theme: &Theme,
    keymap: &Keymap,
    readonly: bool,
    extras: &ViewExtras,
) {
    let width = usize::from(110.min(area.width).saturating_sub(2));
    let content = wrap(lines_with(theme, keymap, readonly, extras), width);
    let height = u16::try_from(content.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let visible = usize::from(height.saturating_sub(2));
    let scroll = scroll.min(content.len().saturating_sub(visible));
    let more = if scroll + visible < content.len() {
        "; j/↓ for more"
    } else {
        ""
    };
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(110.min(area.width))])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" help (Esc or ? closes{more}) "))
        .border_style(theme.accent);
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(content).block(block).scroll((scroll, 0)),
        popup,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn long_entries_wrap_under_their_description() {
        let long = "open the selection: a pod's describe, a run's TaskRuns, a TaskRun's pod, a node's pods, a namespace";
        let lines = vec![
            Line::from(vec![
                Span::raw(format!("  {:<16}", "Enter")),
                Span::raw(long),
            ]),
            Line::raw("short"),
        ];
        let wrapped = wrap(lines, 60);
        assert!(wrapped.iter().all(|l| l.width() <= 60), "{wrapped:?}");
        assert!(wrapped.len() >= 3, "{wrapped:?}");
        assert!(text(&wrapped[0]).starts_with("  Enter"));
        // Continuations start under the description.
        assert!(text(&wrapped[1]).starts_with(&" ".repeat(18)));
        let words: Vec<String> = wrapped[..wrapped.len() - 1]
            .iter()
            .map(|l| {
                text(l)
                    .trim()
                    .trim_start_matches("Enter")
                    .trim()
                    .to_string()
            })
            .collect();
        assert_eq!(words.join(" "), long, "no word lost");
        assert_eq!(text(wrapped.last().unwrap_or(&Line::raw(""))), "short");
    }

    #[test]
    fn every_key_and_command_is_in_the_help_with_what_it_does() {
        let theme = Theme::monochrome();
        let keymap = Keymap::default();
        let all: Vec<String> = lines(&theme, &keymap, false).iter().map(text).collect();
        let joined = all.join("\n");
        for b in &keymap.bindings {
            assert!(
                !b.desc.trim().is_empty(),
                "binding {} has no description",
                b.name
            );
            if b.name.starts_with("sort_")
                || (b.name.starts_with("favourite_") && b.name != "favourite_1")
            {
                continue; // one line for all ten, checked below
            }
            // The first words (a long description wraps onto the next line).
            let first = b
                .desc
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                joined.contains(&first),
                "{} ({first:?}) is not in the help",
                b.name
            );
        }
        assert!(joined.contains("sort by column N"), "{joined}");
        for c in crate::app::command::COMMANDS {
            assert!(
                !c.desc.trim().is_empty(),
                ":{} has no description",
                c.names[0]
            );
            assert!(
                joined.contains(c.names[0]),
                ":{} is not in the help",
                c.names[0]
            );
        }
        // No entry is a name alone: each key line carries its description.
        for l in &all {
            let t = l.trim();
            if let Some(rest) = t.strip_prefix(':') {
                let words = rest.split_whitespace().count();
                assert!(words >= 1, "{l:?}");
            }
        }
    }

    #[test]
    fn the_real_help_fits_80_columns() {
        let theme = Theme::monochrome();
        let keymap = Keymap::default();
        let wrapped = wrap(lines(&theme, &keymap, false), 78);
        assert!(wrapped.iter().all(|l| l.width() <= 78));
    }

    #[test]
    fn a_name_wider_than_its_column_does_not_run_into_its_description() {
        let theme = Theme::monochrome();
        let keymap = Keymap::default();
        let all = lines(&theme, &keymap, false);
        let at = all
            .iter()
            .position(|l| text(l).contains("[-l SEL | deploy/NAME]"))
            .expect("no :logs command in help");
        // The command alone, then its description under the column.
        assert_eq!(text(&all[at]).trim(), ":logs :log [-l SEL | deploy/NAME]");
        let desc = text(&all[at + 1]);
        assert!(
            desc.starts_with(&" ".repeat(26)) && desc.trim().starts_with("logs of"),
            "{desc:?}"
        );
        // Every name in its column is followed by a space.
        for l in &all {
            if let [name, _] = l.spans.as_slice() {
                assert!(name.content.ends_with(' '), "{:?}", text(l));
            }
        }
    }
}
