//! Colour themes as data: semantic roles loaded from `themes/*.toml`, with `NO_COLOR` honoured.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::environment::Environment;

const DARK: &str = include_str!("../../themes/dark.toml");
const LIGHT: &str = include_str!("../../themes/light.toml");
const HIGH_CONTRAST: &str = include_str!("../../themes/high-contrast.toml");
const NO_COLOR: &str = include_str!("../../themes/no-color.toml");

/// What each piece of the screen means, mapped to a style.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Painted under everything first: a theme chooses its own background instead of relying on
    /// the terminal's (a light theme on a dark terminal would be unreadable).
    pub background: Style,
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub border: Style,
    pub focus: Style,
    pub ok: Style,
    pub warn: Style,
    pub danger: Style,
    pub canary: Style,
    pub baseline: Style,
    pub protected: Style,
    pub selection: Style,
    pub stale: Style,
    /// The age of data read within its refresh interval, of data overdue for a refresh, and of
    /// data so old it is no longer trusted.
    pub fresh: Style,
    pub ageing: Style,
    no_color: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RoleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

const ROLES: [&str; 16] = [
    "background",
    "text",
    "muted",
    "accent",
    "border",
    "focus",
    "ok",
    "warn",
    "danger",
    "canary",
    "baseline",
    "protected",
    "selection",
    "stale",
    "fresh",
    "ageing",
];

/// Whether an environment's configured accent names a theme role or a colour.
pub fn is_accent(text: &str) -> bool {
    ROLES.contains(&text) || Color::from_str(text).is_ok()
}

/// Checks every environment's accent where themes give accents their meaning; `file` is the
/// configuration they came from, for the line in the error.
pub fn check_accents(envs: &[Environment], file: &std::path::Path) -> Result<(), String> {
    for env in envs {
        if let Some(accent) = env.accent.as_deref().filter(|a| !is_accent(a)) {
            let line = std::fs::read_to_string(file).ok().and_then(|text| {
                text.lines()
                    .position(|l| l.contains("accent") && l.contains(accent))
                    .map(|i| format!(":{}", i + 1))
            });
            return Err(format!(
                "{}{}: the accent {accent:?} of {} is neither a theme role nor a colour\n  hint: use a role such as protected or warn, a colour name such as magenta, or #rrggbb",
                file.display(),
                line.unwrap_or_default(),
                env.name
            ));
        }
    }
    Ok(())
}

impl Theme {
    /// A compiled-in theme by name, or a theme file by path; with `no_color` only modifiers are
    /// used, whatever the theme says.
    pub fn load(name_or_path: Option<&str>, no_color: bool) -> Result<Theme, String> {
        if no_color {
            return parse(NO_COLOR, "no-color", true);
        }
        match name_or_path.unwrap_or("dark") {
            "dark" => parse(DARK, "dark", false),
            "light" => parse(LIGHT, "light", false),
            "high-contrast" => parse(HIGH_CONTRAST, "high-contrast", false),
            path => {
                let text = std::fs::read_to_string(Path::new(path)).map_err(|e| {
                    format!("theme {path}: {e} (built-in themes: dark, light, high-contrast)")
                })?;
                parse(&text, path, false)
            }
        }
    }

    /// A role by its name in the theme file.
    pub fn role(&self, name: &str) -> Option<Style> {
        Some(match name {
            "text" => self.text,
            "muted" => self.muted,
            "accent" => self.accent,
            "border" => self.border,
            "focus" => self.focus,
            "ok" => self.ok,
            "warn" => self.warn,
            "danger" => self.danger,
            "canary" => self.canary,
            "baseline" => self.baseline,
            "protected" => self.protected,
            "selection" => self.selection,
            "stale" => self.stale,
            "background" => self.background,
            "fresh" => self.fresh,
            "ageing" => self.ageing,
            _ => return None,
        })
    }

    /// How an environment's name is drawn: its configured accent (a role or a colour), the
    /// protected role for protected environments, else the theme's accent.
    pub fn env_style(&self, env: &Environment) -> Style {
        let configured = env.accent.as_deref().and_then(|a| {
            self.role(a).or_else(|| {
                Color::from_str(a)
                    .ok()
                    .map(|c| self.accent.fg(if self.no_color { Color::Reset } else { c }))
            })
        });
        match configured {
            Some(style) => style,
            None if env.protected => self.protected,
            None => self.accent,
        }
    }
}

fn parse(text: &str, name: &str, no_color: bool) -> Result<Theme, String> {
    let specs: BTreeMap<String, RoleSpec> =
        toml::from_str(text).map_err(|e| format!("theme {name}: {e}"))?;
    if let Some(unknown) = specs.keys().find(|k| !ROLES.contains(&k.as_str())) {
        return Err(format!(
            "theme {name}: unknown role {unknown:?}; roles are {}",
            ROLES.join(", ")
        ));
    }
    // Roles a user theme leaves out fall back to the dark theme's.
    let fallback: BTreeMap<String, RoleSpec> = if no_color || name == "dark" {
        BTreeMap::new()
    } else {
        toml::from_str(DARK).map_err(|e| format!("theme dark: {e}"))?
    };
    let style = |role: &str| -> Result<Style, String> {
        let spec = specs.get(role).or_else(|| fallback.get(role));
        spec.map(|s| to_style(s, no_color))
            .transpose()
            .map(Option::unwrap_or_default)
            .map_err(|e| format!("theme {name}: role {role}: {e}"))
    };
    Ok(Theme {
        background: style("background")?,
        text: style("text")?,
        muted: style("muted")?,
        accent: style("accent")?,
        border: style("border")?,
        focus: style("focus")?,
        ok: style("ok")?,
        warn: style("warn")?,
        danger: style("danger")?,
        canary: style("canary")?,
        baseline: style("baseline")?,
        protected: style("protected")?,
        selection: style("selection")?,
        stale: style("stale")?,
        fresh: style("fresh")?,
        ageing: style("ageing")?,
        no_color,
    })
}

fn to_style(spec: &RoleSpec, no_color: bool) -> Result<Style, String> {
    let mut style = Style::default();
    if !no_color {
        if let Some(fg) = &spec.fg {
            style = style.fg(color(fg)?);
        }
        if let Some(bg) = &spec.bg {
            style = style.bg(color(bg)?);
        }
    }
    for m in &spec.modifiers {
        style = style.add_modifier(modifier(m)?);
    }
    Ok(style)
}

fn color(s: &str) -> Result<Color, String> {
    Color::from_str(s).map_err(|_| format!("{s:?} is not a colour (a name, #rrggbb or 0-255)"))
}

fn modifier(s: &str) -> Result<Modifier, String> {
    Ok(match s {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        "crossed_out" => Modifier::CROSSED_OUT,
        other => {
            return Err(format!(
                "{other:?} is not a modifier (bold, dim, italic, underlined, reversed, crossed_out)"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_loads() {
        for name in ["dark", "light", "high-contrast"] {
            let theme = Theme::load(Some(name), false).unwrap();
            assert_ne!(theme.danger, theme.ok, "{name}");
            assert!(theme.protected.bg.is_some(), "{name}");
        }
    }

    /// What a colour looks like on a common terminal (xterm's palette for the 16 named ones).
    fn rgb(c: Color) -> (u8, u8, u8) {
        const ANSI: [(u8, u8, u8); 16] = [
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
        let cube = |n: u8| if n == 0 { 0 } else { 55 + 40 * n };
        match c {
            Color::Rgb(r, g, b) => (r, g, b),
            Color::Indexed(n @ 0..=15) => ANSI[usize::from(n)],
            Color::Indexed(n @ 16..=231) => {
                let n = n - 16;
                (cube(n / 36), cube((n / 6) % 6), cube(n % 6))
            }
            Color::Indexed(n) => {
                let v = 8 + 10 * (n - 232);
                (v, v, v)
            }
            named => {
                let order = [
                    Color::Black,
                    Color::Red,
                    Color::Green,
                    Color::Yellow,
                    Color::Blue,
                    Color::Magenta,
                    Color::Cyan,
                    Color::Gray,
                    Color::DarkGray,
                    Color::LightRed,
                    Color::LightGreen,
                    Color::LightYellow,
                    Color::LightBlue,
                    Color::LightMagenta,
                    Color::LightCyan,
                    Color::White,
                ];
                let i = order.iter().position(|o| *o == named);
                ANSI[i.unwrap_or_else(|| panic!("{named:?} has no colour of its own"))]
            }
        }
    }

    /// WCAG 2 contrast ratio of two colours, 1 to 21.
    fn contrast(a: Color, b: Color) -> f64 {
        let luminance = |c: Color| {
            let (r, g, b) = rgb(c);
            let channel = |v: u8| {
                let v = f64::from(v) / 255.0;
                if v <= 0.03928 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
        };
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn every_role_of_every_theme_reads_at_4_5_to_1_on_the_background_and_the_selection() {
        for (name, text) in [
            ("dark", DARK),
            ("light", LIGHT),
            ("high-contrast", HIGH_CONTRAST),
        ] {
            // Each theme file sets its own background, not the dark theme's by fallback.
            let specs: BTreeMap<String, RoleSpec> = toml::from_str(text).unwrap();
            for role in ROLES {
                assert!(specs.contains_key(role), "{name} leaves {role} out");
            }
            let theme = Theme::load(Some(name), false).unwrap();
            let background = theme.background.bg.expect("a background colour");
            let reversed = theme.selection.add_modifier.contains(Modifier::REVERSED);
            // The selection is checked below: it is the ground of the others, not a colour on it.
            for role in ROLES.into_iter().filter(|r| *r != "selection") {
                let style = theme.role(role).unwrap();
                let fg = style
                    .fg
                    .unwrap_or_else(|| panic!("{name} {role} has no colour"));
                // A role with a background of its own keeps it, selected or not.
                let grounds = match style.bg {
                    Some(own) => vec![("its own background", own)],
                    None if reversed => vec![("the background", background)],
                    None => vec![
                        ("the background", background),
                        (
                            "the selection",
                            theme.selection.bg.expect("a selection colour"),
                        ),
                    ],
                };
                for (what, bg) in grounds {
                    let ratio = contrast(fg, bg);
                    assert!(
                        ratio >= 4.5,
                        "{name}: {role} {fg:?} on {what} {bg:?} has a contrast of {ratio:.2}:1"
                    );
                }
            }
            let selected_fg = theme.selection.fg.unwrap_or(background);
            let selection_bg = theme.selection.bg.or(theme.background.fg).unwrap();
            assert!(
                contrast(selected_fg, selection_bg) >= 4.5,
                "{name} selection"
            );
        }
    }

    #[test]
    fn no_color_keeps_only_modifiers() {
        let theme = Theme::load(Some("dark"), true).unwrap();
        for role in ROLES {
            let style = theme.role(role).unwrap();
            assert_eq!((style.fg, style.bg), (None, None), "{role}");
        }
        assert!(theme.selection.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn a_theme_file_overrides_some_roles_and_reports_mistakes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        std::fs::write(&path, "danger = { fg = \"magenta\" }\n").unwrap();
        let theme = Theme::load(path.to_str(), false).unwrap();
        assert_eq!(theme.danger.fg, Some(Color::Magenta));
        assert_eq!(theme.ok, Theme::load(None, false).unwrap().ok);

        std::fs::write(&path, "text = {}\ndangr = { fg = \"red\" }\n").unwrap();
        let err = Theme::load(path.to_str(), false).unwrap_err();
        assert!(err.contains("unknown role \"dangr\""), "{err}");
        std::fs::write(&path, "text = { fg = \"chartreuse-ish\" }\n").unwrap();
        let err = Theme::load(path.to_str(), false).unwrap_err();
        assert!(
            err.contains("role text") && err.contains("not a colour"),
            "{err}"
        );
    }
}

#[cfg(test)]
mod accent_tests {
    use super::*;

    #[test]
    fn an_accent_must_be_a_role_or_a_colour_and_the_error_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("shiftdeck.toml");
        std::fs::write(&file, "[[env]]\nname = \"prod\"\naccent = \"mauvish\"\n").unwrap();
        let env = |accent: &str| Environment {
            name: "prod".into(),
            pin: crate::domain::pin::PinLocator {
                file: "cdk.json".into(),
                rule: crate::domain::pin::PinRule::JsonPointer("/context/prod".into()),
            },
            region: None,
            profile: None,
            application: String::new(),
            deployment_groups: Vec::new(),
            requires_approval: false,
            require_signed_approval: false,
            protected: true,
            accent: Some(accent.into()),
            alias: "Prod".into(),
        };
        for ok in ["warn", "magenta", "#ff8800"] {
            assert!(check_accents(&[env(ok)], &file).is_ok(), "{ok}");
        }
        let e = check_accents(&[env("mauvish")], &file).unwrap_err();
        assert!(
            e.contains("shiftdeck.toml:3: ") && e.contains("mauvish") && e.contains("#rrggbb"),
            "{e}"
        );
    }
}
