//! Record, replay and export: a recording of `--demo 2` replays into the frames the
//! live run drew; its export equals the live `--once --json` values; damaged files are
//! read around the damage with a warning naming the line; gzip recordings survive a
//! kill; the terminal replay pages and pauses as live.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;
use support::pty::{size, Pty};
use support::{stderr, BIN};

fn tg(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Records `--demo HOSTS` in stream mode for SECS at INTERVAL into `d/r.jsonl`.
fn record_demo(d: &Path, hosts: &str, interval: &str, secs: &str) {
    let o = tg(
        d,
        &[
            "--demo",
            hosts,
            "--no-keyboard",
            "--interval",
            interval,
            "--run-for",
            secs,
            "--record",
            "r.jsonl",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

fn rgba(path: &Path) -> Vec<u8> {
    let (_, _, px) =
        traffic_grapher::display::png::decode_rgba(&std::fs::read(path).unwrap()).unwrap();
    px
}

#[test]
fn a_replay_draws_the_frames_the_live_run_drew() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = tg(
        d,
        &[
            "--demo",
            "2",
            "--no-keyboard",
            "--interval",
            "0.5",
            "--run-for",
            "3",
            "--size",
            "800x500",
            "--save-png",
            "live{iter}.png",
            "--record",
            "rec.jsonl",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let live = String::from_utf8_lossy(&o.stdout).lines().count();
    assert!(live >= 5, "{live} live frames");
    // The recorded clock: as fast as it goes, the same frames at the same times.
    let o = tg(
        d,
        &[
            "replay",
            "rec.jsonl",
            "--speed",
            "max",
            "--no-keyboard",
            "--size",
            "800x500",
            "--save-png",
            "rep{iter}.png",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), live);
    for i in 0..live {
        let (a, b) = (
            rgba(&d.join(format!("live{i}.png"))),
            rgba(&d.join(format!("rep{i}.png"))),
        );
        assert_eq!(a.len(), b.len());
        let differ = a
            .chunks(4)
            .zip(b.chunks(4))
            .filter(|(p, q)| (0..3).any(|c| p[c].abs_diff(q[c]) > 8))
            .count();
        assert!(
            differ <= a.len() / 4 / 1000,
            "frame {i}: {differ} pixels differ"
        );
    }
    // A frame drawn at another time is not the same: the comparison can fail.
    let (a, b) = (
        rgba(&d.join("live0.png")),
        rgba(&d.join(format!("rep{}.png", live - 1))),
    );
    assert!(a != b);
}

#[test]
fn export_has_a_row_per_host_metric_and_tick_equal_to_once_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = tg(
        d,
        &[
            "--demo",
            "2",
            "--once",
            "--json",
            "--interval",
            "0.5",
            "--record",
            "r.jsonl",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let live: Value = serde_json::from_slice(&o.stdout).unwrap();
    let o = tg(d, &["export", "r.jsonl", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let metrics: usize = live["hosts"][0]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["panels"].as_array().unwrap())
        .map(|p| p["metrics"].as_array().unwrap().len())
        .sum();
    // Two hosts, two ticks each.
    assert_eq!(rows.len(), 2 * metrics * 2);
    let mut compared = 0;
    for h in live["hosts"].as_array().unwrap() {
        let host_rows: Vec<&Value> = rows.iter().filter(|r| r["host"] == h["label"]).collect();
        let last_t = host_rows
            .iter()
            .map(|r| r["t"].as_f64().unwrap())
            .fold(0.0, f64::max);
        for p in h["pages"].as_array().unwrap() {
            for panel in p["panels"].as_array().unwrap() {
                for m in panel["metrics"].as_array().unwrap() {
                    let row = host_rows
                        .iter()
                        .find(|r| {
                            r["page"] == p["name"]
                                && r["panel"] == panel["title"]
                                && r["metric"] == m["name"]
                                && r["t"].as_f64() == Some(last_t)
                        })
                        .unwrap_or_else(|| panic!("no row for {}", m["name"]));
                    assert_eq!(row["value"], m["value"], "{} {}", h["label"], m["name"]);
                    compared += m["value"].is_number() as usize;
                }
            }
        }
    }
    assert!(compared >= 2 * (metrics - 2), "{compared} values compared");
    // CSV: a header and the same rows.
    let o = tg(d, &["export", "r.jsonl", "--csv"]);
    let csv = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        csv.lines().next(),
        Some("time,host,page,panel,metric,value")
    );
    assert_eq!(csv.lines().count(), rows.len() + 1);
    // Raw: the counters as collected.
    let o = tg(d, &["export", "r.jsonl", "--csv", "--raw"]);
    let raw = String::from_utf8_lossy(&o.stdout);
    assert!(raw
        .lines()
        .any(|l| l.contains(",sim2,proxy.process.http.incoming_requests,")));
}

#[test]
fn from_and_to_cut_the_replay_and_keep_the_first_rate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    record_demo(d, "1", "0.3", "3");
    let all = tg(d, &["replay", "r.jsonl", "--speed", "max", "--no-keyboard"]);
    let cut = tg(
        d,
        &[
            "replay",
            "r.jsonl",
            "--speed",
            "max",
            "--no-keyboard",
            "--from",
            "+1",
            "--to",
            "+2",
        ],
    );
    assert!(cut.status.success(), "{}", stderr(&cut));
    let n = |o: &Output| String::from_utf8_lossy(&o.stdout).lines().count();
    assert!(
        n(&cut) >= 2 && n(&cut) < n(&all),
        "{} of {}",
        n(&cut),
        n(&all)
    );
    // One sample between +1.35 and +1.55 s: its rate needs the one before (the baseline).
    let o = tg(
        d,
        &[
            "replay", "r.jsonl", "--once", "--json", "--from", "+1.35", "--to", "+1.55",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let m = &v["hosts"][0]["pages"][0]["panels"][0]["metrics"][0];
    assert!(m["value"].as_f64().is_some_and(|r| r > 0.0), "{m}");
    let o = tg(d, &["replay", "r.jsonl", "--once", "--from", "+100"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nothing recorded between --from and --to"));
}

#[test]
fn damaged_recordings_are_read_around_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    record_demo(d, "2", "0.3", "2");
    let text = std::fs::read_to_string(d.join("r.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let n = lines.len();
    let variants = [
        (
            "cut",
            text[..text.len() - 25].to_string(),
            format!("line {n}: cut off"),
        ),
        (
            "garbled",
            {
                let mut l = lines.clone();
                l[4] = "{\"h\": 0, \"host\": \"sim1\", \"tick\": zz";
                l.join("\n")
            },
            "line 5: not a recording line".to_string(),
        ),
        (
            "headless",
            lines[1..].join("\n"),
            "line 1: no recording header".to_string(),
        ),
    ];
    for (what, content, warning) in variants {
        let f = format!("{what}.jsonl");
        std::fs::write(d.join(&f), content).unwrap();
        let o = tg(d, &["replay", &f, "--once", "--json"]);
        assert!(o.status.success(), "{what}: {}", stderr(&o));
        assert!(stderr(&o).contains(&warning), "{what}: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["hosts"].as_array().unwrap().len(), 2, "{what}");
        assert_eq!(v["hosts"][1]["label"], "sim2");
        let rate = &v["hosts"][0]["pages"][0]["panels"][0]["metrics"][0]["value"];
        assert!(rate.as_f64().is_some_and(|r| r > 0.0), "{what}: {rate}");
    }
}

#[test]
fn a_gzip_recording_killed_mid_run_keeps_what_was_flushed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut child = Command::new(BIN)
        .current_dir(d)
        .args([
            "--demo",
            "1",
            "--no-keyboard",
            "--interval",
            "0.2",
            "--record",
            "r.jsonl.gz",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    child.kill().unwrap();
    child.wait().unwrap();
    let raw = std::fs::read(d.join("r.jsonl.gz")).unwrap();
    assert_eq!(&raw[..2], &[0x1f, 0x8b], "gzip");
    let o = tg(d, &["replay", "r.jsonl.gz", "--once", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["hosts"][0]["pages"][0]["panels"][0]["metrics"][0]["value"]
            .as_f64()
            .is_some()
    );
    let o = tg(d, &["export", "r.jsonl.gz", "--csv", "--raw"]);
    let rows = String::from_utf8_lossy(&o.stdout).lines().count();
    assert!(rows > 8 * 20, "{rows} raw rows from ~12 ticks");
}

#[test]
fn the_terminal_replay_pages_and_pauses_as_live() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    record_demo(d, "2", "0.5", "4");
    let rec = d.join("r.jsonl");
    let mut p = Pty::spawn(
        &format!("replay {} --protocol text --speed 1", rec.display()),
        &[],
        size(120, 40, 0, 0),
    );
    p.wait_screen("sim2", 40, 120, 10);
    p.wait_screen("REPLAY at 1x", 40, 120, 5);
    p.wait_screen("Requests/sec", 40, 120, 10);
    p.send("l");
    p.wait_screen("2xx Responses/sec", 40, 120, 3);
    p.send(" ");
    p.wait_screen("PAUSED", 40, 120, 3);
    p.send("q");
    let out = p.finish();
    assert!(
        out.contains("EXIT=0"),
        "{}",
        support::pty::tail(out.as_bytes())
    );
}
