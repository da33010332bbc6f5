//! The `ssh` command lines we run. Nothing here goes through a shell: every piece is
//! its own argument, the host always follows `--`, and the only remote command is a
//! fixed one (`sh -s`, with our own script on its stdin).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// What the user gave for all remote hosts.
#[derive(Debug, Clone, Default)]
pub struct SshOptions {
    /// `--ssh-config FILE`, passed as `-F FILE`.
    pub config: Option<PathBuf>,
    /// `--ssh-option OPT`, each passed as `-o OPT`.
    pub options: Vec<String>,
}

/// ssh keeps the first value it sees for an option, command line before files. Options
/// that keep the dashboard safe come before the user's (no prompt can ever hang it; a
/// forward that cannot be set up ends ssh so we see why); the user's come before the
/// defaults they may want to change (keep-alives).
const FIXED: [&str; 2] = ["BatchMode=yes", "ExitOnForwardFailure=yes"];
const DEFAULTS: [&str; 3] = [
    "StreamLocalBindUnlink=yes",
    "ServerAliveInterval=5",
    "ServerAliveCountMax=3",
];

fn common(opts: &SshOptions) -> Vec<OsString> {
    let mut a: Vec<OsString> = Vec::new();
    if let Some(f) = &opts.config {
        a.push("-F".into());
        a.push(f.into());
    }
    for o in FIXED {
        a.push("-o".into());
        a.push(o.into());
    }
    for o in &opts.options {
        a.push("-o".into());
        a.push(o.into());
    }
    for o in DEFAULTS {
        a.push("-o".into());
        a.push(o.into());
    }
    a
}

/// `ssh … -N -T -L LOCAL:REMOTE -- HOST`: one long-lived forward to the remote socket
/// path, or to `host:port` on the remote side (stats_over_http on its loopback).
pub fn forward_args(opts: &SshOptions, host: &str, local: &Path, remote: &str) -> Vec<OsString> {
    let mut a = common(opts);
    a.push("-N".into());
    a.push("-T".into());
    a.push("-L".into());
    let mut spec = OsString::from(local);
    spec.push(":");
    spec.push(remote);
    a.push(spec);
    a.push("--".into());
    a.push(host.into());
    a
}

/// `ssh … -T -- HOST sh -s`: runs the discovery script fed on stdin.
pub fn script_args(opts: &SshOptions, host: &str) -> Vec<OsString> {
    let mut a = common(opts);
    a.push("-T".into());
    a.push("--".into());
    a.push(host.into());
    a.push("sh".into());
    a.push("-s".into());
    a
}

/// A remote socket path we are willing to put into `-L`: absolute, printable, no
/// whitespace, and no ':' (which would split the forward spec).
pub fn check_remote_path(p: &str) -> Result<PathBuf, String> {
    if !p.starts_with('/') {
        return Err(format!("remote socket path {p:?} is not absolute"));
    }
    if let Some(c) = p
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || *c == ':')
    {
        return Err(format!("remote socket path {p:?} contains {c:?}: refused"));
    }
    Ok(PathBuf::from(p))
}

/// `--stats-url http://HOST:PORT/PATH` for SSH hosts: ("HOST:PORT", "/PATH"), checked
/// for ssh's -L and for the request line.
pub fn check_stats_url(url: &str) -> Result<(String, String), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        format!("--stats-url {url:?}: give http://HOST:PORT/PATH (as seen from the SSH host)")
    })?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/_stats"),
    };
    let hostport = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let ok_host = !authority.is_empty()
        && hostport
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    if !ok_host {
        return Err(format!("--stats-url {url:?}: bad host:port {authority:?}"));
    }
    if let Some(c) = path.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("--stats-url {url:?} contains {c:?}: refused"));
    }
    Ok((hostport, path.to_string()))
}

/// An `--ssh-option` value: `Key=Value` or `Key Value`, printable, not an option itself.
pub fn check_option(o: &str) -> Result<(), String> {
    if o.starts_with('-') || o.is_empty() {
        return Err(format!(
            "--ssh-option {o:?} is not an ssh option (give Key=Value, as for ssh -o)"
        ));
    }
    if let Some(c) = o.chars().find(|c| c.is_control()) {
        return Err(format!("--ssh-option {o:?} contains {c:?}: refused"));
    }
    if !o.contains(['=', ' ']) {
        return Err(format!(
            "--ssh-option {o:?} has no value (give Key=Value, as for ssh -o)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[OsString]) -> Vec<String> {
        v.iter().map(|s| s.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn forward_puts_the_host_after_double_dash_and_safety_first() {
        let opts = SshOptions {
            config: Some("/etc/tg_ssh".into()),
            options: vec!["BatchMode=no".into(), "ServerAliveInterval=15".into()],
        };
        let a = strs(&forward_args(
            &opts,
            "edge1",
            Path::new("/tmp/d/h0.sock"),
            "/run/ats/jsonrpc20.sock",
        ));
        assert_eq!(&a[..2], ["-F", "/etc/tg_ssh"]);
        assert_eq!(a[a.len() - 2..], ["--", "edge1"]);
        let pos = |s: &str| a.iter().position(|x| x == s).unwrap();
        // ssh keeps the first value: our BatchMode=yes precedes the user's, the user's
        // keep-alive precedes our default.
        assert!(pos("BatchMode=yes") < pos("BatchMode=no"));
        assert!(pos("ServerAliveInterval=15") < pos("ServerAliveInterval=5"));
        assert!(a.contains(&"/tmp/d/h0.sock:/run/ats/jsonrpc20.sock".to_string()));
        assert!(a.contains(&"-N".to_string()) && !a.contains(&"-W".to_string()));
    }

    #[test]
    fn script_runs_a_fixed_remote_command() {
        let a = strs(&script_args(&SshOptions::default(), "u@h"));
        assert_eq!(a[a.len() - 4..], ["--", "u@h", "sh", "-s"]);
    }

    #[test]
    fn remote_paths_and_options_are_checked() {
        assert!(check_remote_path("/run/trafficserver/jsonrpc20.sock").is_ok());
        for bad in ["relative.sock", "/a b/x.sock", "/a:b.sock", "/a\n/x"] {
            assert!(check_remote_path(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_stats_url("http://127.0.0.1:8080/_stats"),
            Ok(("127.0.0.1:8080".into(), "/_stats".into()))
        );
        assert_eq!(
            check_stats_url("http://localhost"),
            Ok(("localhost:80".into(), "/_stats".into()))
        );
        for bad in [
            "https://x/_stats",
            "http://a b:1/",
            "http://x:1/a b",
            "http://;rm:1/",
        ] {
            assert!(check_stats_url(bad).is_err(), "{bad:?}");
        }
        assert!(check_option("ProxyJump=bastion").is_ok());
        assert!(check_option("ConnectTimeout 5").is_ok());
        for bad in ["-oProxyCommand=x", "", "BatchMode", "A=\u{7}"] {
            assert!(check_option(bad).is_err(), "{bad:?}");
        }
    }
}
