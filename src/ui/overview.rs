//! Every target of the selected environment, one compact line each, scrolled to the selection,
//! under a count of what is shifting, alarming and rolled back in every environment.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::state::Pane;
use crate::domain::rollout::{DeploymentStatus, Target};
use crate::domain::time::{Timestamp, short_duration};

use super::gauge::weight_bar;
use super::pane;
use super::theme::Theme;
use super::view_model::{EnvRow, Freshness, ViewModel};

pub fn draw(f: &mut Frame, area: Rect, vm: &ViewModel, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let o = &vm.overview;
    let focused = vm.focus == Pane::Shift;
    let mut title = vec![pane::title("Overview", focused, theme)];
    if let Some(env) = o.env {
        title.push(Span::raw(" "));
        title.push(Span::styled(env.name.as_str(), theme.env_style(env)));
        title.push(Span::styled(format!(" {} groups", o.total), theme.muted));
    }
    if !o.filter.is_empty() {
        title.push(Span::styled(
            format!(" filter \"{}\"", o.filter),
            theme.accent,
        ));
    }
    if o.total > o.rows.len() && !o.rows.is_empty() {
        title.push(Span::styled(
            format!(" · {}-{}", o.offset + 1, o.offset + o.rows.len()),
            theme.muted,
        ));
    }
    let inner = pane::frame(f, area, title, focused, None, theme);
    let full = counts_line(&vm.envs, false, theme);
    let counts = if full.width() > usize::from(inner.width) {
        counts_line(&vm.envs, true, theme)
    } else {
        full
    };
    let mut lines = vec![counts];
    let group_w = o
        .rows
        .iter()
        .map(|(t, _)| t.group.len())
        .max()
        .unwrap_or(0)
        .min(24);
    let rows = |numbers: bool| -> Vec<Line> {
        o.rows
            .iter()
            .map(|(t, selected)| {
                target_line(t, *selected, group_w, numbers, vm.now, theme)
                    .style(pane::row_style(*selected, focused, theme))
            })
            .collect()
    };
    // Lambda version numbers beside the releases where every row has room for them, so the
    // rows keep one form.
    let mut targets = rows(true);
    if targets.iter().any(|l| l.width() > usize::from(inner.width)) {
        targets = rows(false);
    }
    lines.extend(targets);
    pane::lines(f, inner, lines);
    if inner.height > 1 {
        let list = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
        pane::dim_if_untrusted(f, list, &o.freshness, theme);
    }
}

/// `dev idle │ staging 2 shifting │ prod 1 shifting, 1 ALARM, 1 rolled back`; `short` writes
/// `2⇄` for shifting and `1↺` for rolled back.
fn counts_line<'a>(envs: &'a [EnvRow], short: bool, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, e) in envs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.border));
        }
        spans.push(Span::styled(e.env.name.as_str(), theme.env_style(e.env)));
        let c = e.counts;
        if let Freshness::Failed { .. } = e.freshness {
            spans.push(Span::styled(" read failed", theme.danger));
            continue;
        }
        let parts = [
            (c.shifting, " shifting", "⇄", theme.canary),
            (c.at_gate, " at gate", " at gate", theme.warn),
            (c.alarming, " ALARM", " ALARM", theme.danger),
            (c.rolled_back, " rolled back", "↺", theme.warn),
        ];
        let mut any = false;
        for (n, long, abbreviated, style) in parts {
            if n > 0 {
                let sep = if any && !short { ", " } else { " " };
                spans.push(Span::styled(sep, theme.muted));
                let what = if short { abbreviated } else { long };
                spans.push(Span::styled(format!("{n}{what}"), style));
                any = true;
            }
        }
        if !any {
            spans.push(Span::styled(" idle", theme.muted));
        }
    }
    Line::from(spans)
}

fn target_line<'a>(
    t: &'a Target,
    selected: bool,
    group_w: usize,
    numbers: bool,
    now: Timestamp,
    theme: &Theme,
) -> Line<'a> {
    let mut spans = vec![
        Span::styled(pane::marker(selected), theme.focus),
        Span::styled(format!("{:<group_w$.group_w$} ", t.group), theme.text),
    ];
    match &t.latest {
        Some(s) => {
            let [new, old] = weight_bar(s.target_percent, 10, theme);
            let style = match s.status {
                DeploymentStatus::Succeeded => theme.ok,
                DeploymentStatus::Failed | DeploymentStatus::Stopped => theme.danger,
                _ => theme.canary,
            };
            // Without room, the release versions say enough; the numbers are in the shift pane.
            let name = |v: &crate::domain::rollout::LambdaVersion| match &v.release {
                Some(r) if !numbers => r.to_string(),
                _ => v.label(),
            };
            spans.extend([
                new,
                old,
                Span::styled(format!(" {:>3.0}% ", s.target_percent), theme.text),
                Span::styled(format!("{:<10} ", s.status.label()), style),
                Span::styled(format!("{} → {}", name(&s.from), name(&s.to)), theme.muted),
            ]);
            if s.is_rollback_redeploy {
                spans.push(Span::styled(" rollback", theme.danger));
            }
            if s.rollback.is_some() {
                spans.push(Span::styled(" rolled back", theme.warn));
            }
            if let Some(g) = &s.gate {
                let left = short_duration(g.time_left(now));
                spans.push(Span::styled(format!(" at gate, {left} left"), theme.warn));
            }
        }
        None => {
            let serving = t.serving().map(|v| v.label()).unwrap_or_else(|| "?".into());
            spans.push(Span::styled(
                format!("{:<16}idle on {serving}", ""),
                theme.muted,
            ));
        }
    }
    if let Some(a) = t.alarm_firing() {
        spans.push(Span::styled(format!(" ● {}", a.name), theme.danger));
    }
    Line::from(spans)
}
