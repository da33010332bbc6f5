//! Debian's real ATS 9.2 with stats_over_http on loopback ports, sent traffic through
//! a small local origin: `--once --json` gives the request rate, hit rate and latency
//! (in ms) that the traffic implies, the four built-in pages have no missing metric, a
//! simulated 10.2 host beside it reads alike, and `metrics` lists its records.

mod support;

use serde_json::Value;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::ats::{get, Ats};
use support::{metric, simulate, stderr, BIN};

/// Nine requests for a cached document, then one for a slow uncacheable one, over and
/// over; counts what was answered.
fn load(port: u16, stop: Arc<AtomicBool>, done: Arc<AtomicU64>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut i = 0u64;
        while !stop.load(Ordering::SeqCst) {
            let path = if i % 10 == 9 {
                format!("/slow{i}")
            } else {
                "/doc.txt".to_string()
            };
            if get(port, &path) == Some(200) {
                done.fetch_add(1, Ordering::SeqCst);
            }
            i += 1;
        }
    })
}

#[test]
fn ats_9_2_reads_as_the_traffic_implies_beside_a_10_2_host() {
    let ats = Ats::start();
    let port = ats.port;
    assert_eq!(
        get(port, "/doc.txt"),
        Some(200),
        "the origin answers through ATS"
    );
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let loader = load(port, stop.clone(), done.clone());
    // Steady traffic first, then measure it while the tool measures ATS.
    std::thread::sleep(Duration::from_secs(2));
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("jsonrpc20.sock");
    let _sim = simulate(&sock, &[]);
    let (t0, n0) = (Instant::now(), done.load(Ordering::SeqCst));
    let o = Command::new(BIN)
        .args(["--once", "--json", "--interval", "3"])
        .arg(format!("new=unix:{}", sock.display()))
        .arg(format!("old={}", ats.stats_url()))
        .output()
        .unwrap();
    let sent = (done.load(Ordering::SeqCst) - n0) as f64 / t0.elapsed().as_secs_f64();
    stop.store(true, Ordering::SeqCst);
    loader.join().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("old (stats_over_http): OK"),
        "{}",
        stderr(&o)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let (new, old) = (&v["hosts"][0], &v["hosts"][1]);
    assert!(
        old["version"].as_str().unwrap().starts_with("9.2."),
        "{}",
        old["version"]
    );
    assert_eq!(old["error"], Value::Null);
    let val = |h: &Value, page: usize, panel: &str, name: &str| {
        metric(h, page, panel, name)["value"]
            .as_f64()
            .unwrap_or_else(|| panic!("{panel}/{name}: no value on {}", h["label"]))
    };

    // ATS publishes its counters every 0.5 s here: the rate is the traffic's, within
    // what one publication step can move it over 3 s.
    let rate = val(old, 0, "Requests/sec", "Client");
    assert!(
        (rate - sent).abs() <= 0.3 * sent,
        "request rate {rate:.1}/s, traffic {sent:.1}/s"
    );
    // One request in ten is a miss (computed from 9.2's base counters).
    let hit = val(old, 0, "Cache Hit Rate %", "Hit Rate");
    assert!((85.0..=95.0).contains(&hit), "hit rate {hit} %");
    // The origin waits 50 ms; 9.2 counts seconds, the panel shows milliseconds.
    let miss_ms = val(old, 0, "Latency (ms)", "Origin");
    assert!(
        (45.0..=500.0).contains(&miss_ms),
        "miss latency {miss_ms} ms"
    );
    let hit_ms = val(old, 0, "Latency (ms)", "Cache Hit");
    assert!(
        (0.0..20.0).contains(&hit_ms) && hit_ms < miss_ms,
        "hit latency {hit_ms} ms"
    );
    // Bytes are sums of 9.2's document and header counters.
    assert!(val(old, 3, "Client Bytes/sec", "Write") > 1000.0 * 0.5 * sent);

    // Nothing on the four pages is missing on either version.
    for h in [new, old] {
        for page in h["pages"].as_array().unwrap() {
            for panel in page["panels"].as_array().unwrap() {
                for m in panel["metrics"].as_array().unwrap() {
                    assert_eq!(
                        m["missing"],
                        serde_json::json!([]),
                        "{} on {}",
                        m["name"],
                        h["label"]
                    );
                }
            }
        }
    }
    // Side by side, the same units: both latencies in ms, both hit rates in %.
    let new_ms = val(new, 0, "Latency (ms)", "Origin");
    assert!(
        (1.0..=500.0).contains(&new_ms),
        "10.2 miss latency {new_ms} ms"
    );
    let new_hit = val(new, 0, "Cache Hit Rate %", "Hit Rate");
    assert!((0.0..=100.0).contains(&new_hit));

    // The metric browser lists the 9.2 host's records.
    let o = Command::new(BIN)
        .args(["metrics", &ats.stats_url(), "incoming"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.lines()
            .any(|l| l.starts_with("proxy.process.http.incoming_requests ")),
        "{out}"
    );
    let o = Command::new(BIN)
        .args([
            "metrics",
            "--yaml",
            &ats.stats_url(),
            "^proxy.process.http.cache_hit_fresh$",
        ])
        .output()
        .unwrap();
    let yaml = String::from_utf8_lossy(&o.stdout);
    assert!(
        yaml.contains(
            "{name: cache_hit_fresh, type: counter, key: proxy.process.http.cache_hit_fresh,"
        ),
        "{yaml}"
    );
    // What it prints is a dashboard that loads.
    let file = dir.path().join("dash.yaml");
    std::fs::write(
        &file,
        format!(
            "pages:\n  - name: P\n    panels:\n      - title: T\n        {}",
            yaml.replace('\n', "\n        ")
        ),
    )
    .unwrap();
    let o = Command::new(BIN)
        .args(["--once", "--interval", "0.5", "-c"])
        .arg(&file)
        .arg(ats.stats_url())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn stats_over_http_failures_are_named() {
    let run = |url: &str| {
        let o = Command::new(BIN)
            .args(["--once", "--interval", "0.5", url])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{url}");
        stderr(&o)
    };
    // Nobody listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = run(&format!("http://127.0.0.1:{port}/_stats"));
    assert!(e.contains("connection refused"), "{e}");
    // A server that is not stats_over_http: a 404, then a page that is not JSON.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut c in l.incoming().flatten() {
            let mut buf = [0u8; 2048];
            let n = c.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            let (status, body) = if req.starts_with("GET /_stats ") {
                ("200 OK", "<html>hello</html>")
            } else {
                ("404 Not Found", "no")
            };
            let _ = write!(
                c,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let e = run(&format!("http://127.0.0.1:{port}/wrong"));
    assert!(
        e.contains("HTTP 404") && e.contains("stats_over_http"),
        "{e}"
    );
    let e = run(&format!("http://127.0.0.1:{port}/_stats"));
    assert!(e.contains("not stats_over_http JSON"), "{e}");
}

/// A stats_over_http answer with `incoming_requests` at `n`.
fn stats_json(n: u64) -> String {
    format!(
        "{{ \"global\": {{\n\"proxy.process.version.server.short\": \"9.2.9\",\n\"proxy.process.http.incoming_requests\": \"{n}\",\n\"proxy.process.http.current_client_connections\": \"3\"\n}}}}"
    )
}

#[test]
fn once_waits_past_repeated_numbers_for_a_rate() {
    // As ATS 9 by default: the same numbers for a while (publication every 5 s here
    // shortened to four answers), then new ones.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for (i, mut c) in l.incoming().flatten().enumerate() {
            let mut buf = [0u8; 2048];
            let _ = c.read(&mut buf);
            let body = stats_json(if i < 4 { 1000 } else { 1600 });
            let _ = write!(
                c,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let o = Command::new(BIN)
        .args(["--once", "--json", "--interval", "0.4"])
        .arg(format!("old=http://127.0.0.1:{port}/_stats"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let rate = metric(&v["hosts"][0], 0, "Requests/sec", "Client")["value"].as_f64();
    // 600 requests over the ~1.6 s between the first sample and the first new one.
    assert!(
        rate.is_some_and(|r| (250.0..=500.0).contains(&r)),
        "{rate:?}"
    );
    assert_eq!(v["hosts"][0]["error"], Value::Null);
}
