//! `?` help, generated from the keymap and each command's description, then the notations the
//! screens use and what CodeDeploy cannot do. Taller than the screen, it scrolls line by line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{Fit, Scroll};

use super::modal::{box_width, open_box};
use super::pane::not_possible;
use super::text::{fit_line, hanging};
use super::theme::Theme;

const MAX_W: u16 = 100;
/// A blank line and the keys line under the text.
const FOOTER_H: u16 = 2;

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

pub struct HelpLayout<'a> {
    width: u16,
    height: u16,
    lines: Vec<Line<'a>>,
    pub fit: Fit,
}

pub fn layout<'a>(rows: &[(String, &'static str)], area: Rect, theme: &Theme) -> HelpLayout<'a> {
    let width = box_width(area, MAX_W);
    let inner_w = usize::from(width.saturating_sub(4));
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
    let rows = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let height = rows.saturating_add(FOOTER_H + 2).min(area.height);
    HelpLayout {
        width,
        height,
        lines,
        fit: Fit {
            rows,
            visible: height.saturating_sub(FOOTER_H + 2),
        },
    }
}

pub fn draw(f: &mut Frame, area: Rect, layout: HelpLayout, scroll: &Scroll, theme: &Theme) {
    let HelpLayout {
        width,
        height,
        lines,
        fit,
    } = layout;
    let title = Line::from(Span::styled(" Help ", theme.focus));
    let inner = open_box(f, area, title, theme.background, theme.focus, width, height);
    let [body, footer] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(FOOTER_H)]).areas(inner);
    let offset = scroll.offset.min(fit.rows.saturating_sub(fit.visible));
    f.render_widget(Paragraph::new(lines).scroll((offset, 0)), body);
    let below = fit.rows.saturating_sub(offset + fit.visible);
    let hint = match (offset, below) {
        (0, 0) => "? or Esc close · keys come from the keymap file".to_string(),
        (_, 0) => format!("↑ {offset} lines above: up, k or PgUp · ? or Esc close"),
        (0, _) => format!("↓ {below} more lines: down, j or PgDn · ? or Esc close"),
        _ => format!("↑ {offset} above · ↓ {below} below: up/down, PgUp/PgDn · Esc close"),
    };
    f.render_widget(
        Paragraph::new(vec![
            Line::default(),
            fit_line(
                Line::from(Span::styled(hint, theme.muted)),
                usize::from(footer.width),
            ),
        ]),
        footer,
    );
}
