//! Drawing: pure functions from a view model to a ratatui frame.

mod action_bar;
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
mod shift_pane;
mod status_line;
mod text;
mod theme;
mod versions_pane;
mod view_model;

pub use keymap::Keymap;
pub use theme::{Theme, is_accent};

use ratatui::Frame;

use crate::app::state::State;
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
        Some(Overlay::Confirm(c)) => modal::draw_confirm(frame, area, c, theme),
        Some(Overlay::Message { title, body }) => {
            modal::draw_message(frame, area, title, body, theme)
        }
        Some(Overlay::Help { rows, at_end }) => help::draw(frame, area, rows, *at_end, theme),
        Some(Overlay::Palette { input, matches }) => {
            palette::draw(frame, area, input, matches, theme)
        }
        None => {}
    }
}
