//! Remote hosts through a real OpenSSH server on 127.0.0.1 (own keys, own ssh_config)
//! with a simulated ATS 10.2 socket behind it: values, discovery, failures, a server
//! that dies and comes back, hostile host names, and nothing left behind on any exit.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::pty::{assert_restored, size, Pty};
use support::sshd::{processes_mentioning, Sshd};
use support::{assert_matches_served, simulate, stderr, BIN};

/// The binary with the test's ssh_config, its private sockets under `tmp`.
fn tg_ssh(sshd: &Sshd, tmp: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("TRAFFICSERVER_JSONRPC_SOCKET")
        .env("TMPDIR", tmp)
        .arg("--ssh-config")
        .arg(&sshd.ssh_config);
    c
}

/// No ssh child and no socket directory of ours is left.
fn assert_no_leftovers(tmp: &Path) {
    let t = Instant::now();
    loop {
        let procs = processes_mentioning(&tmp.display().to_string());
        let files: Vec<_> = std::fs::read_dir(tmp).unwrap().flatten().collect();
        if procs.is_empty() && files.is_empty() {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "left behind: processes {procs:?}, files {files:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn values_through_ssh_equal_what_was_served() {
    let sshd = Sshd::start(None);
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let sock = dir.path().join("jsonrpc20.sock");
    let log = dir.path().join("served.jsonl");
    let _sim = simulate(
        &sock,
        &["--seed", "5", "--served-log", log.to_str().unwrap()],
    );
    let o = tg_ssh(&sshd, tmp.path())
        .args(["--once", "--json", "--interval", "1", "--socket"])
        .arg(&sock)
        .arg("edge=tg")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("edge (SSH): OK"), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let host = &v["hosts"][0];
    assert_eq!(host["label"], "edge");
    assert_eq!(host["version"], "10.2.0");
    assert_matches_served(host, &log);
    assert_no_leftovers(tmp.path());
}

#[test]
fn remote_discovery_uses_traffic_ctl_and_says_what_it_tried() {
    // A traffic_ctl on the sessions' PATH that names a state dir of ours, as ATS's does.
    let root = tempfile::tempdir().unwrap();
    let bin = root.path().join("bin");
    let state = root.path().join("var/trafficserver");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    let ctl = bin.join("traffic_ctl");
    std::fs::write(
        &ctl,
        "#!/bin/sh\necho 'proxy.config.local_state_dir: var/trafficserver'\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&ctl, std::fs::Permissions::from_mode(0o755)).unwrap();
    let sshd = Sshd::start(Some(&format!("{}:/usr/bin:/bin", bin.display())));
    let tmp = tempfile::tempdir().unwrap();
    let sock = state.join("jsonrpc20.sock");

    // Nothing there yet: the message names the host and every place looked at.
    let o = tg_ssh(&sshd, tmp.path())
        .args(["--once", "--interval", "0.5", "tg"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("no JSON-RPC socket found on tg"), "{err}");
    assert!(
        err.contains(&format!("{} (from {})", sock.display(), ctl.display())),
        "{err}"
    );
    assert!(err.contains("/run/trafficserver/jsonrpc20.sock"), "{err}");

    let _sim = simulate(&sock, &[]);
    let o = tg_ssh(&sshd, tmp.path())
        .args(["--once", "--json", "--interval", "0.5", "tg"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["hosts"][0]["error"], Value::Null);
    assert_eq!(v["hosts"][0]["version"], "10.2.0");
    assert_no_leftovers(tmp.path());
}

#[test]
fn refused_key_missing_socket_and_unknown_host_are_named() {
    let sshd = Sshd::start(None);
    let tmp = tempfile::tempdir().unwrap();
    let o = tg_ssh(&sshd, tmp.path())
        .args([
            "--once",
            "--interval",
            "0.5",
            "--socket",
            "/nonexistent/jsonrpc20.sock",
            "tg-badkey",
            "tg",
            "x=nosuchhost.invalid",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let line = |label: &str| {
        err.lines()
            .find(|l| l.starts_with(&format!("{label} (SSH): FAILED")))
            .unwrap_or_else(|| panic!("no start-up line for {label}: {err}"))
            .to_string()
    };
    let bad = line("tg-badkey");
    assert!(bad.contains("authentication failed"), "{bad}");
    assert!(
        bad.contains("Permission denied (publickey)"),
        "ssh's own words: {bad}"
    );
    let missing = line("tg");
    assert!(
        missing.contains("remote socket tg:/nonexistent/jsonrpc20.sock could not be opened"),
        "{missing}"
    );
    let unknown = line("x");
    assert!(unknown.contains("unknown host"), "{unknown}");
    assert_no_leftovers(tmp.path());
}

#[test]
fn a_host_name_that_looks_like_an_option_never_reaches_ssh() {
    let dir = tempfile::tempdir().unwrap();
    for host in [
        "-oProxyCommand=touch pwned",
        "a=-oProxyCommand=touch pwned",
        "-F/etc/passwd",
    ] {
        let o = Command::new(BIN)
            .current_dir(dir.path())
            .args(["--once", "--", host])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{host}: {}", stderr(&o));
        assert!(stderr(&o).contains(": refused"), "{}", stderr(&o));
    }
    assert!(!dir.path().join("pwned").exists(), "a command ran");
}

#[test]
fn sshd_killed_and_restarted_mid_run_leaves_a_gap_then_values_again() {
    let mut sshd = Sshd::start(None);
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let sock = dir.path().join("jsonrpc20.sock");
    let stats = dir.path().join("stats.jsonl");
    let _sim = simulate(&sock, &[]);
    let child = tg_ssh(&sshd, tmp.path())
        .args([
            "--no-keyboard",
            "--interval",
            "0.5",
            "--run-for",
            "11",
            "--socket",
        ])
        .arg(&sock)
        .arg("--log-stats")
        .arg(&stats)
        .args([
            "loc=unix:".to_string() + sock.to_str().unwrap(),
            "rem=tg".into(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    sshd.stop();
    std::thread::sleep(Duration::from_secs(2));
    sshd.restart();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<Value> = std::fs::read_to_string(&stats)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rem: Vec<&Value> = lines.iter().filter(|l| l["host"] == "rem").collect();
    let ok = |l: &&Value| l.get("values").is_some();
    let first_bad = rem
        .iter()
        .position(|l| !ok(l))
        .expect("a gap while sshd was down");
    let back = rem[first_bad..]
        .iter()
        .position(ok)
        .expect("values after sshd came back");
    assert!(
        rem[..first_bad].iter().filter(|l| ok(l)).count() >= 4,
        "values before"
    );
    assert!(
        rem[first_bad + back..].iter().filter(|l| ok(l)).count() >= 4,
        "values after"
    );
    let gap = rem[first_bad]["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(gap.contains("ssh tg"), "the gap is told as ssh's: {gap}");
    // The local host went on at every tick meanwhile.
    let loc = lines
        .iter()
        .filter(|l| l["host"] == "loc")
        .collect::<Vec<_>>();
    assert!(loc.iter().all(ok), "the other host never stopped");
    assert!(loc.len() >= 20, "{} local ticks", loc.len());
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_no_leftovers(tmp.path());
}

#[test]
fn four_remote_hosts_keep_a_one_second_refresh() {
    let sshd = Sshd::start(None);
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let sock = dir.path().join("jsonrpc20.sock");
    let _sim = simulate(&sock, &[]);
    let o = tg_ssh(&sshd, tmp.path())
        .current_dir(dir.path())
        .args(["a=tg", "b=tg", "c=tg", "d=tg"])
        .args(["--run-for", "10", "--interval", "1", "--no-keyboard"])
        .args(["--save-png", "f{iter}.png", "--socket"])
        .arg(&sock)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let frames = (0..40)
        .filter(|i| dir.path().join(format!("f{i}.png")).exists())
        .count();
    assert!(frames >= 9, "{frames} frames in 10 s");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), frames, "{out}");
    for h in ["a", "b", "c", "d"] {
        assert!(
            stderr(&o).contains(&format!("{h} (SSH): OK")),
            "{}",
            stderr(&o)
        );
    }
    assert_no_leftovers(tmp.path());
}

#[test]
fn nothing_is_left_after_sigterm_sigint_q_or_a_panic() {
    let sshd = Sshd::start(None);
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("jsonrpc20.sock");
    let _sim = simulate(&sock, &[]);
    // Stream mode, stopped by a signal once the forward is up.
    for sig in ["-TERM", "-INT", "-HUP"] {
        let tmp = tempfile::tempdir().unwrap();
        let mut child = tg_ssh(&sshd, tmp.path())
            .args(["--no-keyboard", "--interval", "0.5", "--socket"])
            .arg(&sock)
            .arg("tg")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let t = Instant::now();
        while processes_mentioning(&tmp.path().display().to_string()).is_empty() {
            assert!(t.elapsed() < Duration::from_secs(10), "no ssh started");
            std::thread::sleep(Duration::from_millis(20));
        }
        // While it runs, the forwards' directory is ours alone.
        let dirs: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(dirs.len(), 1, "{dirs:?}");
        use std::os::unix::fs::PermissionsExt;
        let mode = dirs[0].metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{:?} is {mode:o}", dirs[0].path());
        std::thread::sleep(Duration::from_millis(700));
        Command::new("kill")
            .args([sig, &child.id().to_string()])
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "{sig}: {status:?}");
        assert_no_leftovers(tmp.path());
    }
    // The live dashboard in a terminal: q, then an injected panic.
    for (env, key) in [(None, Some("q")), (Some("3"), None)] {
        let tmp = tempfile::tempdir().unwrap();
        let mut vars = vec![("TMPDIR", tmp.path().to_str().unwrap())];
        if let Some(n) = env {
            vars.push(("TG_TEST_PANIC_AFTER_FRAMES", n));
        }
        let args = format!(
            "--protocol text --interval 0.3 --ssh-config {} --socket {} tg",
            sshd.ssh_config.display(),
            sock.display()
        );
        let mut p = Pty::spawn(&args, &vars, size(100, 30, 0, 0));
        p.wait_screen("Requests/sec", 30, 100, 15);
        if let Some(k) = key {
            p.send(k);
        }
        let out = p.finish();
        assert_restored(&out);
        assert_no_leftovers(tmp.path());
    }
}

/// A stats_over_http stand-in on 127.0.0.1: the captured ATS 9.2 answer, twice with
/// incoming_requests moved on by 500.
fn stats_server() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<Instant>>>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let served = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = served.clone();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        let t0 = include_str!("fixtures/ats-9.2/stats_over_http_t0.json");
        for (i, mut c) in l.incoming().flatten().enumerate() {
            let mut buf = [0u8; 4096];
            let n = c.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            let body = t0.replace(
                "\"proxy.process.http.incoming_requests\": \"205\"",
                &format!(
                    "\"proxy.process.http.incoming_requests\": \"{}\"",
                    205 + 500 * i
                ),
            );
            log.lock().unwrap().push(Instant::now());
            let (status, body) = if req.starts_with("GET /_stats ") {
                ("200 OK", body)
            } else {
                ("404 Not Found", String::new())
            };
            let _ = write!(
                c,
                "HTTP/1.0 {status}\r\nContent-Type: text/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, served)
}

#[test]
fn ats_9_stats_over_http_is_read_through_the_ssh_forward() {
    let sshd = Sshd::start(None);
    let tmp = tempfile::tempdir().unwrap();
    let (port, served) = stats_server();
    let url = format!("http://127.0.0.1:{port}/_stats");
    let o = tg_ssh(&sshd, tmp.path())
        .args([
            "--once",
            "--json",
            "--interval",
            "1",
            "--stats-url",
            &url,
            "old=tg",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let host = &v["hosts"][0];
    assert_eq!(host["version"], "9.2.9");
    assert_eq!(host["error"], Value::Null);
    let rate = support::metric(host, 0, "Requests/sec", "Client")["value"].as_f64();
    // 500 more requests per answer, over the time between the two answers.
    let times = served.lock().unwrap().clone();
    assert_eq!(times.len(), 2);
    let want = 500.0 / (times[1] - times[0]).as_secs_f64();
    let got = rate.unwrap_or(0.0);
    assert!(
        (got - want).abs() <= 0.05 * want,
        "rate {got}, served {want}"
    );
    // The metric browser goes the same way.
    let o = Command::new(BIN)
        .env("TMPDIR", tmp.path())
        .args(["metrics", "--stats-url", &url, "--ssh-config"])
        .arg(&sshd.ssh_config)
        .args(["tg", "incoming_requests$"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("proxy.process.http.incoming_requests "));
    // Nothing listening there, and a wrong path: each said.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = tg_ssh(&sshd, tmp.path())
        .args(["--once", "--interval", "0.5", "--stats-url"])
        .arg(format!("http://127.0.0.1:{closed}/_stats"))
        .arg("tg")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is ATS listening there?"),
        "{}",
        stderr(&o)
    );
    let o = tg_ssh(&sshd, tmp.path())
        .args(["--once", "--interval", "0.5", "--stats-url"])
        .arg(format!("http://127.0.0.1:{port}/wrong"))
        .arg("tg")
        .output()
        .unwrap();
    assert!(stderr(&o).contains("HTTP 404"), "{}", stderr(&o));
    assert_no_leftovers(tmp.path());
}
