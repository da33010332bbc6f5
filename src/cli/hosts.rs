//! Host arguments: `localhost`, `unix:/path`, `LABEL=HOST`, remote names. Names that
//! could be read as options (leading `-`) or that carry whitespace or control
//! characters are refused before anything runs.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The local ATS, socket found by discovery (or --socket / the env var).
    Local,
    /// A socket path given directly.
    Unix(PathBuf),
    /// A host reached over SSH.
    Remote(String),
    /// A simulated host (`--demo`), by seed.
    Demo(u64),
    /// The stats_over_http plugin's URL (ATS 9, or 10 with the plugin).
    Http(String),
    /// A host seen in a recording (replay): nothing to collect from.
    Recorded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSpec {
    pub label: String,
    pub target: Target,
}

const LOCAL_NAMES: [&str; 4] = ["localhost", "127.0.0.1", "::1", "local"];

pub fn parse_host(arg: &str) -> Result<HostSpec, String> {
    check_text(arg, "host")?;
    // LABEL=HOST, unless the '=' belongs to a socket path (unix:/a=b.sock) or a URL.
    let (label, spec) = match arg.split_once('=') {
        Some((l, s)) if !l.starts_with("unix:") && !l.contains("://") => {
            if l.is_empty() {
                return Err(format!("host '{arg}' has an empty label before '='"));
            }
            check_text(l, "label")?;
            (Some(l.to_string()), s)
        }
        _ => (None, arg),
    };
    check_text(spec, "host")?;
    if spec.is_empty() {
        return Err(format!("host '{arg}' names no host after '='"));
    }
    let target = if spec.starts_with("http://") || spec.starts_with("https://") {
        let rest = spec.split_once("://").map_or("", |(_, r)| r);
        let authority = rest.split('/').next().unwrap_or("");
        if authority.is_empty() {
            return Err(format!("'{arg}' names no host after the scheme"));
        }
        Target::Http(spec.to_string())
    } else if let Some(p) = spec.strip_prefix("unix:") {
        if p.is_empty() {
            return Err(format!("'{arg}' gives no socket path after 'unix:'"));
        }
        Target::Unix(PathBuf::from(p))
    } else if LOCAL_NAMES.contains(&spec) {
        Target::Local
    } else {
        Target::Remote(spec.to_string())
    };
    let label = label.unwrap_or_else(|| match &target {
        Target::Local => "localhost".into(),
        Target::Unix(p) => p
            .file_name()
            .map_or_else(|| spec.to_string(), |n| n.to_string_lossy().into_owned()),
        // The first DNS label, as the earlier tool showed it.
        Target::Remote(h) => h.split('.').next().unwrap_or(h).to_string(),
        Target::Demo(i) => format!("sim{i}"),
        Target::Http(url) => url_label(url),
        Target::Recorded => spec.to_string(),
    });
    Ok(HostSpec { label, target })
}

fn check_text(s: &str, what: &str) -> Result<(), String> {
    if s.starts_with('-') {
        return Err(format!(
            "{what} '{s}' starts with '-': refused, it could be read as an option"
        ));
    }
    if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{what} {s:?} contains {c:?}: refused"));
    }
    Ok(())
}

/// "edge1:8080" for http://edge1.example.com:8080/_stats; IP addresses stay whole.
fn url_label(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !h.ends_with(':') => (h, Some(p)),
        _ => (authority, None),
    };
    let is_ip = host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[');
    let short = if is_ip {
        host
    } else {
        host.split('.').next().unwrap_or(host)
    };
    match port {
        Some(p) => format!("{short}:{p}"),
        None => short.to_string(),
    }
}
