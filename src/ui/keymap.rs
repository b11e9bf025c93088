//! Key bindings as data: `assets/keymap.toml` compiled in, user overrides merged over it.

use std::collections::BTreeMap;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use toml::Spanned;

use crate::app::action::{Action, Command};

const DEFAULT: &str = include_str!("../../assets/keymap.toml");

/// A key as bound: shift is folded into the character or into backtab, as terminals report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    code: KeyCode,
    mods: KeyModifiers,
}

impl Key {
    fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        let mods = match code {
            KeyCode::Char(_) | KeyCode::BackTab => mods - KeyModifiers::SHIFT,
            _ => mods,
        };
        Key { code, mods }
    }

    fn parse(text: &str) -> Option<Key> {
        let mut rest = text;
        let mut mods = KeyModifiers::NONE;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == len {
                break;
            }
            mods |= m;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if mods.contains(KeyModifiers::SHIFT) => {
                mods -= KeyModifiers::SHIFT;
                KeyCode::Char(c.to_ascii_uppercase())
            }
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "tab" if mods.contains(KeyModifiers::SHIFT) => {
                    mods -= KeyModifiers::SHIFT;
                    KeyCode::BackTab
                }
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "backspace" => KeyCode::Backspace,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" => KeyCode::PageUp,
                "pagedown" => KeyCode::PageDown,
                "delete" | "del" => KeyCode::Delete,
                "space" => KeyCode::Char(' '),
                f => KeyCode::F(
                    f.strip_prefix('f')?
                        .parse()
                        .ok()
                        .filter(|n| (1..=12).contains(n))?,
                ),
            },
        };
        Some(Key::new(code, mods))
    }
}

#[derive(Clone, Debug)]
pub struct Keymap {
    /// In `Command::ALL` order; each command's keys as written, in file order.
    bindings: Vec<(Command, Vec<(Key, String)>)>,
    /// What a user keymap got wrong without being invalid: a key bound twice, a command left
    /// without a key. Shown at start, never dropped silently.
    warnings: Vec<String>,
}

impl Default for Keymap {
    /// The compiled-in keymap; a unit test keeps it valid.
    fn default() -> Keymap {
        let mut map = Keymap {
            bindings: Vec::new(),
            warnings: Vec::new(),
        };
        map.merge(DEFAULT, "assets/keymap.toml")
            .expect("the compiled-in keymap is valid");
        map
    }
}

impl Keymap {
    /// The defaults with the commands listed in the file at `path` rebound.
    pub fn load(path: &Path) -> Result<Keymap, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("keymap {}: {e}", path.display()))?;
        let mut map = Keymap::default();
        map.merge(&text, &path.display().to_string())?;
        Ok(map)
    }

    /// Rebinds every command named in `text`; a key taken from another command leaves it.
    fn merge(&mut self, text: &str, name: &str) -> Result<(), String> {
        let table: BTreeMap<String, Spanned<Vec<String>>> =
            toml::from_str(text).map_err(|e| format!("keymap {name}: {e}"))?;
        // Keys this file binds, with the command and line, to catch one key bound twice.
        let mut claimed: Vec<(Key, Command, usize)> = Vec::new();
        // Commands this file left without a key, with the key, the command and the line that
        // took their last one.
        let mut emptied: Vec<(Command, String, Command, usize)> = Vec::new();
        for (command_name, keys) in table {
            let line = 1 + text[..keys.span().start].matches('\n').count();
            let at = |what: String| format!("keymap {name}, line {line}: {what}");
            let command = Command::ALL
                .into_iter()
                .find(|c| c.name() == command_name)
                .ok_or_else(|| {
                    let names: Vec<String> = Command::ALL.iter().map(|c| c.name()).collect();
                    at(format!(
                        "unknown command {command_name:?}; commands are {}",
                        names.join(", ")
                    ))
                })?;
            let parsed = keys
                .get_ref()
                .iter()
                .map(|k| {
                    Key::parse(k).map(|key| (key, k.clone())).ok_or_else(|| {
                        at(format!(
                            "{k:?} is not a key (e.g. \"p\", \"ctrl-r\", \"shift-tab\", \"f5\")"
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            for (key, label) in &parsed {
                if let Some((_, other, other_line)) =
                    claimed.iter().find(|(k, c, _)| k == key && *c != command)
                {
                    self.warnings.push(format!(
                        "keymap {name}, line {line}: {label:?} is bound both to {} (line {other_line}) and to {}; {} keeps it",
                        other.title(),
                        command.title(),
                        command.title()
                    ));
                }
                claimed.push((*key, command, line));
            }
            for (other, bound) in &mut self.bindings {
                let before = bound.len();
                let taken = bound
                    .iter()
                    .find(|(k, _)| parsed.iter().any(|(p, _)| p == k))
                    .map(|(_, label)| label.clone());
                bound.retain(|(k, _)| !parsed.iter().any(|(p, _)| p == k));
                if let Some(label) = taken
                    && bound.is_empty()
                    && before > 0
                    && *other != command
                {
                    emptied.push((*other, label, command, line));
                }
            }
            match self.bindings.iter_mut().find(|(c, _)| *c == command) {
                Some((_, bound)) => *bound = parsed,
                None => self.bindings.push((command, parsed)),
            }
        }
        self.bindings
            .sort_by_key(|(c, _)| Command::ALL.iter().position(|a| a == c));
        for (left, key, taker, line) in emptied {
            if self.keys_for(left).is_empty() {
                self.warnings.push(format!(
                    "keymap {name}, line {line}: {key:?} now means {}, which leaves {} without a key; give it one (e.g. {} = [\"…\"])",
                    taker.title(),
                    left.title(),
                    left.name()
                ));
            }
        }
        Ok(())
    }

    /// Mistakes of the user keymap to show at start; empty for the compiled-in one.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// What a key press means; while a text field has focus, printable keys are typed.
    pub fn action_for(&self, key: &KeyEvent, text_input: bool) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let typing = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if text_input {
            match key.code {
                KeyCode::Enter => return Some(Action::Command(Command::Confirm)),
                KeyCode::Esc => return Some(Action::Command(Command::Cancel)),
                KeyCode::Backspace => return Some(Action::Backspace),
                KeyCode::Char(c) if typing => return Some(Action::Char(c)),
                _ => {}
            }
        }
        let pressed = Key::new(key.code, key.modifiers);
        self.bindings
            .iter()
            .find(|(_, keys)| keys.iter().any(|(k, _)| *k == pressed))
            .map(|(c, _)| Action::Command(*c))
    }

    /// The keys bound to `c`, as written in the keymap.
    pub fn keys_for(&self, c: Command) -> Vec<String> {
        self.bindings
            .iter()
            .find(|(b, _)| *b == c)
            .map(|(_, keys)| keys.iter().map(|(_, label)| label.clone()).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    fn name(action: Option<Action>) -> String {
        match action {
            Some(Action::Command(c)) => c.name(),
            Some(Action::Char(c)) => format!("char {c}"),
            Some(Action::Backspace) => "backspace".into(),
            Some(other) => format!("{other:?}"),
            None => "-".into(),
        }
    }

    const NONE: KeyModifiers = KeyModifiers::NONE;
    const CTRL: KeyModifiers = KeyModifiers::CONTROL;
    const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

    #[test]
    fn keys_outside_text_fields() {
        let map = Keymap::default();
        let table = [
            (KeyCode::Char('p'), NONE, "promote"),
            (KeyCode::Char('a'), NONE, "approve"),
            (KeyCode::Char('r'), NONE, "rollback"),
            (KeyCode::Char('q'), NONE, "quit"),
            (KeyCode::Char('c'), CTRL, "quit"),
            (KeyCode::Char('r'), CTRL, "refresh"),
            (KeyCode::Tab, NONE, "next_pane"),
            (KeyCode::BackTab, SHIFT, "prev_pane"),
            (KeyCode::BackTab, NONE, "prev_pane"),
            (KeyCode::Char('k'), NONE, "up"),
            (KeyCode::Down, NONE, "down"),
            (KeyCode::Char('/'), NONE, "filter"),
            (KeyCode::Char(':'), NONE, "palette"),
            (KeyCode::Char('?'), SHIFT, "help"),
            (KeyCode::Char('f'), NONE, "inject_fault"),
            (KeyCode::Enter, NONE, "confirm"),
            (KeyCode::Esc, NONE, "cancel"),
            (KeyCode::Char('x'), NONE, "reject"),
            (KeyCode::Char('z'), NONE, "-"),
            (KeyCode::Char('P'), SHIFT, "promote_override"),
            (KeyCode::Char('F'), SHIFT, "freeze"),
            (KeyCode::Char('G'), SHIFT, "-"),
            (KeyCode::Backspace, NONE, "-"),
        ];
        for (code, mods, want) in table {
            assert_eq!(
                name(map.action_for(&press(code, mods), false)),
                want,
                "{code:?} {mods:?}"
            );
        }
    }

    #[test]
    fn keys_inside_text_fields() {
        let map = Keymap::default();
        let table = [
            (KeyCode::Char('q'), NONE, "char q"),
            (KeyCode::Char('p'), NONE, "char p"),
            (KeyCode::Char('P'), SHIFT, "char P"),
            (KeyCode::Char(' '), NONE, "char  "),
            (KeyCode::Backspace, NONE, "backspace"),
            (KeyCode::Enter, NONE, "confirm"),
            (KeyCode::Esc, NONE, "cancel"),
            (KeyCode::Char('c'), CTRL, "quit"),
            (KeyCode::Down, NONE, "down"),
        ];
        for (code, mods, want) in table {
            assert_eq!(
                name(map.action_for(&press(code, mods), true)),
                want,
                "{code:?} {mods:?}"
            );
        }
    }

    #[test]
    fn key_releases_are_ignored() {
        let mut release = press(KeyCode::Char('q'), NONE);
        release.kind = KeyEventKind::Release;
        assert!(Keymap::default().action_for(&release, false).is_none());
    }

    #[test]
    fn every_command_has_a_key() {
        let map = Keymap::default();
        for c in Command::ALL {
            assert!(!map.keys_for(c).is_empty(), "{c:?}");
        }
        assert_eq!(map.keys_for(Command::Quit), ["q", "ctrl-c"]);
    }

    #[test]
    fn user_overrides_rebind_and_take_keys_from_other_commands() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.toml");
        std::fs::write(
            &path,
            "# mine\npromote = [\"P\", \"ctrl-p\"]\nrefresh = [\"q\"]\n",
        )
        .unwrap();
        let map = Keymap::load(&path).unwrap();
        let act = |code, mods| name(map.action_for(&press(code, mods), false));
        assert_eq!(act(KeyCode::Char('P'), SHIFT), "promote");
        assert_eq!(act(KeyCode::Char('p'), CTRL), "promote");
        assert_eq!(act(KeyCode::Char('p'), NONE), "-");
        assert_eq!(act(KeyCode::Char('q'), NONE), "refresh");
        assert_eq!(map.keys_for(Command::Quit), ["ctrl-c"]);
        assert_eq!(map.keys_for(Command::Approve), ["a"]);
    }

    #[test]
    fn a_command_left_without_a_key_or_a_key_bound_twice_is_reported_with_its_line() {
        assert!(Keymap::default().warnings().is_empty());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.toml");
        std::fs::write(&path, "# mine\npromote = [\"r\"]\n").unwrap();
        let map = Keymap::load(&path).unwrap();
        assert_eq!(
            map.warnings(),
            ["keymap ".to_string()
                + &path.display().to_string()
                + ", line 2: \"r\" now means promote, which leaves rollback without a key; give it one (e.g. rollback = [\"…\"])"]
        );
        std::fs::write(&path, "refresh = [\"z\"]\n\nfilter = [\"z\", \"/\"]\n").unwrap();
        let map = Keymap::load(&path).unwrap();
        let [warning] = map.warnings() else {
            panic!("{:?}", map.warnings())
        };
        assert!(
            warning.contains("line 1")
                && warning.contains("bound both to filter (line 3) and to refresh"),
            "{warning}"
        );
    }

    #[test]
    fn mistakes_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.toml");
        std::fs::write(&path, "promote = [\"p\"]\n\npromot = [\"x\"]\n").unwrap();
        let err = Keymap::load(&path).unwrap_err();
        assert!(
            err.contains("line 3") && err.contains("unknown command \"promot\""),
            "{err}"
        );
        std::fs::write(
            &path,
            "promote = [\"p\"]\nrollback = [\"r\", \"hyper-x\"]\n",
        )
        .unwrap();
        let err = Keymap::load(&path).unwrap_err();
        assert!(
            err.contains("line 2") && err.contains("\"hyper-x\" is not a key"),
            "{err}"
        );
        std::fs::write(&path, "promote = \"p\"\n").unwrap();
        assert!(Keymap::load(&path).unwrap_err().contains("line 1"));
    }
}
