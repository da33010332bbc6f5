//! The JSON-RPC client against a server that behaves as ATS 10.2's does, fed every
//! kind of bad answer: each gives its own message, nothing panics, and a host's last
//! good history stays.

use std::os::unix::net::UnixListener;
use std::time::{Duration, Instant};
use traffic_grapher::source::sim::{ats_answer, serve, Reply, TrafficModel};
use traffic_grapher::source::{SocketSource, Source, SourceError};

fn keys() -> Vec<String> {
    vec![
        "proxy.process.http.incoming_requests".into(),
        "proxy.process.http2.current_client_sessions".into(),
    ]
}

fn source(path: &std::path::Path, timeout_ms: u64) -> SocketSource {
    SocketSource::new(
        Some((path.to_path_buf(), "test".into())),
        Duration::from_millis(timeout_ms),
    )
}

fn good_answer(req: &[u8]) -> Vec<u8> {
    let mut m = TrafficModel::new(1, 1.0);
    m.advance_to(1000.0);
    let names: Vec<String> = m.names().map(str::to_string).collect();
    ats_answer(req, &mut |n| m.get(n), &names)
}

/// Serves `reply(request)` on a fresh socket and collects once through it.
fn collect_with(
    reply: impl FnMut(&[u8]) -> Reply + Send + 'static,
    timeout_ms: u64,
) -> (
    Result<traffic_grapher::source::Reading, SourceError>,
    Duration,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jsonrpc20.sock");
    let server = serve(&path, Box::new(reply)).unwrap();
    let t = Instant::now();
    let r = source(&path, timeout_ms).collect(&keys());
    let took = t.elapsed();
    server.stop();
    (r, took)
}

#[test]
fn good_answer_reports_values_and_missing_names() {
    let (r, _) = collect_with(|req| Reply::Send(good_answer(req)), 2000);
    let r = r.unwrap();
    assert!(r.values["proxy.process.http.incoming_requests"] > 0.0);
    // 10.2 has no http2.current_client_sessions: it comes back in errorList, by name.
    assert_eq!(r.missing, ["proxy.process.http2.current_client_sessions"]);
}

#[test]
fn answer_in_pieces_is_read_whole() {
    let (r, _) = collect_with(
        |req| Reply::Trickle {
            bytes: good_answer(req),
            pieces: 5,
            pause: Duration::from_millis(30),
        },
        2000,
    );
    assert!(r
        .unwrap()
        .values
        .contains_key("proxy.process.http.incoming_requests"));
}

#[test]
fn reading_stops_at_the_first_complete_value_not_at_eof() {
    // The answer, then the connection held open for 2 s (as EOF is late over SSH).
    let (r, took) = collect_with(
        |req| {
            let mut b = good_answer(req);
            b.extend_from_slice(b"\n");
            Reply::Trickle {
                bytes: b,
                pieces: 1,
                pause: Duration::from_secs(2),
            }
        },
        5000,
    );
    assert!(r.is_ok());
    assert!(
        took < Duration::from_millis(1500),
        "waited for EOF: {took:?}"
    );
}

#[test]
fn garbage_is_named_with_what_came() {
    let (r, _) = collect_with(
        |_| Reply::Send(b"<html>502 Bad Gateway</html>".to_vec()),
        2000,
    );
    let e = r.unwrap_err();
    assert!(matches!(e, SourceError::Garbage { .. }), "{e:?}");
    assert!(e.to_string().contains("<html>502"), "{e}");
}

#[test]
fn cut_answer_says_cut() {
    let (r, _) = collect_with(
        |req| {
            let b = good_answer(req);
            Reply::Send(b[..b.len() / 2].to_vec())
        },
        2000,
    );
    let e = r.unwrap_err();
    assert!(matches!(e, SourceError::Truncated { .. }), "{e:?}");
    assert!(e.to_string().starts_with("answer cut off after"), "{e}");
}

#[test]
fn silent_server_times_out_on_time() {
    let (r, took) = collect_with(|_| Reply::Silence(Duration::from_secs(3)), 400);
    let e = r.unwrap_err();
    assert!(matches!(e, SourceError::Timeout { .. }), "{e:?}");
    assert!(e.to_string().contains("no answer from"), "{e}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
}

#[test]
fn empty_answer_is_told_apart() {
    let (r, _) = collect_with(|_| Reply::Close, 2000);
    let e = r.unwrap_err();
    assert!(matches!(e, SourceError::EmptyAnswer { .. }), "{e:?}");
}

#[test]
fn rpc_error_object_is_reported() {
    let (r, _) = collect_with(
        |_| {
            Reply::Send(
                std::fs::read(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/fixtures/ats-10.2/doc_09_resp.json"
                ))
                .unwrap(),
            )
        },
        2000,
    );
    let e = r.unwrap_err().to_string();
    assert!(
        e.contains("error 9") && e.contains("Plugin is not yet ready"),
        "{e}"
    );
}

#[test]
fn oversized_request_is_dropped_by_ats_so_we_split() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sock");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let server = serve(
        &path,
        Box::new(move |req: &[u8]| {
            seen2.lock().unwrap().push(req.len());
            Reply::Send(good_answer(req))
        }),
    )
    .unwrap();
    // 4000 names: about 300 kB of request if sent at once.
    let mut many: Vec<String> = (0..4000)
        .map(|i| format!("proxy.process.made.up.record.number_{i:05}"))
        .collect();
    many.push("proxy.process.http.incoming_requests".into());
    let r = source(&path, 3000).collect(&many).unwrap();
    assert_eq!(r.missing.len(), 4000);
    assert!(r
        .values
        .contains_key("proxy.process.http.incoming_requests"));
    let sizes = seen.lock().unwrap().clone();
    assert!(
        sizes.len() >= 3 && sizes.iter().all(|s| *s < 96_000),
        "{sizes:?}"
    );
    // And a single raw request over the limit really is dropped unanswered.
    let big = vec![b' '; 100_000];
    let e = traffic_grapher::source::transport::exchange(&path, &big, Duration::from_secs(2))
        .unwrap_err();
    assert!(
        matches!(
            e,
            SourceError::Reset { .. } | SourceError::EmptyAnswer { .. }
        ),
        "{e:?}"
    );
    server.stop();
}

#[test]
fn reset_connection_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sock");
    let l = UnixListener::bind(&path).unwrap();
    let t = std::thread::spawn(move || {
        // Accept, wait for the request to arrive, close without reading it: the
        // kernel resets the connection.
        let (c, _) = l.accept().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        drop(c);
    });
    let e = source(&path, 2000).collect(&keys()).unwrap_err();
    t.join().unwrap();
    let msg = e.to_string();
    assert!(matches!(e, SourceError::Reset { .. }), "{e:?}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
}

#[test]
fn refused_and_missing_sockets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dead.sock");
    drop(UnixListener::bind(&path).unwrap()); // the file stays, nobody listens
    let e = source(&path, 500).collect(&keys()).unwrap_err();
    assert!(matches!(e, SourceError::ConnectionRefused { .. }), "{e:?}");
    assert!(e.to_string().contains("is traffic_server running?"));

    let missing = dir.path().join("nope.sock");
    let e = source(&missing, 500).collect(&keys()).unwrap_err();
    assert!(e.to_string().contains("nope.sock not found"), "{e}");

    let file = dir.path().join("plain");
    std::fs::write(&file, "x").unwrap();
    let e = source(&file, 500).collect(&keys()).unwrap_err();
    assert!(matches!(e, SourceError::NotASocket { .. }), "{e:?}");
}

#[test]
fn a_host_that_dies_and_comes_back_is_picked_up_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jsonrpc20.sock");
    let mut src = source(&path, 1000);
    let server = serve(&path, Box::new(|req: &[u8]| Reply::Send(good_answer(req)))).unwrap();
    assert!(src.collect(&keys()).is_ok());
    server.stop();
    assert!(src.collect(&keys()).is_err());
    let server = serve(&path, Box::new(|req: &[u8]| Reply::Send(good_answer(req)))).unwrap();
    assert!(src.collect(&keys()).is_ok(), "same source, no restart");
    server.stop();
}
