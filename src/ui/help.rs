//! `?` help, generated from the keymap and each command's description, followed by what
//! CodeDeploy cannot do. Taller than the screen, it shows its top or, after down, its end.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};

use super::modal::{box_width, centered, wrap};
use super::pane::not_possible;
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
    let what_w = usize::from(inner_w).saturating_sub(keys_w + 2);
    // Every line is wrapped here, so the line count is the height.
    let mut lines = Vec::new();
    for (keys, what) in rows {
        for (i, part) in wrap(what, what_w).into_iter().enumerate() {
            let keys = if i == 0 { keys.as_str() } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{keys:>keys_w$}  "), theme.accent),
                Span::styled(part, theme.text),
            ]));
        }
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
    let rect = centered(area, width, content_h.saturating_add(footer_h + 2));
    let block = Block::bordered()
        .border_style(theme.focus)
        .title(Line::from(Span::styled(" Help ", theme.focus)))
        .padding(Padding::horizontal(1));
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
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
