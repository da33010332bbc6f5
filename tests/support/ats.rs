//! Debian's real ATS 9.2 (`trafficserver`) with stats_over_http, in a run root of its
//! own on loopback ports (the recipe of ../shared/testing.md), a small origin that
//! answers cacheable and slow uncacheable documents, and a client to send it traffic.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Ats {
    pub dir: tempfile::TempDir,
    pub port: u16,
    child: Child,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The origin: `/slow…` waits 50 ms and may not be cached; anything else may be
/// cached for a minute. Returns its port.
fn origin() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("origin port");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for conn in l.incoming().flatten() {
            std::thread::spawn(move || serve(conn));
        }
    });
    port
}

fn serve(mut c: TcpStream) {
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&req);
    let path = head.split_whitespace().nth(1).unwrap_or("/");
    let slow = path.starts_with("/slow");
    if slow {
        std::thread::sleep(Duration::from_millis(50));
    }
    let body = vec![b'x'; 1000];
    let cache = if slow { "no-store" } else { "max-age=60" };
    let _ = write!(
        c,
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nCache-Control: {cache}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = c.write_all(&body);
}

/// One GET through the proxy; its status code.
pub fn get(port: u16, path: &str) -> Option<u16> {
    let mut c = TcpStream::connect(("127.0.0.1", port)).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        c,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = Vec::new();
    c.read_to_end(&mut out).ok()?;
    let head = String::from_utf8_lossy(&out[..out.len().min(64)]).into_owned();
    head.split_whitespace().nth(1)?.parse().ok()
}

impl Ats {
    pub fn start() -> Ats {
        assert!(
            Path::new("/usr/bin/traffic_layout").exists(),
            "trafficserver is not installed: ./scripts/test installs it"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let ok = Command::new("traffic_layout")
            .args(["init", "--path"])
            .arg(d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("traffic_layout")
            .success();
        assert!(ok, "traffic_layout init failed");
        // Every directory of the run root inside it.
        let dd = d.display();
        let layout = format!(
            "prefix: {dd}\nexec_prefix: {dd}\nbindir: {dd}/bin\nsbindir: {dd}/sbin\nsysconfdir: {dd}/etc\n\
             datadir: {dd}/share\nincludedir: {dd}/include\nlibdir: {dd}/lib/trafficserver\n\
             libexecdir: {dd}/lib/trafficserver/modules\nlocalstatedir: {dd}/var\nruntimedir: {dd}/run\n\
             logdir: {dd}/log\ncachedir: {dd}/cache\n"
        );
        std::fs::write(d.join("runroot.yaml"), layout).expect("runroot.yaml");
        for sub in ["etc", "share", "var", "run", "log", "cache"] {
            std::fs::create_dir_all(d.join(sub)).expect("dirs");
        }
        let ok = Command::new("cp")
            .args(["-r", "/etc/trafficserver/."])
            .arg(d.join("etc"))
            .status()
            .expect("cp")
            .success();
        assert!(ok, "cannot copy /etc/trafficserver");
        let port = free_port();
        let origin = origin();
        let append = |file: &str, text: &str| {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(d.join("etc").join(file))
                .expect(file);
            f.write_all(text.as_bytes()).expect(file);
        };
        append(
            "records.config",
            &format!(
                "\nCONFIG proxy.config.http.server_ports STRING {port}\n\
                 CONFIG proxy.config.admin.user_id STRING #-1\n\
                 CONFIG proxy.config.reverse_proxy.enabled INT 1\n\
                 CONFIG proxy.config.url_remap.remap_required INT 1\n\
                 CONFIG proxy.config.raw_stat_sync_interval_ms INT 500\n\
                 CONFIG proxy.config.crash_log_helper STRING /bin/true\n"
            ),
        );
        append("plugin.config", "\nstats_over_http.so _stats\n");
        append(
            "remap.config",
            &format!("\nmap http://127.0.0.1:{port}/ http://127.0.0.1:{origin}/\n"),
        );
        std::fs::write(d.join("etc/storage.config"), format!("{dd}/cache 256M\n"))
            .expect("storage.config");
        let log = std::fs::File::create(d.join("log/traffic_server.out")).expect("log");
        let child = Command::new(d.join("bin/traffic_server"))
            .arg(format!("--run-root={dd}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("traffic_server");
        let ats = Ats { dir, port, child };
        let t = Instant::now();
        while get(port, "/_stats") != Some(200) {
            assert!(
                t.elapsed() < Duration::from_secs(40),
                "ATS did not answer /_stats: {}",
                std::fs::read_to_string(ats.dir.path().join("log/traffic_server.out"))
                    .unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        ats
    }

    pub fn stats_url(&self) -> String {
        format!("http://127.0.0.1:{}/_stats", self.port)
    }
}

impl Drop for Ats {
    fn drop(&mut self) {
        // By pid only: traffic_server leaves the process group it was started in.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
