//! Entering and leaving the terminal; restoring it on every exit path, panics included.

use ratatui::DefaultTerminal;
use std::io::Write;

/// Raw mode and the alternate screen, with ratatui's panic hook that restores the terminal
/// before the panic report is printed. Mouse capture stays off (copy/paste keep working).
pub fn enter() -> DefaultTerminal {
    ratatui::init()
}

pub fn leave() {
    ratatui::restore();
}

/// Copies text to the clipboard of the terminal the user sits at, even over SSH (OSC 52).
pub fn copy_to_clipboard(text: &str) {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = std::io::stdout();
    // Inside tmux the sequence must be wrapped to reach the outer terminal.
    let sequence = if std::env::var_os("TMUX").is_some() {
        format!("\x1bPtmux;\x1b\x1b]52;c;{encoded}\x07\x1b\\")
    } else {
        format!("\x1b]52;c;{encoded}\x07")
    };
    let _ = out.write_all(sequence.as_bytes());
    let _ = out.flush();
}
