//! The live dashboard in the terminal: frames as iTerm2, Kitty or Sixel images, or as
//! text cells; keys; resize; pause and zoom; a clean terminal on every way out.

use super::controls::{Action, Controls};
use super::{start_poller, AppError, FrameClock, Outputs, Setup};
use crate::display::palette::Palette;
use crate::display::term::detect::{self, Hints, Protocol, Replies};
use crate::display::term::guard::TerminalGuard;
use crate::display::term::images;
use crate::display::term::text::{self, TextOptions};
use crate::display::{png, sixel};
use crate::render::{Renderer, StatusLine};
use crate::source::poller::Collected;
use crossterm::event::{self, Event as CtEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

enum Ev {
    Sample(Box<Collected>),
    Key(KeyEvent),
    Resize,
    Quit,
}

/// How frames reach the terminal.
struct Sink {
    protocol: Protocol,
    tmux: bool,
    replies: Replies,
    /// Kitty image id shown now (two ids alternate).
    kitty_id: Option<u32>,
    text: Option<ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::Stdout>>>,
    /// Bytes written for the last frame.
    last_bytes: usize,
}

pub fn live(s: &mut Setup) -> Result<(), AppError> {
    let hints = Hints::from_env();
    let requested = s.args.protocol.as_str();
    let tmux_passthrough = hints.in_tmux && tmux_allows_passthrough();
    let wrap: &dyn Fn(&[u8]) -> Vec<u8> = if tmux_passthrough {
        &images::tmux_wrap
    } else {
        &images::no_wrap
    };
    let mut notice = None;

    // Raw mode first: the replies to our queries must not echo.
    crossterm::terminal::enable_raw_mode()
        .map_err(|e| AppError::Failed(format!("cannot set up the terminal: {e}")))?;
    let replies = if requested == "auto" && (!hints.in_tmux || tmux_passthrough) {
        detect::query(Duration::from_millis(400), wrap)
    } else {
        Replies::default()
    };
    let _ = crossterm::terminal::disable_raw_mode();
    let protocol = match requested {
        "iterm2" => Protocol::Iterm2,
        "kitty" => Protocol::Kitty,
        "sixel" => Protocol::Sixel,
        "text" => Protocol::Text,
        _ => {
            if hints.in_tmux && !tmux_passthrough {
                notice = Some(
                    "images are off inside tmux: `set -g allow-passthrough on` turns them on"
                        .to_string(),
                );
                Protocol::Text
            } else {
                detect::choose(&hints, &replies)
            }
        }
    };

    let guard = TerminalGuard::enter(protocol == Protocol::Kitty, tmux_passthrough)
        .map_err(|e| AppError::Failed(format!("cannot set up the terminal: {e}")))?;
    let text_term = if protocol == Protocol::Text {
        Some(
            ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))
                .map_err(|e| AppError::Failed(format!("cannot set up the terminal: {e}")))?,
        )
    } else {
        None
    };
    let mut sink = Sink {
        protocol,
        tmux: tmux_passthrough,
        replies,
        kitty_id: None,
        text: text_term,
        last_bytes: 0,
    };
    let result = run_loop(s, &mut sink, notice);
    drop(guard);
    result.map(|_| ())
}

fn tmux_allows_passthrough() -> bool {
    // Read only: the user's tmux options are never changed.
    std::process::Command::new("tmux")
        .args(["show", "-gv", "allow-passthrough"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .map(|o| matches!(String::from_utf8_lossy(&o.stdout).trim(), "on" | "all"))
        .unwrap_or(false)
}

fn run_loop(s: &mut Setup, sink: &mut Sink, notice: Option<String>) -> Result<String, AppError> {
    let (tx, rx) = mpsc::channel::<Ev>();
    let stop = Arc::new(AtomicBool::new(false));

    // Keys and resizes.
    {
        let (tx, stop) = (tx.clone(), stop.clone());
        std::thread::Builder::new()
            .name("keys".into())
            .spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    if let Ok(true) = event::poll(Duration::from_millis(100)) {
                        let ev = match event::read() {
                            Ok(CtEvent::Key(k)) if k.kind != KeyEventKind::Release => Ev::Key(k),
                            Ok(CtEvent::Resize(..)) => Ev::Resize,
                            Ok(_) => continue,
                            Err(_) => Ev::Quit,
                        };
                        if tx.send(ev).is_err() {
                            return;
                        }
                    }
                }
            })
            .map_err(|e| AppError::Failed(format!("cannot start the key reader: {e}")))?;
    }
    // SIGTERM, SIGHUP, SIGINT, SIGQUIT end the run through the same path as `q`.
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])
            .map_err(|e| AppError::Failed(format!("cannot watch signals: {e}")))?;
        let tx = tx.clone();
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if signals.forever().next().is_some() {
                    let _ = tx.send(Ev::Quit);
                }
            })
            .map_err(|e| AppError::Failed(format!("cannot watch signals: {e}")))?;
    }

    let start = Instant::now();
    let sample_tx = tx.clone();
    let (poller, samples) = start_poller(s, start);
    // Forward samples into the one event channel.
    std::thread::Builder::new()
        .name("samples".into())
        .spawn(move || {
            for c in samples {
                if sample_tx.send(Ev::Sample(Box::new(c))).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| AppError::Failed(format!("cannot start: {e}")))?;

    let mut out = Outputs::new(s)?;
    let mut controls = Controls::new(s);
    let panic_after: Option<u64> = std::env::var("TG_TEST_PANIC_AFTER_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok());
    let mut dirty = true;
    let mut clock = FrameClock::new(s, start);
    let mut frames = 0u64;
    let mut bytes_total = 0usize;
    let mut iter = 0u64;

    loop {
        let now_i = Instant::now();
        if clock.over(now_i) {
            break;
        }
        if clock.frame_due(&s.state, now_i) {
            dirty |= out.tick_frame(s, &controls, &mut iter)?;
            clock.advance();
        }
        if dirty {
            let now = controls.now(&s.clock);
            // The tmux hint is said once, for the first seconds, not for the whole run.
            let hint = notice
                .as_deref()
                .filter(|_| start.elapsed() < Duration::from_secs(15));
            let status = controls.status_line(s, hint);
            // The outputs' renderer and palette serve the screen too: one glyph cache,
            // one palette table, one series cache per run.
            let help = controls.help_lines();
            draw(s, sink, &mut out.renderer, &out.palette, now, &status, help)?;
            dirty = false;
            frames += 1;
            bytes_total += sink.last_bytes;
            if panic_after.is_some_and(|n| frames >= n) {
                // Test hook: proves the terminal is restored after a panic.
                panic!("test panic after {frames} frames");
            }
        }
        let ev = match rx.recv_timeout(clock.wait(Instant::now())) {
            Ok(ev) => ev,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        match ev {
            Ev::Quit => break,
            Ev::Resize => {
                if let Some(t) = &mut sink.text {
                    let _ = t.autoresize();
                } else {
                    let _ = std::io::stdout().write_all(b"\x1b[2J");
                }
                dirty = true;
            }
            Ev::Sample(c) => {
                out.note_sample(&s.state, &c);
                controls.sample(s, *c);
            }
            Ev::Key(k) => {
                let ctrl_c =
                    k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c');
                let action = match k.code {
                    _ if ctrl_c => Action::Quit,
                    KeyCode::Esc => Action::Quit,
                    KeyCode::Left => Action::PrevPage,
                    KeyCode::Right => Action::NextPage,
                    KeyCode::Char(c) => match Action::from_char(c) {
                        Some(a) => a,
                        None => continue,
                    },
                    _ => continue,
                };
                if !controls.act(s, action) {
                    break;
                }
                dirty = true;
            }
        }
    }
    stop.store(true, Ordering::SeqCst);
    poller.stop();
    let avg = if frames > 0 {
        bytes_total / frames as usize
    } else {
        0
    };
    let summary = serde_json::json!({"frames": frames, "protocol": sink.protocol.name(), "bytes_per_frame": avg});
    if let Some(log) = &mut out.log {
        log.write(&summary.to_string());
    }
    Ok(summary.to_string())
}

/// Pixel size of the image area: the terminal's pixels less the last row (kept for the
/// cursor so nothing scrolls).
fn image_size(sink: &Sink) -> (u32, u32) {
    let ws = crossterm::terminal::window_size().ok();
    let (cols, rows) = ws.as_ref().map_or((80, 24), |w| {
        (w.columns.max(1) as u32, w.rows.max(2) as u32)
    });
    let (pw, ph) = match ws {
        Some(w) if w.width > 0 && w.height > 0 => (w.width as u32, w.height as u32),
        _ => match (sink.replies.pixels, sink.replies.cell) {
            (Some(p), _) => p,
            (None, Some((cw, ch))) => (cols * cw, rows * ch),
            // The earlier tool's guess for a cell: 9 x 18 pixels.
            (None, None) => (cols * 9, rows * 18),
        },
    };
    let mut h = ph * (rows - 1) / rows;
    let mut pw = pw;
    if sink.protocol == Protocol::Sixel {
        // A terminal shows nothing of a sixel image over its limit. Terminals that do
        // not say theirs (XTSMGRAPHICS) get xterm's default, 1000x1000.
        let (mw, mh) = sink.replies.sixel_max.unwrap_or((1000, 1000));
        pw = pw.min(mw);
        h = h.min(mh);
        // A sixel image ends on a whole band of six rows and the cursor goes below it:
        // stay a band short of the last row so the screen never scrolls.
        h = (h - h % 6).saturating_sub(6);
    }
    (pw.clamp(320, 8192), h.clamp(200, 8192))
}

fn draw(
    s: &Setup,
    sink: &mut Sink,
    renderer: &mut Renderer,
    palette: &Palette,
    now: f64,
    status: &StatusLine,
    help_lines: Option<Vec<String>>,
) -> Result<(), AppError> {
    if let Some(t) = &mut sink.text {
        let marker = match s.args.marker.as_str() {
            "block" => ratatui::symbols::Marker::Block,
            "dot" => ratatui::symbols::Marker::Dot,
            _ => ratatui::symbols::Marker::Braille,
        };
        let o = TextOptions {
            page: s.state.page,
            now,
            marker,
            status,
            help: help_lines.as_deref(),
        };
        t.draw(|f| text::draw(f, &s.state, &o))
            .map_err(|e| AppError::Failed(format!("cannot draw: {e}")))?;
        sink.last_bytes = 0;
        return Ok(());
    }
    let (w, h) = image_size(sink);
    let views = s.state.views();
    let mut input = s.state.input(&views, s.state.page, now, status.clone());
    input.overlay = help_lines;
    let frame = renderer.render(&input, w, h);
    let wrap: &dyn Fn(&[u8]) -> Vec<u8> = if sink.tmux {
        &images::tmux_wrap
    } else {
        &images::no_wrap
    };
    let bytes = match sink.protocol {
        Protocol::Sixel => images::sixel(&sixel::encode(&frame, palette), wrap),
        p => {
            let png = png::encode_indexed(&frame, palette)
                .map_err(|e| AppError::Failed(format!("PNG encoding failed: {e}")))?;
            if p == Protocol::Kitty {
                let id = if sink.kitty_id == Some(7301) {
                    7302
                } else {
                    7301
                };
                let b = images::kitty(&png, id, sink.kitty_id, wrap);
                sink.kitty_id = Some(id);
                b
            } else {
                let mut esc = images::iterm2(&png, w, h);
                // iTerm2 drops an escape over 1 MiB: draw smaller and let it scale the
                // image up to the same place (width/height stay the full area).
                let mut scale = 1.0f32;
                while esc.len() >= images::ITERM2_LIMIT && scale > 0.3 {
                    scale *= 0.7;
                    let (sw, sh) = ((w as f32 * scale) as u32, (h as f32 * scale) as u32);
                    let small = renderer.render(&input, sw, sh);
                    let png = png::encode_indexed(&small, palette)
                        .map_err(|e| AppError::Failed(format!("PNG encoding failed: {e}")))?;
                    esc = images::iterm2(&png, w, h);
                }
                wrap(&esc)
            }
        }
    };
    sink.last_bytes = bytes.len();
    // One buffered write per frame.
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)
        .and_then(|_| out.flush())
        .map_err(|e| AppError::Failed(format!("cannot write to the terminal: {e}")))?;
    Ok(())
}
