//! Every failure a collection can meet, each with a message an operator can act on.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    #[error("socket {path} not found ({how})")]
    SocketNotFound { path: PathBuf, how: String },
    #[error("no JSON-RPC socket found; tried: {tried}. Is ATS 10 running here? Give the path with --socket or TRAFFICSERVER_JSONRPC_SOCKET")]
    NotDiscovered { tried: String },
    #[error("permission denied on {path}: the socket is restricted to its owner (jsonrpc.yaml restricted_api: true); run as root or as the ATS user")]
    PermissionDenied { path: PathBuf },
    #[error("connection refused on {path}: is traffic_server running?")]
    ConnectionRefused { path: PathBuf },
    #[error("{path} is not a socket")]
    NotASocket { path: PathBuf },
    #[error("no answer from {path} within {:.1}s ({got} bytes received)", .after.as_secs_f64())]
    Timeout {
        path: PathBuf,
        after: Duration,
        got: usize,
    },
    #[error("connection closed with no answer by {path} (the server dropped the request; it may be over ATS's size limit)")]
    EmptyAnswer { path: PathBuf },
    #[error("connection reset by {path} before an answer (ATS restarting, or the request was over its size limit)")]
    Reset { path: PathBuf },
    #[error("answer cut off after {got} bytes: {detail}")]
    Truncated { got: usize, detail: String },
    #[error("garbage instead of JSON-RPC ({detail}): {snippet:?}")]
    Garbage { detail: String, snippet: String },
    #[error("ATS refused the call: {message} (code {code}); the socket allows read-only calls only to permitted users, run as root or as the ATS user")]
    Unauthorized { code: i64, message: String },
    #[error("ATS answered with error {code}: {message}{data}")]
    Rpc {
        code: i64,
        message: String,
        data: String,
    },
    #[error("ssh {host}: {detail}")]
    Ssh { host: String, detail: String },
    #[error("no JSON-RPC socket found on {host}; tried: {tried}. Is ATS 10 running there? Give its path with --socket")]
    RemoteNotDiscovered { host: String, tried: String },
    #[error("remote socket {host}:{path} could not be opened (missing, no permission, or socket forwarding disabled in sshd){said}")]
    RemoteSocket {
        host: String,
        path: PathBuf,
        said: String,
    },
    #[error("{url}: {detail}")]
    Http { url: String, detail: String },
    /// A failure read back from a recording, in the words it had then.
    #[error("{0}")]
    Recorded(String),
    #[error("I/O error on {path}: {message}")]
    Io { path: PathBuf, message: String },
}

impl SourceError {
    pub(crate) fn io(path: &std::path::Path, e: &std::io::Error) -> Self {
        SourceError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}
