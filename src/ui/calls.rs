//! The calls view: per environment, and for the release repository, the AWS API calls the reads
//! made, by IAM action, for the last read and the last minute, so that an operator sees what the cockpit costs the account's
//! shared quotas (Lambda's control plane allows about 15 requests a second for everyone).

use std::collections::BTreeSet;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::call_log::ReadKind;

use super::panel::{self, PanelLayout};
use super::text::{ago, fit_line, hanging};
use super::theme::Theme;
use super::view_model::EnvCalls;

/// Width of each count column.
const COUNT_W: usize = 11;

pub fn layout<'a>(envs: &[EnvCalls], area: Rect, theme: &Theme) -> PanelLayout<'a> {
    let width = panel::inner_width(area);
    let mut lines = hanging(
        Vec::new(),
        "Requests the cockpit's reads sent to AWS, by IAM action. Mutations and their request ids are in the audit log.",
        theme.muted,
        width,
    );
    for env in envs {
        lines.push(Line::default());
        lines.extend(environment(env, width, theme));
    }
    panel::layout(lines, area)
}

fn environment<'a>(env: &EnvCalls, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut head = vec![Span::styled(env.env.to_string(), theme.accent)];
    if let Some(account) = env.account {
        head.push(Span::styled(format!("  aws {account}"), theme.muted));
    }
    let mut lines = vec![fit_line(Line::from(head), width)];
    let say = |text: &str| hanging(vec![Span::raw("  ")], text, theme.muted, width);
    if env.simulated {
        lines.extend(say("the simulated world makes no API calls"));
        return lines;
    }
    if let Some(e) = env.failed {
        lines.extend(hanging(
            vec![Span::styled("  last read failed: ", theme.danger)],
            &format!("{} (the calls of a failed read are not counted)", e.message),
            theme.text,
            width,
        ));
    }
    if env.last.is_empty() {
        lines.extend(say("no read has come back yet"));
        return lines;
    }
    let when: Vec<String> = env
        .last
        .iter()
        .map(|(kind, age, _)| format!("{} read {}", kind_name(*kind), ago(*age)))
        .collect();
    lines.extend(say(&format!(
        "{} · {} read(s) in the last minute",
        when.join(" · "),
        env.reads
    )));
    let actions: BTreeSet<&String> = env
        .last
        .iter()
        .flat_map(|(_, _, calls)| calls.keys())
        .chain(env.minute.keys())
        .collect();
    let action_w = actions
        .iter()
        .map(|a| a.chars().count())
        .max()
        .unwrap_or(0)
        .max("total".len());
    let row = |name: &str, last: u32, minute: u32, style| {
        fit_line(
            Line::from(Span::styled(
                format!("  {name:<action_w$}{last:>COUNT_W$}{minute:>COUNT_W$}"),
                style,
            )),
            width,
        )
    };
    lines.push(fit_line(
        Line::from(Span::styled(
            format!(
                "  {:<action_w$}{:>COUNT_W$}{:>COUNT_W$}",
                "IAM action", "last read", "last min"
            ),
            theme.muted,
        )),
        width,
    ));
    let last_of = |action: &str| -> u32 {
        env.last
            .iter()
            .filter_map(|(_, _, calls)| calls.get(action))
            .sum()
    };
    for action in &actions {
        let minute = env.minute.get(*action).copied().unwrap_or(0);
        lines.push(row(action, last_of(action), minute, theme.text));
    }
    let total_last: u32 = env
        .last
        .iter()
        .flat_map(|(_, _, calls)| calls.values())
        .sum();
    let total_minute: u32 = env.minute.values().sum();
    lines.push(row("total", total_last, total_minute, theme.accent));
    lines
}

fn kind_name(kind: ReadKind) -> &'static str {
    match kind {
        ReadKind::Rollout => "deployments",
        ReadKind::Metrics => "metrics",
        ReadKind::Releases => "releases",
    }
}
