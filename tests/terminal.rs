//! The live dashboard in a pseudo-terminal: each protocol's escape sequences, frame
//! sizes that follow the pty and its resize, keys, auto-detection from the terminal's
//! answers, and a restored terminal after `q`, SIGTERM and a panic.

mod support;

use std::time::{Duration, Instant};
use support::pty::{assert_restored, size, tail, Pty};
use support::BIN;

fn dims_after(out: &str, from: usize, key: &str, sep: char) -> (u32, u32) {
    let s = &out[from..];
    let i = s.find(key).unwrap() + key.len();
    let rest = &s[i..];
    let mut it = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty());
    let _ = sep;
    (
        it.next().unwrap().parse().unwrap(),
        it.next().unwrap().parse().unwrap(),
    )
}

#[test]
fn iterm2_frames_follow_the_pty_size_and_its_resize() {
    let mut p = Pty::spawn(
        "--demo 2 --interval 0.5 --protocol iterm2",
        &[],
        size(100, 30, 1000, 600),
    );
    let i = p.wait_for("\x1b]1337;File=inline=1;", 0, 10);
    p.wait_for("\x07", i, 5);
    let out = p.text();
    let (w, h) = dims_after(&out, i, "width=", 'p');
    assert_eq!(
        (w, h),
        (1000, 600 * 29 / 30),
        "image fills the pixels less the last row"
    );
    assert!(
        out[..i].contains("\x1b[?1049h") && out[..i].contains("\x1b[?25l"),
        "alternate screen, hidden cursor"
    );
    // The payload is a PNG of that size, under iTerm2's 1 MiB limit.
    let start = i + out[i..].find(':').unwrap() + 1;
    let end = start + out[start..].find('\x07').unwrap();
    assert!(end - start < 1 << 20);
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode(&out[start..end])
        .unwrap();
    let (pw, ph, _) = traffic_grapher::display::png::decode_rgba(&png).unwrap();
    assert_eq!((pw, ph), (1000, 580));

    p.master.resize(size(120, 40, 1200, 800)).unwrap();
    let from = p.len();
    let j = p.wait_for("width=1200px;height=780px", from, 10);
    assert!(j >= from);
    p.send("q");
    assert_restored(&p.finish());
}

#[test]
fn kitty_frames_replace_the_previous_image() {
    let mut p = Pty::spawn(
        "--demo --interval 0.4 --protocol kitty",
        &[],
        size(100, 30, 800, 480),
    );
    let first = p.wait_for("\x1b_Ga=T,f=100,i=7301,p=1,q=2,C=1,m=", 0, 10);
    let second = p.wait_for("\x1b_Ga=T,f=100,i=7302,", first, 10);
    // the old image is deleted only after the new one is placed
    p.wait_for("\x1b_Ga=d,d=I,i=7301,q=2\x1b\\", second, 5);
    let out = p.text();
    for chunk in out[first..second].split("\x1b_G").skip(1) {
        let payload = &chunk[chunk.find(';').unwrap() + 1..chunk.find("\x1b\\").unwrap()];
        assert!(payload.len() <= 4096);
    }
    p.send("q");
    let out = p.finish();
    assert!(
        out.contains("\x1b_Ga=d,d=A,q=2\x1b\\"),
        "images deleted at exit"
    );
    assert_restored(&out);
}

#[test]
fn sixel_frames_have_the_pty_size() {
    let mut p = Pty::spawn(
        "--demo --interval 0.5 --protocol sixel",
        &[],
        size(80, 24, 800, 480),
    );
    p.wait_for("\x1bP0;1;0q\"1;1;800;450#0;2;", 0, 10);
    p.send("q");
    assert_restored(&p.finish());
}

#[test]
fn text_mode_keys_switch_pages_at_once() {
    // A 5 s interval: a page switch that waited for the next tick would be seen late.
    let mut p = Pty::spawn(
        "--demo 2 --interval 5 --protocol text",
        &[],
        size(120, 40, 0, 0),
    );
    let sc = |p: &Pty, pat: &str| p.wait_screen(pat, 40, 120, 3);
    p.wait_screen("Page 1/4: Traffic & Cache", 40, 120, 10);
    sc(&p, "Requests/sec");
    let t = Instant::now();
    p.send("l");
    sc(&p, "Page 2/4: Response Codes");
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "page switch waited for a tick"
    );
    sc(&p, "2xx Responses/sec");
    p.send("h");
    sc(&p, "Page 1/4");
    p.send("4");
    sc(&p, "Page 4/4: Network & Errors");
    p.send("l"); // wraps
    sc(&p, "Page 1/4");
    p.send("?");
    sc(&p, "previous page");
    p.send("?");
    p.send(" ");
    sc(&p, "PAUSED");
    p.send("+");
    sc(&p, "30s history");
    p.send("\x03"); // Ctrl-C in raw mode is a key
    assert_restored(&p.finish());
}

#[test]
fn sigterm_restores_the_terminal() {
    let p = Pty::spawn(
        "--demo --interval 0.5 --protocol text",
        &[],
        size(100, 30, 0, 0),
    );
    p.wait_for("Requests/sec", 0, 10);
    // The shell is the child; our binary is its child.
    let sh = p.child.process_id().unwrap();
    let pids = std::process::Command::new("pgrep")
        .args(["-P", &sh.to_string()])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&pids.stdout).trim().to_string();
    assert!(!pid.is_empty());
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let out = p.finish();
    assert!(out.contains("EXIT=0"), "{}", tail(out.as_bytes()));
    assert_restored(&out);
}

#[test]
fn a_panic_restores_the_terminal() {
    let p = Pty::spawn(
        "--demo --interval 0.3 --protocol iterm2",
        &[("TG_TEST_PANIC_AFTER_FRAMES", "2")],
        size(100, 30, 800, 480),
    );
    let out = p.finish();
    assert!(
        out.contains("test panic after 2 frames"),
        "{}",
        tail(out.as_bytes())
    );
    assert!(out.contains("EXIT=101"));
    assert_restored(&out);
}

/// Plays the terminal: answers the queries the way `reply` says.
fn detect_with(reply: &str) -> String {
    let mut p = Pty::spawn("--demo --interval 0.5", &[], size(100, 30, 1000, 600));
    p.wait_for("\x1b[5n", 0, 10);
    p.send(reply);
    std::thread::sleep(Duration::from_millis(1500));
    p.send("q");
    p.finish()
}

#[test]
fn auto_detects_kitty_and_sixel_from_the_answers() {
    let out = detect_with("\x1b_Gi=31;OK\x1b\\\x1b[?62;22c\x1b[0n");
    assert!(
        out.contains("\x1b_Ga=T,f=100"),
        "kitty not chosen: {}",
        tail(out.as_bytes())
    );
    let out = detect_with("\x1bP>|XTerm(379)\x1b\\\x1b[?63;1;2;4;6c\x1b[0n");
    assert!(
        out.contains("\x1bP0;1;0q"),
        "sixel not chosen: {}",
        tail(out.as_bytes())
    );
    let out = detect_with("\x1b[?62;22c\x1b[0n");
    assert!(
        out.contains("Requests/sec") && !out.contains("\x1b_Ga=T"),
        "text expected"
    );
}

#[test]
fn not_a_terminal_is_refused_with_a_hint() {
    let o = std::process::Command::new(BIN)
        .args(["--demo"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a terminal: use --no-keyboard"));
}
