//! Remote hosts through a real sshd on 127.0.0.1: one JSON-RPC round trip through the
//! forward (against the same socket read directly), the tick of 1, 4 and 16 remote
//! hosts polled in parallel (each its own simulated ATS), ssh start-up, and the binary's
//! start to its first frame. `cargo bench --bench ssh` (needs openssh-server and root).

// The tests' sshd helper; the bench uses only part of it.
#[allow(dead_code)]
#[path = "../tests/support/sshd.rs"]
mod sshd;

use sshd::Sshd;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use traffic_grapher::dashboard::Dashboard;
use traffic_grapher::source::ssh::{SshOptions, SshSource};
use traffic_grapher::source::transport::call_records;
use traffic_grapher::source::{Source, VERSION_RECORD};

const BIN: &str = env!("CARGO_BIN_EXE_traffic_grapher");

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let sshd = Sshd::start(None);
    let dir = tempfile::tempdir().expect("tempdir");
    let socks: Vec<_> = (0..16)
        .map(|i| dir.path().join(format!("ats{i}.sock")))
        .collect();
    let _sims: Vec<Killed> = socks
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Killed(
                Command::new(BIN)
                    .args(["simulate", "--seed", &(i + 1).to_string(), "--socket"])
                    .arg(s)
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("simulator"),
            )
        })
        .collect();
    for s in &socks {
        while !s.exists() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let mut keys = Dashboard::builtin().all_keys();
    keys.push(VERSION_RECORD.to_string());
    let opts = SshOptions {
        config: Some(sshd.ssh_config.clone()),
        options: vec![],
    };
    let timeout = Duration::from_secs(5);
    let source = |i: usize| {
        SshSource::new(
            "tg".into(),
            opts.clone(),
            dir.path().join(format!("fw{i}.sock")),
            Some(socks[i].clone()),
            timeout,
        )
    };

    // 1. One round trip, direct and through the forward.
    let mut id = 1;
    let direct: Vec<f64> = (0..200)
        .map(|_| {
            let t = Instant::now();
            call_records(&socks[0], &keys, &mut id, timeout).expect("direct");
            ms(t.elapsed())
        })
        .collect();
    let mut fwd = source(0);
    fwd.collect(&keys).expect("first collect through ssh");
    let through: Vec<f64> = (0..200)
        .map(|_| {
            let t = Instant::now();
            fwd.collect(&keys).expect("collect through ssh");
            ms(t.elapsed())
        })
        .collect();
    drop(fwd);
    println!(
        "round trip ({} keys): direct {:.2} ms, through ssh -L {:.2} ms (median of 200)",
        keys.len(),
        median(direct),
        median(through)
    );

    // 2. Start-up and ticks of N remote hosts, each on a thread of its own as in the
    // poller (an ssh child lives as long as the thread that started it).
    const TICKS: usize = 50;
    for n in [1usize, 4, 16] {
        let barrier = std::sync::Barrier::new(n + 1);
        let (start, ticks) = std::thread::scope(|s| {
            for i in 0..n {
                let (barrier, keys, mut src) = (&barrier, &keys, source(i));
                s.spawn(move || {
                    barrier.wait();
                    src.collect(keys).expect("start");
                    for _ in 0..=TICKS {
                        barrier.wait();
                        src.collect(keys).expect("tick");
                    }
                    barrier.wait();
                });
            }
            let mut t = Instant::now();
            barrier.wait();
            let mut times = Vec::new();
            for _ in 0..=TICKS + 1 {
                barrier.wait();
                times.push(ms(t.elapsed()));
                t = Instant::now();
            }
            let start = times.remove(0);
            (start, times)
        });
        println!(
            "{n:>2} remote hosts: ssh start-up (all, parallel) {start:.0} ms, tick {:.2} ms (median of {TICKS})",
            median(ticks)
        );
    }

    // 3. The binary: process start to its first frame, through ssh.
    for n in [1usize, 4] {
        let runs: Vec<f64> = (0..5)
            .map(|_| {
                let t = Instant::now();
                let mut child = Killed(
                    Command::new(BIN)
                        .arg("--ssh-config")
                        .arg(&sshd.ssh_config)
                        .arg("--socket")
                        .arg(&socks[0])
                        .args(["--no-keyboard", "--interval", "1", "--run-for", "3"])
                        .args((0..n).map(|i| format!("h{i}=tg")))
                        .stdout(Stdio::piped())
                        .stderr(Stdio::null())
                        .spawn()
                        .expect("binary"),
                );
                let out = child.0.stdout.take().expect("stdout");
                let mut line = String::new();
                let _ = BufReader::new(out).read_line(&mut line);
                assert!(line.starts_with("frame 0:"), "{line}");
                let took = ms(t.elapsed());
                // SIGTERM, so that it removes its forwards as a user's stop would.
                let _ = Command::new("kill")
                    .args(["-TERM", &child.0.id().to_string()])
                    .status();
                let _ = child.0.wait();
                took
            })
            .collect();
        println!(
            "binary start to first frame, {n} ssh host(s): {:.0} ms (median of 5)",
            median(runs)
        );
    }
}
