//! The command log: every action with its outcome, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::Pane;
use crate::domain::audit::Outcome;

use super::pane;
use super::text::hanging;
use super::theme::Theme;
use super::view_model::ViewModel;

pub fn outcome(o: Outcome, theme: &Theme) -> (&'static str, Style) {
    match o {
        Outcome::Succeeded => ("succeeded", theme.ok),
        Outcome::Refused => ("refused", theme.warn),
        Outcome::Failed => ("failed", theme.danger),
    }
}

pub fn draw(f: &mut Frame, area: Rect, vm: &ViewModel, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let log = &vm.log;
    let focused = vm.focus == Pane::Log;
    let mut title = vec![pane::title("Command log", focused, theme)];
    if log.skipped > 0 {
        title.push(Span::styled(
            format!(" ↑ {} newer", log.skipped),
            theme.warn,
        ));
    }
    let inner = pane::frame(f, area, title, focused, None, theme);
    if log.total == 0 {
        f.render_widget(
            Paragraph::new(Span::styled(
                "no actions yet: p promote · a approve · r rollback",
                theme.muted,
            )),
            inner,
        );
        return;
    }
    let env_w = vm.envs.iter().map(|e| e.env.name.len()).max().unwrap_or(0);
    // Newest first, so a message wrapped in full only pushes older entries off the bottom.
    let mut lines: Vec<Line> = Vec::new();
    for e in &log.rows {
        let (label, style) = outcome(e.outcome, theme);
        let head = vec![
            Span::styled(e.at.clock(), theme.muted),
            Span::raw(" "),
            Span::styled(format!("{:<env_w$}", e.env), theme.text),
            Span::raw(" "),
            Span::styled(format!("{:<8}", e.action), theme.text),
            Span::raw(" "),
            Span::styled(format!("{label:<9}"), style),
            Span::raw(" "),
        ];
        // At least 20 columns of message, however narrow the pane.
        let head_w: usize = head.iter().map(Span::width).sum();
        let width = usize::from(inner.width).max(head_w + 20);
        lines.extend(hanging(head, &e.message, theme.text, width));
    }
    pane::lines(f, inner, lines);
}
