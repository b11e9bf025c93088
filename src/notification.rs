//! Announcements written through the terminal's own escape sequences, so they reach the person
//! through whatever terminal (and ssh, and tmux with passthrough) they use: BEL for the bell,
//! OSC 9 (iTerm2, Windows Terminal, kitty, WezTerm, foot) and OSC 777 (rxvt-unicode, VTE
//! terminals such as GNOME Terminal and Tilix) for a desktop notification. A terminal that knows
//! neither ignores them.

use std::io::{self, Write};

use crate::app::notify::Notification;

const BEL: &str = "\x07";

/// Text made safe inside an escape sequence: control characters would end it early, and `;`
/// separates OSC 777's fields.
fn clean(text: &str, semicolons: bool) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || (!semicolons && c == ';') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The bytes that announce `n`: at most one bell, and the desktop notification in both forms.
pub fn escapes(n: &Notification) -> String {
    let mut out = String::new();
    if let Some((title, body)) = &n.desktop {
        out.push_str(&format!(
            "\x1b]9;{}: {}{BEL}",
            clean(title, true),
            clean(body, true)
        ));
        out.push_str(&format!(
            "\x1b]777;notify;{};{}{BEL}",
            clean(title, false),
            clean(body, false)
        ));
    }
    if n.bell {
        out.push_str(BEL);
    }
    out
}

/// Writes `n` to the terminal behind `out` (the backend's writer) at once.
pub fn write(out: &mut impl Write, n: &Notification) -> io::Result<()> {
    out.write_all(escapes(n).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_desktop_notification_goes_out_as_osc_9_and_osc_777_and_the_bell_once() {
        let n = Notification {
            bell: true,
            desktop: Some(("shiftdeck: prod ALARM".into(), "api 5xx; p99\x1b]".into())),
        };
        assert_eq!(
            escapes(&n),
            "\x1b]9;shiftdeck: prod ALARM: api 5xx; p99 ]\x07\x1b]777;notify;shiftdeck: prod ALARM;api 5xx  p99 ]\x07\x07"
        );
        let bell_only = Notification {
            bell: true,
            desktop: None,
        };
        assert_eq!(escapes(&bell_only), "\x07");
    }
}
