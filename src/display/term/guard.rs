//! Puts the terminal back as it was: raw mode off, cursor shown, alternate screen left,
//! our Kitty images deleted. One guard (drop), one panic hook, and `restore()` for the
//! signal path; each way out restores exactly once.

use super::images;
use crossterm::{cursor, execute, terminal};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

static ACTIVE: AtomicBool = AtomicBool::new(false);
static KITTY: AtomicBool = AtomicBool::new(false);
static TMUX: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

pub struct TerminalGuard;

impl TerminalGuard {
    /// Raw mode, alternate screen, hidden cursor. `kitty`: delete our images at exit.
    pub fn enter(kitty: bool, tmux_wrap: bool) -> std::io::Result<Self> {
        HOOK.call_once(|| {
            let prev = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                prev(info);
            }));
        });
        KITTY.store(kitty, Ordering::SeqCst);
        TMUX.store(tmux_wrap, Ordering::SeqCst);
        terminal::enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let mut out = std::io::stdout();
        execute!(
            out,
            terminal::EnterAlternateScreen,
            cursor::Hide,
            terminal::DisableLineWrap,
            terminal::Clear(terminal::ClearType::All)
        )?;
        Ok(TerminalGuard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Restores the terminal if a guard set it up; safe to call more than once.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = std::io::stdout();
    if KITTY.load(Ordering::SeqCst) {
        let wrap: &dyn Fn(&[u8]) -> Vec<u8> = if TMUX.load(Ordering::SeqCst) {
            &images::tmux_wrap
        } else {
            &images::no_wrap
        };
        let _ = out.write_all(&images::kitty_delete_all(wrap));
    }
    let _ = execute!(
        out,
        terminal::EnableLineWrap,
        cursor::Show,
        terminal::LeaveAlternateScreen
    );
    let _ = out.flush();
    let _ = terminal::disable_raw_mode();
}
