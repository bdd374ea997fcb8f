//! The fleet screen's loop: read every organisation's state, draw the table, and on Enter run
//! that organisation's app in the same terminal until its fleet key (or quit) ends it.

use super::render::FleetScreen;
use super::state::{FleetAction, FleetState};
use crate::config::fleet::{Loaded, OrgSource, Selector, load};
use crate::fleet::OrgStatus;
use crate::tui::runner::{Ended, TuiError, TuiOptions, load_keymap, session};
use crate::tui::theme::Theme;
use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use ratatui::widgets::Widget;
use std::path::PathBuf;

pub struct FleetOptions {
    /// Where the organisations are (`--config`, `--orgs`).
    pub selector: Selector,
    pub keymap_file: Option<PathBuf>,
}

/// Runs the fleet screen until the user quits. The terminal is restored on every way out.
pub async fn run_fleet(opts: FleetOptions) -> Result<(), TuiError> {
    let mut terminal = crate::tui::terminal::enter();
    let result = fleet_loop(&mut terminal, &opts).await;
    crate::tui::terminal::leave();
    for warning in result? {
        eprintln!("warning: {warning}");
    }
    Ok(())
}

/// Every organisation's state, or why the fleet cannot be read.
fn read_rows(selector: &Selector) -> Result<Vec<OrgStatus>, String> {
    let now = jiff::Timestamp::now();
    match load(selector).map_err(|e| e.to_string())? {
        Loaded::Fleet(fleet) => Ok(fleet.orgs.iter().map(|o| OrgStatus::of(o, now)).collect()),
        Loaded::Single(_) => Err("no organisations here any more".into()),
    }
}

fn refresh(state: &mut FleetState, selector: &Selector) {
    match read_rows(selector) {
        Ok(rows) => {
            state.set_rows(rows);
            state.problem = None;
        }
        Err(problem) => state.problem = Some(problem),
    }
}

/// The warnings of the organisations' apps, to print once the terminal is restored.
async fn fleet_loop(terminal: &mut ratatui::DefaultTerminal, opts: &FleetOptions) -> Result<Vec<String>, TuiError> {
    let (keymap, mut warnings) = load_keymap(opts.keymap_file.as_ref());
    let (theme, tz) = (Theme::from_env(), jiff::tz::TimeZone::system());
    let mut state = FleetState::default();
    refresh(&mut state, &opts.selector);
    loop {
        let mut page = 0;
        terminal.draw(|f| {
            page = usize::from(f.area().height.saturating_sub(5));
            FleetScreen { state: &state, keymap: &keymap, theme, tz: &tz }.render(f.area(), f.buffer_mut())
        })?;
        // A fresh stream each time: the organisation's app reads the terminal with its own.
        let key = match next_input(&mut EventStream::new()).await? {
            Next::Key(key) => key,
            Next::Redraw => continue,
            Next::End => return Ok(warnings),
        };
        match state.key(&keymap, key, page) {
            Some(FleetAction::Quit) => return Ok(warnings),
            Some(FleetAction::Refresh) => refresh(&mut state, &opts.selector),
            Some(FleetAction::Open(name)) => match open(terminal, opts, name, &mut state, &mut warnings).await? {
                Some(Ended::Quit) => return Ok(warnings),
                Some(Ended::BackToFleet) => refresh(&mut state, &opts.selector),
                None => {}
            },
            None => {}
        }
    }
}

/// The organisation's app, and how it ended; `None` (the fleet saying why) when its file does
/// not load.
async fn open(
    terminal: &mut ratatui::DefaultTerminal,
    opts: &FleetOptions,
    name: String,
    state: &mut FleetState,
    warnings: &mut Vec<String>,
) -> Result<Option<Ended>, TuiError> {
    let org = OrgSource { selector: opts.selector.clone(), name };
    let config = match org.load() {
        Ok(config) => config,
        Err(e) => {
            state.problem = Some(format!("{}: {e}", org.name));
            return Ok(None);
        }
    };
    let options = TuiOptions { config, keymap_file: opts.keymap_file.clone(), first_run: false, org: Some(org) };
    let (ended, said) = session(terminal, options, true).await?;
    warnings.extend(said);
    // No clear: the terminal's last buffer is what the screen shows, so the fleet's next
    // frame draws over it exactly (a clear would ask the terminal for its cursor).
    Ok(Some(ended))
}

/// What the terminal said.
enum Next {
    Key(crossterm::event::KeyEvent),
    /// A resize: draw again.
    Redraw,
    /// The input ended.
    End,
}

/// The next key press or resize; releases and other events are passed over.
async fn next_input(keys: &mut EventStream) -> Result<Next, TuiError> {
    loop {
        match keys.next().await {
            Some(Ok(TermEvent::Key(k))) if k.kind == KeyEventKind::Press => return Ok(Next::Key(k)),
            Some(Ok(TermEvent::Resize(..))) => return Ok(Next::Redraw),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => return Ok(Next::End),
        }
    }
}
