//! The live dashboard as a process: CPU share and bytes written per frame for each
//! protocol, with 1 and 4 simulated hosts at --interval 1, in a 1600x1000-pixel pty.
//! `cargo bench --bench live` (TG_BENCH_SECS sets the run length, default 60 s).

use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::Read;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_traffic_grapher");

fn ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn run(protocol: &str, hosts: u32, secs: u64) -> (f64, u64, u64) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 50,
            cols: 160,
            pixel_width: 1600,
            pixel_height: 1000,
        })
        .expect("pty");
    let log = std::env::temp_dir().join(format!("tg-bench-{protocol}-{hosts}.jsonl"));
    let _ = std::fs::remove_file(&log);
    let mut cmd = CommandBuilder::new(BIN);
    cmd.args([
        "--demo",
        &hosts.to_string(),
        "--interval",
        "1",
        "--protocol",
        protocol,
    ]);
    cmd.args([
        "--run-for",
        &secs.to_string(),
        "--log-stats",
        log.to_str().unwrap_or("/tmp/x"),
    ]);
    let mut child = pair.slave.spawn_command(cmd).expect("spawn");
    drop(pair.slave);
    let pid = child.process_id().expect("pid");
    let mut reader = pair.master.try_clone_reader().expect("reader");
    let counter = std::thread::spawn(move || {
        let mut total = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n as u64;
        }
        total
    });
    let start = Instant::now();
    let mut last = 0;
    while child.try_wait().ok().flatten().is_none() {
        if let Some(t) = ticks(pid) {
            last = t;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let elapsed = start.elapsed().as_secs_f64();
    drop(pair.master);
    let bytes = counter.join().unwrap_or(0);
    let summary = std::fs::read_to_string(&log).unwrap_or_default();
    let frames = summary
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find_map(|v| v.get("frames").and_then(|f| f.as_u64()))
        .unwrap_or(0);
    (last as f64 / 100.0 / elapsed * 100.0, bytes, frames)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let secs: u64 = std::env::var("TG_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    println!(
        "protocol hosts  cpu%   frames  bytes/frame  ({secs} s each, 1600x1000 px, --interval 1)"
    );
    for protocol in ["kitty", "iterm2", "sixel", "text"] {
        for hosts in [1, 4] {
            let (cpu, bytes, frames) = run(protocol, hosts, secs);
            println!(
                "{protocol:<8} {hosts:>5} {cpu:>6.2} {frames:>7} {:>12}",
                bytes / frames.max(1)
            );
        }
    }
}
