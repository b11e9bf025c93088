//! Traffic weight drawn as text: new version's share filled, old version's share shaded, so it
//! reads the same without colour.

use ratatui::text::Span;

use super::theme::Theme;

/// A bar `width` cells wide with `percent` (0..=100) on the new version.
pub fn weight_bar(percent: f64, width: usize, theme: &Theme) -> [Span<'static>; 2] {
    let filled = ((percent.clamp(0.0, 100.0) / 100.0) * width as f64).round() as usize;
    [
        Span::styled("█".repeat(filled), theme.canary),
        Span::styled("░".repeat(width - filled), theme.baseline),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_in_proportion_and_never_overflows() {
        let theme = Theme::load(None, true).unwrap();
        let cells = |p| weight_bar(p, 10, &theme).map(|s| s.content.chars().count());
        assert_eq!(cells(0.0), [0, 10]);
        assert_eq!(cells(40.0), [4, 6]);
        assert_eq!(cells(100.0), [10, 0]);
        assert_eq!(cells(250.0), [10, 0]);
        assert_eq!(cells(f64::NAN), [0, 10]);
    }
}
