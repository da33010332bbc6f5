//! Finding the JSON-RPC socket on a remote host once at start, in the earlier tool's
//! order (traffic_ctl's local_state_dir, then the usual prefixes), with a fixed POSIX
//! sh script fed to `ssh HOST sh -s`: no remote Python, nothing quoted into a command.

use super::command::{check_remote_path, script_args, SshOptions};
use super::diagnose::describe_exit;
use super::tunnel::{spawn_ssh, StderrLines};
use crate::source::discovery::{PREFIXES, SOCKET_NAME};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The discovery script. Prints `found<TAB>PATH<TAB>HOW` for the first socket found,
/// else `tried<TAB>WHAT` for each place looked at. Built only from our constants.
pub fn script() -> String {
    let ctl_candidates: Vec<String> = PREFIXES
        .iter()
        .map(|p| format!("{p}/bin/traffic_ctl"))
        .collect();
    let dirs: Vec<String> = PREFIXES
        .iter()
        .map(|p| format!("{p}/var/trafficserver"))
        .chain(std::iter::once("/run/trafficserver".to_string()))
        .collect();
    format!(
        r#"T=""; command -v timeout >/dev/null 2>&1 && T="timeout 2"
ctl=""
for c in "$(command -v traffic_ctl 2>/dev/null)" {ctls}; do
  if [ -n "$c" ] && [ -x "$c" ]; then ctl="$c"; break; fi
done
if [ -z "$ctl" ]; then
  printf 'tried\ttraffic_ctl (not on PATH nor under the usual prefixes)\n'
else
  d=$($T "$ctl" config get proxy.config.local_state_dir 2>/dev/null | sed -n 's/.*local_state_dir: *//p' | head -n 1)
  if [ -z "$d" ]; then
    printf 'tried\t%s (no local_state_dir in its answer)\n' "$ctl"
  else
    case "$d" in /*) ;; *) d="$(dirname "$(dirname "$ctl")")/$d" ;; esac
    if [ -S "$d/{sock}" ]; then printf 'found\t%s\tlocal_state_dir from %s\n' "$d/{sock}" "$ctl"; exit 0; fi
    printf 'tried\t%s (from %s)\n' "$d/{sock}" "$ctl"
  fi
fi
for p in {dirs}; do
  if [ -S "$p/{sock}" ]; then printf 'found\t%s\tunder the usual prefixes\n' "$p/{sock}"; exit 0; fi
  printf 'tried\t%s\n' "$p/{sock}"
done
exit 0
"#,
        ctls = ctl_candidates.join(" "),
        dirs = dirs.join(" "),
        sock = SOCKET_NAME,
    )
}

/// The script's answer: the socket found (and how), or everything tried.
pub fn parse(out: &str) -> Result<(PathBuf, String), Vec<String>> {
    let mut tried = Vec::new();
    for line in out.lines() {
        let mut parts = line.splitn(3, '\t');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("found"), Some(path), how) => match check_remote_path(path) {
                Ok(p) => return Ok((p, how.unwrap_or("found").to_string())),
                Err(e) => tried.push(e),
            },
            (Some("tried"), Some(what), _) => tried.push(what.to_string()),
            _ => {}
        }
    }
    Err(tried)
}

pub enum Failure {
    /// ssh itself failed (could not connect, authenticate, ...): its message.
    Ssh(String),
    /// The host was reached and has no socket where we looked.
    NotFound(Vec<String>),
}

/// Runs the script on `host` (at most `wait`).
pub fn discover(
    opts: &SshOptions,
    host: &str,
    wait: Duration,
) -> Result<(PathBuf, String), Failure> {
    let mut child = spawn_ssh(&script_args(opts, host), Stdio::piped(), Stdio::piped())
        .map_err(|e| Failure::Ssh(format!("cannot run ssh: {e}")))?;
    let stderr = child
        .stderr
        .take()
        .map(StderrLines::collect)
        .unwrap_or_default();
    if let Some(mut stdin) = child.stdin.take() {
        // A host that fails before reading its stdin closes the pipe: ssh's exit says why.
        let _ = stdin.write_all(script().as_bytes());
    }
    let deadline = Instant::now() + wait;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::Ssh(format!(
                    "ssh did not finish socket discovery within {:.0}s",
                    wait.as_secs_f64()
                )));
            }
            Err(e) => return Err(Failure::Ssh(format!("cannot watch ssh: {e}"))),
        }
    };
    let mut out = String::new();
    if let Some(mut so) = child.stdout.take() {
        let _ = so.read_to_string(&mut out);
    }
    if status.code() == Some(255) || (out.trim().is_empty() && !status.success()) {
        std::thread::sleep(Duration::from_millis(20));
        return Err(Failure::Ssh(describe_exit(
            &stderr.snapshot(),
            status.code(),
        )));
    }
    parse(&out).map_err(Failure::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_finds_a_socket_by_traffic_ctl_and_lists_what_it_tried() {
        // Run the script with the local sh, a fake traffic_ctl first on PATH.
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        let state = dir.path().join("var/trafficserver");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&state).unwrap();
        let ctl = bin.join("traffic_ctl");
        std::fs::write(
            &ctl,
            "#!/bin/sh\necho 'proxy.config.local_state_dir: var/trafficserver'\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ctl, std::fs::Permissions::from_mode(0o755)).unwrap();
        let run = || {
            let mut child = std::process::Command::new("sh")
                .arg("-s")
                .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(script().as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            String::from_utf8(out.stdout).unwrap()
        };
        // No socket yet: every place is listed, the relative dir resolved from the prefix.
        let tried = parse(&run()).unwrap_err();
        let want = state.join(SOCKET_NAME);
        assert!(
            tried[0].starts_with(&want.display().to_string()),
            "{tried:?}"
        );
        assert!(tried
            .iter()
            .any(|t| t == "/run/trafficserver/jsonrpc20.sock"));
        assert_eq!(tried.len(), 1 + PREFIXES.len() + 1);
        let _l = std::os::unix::net::UnixListener::bind(&want).unwrap();
        let (path, how) = parse(&run()).unwrap();
        assert_eq!(path, want);
        assert!(how.contains("traffic_ctl"), "{how}");
    }

    #[test]
    fn parse_refuses_paths_it_would_not_forward() {
        let e = parse("found\t/a:b/jsonrpc20.sock\thow\n").unwrap_err();
        assert!(e[0].contains("':'"), "{e:?}");
        assert!(parse("").unwrap_err().is_empty());
    }
}
