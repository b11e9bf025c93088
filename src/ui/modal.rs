//! Confirm and message modals: exactly what will happen, and how to go on.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Wrap};

use crate::app::state::{Confirm, Plan};
use crate::app::update::MIN_REASON;
use crate::domain::audit::ActionKind;

use super::text::{hanging, wrapped_height};
use super::theme::Theme;

/// A box of at most `width` × `height` in the middle of `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// A box leaves a margin of two columns each side, down to 20 columns.
pub fn box_width(area: Rect, max_w: u16) -> u16 {
    max_w.min(area.width.saturating_sub(4).max(area.width.min(20)))
}

/// Clears a `width` × `height` box in the middle of `area` and draws its border; returns the
/// area inside it.
pub fn open_box(
    f: &mut Frame,
    area: Rect,
    title: Line,
    background: Style,
    border: Style,
    width: u16,
    height: u16,
) -> Rect {
    let rect = centered(area, width, height);
    // Clear resets the cells to the terminal's colours: the theme's background goes back on.
    let block = Block::bordered()
        .style(background)
        .border_style(border)
        .title(title)
        .padding(Padding::horizontal(1));
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    inner
}

/// A box for `lines` in the middle of `area`, with the lines in it.
pub fn boxed(
    f: &mut Frame,
    area: Rect,
    title: Line,
    background: Style,
    border: Style,
    lines: Vec<Line>,
    max_w: u16,
) {
    let width = box_width(area, max_w);
    let height = wrapped_height(&lines, width.saturating_sub(4)) + 2;
    let inner = open_box(f, area, title, background, border, width, height);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The confirm modal's widest size.
const MAX_W: u16 = 96;

pub fn draw_confirm(f: &mut Frame, area: Rect, c: &Confirm, theme: &Theme) {
    let kind = c.plan.kind();
    let dangerous =
        kind == ActionKind::Rollback || c.type_to_confirm.is_some() || c.override_of.is_some();
    let border = if dangerous { theme.danger } else { theme.focus };
    let what = match &c.plan {
        Plan::Promote {
            as_proposal: true, ..
        } => "propose",
        Plan::ApproveGate { .. } => "open manual gate",
        _ => kind.verb(),
    };
    let title = Line::from(vec![
        Span::styled(format!(" {} ", what.to_uppercase()), border),
        Span::styled(format!("{} ", c.plan.env()), theme.text),
    ]);
    let label_w = c
        .details
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let inner_w = usize::from(box_width(area, MAX_W).saturating_sub(4));
    let mut lines = Vec::new();
    for (label, value) in &c.details {
        let head = vec![Span::styled(format!("{label:>label_w$}  "), theme.muted)];
        lines.extend(hanging(head, value, theme.text, inner_w));
    }
    lines.push(Line::default());
    if c.override_of.is_some() {
        let done = c.typed.trim().chars().count() >= MIN_REASON;
        lines.push(Line::from(Span::styled(
            "Why pin it anyway? The reason goes into the commit message and the audit log.",
            theme.warn,
        )));
        lines.push(Line::from(vec![
            Span::styled("reason: ", theme.warn),
            Span::styled(c.typed.as_str(), theme.text),
            Span::styled("▏", theme.focus),
        ]));
        lines.push(Line::from(Span::styled(
            if done {
                "Enter confirm · Esc cancel".to_string()
            } else {
                format!("Enter confirms once the reason has {MIN_REASON} characters · Esc cancel")
            },
            theme.muted,
        )));
        boxed(f, area, title, theme.background, border, lines, MAX_W);
        return;
    }
    match &c.type_to_confirm {
        Some(name) => {
            let done = c.typed.trim() == name;
            lines.push(Line::from(vec![
                Span::styled(format!("{name} is protected. Type "), theme.warn),
                Span::styled(name.as_str(), theme.protected),
                Span::styled(" to confirm: ", theme.warn),
                Span::styled(c.typed.as_str(), theme.text),
                Span::styled("▏", theme.focus),
                Span::styled(if done { "  ✓" } else { "" }, theme.ok),
            ]));
            lines.push(Line::from(Span::styled(
                if done {
                    "Enter confirm · Esc cancel"
                } else {
                    "Enter confirms once the name is typed · Esc cancel"
                },
                theme.muted,
            )));
        }
        None => lines.push(Line::from(Span::styled(
            "Enter confirm · Esc cancel",
            theme.muted,
        ))),
    }
    boxed(f, area, title, theme.background, border, lines, MAX_W);
}

pub fn draw_message(f: &mut Frame, area: Rect, title: &str, body: &str, theme: &Theme) {
    let mut lines: Vec<Line> = body
        .lines()
        .map(|l| Line::from(Span::styled(l, theme.text)))
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("Enter or Esc close", theme.muted)));
    let title = Line::from(Span::styled(format!(" {title} "), theme.danger));
    boxed(f, area, title, theme.background, theme.danger, lines, 80);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centered_boxes_stay_inside_tiny_areas() {
        let area = Rect::new(3, 2, 5, 1);
        let r = centered(area, 80, 20);
        assert_eq!(r.intersection(area), r);
    }
}
