//! `?` help, generated from the keymap and each command's description, followed by what
//! CodeDeploy cannot do. Taller than the screen, it shows its top or, after down, its end.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::modal::{box_width, open_box};
use super::pane::not_possible;
use super::text::hanging;
use super::theme::Theme;

const MAX_W: u16 = 100;

pub fn draw(
    f: &mut Frame,
    area: Rect,
    rows: &[(String, &'static str)],
    at_end: bool,
    theme: &Theme,
) {
    let keys_w = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let width = box_width(area, MAX_W);
    let inner_w = width.saturating_sub(4);
    // Every line is wrapped here, so the line count is the height.
    let mut lines = Vec::new();
    for (keys, what) in rows {
        let head = vec![Span::styled(format!("{keys:>keys_w$}  "), theme.accent)];
        lines.extend(hanging(head, what, theme.text, usize::from(inner_w)));
    }
    // What CodeDeploy cannot do, so nobody looks for a key for it.
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "Not possible with CodeDeploy",
        theme.accent,
    )));
    lines.extend(not_possible(usize::from(inner_w), theme));

    let footer_h = 2;
    let content_h = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let title = Line::from(Span::styled(" Help ", theme.focus));
    let height = content_h.saturating_add(footer_h + 2);
    let inner = open_box(f, area, title, theme.background, theme.focus, width, height);
    let [body, footer] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(footer_h)]).areas(inner);
    let hidden = content_h.saturating_sub(body.height);
    let scroll = if at_end { hidden } else { 0 };
    f.render_widget(Paragraph::new(lines).scroll((scroll, 0)), body);
    let hint = match (hidden, at_end) {
        (0, _) => "? or Esc close · keys come from the keymap file",
        (_, false) => "↓ more below: down or j · ? or Esc close",
        (_, true) => "↑ more above: up or k · ? or Esc close",
    };
    f.render_widget(
        Paragraph::new(vec![
            Line::default(),
            Line::from(Span::styled(hint, theme.muted)),
        ]),
        footer,
    );
}
