//! The `:` command bar's verbs. Each names a key action and runs exactly as that key would,
//! against the same engine snapshot: a typed `:q` asks during an apply, as `q` does.

use super::keymap::{Action, Context};

/// A verb with its short forms, and the action it runs in the keymap context that owns it.
#[derive(Debug)]
pub struct Verb {
    pub names: &'static [&'static str],
    pub context: Context,
    pub action: Action,
}

pub const VERBS: &[Verb] = &[
    Verb { names: &["search", "s"], context: Context::Global, action: Action::Search },
    Verb { names: &["plan", "p"], context: Context::Global, action: Action::Plan },
    Verb { names: &["sync", "apply"], context: Context::Global, action: Action::Apply },
    Verb { names: &["check"], context: Context::Global, action: Action::Check },
    Verb { names: &["quit", "q"], context: Context::Global, action: Action::Quit },
    Verb { names: &["help"], context: Context::Global, action: Action::Help },
    Verb { names: &["save", "w"], context: Context::Settings, action: Action::Save },
];

pub fn verb(name: &str) -> Option<&'static Verb> {
    VERBS.iter().find(|v| v.names.contains(&name))
}

/// "search, plan, sync, …": what to suggest after an unknown verb.
pub fn verb_list() -> String {
    VERBS.iter().map(|v| v.names[0]).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_finds_its_own_verb() {
        for v in VERBS {
            for name in v.names {
                assert_eq!(verb(name).map(|found| found.action), Some(v.action), "{name}");
            }
        }
        assert!(verb("frobnicate").is_none());
        assert_eq!(verb_list(), "search, plan, sync, check, quit, help, save");
    }
}
