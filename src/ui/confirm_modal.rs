//! The confirm modal: exactly what will happen, and how to go on. The plan scrolls when it does
//! not fit; the prompt and the keys stay in view beneath it, so nothing is confirmed blind.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{Confirm, ConfirmView, Fit, Plan};
use crate::domain::audit::ActionKind;
use crate::ops::plan::MIN_REASON;

use super::modal::{box_width, open_box};
use super::text::{first_fitting, fit_line, hanging};
use super::theme::Theme;

/// The confirm modal's widest size.
const MAX_W: u16 = 96;

/// The modal worked out for one terminal size: what goes where, and how much of the plan fits.
pub struct ConfirmLayout<'a> {
    width: u16,
    height: u16,
    title: Line<'a>,
    border: Style,
    plan: Vec<Line<'a>>,
    footer: Vec<Line<'a>>,
    pub fit: Fit,
}

pub fn layout<'a>(
    c: &'a Confirm,
    view: &ConfirmView,
    area: Rect,
    theme: &Theme,
) -> ConfirmLayout<'a> {
    let kind = c.plan.kind();
    let dangerous = kind == ActionKind::Rollback || c.type_to_confirm.is_some() || c.wants_reason();
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
    let width = box_width(area, MAX_W);
    let inner_w = usize::from(width.saturating_sub(4));
    let label_w = c
        .details
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut plan = Vec::new();
    if c.changed {
        // Planned again on Enter and found different: said first, as part of the plan, so it
        // is read before the rest.
        plan.extend(hanging(
            Vec::new(),
            "The plan changed while this was open. Read it again; Enter runs this one.",
            theme.warn,
            inner_w,
        ));
        plan.push(Line::default());
    }
    for (label, value) in &c.details {
        if label_w > inner_w / 3 {
            // Narrow: a label column would leave the values too little room, so each label
            // goes above its value instead.
            plan.extend(hanging(Vec::new(), label, theme.muted, inner_w));
            plan.extend(hanging(vec![Span::raw("  ")], value, theme.text, inner_w));
        } else {
            let head = vec![Span::styled(format!("{label:>label_w$}  "), theme.muted)];
            plan.extend(hanging(head, value, theme.text, inner_w));
        }
    }
    let rows = u16::try_from(plan.len()).unwrap_or(u16::MAX);
    let mut footer = footer(c, view, inner_w, theme);
    let wanted = rows.saturating_add(footer_h(&footer)).saturating_add(2);
    let height = wanted.min(area.height);
    let mut visible = height.saturating_sub(2 + footer_h(&footer));
    if visible == 0 && rows > 0 {
        // Not one row of the plan fits beside the prompt: say so rather than show a prompt for
        // a plan nobody can read.
        footer = vec![fit_line(
            Line::from(Span::styled(
                format!("Enlarge the terminal to {wanted} rows to see the plan · Esc cancel"),
                theme.danger,
            )),
            inner_w,
        )];
        visible = 0;
    }
    ConfirmLayout {
        width,
        height,
        title,
        border,
        plan,
        footer,
        fit: Fit { rows, visible },
    }
}

fn footer_h(footer: &[Line]) -> u16 {
    u16::try_from(footer.len()).unwrap_or(u16::MAX)
}

/// Beneath the plan: a rule, what to type, why Enter was refused or how much is left to read,
/// and the keys. Every line is wrapped or cut here, so the line count is the height.
fn footer<'a>(c: &'a Confirm, view: &ConfirmView, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = vec![Line::from(Span::styled("─".repeat(width), theme.border))];
    let typed = c.typed.trim();
    let count = typed.chars().count();
    let cursor = || Span::styled("▏", theme.focus);
    let mut ready = view.scroll.seen_to_end;
    if c.wants_reason() {
        let ask = match &c.reason_for {
            Some(what) => format!("Why? The reason for {what} goes into the audit log."),
            None => "Why pin it anyway? The reason goes into the commit message and the audit log."
                .to_string(),
        };
        lines.extend(hanging(Vec::new(), &ask, theme.warn, width));
        let done = count >= MIN_REASON;
        ready &= done;
        lines.push(fit_line(
            Line::from(vec![
                Span::styled(format!("reason ({count}/{MIN_REASON}): "), theme.warn),
                Span::styled(c.typed.as_str(), theme.text),
                cursor(),
            ]),
            width,
        ));
    } else if let Some(name) = &c.type_to_confirm {
        let done = typed == name;
        ready &= done;
        let intro = vec![
            Span::styled(format!("{name} is protected. "), theme.warn),
            Span::styled("Type ", theme.warn),
            Span::styled(name.as_str(), theme.protected),
            Span::styled(" to confirm: ", theme.warn),
        ];
        let answer = vec![
            Span::styled(c.typed.as_str(), theme.text),
            cursor(),
            if done {
                Span::styled("  ✓", theme.ok)
            } else {
                Span::styled(format!("  {count}/{}", name.chars().count()), theme.muted)
            },
        ];
        let whole = Line::from([intro.clone(), answer.clone()].concat());
        if whole.width() <= width {
            lines.push(whole);
        } else {
            // Narrow: the warning on a line of its own, then what to type.
            lines.push(fit_line(Line::from(intro[0].clone()), width));
            lines.push(fit_line(
                Line::from([intro[1..].to_vec(), answer].concat()),
                width,
            ));
        }
    }
    let scroll = &view.scroll;
    if let Some(why) = &view.refusal {
        lines.extend(hanging(
            vec![Span::styled("✗ ", theme.danger)],
            why,
            theme.danger,
            width,
        ));
    } else if scroll.below() > 0 {
        let n = scroll.below();
        let s = if n == 1 { "" } else { "s" };
        lines.push(shortest(
            [
                format!("↓ {n} more line{s} of the plan: down or PgDn"),
                format!("↓ {n} more line{s}: down/PgDn"),
            ],
            theme.warn,
            width,
        ));
    } else if scroll.offset > 0 {
        let n = scroll.offset;
        lines.push(shortest(
            [
                format!("↑ {n} lines above: up or PgUp"),
                format!("↑ {n} above: up/PgUp"),
            ],
            theme.muted,
            width,
        ));
    }
    let keys = if ready {
        [
            "Enter confirm · Esc cancel".to_string(),
            "Enter ok · Esc cancel".to_string(),
        ]
    } else if !scroll.seen_to_end {
        [
            "Enter confirms once all the plan has been shown · Esc cancel".to_string(),
            "Enter after reading all · Esc".to_string(),
        ]
    } else if c.wants_reason() {
        [
            format!("Enter confirms once the reason has {MIN_REASON} characters · Esc cancel"),
            format!("Enter at {MIN_REASON} characters · Esc cancel"),
        ]
    } else {
        [
            "Enter confirms once the name is typed · Esc cancel".to_string(),
            "Enter once typed · Esc cancel".to_string(),
        ]
    };
    lines.push(shortest(keys, theme.muted, width));
    lines
}

/// The first wording that fits in `width`, else the shortest one cut with `…`.
fn shortest<'a>(wordings: [String; 2], style: Style, width: usize) -> Line<'a> {
    let lines = wordings
        .into_iter()
        .map(|w| Line::from(Span::styled(w, style)))
        .collect();
    first_fitting(lines, width)
}

pub fn draw(f: &mut Frame, area: Rect, layout: ConfirmLayout, view: &ConfirmView, theme: &Theme) {
    let ConfirmLayout {
        width,
        height,
        title,
        border,
        plan,
        footer,
        fit,
    } = layout;
    let inner = open_box(f, area, title, theme.background, border, width, height);
    let offset = usize::from(view.scroll.offset.min(fit.rows.saturating_sub(fit.visible)));
    let shown: Vec<Line> = plan
        .into_iter()
        .skip(offset)
        .take(usize::from(fit.visible))
        .collect();
    let plan_h = fit.visible.min(inner.height);
    f.render_widget(
        Paragraph::new(shown),
        Rect {
            height: plan_h,
            ..inner
        },
    );
    let rest = Rect {
        y: inner.y + plan_h,
        height: inner.height - plan_h,
        ..inner
    };
    f.render_widget(Paragraph::new(footer), rest);
}
