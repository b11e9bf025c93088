//! The shift monitor for the selected target: weight gauge, step timeline with next step and ETA,
//! hooks and manual gate, rollback, alarms, canary against baseline, and what cannot be done.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};

use crate::app::state::Pane;
use crate::domain::rollout::{
    AlarmState, DeploymentStatus, EventStatus, LifecycleEvent, Shift, Target,
};
use crate::domain::time::{Timestamp, short_duration};
use crate::ports::VersionMetrics;

use super::gauge::weight_bar;
use super::pane;
use super::text::hanging;
use super::theme::Theme;
use super::view_model::{Freshness, MetricsView, ShiftView, ViewModel};

pub fn draw(f: &mut Frame, area: Rect, vm: &ViewModel, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let s = &vm.shift;
    let focused = vm.focus == Pane::Shift;
    let mut title = vec![pane::title("Shift", focused, theme)];
    if let Some(env) = s.env {
        title.push(Span::raw(" "));
        title.push(Span::styled(env.name.as_str(), theme.env_style(env)));
        if env.protected {
            title.push(Span::raw(" "));
            title.push(Span::styled("PROTECTED", theme.protected));
        }
    }
    if let Some(t) = s.target {
        title.push(Span::styled(
            format!(" / {} ({}/{})", t.group, s.index + 1, s.total),
            theme.text,
        ));
    }
    let inner = pane::frame(f, area, title, focused, Some(&s.freshness), theme);
    let body = pane::failure(f, inner, &s.freshness, theme);
    let Some(target) = s.target else {
        let text = match s.freshness {
            Freshness::Loading => "reading deployments…",
            _ if vm.overview.filter.is_empty() => "no deployment groups to show",
            _ => "no deployment group matches the filter",
        };
        f.render_widget(Span::styled(text, theme.muted), body);
        return;
    };
    let shift = target.latest.as_ref();
    let active = shift.is_some_and(|s| s.status.is_active());
    // What goes when rows are short, least useful first: the not-possible notes, the alarm
    // thresholds, the sparklines, the step timeline and hooks. Alarm states and reasons always stay; text wraps, never cuts.
    let (width, height) = (body.width, usize::from(body.height));
    let text = |detail| target_lines(target, s, vm.now, usize::from(width), detail, theme);
    let mut details = text(true);
    let mut metrics_h = if shift.is_some() { 2 } else { 0 };
    if details.len() + metrics_h > height {
        details = text(false);
        if details.len() + metrics_h > height {
            metrics_h = 0;
        }
        if details.len() > height {
            // The step timeline and the hooks give way to the alarms, which say why a shift
            // stops.
            details.retain(|l| {
                !l.spans
                    .first()
                    .is_some_and(|s| [STEPS, HOOKS].contains(&s.content.trim_end()))
            });
        }
    }
    let cannot = pane::not_possible(usize::from(width), theme);
    // Shown in full or not at all: a reason cut off mid-sentence would mislead.
    let cannot_h = if active && details.len() + metrics_h + cannot.len() <= height {
        cannot.len()
    } else {
        0
    };
    let [text_area, metrics_area, cannot_area] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(metrics_h as u16),
        Constraint::Length(cannot_h as u16),
    ])
    .areas(body);
    pane::lines(f, text_area, details);
    if let Some(shift) = shift {
        draw_metrics(f, metrics_area, shift, &s.metrics, theme);
    }
    f.render_widget(Paragraph::new(cannot), cannot_area);
    pane::dim_if_untrusted(f, body, &s.freshness, theme);
}

/// Label column width, so values line up.
const LABEL: usize = 8;
const STEPS: &str = "steps";
const HOOKS: &str = "hooks";

fn label(text: &str, theme: &Theme) -> Span<'static> {
    Span::styled(format!("{text:<LABEL$}"), theme.muted)
}

/// `text` after a label, wrapped under the label column: reasons and thresholds are what an
/// operator acts on, so they are never cut off.
fn labelled<'a>(
    name: &str,
    text: &'a str,
    style: Style,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    hanging(vec![label(name, theme)], text, style, width)
}

fn target_lines<'a>(
    t: &'a Target,
    view: &ShiftView,
    now: Timestamp,
    width: usize,
    detail: bool,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let config = match &t.latest {
        Some(s) => s.config.label(),
        None => t
            .config_name
            .strip_prefix("CodeDeployDefault.Lambda")
            .unwrap_or(&t.config_name)
            .to_string(),
    };
    let mut head = vec![
        label("target", theme),
        Span::styled(format!("{}:{}", t.function, t.alias), theme.text),
        Span::styled(format!(" · {config}"), theme.muted),
    ];
    if !t.auto_rollback_on_alarm {
        head.push(Span::styled(" · no auto-rollback on alarm", theme.warn));
    }
    lines.push(Line::from(head));
    let Some(shift) = &t.latest else {
        let serving = t.serving().map(|v| v.label()).unwrap_or_else(|| "?".into());
        lines.push(Line::from(vec![
            label("idle", theme),
            Span::styled(
                format!("alias serves {serving}; no deployment yet"),
                theme.text,
            ),
        ]));
        lines.extend(alarm_lines(t, width, detail, theme));
        return lines;
    };
    lines.push(status_line(shift, now, theme));
    lines.push(weight_line(shift, width, theme));
    if let Some(rb) = &shift.rollback {
        lines.push(Line::from(vec![
            Span::styled("ROLLED BACK", theme.danger),
            Span::styled(
                format!(
                    " at {}: all traffic returned to {}",
                    rb.at.clock(),
                    shift.from.label()
                ),
                theme.danger,
            ),
        ]));
        lines.extend(labelled("why", &rb.reason, theme.text, width, theme));
    } else if shift.is_rollback_redeploy && shift.status.is_active() {
        lines.push(Line::from(vec![
            Span::styled("ROLLBACK IN PROGRESS ", theme.danger),
            Span::styled(
                format!("returning all traffic to {}", shift.to.label()),
                theme.text,
            ),
        ]));
    }
    if let Some(g) = &shift.gate {
        let text = format!(
            "manual gate waiting at {:?} for {} · {} left before CodeDeploy fails the hook · a approves it",
            g.event,
            short_duration(now.since(g.waiting_since)),
            short_duration(g.time_left(now))
        );
        lines.extend(hanging(
            vec![label("gate", theme)],
            &text,
            theme.warn,
            width,
        ));
    }
    if shift.status == DeploymentStatus::InProgress || shift.traffic_started_at.is_some() {
        lines.push(timeline_line(shift, view, theme));
    }
    if let Some(p) = &view.progress {
        let mut spans = vec![label("next", theme)];
        match p.next {
            Some(step) => {
                let at = shift
                    .traffic_started_at
                    .map(|t| t.plus(step.at))
                    .unwrap_or(now);
                spans.push(Span::styled(
                    format!(
                        "{}% at {} (in {})",
                        step.percent,
                        at.clock(),
                        short_duration(at.since(now))
                    ),
                    theme.text,
                ));
            }
            None => spans.push(Span::styled("last step reached", theme.text)),
        }
        spans.push(Span::styled(
            format!(
                " · ETA {} (in {})",
                p.eta.clock(),
                short_duration(p.eta.since(now))
            ),
            theme.accent,
        ));
        lines.push(Line::from(spans));
    }
    lines.push(hooks_line(shift, width, theme));
    lines.extend(alarm_lines(t, width, detail, theme));
    lines
}

fn status_line<'a>(shift: &'a Shift, now: Timestamp, theme: &Theme) -> Line<'a> {
    let style = match shift.status {
        DeploymentStatus::Succeeded => theme.ok,
        DeploymentStatus::Failed | DeploymentStatus::Stopped => theme.danger,
        _ => theme.canary,
    };
    let mut spans = vec![
        label("deploy", theme),
        Span::styled(shift.deployment_id.as_str(), theme.text),
        Span::raw(" "),
        Span::styled(shift.status.label(), style.add_modifier(Modifier::BOLD)),
    ];
    if let Some(done) = shift.completed_at {
        spans.push(Span::styled(
            format!(
                " · ended {} ({} ago)",
                done.clock(),
                short_duration(now.since(done))
            ),
            theme.muted,
        ));
    } else {
        spans.push(Span::styled(
            format!(" · started {}", shift.created_at.clock()),
            theme.muted,
        ));
    }
    Line::from(spans)
}

fn weight_line<'a>(shift: &'a Shift, width: usize, theme: &Theme) -> Line<'a> {
    let pct = shift.target_percent;
    let new = Span::styled(format!(" {pct:.0}% {}", shift.to.label()), theme.canary);
    let old = Span::styled(
        format!(
            " · {:.0}% {}",
            100.0 - pct.clamp(0.0, 100.0),
            shift.from.label()
        ),
        theme.baseline,
    );
    // The bar gives way to the numbers and versions, down to four cells.
    let room = width.saturating_sub(LABEL + new.width() + old.width());
    let bar_w = (width.saturating_sub(LABEL) / 3)
        .clamp(4, 30)
        .min(room.max(4));
    let [filled, shaded] = weight_bar(pct, bar_w, theme);
    Line::from(vec![label("weight", theme), filled, shaded, new, old])
}

/// Each step as done, current or still to come: `✓10 ✓20 ▶30 ·40`.
fn timeline_line<'a>(shift: &Shift, view: &ShiftView, theme: &Theme) -> Line<'a> {
    let steps = shift.config.steps();
    let elapsed = view.progress.as_ref().map(|p| p.elapsed);
    let current = elapsed.and_then(|e| steps.iter().rposition(|s| s.at <= e));
    let finished = !shift.status.is_active() || shift.status == DeploymentStatus::Baking;
    let mut spans = vec![label(STEPS, theme)];
    for (i, step) in steps.iter().enumerate() {
        let (mark, style) = match current {
            _ if finished && shift.rollback.is_none() => ("✓", theme.ok),
            Some(c) if i < c => ("✓", theme.ok),
            Some(c) if i == c => ("▶", theme.canary.add_modifier(Modifier::BOLD)),
            _ => ("·", theme.muted),
        };
        spans.push(Span::styled(format!("{mark}{} ", step.percent), style));
    }
    Line::from(spans)
}

/// The lifecycle events with their state; their short names (`before`, `traffic`, `after`)
/// where the full ones do not fit in `width`.
fn hooks_line<'a>(shift: &Shift, width: usize, theme: &Theme) -> Line<'a> {
    let long = events_line(shift, false, theme);
    if long.width() <= width {
        return long;
    }
    events_line(shift, true, theme)
}

fn events_line<'a>(shift: &Shift, short: bool, theme: &Theme) -> Line<'a> {
    let mut spans = vec![label(HOOKS, theme)];
    for (i, (event, status)) in shift.events.iter().enumerate() {
        let (mark, style) = match status {
            EventStatus::Succeeded => ("✓", theme.ok),
            EventStatus::InProgress => ("▶", theme.canary),
            EventStatus::Failed => ("✗", theme.danger),
            EventStatus::Skipped => ("-", theme.muted),
            EventStatus::Pending => ("·", theme.muted),
        };
        if i > 0 {
            spans.push(Span::styled(" ", theme.muted));
        }
        let name = match (short, event) {
            (false, e) => format!("{e:?}"),
            (true, LifecycleEvent::BeforeAllowTraffic) => "before".into(),
            (true, LifecycleEvent::AllowTraffic) => "traffic".into(),
            (true, LifecycleEvent::AfterAllowTraffic) => "after".into(),
        };
        spans.push(Span::styled(format!("{mark} {name}"), style));
    }
    Line::from(spans)
}

/// With `detail`, a threshold that does not fit beside its alarm gets a line of its own;
/// without, it is left out.
fn alarm_lines<'a>(t: &'a Target, width: usize, detail: bool, theme: &Theme) -> Vec<Line<'a>> {
    if t.alarms.is_empty() {
        return vec![Line::from(vec![
            label("alarms", theme),
            Span::styled("none configured for this group", theme.warn),
        ])];
    }
    // Firing alarms first: they are why a shift stops.
    let mut alarms: Vec<_> = t.alarms.iter().collect();
    alarms.sort_by_key(|a| a.state != AlarmState::Alarm);
    let mut lines = Vec::new();
    for (i, a) in alarms.into_iter().enumerate() {
        let (state, style) = match a.state {
            AlarmState::Alarm => ("● ALARM", theme.danger),
            AlarmState::Ok => ("○ OK   ", theme.ok),
            AlarmState::InsufficientData => ("◌ NODATA", theme.warn),
        };
        let mut head = Line::from(vec![
            label(if i == 0 { "alarms" } else { "" }, theme),
            Span::styled(state, style),
            Span::styled(format!(" {} ", a.name), theme.text),
            Span::styled(format!("since {}", a.updated_at.clock()), theme.muted),
        ]);
        let threshold = Span::styled(a.threshold.as_str(), theme.muted);
        // The threshold goes on its own line when it would not fit beside the name.
        if head.width() + 3 + threshold.width() <= width {
            head.push_span(Span::styled(" · ", theme.muted));
            head.push_span(threshold);
            lines.push(head);
        } else {
            lines.push(head);
            if detail {
                lines.extend(labelled("", &a.threshold, theme.muted, width, theme));
            }
        }
        if a.state == AlarmState::Alarm {
            lines.extend(labelled("", &a.reason, theme.text, width, theme));
        }
    }
    lines
}

/// Picks one per-minute series out of a version's metrics; `None` is a minute without data.
type Series = fn(&VersionMetrics) -> &[Option<f64>];

/// Error rate and p99 of the new version (canary) beside the old one (baseline), on one scale.
fn draw_metrics(f: &mut Frame, area: Rect, shift: &Shift, m: &MetricsView, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    if let Freshness::Failed { error, .. } = &m.freshness {
        let line = Line::from(vec![
            label("metrics", theme),
            Span::styled(format!("✗ {}", error.message), theme.danger),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    if m.canary.is_none() && m.baseline.is_none() {
        let line = Line::from(vec![
            label("metrics", theme),
            Span::styled("no canary or baseline data yet", theme.muted),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let rows: [(&str, &str, Series); 2] = [
        ("errors", "%", |v| &v.error_rate),
        ("p99", "ms", |v| &v.p99_ms),
    ];
    let stale = m.freshness.untrusted();
    for ((name, unit, series), row) in rows.into_iter().zip(area.rows()) {
        let canary = m.canary.map(series).unwrap_or_default();
        let baseline = m.baseline.map(series).unwrap_or_default();
        let max = canary
            .iter()
            .chain(baseline)
            .flatten()
            .fold(0.0_f64, |a, b| a.max(*b));
        // Values are scaled to integers for the sparkline; both series share one maximum.
        let scale = if max > 0.0 { 1000.0 / max } else { 0.0 };
        let value_w = 16;
        let [lab, c_spark, c_val, b_spark, b_val] = Layout::horizontal([
            Constraint::Length(LABEL as u16),
            Constraint::Fill(1),
            Constraint::Length(value_w),
            Constraint::Fill(1),
            Constraint::Length(value_w),
        ])
        .areas(row);
        f.render_widget(label(name, theme), lab);
        for (data, spark, val, style, who, version) in [
            (canary, c_spark, c_val, theme.canary, "new", &shift.to),
            (baseline, b_spark, b_val, theme.baseline, "old", &shift.from),
        ] {
            let tail = &data[data.len().saturating_sub(usize::from(spark.width))..];
            // A minute without data is an absent bar, drawn as a blank column, so a gap in
            // traffic never passes for a healthy 0.
            let points: Vec<Option<u64>> = tail
                .iter()
                .map(|v| v.map(|v| (v * scale).round() as u64))
                .collect();
            f.render_widget(
                Sparkline::default().data(&points).max(1000).style(style),
                spark,
            );
            // The latest minute that has data: CloudWatch often lags a minute or two, and the
            // blank columns beside the number show how old it is.
            let last = match data.iter().rev().find_map(|v| *v) {
                Some(v) if unit == "%" => format!(" {v:.1}{unit}"),
                Some(v) => format!(" {v:.0}{unit}"),
                None => " –".into(),
            };
            let text = format!("{last} {who} #{}", version.number);
            f.render_widget(
                Span::styled(text, if stale { theme.stale } else { style }),
                val,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::domain::rollout::LambdaVersion;
    use crate::domain::schedule::DeploymentConfig;

    fn version(number: &str) -> LambdaVersion {
        LambdaVersion {
            number: number.into(),
            release: None,
        }
    }

    fn series(version: &str, error_rate: Vec<Option<f64>>) -> VersionMetrics {
        VersionMetrics {
            function: "ltbase-prod-api".into(),
            version: version.into(),
            p99_ms: error_rate.iter().map(|e| e.map(|_| 300.0)).collect(),
            error_rate,
        }
    }

    /// The errors row as text: the canary's sparkline columns and its value.
    fn errors_row(canary: &VersionMetrics) -> String {
        let shift = Shift {
            deployment_id: "d-TEST".into(),
            status: DeploymentStatus::InProgress,
            config: DeploymentConfig::AllAtOnce,
            from: version("13"),
            to: version("14"),
            created_at: Timestamp(0),
            traffic_started_at: None,
            completed_at: None,
            target_percent: 10.0,
            events: Vec::new(),
            gate: None,
            rollback: None,
            is_rollback_redeploy: false,
        };
        let baseline = series("13", vec![Some(0.2); 6]);
        let view = MetricsView {
            canary: Some(canary),
            baseline: Some(&baseline),
            freshness: Freshness::Fresh(Duration::from_secs(5)),
        };
        let theme = Theme::load(None, true).unwrap();
        // Wide enough that each sparkline has more columns than minutes.
        let mut terminal = Terminal::new(TestBackend::new(LABEL as u16 + 2 * 16 + 20, 2)).unwrap();
        terminal
            .draw(|f| draw_metrics(f, f.area(), &shift, &view, &theme))
            .unwrap();
        let buffer = terminal.backend().buffer();
        (0..buffer.area.width)
            .map(|x| buffer[(x, 0)].symbol().to_string())
            .collect()
    }

    #[test]
    fn a_minute_without_data_is_a_blank_column_and_the_value_is_the_latest_known() {
        let row = errors_row(&series(
            "14",
            vec![Some(4.0), Some(8.0), None, Some(8.0), Some(4.0), None],
        ));
        let spark: Vec<char> = row.chars().skip(LABEL).take(6).collect();
        assert_eq!(spark[0], '▄', "{row}");
        assert_eq!(spark[1], '█', "{row}");
        assert_eq!(spark[2], ' ', "the gap is blank: {row}");
        assert_eq!(&spark[3..5], ['█', '▄'], "{row}");
        assert_eq!(spark[5], ' ', "{row}");
        assert!(row.contains(" 4.0% new #14"), "{row}");
    }

    #[test]
    fn a_version_without_any_data_shows_a_dash() {
        let row = errors_row(&series("14", vec![None; 6]));
        assert!(row.contains(" – new #14"), "{row}");
    }
}
