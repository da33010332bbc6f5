//! One JSON-RPC exchange over a Unix socket, the way ATS's server wants it: the whole
//! request in one write, then read until one complete JSON value or EOF, whichever
//! comes first, with a deadline so a silent server cannot hold a tick.

use super::jsonrpc::{
    build_regex_request, build_requests, is_complete, parse_response, MAX_REQUEST_BYTES,
};
use super::sim::now_secs;
use super::{Reading, SourceError};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// Largest answer we accept; far above any real one (a full record dump is ~1 MB).
const MAX_ANSWER_BYTES: usize = 64 << 20;

/// Asks the socket at `path` for `keys` (one request, or several when they would pass
/// ATS's request size limit); `next_id` numbers the requests.
pub fn call_records(
    path: &Path,
    keys: &[String],
    next_id: &mut u64,
    timeout: Duration,
) -> Result<Reading, SourceError> {
    let mut reading = Reading::default();
    let (t0, w0) = (Instant::now(), now_secs());
    let mut first_answer = None;
    for req in build_requests(keys, *next_id, MAX_REQUEST_BYTES) {
        *next_id += 1;
        let (answer, at) = exchange_timed(path, &req, timeout)?;
        first_answer.get_or_insert(at);
        reading.merge(parse_response(&answer)?);
    }
    // The values are those of the moment the server answered: the answer's first byte
    // comes right after (a fresh SSH channel can take tens of ms to open before the
    // server even sees the request, so the middle of the call would be early).
    reading.t = first_answer.map(|at| w0 + at.duration_since(t0).as_secs_f64());
    Ok(reading)
}

/// Every metric record on the socket at `path` whose name matches `pattern`.
pub fn call_lookup_regex(
    path: &Path,
    pattern: &str,
    next_id: &mut u64,
    timeout: Duration,
) -> Result<Reading, SourceError> {
    *next_id += 1;
    parse_response(&exchange(
        path,
        &build_regex_request(pattern, *next_id),
        timeout,
    )?)
}

pub fn exchange(path: &Path, request: &[u8], timeout: Duration) -> Result<Vec<u8>, SourceError> {
    exchange_timed(path, request, timeout).map(|(answer, _)| answer)
}

/// As `exchange`, also giving when the answer's first byte arrived.
fn exchange_timed(
    path: &Path,
    request: &[u8],
    timeout: Duration,
) -> Result<(Vec<u8>, Instant), SourceError> {
    ask(path, request, timeout, is_complete)
}

/// Connects to `path`, writes `request` in one write, and reads until `done` says the
/// answer is whole, or EOF, within `timeout`; the answer and when its first byte came.
pub fn ask(
    path: &Path,
    request: &[u8],
    timeout: Duration,
    done: fn(&[u8]) -> bool,
) -> Result<(Vec<u8>, Instant), SourceError> {
    let start = Instant::now();
    let mut stream = UnixStream::connect(path).map_err(|e| connect_error(path, &e))?;
    let io = |e: std::io::Error| SourceError::io(path, &e);
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    // ATS reads until no byte comes for 1 ms: one write_all on a fresh socket is one
    // send for requests this size, so the request is never split by a pause.
    stream.write_all(request).map_err(|e| match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => SourceError::Timeout {
            path: path.to_path_buf(),
            after: start.elapsed(),
            got: 0,
        },
        _ => io(e),
    })?;

    let mut buf = Vec::with_capacity(16 * 1024);
    let mut first_byte = None;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Err(SourceError::Timeout {
                path: path.to_path_buf(),
                after: start.elapsed(),
                got: buf.len(),
            });
        }
        stream.set_read_timeout(Some(left)).map_err(io)?;
        match stream.read(&mut chunk) {
            Ok(0) => break, // EOF: the server closed after its one write
            Ok(n) => {
                first_byte.get_or_insert_with(Instant::now);
                buf.extend_from_slice(&chunk[..n]);
                if done(&buf) {
                    break;
                }
                if buf.len() > MAX_ANSWER_BYTES {
                    return Err(SourceError::Garbage {
                        detail: format!("answer larger than {} MB", MAX_ANSWER_BYTES >> 20),
                        snippet: String::from_utf8_lossy(&buf[..60]).into_owned(),
                    });
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(SourceError::Timeout {
                    path: path.to_path_buf(),
                    after: start.elapsed(),
                    got: buf.len(),
                })
            }
            // A reset after a complete answer cannot happen (we stop first); before
            // one, what we have is cut.
            Err(e) if e.kind() == ErrorKind::ConnectionReset && !buf.is_empty() => break,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                return Err(SourceError::Reset {
                    path: path.to_path_buf(),
                })
            }
            Err(e) => return Err(io(e)),
        }
    }
    if buf.iter().all(u8::is_ascii_whitespace) {
        return Err(SourceError::EmptyAnswer {
            path: path.to_path_buf(),
        });
    }
    Ok((buf, first_byte.unwrap_or(start)))
}

fn connect_error(path: &Path, e: &std::io::Error) -> SourceError {
    let path_buf = path.to_path_buf();
    match e.kind() {
        ErrorKind::NotFound => SourceError::SocketNotFound {
            path: path_buf,
            how: "no such file".into(),
        },
        ErrorKind::PermissionDenied => SourceError::PermissionDenied { path: path_buf },
        ErrorKind::ConnectionRefused => {
            // A regular file where the socket should be also refuses; say which.
            match std::fs::metadata(path) {
                Ok(m) if !m.file_type().is_socket() => SourceError::NotASocket { path: path_buf },
                _ => SourceError::ConnectionRefused { path: path_buf },
            }
        }
        _ => SourceError::io(path, e),
    }
}
