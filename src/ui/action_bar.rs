//! The bottom bar: what p, a and r would do now or why they cannot, or the filter being typed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{first_fitting, fit_line};
use super::theme::Theme;
use super::view_model::{ActionHint, ViewModel};

pub fn draw(f: &mut Frame, area: Rect, vm: &ViewModel, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let mut rows = area.rows();
    if vm.filter.active
        && let Some(row) = rows.next()
    {
        let input = Line::from(vec![
            Span::styled(" / ", theme.accent),
            Span::styled(vm.filter.text.as_str(), theme.text),
            Span::styled("▏", theme.focus),
            Span::styled("  Enter keep · Esc clear", theme.muted),
        ]);
        f.render_widget(Paragraph::new(input), row);
    }
    let rest: Vec<Rect> = rows.collect();
    let keys = Line::from(Span::styled(
        " ? help · : commands · / filter · tab next pane · q quit",
        theme.muted,
    ));
    if vm.actions.is_empty() {
        if let Some(row) = rest.first() {
            f.render_widget(Paragraph::new(keys), *row);
        }
    } else if rest.len() >= vm.actions.len() {
        for (a, row) in vm.actions.iter().zip(&rest) {
            let line = fit_line(
                Line::from(hint_spans(a, theme).to_vec()),
                usize::from(row.width),
            );
            f.render_widget(Paragraph::new(line), *row);
        }
        if let Some(row) = rest.get(vm.actions.len()) {
            f.render_widget(Paragraph::new(keys), *row);
        }
    } else if let Some(row) = rest.first() {
        // One row: a disabled action shows only its crossed-out name (pressing it says why);
        // enabled ones share the rest and say what they would do.
        let cells = Layout::horizontal(vm.actions.iter().map(|a| match &a.plan {
            Ok(_) => Constraint::Fill(1),
            Err(_) => Constraint::Length(hint_spans(a, theme)[0].width() as u16 + 1),
        }))
        .split(*row);
        for (a, cell) in vm.actions.iter().zip(cells.iter()) {
            let spans = hint_spans(a, theme);
            // What an enabled action would do where it fits, else just its key and name.
            let line = match &a.plan {
                Ok(_) => first_fitting(
                    vec![
                        Line::from(spans.to_vec()),
                        Line::from(Span::styled(
                            format!(" {} {}", a.key, a.command.name()),
                            theme.accent,
                        )),
                    ],
                    usize::from(cell.width),
                ),
                Err(_) => Line::from(spans[0].clone()),
            };
            f.render_widget(Paragraph::new(line), *cell);
        }
    }
}

fn hint_spans<'a>(a: &'a ActionHint, theme: &Theme) -> [Span<'a>; 2] {
    let name = a.command.name();
    match &a.plan {
        Ok(what) => [
            Span::styled(format!(" {} {name}: ", a.key), theme.accent),
            Span::styled(what.as_str(), theme.text),
        ],
        Err(why) => [
            Span::styled(
                format!(" {} {name} ✗", a.key),
                theme.muted.add_modifier(Modifier::CROSSED_OUT),
            ),
            Span::styled(format!(" {why}"), theme.muted),
        ],
    }
}
