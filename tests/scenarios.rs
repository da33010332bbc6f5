//! Scenario tests written as data (tests/scenarios/*.yaml): a host's counters over
//! time and faults at given seconds, served through the ATS 10.2 simulator's socket,
//! collected by the real client, derived by the real history, and checked against the
//! expected panel values within 1 %.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use traffic_grapher::dashboard::Dashboard;
use traffic_grapher::history::{derive, HostHistory, KeyIndex};
use traffic_grapher::source::sim::{ats_answer, serve, RecordValue, Reply, SimServer};
use traffic_grapher::source::{SocketSource, Source};

#[derive(Deserialize)]
struct Scenario {
    name: String,
    ticks: Vec<Tick>,
    expect: Vec<Expect>,
}

#[derive(Deserialize)]
struct Tick {
    t: f64,
    #[serde(default)]
    records: BTreeMap<String, f64>,
    fault: Option<String>,
}

#[derive(Deserialize)]
struct Expect {
    t: f64,
    panel: String,
    metric: String,
    #[serde(default)]
    value: Option<f64>,
    error: Option<String>,
    all_within: Option<(f64, f64)>,
    gaps: Option<usize>,
}

const TIMEOUT: Duration = Duration::from_millis(1000);

fn reply_for(tick: &Tick, req: &[u8]) -> Reply {
    match tick.fault.as_deref() {
        None => {
            let names: Vec<String> = tick.records.keys().cloned().collect();
            let mut lookup = |n: &str| {
                tick.records.get(n).map(|v| RecordValue {
                    value: format!("{v}"),
                    data_type: "COUNTER",
                    record_type: "4",
                })
            };
            Reply::Send(ats_answer(req, &mut lookup, &names))
        }
        Some("garbage") => Reply::Send(b"\x00\x17garbage\xff{not json".to_vec()),
        Some("cut") => Reply::Send(br#"{"jsonrpc": "2.0", "result": {"recordList": [{"record": {"record_na"#.to_vec()),
        Some("silent") => Reply::Silence(TIMEOUT + Duration::from_millis(100)),
        Some("empty") => Reply::Close,
        Some("error") => Reply::Send(
            br#"{"jsonrpc":"2.0","error":{"code":9,"message":"Error during execution","data":[{"code":5000,"message":"Plugin is not yet ready to handle any messages."}]}}"#.to_vec(),
        ),
        Some(other) => panic!("unknown fault {other}"),
    }
}

fn run(file: &str) {
    let text = std::fs::read_to_string(format!(
        "{}/tests/scenarios/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let sc: Scenario = serde_saphyr::from_str(&text).unwrap();
    let dash = Dashboard::builtin();
    let keys = dash.all_keys();
    let mut history = HostHistory::new(KeyIndex::new(keys.clone()), 3600.0);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jsonrpc20.sock");
    let current: Arc<Mutex<usize>> = Arc::new(Mutex::new(0));
    let ticks = Arc::new(sc.ticks);
    let start_server = || -> SimServer {
        let (cur, ticks) = (current.clone(), ticks.clone());
        serve(
            &path,
            Box::new(move |req: &[u8]| reply_for(&ticks[*cur.lock().unwrap()], req)),
        )
        .unwrap()
    };
    let mut server = Some(start_server());
    let mut src = SocketSource::new(Some((path.clone(), "scenario".into())), TIMEOUT);

    for (i, tick) in ticks.iter().enumerate() {
        *current.lock().unwrap() = i;
        let down = tick.fault.as_deref() == Some("down");
        if down {
            server.take().unwrap().stop();
        }
        match src.collect(&keys) {
            Ok(r) => history.push_values(tick.t, &r.values, r.missing),
            Err(e) => history.push_failure(tick.t, e.to_string()),
        }
        if down {
            server = Some(start_server());
        }
        for ex in sc.expect.iter().filter(|e| e.t == tick.t) {
            let what = format!("{}: t={} {}/{}", sc.name, ex.t, ex.panel, ex.metric);
            let metric = dash
                .pages
                .iter()
                .flat_map(|p| &p.panels)
                .filter(|p| p.title == ex.panel)
                .flat_map(|p| &p.metrics)
                .find(|m| m.name == ex.metric)
                .unwrap_or_else(|| panic!("{what}: no such panel metric"));
            let s = derive(&history, metric, 0.0, 1.0);
            match (ex.value, s.current) {
                (None, None) => {}
                (Some(want), Some(got)) => {
                    assert!(
                        (got - want).abs() <= want.abs() * 0.01,
                        "{what}: got {got}, want {want}"
                    )
                }
                (want, got) => panic!("{what}: got {got:?}, want {want:?}"),
            }
            if let Some(err) = &ex.error {
                let last = history.last_error.clone().unwrap_or_default();
                assert!(last.contains(err), "{what}: error {last:?} lacks {err:?}");
            }
            if let Some((lo, hi)) = ex.all_within {
                for &(t, v) in s.points.iter().filter(|p| p.1.is_finite()) {
                    assert!(
                        (lo..=hi).contains(&v),
                        "{what}: point {v} at t={t} outside {lo}..{hi}"
                    );
                }
            }
            if let Some(g) = ex.gaps {
                let n = s.points.iter().filter(|p| p.1.is_nan()).count();
                assert_eq!(n, g, "{what}: gaps in {:?}", s.points);
            }
        }
    }
}

#[test]
fn steady_traffic() {
    run("steady_traffic.yaml");
}

#[test]
fn restart_and_missed_tick() {
    run("restart_and_missed_tick.yaml");
}

#[test]
fn every_fault() {
    run("every_fault.yaml");
}
