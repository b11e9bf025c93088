//! `?` help, generated from the keymap and each command's description.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::modal::{box_width, boxed, wrap};
use super::pane::{not_possible, wrapped_height};
use super::theme::Theme;

const MAX_W: u16 = 100;

pub fn draw(f: &mut Frame, area: Rect, rows: &[(String, &'static str)], theme: &Theme) {
    let keys_w = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let inner_w = box_width(area, MAX_W).saturating_sub(4);
    let what_w = usize::from(inner_w).saturating_sub(keys_w + 2);
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
    // What CodeDeploy cannot do, so nobody looks for a key for it; only when the box has room.
    let mut cannot = vec![
        Line::default(),
        Line::from(Span::styled("Not possible with CodeDeploy", theme.accent)),
    ];
    cannot.extend(not_possible(usize::from(inner_w), theme));
    if wrapped_height(&lines, inner_w) + wrapped_height(&cannot, inner_w) + 4 <= area.height {
        lines.extend(cannot);
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "? or Esc close · keys come from the keymap file",
        theme.muted,
    )));
    let title = Line::from(Span::styled(" Help ", theme.focus));
    boxed(f, area, title, theme.focus, lines, MAX_W);
}
