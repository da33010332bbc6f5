//! The `--gui` window under Xvfb: time from start to the first frame on screen, and the
//! median cost of a frame (render, and the blit into the window) at 1600x1000 with 1
//! and 4 simulated hosts. `cargo bench --bench gui` (needs Xvfb).

// The tests' Xvfb helper; the bench uses only part of it.
#[allow(dead_code)]
#[path = "../tests/support/x11.rs"]
mod x11;

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_traffic_grapher");

fn main() {
    let (_x, n) = x11::xvfb_sized("1920x1200x24");
    let display = format!(":{n}");
    let dir = tempfile::tempdir().expect("tempdir");
    for hosts in [1, 4] {
        let stats = dir.path().join(format!("gui-{hosts}.jsonl"));
        // Interval 0.1 s: a frame per tick, ~100 frames in 10 s.
        let ok = Command::new(BIN)
            .args([
                "--gui",
                "--size",
                "1600x1000",
                "--interval",
                "0.1",
                "--run-for",
                "10",
            ])
            .args(["--demo", &hosts.to_string(), "--log-stats"])
            .arg(&stats)
            .env("DISPLAY", &display)
            .status()
            .expect("run")
            .success();
        assert!(ok, "--gui run failed");
        let text = std::fs::read_to_string(&stats).expect("stats");
        let last: serde_json::Value =
            serde_json::from_str(text.lines().last().unwrap_or("{}")).expect("summary");
        println!(
            "--gui 1600x1000, {hosts} host(s): first frame {:.0} ms after start of the window, {} frames, render {:.1} ms + present {:.1} ms (medians)",
            last["first_frame_ms"].as_f64().unwrap_or(f64::NAN),
            last["frames"],
            last["render_ms_median"].as_f64().unwrap_or(f64::NAN),
            last["present_ms_median"].as_f64().unwrap_or(f64::NAN),
        );
    }
}
