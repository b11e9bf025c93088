//! The top line (who, where, when, what is running, what just failed) and the read-only banner.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::log_pane;
use super::text::first_fitting;
use super::theme::Theme;
use super::view_model::ViewModel;

pub fn draw(f: &mut Frame, area: Rect, vm: &ViewModel, theme: &Theme) {
    let s = &vm.status;
    let sep = || Span::styled(" · ", theme.muted);
    let mut spans = vec![Span::styled(" shiftdeck ", theme.accent)];
    if s.demo {
        spans.push(Span::styled(
            " DEMO ",
            theme.warn.add_modifier(Modifier::REVERSED),
        ));
        spans.push(Span::raw(" "));
    }
    if s.read_only {
        // Beside the banner, in the one line that every layout keeps, even the tiniest.
        spans.push(Span::styled(
            " READ-ONLY ",
            theme.danger.add_modifier(Modifier::REVERSED),
        ));
        spans.push(Span::raw(" "));
    }
    let clock = if s.demo { "virtual" } else { "UTC" };
    spans.push(Span::styled(format!("{} {clock}", s.clock), theme.text));
    // Who is least important here: only the name when the address does not fit.
    let identity_at = spans.len();
    if let Some(me) = s.identity {
        spans.extend([sep(), Span::styled(me.to_string(), theme.muted)]);
    }
    if let Some(busy) = s.busy {
        spans.extend([sep(), Span::styled(format!("⟳ {busy}"), theme.warn)]);
    }
    if let Some(e) = s.last_error {
        spans.extend([
            sep(),
            Span::styled(
                format!(
                    "✗ {} {}: {}",
                    e.action,
                    log_pane::outcome(e.outcome, theme).0,
                    e.message
                ),
                theme.danger,
            ),
        ]);
    }
    if s.failing_reads > 0 {
        let n = s.failing_reads;
        spans.extend([
            sep(),
            Span::styled(
                format!("{n} read{} failing", if n == 1 { "" } else { "s" }),
                theme.danger,
            ),
        ]);
    }
    let width = usize::from(area.width);
    let mut candidates = vec![Line::from(spans.clone())];
    if let Some(me) = s.identity {
        let mut named = spans.clone();
        named[identity_at + 1] = Span::styled(me.name.clone(), theme.muted);
        candidates.push(Line::from(named));
        let mut nobody = spans;
        nobody.drain(identity_at..identity_at + 2);
        candidates.push(Line::from(nobody));
    }
    f.render_widget(Paragraph::new(first_fitting(candidates, width)), area);
}

pub fn draw_banner(f: &mut Frame, area: Rect, theme: &Theme) {
    let style = theme.warn.add_modifier(Modifier::REVERSED | Modifier::BOLD);
    f.render_widget(
        Paragraph::new(" READ-ONLY  read-only: promote, approve and rollback are disabled")
            .style(style),
        area,
    );
}
