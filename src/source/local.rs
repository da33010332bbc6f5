//! A host read through a Unix socket: the local ATS (socket found by discovery) or an
//! explicit `unix:/path`.

use super::discovery::{discover_local_socket, Discovered};
use super::transport::{call_lookup_regex, call_records};
use super::{Reading, Source, SourceError};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct SocketSource {
    /// A path given by the user (`unix:`, `--socket`, the env var): never re-discovered.
    fixed: Option<Discovered>,
    found: Option<Discovered>,
    last_discovery: Option<Instant>,
    /// Why the last discovery failed, repeated until the next attempt.
    last_failure: Option<SourceError>,
    timeout: Duration,
    next_id: u64,
}

/// How often discovery is retried while no socket is found (it may start traffic_ctl).
const REDISCOVER_EVERY: Duration = Duration::from_secs(5);

impl SocketSource {
    /// `fixed`: a socket path the user gave, and how they gave it.
    pub fn new(fixed: Option<(PathBuf, String)>, timeout: Duration) -> Self {
        SocketSource {
            fixed: fixed.map(|(path, how)| Discovered { path, how }),
            found: None,
            last_discovery: None,
            last_failure: None,
            timeout,
            next_id: 1,
        }
    }

    /// The socket this source will use, discovering it if needed.
    pub fn resolve(&mut self) -> Result<Discovered, SourceError> {
        if let Some(f) = &self.fixed {
            return Ok(f.clone());
        }
        if let Some(f) = &self.found {
            return Ok(f.clone());
        }
        if let (Some(t), Some(e)) = (self.last_discovery, &self.last_failure) {
            if t.elapsed() < REDISCOVER_EVERY {
                return Err(e.clone());
            }
        }
        self.last_discovery = Some(Instant::now());
        match discover_local_socket() {
            Ok(d) => {
                self.found = Some(d.clone());
                self.last_failure = None;
                Ok(d)
            }
            Err(e) => {
                self.last_failure = Some(e.clone());
                Err(e)
            }
        }
    }
}

impl Source for SocketSource {
    fn collect(&mut self, keys: &[String]) -> Result<Reading, SourceError> {
        let sock = self.resolve()?;
        call_records(&sock.path, keys, &mut self.next_id, self.timeout).map_err(|e| match e {
            SourceError::SocketNotFound { path, .. } => {
                // A discovered socket that vanished (ATS stopped or moved): look again later.
                self.found = None;
                SourceError::SocketNotFound {
                    path,
                    how: sock.how.clone(),
                }
            }
            e => e,
        })
    }

    fn list(&mut self, pattern: &str) -> Result<Reading, SourceError> {
        let sock = self.resolve()?;
        call_lookup_regex(&sock.path, pattern, &mut self.next_id, self.timeout)
    }

    fn describe(&self) -> String {
        match self.fixed.as_ref().or(self.found.as_ref()) {
            Some(d) => format!("{} ({})", d.path.display(), d.how),
            None => "local socket (not found yet)".into(),
        }
    }
}
