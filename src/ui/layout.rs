//! Where each pane goes for a terminal size: side by side when wide, one main pane chosen by
//! focus when small, status and environments only when tiny.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::state::Pane;

/// Panes that do not fit get an empty rectangle and are not drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub status: Rect,
    pub banner: Rect,
    pub envs: Rect,
    pub versions: Rect,
    pub shift: Rect,
    pub overview: Rect,
    pub log: Rect,
    pub actions: Rect,
    pub shape: Shape,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shape {
    /// Every pane at once; up to three lines per environment.
    Wide,
    /// One line per environment and the focused pane.
    #[default]
    Compact,
    /// Too small for borders: status line and one line per environment.
    Tiny,
}

pub fn split(area: Rect, envs: usize, read_only: bool, focus: Pane) -> Areas {
    let shape = if area.width >= 100 && area.height >= 30 {
        Shape::Wide
    } else if area.width >= 30 && area.height >= 10 {
        Shape::Compact
    } else {
        Shape::Tiny
    };
    let banner_h = u16::from(read_only && shape != Shape::Tiny);
    let [status, banner, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_h),
        Constraint::Fill(1),
    ])
    .areas(area);
    let envs = envs.min(20) as u16;
    let mut areas = Areas {
        status,
        banner,
        shape,
        ..Areas::default()
    };
    match shape {
        Shape::Tiny => areas.envs = rest,
        Shape::Compact => {
            // A row per action, so each keeps its reason, where that leaves the main pane room.
            let actions_h = if rest.height >= envs + 2 + 3 + 12 {
                3
            } else {
                1
            };
            let [envs_area, main, actions] = Layout::vertical([
                Constraint::Length(envs + 2),
                Constraint::Fill(1),
                Constraint::Length(actions_h),
            ])
            .areas(rest);
            areas.envs = envs_area;
            areas.actions = actions;
            match focus {
                Pane::Versions => areas.versions = main,
                Pane::Log => areas.log = main,
                Pane::Environments | Pane::Shift => {
                    // The target list gets more room when it has the focus.
                    let share = if focus == Pane::Shift { 2 } else { 3 };
                    let overview_h = if main.height >= 14 {
                        main.height / share
                    } else {
                        0
                    };
                    let [shift, overview] =
                        Layout::vertical([Constraint::Fill(1), Constraint::Length(overview_h)])
                            .areas(main);
                    areas.shift = shift;
                    areas.overview = overview;
                }
            }
        }
        Shape::Wide => {
            let log_h = (rest.height / 6).clamp(4, 10);
            let [body, log, actions] = Layout::vertical([
                Constraint::Fill(1),
                Constraint::Length(log_h),
                Constraint::Length(3),
            ])
            .areas(rest);
            let left_w = (body.width * 2 / 5).clamp(36, 64);
            let [left, right] =
                Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(body);
            let [envs_area, versions] =
                Layout::vertical([Constraint::Length(3 * envs + 3), Constraint::Fill(1)])
                    .areas(left);
            let shift_h = (right.height * 3 / 5).clamp(8, 22);
            let [shift, overview] =
                Layout::vertical([Constraint::Length(shift_h), Constraint::Fill(1)]).areas(right);
            areas.envs = envs_area;
            areas.versions = versions;
            areas.shift = shift;
            areas.overview = overview;
            areas.log = log;
            areas.actions = actions;
        }
    }
    areas
}

/// Rows under the versions list for the selected version's details.
pub fn detail_rows(inner_height: u16) -> u16 {
    if inner_height >= 10 {
        (inner_height / 3).min(6)
    } else {
        0
    }
}

/// Version rows that fit in the versions pane, above the details.
pub fn version_rows(area: Rect) -> usize {
    let inner = area.height.saturating_sub(2);
    usize::from(inner - detail_rows(inner))
}

/// Target rows that fit in the overview, under its border and counts line.
pub fn overview_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(3))
}

/// Command log entries that fit in its pane.
pub fn log_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_terminals_show_every_pane() {
        let a = split(Rect::new(0, 0, 120, 40), 3, true, Pane::Environments);
        assert_eq!(a.shape, Shape::Wide);
        for r in [
            a.envs, a.versions, a.shift, a.overview, a.log, a.actions, a.banner,
        ] {
            assert!(r.area() > 0, "{a:?}");
        }
    }

    #[test]
    fn small_terminals_show_the_focused_pane() {
        let a = split(Rect::new(0, 0, 80, 24), 3, false, Pane::Versions);
        assert_eq!(a.shape, Shape::Compact);
        assert!(a.versions.area() > 0);
        assert_eq!(a.shift.area() + a.log.area() + a.banner.area(), 0);
    }
}
