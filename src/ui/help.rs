//! `?` help, generated from the keymap and each command's description, then the notations the
//! screens use and what CodeDeploy cannot do. Taller than the screen, it scrolls line by line.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::pane::not_possible;
use super::panel::{self, PanelLayout};
use super::text::hanging;
use super::theme::Theme;

/// What the marks on the other screens mean, so nobody has to guess.
const NOTATIONS: [(&str, &str); 7] = [
    (
        "(dev)",
        "after a version: it still serves traffic in dev without being pinned there",
    ),
    (
        "#14",
        "a Lambda version number, beside the release it was built from: v1.4.0 (#14)",
    ),
    (
        "▸",
        "the selected row; the focused pane has a bright border",
    ),
    (
        "PROTECTED",
        "rollback asks for the environment's name to be typed",
    ),
    (
        "STALE",
        "the data is older than three refreshes and is greyed out: do not trust it",
    ),
    (
        "✗",
        "an action that cannot run now, with the reason beside it",
    ),
    (
        "█░",
        "traffic on the new version (filled) and on the old one (shaded)",
    ),
];

pub fn layout<'a>(rows: &[(String, &'static str)], area: Rect, theme: &Theme) -> PanelLayout<'a> {
    let inner_w = panel::inner_width(area);
    let keys_w = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    // Every line is wrapped here, so the line count is the height.
    let mut lines = Vec::new();
    for (keys, what) in rows {
        let head = vec![Span::styled(format!("{keys:>keys_w$}  "), theme.accent)];
        lines.extend(hanging(head, what, theme.text, inner_w));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("On the screens", theme.accent)));
    let mark_w = NOTATIONS
        .iter()
        .map(|(m, _)| m.chars().count())
        .max()
        .unwrap_or(0);
    for (mark, what) in NOTATIONS {
        let head = vec![Span::styled(format!("{mark:>mark_w$}  "), theme.accent)];
        lines.extend(hanging(head, what, theme.text, inner_w));
    }
    // What CodeDeploy cannot do, so nobody looks for a key for it.
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "Not possible with CodeDeploy",
        theme.accent,
    )));
    lines.extend(not_possible(inner_w, theme));
    panel::layout(lines, area)
}
