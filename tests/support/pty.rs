//! A pseudo-terminal running the binary: its output as bytes, a vt100 screen, keys.

use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::BIN;

pub struct Pty {
    pub out: Arc<Mutex<Vec<u8>>>,
    pub writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    pub master: Box<dyn portable_pty::MasterPty + Send>,
}

pub fn size(cols: u16, rows: u16, pw: u16, ph: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: pw,
        pixel_height: ph,
    }
}

impl Pty {
    /// Runs `sh -c "<binary> <args>; stty -a"` so the terminal's state after exit is printed.
    pub fn spawn(args: &str, env: &[(&str, &str)], sz: PtySize) -> Pty {
        let pair = native_pty_system().openpty(sz).unwrap();
        let mut cmd = CommandBuilder::new("sh");
        cmd.arg("-c");
        cmd.arg(format!("{BIN} {args}; echo EXIT=$?; stty -a"));
        cmd.env("TERM", "xterm-256color");
        for k in ["TMUX", "TERM_PROGRAM", "LC_TERMINAL", "KITTY_WINDOW_ID"] {
            cmd.env_remove(k);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let out = Arc::new(Mutex::new(Vec::new()));
        let o2 = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                o2.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            out,
            writer,
            child,
            master: pair.master,
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned()
    }

    /// Waits until the output holds `pat` after byte `from`; returns where it starts.
    pub fn wait_for(&self, pat: &str, from: usize, secs: u64) -> usize {
        let t = Instant::now();
        loop {
            let out = self.out.lock().unwrap().clone();
            if let Some(i) = find(&out[from.min(out.len())..], pat.as_bytes()) {
                return from + i;
            }
            assert!(
                t.elapsed() < Duration::from_secs(secs),
                "no {pat:?} after {secs}s; got: {:?}",
                tail(&out)
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// The screen as a terminal would show it now (for text mode, drawn as diffs).
    pub fn screen(&self, rows: u16, cols: u16) -> String {
        let nz = |v: u16| std::num::NonZeroU16::new(v).expect("screen size");
        let mut parser = vt100::Parser::new(nz(rows), nz(cols), 0);
        parser.process(&self.out.lock().unwrap());
        parser.screen().contents()
    }

    pub fn wait_screen(&self, pat: &str, rows: u16, cols: u16, secs: u64) {
        let t = Instant::now();
        while !self.screen(rows, cols).contains(pat) {
            assert!(
                t.elapsed() < Duration::from_secs(secs),
                "no {pat:?} on screen:\n{}",
                self.screen(rows, cols)
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn len(&self) -> usize {
        self.out.lock().unwrap().len()
    }

    pub fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    pub fn finish(mut self) -> String {
        let t = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                t.elapsed() < Duration::from_secs(15),
                "did not exit: {:?}",
                tail(&self.out.lock().unwrap())
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(200));
        self.text()
    }
}

pub fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

pub fn tail(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[b.len().saturating_sub(600)..]).into_owned()
}

/// The terminal is back: alternate screen left, cursor shown, cooked mode and echo.
pub fn assert_restored(out: &str) {
    let exit = out.rfind("EXIT=").expect("exit line");
    let before = &out[..exit];
    assert!(
        before.rfind("\x1b[?1049l").is_some(),
        "alternate screen not left"
    );
    assert!(before.rfind("\x1b[?25h").is_some(), "cursor not shown");
    let stty = &out[exit..];
    assert!(
        stty.contains(" icanon") && stty.contains(" echo ") || stty.contains(" echo\r"),
        "raw mode left on: {stty}"
    );
    assert!(!stty.contains("-icanon"), "raw mode left on: {stty}");
}
