//! The frame every pane shares: title, focus, the age of its data, and failures shown in place.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::domain::rollout::NOT_POSSIBLE;

use super::text::{fit_line, hanging, wrapped_height};
use super::theme::Theme;
use super::view_model::Freshness;

/// Draws the pane's border and title and returns the area inside it.
pub fn frame(
    f: &mut Frame,
    area: Rect,
    title: Vec<Span<'_>>,
    focused: bool,
    freshness: Option<&Freshness>,
    theme: &Theme,
) -> Rect {
    let border = if focused { theme.focus } else { theme.border };
    let mut spans = vec![Span::raw(" ")];
    spans.extend(title);
    spans.push(Span::raw(" "));
    let mut block = Block::bordered()
        .border_style(border)
        .title(Line::from(spans));
    if let Some(fresh) = freshness {
        let style = match fresh {
            Freshness::Loading => theme.muted,
            Freshness::Fresh(_) => theme.fresh,
            Freshness::Ageing(_) => theme.ageing,
            Freshness::Stale(_) => theme.warn.add_modifier(ratatui::style::Modifier::REVERSED),
            Freshness::Failed { .. } => theme.danger,
        };
        block = block.title(
            Line::from(Span::styled(format!(" {} ", fresh.label()), style))
                .alignment(Alignment::Right),
        );
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// The pane's title text, in focus style when focused.
pub fn title<'a>(
    text: impl Into<std::borrow::Cow<'a, str>>,
    focused: bool,
    theme: &Theme,
) -> Span<'a> {
    let style = if focused { theme.focus } else { theme.text };
    Span::styled(text, style.add_modifier(ratatui::style::Modifier::BOLD))
}

/// Writes a failed read's message and hint at the top of `area`; returns the rest.
pub fn failure(f: &mut Frame, area: Rect, freshness: &Freshness, theme: &Theme) -> Rect {
    let Some(error) = freshness.error() else {
        return area;
    };
    let mut lines = vec![Line::from(vec![
        Span::styled("✗ read failed: ", theme.danger),
        Span::styled(error.message.as_str(), theme.text),
    ])];
    if let Some(hint) = &error.hint {
        lines.push(Line::from(vec![
            Span::styled("  hint: ", theme.warn),
            Span::styled(hint.as_str(), theme.text),
        ]));
    }
    // At most half the pane, so the last good data stays in view beside the failure.
    let budget = (area.height / 2).max(1).min(area.height);
    let height = wrapped_height(&lines, area.width).min(budget);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }),
        Rect { height, ..area },
    );
    let label = match freshness {
        Freshness::Failed { age: Some(_), .. } if height < budget => "last good read, not live:",
        _ => "",
    };
    let rest = Rect {
        y: area.y + height,
        height: area.height - height,
        ..area
    };
    if label.is_empty() || rest.height == 0 {
        return rest;
    }
    f.render_widget(Span::styled(label, theme.stale), rest);
    Rect {
        y: rest.y + 1,
        height: rest.height - 1,
        ..rest
    }
}

/// Draws `lines` in `area`, each cut with `…` where it is still too wide after the rules that
/// shortened it: a value cut off at the border would pass for the whole value.
pub fn lines(f: &mut Frame, area: Rect, lines: Vec<Line>) {
    let width = usize::from(area.width);
    let fitted: Vec<Line> = lines.into_iter().map(|l| fit_line(l, width)).collect();
    f.render_widget(Paragraph::new(fitted), area);
}

/// Greys out what was drawn in `area` so old numbers do not look live.
pub fn dim_if_untrusted(f: &mut Frame, area: Rect, freshness: &Freshness, theme: &Theme) {
    if freshness.untrusted() {
        f.buffer_mut().set_style(area, theme.stale);
    }
}

/// Selection highlight for a row, shown strongly only in the focused pane.
pub fn row_style(selected: bool, focused: bool, theme: &Theme) -> Style {
    match (selected, focused) {
        (true, true) => theme.selection,
        _ => Style::default(),
    }
}

/// The marker in front of a row: the selection stays visible when the pane is not focused.
pub fn marker(selected: bool) -> &'static str {
    if selected { "▸ " } else { "  " }
}

/// What CodeDeploy cannot do and why, wrapped at `width` with continuation lines indented.
pub fn not_possible(width: usize, theme: &Theme) -> Vec<Line<'static>> {
    NOT_POSSIBLE
        .iter()
        .flat_map(|(what, why)| {
            let head = vec![Span::styled("✗ ", theme.muted)];
            hanging(head, &format!("{what}: {why}"), theme.muted, width)
        })
        .collect()
}
