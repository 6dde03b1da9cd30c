//! Themes: semantic roles (ok, warning, error, selection, ...) mapped to styles, loaded from TOML.
//! `NO_COLOR` turns every colour off and keeps only bold and reverse video.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

pub const DEFAULT_THEME: &str = include_str!("../../themes/default.toml");

/// Themes shipped in the binary, by name (`no-color` is built in code).
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", DEFAULT_THEME),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("16", include_str!("../../themes/16.toml")),
];

pub fn builtin(name: &str) -> Option<Result<Theme, ThemeError>> {
    if name == "no-color" {
        return Some(Ok(Theme::monochrome()));
    }
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| Theme::from_toml(text))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    /// The most colours the theme uses: "16", "256" or "truecolor" (default).
    colors: Option<String>,
    roles: BTreeMap<String, RoleSpec>,
}

// How many colours may be drawn belongs with the colour arithmetic.
pub use super::palette::Depth;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub ok: Style,
    pub warning: Style,
    pub error: Style,
    pub pending: Style,
    pub done: Style,
    pub muted: Style,
    pub header: Style,
    pub selection: Style,
    pub accent: Style,
    pub status_bar: Style,
    /// Describe/YAML: section headings, keys, strings, numbers, true/false/null.
    pub heading: Style,
    pub key: Style,
    pub string: Style,
    pub number: Style,
    pub literal: Style,
    /// Search matches.
    pub highlight: Style,
    /// Rows marked with Space (an action then acts on all of them).
    pub marked: Style,
    /// Log line prefixes: one per pod/container, in turn.
    pub sources: [Style; 6],
    pub depth: Depth,
}

// What can be wrong with a theme: the app's vocabulary too (a `:theme` that failed).
pub use crate::app::msg::ThemeError;

/// A theme by built-in name (`default`, `light`, `high-contrast`, `16`, `no-color`) or file
/// path (anything ending in `.toml` or holding a `/`).
pub fn by_name(name: &str) -> Result<Theme, ThemeError> {
    let named = |error| ThemeError::Named {
        name: name.to_string(),
        error: Box::new(error),
    };
    match builtin(name) {
        Some(loaded) => loaded.map_err(named),
        None if name.ends_with(".toml") || name.contains('/') => {
            let text = std::fs::read_to_string(name).map_err(|e| ThemeError::Read {
                path: name.to_string(),
                reason: e.to_string(),
            })?;
            Theme::from_toml(&text).map_err(named)
        }
        None => Err(ThemeError::Unknown {
            name: name.to_string(),
            known: BUILTIN.iter().map(|(n, _)| n.to_string()).collect(),
        }),
    }
}

/// The theme to start with and its name: none at all under `NO_COLOR`, else the one named
/// (the default when none is); one that cannot be loaded falls back to the default, with why.
pub fn chosen(name: Option<&str>, no_color: bool) -> (Theme, String, Option<ThemeError>) {
    if no_color {
        return (Theme::monochrome(), "no-color".into(), None);
    }
    let name = name.unwrap_or("default");
    match by_name(name) {
        Ok(t) => (t, name.to_string(), None),
        Err(e) => (
            Theme::from_toml(DEFAULT_THEME).unwrap_or_else(|_| Theme::monochrome()),
            "default".into(),
            Some(e),
        ),
    }
}

fn style(role: &str, spec: &RoleSpec) -> Result<Style, ThemeError> {
    let color = |c: &Option<String>| -> Result<Option<Color>, ThemeError> {
        c.as_ref()
            .map(|c| {
                c.parse::<Color>().map_err(|_| ThemeError::Role {
                    role: role.into(),
                    what: format!("unknown colour {c:?}"),
                })
            })
            .transpose()
    };
    let mut s = Style::default();
    if let Some(fg) = color(&spec.fg)? {
        s = s.fg(fg);
    }
    if let Some(bg) = color(&spec.bg)? {
        s = s.bg(bg);
    }
    if spec.bold {
        s = s.add_modifier(Modifier::BOLD);
    }
    Ok(s)
}

/// Every role a theme file may name.
pub const ROLES: &[&str] = &[
    "ok",
    "warning",
    "error",
    "pending",
    "done",
    "muted",
    "header",
    "selection",
    "accent",
    "status_bar",
    "heading",
    "key",
    "string",
    "number",
    "literal",
    "highlight",
    "marked",
    "source1",
    "source2",
    "source3",
    "source4",
    "source5",
    "source6",
];

impl Theme {
    pub fn from_toml(text: &str) -> Result<Self, ThemeError> {
        // The parser's message and where, never the file's text: a theme path pointing at
        // another file (`/etc/passwd`) must not echo its contents.
        let file: ThemeFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|r| text[..r.start.min(text.len())].matches('\n').count() + 1);
            let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
            ThemeError::Parse(format!("{at}{}", e.message().trim()))
        })?;
        let get = |role: &str| -> Result<Style, ThemeError> {
            let spec = file.roles.get(role).ok_or_else(|| ThemeError::Role {
                role: role.into(),
                what: "missing".into(),
            })?;
            style(role, spec)
        };
        // Newer roles are optional and fall back to an older one, so older theme files load.
        let optional = |role: &str, fallback: Style| -> Result<Style, ThemeError> {
            match file.roles.get(role) {
                Some(spec) => style(role, spec),
                None => Ok(fallback),
            }
        };
        if let Some(unknown) = file.roles.keys().find(|k| !ROLES.contains(&k.as_str())) {
            return Err(ThemeError::Role {
                role: unknown.clone(),
                what: format!("unknown role (known: {})", ROLES.join(", ")),
            });
        }
        let (ok, warning, error, pending, done, muted) = (
            get("ok")?,
            get("warning")?,
            get("error")?,
            get("pending")?,
            get("done")?,
            get("muted")?,
        );
        let depth = match file.colors.as_deref() {
            None | Some("truecolor" | "24bit") => Depth::TrueColor,
            Some("256") => Depth::Ansi256,
            Some("16") => Depth::Ansi16,
            Some(other) => {
                return Err(ThemeError::Role {
                    role: "colors".into(),
                    what: format!("{other:?} is not one of 16, 256, truecolor"),
                });
            }
        };
        let header = get("header")?;
        let selection = get("selection")?;
        let accent = get("accent")?;
        Ok(Self {
            ok,
            warning,
            error,
            pending,
            done,
            muted,
            header,
            selection,
            accent,
            status_bar: get("status_bar")?,
            heading: optional("heading", header)?,
            key: optional("key", accent)?,
            string: optional("string", Style::default())?,
            number: optional("number", Style::default())?,
            literal: optional("literal", Style::default())?,
            highlight: optional("highlight", selection)?,
            marked: optional("marked", optional("highlight", selection)?)?,
            sources: [
                optional("source1", pending)?,
                optional("source2", accent)?,
                optional("source3", ok)?,
                optional("source4", warning)?,
                optional("source5", header)?,
                optional("source6", muted)?,
            ],
            depth,
        })
    }

    /// No colours at all: for NO_COLOR and terminals without colour.
    pub fn monochrome() -> Self {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        Self {
            ok: Style::default(),
            warning: bold,
            error: bold,
            pending: Style::default(),
            done: Style::default().add_modifier(Modifier::DIM),
            muted: Style::default().add_modifier(Modifier::DIM),
            header: bold,
            selection: Style::default().add_modifier(Modifier::REVERSED),
            accent: bold,
            status_bar: Style::default().add_modifier(Modifier::REVERSED),
            heading: bold,
            key: bold,
            string: Style::default(),
            number: Style::default(),
            literal: Style::default(),
            highlight: Style::default().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED),
            marked: Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            sources: [bold; 6],
            depth: Depth::None,
        }
    }

    /// Draw no more colours than the terminal (and the theme) allow: every role's colours are
    /// brought down to that depth (basic colours as basic SGR codes, never `38;5;N`; no RGB on
    /// a terminal that did not ask for it).
    pub fn capped(mut self, terminal: Depth) -> Self {
        self.depth = self.depth.min(terminal);
        let d = self.depth;
        let fix = |s: &mut Style| *s = super::palette::degrade_style(*s, d);
        for s in [
            &mut self.ok,
            &mut self.warning,
            &mut self.error,
            &mut self.pending,
            &mut self.done,
            &mut self.muted,
            &mut self.header,
            &mut self.selection,
            &mut self.accent,
            &mut self.status_bar,
            &mut self.heading,
            &mut self.key,
            &mut self.string,
            &mut self.number,
            &mut self.literal,
            &mut self.highlight,
            &mut self.marked,
        ] {
            fix(s);
        }
        for s in &mut self.sources {
            fix(s);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_depth_from_the_theme_and_the_terminal() {
        assert_eq!(
            Depth::detect(Some("truecolor"), Some("xterm-256color")),
            Depth::TrueColor
        );
        assert_eq!(Depth::detect(None, Some("tmux-256color")), Depth::Ansi256);
        assert_eq!(Depth::detect(None, Some("screen")), Depth::Ansi16);
        assert_eq!(Depth::detect(None, Some("dumb")), Depth::None);
        let sixteen = builtin("16").and_then(Result::ok).map(|t| t.depth);
        assert_eq!(sixteen, Some(Depth::Ansi16));
        let default = Theme::from_toml(DEFAULT_THEME).map(|t| t.capped(Depth::Ansi256).depth);
        assert_eq!(default, Ok(Depth::Ansi256));
        assert_eq!(Theme::monochrome().depth, Depth::None);
    }

    #[test]
    fn shipped_default_theme_parses() {
        let t = Theme::from_toml(DEFAULT_THEME);
        assert!(t.is_ok(), "{t:?}");
        assert_eq!(t.map(|t| t.ok.fg), Ok(Some(Color::Green)));
    }

    #[test]
    fn bad_themes_say_what_is_wrong() {
        let err = Theme::from_toml("[roles]\nok = { fg = \"blurple\" }").err();
        assert!(
            matches!(err, Some(ThemeError::Role { ref role, ref what }) if role == "ok" && what.contains("blurple"))
        );
        let err = Theme::from_toml("[roles]\nok = { fg = \"green\" }").err();
        assert!(matches!(err, Some(ThemeError::Role { ref what, .. }) if what == "missing"));
        assert!(matches!(
            Theme::from_toml("roles = 3"),
            Err(ThemeError::Parse(_))
        ));
    }

    #[test]
    fn every_shipped_theme_parses_and_differs() {
        let mut seen = Vec::new();
        for (name, _) in BUILTIN {
            let t = builtin(name).and_then(Result::ok);
            assert!(t.is_some(), "{name}");
            let t = t.unwrap_or_else(Theme::monochrome);
            assert!(!seen.contains(&t), "{name} is a copy of another theme");
            seen.push(t);
        }
        assert!(builtin("nope").is_none());
        assert_eq!(
            builtin("no-color").and_then(Result::ok),
            Some(Theme::monochrome())
        );
        let err = Theme::from_toml(&format!("{DEFAULT_THEME}\nbogus = {{ fg = \"red\" }}")).err();
        assert!(
            matches!(err, Some(ThemeError::Role { ref role, .. }) if role == "bogus"),
            "{err:?}"
        );
    }

    #[test]
    fn the_16_colour_theme_uses_only_ansi_colours() {
        let t = builtin("16")
            .and_then(Result::ok)
            .unwrap_or_else(Theme::monochrome);
        for s in [
            t.ok,
            t.warning,
            t.error,
            t.pending,
            t.done,
            t.muted,
            t.header,
            t.selection,
            t.accent,
            t.status_bar,
            t.heading,
            t.key,
            t.string,
            t.number,
            t.literal,
            t.highlight,
            t.marked,
        ] {
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{c:?}");
            }
        }
    }

    #[test]
    fn monochrome_has_no_colours() {
        let m = Theme::monochrome();
        for s in [m.ok, m.error, m.selection, m.status_bar] {
            assert_eq!((s.fg, s.bg), (None, None));
        }
    }
}

#[cfg(test)]
mod no_echo_tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_theme_is_not_echoed() {
        let secret = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n";
        let err = Theme::from_toml(secret)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("line 1"), "{err}");
        assert!(!err.contains("root:x"), "{err}");
        assert!(!err.contains("/bin/bash"), "{err}");
    }

    #[test]
    fn themes_by_name_and_file() {
        assert_eq!(by_name("no-color").ok(), Some(Theme::monochrome()));
        assert!(by_name("light").is_ok());
        assert!(matches!(
            by_name("/nonexistent.toml"),
            Err(ThemeError::Read { .. })
        ));
        let unknown = by_name("blurple").err();
        assert!(matches!(&unknown, Some(ThemeError::Unknown { name, .. }) if name == "blurple"));
        assert!(unknown.is_some_and(|e| e.to_string().contains("high-contrast")));
        let (_, name, problem) = chosen(Some("/nonexistent.toml"), false);
        assert_eq!(name, "default");
        assert!(problem.is_some());
        assert_eq!(chosen(None, true).0, Theme::monochrome());
    }
}
