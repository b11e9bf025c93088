//! A read-only text panel over the panes (the help, the calls view): the lines are wrapped by
//! whoever builds them, so their count is the height; taller than the screen, it scrolls line
//! by line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{Fit, Scroll};

use super::modal::{box_width, open_box};
use super::text::fit_line;
use super::theme::Theme;

const MAX_W: u16 = 100;
/// A blank line and the keys line under the text.
const FOOTER_H: u16 = 2;

pub struct PanelLayout<'a> {
    width: u16,
    height: u16,
    lines: Vec<Line<'a>>,
    pub fit: Fit,
}

/// The width of the text inside a panel drawn over `area`.
pub fn inner_width(area: Rect) -> usize {
    usize::from(box_width(area, MAX_W).saturating_sub(4))
}

/// Lays out `lines`, each at most `inner_width(area)` wide.
pub fn layout(lines: Vec<Line<'_>>, area: Rect) -> PanelLayout<'_> {
    let width = box_width(area, MAX_W);
    let rows = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let height = rows.saturating_add(FOOTER_H + 2).min(area.height);
    PanelLayout {
        width,
        height,
        lines,
        fit: Fit {
            rows,
            visible: height.saturating_sub(FOOTER_H + 2),
        },
    }
}

/// Draws the panel with its title and a footer that says how to scroll and, with `close` (the
/// keys that close it), how to close it.
pub fn draw(
    f: &mut Frame,
    area: Rect,
    layout: PanelLayout,
    title: &str,
    close: &str,
    scroll: &Scroll,
    theme: &Theme,
) {
    let PanelLayout {
        width,
        height,
        lines,
        fit,
    } = layout;
    let title = Line::from(Span::styled(format!(" {title} "), theme.focus));
    let inner = open_box(f, area, title, theme.background, theme.focus, width, height);
    let [body, footer] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(FOOTER_H)]).areas(inner);
    let offset = scroll.offset.min(fit.rows.saturating_sub(fit.visible));
    f.render_widget(Paragraph::new(lines).scroll((offset, 0)), body);
    let below = fit.rows.saturating_sub(offset + fit.visible);
    let hint = match (offset, below) {
        (0, 0) => format!("{close} close"),
        (_, 0) => format!("↑ {offset} lines above: up, k or PgUp · {close} close"),
        (0, _) => format!("↓ {below} more lines: down, j or PgDn · {close} close"),
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
