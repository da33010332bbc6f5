//! Replay speed: an hour-long recording of 4 simulated hosts at a 1 s interval (made
//! here from the simulator, as `--record` writes it), replayed with `--speed max` to
//! `--once --json`, to one PNG, and to a PNG per tick; and its size per tick per host.
//! `cargo bench --bench replay`.

use std::process::Command;
use std::time::Instant;
use traffic_grapher::app::record::{Header, Line, Recorder, FORMAT, FORMAT_VERSION};
use traffic_grapher::app::State;
use traffic_grapher::cli::{HostSpec, Target};
use traffic_grapher::dashboard::{Dashboard, BUILTIN_YAML};
use traffic_grapher::source::poller::Collected;
use traffic_grapher::source::sim::{read, TrafficModel};

const BIN: &str = env!("CARGO_BIN_EXE_traffic_grapher");
const HOSTS: usize = 4;
const TICKS: u64 = 3600;

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hour.jsonl");
    let specs: Vec<HostSpec> = (1..=HOSTS)
        .map(|i| HostSpec {
            label: format!("ats{i}"),
            target: Target::Recorded,
        })
        .collect();
    let state = State::new(
        Dashboard::builtin(),
        specs,
        1.0,
        60.0,
        jiff::tz::TimeZone::UTC,
    );
    let header = Header {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        interval: 1.0,
        hosts: state.hosts.iter().map(|h| h.spec.label.clone()).collect(),
        dashboard: BUILTIN_YAML.into(),
    };
    let mut rec = Recorder::create(&path, &header).expect("recording");
    let mut models: Vec<TrafficModel> = (1..=HOSTS as u64)
        .map(|s| TrafficModel::new(s, 1.0))
        .collect();
    let t0 = 1_795_000_000.0;
    for tick in 0..TICKS {
        let t = t0 + tick as f64;
        for (host, m) in models.iter_mut().enumerate() {
            m.advance_to(t);
            let c = Collected {
                host,
                tick,
                t,
                result: Ok(read(m, &state.keys)),
                took: std::time::Duration::ZERO,
            };
            rec.write(&Line::sample(&c, &format!("ats{}", host + 1)));
        }
        rec.write(&Line::Frame {
            frame: tick,
            now: t + 0.9,
        });
    }
    drop(rec);
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "hour-long recording, {HOSTS} hosts: {:.1} MB, {:.0} bytes per tick per host (frames and header included)",
        bytes as f64 / 1e6,
        bytes as f64 / (TICKS as f64 * HOSTS as f64)
    );
    let gz = dir.path().join("hour.jsonl.gz");
    let ok = Command::new("sh")
        .arg("-c")
        .arg(format!("gzip -c {} > {}", path.display(), gz.display()))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok {
        let gzb = std::fs::metadata(&gz).map(|m| m.len()).unwrap_or(0);
        println!(
            "  as .gz: {:.1} MB, {:.0} bytes per tick per host",
            gzb as f64 / 1e6,
            gzb as f64 / (TICKS as f64 * HOSTS as f64)
        );
    }
    let time = |what: &str, args: &[&str]| {
        let t = Instant::now();
        let o = Command::new(BIN)
            .current_dir(dir.path())
            .args(args)
            .output()
            .expect("replay");
        assert!(
            o.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let s = t.elapsed().as_secs_f64();
        println!("  replay --speed max {what}: {s:.2} s");
        s
    };
    let p = path.to_str().unwrap_or("hour.jsonl");
    time(
        "--once --json (the hour)",
        &["replay", p, "--speed", "max", "--once", "--json"],
    );
    time(
        "--once --save-png (the hour, one frame)",
        &[
            "replay",
            p,
            "--speed",
            "max",
            "--once",
            "--save-png",
            "end.png",
        ],
    );
    let s = time(
        "--no-keyboard --save-png (first 10 min: 600 frames)",
        &[
            "replay",
            p,
            "--speed",
            "max",
            "--no-keyboard",
            "--to",
            "+599.95",
            "--save-png",
            "f{iter}.png",
        ],
    );
    println!(
        "    = {:.0} frames/s, {:.0}x real time at a 1 s interval",
        600.0 / s,
        600.0 / s
    );
    if ok {
        let g = gz.to_str().unwrap_or("hour.jsonl.gz");
        time(
            "--once --json (the hour, .gz)",
            &["replay", g, "--speed", "max", "--once", "--json"],
        );
    }
}
