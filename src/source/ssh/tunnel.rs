//! One long-lived `ssh -N -L local.sock:remote.sock -- HOST` child. Its stderr is kept
//! (the last lines) so a failure can be told in ssh's own words; the child is killed and
//! its socket removed when the tunnel is dropped, and the kernel ends it if we die first.

use super::command::{forward_args, SshOptions};
use super::diagnose::describe_exit;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The stderr lines of an ssh child, the last few kept.
#[derive(Clone, Default)]
pub struct StderrLines(Arc<Mutex<VecDeque<String>>>);

impl StderrLines {
    const KEEP: usize = 20;

    /// Reads `from` until EOF on a thread of its own.
    pub fn collect(from: impl std::io::Read + Send + 'static) -> Self {
        let lines = StderrLines::default();
        let sink = lines.clone();
        let _ = std::thread::Builder::new()
            .name("ssh-stderr".into())
            .spawn(move || {
                for line in BufReader::new(from).lines() {
                    let Ok(line) = line else { return };
                    if let Ok(mut q) = sink.0.lock() {
                        if q.len() == Self::KEEP {
                            q.pop_front();
                        }
                        q.push_back(line);
                    }
                }
            });
        lines
    }

    pub fn snapshot(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|q| q.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// Spawns ssh with `args`: no stdin, its own process group (the terminal's Ctrl-C is
/// ours to handle, not ssh's), and a parent-death signal so no ssh outlives us.
pub fn spawn_ssh(
    args: &[std::ffi::OsString],
    stdin: Stdio,
    stdout: Stdio,
) -> std::io::Result<Child> {
    let mut cmd = Command::new("ssh");
    cmd.args(args)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: prctl(PR_SET_PDEATHSIG) is async-signal-safe and touches no memory of
    // ours; it is all the child runs before exec. The signal is tied to the thread
    // that spawns, which for tunnels is the host's poller thread: it lives as long as
    // the host is watched.
    unsafe {
        cmd.pre_exec(|| {
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM))
                .map_err(std::io::Error::from)
        });
    }
    cmd.spawn()
}

pub struct Tunnel {
    child: Child,
    pub local: PathBuf,
    pub stderr: StderrLines,
}

impl Tunnel {
    /// Starts the forward and waits until ssh listens on `local` (authentication done),
    /// or fails, or `wait` passes.
    pub fn open(
        opts: &SshOptions,
        host: &str,
        local: &Path,
        remote: &str,
        wait: Duration,
    ) -> Result<Tunnel, String> {
        // A socket left by an earlier ssh would look ready before the new one is.
        let _ = std::fs::remove_file(local);
        let mut child = spawn_ssh(
            &forward_args(opts, host, local, remote),
            Stdio::null(),
            Stdio::null(),
        )
        .map_err(|e| format!("cannot run ssh: {e}"))?;
        let stderr = match child.stderr.take() {
            Some(e) => StderrLines::collect(e),
            None => StderrLines::default(),
        };
        let mut tunnel = Tunnel {
            child,
            local: local.to_path_buf(),
            stderr,
        };
        let deadline = Instant::now() + wait;
        loop {
            if let Some(why) = tunnel.exited() {
                return Err(why);
            }
            if std::fs::metadata(local).is_ok_and(|m| m.file_type().is_socket()) {
                return Ok(tunnel);
            }
            if Instant::now() >= deadline {
                let said = tunnel.stderr.snapshot();
                return Err(match said.last() {
                    Some(l) => format!(
                        "ssh did not connect within {:.0}s (it said {l:?})",
                        wait.as_secs_f64()
                    ),
                    None => format!("ssh did not connect within {:.0}s", wait.as_secs_f64()),
                });
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Why ssh ended, if it has.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(None) => None,
            Ok(Some(status)) => {
                // Let the stderr reader take ssh's last words.
                std::thread::sleep(Duration::from_millis(20));
                Some(describe_exit(&self.stderr.snapshot(), status.code()))
            }
            Err(e) => Some(format!("cannot watch ssh: {e}")),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // ssh leaves its listening socket behind when killed.
        let _ = std::fs::remove_file(&self.local);
    }
}
