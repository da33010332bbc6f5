//! `--gui` under Xvfb: the window holds the dashboard (compared with the PNG frame of
//! the same size and page), a resize re-renders at the new size, keys change the page,
//! closing the window ends the run with 0, nothing goes to stdout; no display is a
//! one-line error with exit code 2.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::x11::{assert_dashboard, need, screenshot, xvfb_sized, Killed};
use support::{stderr, BIN};

fn xdotool(display: u32, args: &[&str]) -> String {
    let o = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", format!(":{display}"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < Duration::from_secs(secs), "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The window's position and size, from xdotool.
fn geometry(display: u32, wid: &str) -> (u32, u32, u32, u32) {
    let out = xdotool(display, &["getwindowgeometry", "--shell", wid]);
    let get = |k: &str| -> u32 {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {k} in {out}"))
    };
    (get("X"), get("Y"), get("WIDTH"), get("HEIGHT"))
}

/// The window's pixels, cut out of a root-window screenshot.
fn window_pixels(display: u32, wid: &str, keep: &str) -> (u32, u32, Vec<u8>) {
    let (x, y, w, h) = geometry(display, wid);
    let (sw, _, root) = screenshot(display, keep);
    let mut out = Vec::with_capacity((w * h * 4) as usize);
    for row in y..y + h {
        let start = ((row * sw + x) * 4) as usize;
        out.extend_from_slice(&root[start..start + (w * 4) as usize]);
    }
    (w, h, out)
}

/// The PNG frame the binary draws of the same demo at `w`x`h` on `page`.
fn reference(dir: &Path, w: u32, h: u32, page: u32) -> Vec<u8> {
    let file = dir.join(format!("ref-{w}x{h}-{page}.png"));
    let o = Command::new(BIN)
        .args(["--once", "--demo", "2", "--interval", "0.5", "--page"])
        .arg(page.to_string())
        .arg("--size")
        .arg(format!("{w}x{h}"))
        .arg("--save-png")
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let (rw, rh, rgba) =
        traffic_grapher::display::png::decode_rgba(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!((rw, rh), (w, h));
    rgba
}

/// Share of pixels (0..1) within a small colour distance of each other.
fn same_share(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let same = a
        .chunks(4)
        .zip(b.chunks(4))
        .filter(|(p, q)| (0..3).all(|i| (p[i] as i32 - q[i] as i32).abs() <= 8))
        .count();
    same as f64 / (a.len() / 4) as f64
}

/// Where the first panel's plot area begins: the first row, down column w/4, of the
/// plot background. It depends on the frame's pixel size (fonts and paddings do not
/// scale with it), so a stretched old frame would put it elsewhere.
fn plot_top(rgba: &[u8], w: u32, h: u32) -> Option<u32> {
    let x = w / 4;
    (0..h).find(|&y| {
        let i = ((y * w + x) * 4) as usize;
        rgba[i..i + 3] == [0x1a, 0x1a, 0x1a]
    })
}

fn assert_matches(got: &[u8], want: &[u8], w: u32, h: u32, what: &str) {
    let share = same_share(got, want);
    assert!(
        share > 0.9,
        "{what}: only {:.1} % of pixels match the PNG frame",
        share * 100.0
    );
    let (a, b) = (plot_top(got, w, h), plot_top(want, w, h));
    assert!(
        a.is_some() && a == b,
        "{what}: plot starts at {a:?}, want {b:?}"
    );
}

/// Sends WM_DELETE_WINDOW, as a window manager does when the user closes a window.
fn close_window(display: u32, wid: &str) {
    use std::ffi::CString;
    use x11_dl::xlib;
    let xl = xlib::Xlib::open().expect("libX11");
    let name = CString::new(format!(":{display}")).unwrap();
    let wid: u64 = wid.parse().unwrap();
    // SAFETY: plain Xlib calls on a display we opened and close here; the event is
    // zeroed and then filled as a ClientMessage.
    unsafe {
        let d = (xl.XOpenDisplay)(name.as_ptr());
        assert!(!d.is_null(), "cannot open display :{display}");
        let protocols = CString::new("WM_PROTOCOLS").unwrap();
        let delete = CString::new("WM_DELETE_WINDOW").unwrap();
        let mut ev: xlib::XEvent = std::mem::zeroed();
        ev.client_message.type_ = xlib::ClientMessage;
        ev.client_message.window = wid;
        ev.client_message.message_type = (xl.XInternAtom)(d, protocols.as_ptr(), 0);
        ev.client_message.format = 32;
        ev.client_message
            .data
            .set_long(0, (xl.XInternAtom)(d, delete.as_ptr(), 0) as i64);
        (xl.XSendEvent)(d, wid, 0, xlib::NoEventMask, &mut ev);
        (xl.XFlush)(d);
        (xl.XCloseDisplay)(d);
    }
}

/// Waits for the run to end (it is killed by the guard if the test fails first).
fn finish(child: &mut Killed, secs: u64) -> Output {
    let c = &mut child.0;
    wait_until("the run did not end", secs, || {
        c.try_wait().unwrap().is_some()
    });
    let read = |r: Option<&mut dyn std::io::Read>| {
        let mut v = Vec::new();
        if let Some(r) = r {
            let _ = r.read_to_end(&mut v);
        }
        v
    };
    Output {
        status: c.wait().unwrap(),
        stdout: read(c.stdout.as_mut().map(|s| s as &mut dyn std::io::Read)),
        stderr: read(c.stderr.as_mut().map(|s| s as &mut dyn std::io::Read)),
    }
}

/// The window's id once it is mapped and has drawn.
fn window_id(display: u32) -> String {
    let mut wid = String::new();
    wait_until("no window appeared", 15, || {
        wid = xdotool(
            display,
            &["search", "--onlyvisible", "--name", "^traffic_grapher: "],
        );
        !wid.is_empty()
    });
    // Its first frame follows the first samples.
    std::thread::sleep(Duration::from_millis(300));
    wid.lines().next().unwrap_or_default().to_string()
}

#[test]
fn the_window_shows_the_dashboard_follows_resizes_and_keys() {
    need("xdotool");
    let (_x, display) = xvfb_sized("1920x1200x24");
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("stats.jsonl");
    let mut child = Killed(
        Command::new(BIN)
            .args([
                "--gui",
                "--demo",
                "2",
                "--interval",
                "0.5",
                "--run-for",
                "60",
            ])
            .args(["--size", "1200x800", "--log-stats"])
            .arg(&stats)
            .env("DISPLAY", format!(":{display}"))
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let wid = window_id(display);
    assert_eq!(
        xdotool(display, &["getwindowname", &wid]),
        "traffic_grapher: Traffic & Cache (1/4) - sim1, sim2",
        "the title names the page and the hosts"
    );
    // Lines need two samples; then the window holds the frame the PNG path draws.
    std::thread::sleep(Duration::from_millis(1500));
    let (w, h, shot) = window_pixels(display, &wid, "gui-1200x800.png");
    assert_eq!((w, h), (1200, 800));
    assert_dashboard(&shot, "window");
    assert_matches(&shot, &reference(dir.path(), w, h, 1), w, h, "1200x800");

    // A resize draws a new frame at the new size.
    xdotool(display, &["windowsize", &wid, "900", "600"]);
    wait_until("the window kept its size", 5, || {
        geometry(display, &wid).2 == 900
    });
    std::thread::sleep(Duration::from_millis(600));
    let (w, h, shot) = window_pixels(display, &wid, "gui-900x600.png");
    assert_eq!((w, h), (900, 600));
    assert_matches(&shot, &reference(dir.path(), w, h, 1), w, h, "900x600");

    // 'l' shows the next page, in the title and in the pixels.
    xdotool(display, &["key", "--window", &wid, "l"]);
    wait_until("the page did not change", 5, || {
        xdotool(display, &["getwindowname", &wid]).contains("Response Codes (2/4)")
    });
    std::thread::sleep(Duration::from_millis(300));
    let (_, _, shot) = window_pixels(display, &wid, "gui-page2.png");
    let page2 = same_share(&shot, &reference(dir.path(), w, h, 2));
    let page1 = same_share(&shot, &reference(dir.path(), w, h, 1));
    assert!(
        page2 > page1,
        "page 2 shown: {page2:.3} vs page 1 {page1:.3}"
    );

    // Closing the window ends the run: exit 0, nothing on stdout.
    close_window(display, &wid);
    let o = finish(&mut child, 10);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty(),
        "stdout: {:?}",
        String::from_utf8_lossy(&o.stdout)
    );
    let summary = std::fs::read_to_string(&stats).unwrap();
    let last: serde_json::Value = serde_json::from_str(summary.lines().last().unwrap()).unwrap();
    assert_eq!(last["display"], "window");
    assert_eq!(last["size"], serde_json::json!([900, 600]));
}

#[test]
fn q_and_escape_quit_and_run_for_ends_the_window() {
    need("xdotool");
    let (_x, display) = xvfb_sized("1280x800x24");
    for (key, run_for) in [(Some("q"), "60"), (Some("Escape"), "60"), (None, "2")] {
        let t = Instant::now();
        let mut child = Killed(
            Command::new(BIN)
                .args([
                    "--gui",
                    "--demo",
                    "1",
                    "--interval",
                    "0.5",
                    "--run-for",
                    run_for,
                ])
                .env("DISPLAY", format!(":{display}"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        // With --run-for 2 the window may come and go between two looks: only the
        // keyed runs need to find it.
        if let Some(k) = key {
            let wid = window_id(display);
            xdotool(display, &["key", "--window", &wid, k]);
        }
        let o = finish(&mut child, 10);
        assert_eq!(o.status.code(), Some(0), "{key:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
        if key.is_some() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "{key:?} did not quit"
            );
        } else {
            assert!(
                t.elapsed() >= Duration::from_secs(2),
                "ended before --run-for"
            );
        }
    }
}

#[test]
fn no_display_is_one_line_and_exit_2() {
    let run = |display: Option<&str>| {
        let mut c = Command::new(BIN);
        c.args(["--gui", "--demo", "1"])
            .env_remove("WAYLAND_DISPLAY");
        match display {
            Some(d) => c.env("DISPLAY", d),
            None => c.env_remove("DISPLAY"),
        };
        c.output().unwrap()
    };
    let o = run(None);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.contains("neither DISPLAY nor WAYLAND_DISPLAY is set"),
        "{e}"
    );
    // A display nobody serves.
    let o = run(Some(":93"));
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("DISPLAY=:93"), "{e}");
    assert!(!e.contains("panicked"), "{e}");
}
