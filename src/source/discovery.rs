//! Finding the local JSON-RPC socket as the earlier tool did: traffic_ctl's
//! local_state_dir, then the usual install prefixes.

use super::SourceError;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    pub path: PathBuf,
    /// How it was found, for messages: "from --socket", "via traffic_ctl", ...
    pub how: String,
}

pub(crate) const PREFIXES: [&str; 5] = [
    "/usr/local",
    "/opt/ats",
    "/opt/trafficserver",
    "/usr",
    "/opt/ts",
];
pub(crate) const SOCKET_NAME: &str = "jsonrpc20.sock";

pub fn discover_local_socket() -> Result<Discovered, SourceError> {
    let mut tried = Vec::new();
    match traffic_ctl_state_dir() {
        Ok((ctl, dir)) => {
            let p = dir.join(SOCKET_NAME);
            if is_socket(&p) {
                return Ok(Discovered {
                    path: p,
                    how: format!("local_state_dir from {}", ctl.display()),
                });
            }
            tried.push(format!("{} (from {})", p.display(), ctl.display()));
        }
        Err(why) => tried.push(why),
    }
    let mut candidates: Vec<PathBuf> = PREFIXES
        .iter()
        .map(|p| Path::new(p).join("var/trafficserver").join(SOCKET_NAME))
        .collect();
    // Distribution packages put run-time state under /run.
    candidates.push(PathBuf::from("/run/trafficserver").join(SOCKET_NAME));
    for p in candidates {
        if is_socket(&p) {
            return Ok(Discovered {
                path: p,
                how: "found under the usual prefixes".into(),
            });
        }
        tried.push(p.display().to_string());
    }
    Err(SourceError::NotDiscovered {
        tried: tried.join(", "),
    })
}

fn is_socket(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.file_type().is_socket())
}

/// Runs `traffic_ctl config get proxy.config.local_state_dir` (2 s at most).
fn traffic_ctl_state_dir() -> Result<(PathBuf, PathBuf), String> {
    let ctl = find_traffic_ctl()
        .ok_or_else(|| "traffic_ctl (not on PATH nor under the usual prefixes)".to_string())?;
    let mut child = Command::new(&ctl)
        .args(["config", "get", "proxy.config.local_state_dir"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{} ({e})", ctl.display()))?;
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{} (did not answer within 2 s)", ctl.display()));
            }
        }
    }
    let mut out = String::new();
    if let Some(mut so) = child.stdout.take() {
        use std::io::Read;
        let _ = so.read_to_string(&mut out);
    }
    // "proxy.config.local_state_dir: var/trafficserver" (relative to the prefix)
    let value = out
        .lines()
        .find_map(|l| {
            l.split_once("local_state_dir:")
                .map(|(_, v)| v.trim().to_string())
        })
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("{} (no local_state_dir in its answer)", ctl.display()))?;
    let dir = PathBuf::from(&value);
    let dir = if dir.is_absolute() {
        dir
    } else {
        // Relative to the install prefix: <prefix>/bin/traffic_ctl -> <prefix>/<value>
        ctl.parent()
            .and_then(Path::parent)
            .map_or(dir.clone(), |prefix| prefix.join(&dir))
    };
    Ok((ctl, dir))
}

fn find_traffic_ctl() -> Option<PathBuf> {
    let path_dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    path_dirs
        .into_iter()
        .chain(PREFIXES.iter().map(|p| Path::new(p).join("bin")))
        .map(|d| d.join("traffic_ctl"))
        .find(|p| p.is_file())
}
