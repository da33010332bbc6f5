//! A Unix-socket server that behaves as ATS 10.2's JSON-RPC server does
//! (src/mgmt/rpc/server/IPCSocketServer.cc): one client at a time; it reads until no
//! byte arrives within 1 ms, drops requests over 96000 bytes unanswered, answers with
//! one write and closes. Answers carry every field as a string, unknown names in
//! errorList (code 2000), and `error` objects for bad calls. A handler decides each
//! reply, so tests can inject garbage, cut, slow, empty and reset answers.

use super::model::RecordValue;
use serde_json::{json, Value};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// ATS's default `incoming_request_max_size`.
pub const REQUEST_LIMIT: usize = 96_000;

/// What the server does with one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Write these bytes in one write, then close (ATS's way).
    Send(Vec<u8>),
    /// Write the bytes in pieces with a pause between them, then close.
    Trickle {
        bytes: Vec<u8>,
        pieces: usize,
        pause: Duration,
    },
    /// Say nothing for this long, then close.
    Silence(Duration),
    /// Close without a byte (ATS does this for a request over its size limit).
    Close,
}

pub type Handler = Box<dyn FnMut(&[u8]) -> Reply + Send>;

pub struct SimServer {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SimServer {
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// Stops accepting and removes the socket file.
    pub fn stop(mut self) {
        self.shutdown();
    }
    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = UnixStream::connect(&self.path);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Serves `handler` on a Unix socket at `path` (an old socket file there is replaced,
/// as ATS does) in a thread of its own.
pub fn serve(path: &Path, mut handler: Handler) -> std::io::Result<SimServer> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let thread = std::thread::Builder::new()
        .name("sim-server".into())
        .spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut conn) = conn else { continue };
                // One client at a time, as ATS: the next waits in the backlog.
                match read_request(&mut conn) {
                    Some(req) if req.len() >= REQUEST_LIMIT => {} // dropped unanswered
                    Some(req) => write_reply(&mut conn, handler(&req)),
                    None => {}
                }
            }
        })?;
    Ok(SimServer {
        path: path.to_path_buf(),
        stop,
        thread: Some(thread),
    })
}

/// Reads until no byte comes within 1 ms (after the first), as ATS's read_all does
/// with poll(). A socket read timeout would round 1 ms up to a scheduler tick (4 ms or
/// more), so the idle time is measured here instead.
fn read_request(conn: &mut UnixStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    // The first byte may take a while (client scheduling); ATS polls for it.
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut last_byte = Instant::now();
    loop {
        match conn.read(&mut chunk) {
            Ok(0) => return None, // peer went away before a full request
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() >= REQUEST_LIMIT {
                    return Some(buf);
                }
                let _ = conn.set_nonblocking(true);
                last_byte = Instant::now();
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock && !buf.is_empty() => {
                if last_byte.elapsed() >= Duration::from_millis(1) {
                    let _ = conn.set_nonblocking(false);
                    return Some(buf);
                }
                std::thread::sleep(Duration::from_micros(50));
            }
            Err(_) => return None,
        }
    }
}

fn write_reply(conn: &mut UnixStream, reply: Reply) {
    match reply {
        Reply::Send(b) => {
            let _ = conn.write_all(&b);
        }
        Reply::Trickle {
            bytes,
            pieces,
            pause,
        } => {
            let size = bytes.len().div_ceil(pieces.max(1)).max(1);
            for piece in bytes.chunks(size) {
                if conn.write_all(piece).is_err() {
                    return;
                }
                let _ = conn.flush();
                std::thread::sleep(pause);
            }
        }
        Reply::Silence(d) => std::thread::sleep(d),
        Reply::Close => {}
    }
}

/// ATS 10.2's answer to a request, given a record lookup. Returns the bytes of the
/// whole answer (one JSON value).
pub fn ats_answer(
    request: &[u8],
    lookup: &mut dyn FnMut(&str) -> Option<RecordValue>,
    names: &[String],
) -> Vec<u8> {
    let v: Value = match serde_json::from_slice(request) {
        Ok(v) => v,
        Err(_) => return error_obj(None, -32700, "Parse error"),
    };
    match v {
        Value::Array(items) => {
            let answers: Vec<Value> = items.iter().map(|i| answer_one(i, lookup, names)).collect();
            Value::Array(answers).to_string().into_bytes()
        }
        other => answer_one(&other, lookup, names).to_string().into_bytes(),
    }
}

fn error_obj(id: Option<&Value>, code: i64, message: &str) -> Vec<u8> {
    error_value(id, code, message).to_string().into_bytes()
}

fn error_value(id: Option<&Value>, code: i64, message: &str) -> Value {
    let mut o = json!({"jsonrpc": "2.0", "error": {"code": code, "message": message}});
    if let Some(id) = id {
        o["id"] = id.clone();
    }
    o
}

fn answer_one(
    req: &Value,
    lookup: &mut dyn FnMut(&str) -> Option<RecordValue>,
    names: &[String],
) -> Value {
    let id = req.get("id");
    if req.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return error_value(id, -32600, "Invalid Request");
    }
    if req.get("method").and_then(Value::as_str) != Some("admin_lookup_records") {
        return error_value(id, -32601, "Method not found");
    }
    let Some(params) = req.get("params").and_then(Value::as_array) else {
        return error_value(id, -32602, "Invalid params");
    };
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for p in params {
        let (name, regex) = (
            p.get("record_name").and_then(Value::as_str),
            p.get("record_name_regex").and_then(Value::as_str),
        );
        let found: Vec<(String, RecordValue)> = match (name, regex) {
            (Some(n), None) => lookup(n).map(|r| (n.to_string(), r)).into_iter().collect(),
            (None, Some(re)) => match regex::RegexBuilder::new(re).case_insensitive(true).build() {
                Ok(re) => names
                    .iter()
                    .filter(|n| re.is_match(n))
                    .filter_map(|n| lookup(n).map(|r| (n.clone(), r)))
                    .collect(),
                Err(_) => Vec::new(),
            },
            _ => return error_value(id, 9, "Error during execution"),
        };
        if found.is_empty() {
            let label = name.or(regex).unwrap_or_default();
            errors.push(json!({"code": "2000", "record_name": label}));
        }
        for (n, r) in found {
            records.push(json!({"record": {
                "record_name": n,
                "record_type": r.record_type,
                "version": "0",
                "raw_stat_block": "0",
                "order": "0",
                "stat_meta": {"persist_type": "1"},
                "record_class": "2",
                "overridable": "false",
                "data_type": r.data_type,
                "current_value": r.value,
                "default_value": "0",
            }}));
        }
    }
    let mut o = json!({"jsonrpc": "2.0", "result": {"recordList": records, "errorList": errors}});
    if let Some(id) = id {
        o["id"] = id.clone();
    }
    o
}
