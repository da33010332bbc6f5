//! The binary as a user runs it: the simulator on a socket and `--once --json` against
//! it, the stream mode's files and lines, and every kind of bad input (exit 2, one
//! line naming the problem).

use serde_json::Value;
mod support;

use std::path::Path;
use std::process::Command;
use support::{assert_matches_served, metric, simulate, stderr, tg, BIN};

#[test]
fn once_json_against_the_simulator_matches_what_it_served() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("jsonrpc20.sock");
    let log = dir.path().join("served.jsonl");
    let _sim = simulate(
        &sock,
        &["--seed", "3", "--served-log", log.to_str().unwrap()],
    );
    let target = format!("unix:{}", sock.display());
    let o = tg(&["--once", "--json", "--interval", "1", &target]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let host = &v["hosts"][0];
    assert_eq!(host["version"], "10.2.0");
    assert_eq!(host["error"], Value::Null);

    assert_matches_served(host, &log);

    // The earlier tool's page-3 name exists in no version: it is read under 10.2's.
    let m = metric(host, 2, "HTTP/2 Connections", "Active");
    assert_eq!(m["missing"], serde_json::json!([]));
    assert!(m["value"].as_f64().unwrap() > 0.0, "{m}");
}

#[test]
fn a_metric_no_host_has_is_reported_not_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("jsonrpc20.sock");
    let _sim = simulate(&sock, &[]);
    let dash = dir.path().join("d.yaml");
    std::fs::write(
        &dash,
        "pages:\n  - name: P\n    panels:\n      - title: T\n        metrics:\n\
         \x20         - {name: Real, type: counter, key: proxy.process.http.incoming_requests, color: \"#FFFF00\"}\n\
         \x20         - {name: Typo, type: counter, key: proxy.process.http.incoming_requestz, color: \"#00FFFF\"}\n",
    )
    .unwrap();
    let target = format!("ats2=unix:{}", sock.display());
    let o = tg(&[
        "--once",
        "--json",
        "--interval",
        "0.5",
        "-c",
        dash.to_str().unwrap(),
        &target,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let m = metric(&v["hosts"][0], 0, "T", "Typo");
    assert_eq!(m["value"], Value::Null);
    assert_eq!(m["missing"][0], "proxy.process.http.incoming_requestz");
    assert!(metric(&v["hosts"][0], 0, "T", "Real")["value"]
        .as_f64()
        .is_some());
}

#[test]
fn once_writes_the_page_and_all_pages_with_page_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.png");
    let o = tg(&[
        "--demo",
        "2",
        "--once",
        "--interval",
        "0.3",
        "--save-png",
        one.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&one).unwrap();
    let (w, h, _) = traffic_grapher::display::png::decode_rgba(&bytes).unwrap();
    assert_eq!((w, h), (1600, 1000));
    assert!(bytes.len() < 80_000, "{} bytes", bytes.len());

    let tpl = dir.path().join("p{page}.png");
    let o = tg(&[
        "--demo",
        "--once",
        "--interval",
        "0.2",
        "--size",
        "800x500",
        "--save-png",
        tpl.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for p in 1..=4 {
        let (w, _, _) = traffic_grapher::display::png::decode_rgba(
            &std::fs::read(dir.path().join(format!("p{p}.png"))).unwrap(),
        )
        .unwrap();
        assert_eq!(w, 800);
    }
}

#[test]
fn stream_writes_a_frame_per_tick_and_names_each_file() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("f{iter}.png");
    let log = dir.path().join("stats.jsonl");
    let o = tg(&[
        "--demo",
        "2",
        "--no-keyboard",
        "--run-for",
        "3",
        "--interval",
        "0.5",
        "--size",
        "640x400",
        "--save-png",
        tpl.to_str().unwrap(),
        "--log-stats",
        log.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert!((5..=7).contains(&lines.len()), "{out}");
    for (i, l) in lines.iter().enumerate() {
        let f = dir.path().join(format!("f{i}.png"));
        assert_eq!(*l, format!("frame {i}: wrote {}", f.display()));
        assert!(f.exists());
    }
    let stats = std::fs::read_to_string(&log).unwrap();
    let first: Value = serde_json::from_str(stats.lines().next().unwrap()).unwrap();
    assert!(
        first["values"]["proxy.process.http.incoming_requests"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert!(stats.lines().count() >= 10, "two hosts, about six ticks");
}

#[test]
fn simulate_removes_its_socket_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("s.sock");
    let mut sim = simulate(&sock, &[]);
    let pid = sim.0.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = sim.0.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(!sock.exists(), "socket file left behind");
}

#[test]
fn missing_socket_names_the_path() {
    let o = tg(&["--once", "unix:/nonexistent/jsonrpc20.sock"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains(
            "jsonrpc20.sock (unix socket): FAILED - socket /nonexistent/jsonrpc20.sock not found"
        ),
        "{e}"
    );
}

#[test]
fn nothing_found_lists_what_was_tried() {
    let o = Command::new(BIN)
        .args(["--once", "--json"])
        .env("PATH", "/nonexistent")
        .env_remove("TRAFFICSERVER_JSONRPC_SOCKET")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("no JSON-RPC socket found; tried:")
            && e.contains("/usr/local/var/trafficserver/jsonrpc20.sock"),
        "{e}"
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["hosts"][0]["error"]
        .as_str()
        .unwrap()
        .contains("traffic_ctl"));
}

#[test]
fn env_var_points_at_the_socket() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("env.sock");
    let _sim = simulate(&sock, &[]);
    let o = Command::new(BIN)
        .args(["--once", "--json", "--interval", "0.3"])
        .env("TRAFFICSERVER_JSONRPC_SOCKET", &sock)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["hosts"][0]["label"], "localhost");
    assert!(
        metric(&v["hosts"][0], 0, "Requests/sec", "Client")["value"]
            .as_f64()
            .unwrap()
            > 100.0
    );
}

#[test]
fn permission_denied_says_what_to_do() {
    // Root passes every permission check: run the client as nobody.
    if !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("setpriv missing: skipped");
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("tgperm")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let sock = dir.path().join("restricted.sock");
    let _sim = simulate(&sock, &[]);
    std::fs::set_permissions(&sock, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let o = Command::new("/usr/bin/setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            BIN,
            "--once",
            "--interval",
            "0.2",
        ])
        .arg(format!("unix:{}", sock.display()))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("permission denied on") && e.contains("run as root or as the ATS user"),
        "{e}"
    );
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("dash.yaml");
    std::fs::write(&yaml, "pages:\n  - name: P\n    panels:\n      - title: T\n        metrics:\n          - {name: A, type: countr, key: a.b}\n").unwrap();
    let y = yaml.to_str().unwrap();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (vec!["--bogus"], "unexpected argument '--bogus'".into()),
        (
            vec!["--interval", "0"],
            "--interval must be a positive number".into(),
        ),
        (vec!["--interval", "abc"], "invalid value 'abc'".into()),
        (
            vec!["--interval", "10", "--history", "15"],
            "history 15s is shorter than two intervals".into(),
        ),
        (
            vec!["-tz", "Nowhere/Town"],
            "unknown time zone 'Nowhere/Town'".into(),
        ),
        (vec!["-c", y], format!("{y}:6:")),
        (
            vec!["-c", "/nonexistent.yaml"],
            "cannot read dashboard file /nonexistent.yaml".into(),
        ),
        (
            vec!["--once", "--ssh-option=-oProxyCommand=x", "ats1"],
            "--ssh-option \"-oProxyCommand=x\" is not an ssh option".into(),
        ),
        (
            vec!["--once", "--ssh-config", "/nonexistent/cfg", "ats1"],
            "--ssh-config /nonexistent/cfg: no such file".into(),
        ),
        (
            vec!["--once", "--socket", "/a:b.sock", "ats1"],
            "--socket: remote socket path \"/a:b.sock\" contains ':'".into(),
        ),
        (
            vec!["--once", "--", "-oProxyCommand=touch pwned"],
            "'-oProxyCommand=touch pwned' starts with '-'".into(),
        ),
        (
            vec!["--gui", "--once"],
            "--gui shows a live window; it does not go with --once".into(),
        ),
        (vec!["--demo", "0"], "--demo takes 1 to 64 hosts".into()),
    ];
    for (args, want) in cases {
        let o = Command::new(BIN)
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.contains(&want), "{args:?}: {e}");
        if !args.contains(&"--bogus") && !args.contains(&"abc") {
            assert_eq!(e.trim_end().lines().count(), 1, "{args:?}: {e}");
        }
        assert!(!e.contains("panicked"), "{e}");
    }
    assert!(!dir.path().join("pwned").exists());
    let e = stderr(&tg(&["-c", y]));
    assert!(e.contains("unknown metric type 'countr'"), "{e}");
}
