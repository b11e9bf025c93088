//! Release versions, newest first: status, date, where each is pinned and running; the selected
//! one's notes below.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::state::Pane;
use crate::domain::release::{IntegrityCheck, Release, ReleaseStatus};
use crate::environment::Environment;

use super::layout::detail_rows;
use super::pane;
use super::text::fit_line;
use super::theme::Theme;
use super::view_model::{VersionRow, VersionsView, ViewModel};

pub fn status_style(status: &ReleaseStatus, theme: &Theme) -> Style {
    match status {
        ReleaseStatus::Verified => theme.ok,
        ReleaseStatus::Unsigned => theme.warn,
        ReleaseStatus::BadSignature(_)
        | ReleaseStatus::ChecksumMismatch(_)
        | ReleaseStatus::Yanked(_) => theme.danger,
    }
}

pub fn draw(f: &mut Frame, area: Rect, vm: &ViewModel, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let v = &vm.versions;
    let focused = vm.focus == Pane::Versions;
    let mut title = vec![
        pane::title("Versions", focused, theme),
        Span::styled(format!(" {}", v.total), theme.muted),
    ];
    if !v.filter.is_empty() {
        title.push(Span::styled(
            format!(" filter \"{}\"", v.filter),
            theme.warn,
        ));
    }
    let inner = pane::frame(f, area, title, focused, Some(&v.freshness), theme);
    let body = pane::failure(f, inner, &v.freshness, theme);
    if v.total == 0 {
        let text = match (&v.freshness, v.filter.is_empty()) {
            (_, false) => "no version matches the filter (Esc clears it)",
            (super::view_model::Freshness::Loading, _) => "reading the release repository…",
            _ => "the release repository has no versions",
        };
        f.render_widget(Span::styled(text, theme.muted), body);
        return;
    }
    let version_w = v
        .rows
        .iter()
        .map(|r| r.release.version.as_str().len())
        .max()
        .unwrap_or(0);
    let with_date = body.width >= 50;
    // Statuses are abbreviated (never cut) when the full ones would leave no room for where a
    // version is pinned.
    let status_w = if usize::from(body.width) >= version_w + 3 + 18 + 12 {
        17
    } else {
        8
    };
    let lines: Vec<Line> = v
        .rows
        .iter()
        .map(|r| {
            fit_line(
                row_line(r, version_w, status_w, with_date, focused, theme),
                usize::from(body.width),
            )
        })
        .collect();
    let list_h = (lines.len() as u16).min(body.height);
    // A failure shown in place takes rows the view model counted for the list: scroll so the
    // selection stays on screen.
    let selected = v.rows.iter().position(|r| r.selected).unwrap_or(0) as u16;
    let scroll = (selected + 1).saturating_sub(list_h);
    f.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)),
        Rect {
            height: list_h,
            ..body
        },
    );
    let detail_h = detail_rows(inner.height).min(body.height - list_h);
    if let (Some(sel), true) = (&v.selected, detail_h > 1) {
        let area = Rect {
            y: body.bottom() - detail_h,
            height: detail_h,
            ..body
        };
        f.render_widget(
            Paragraph::new(detail_lines(v, sel, body.width, theme)).wrap(Wrap { trim: false }),
            area,
        );
    }
    pane::dim_if_untrusted(f, body, &v.freshness, theme);
}

/// `checksum mismatch` as `bad sum`: eight columns for the narrow list.
fn short_label(status: &ReleaseStatus) -> &'static str {
    match status {
        ReleaseStatus::BadSignature(_) => "bad sig",
        ReleaseStatus::ChecksumMismatch(_) => "bad sum",
        other => other.label(),
    }
}

fn row_line<'a>(
    r: &'a VersionRow,
    version_w: usize,
    status_w: usize,
    with_date: bool,
    focused: bool,
    theme: &Theme,
) -> Line<'a> {
    let rel = r.release;
    let mut spans = vec![
        Span::styled(pane::marker(r.selected), theme.focus),
        Span::styled(format!("{:<version_w$} ", rel.version.as_str()), theme.text),
        Span::styled(
            format!(
                "{:<status_w$} ",
                if status_w < 17 {
                    short_label(&rel.status)
                } else {
                    rel.status.label()
                }
            ),
            status_style(&rel.status, theme),
        ),
    ];
    if with_date {
        let date = rel.released_at.as_deref().map(|d| d.get(..10).unwrap_or(d));
        spans.push(Span::styled(
            format!("{:<10} ", date.unwrap_or("")),
            theme.muted,
        ));
    }
    spans.extend(env_spans(&r.pinned_by, theme));
    let running_only: Vec<&Environment> = r
        .running_in
        .iter()
        .filter(|e| !r.pinned_by.iter().any(|p| p.name == e.name))
        .copied()
        .collect();
    // Still serving without being pinned: on its way out, shown in brackets.
    for e in running_only {
        spans.push(Span::styled(format!(" ({})", e.name), theme.muted));
    }
    Line::from(spans).style(pane::row_style(r.selected, focused, theme))
}

fn env_spans<'a>(envs: &[&'a Environment], theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    for (i, e) in envs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(e.name.as_str(), theme.env_style(e)));
    }
    spans
}

fn detail_lines<'a>(
    v: &VersionsView,
    sel: &'a VersionRow,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let rel: &Release = sel.release;
    let rule = Line::from(Span::styled("─".repeat(usize::from(width)), theme.border));
    let why = match &rel.status {
        ReleaseStatus::BadSignature(why) => Some(why.as_str()),
        ReleaseStatus::ChecksumMismatch(artifact) => Some(artifact.as_str()),
        ReleaseStatus::Yanked(reason) => Some(reason.as_str()),
        ReleaseStatus::Verified | ReleaseStatus::Unsigned => None,
    };
    let mut head = vec![
        Span::styled(rel.version.as_str(), theme.accent),
        Span::raw(" "),
        Span::styled(rel.status.label(), status_style(&rel.status, theme)),
    ];
    if let Some(why) = why {
        head.push(Span::styled(
            format!(": {why}"),
            status_style(&rel.status, theme),
        ));
    }
    if let Some(at) = &rel.released_at {
        let short = at.get(..16).unwrap_or(at).replace('T', " ");
        head.push(Span::styled(format!(" · {short}"), theme.muted));
    }
    let mut whereabouts = vec![Span::styled("pinned by ", theme.muted)];
    if sel.pinned_by.is_empty() {
        whereabouts.push(Span::styled("none", theme.muted));
    }
    whereabouts.extend(env_spans(&sel.pinned_by, theme));
    whereabouts.push(Span::styled(" · running in ", theme.muted));
    if sel.running_in.is_empty() {
        whereabouts.push(Span::styled("none", theme.muted));
    }
    whereabouts.extend(env_spans(&sel.running_in, theme));
    let notes = rel.notes.as_deref().unwrap_or("no release notes");
    let mut lines = vec![rule, Line::from(head), Line::from(whereabouts)];
    // "verified" speaks of the signature; artifacts S3 holds no checksum of are checked only
    // by downloading them, which is said here rather than left to be assumed.
    if rel.integrity == IntegrityCheck::NotChecked {
        lines.push(Line::from(if v.verifying {
            Span::styled(
                "artifacts: downloading them to check their SHA-256…",
                theme.warn,
            )
        } else {
            Span::styled(
                format!(
                    "artifacts not checked: S3 holds no SHA-256 of them · {} downloads and checks them",
                    v.verify_key
                ),
                theme.warn,
            )
        }));
    }
    lines.push(Line::from(Span::styled(notes, theme.text)));
    lines
}
