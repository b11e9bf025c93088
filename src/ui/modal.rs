//! Boxes in the middle of the screen, and the message modal: what was refused or failed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Wrap};

use super::text::wrapped_height;
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
