//! Text helpers every pane, modal and the view model share: wrapping, hanging indents, cutting
//! with an ellipsis, ages. A leaf: it imports nothing of the UI, so the modules above it no
//! longer import each other in a circle.

use std::borrow::Cow;
use std::time::Duration;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::domain::time::short_duration;

/// Marks text that was cut, so a shortened value never passes for the whole one.
pub const ELLIPSIS: char = '…';

/// Splits `text` at spaces into pieces of at most `width` characters (longer words stay whole).
pub fn wrap(text: &str, width: usize) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut last_space = None;
    for (i, ch) in text.char_indices() {
        if ch == ' ' {
            last_space = Some(i);
        }
        if text[start..i].chars().count() >= width.max(1)
            && let Some(sp) = last_space.filter(|sp| *sp > start)
        {
            parts.push(&text[start..sp]);
            start = sp + 1;
            last_space = None;
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `text` after `head`, wrapped to `width` columns in all, with the lines after the first
/// indented under the text: label columns and log prefixes stay clean columns. A word longer
/// than the room left is cut with `…` rather than running off the edge.
pub fn hanging<'a>(head: Vec<Span<'a>>, text: &str, style: Style, width: usize) -> Vec<Line<'a>> {
    let indent = head.iter().map(Span::width).sum::<usize>();
    let room = width.saturating_sub(indent);
    let mut parts = wrap(text, room).into_iter();
    let mut first = head;
    first.push(Span::styled(
        truncate(parts.next().unwrap_or_default(), room.max(1)).into_owned(),
        style,
    ));
    let mut lines = vec![Line::from(first)];
    lines.extend(parts.map(|part| {
        Line::from(vec![
            Span::raw(" ".repeat(indent)),
            Span::styled(truncate(part, room.max(1)).into_owned(), style),
        ])
    }));
    lines
}

/// Rows `lines` take when wrapped at `width`, counting characters (word wrapping may need one
/// more, which is then cut).
pub fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    rows.min(usize::from(u16::MAX)) as u16
}

/// `text` in at most `width` columns: whole when it fits, else cut and ending with `…`.
pub fn truncate(text: &str, width: usize) -> Cow<'_, str> {
    if text.chars().count() <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push(ELLIPSIS);
    Cow::Owned(cut)
}

/// `line` in at most `width` columns, its last visible span ending with `…` when anything was
/// `12s ago`, `3m05s ago`.
pub fn ago(age: Duration) -> String {
    format!("{} ago", short_duration(age))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_wrap_at_spaces() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(
            wrap("v1.4.0 (#14) → v1.3.0 (#13)", 80),
            ["v1.4.0 (#14) → v1.3.0 (#13)"]
        );
        assert_eq!(wrap("unbreakable", 3), ["unbreakable"]);
        assert_eq!(wrap("", 3), [""]);
    }

    #[test]
    fn cut_text_ends_with_an_ellipsis_and_whole_text_does_not() {
        assert_eq!(truncate("bad signature", 13), "bad signature");
        assert_eq!(truncate("bad signature", 11), "bad signat…");
        assert_eq!(truncate("x", 0), "");
    }

    #[test]
    fn a_word_longer_than_its_column_is_cut_with_an_ellipsis() {
        let lines = hanging(
            vec![Span::raw("why ")],
            "a verylongword",
            Style::default(),
            10,
        );
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, ["why a", "    veryl…"]);
    }
}
