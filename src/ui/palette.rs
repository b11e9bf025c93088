//! `:` command palette: what is typed and the commands it matches, by their titles, with keys
//! and descriptions.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::modal::{box_width, boxed};
use super::text::hanging;

const MAX_W: u16 = 90;
use super::theme::Theme;

pub fn draw(
    f: &mut Frame,
    area: Rect,
    input: &str,
    matches: &[(String, String, &'static str)],
    theme: &Theme,
) {
    let name_w = matches
        .iter()
        .map(|(n, _, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    let keys_w = matches
        .iter()
        .map(|(_, k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(": ", theme.accent),
            Span::styled(input, theme.text),
            Span::styled("▏", theme.focus),
        ]),
        Line::default(),
    ];
    if matches.is_empty() {
        lines.push(Line::from(Span::styled("no command matches", theme.warn)));
    }
    let inner_w = usize::from(box_width(area, MAX_W).saturating_sub(4));
    for (i, (name, keys, what)) in matches.iter().enumerate() {
        // Enter runs the first match, so it is marked.
        let style = if i == 0 { theme.selection } else { theme.text };
        let head = vec![
            Span::styled(format!("{name:<name_w$}  "), theme.accent),
            Span::styled(format!("{keys:<keys_w$}  "), theme.muted),
        ];
        lines.extend(
            hanging(head, what, theme.text, inner_w)
                .into_iter()
                .map(|l| l.style(style)),
        );
    }
    let title = Line::from(Span::styled(" Command ", theme.focus));
    boxed(f, area, title, theme.background, theme.focus, lines, MAX_W);
}
