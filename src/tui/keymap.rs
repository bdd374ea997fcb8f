//! Key bindings as data: `config/keymap.toml` is embedded; a user file patches it.
//! Help and the hint line are generated from the same table. Bad entries are reported.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

const DEFAULT_KEYMAP: &str = include_str!("../../config/keymap.toml");

/// Where a binding applies. A pane's own bindings win over global ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Global,
    Settings,
    Tree,
    Diff,
    Log,
    History,
    Fleet,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::Settings,
        Context::Tree,
        Context::Diff,
        Context::Log,
        Context::History,
        Context::Fleet,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Settings => "settings",
            Context::Tree => "tree",
            Context::Diff => "diff",
            Context::Log => "log",
            Context::History => "history",
            Context::Fleet => "fleet",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Settings => "Settings",
            Context::Tree => "Directory",
            Context::Diff => "Pending changes",
            Context::Log => "Log",
            Context::History => "History",
            Context::Fleet => "Fleet",
        }
    }
}

/// Everything a key can ask for. Internal messages are not here: no key can fake them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    ForceQuit,
    Help,
    NextPane,
    PrevPane,
    FocusSettings,
    FocusTree,
    FocusDiff,
    FocusLog,
    FocusHistory,
    /// The focused pane takes the whole body, or gives it back.
    Zoom,
    CommandBar,
    Search,
    Plan,
    Apply,
    Check,
    Cancel,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Edit,
    Toggle,
    Save,
    TestConnection,
    Expand,
    Collapse,
    Filter,
    Refresh,
    Exclude,
    CopyDn,
    Exempt,
    Details,
    SelectAll,
    SelectNone,
    Follow,
    Wrap,
    SaveLog,
    /// The next of an organisation's several sources, to browse or to edit.
    NextSource,
    /// Back from an organisation to the fleet screen.
    Fleet,
}

/// A key with its modifiers, as written in the keymap ("ctrl-s", "G", "tab").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut rest = text;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                (ctrl, rest) = (true, r);
            } else if let Some(r) = rest.strip_prefix("alt-") {
                (alt, rest) = (true, r);
            } else {
                break;
            }
        }
        let code = named(rest).or_else(|| single_char(rest)).ok_or_else(|| format!("unknown key \"{text}\""))?;
        Ok(Key { code, ctrl, alt })
    }

    /// Shift is part of the character itself ("G"), so it is not compared for characters.
    pub fn from_event(event: &KeyEvent) -> Key {
        Key {
            code: event.code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }
}

fn named(name: &str) -> Option<KeyCode> {
    Some(match name {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" | "shift-tab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" => KeyCode::Delete,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" => KeyCode::PageUp,
        "pagedown" => KeyCode::PageDown,
        _ => {
            return name
                .strip_prefix('f')
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| (1..=12).contains(n))
                .map(KeyCode::F);
        }
    })
}

fn single_char(text: &str) -> Option<KeyCode> {
    let mut chars = text.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(KeyCode::Char(c))
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One line of the keymap file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    action: String,
    keys: Vec<String>,
    #[serde(default)]
    desc: String,
    /// The word for the bottom line; absent: not on it.
    hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub action: Action,
    pub keys: Vec<Key>,
    pub desc: String,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Keymap {
    bindings: BTreeMap<Context, Vec<Binding>>,
}

impl Keymap {
    /// The embedded defaults. They are tested to parse cleanly.
    pub fn defaults() -> Keymap {
        let (map, problems) = Keymap::parse(DEFAULT_KEYMAP, &Keymap::default(), "built-in keymap");
        debug_assert!(problems.is_empty(), "{problems:?}");
        map
    }

    /// Defaults patched by a user file; problems are returned for the user to see.
    pub fn with_user_file(text: &str, origin: &str) -> (Keymap, Vec<String>) {
        Keymap::parse(text, &Keymap::defaults(), origin)
    }

    fn parse(text: &str, base: &Keymap, origin: &str) -> (Keymap, Vec<String>) {
        let mut map = base.clone();
        let raw: BTreeMap<String, Vec<RawBinding>> = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => return (map, vec![format!("{origin}: {}", e.message())]),
        };
        let mut problems = Vec::new();
        for (context_name, entries) in raw {
            let Some(context) = Context::ALL.into_iter().find(|c| c.name() == context_name) else {
                problems.push(format!(
                    "{origin}: unknown context [[{context_name}]] (use global, settings, tree, diff, log, history, fleet)"
                ));
                continue;
            };
            for entry in entries {
                match binding(&entry) {
                    Ok(b) => map.set(context, b),
                    Err(e) => problems.push(format!("{origin}: [[{context_name}]] action \"{}\": {e}", entry.action)),
                }
            }
        }
        (map, problems)
    }

    /// Replaces the keys (and text) of `b.action` in `context`, or adds it.
    fn set(&mut self, context: Context, b: Binding) {
        let list = self.bindings.entry(context).or_default();
        match list.iter_mut().find(|x| x.action == b.action) {
            Some(existing) => {
                existing.keys = b.keys;
                if !b.desc.is_empty() {
                    existing.desc = b.desc;
                }
                if b.hint.is_some() {
                    existing.hint = b.hint;
                }
            }
            None => list.push(b),
        }
    }

    /// The action for `key` in `context`, falling back to global bindings.
    pub fn action(&self, context: Context, key: Key) -> Option<Action> {
        let find = |ctx: Context| self.bindings.get(&ctx)?.iter().find(|b| b.keys.contains(&key)).map(|b| b.action);
        find(context).or_else(|| find(Context::Global))
    }

    pub fn bindings(&self, context: Context) -> &[Binding] {
        self.bindings.get(&context).map(Vec::as_slice).unwrap_or_default()
    }

    /// The first key bound to `action` (for messages like "press a to apply").
    pub fn key_for(&self, context: Context, action: Action) -> Option<Key> {
        [context, Context::Global]
            .iter()
            .filter_map(|c| self.bindings.get(c))
            .flat_map(|list| list.iter())
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first().copied())
    }

    /// "? help · Tab pane · …": the hint line for a pane.
    pub fn hints(&self, context: Context) -> Vec<(String, String)> {
        let own = self.bindings(context).iter();
        let global = self.bindings(Context::Global).iter();
        own.chain(global).filter_map(|b| Some((b.keys.first()?.to_string(), b.hint.clone()?))).collect()
    }
}

fn binding(raw: &RawBinding) -> Result<Binding, String> {
    let action: Action =
        serde::Deserialize::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(&raw.action))
            .map_err(|_| "unknown action".to_string())?;
    let keys = raw.keys.iter().map(|k| Key::parse(k)).collect::<Result<Vec<_>, _>>()?;
    Ok(Binding { action, keys, desc: raw.desc.clone(), hint: raw.hint.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn key(text: &str) -> Key {
        Key::parse(text).unwrap()
    }

    #[test]
    fn the_builtin_keymap_parses_without_problems() {
        let (_, problems) = Keymap::parse(DEFAULT_KEYMAP, &Keymap::default(), "built-in");
        assert!(problems.is_empty(), "{problems:?}");
        let map = Keymap::defaults();
        assert_eq!(map.action(Context::Tree, key("j")), Some(Action::Down));
        assert_eq!(map.action(Context::Tree, key("enter")), Some(Action::Expand));
        assert_eq!(map.action(Context::Settings, key("enter")), Some(Action::Edit));
        assert_eq!(map.action(Context::Log, key("ctrl-c")), Some(Action::ForceQuit));
    }

    #[test]
    fn key_syntax() {
        assert_eq!(key("ctrl-s"), Key { code: KeyCode::Char('s'), ctrl: true, alt: false });
        assert_eq!(key("f5").code, KeyCode::F(5));
        assert_eq!(key("space").code, KeyCode::Char(' '));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("f13").is_err());
        assert_eq!(key("ctrl-s").to_string(), "Ctrl-s");
    }

    #[test]
    fn shifted_letters_match_their_character() {
        let ev = KeyEvent {
            code: KeyCode::Char('G'),
            modifiers: KeyModifiers::SHIFT,
            kind: KeyEventKind::Press,
            state: crossterm::event::KeyEventState::NONE,
        };
        assert_eq!(Keymap::defaults().action(Context::Log, Key::from_event(&ev)), Some(Action::Bottom));
    }

    #[test]
    fn a_user_file_patches_and_bad_entries_are_reported() {
        let user = r#"
            [[tree]]
            action = "refresh"
            keys = ["ctrl-r"]

            [[tree]]
            action = "teleport"
            keys = ["t"]

            [[log]]
            action = "wrap"
            keys = ["hyper-w"]

            [[sidebar]]
            action = "quit"
            keys = ["x"]
        "#;
        let (map, problems) = Keymap::with_user_file(user, "keymap.toml");
        assert_eq!(map.action(Context::Tree, key("ctrl-r")), Some(Action::Refresh));
        assert_eq!(map.action(Context::Tree, key("r")), None, "the old key is replaced");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("unknown action") || problems.iter().any(|p| p.contains("unknown action")));
        assert!(problems.iter().any(|p| p.contains("unknown key \"hyper-w\"")));
        assert!(problems.iter().any(|p| p.contains("[[sidebar]]")));
        assert_eq!(map.action(Context::Log, key("w")), Some(Action::Wrap), "a bad entry leaves the default");
    }

    #[test]
    fn hints_come_from_the_table() {
        let hints = Keymap::defaults().hints(Context::Tree);
        assert!(hints.iter().any(|(k, d)| k == "/" && d == "filter"));
        assert!(hints.iter().any(|(k, _)| k == "?"));
    }
}
