//! Xvfb on a free display, root-window screenshots (xwd + ImageMagick) and checks that
//! a screenshot holds the dashboard.

use std::process::{Child, Command, Stdio};

pub struct Killed(pub Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn need(tool: &str) {
    assert!(
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success(),
        "{tool} is missing: ./scripts/test installs it"
    );
}

/// Starts Xvfb on a free display (it picks one and tells it through -displayfd).
pub fn xvfb() -> (Killed, u32) {
    xvfb_sized("1280x800x24")
}

/// Xvfb with a screen of `geometry` (WxHxDEPTH).
pub fn xvfb_sized(geometry: &str) -> (Killed, u32) {
    need("Xvfb");
    let mut x = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            geometry,
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(x.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let display: u32 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("Xvfb gave no display: {line:?}"));
    (Killed(x), display)
}

/// Root window as RGBA, through xwd and ImageMagick.
pub fn screenshot(display: u32, keep: &str) -> (u32, u32, Vec<u8>) {
    need("xwd");
    let xwd = Command::new("xwd")
        .args(["-root", "-silent", "-display", &format!(":{display}")])
        .output()
        .unwrap();
    assert!(xwd.status.success());
    let mut conv = Command::new("/usr/bin/convert")
        .args(["xwd:-", "png:-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    conv.stdin.take().unwrap().write_all(&xwd.stdout).unwrap();
    let png = conv.wait_with_output().unwrap().stdout;
    let _ = std::fs::write(std::env::temp_dir().join(keep), &png);
    traffic_grapher::display::png::decode_rgba(&png).unwrap()
}

pub fn count(rgba: &[u8], rgb: [u8; 3], tol: i32) -> usize {
    rgba.chunks(4)
        .filter(|p| (0..3).all(|i| (p[i] as i32 - rgb[i] as i32).abs() <= tol))
        .count()
}

/// The dashboard is on screen: a large share of plot background, grid greys, and
/// the first page's metric colours (yellow requests, green hit latency, cyan connections).
pub fn assert_dashboard(rgba: &[u8], what: &str) {
    let total = rgba.len() / 4;
    let plot = count(rgba, [0x1a, 0x1a, 0x1a], 3);
    assert!(
        plot > total / 8,
        "{what}: plot background covers only {plot} of {total} pixels"
    );
    for (name, c) in [
        ("yellow", [0xff, 0xff, 0x00]),
        ("green", [0x00, 0xff, 0x7f]),
        ("cyan", [0x00, 0xff, 0xff]),
    ] {
        let n = count(rgba, c, 40);
        assert!(n > 50, "{what}: no {name} line pixels ({n})");
    }
}
