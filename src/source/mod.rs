//! Where numbers come from: the JSON-RPC 2.0 codec, the Unix-socket transport with its
//! ATS-specific reading rules, socket discovery, the simulator behind `--demo` and the
//! per-host poller thread, and remote hosts through ssh. Knows nothing about pages or pixels.

mod discovery;
mod error;
pub mod http;
pub mod jsonrpc;
mod local;
pub mod poller;
pub mod sim;
pub mod ssh;
pub mod transport;

pub use discovery::{discover_local_socket, Discovered};
pub use error::SourceError;
pub use local::SocketSource;

use std::collections::HashMap;

/// What one host answered to one collection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// Numeric records by name.
    pub values: HashMap<String, f64>,
    /// Records that came back as text (the version string, for instance).
    pub texts: HashMap<String, String>,
    /// Names the host does not have (ATS's errorList).
    pub missing: Vec<String>,
    /// When the host read its counters (seconds since the epoch), when the source knows
    /// it better than the poller: the first collection of an SSH host also starts ssh,
    /// and the values belong to the request, not to that start.
    pub t: Option<f64>,
    /// ATS's data type per record (INT, FLOAT, COUNTER, ...), where the source says it.
    pub types: HashMap<String, String>,
}

impl Reading {
    pub fn merge(&mut self, other: Reading) {
        self.values.extend(other.values);
        self.texts.extend(other.texts);
        self.missing.extend(other.missing);
        self.t = self.t.or(other.t);
        self.types.extend(other.types);
    }
}

/// Anything that can be asked for a set of records once per tick.
pub trait Source: Send {
    /// Reads `keys` now. Must return within a bounded time.
    fn collect(&mut self, keys: &[String]) -> Result<Reading, SourceError>;
    /// Where this source reads from, for start-up lines and logs.
    fn describe(&self) -> String;
    /// Every metric record whose name matches `pattern` (a case-insensitive regex that
    /// matches anywhere, as ATS's `record_name_regex`), with its value and type.
    fn list(&mut self, pattern: &str) -> Result<Reading, SourceError>;
}

/// `pattern` as ATS reads a `record_name_regex`: case-insensitive, unanchored.
pub fn name_regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .map_err(|e| {
            // The regex crate's message draws the pattern over several lines.
            let why = e.to_string();
            let last = why.lines().last().unwrap_or(&why).trim().to_string();
            format!("bad pattern {pattern:?}: {last}")
        })
}

/// Keeps the records of `all` whose names match `re`.
pub fn filter_reading(all: Reading, re: &regex::Regex) -> Reading {
    let keep = |k: &String| re.is_match(k);
    Reading {
        values: all.values.into_iter().filter(|(k, _)| keep(k)).collect(),
        texts: all.texts.into_iter().filter(|(k, _)| keep(k)).collect(),
        types: all.types.into_iter().filter(|(k, _)| keep(k)).collect(),
        ..Reading::default()
    }
}

/// The record that names the ATS version; asked for with every tick's keys.
pub const VERSION_RECORD: &str = "proxy.process.version.server.short";
