//! Themes: semantic roles (ok, warning, error, selection, ...) mapped to styles, loaded from TOML.
//! `NO_COLOR` turns every colour off and keeps only bold and reverse video.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

pub const DEFAULT_THEME: &str = include_str!("../../themes/default.toml");

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
    roles: BTreeMap<String, RoleSpec>,
}

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
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ThemeError {
    #[error("theme is not valid TOML: {0}")]
    Parse(String),
    #[error("theme role {role:?}: {what}")]
    Role { role: String, what: String },
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

impl Theme {
    pub fn from_toml(text: &str) -> Result<Self, ThemeError> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| ThemeError::Parse(e.to_string()))?;
        let get = |role: &str| -> Result<Style, ThemeError> {
            let spec = file.roles.get(role).ok_or_else(|| ThemeError::Role {
                role: role.into(),
                what: "missing".into(),
            })?;
            style(role, spec)
        };
        Ok(Self {
            ok: get("ok")?,
            warning: get("warning")?,
            error: get("error")?,
            pending: get("pending")?,
            done: get("done")?,
            muted: get("muted")?,
            header: get("header")?,
            selection: get("selection")?,
            accent: get("accent")?,
            status_bar: get("status_bar")?,
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn monochrome_has_no_colours() {
        let m = Theme::monochrome();
        for s in [m.ok, m.error, m.selection, m.status_bar] {
            assert_eq!((s.fg, s.bg), (None, None));
        }
    }
}
