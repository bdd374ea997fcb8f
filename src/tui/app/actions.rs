//! Actions, from a key or a typed verb: the global ones are the app's, the rest go to a pane.

use super::{App, Effect, Overlay, Pane};
use crate::engine::{Command, Level, Phase, Snapshot};
use crate::tui::keymap::Action;
use crate::tui::overlays::diagnostics::DiagnosticsState;
use crate::tui::panes::Reply;
use crate::tui::panes::tree::TreeState;
use crate::tui::text_input::{TextInput, Typing};
use std::time::Instant;

impl App {
    pub(super) fn on_action(&mut self, action: Action, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        match action {
            Action::Quit if snapshot.phase.is_busy() => self.open(Overlay::ConfirmQuit),
            Action::Quit | Action::ForceQuit => self.quit(),
            Action::Fleet => self.back_to_fleet(snapshot, now),
            Action::Help => self.open(Overlay::Help { scroll: 0 }),
            Action::NextPane => self.focus_at(self.focus.index() + 1),
            Action::PrevPane => self.focus_at(self.focus.index() + Pane::ALL.len() - 1),
            Action::FocusSettings => self.focus_on(Pane::Settings),
            Action::FocusTree => self.focus_on(Pane::Tree),
            Action::FocusDiff => self.focus_on(Pane::Diff),
            Action::FocusLog => self.focus_on(Pane::Log),
            Action::FocusHistory => self.focus_on(Pane::History),
            Action::Zoom => {
                self.zoomed = !self.zoomed;
                Vec::new()
            }
            Action::CommandBar => self.type_in(Typing::Command, ""),
            Action::Search | Action::Plan | Action::Apply if self.first_run => self.save_first(now),
            Action::Check | Action::TestConnection if self.first_run => self.test_settings(now),
            Action::Search => vec![Effect::Engine(Command::Search)],
            Action::Cancel if snapshot.phase.is_busy() => vec![Effect::Engine(Command::Cancel)],
            Action::Plan => self.plan(),
            Action::Apply => self.ask_to_apply(snapshot, now),
            Action::Check => self.start_check(),
            Action::TestConnection => self.test_settings(now),
            _ => self.on_pane_action(self.focus, action, snapshot, now),
        }
    }

    pub(super) fn on_pane_action(
        &mut self,
        pane: Pane,
        action: Action,
        snapshot: &Snapshot,
        now: Instant,
    ) -> Vec<Effect> {
        let page = self.page_height(pane);
        let reply = match (pane, action) {
            (Pane::Tree, Action::NextSource) => return self.browse_next_source(now),
            (Pane::Settings, Action::NextSource) => self.settings.next_source(),
            _ => self.pane_reply(pane, action, snapshot, page, now),
        };
        self.follow(reply, snapshot, now)
    }

    fn pane_reply(&mut self, pane: Pane, action: Action, snapshot: &Snapshot, page: usize, now: Instant) -> Reply {
        match pane {
            Pane::Settings => self.settings.on_action(action),
            Pane::Tree => self.tree.on_action(action, &snapshot.tree, page, now),
            Pane::Diff => self.diff.on_action(action, snapshot, page),
            Pane::Log => self.log.on_action(action, page),
            Pane::History => self.history.on_action(action, page),
        }
    }

    /// The directory pane moves on to the next of several sources, browsed from its root.
    fn browse_next_source(&mut self, now: Instant) -> Vec<Effect> {
        if self.roots.len() < 2 {
            self.flash(Level::Info, "one source: there is no other to browse", now);
            return Vec::new();
        }
        let at = (self.tree.source_index() + 1) % self.roots.len();
        self.tree = TreeState::of_source(&self.config, &self.roots, at);
        let name = self.tree.source.as_ref().map(|b| b.name.clone()).unwrap_or_default();
        self.flash(Level::Info, format!("browsing source {name} from {}", self.tree.root), now);
        let root = self.tree.root.clone();
        vec![Effect::Engine(Command::BrowseSource(at)), Effect::Engine(Command::Browse { dn: root, refresh: false })]
    }

    /// Does what a pane asked for that is not the pane's own to do.
    fn follow(&mut self, reply: Reply, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        if let Some(note) = reply.note {
            self.flash(Level::Info, note, now);
        }
        if let Some((typing, text)) = reply.type_in {
            self.type_in(typing, &text);
        }
        self.unless_busy(reply.effects, snapshot, now)
    }

    /// Ends this organisation's app for the fleet screen; never in the middle of a run, which
    /// would be cancelled by it.
    fn back_to_fleet(&mut self, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        if !self.in_fleet {
            self.flash(Level::Info, "no fleet: adsync opened one configuration", now);
            return Vec::new();
        }
        if snapshot.phase.is_busy() {
            self.flash(Level::Warn, "a run is under way: wait for it, or cancel it, then go back", now);
            return Vec::new();
        }
        self.back_to_fleet = true;
        self.quit()
    }

    pub(super) fn quit(&mut self) -> Vec<Effect> {
        self.quit = true;
        vec![Effect::Quit]
    }

    pub(super) fn open(&mut self, overlay: Overlay) -> Vec<Effect> {
        self.overlay = Some(overlay);
        Vec::new()
    }

    fn focus_on(&mut self, pane: Pane) -> Vec<Effect> {
        self.focus = pane;
        Vec::new()
    }

    fn focus_at(&mut self, index: usize) -> Vec<Effect> {
        self.focus_on(Pane::ALL[index % Pane::ALL.len()])
    }

    fn type_in(&mut self, typing: Typing, text: &str) -> Vec<Effect> {
        self.input = Some(TextInput::new(typing, text));
        Vec::new()
    }

    /// A new plan: the review's selection and unfolded changes were by position in the old one.
    fn plan(&mut self) -> Vec<Effect> {
        self.diff.reset();
        self.focus = Pane::Diff;
        vec![Effect::Engine(Command::Plan)]
    }

    fn ask_to_apply(&mut self, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        match (&snapshot.phase, &snapshot.review) {
            (Phase::Planned, Some(_)) => self.open(Overlay::ConfirmApply),
            _ => {
                self.flash(Level::Warn, "nothing to apply yet: press p to plan first", now);
                Vec::new()
            }
        }
    }

    /// Opens the check of the config in use; starts it unless it is running already.
    /// With several sources, the check is of the one the directory pane browses.
    pub(super) fn start_check(&mut self) -> Vec<Effect> {
        self.checking_form = false;
        let at = self.tree.source_index();
        let kind = self.config.sources.get(at).map_or(self.config.source.kind(), |s| s.source.kind());
        self.open_check(kind, Effect::RunCheck(at))
    }

    /// The check ladder on the settings as the form has them, saved or not.
    pub(super) fn test_settings(&mut self, now: Instant) -> Vec<Effect> {
        if let Some((label, problem)) = self.settings.form.errors().first() {
            self.flash(Level::Error, format!("Settings: {label}: {problem}"), now);
            return Vec::new();
        }
        self.checking_form = true;
        let kind = self.settings.form.source_kind();
        self.open_check(kind, Effect::CheckForm(self.settings.form.clone()))
    }

    /// "c again" repeats the check that was made.
    pub(super) fn check_again(&mut self, now: Instant) -> Vec<Effect> {
        if self.checking_form { self.test_settings(now) } else { self.start_check() }
    }

    fn open_check(&mut self, kind: crate::config::SourceKind, effect: Effect) -> Vec<Effect> {
        self.overlay = Some(Overlay::Diagnostics);
        if self.diagnostics.running {
            return Vec::new();
        }
        self.diagnostics = DiagnosticsState::started(kind);
        vec![effect]
    }

    /// Before the first save there is no config for a search or a plan to use.
    fn save_first(&mut self, now: Instant) -> Vec<Effect> {
        let path = self.config.origin.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        self.flash(Level::Warn, format!("save the settings first: Ctrl-S writes {path}"), now);
        Vec::new()
    }
}
