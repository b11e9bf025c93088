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

/// Splits `text` at spaces into pieces of at most `width` characters; a word longer than that
/// is broken across lines rather than cut, so nothing of it is lost.
pub fn wrap(text: &str, width: usize) -> Vec<&str> {
    let width = width.max(1);
    let mut parts = Vec::new();
    let mut start = 0;
    let mut last_space = None;
    let mut count = 0;
    for (i, ch) in text.char_indices() {
        if ch == ' ' {
            last_space = Some(i);
        }
        if count >= width {
            match last_space.filter(|sp| *sp > start) {
                Some(sp) => {
                    parts.push(&text[start..sp]);
                    start = sp + 1;
                }
                None => {
                    parts.push(&text[start..i]);
                    start = i;
                }
            }
            last_space = None;
            if start > i {
                // The break took this very space.
                count = 0;
                continue;
            }
            count = text[start..i].chars().count();
        }
        count += 1;
    }
    parts.push(&text[start..]);
    parts
}

/// `text` after `head`, wrapped to `width` columns in all, with the lines after the first
/// indented under the text: label columns and log prefixes stay clean columns.
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
/// `line` in at most `width` columns, its last visible span ending with `…` when anything was
/// cut: the safety net under every rule that shortens values first.
pub fn fit_line(line: Line<'_>, width: usize) -> Line<'_> {
    if line.width() <= width {
        return line;
    }
    let Line {
        spans,
        style,
        alignment,
    } = line;
    let mut kept = Vec::new();
    let mut used = 0;
    for span in spans {
        let w = span.width();
        if used + w < width {
            used += w;
            kept.push(span);
            continue;
        }
        // This span reaches the edge: cut it so that the ellipsis takes the last column.
        let room = width - used;
        let text = truncate(&span.content, room).into_owned();
        let text = if text.ends_with(ELLIPSIS) || room == 0 {
            text
        } else {
            let mut t: String = text.chars().take(room.saturating_sub(1)).collect();
            t.push(ELLIPSIS);
            t
        };
        if !text.is_empty() {
            kept.push(Span::styled(text, span.style));
        }
        break;
    }
    Line {
        spans: kept,
        style,
        alignment,
    }
}

/// The first of `candidates` that fits in `width`, else the last one cut with `…`: values
/// shrink by rules (abbreviate, drop the least important field) before anything is cut.
pub fn first_fitting<'a>(candidates: Vec<Line<'a>>, width: usize) -> Line<'a> {
    let mut last = None;
    for line in candidates {
        if line.width() <= width {
            return line;
        }
        last = Some(line);
    }
    fit_line(last.unwrap_or_default(), width)
}

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
        assert_eq!(wrap("aaa bbb c", 3), ["aaa", "bbb", "c"]);
        assert_eq!(wrap("unbreakable", 4), ["unbr", "eaka", "ble"]);
        assert_eq!(
            wrap("codedeploy:CreateDeployment all", 12),
            ["codedeploy:C", "reateDeploym", "ent all"]
        );
        assert_eq!(wrap("", 3), [""]);
    }

    #[test]
    fn cut_text_ends_with_an_ellipsis_and_whole_text_does_not() {
        assert_eq!(truncate("bad signature", 13), "bad signature");
        assert_eq!(truncate("bad signature", 11), "bad signat…");
        assert_eq!(truncate("x", 0), "");
        let line = Line::from(vec![Span::raw("prod "), Span::raw("PROTECTED pin v1.2.0")]);
        assert_eq!(fit_line(line.clone(), 12).to_string(), "prod PROTEC…");
        assert_eq!(fit_line(line.clone(), 6).to_string(), "prod …");
        assert_eq!(fit_line(line.clone(), 25).to_string(), line.to_string());
        assert!(fit_line(line, 12).width() <= 12);
    }

    #[test]
    fn the_first_candidate_that_fits_wins() {
        let long = Line::from("pin v1.2.0 serving v1.2.0");
        let short = Line::from("on v1.2.0");
        assert_eq!(
            first_fitting(vec![long.clone(), short.clone()], 12).to_string(),
            "on v1.2.0"
        );
        assert_eq!(first_fitting(vec![long, short], 5).to_string(), "on v…");
    }

    #[test]
    fn a_word_longer_than_its_column_is_broken_not_cut() {
        let lines = hanging(
            vec![Span::raw("why ")],
            "a verylongword",
            Style::default(),
            10,
        );
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, ["why a", "    verylo", "    ngword"]);
    }
}
