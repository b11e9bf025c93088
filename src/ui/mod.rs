//! Drawing: pure functions from a view model to a ratatui frame.

mod action_bar;
mod calls;
mod confirm_modal;
mod environments_pane;
mod gauge;
mod help;
mod keymap;
mod layout;
mod log_pane;
mod modal;
mod overview;
mod palette;
mod pane;
mod panel;
mod shift_pane;
mod status_line;
mod text;
mod theme;
mod versions_pane;
mod view_model;

pub use keymap::Keymap;
pub use theme::{Theme, check_accents, is_accent};

use ratatui::Frame;

use ratatui::layout::Rect;

use crate::app::action::Action;
use crate::app::state::{Fit, Modal, Scroll, State};
use view_model::{Overlay, ViewModel};

/// Draws one frame of `state`: works out the layout, builds the view model for it, draws it.
pub fn draw(frame: &mut Frame, state: &State, keymap: &Keymap, theme: &Theme) {
    let area = frame.area();
    let areas = layout::split(
        area,
        state.settings.environments.len(),
        state.settings.read_only,
        state.focus,
    );
    let vm = ViewModel::build(state, keymap, &areas);
    frame.buffer_mut().set_style(area, theme.background);
    status_line::draw(frame, areas.status, &vm, theme);
    status_line::draw_banner(frame, areas.banner, theme);
    environments_pane::draw(frame, areas.envs, areas.shape, &vm, theme);
    versions_pane::draw(frame, areas.versions, &vm, theme);
    shift_pane::draw(frame, areas.shift, &vm, theme);
    overview::draw(frame, areas.overview, &vm, theme);
    log_pane::draw(frame, areas.log, &vm, theme);
    action_bar::draw(frame, areas.actions, &vm, theme);
    match &vm.overlay {
        Some(Overlay::Confirm(c, view)) => {
            let layout = confirm_modal::layout(c, view, area, theme);
            confirm_modal::draw(frame, area, layout, view, theme)
        }
        Some(Overlay::Message { title, body }) => {
            modal::draw_message(frame, area, title, body, theme)
        }
        Some(o @ (Overlay::Help { .. } | Overlay::Calls { .. })) => {
            if let Some((layout, title, close, scroll)) = open_panel(o, area, theme) {
                panel::draw(frame, area, layout, title, close, scroll, theme)
            }
        }
        Some(Overlay::Palette { input, matches }) => {
            palette::draw(frame, area, input, matches, theme)
        }
        None => {}
    }
}

/// The open panel laid out for `area`, with its title, the keys that close it and its scroll;
/// `None` for an overlay that is not a panel.
fn open_panel<'a>(
    overlay: &'a Overlay,
    area: Rect,
    theme: &Theme,
) -> Option<(panel::PanelLayout<'a>, &'static str, &'a str, &'a Scroll)> {
    match overlay {
        Overlay::Help {
            rows,
            scroll,
            close,
        } => Some((help::layout(rows, area, theme), "Help", close, scroll)),
        Overlay::Calls {
            envs,
            scroll,
            close,
        } => Some((calls::layout(envs, area, theme), "API calls", close, scroll)),
        _ => None,
    }
}

/// How a frame of `area` lays out the open overlay's scrolling text (the confirm modal's plan,
/// the help, the calls view), so that `update` knows what has been on screen.
pub fn overlay_fit(state: &State, keymap: &Keymap, theme: &Theme, area: Rect) -> Option<Fit> {
    match view_model::overlay(state, keymap)? {
        Overlay::Confirm(c, view) => Some(confirm_modal::layout(c, view, area, theme).fit),
        o @ (Overlay::Help { .. } | Overlay::Calls { .. }) => {
            open_panel(&o, area, theme).map(|(layout, ..)| layout.fit)
        }
        Overlay::Message { .. } | Overlay::Palette { .. } => None,
    }
}

/// The action that tells `update` how the frame just drawn laid out the open overlay, when
/// that changed.
pub fn laid_out(state: &State, keymap: &Keymap, theme: &Theme, area: Rect) -> Option<Action> {
    let fit = overlay_fit(state, keymap, theme, area)?;
    let known = match &state.modal {
        Some(Modal::Confirm(_)) => state.confirm_view.scroll.fit,
        Some(Modal::Message { .. }) => return None,
        None => state.panel_scroll.fit,
    };
    (known != Some(fit)).then_some(Action::OverlayLaidOut(fit))
}
