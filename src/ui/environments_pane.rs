//! Environments: what each pins at the branch tip, what it serves, its shift, approvals, gates.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::Pane;
use crate::domain::rollout::{DeploymentStatus, ManualGate};
use crate::domain::time::{Timestamp, short_duration};

use super::layout::Shape;
use super::pane;
use super::text::{first_fitting, fit_line};
use super::theme::Theme;
use super::view_model::{EnvRow, Freshness, PinView, ViewModel};

pub fn draw<'a>(f: &mut Frame, area: Rect, shape: Shape, vm: &'a ViewModel, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let focused = vm.focus == Pane::Environments;
    let name_w = vm.envs.iter().map(|e| e.env.name.len()).max().unwrap_or(0);
    if shape == Shape::Tiny {
        let lines: Vec<Line> = vm
            .envs
            .iter()
            .map(|e| headline(e, name_w, vm.now, theme, true, usize::from(area.width)))
            .collect();
        f.render_widget(Paragraph::new(lines), area);
        return;
    }
    let mut title = vec![pane::title("Environments", focused, theme)];
    if shape == Shape::Compact {
        title.push(Span::raw(" "));
        title.extend(fork_spans(vm, theme));
    }
    let inner = pane::frame(f, area, title, focused, Some(&vm.fork_freshness), theme);
    let width = usize::from(inner.width);
    let mut lines = Vec::new();
    for e in &vm.envs {
        let style = pane::row_style(e.selected, focused, theme);
        let compact = shape == Shape::Compact;
        lines.push(headline(e, name_w, vm.now, theme, compact, width).style(style));
        if shape == Shape::Wide {
            let indent = || Span::raw("    ");
            // The long wording where it fits, else the short one, else cut with `…`.
            let detail = |long: Vec<Span<'a>>, short: Vec<Span<'a>>| {
                first_fitting(
                    vec![
                        Line::from([vec![indent()], long].concat()),
                        Line::from([vec![indent()], short].concat()),
                    ],
                    width,
                )
            };
            let state = state_spans(e, vm.now, theme, false);
            if !state.is_empty() {
                let short = state_spans(e, vm.now, theme, true);
                lines.push(detail(state, short).style(style));
            }
            let waiting = waiting_spans(e, vm.now, theme, false);
            if !waiting.is_empty() {
                let short = waiting_spans(e, vm.now, theme, true);
                lines.push(detail(waiting, short).style(style));
            }
            for alert in &e.alerts {
                let line = Line::from(vec![indent(), Span::styled(alert.as_str(), theme.danger)]);
                lines.push(fit_line(line, width));
            }
            if let Some(account) = &e.account {
                let line = Line::from(vec![indent(), Span::styled(account.as_str(), theme.muted)]);
                lines.push(fit_line(line, width));
            }
        }
    }
    if shape == Shape::Wide {
        let mut fork = vec![Span::styled("fork ", theme.muted)];
        fork.extend(fork_spans(vm, theme));
        lines.push(fit_line(Line::from(fork), width));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// Name, protection, pin and serving version; in one-line layouts also the state and what
/// waits. Shrinks by rules to fit `width`: the pin said once when it is what serves, PROTECTED
/// abbreviated, what waits left out, and only then cut with `…`.
fn headline<'a>(
    e: &'a EnvRow,
    name_w: usize,
    now: Timestamp,
    theme: &Theme,
    with_state: bool,
    width: usize,
) -> Line<'a> {
    let pinned = match &e.pin {
        PinView::Pinned(v) => Some(*v),
        _ => None,
    };
    let serves_pin = matches!(e.serving.as_slice(), [one] if one.release.as_ref() == pinned);
    let variant = |protected: &'static str, said_once: bool, waiting: bool, terse: bool| {
        let mut spans = vec![
            Span::styled(pane::marker(e.selected), theme.focus),
            Span::styled(format!("{:<name_w$}", e.env.name), theme.env_style(e.env)),
            Span::raw(" "),
        ];
        if e.env.protected {
            spans.push(Span::styled(protected, theme.protected));
            spans.push(Span::raw(" "));
        }
        if said_once && serves_pin {
            // A pin that is also what serves is said once.
            spans.push(Span::styled("on ", theme.muted));
            spans.push(serving_span(e, theme));
        } else {
            spans.push(Span::styled("pin ", theme.muted));
            spans.push(match &e.pin {
                PinView::Pinned(v) => Span::styled(v.to_string(), theme.text),
                PinView::Unreadable(why) => {
                    Span::styled(format!("unreadable: {why}"), theme.danger)
                }
                PinView::Unknown => Span::styled("?", theme.muted),
            });
            if !with_state || !e.serving.is_empty() {
                spans.push(Span::styled(
                    if terse { " on " } else { " serving " },
                    theme.muted,
                ));
                spans.push(serving_span(e, theme));
            }
        }
        if with_state {
            let mut parts = vec![state_spans(e, now, theme, true)];
            if waiting {
                parts.push(waiting_spans(e, now, theme, true));
            }
            for part in parts.into_iter().filter(|p| !p.is_empty()) {
                spans.push(Span::styled(" · ", theme.muted));
                spans.extend(part);
            }
        }
        Line::from(spans)
    };
    first_fitting(
        vec![
            variant("PROTECTED", with_state, true, false),
            variant("PROTECTED", true, true, false),
            variant("PROT", true, true, false),
            variant("PROT", true, false, false),
            variant("PROT", true, false, true),
        ],
        width,
    )
}

fn serving_span<'a>(e: &EnvRow, theme: &Theme) -> Span<'a> {
    let labels: Vec<String> = e
        .serving
        .iter()
        .map(|v| {
            v.release
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|| v.label())
        })
        .collect();
    let text = match labels.len() {
        0 => "?".to_string(),
        1 => labels[0].clone(),
        _ => format!("{} (mixed)", labels.join(", ")),
    };
    // A pin that differs from what serves is a deployment still to come, or one that failed.
    let drift = matches!((&e.pin, e.serving.as_slice()), (PinView::Pinned(p), [one]) if one.release.as_ref() != Some(*p));
    Span::styled(text, if drift { theme.warn } else { theme.text })
}

/// The environment's shift state and counts, or why it is unknown; `short` for one-line layouts.
fn state_spans<'a>(e: &'a EnvRow, now: Timestamp, theme: &Theme, short: bool) -> Vec<Span<'a>> {
    let sep = || Span::styled(" · ", theme.muted);
    let c = e.counts;
    let mut spans = Vec::new();
    match (&e.freshness, c.targets) {
        (Freshness::Failed { error, .. }, _) => {
            let text = if short {
                "✗ read failed".to_string()
            } else {
                format!("✗ read failed: {}", error.message)
            };
            return vec![Span::styled(text, theme.danger)];
        }
        (Freshness::Loading, _) => return vec![Span::styled("loading…", theme.muted)],
        (_, 0) => return vec![Span::styled("no deployment groups", theme.muted)],
        _ => {}
    }
    let gate_left = |g: &ManualGate| short_duration(g.time_left(now));
    match (e.shift, e.gate) {
        (Some(s), _) if s.is_rollback_redeploy => spans.push(Span::styled(
            format!("ROLLING BACK to {}", s.to.label()),
            theme.danger,
        )),
        (Some(s), _) if s.status == DeploymentStatus::Baking => {
            // All traffic is on the new version; CodeDeploy waits out the bake time.
            let text = if short {
                "baking".to_string()
            } else {
                format!("baking {} at 100%", s.to.label())
            };
            spans.push(Span::styled(text, theme.canary));
        }
        // Created or queued: CodeDeploy has not started it, so nothing shifts yet.
        (Some(s), _)
            if matches!(
                s.status,
                DeploymentStatus::Created | DeploymentStatus::Queued
            ) =>
        {
            let text = if short {
                "starting".to_string()
            } else {
                format!("starting → {} ({})", s.to.label(), s.status.label())
            };
            spans.push(Span::styled(text, theme.canary));
        }
        (Some(s), _) => {
            let mut text = format!("shifting {:.0}%", s.target_percent);
            if !short {
                text.push_str(&format!(" → {}", s.to.label()));
            }
            if s.status != DeploymentStatus::InProgress {
                text.push_str(&format!(" ({})", s.status.label()));
            }
            // One line per environment keeps room for what waits: the count only when several
            // groups move.
            if c.shifting > 1 || (!short && c.targets > 1) {
                text.push_str(&format!(" · {}/{} groups", c.shifting, c.targets));
            }
            spans.push(Span::styled(text, theme.canary));
        }
        // Held before any traffic moves, with an hour before CodeDeploy fails the hook.
        (None, Some(g)) => spans.push(Span::styled(
            if short {
                format!("at the manual gate, {} left", gate_left(g))
            } else {
                format!(
                    "waiting at the manual gate ({} group{}) · {} left before the hook times out",
                    c.at_gate,
                    if c.at_gate == 1 { "" } else { "s" },
                    gate_left(g)
                )
            },
            theme.warn,
        )),
        // A pushed pin the pipeline has not picked up yet: said below, not hidden as idle.
        (None, None) if e.pipeline.is_some() => {}
        (None, None) if short => spans.push(Span::styled("idle", theme.muted)),
        (None, None) => spans.push(Span::styled(
            format!(
                "idle · {} group{}",
                c.targets,
                if c.targets == 1 { "" } else { "s" }
            ),
            theme.muted,
        )),
    }
    let mut more = Vec::new();
    if c.alarming > 0 {
        more.push(Span::styled(format!("{} ALARM", c.alarming), theme.danger));
    }
    if c.rolled_back > 0 {
        more.push(Span::styled(
            format!("{} rolled back", c.rolled_back),
            theme.warn,
        ));
    }
    if let Freshness::Stale(_) = e.freshness {
        more.push(Span::styled("STALE", theme.warn));
    }
    for span in more {
        // A separator only between parts: the state itself may say nothing (a pin waiting for
        // the pipeline is said with what waits).
        if !spans.is_empty() {
            spans.push(sep());
        }
        spans.push(span);
    }
    spans
}

/// What waits: a pushed pin for the pipeline, a proposal to approve, a manual gate to open.
fn waiting_spans<'a>(e: &'a EnvRow, now: Timestamp, theme: &Theme, short: bool) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    if let Some((w, ago)) = &e.pipeline {
        let ago = short_duration(*ago);
        spans.push(if w.overdue {
            Span::styled(
                format!(
                    "no deployment of {} {ago} after the push: check the pipeline",
                    w.version
                ),
                theme.danger,
            )
        } else if short {
            Span::styled(format!("pipeline not started: {}", w.version), theme.warn)
        } else {
            Span::styled(
                format!(
                    "pipeline not started: {} pushed {ago} ago, no deployment yet",
                    w.version
                ),
                theme.warn,
            )
        });
    }
    // Said in the state already when nothing else moves.
    if let (Some(g), Some(_)) = (e.gate, e.shift) {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.muted));
        }
        let left = short_duration(g.time_left(now));
        let text = if short {
            format!("{} at gate, {left} left", e.counts.at_gate)
        } else {
            format!(
                "{} group{} waiting at the manual gate ({:?}) · {left} left",
                e.counts.at_gate,
                if e.counts.at_gate == 1 { "" } else { "s" },
                g.event
            )
        };
        spans.push(Span::styled(text, theme.warn));
    }
    if let Some(p) = e.proposal {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.muted));
        }
        let outdated = if p.current { "" } else { " (outdated)" };
        let text = if short {
            format!("awaits approval {}{outdated}", p.version)
        } else {
            format!(
                "awaiting approval: {} by {}{outdated}",
                p.version, p.proposer.name
            )
        };
        spans.push(Span::styled(text, theme.warn));
    }
    spans
}

fn fork_spans<'a>(vm: &'a ViewModel, theme: &Theme) -> Vec<Span<'a>> {
    let Some(fork) = vm.fork else {
        return vec![Span::styled(
            match vm.fork_freshness.error() {
                Some(e) => format!("✗ {}", e.message),
                None => "not read yet".into(),
            },
            if vm.fork_freshness.error().is_some() {
                theme.danger
            } else {
                theme.muted
            },
        )];
    };
    let sep = || Span::styled(" · ", theme.muted);
    let mut spans = vec![Span::styled(
        format!("{}@{}", fork.branch, fork.head),
        theme.text,
    )];
    if fork.dirty {
        // Which pin file is modified is what the person needs to act on.
        spans.extend([
            sep(),
            Span::styled(
                format!("modified: {}", fork.modified.join(", ")),
                theme.warn,
            ),
        ]);
    } else if !fork.modified.is_empty() {
        spans.extend([
            sep(),
            Span::styled(
                format!("{} other file(s) modified", fork.modified.len()),
                theme.muted,
            ),
        ]);
    }
    if fork.ahead > 0 {
        spans.extend([
            sep(),
            Span::styled(format!("ahead {}", fork.ahead), theme.warn),
        ]);
    }
    if fork.behind > 0 {
        spans.extend([
            sep(),
            Span::styled(format!("behind {}", fork.behind), theme.warn),
        ]);
    }
    if !(fork.dirty || fork.ahead > 0 || fork.behind > 0) {
        spans.extend([sep(), Span::styled("clean", theme.ok)]);
    }
    if let Some(ago) = vm.fetched_ago {
        spans.extend([
            sep(),
            Span::styled(format!("fetched {}", super::text::ago(ago)), theme.muted),
        ]);
    }
    for r in &fork.refused {
        spans.extend([
            sep(),
            Span::styled(
                format!(
                    "push refused by {}: {} (kept at {})",
                    fork.remote, r.subject, r.reference
                ),
                theme.danger,
            ),
        ]);
    }
    if let Some(e) = &fork.fetch_error {
        spans.extend([
            sep(),
            Span::styled(format!("fetch failed: {e}"), theme.danger),
        ]);
    }
    if let Some(e) = vm.fork_freshness.error() {
        spans.extend([
            sep(),
            Span::styled(format!("✗ {}", e.message), theme.danger),
        ]);
    }
    spans
}
