//! The desktop window (`--gui`): minifb, which dlopens X11 or Wayland at run time, so
//! the binary needs no GUI toolkit. Frames are drawn at the window's size (a resize
//! re-renders, never stretches); typed characters and a few named keys come back.

use crate::render::Frame;
use minifb::{InputCallback, Key, ScaleMode, WindowOptions};
use std::sync::{Arc, Mutex};

/// A key from the window: a typed character, or one of the named keys we use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pressed {
    Char(char),
    Left,
    Right,
    Escape,
}

/// Keys as the window's events deliver them: characters as the keyboard layout makes
/// them ('+' and '?' included), and presses of the named keys. Read from events, not
/// from the key state, so a press and release between two frames still counts.
struct Typed(Arc<Mutex<Vec<Pressed>>>);

impl InputCallback for Typed {
    fn add_char(&mut self, uni_char: u32) {
        if let (Some(c), Ok(mut q)) = (char::from_u32(uni_char), self.0.lock()) {
            if !c.is_control() {
                q.push(Pressed::Char(c));
            }
        }
    }

    fn set_key_state(&mut self, key: Key, down: bool) {
        let named = match key {
            Key::Left => Pressed::Left,
            Key::Right => Pressed::Right,
            Key::Escape => Pressed::Escape,
            _ => return,
        };
        if let (true, Ok(mut q)) = (down, self.0.lock()) {
            q.push(named);
        }
    }
}

pub struct Window {
    win: minifb::Window,
    typed: Arc<Mutex<Vec<Pressed>>>,
    buffer: Vec<u32>,
}

/// Why no window could be opened, in one line.
pub fn check_display() -> Result<(), String> {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    if !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
        return Err(
            "--gui needs a display, and neither DISPLAY nor WAYLAND_DISPLAY is set (run it in a desktop session, or drop --gui to draw in this terminal)"
                .into(),
        );
    }
    Ok(())
}

impl Window {
    pub fn open(title: &str, width: u32, height: u32) -> Result<Window, String> {
        check_display()?;
        let opts = WindowOptions {
            resize: true,
            // A frame smaller than the window (below our minimum size) sits at the
            // top left instead of being stretched.
            scale_mode: ScaleMode::UpperLeft,
            ..WindowOptions::default()
        };
        let mut win =
            minifb::Window::new(title, width as usize, height as usize, opts).map_err(|e| {
                let display = std::env::var("WAYLAND_DISPLAY")
                    .ok()
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("WAYLAND_DISPLAY={v}"))
                    .or_else(|| {
                        std::env::var("DISPLAY")
                            .ok()
                            .map(|v| format!("DISPLAY={v}"))
                    })
                    .unwrap_or_default();
                format!("--gui: cannot open a window on the display ({display}): {e}")
            })?;
        // We pace frames ourselves; minifb's own limiter would sleep inside update().
        win.set_target_fps(0);
        let typed = Arc::new(Mutex::new(Vec::new()));
        win.set_input_callback(Box::new(Typed(typed.clone())));
        Ok(Window {
            win,
            typed,
            buffer: Vec::new(),
        })
    }

    pub fn is_open(&self) -> bool {
        self.win.is_open()
    }

    /// The drawable size in pixels.
    pub fn size(&self) -> (u32, u32) {
        let (w, h) = self.win.get_size();
        (w as u32, h as u32)
    }

    pub fn set_title(&mut self, title: &str) {
        self.win.set_title(title);
    }

    /// Shows `frame` (0RGB words, as minifb wants them).
    pub fn present(&mut self, frame: &Frame) -> Result<(), String> {
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        self.buffer.clear();
        self.buffer.extend(frame.rgba().chunks_exact(4).map(|p| {
            // RGBA bytes read as one little-endian word: swap R and B, drop A.
            let x = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
            ((x & 0xff) << 16) | (x & 0xff00) | ((x >> 16) & 0xff)
        }));
        self.win
            .update_with_buffer(&self.buffer, w, h)
            .map_err(|e| format!("cannot draw in the window: {e}"))
    }

    /// Handles the window's events without drawing; returns the keys pressed since.
    pub fn poll(&mut self) -> Vec<Pressed> {
        self.win.update();
        self.keys()
    }

    /// Keys pressed since the last call (events are read by `present` and `poll`).
    pub fn keys(&mut self) -> Vec<Pressed> {
        self.typed
            .lock()
            .map(|mut q| q.drain(..).collect())
            .unwrap_or_default()
    }
}
