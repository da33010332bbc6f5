//! Real terminals under Xvfb show the images: xterm in VT340 mode (Sixel) and kitty on
//! Mesa's software GL (Kitty graphics). Each test takes a screenshot of the root window
//! and checks that the dashboard is there: plot backgrounds and metric colours, not an
//! empty window. Text mode runs in tmux. `./scripts/test` installs xvfb, xterm, kitty,
//! x11-apps, imagemagick and tmux.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::x11::{assert_dashboard, count, need, screenshot, xvfb, Killed};
use support::BIN;

fn wait_then_shoot(display: u32, keep: &str, check: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let t = Instant::now();
    loop {
        let (_, _, rgba) = screenshot(display, keep);
        if check(&rgba) || t.elapsed() > Duration::from_secs(25) {
            return rgba;
        }
        std::thread::sleep(Duration::from_millis(700));
    }
}

/// Starts `terminal` (with its own arguments, then `-e` and the live demo) on a fresh
/// Xvfb display and checks the screenshot; keeps it in the temp dir as `keep`.
fn shows_dashboard(terminal: &str, args: &[&str], env: &[(&str, &str)], keep: &str) {
    need(terminal);
    let (_x, d) = xvfb();
    let display = format!(":{d}");
    let demo = [BIN, "--demo", "2", "--interval", "0.5", "--run-for", "40"];
    let _term = Killed(
        Command::new(terminal)
            .env("DISPLAY", &display)
            .envs(env.iter().copied())
            .args(args)
            .arg("-e")
            .args(demo)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let rgba = wait_then_shoot(d, keep, |r| {
        count(r, [0x1a, 0x1a, 0x1a], 3) > r.len() / 32 && count(r, [0xff, 0xff, 0], 40) > 50
    });
    assert_dashboard(&rgba, terminal);
}

#[test]
fn xterm_shows_sixel_frames() {
    let vt340 = [
        "-geometry",
        "200x58+0+0",
        "-ti",
        "vt340",
        "-xrm",
        "XTerm*decTerminalID: vt340",
    ];
    let args: Vec<&str> = vt340
        .into_iter()
        .chain(["-xrm", "XTerm*numColorRegisters: 256"])
        .collect();
    shows_dashboard("xterm", &args, &[], "xterm-sixel.png");
}

#[test]
fn kitty_shows_kitty_graphics_frames() {
    let args = [
        "-o",
        "initial_window_width=1200",
        "-o",
        "initial_window_height=760",
    ];
    shows_dashboard(
        "kitty",
        &args,
        &[("LIBGL_ALWAYS_SOFTWARE", "1")],
        "kitty.png",
    );
}

fn tmux(args: &[&str]) -> String {
    let o = Command::new("tmux").args(args).output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn text_mode_in_tmux_at_80x24_and_160x48() {
    need("tmux");
    for (w, h) in [(80u32, 24u32), (160, 48)] {
        let sock = format!("tg-test-{}-{w}", std::process::id());
        let cmd = format!("{BIN} --demo 2 --interval 0.5 --run-for 30");
        Command::new("tmux")
            .args([
                "-L",
                &sock,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
                &cmd,
            ])
            .status()
            .unwrap();
        let t = Instant::now();
        let mut screen = String::new();
        let wants = [
            "Page 1/4: Traffic & Cache",
            "Requests/sec",
            "Latency (ms)",
            "Cache Hit Rate %",
            "Connections",
            "Client: ",
            "K/",
            "ms/",
            "%/",
        ];
        while t.elapsed() < Duration::from_secs(15) {
            screen = tmux(&["-L", &sock, "capture-pane", "-p"]);
            if wants.iter().all(|w| screen.contains(w)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        for want in wants {
            assert!(
                screen.contains(want),
                "{w}x{h}: {want:?} missing:\n{screen}"
            );
        }
        assert!(
            screen.contains("allow-passthrough"),
            "{w}x{h}: the tmux hint is shown once on the status line"
        );
        assert_eq!(screen.lines().count(), h as usize, "{w}x{h}: screen size");
        tmux(&["-L", &sock, "send-keys", "l"]);
        std::thread::sleep(Duration::from_millis(600));
        let screen2 = tmux(&["-L", &sock, "capture-pane", "-p"]);
        assert!(
            screen2.contains("Page 2/4") && screen2.contains("2xx"),
            "{w}x{h}: page switch:\n{screen2}"
        );
        tmux(&["-L", &sock, "kill-server"]);
    }
}
