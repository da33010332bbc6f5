//! What the integration tests share: the binary, the simulator as a child process,
//! reading `--once --json` output, a pseudo-terminal and a real sshd.
// Each test file uses a part of this module; the rest would warn as unused there.
#![allow(dead_code)]

pub mod ats;
pub mod pty;
pub mod sshd;
pub mod x11;

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_traffic_grapher");

pub fn tg(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("TRAFFICSERVER_JSONRPC_SOCKET")
        .output()
        .unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub struct Sim(pub Child);
impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn simulate(sock: &Path, extra: &[&str]) -> Sim {
    let child = Command::new(BIN)
        .args(["simulate", "--socket", sock.to_str().unwrap()])
        .args(extra)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while !sock.exists() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "simulator did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Sim(child)
}

pub fn metric<'a>(host: &'a Value, page: usize, panel: &str, name: &str) -> &'a Value {
    host["pages"][page]["panels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == panel)
        .and_then(|p| {
            p["metrics"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["name"] == name)
        })
        .unwrap_or_else(|| panic!("{panel}/{name} not in {host}"))
}

pub fn within(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= want.abs() * 0.01,
        "{what}: got {got}, want {want} (1 %)"
    );
}

/// The `--once --json` values of one host equal what the simulator served (its
/// `--served-log`, two answers): rate, hit latency, hit rate and a gauge, within 1 %.
pub fn assert_matches_served(host: &Value, log: &Path) {
    // What the simulator served, answer by answer.
    let served: Vec<Value> = std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(served.len(), 2, "one call per tick carrying every key");
    let num = |i: usize, k: &str| {
        served[i]["records"][k]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    let dt = served[1]["t"].as_f64().unwrap() - served[0]["t"].as_f64().unwrap();
    let d = |k: &str| num(1, k) - num(0, k);

    let rate = d("proxy.process.http.incoming_requests") / dt;
    within(
        metric(host, 0, "Requests/sec", "Client")["value"]
            .as_f64()
            .unwrap(),
        rate,
        "request rate",
    );
    assert_eq!(
        metric(host, 0, "Requests/sec", "Client")["unit"],
        "per_second"
    );
    let lat = d("proxy.process.http.transaction_totaltime.hit_fresh")
        / d("proxy.process.http.transaction_counts.hit_fresh");
    let m = metric(host, 0, "Latency (ms)", "Cache Hit");
    within(m["value"].as_f64().unwrap(), lat, "hit latency");
    assert_eq!(m["unit"], "ms");
    let (h, mi) = (
        d("proxy.process.cache_total_hits"),
        d("proxy.process.cache_total_misses"),
    );
    let m = metric(host, 0, "Cache Hit Rate %", "Hit Rate");
    within(
        m["value"].as_f64().unwrap(),
        100.0 * h / (h + mi),
        "hit rate",
    );
    assert_eq!(m["unit"], "percent");
    let g = metric(host, 0, "Connections", "Client")["value"]
        .as_f64()
        .unwrap();
    assert_eq!(
        g,
        num(1, "proxy.process.http.current_client_connections"),
        "gauge as served last"
    );
}
