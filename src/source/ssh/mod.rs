//! Remote hosts over SSH: one persistent `ssh -N -L` forward per host, then JSON-RPC
//! through it exactly as on a local socket. The system ssh is used so the operator's
//! ~/.ssh/config, agents, bastions and certificates all apply.

mod command;
mod diagnose;
mod discover;
mod tunnel;

pub use command::{check_option, check_remote_path, check_stats_url, SshOptions};

use super::http::{get_over_unix, parse_stats, select};
use super::transport::{call_lookup_regex, call_records};
use super::{Reading, Source, SourceError};
use discover::{discover, Failure};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tunnel::Tunnel;

/// How long ssh may take to connect and authenticate (bastions included).
pub const CONNECT_WAIT: Duration = Duration::from_secs(15);
/// Longest wait between attempts to bring a failed forward back.
const MAX_BACKOFF_SECS: u64 = 30;

pub struct SshSource {
    host: String,
    opts: SshOptions,
    /// Our end of the forward, in the run's private directory.
    local: PathBuf,
    /// The remote socket: given (--socket), or found once by discovery.
    remote: Option<(PathBuf, String)>,
    /// Instead of the socket: stats_over_http at ("host:port", "/path") on the host.
    stats: Option<(String, String)>,
    tunnel: Option<Tunnel>,
    /// Failed attempts in a row, for the backoff.
    failures: u32,
    retry_at: Option<Instant>,
    last_error: Option<SourceError>,
    timeout: Duration,
    next_id: u64,
}

impl SshSource {
    pub fn new(
        host: String,
        opts: SshOptions,
        local: PathBuf,
        remote: Option<PathBuf>,
        timeout: Duration,
    ) -> Self {
        SshSource {
            host,
            opts,
            local,
            remote: remote.map(|p| (p, "from --socket".to_string())),
            stats: None,
            tunnel: None,
            failures: 0,
            retry_at: None,
            last_error: None,
            timeout,
            next_id: 1,
        }
    }

    /// Reads the host's stats_over_http at `hostport` and `path` (as the host sees them)
    /// instead of its JSON-RPC socket: ATS 9 fleets reached through SSH.
    pub fn with_stats(mut self, hostport: String, path: String) -> Self {
        self.stats = Some((hostport, path));
        self
    }

    /// The ssh child's pid while a forward is up (for tests and logs).
    pub fn ssh_pid(&self) -> Option<u32> {
        self.tunnel.as_ref().map(Tunnel::pid)
    }

    fn ssh_error(&self, detail: String) -> SourceError {
        SourceError::Ssh {
            host: self.host.clone(),
            detail,
        }
    }

    /// Records a failed attempt: the next one waits 1, 2, 4 … 30 s.
    fn failed(&mut self, e: SourceError) -> SourceError {
        self.failures = self.failures.saturating_add(1);
        let secs = (1u64 << self.failures.saturating_sub(1).min(5)).min(MAX_BACKOFF_SECS);
        self.retry_at = Some(Instant::now() + Duration::from_secs(secs));
        self.last_error = Some(e.clone());
        e
    }

    fn open(&mut self) -> Result<(), SourceError> {
        if let Some((hostport, _)) = &self.stats {
            let t = Tunnel::open(&self.opts, &self.host, &self.local, hostport, CONNECT_WAIT)
                .map_err(|d| self.ssh_error(d))?;
            self.tunnel = Some(t);
            return Ok(());
        }
        let remote = match &self.remote {
            Some((p, _)) => p.clone(),
            None => match discover(&self.opts, &self.host, CONNECT_WAIT) {
                Ok((p, how)) => {
                    self.remote = Some((p.clone(), how));
                    p
                }
                Err(Failure::Ssh(d)) => return Err(self.ssh_error(d)),
                Err(Failure::NotFound(tried)) => {
                    return Err(SourceError::RemoteNotDiscovered {
                        host: self.host.clone(),
                        tried: tried.join(", "),
                    })
                }
            },
        };
        let spec = remote.to_string_lossy().into_owned();
        let t = Tunnel::open(&self.opts, &self.host, &self.local, &spec, CONNECT_WAIT)
            .map_err(|d| self.ssh_error(d))?;
        self.tunnel = Some(t);
        Ok(())
    }

    /// The whole stats_over_http answer through the forward.
    fn stats_reading(&mut self) -> Result<(Reading, f64), SourceError> {
        let Some((hostport, path)) = self.stats.clone() else {
            return Err(self.ssh_error("no stats URL".into()));
        };
        let url = format!("http://{hostport}{path} on {}", self.host);
        let got = get_over_unix(&self.local, &hostport, &path, self.timeout);
        let (status, body, at) = match got {
            Ok(x) => x,
            Err(e) => {
                std::thread::sleep(Duration::from_millis(10));
                if let Some(e) = self.check_tunnel() {
                    return Err(self.failed(e));
                }
                return Err(SourceError::Http {
                    url,
                    detail: match e {
                        SourceError::EmptyAnswer { .. } | SourceError::Reset { .. } => {
                            "no answer through the SSH forward: is ATS listening there?".into()
                        }
                        e => e.to_string(),
                    },
                });
            }
        };
        if status != 200 {
            return Err(SourceError::Http {
                url,
                detail: format!("HTTP {status}"),
            });
        }
        let reading = parse_stats(&body).map_err(|detail| SourceError::Http { url, detail })?;
        self.failures = 0;
        self.last_error = None;
        Ok((reading, at))
    }

    /// A forward that is up: the one there, or a new one unless the backoff says wait.
    fn ready(&mut self) -> Result<(), SourceError> {
        if let Some(e) = self.check_tunnel() {
            return Err(self.failed(e));
        }
        if self.tunnel.is_none() {
            if let (Some(at), Some(e)) = (self.retry_at, &self.last_error) {
                if Instant::now() < at {
                    return Err(e.clone());
                }
            }
            if let Err(e) = self.open() {
                return Err(self.failed(e));
            }
        }
        Ok(())
    }

    /// A forward that has ended is dropped, with ssh's reason.
    fn check_tunnel(&mut self) -> Option<SourceError> {
        let why = self.tunnel.as_mut()?.exited()?;
        self.tunnel = None;
        Some(self.ssh_error(format!("forward ended: {why}")))
    }

    /// Errors from the local end of the forward, said in terms of the remote host.
    fn through_tunnel(&self, e: SourceError) -> SourceError {
        let remote = self
            .remote
            .as_ref()
            .map_or_else(PathBuf::new, |(p, _)| p.clone());
        let said = self
            .tunnel
            .as_ref()
            .map(|t| t.stderr.snapshot())
            .and_then(|l| l.into_iter().rev().find(|l| l.contains("open failed")))
            .map_or_else(String::new, |l| format!("; ssh said {l:?}"));
        let at = PathBuf::from(format!("{}:{}", self.host, remote.display()));
        match e {
            SourceError::EmptyAnswer { .. }
            | SourceError::Reset { .. }
            | SourceError::ConnectionRefused { .. } => SourceError::RemoteSocket {
                host: self.host.clone(),
                path: remote,
                said,
            },
            SourceError::Timeout { after, got, .. } => SourceError::Timeout {
                path: at,
                after,
                got,
            },
            SourceError::Io { message, .. } => SourceError::Io { path: at, message },
            e => e,
        }
    }
}

impl Source for SshSource {
    fn collect(&mut self, keys: &[String]) -> Result<Reading, SourceError> {
        self.ready()?;
        if self.stats.is_some() {
            return self.stats_reading().map(|(all, at)| select(all, keys, at));
        }
        match call_records(&self.local, keys, &mut self.next_id, self.timeout) {
            Ok(r) => {
                self.failures = 0;
                self.last_error = None;
                Ok(r)
            }
            Err(e) => {
                // ssh may have died under the call (sshd gone, network down).
                std::thread::sleep(Duration::from_millis(10));
                if let Some(e) = self.check_tunnel() {
                    return Err(self.failed(e));
                }
                Err(self.through_tunnel(e))
            }
        }
    }

    fn list(&mut self, pattern: &str) -> Result<Reading, SourceError> {
        self.ready()?;
        if self.stats.is_some() {
            let re = super::name_regex(pattern).map_err(|d| self.ssh_error(d))?;
            return Ok(super::filter_reading(self.stats_reading()?.0, &re));
        }
        call_lookup_regex(&self.local, pattern, &mut self.next_id, self.timeout)
            .map_err(|e| self.through_tunnel(e))
    }

    fn describe(&self) -> String {
        match &self.remote {
            Some((p, how)) => format!("ssh {} -> {} ({how})", self.host, p.display()),
            None => format!("ssh {} (remote socket not found yet)", self.host),
        }
    }
}
