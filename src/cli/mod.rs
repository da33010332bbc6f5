//! Flags and environment: the earlier tool's flags with the same meaning, plus hosts as
//! positional arguments, `--demo`, `--json` and the `simulate` subcommand. Every value
//! is validated here into `Settings`, with one clear line per problem.

mod hosts;

pub use hosts::{parse_host, HostSpec, Target};

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "traffic_grapher",
    version,
    about = "Live graphs of Apache Traffic Server metrics, from one to many proxies side by side",
    args_conflicts_with_subcommands = true,
    allow_negative_numbers = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a simulated ATS 10.2 JSON-RPC socket (for trying the tool and for tests).
    Simulate(SimulateArgs),
    /// List a host's metric records matching PATTERN, with type and value (for writing
    /// dashboards; --yaml prints ready-to-paste panel metric entries).
    Metrics(MetricsArgs),
    /// Play a recording (--record) back through the same pages and displays.
    Replay(Box<ReplayArgs>),
    /// Write a recording's derived series (or raw counters) as CSV or JSON.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recording (JSON lines, or .gz).
    pub file: PathBuf,
    /// Times real time, or `max` for as fast as possible.
    #[arg(long, value_name = "X", default_value = "1")]
    pub speed: String,
    /// Start here: seconds since the epoch, an RFC 3339 time, or +SEC from the start.
    #[arg(long, value_name = "T", allow_hyphen_values = false)]
    pub from: Option<String>,
    /// End here (as --from).
    #[arg(long, value_name = "T")]
    pub to: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The recording (JSON lines, or .gz).
    pub file: PathBuf,
    /// Comma-separated values: time, host, page, panel, metric, value.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// JSON lines with the same fields.
    #[arg(long)]
    pub json: bool,
    /// The raw records as collected (time, host, record, value) instead of the
    /// derived series.
    #[arg(long)]
    pub raw: bool,
    /// Derive with this dashboard instead of the recorded one.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// The host, as for the dashboard: localhost, unix:/path, an SSH host, or a
    /// stats_over_http URL.
    pub host: String,
    /// Case-insensitive regular expression (a plain substring works) [default: all].
    pub pattern: Option<String>,
    /// Print panel metric entries in the dashboard format instead of a table.
    #[arg(long)]
    pub yaml: bool,
    /// JSON-RPC socket path on the host (skips discovery).
    #[arg(long, env = "TRAFFICSERVER_JSONRPC_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,
    #[command(flatten)]
    pub ssh: SshArgs,
}

/// How remote hosts are reached, beside the user's own ssh configuration.
#[derive(Debug, Args, Default, Clone)]
pub struct SshArgs {
    /// ssh_config file for remote hosts (passed to ssh as -F).
    #[arg(long, value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,
    /// ssh option for remote hosts, as Key=Value (passed as -o; repeatable).
    #[arg(long, value_name = "OPT")]
    pub ssh_option: Vec<String>,
    /// Read remote hosts' stats_over_http at this URL as the host sees it (ATS 9
    /// fleets: http://127.0.0.1:8080/_stats), through the SSH forward, instead of the
    /// JSON-RPC socket.
    #[arg(long, value_name = "URL")]
    pub stats_url: Option<String>,
}

impl SshArgs {
    /// One line for a bad option, URL or a missing file.
    pub fn check(&self) -> Result<(), String> {
        if let Some(u) = &self.stats_url {
            crate::source::ssh::check_stats_url(u)?;
        }
        for o in &self.ssh_option {
            crate::source::ssh::check_option(o)?;
        }
        if let Some(f) = &self.ssh_config {
            if !f.is_file() {
                return Err(format!("--ssh-config {}: no such file", f.display()));
            }
        }
        Ok(())
    }

    /// `--stats-url` as ("host:port", "/path").
    pub fn stats(&self) -> Option<(String, String)> {
        self.stats_url
            .as_deref()
            .and_then(|u| crate::source::ssh::check_stats_url(u).ok())
    }

    pub fn options(&self) -> crate::source::ssh::SshOptions {
        crate::source::ssh::SshOptions {
            config: self.ssh_config.clone(),
            options: self.ssh_option.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Path of the Unix socket to serve.
    #[arg(long)]
    pub socket: PathBuf,
    /// Traffic multiplier (1 = about 3000 requests/s).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Seed: different seeds make different hosts.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Append every answer served (time and records) as JSON lines to this file.
    #[arg(long)]
    pub served_log: Option<PathBuf>,
}

#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Hosts to watch: localhost (also 127.0.0.1, ::1, local), unix:/path/to.sock, a
    /// remote host reached by ssh (name, user@name or an ssh_config alias), or
    /// LABEL=HOST to set the label shown. None means localhost.
    pub hosts: Vec<String>,
    /// Refresh interval in seconds [default: 1].
    #[arg(long, value_name = "SEC")]
    pub interval: Option<f64>,
    /// Width of the time window shown, in seconds [default: 60, or the dashboard's].
    #[arg(long, value_name = "SEC")]
    pub history: Option<f64>,
    /// Dashboard file (YAML; the built-in pages' format).
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Time zone of the clock in the title (IANA name; also -tz) [default: UTC].
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    /// JSON-RPC socket path on the hosts, local and remote (skips discovery).
    #[arg(long, env = "TRAFFICSERVER_JSONRPC_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,
    #[command(flatten)]
    pub ssh: SshArgs,
    /// Draw in a desktop window.
    #[arg(long)]
    pub gui: bool,
    /// Collect twice one interval apart, draw one frame, exit.
    #[arg(long)]
    pub once: bool,
    /// Write every frame to FILE; {iter} becomes the frame number, {page} the page.
    #[arg(long, value_name = "FILE")]
    pub save_png: Option<String>,
    /// Append what was collected each tick to FILE (JSON lines).
    #[arg(long, value_name = "FILE")]
    pub log_stats: Option<PathBuf>,
    /// Record every raw sample to FILE (JSON lines; FILE.gz compresses) for `replay`
    /// and `export`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Stop after SEC seconds.
    #[arg(long, value_name = "SEC")]
    pub run_for: Option<f64>,
    /// No terminal handling: only --save-png output and a line per frame.
    #[arg(long)]
    pub no_keyboard: bool,
    /// Simulate N ATS hosts instead of reading real ones [N default: 1].
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "1")]
    pub demo: Option<u32>,
    /// With --once: print the frame's values as JSON.
    #[arg(long)]
    pub json: bool,
    /// Frame size in pixels for PNG output.
    #[arg(long, value_name = "WxH", default_value = "1600x1000")]
    pub size: String,
    /// How frames reach the terminal: auto detects iTerm2, Kitty or Sixel images and
    /// falls back to text.
    #[arg(long, value_name = "P", default_value = "auto", value_parser = ["auto", "iterm2", "kitty", "sixel", "text"])]
    pub protocol: String,
    /// Text mode's plot marker (block or dot for fonts without braille).
    #[arg(long, value_name = "M", default_value = "braille", value_parser = ["braille", "block", "dot"])]
    pub marker: String,
    /// Page to show first (1-based).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub page: usize,
}

/// The earlier tool accepted `-tz ZONE`; clap's short flags are one letter, so that
/// spelling is rewritten before parsing.
pub fn normalize_args(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    let mut out = Vec::new();
    let mut after_dashdash = false;
    for a in args {
        if after_dashdash {
            out.push(a);
            continue;
        }
        match a.to_str() {
            Some("--") => {
                after_dashdash = true;
                out.push(a);
            }
            Some("-tz") => out.push("--timezone".into()),
            Some(s) if s.starts_with("-tz=") => out.push(format!("--timezone={}", &s[4..]).into()),
            _ => out.push(a),
        }
    }
    out
}

/// Validated run settings (dashboard values merged in by the app).
#[derive(Debug, Clone)]
pub struct Checked {
    pub hosts: Vec<HostSpec>,
    pub interval: f64,
    pub width: u32,
    pub height: u32,
}

/// Checks what does not need the dashboard file. Each error is one line.
pub fn check(run: &RunArgs) -> Result<Checked, String> {
    let interval = run.interval.unwrap_or(1.0);
    if !(interval.is_finite() && interval > 0.0) {
        return Err(format!(
            "--interval must be a positive number of seconds, got {interval}"
        ));
    }
    if !(0.05..=3600.0).contains(&interval) {
        return Err(format!(
            "--interval {interval} is out of range (0.05 to 3600 seconds)"
        ));
    }
    if let Some(h) = run.history {
        if !(h.is_finite() && h > 0.0) {
            return Err(format!(
                "--history must be a positive number of seconds, got {h}"
            ));
        }
    }
    if let Some(r) = run.run_for {
        if !(r.is_finite() && r > 0.0) {
            return Err(format!(
                "--run-for must be a positive number of seconds, got {r}"
            ));
        }
    }
    if let Some(tz) = &run.timezone {
        if jiff::tz::TimeZone::get(tz).is_err() {
            return Err(format!(
                "unknown time zone '{tz}' (use an IANA name such as UTC or America/Los_Angeles)"
            ));
        }
    }
    if run.json && !run.once {
        return Err("--json goes with --once (it prints one frame's values)".into());
    }
    if run.page == 0 {
        return Err("--page counts from 1".into());
    }
    let (width, height) = parse_size(&run.size)?;
    run.ssh.check()?;
    let hosts = match run.demo {
        Some(n) => {
            if !run.hosts.is_empty() {
                return Err(format!(
                    "--demo simulates its own hosts; drop '{}' or --demo",
                    run.hosts[0]
                ));
            }
            if !(1..=64).contains(&n) {
                return Err(format!("--demo takes 1 to 64 hosts, got {n}"));
            }
            (1..=n)
                .map(|i| HostSpec {
                    label: format!("sim{i}"),
                    target: Target::Demo(i as u64),
                })
                .collect()
        }
        None if run.hosts.is_empty() => vec![parse_host("localhost")?],
        None => run
            .hosts
            .iter()
            .map(|h| parse_host(h))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let mut labels = std::collections::HashSet::new();
    for h in &hosts {
        if !labels.insert(h.label.as_str()) {
            return Err(format!(
                "two hosts have the label '{}': give one a label with LABEL=HOST",
                h.label
            ));
        }
    }
    Ok(Checked {
        hosts,
        interval,
        width,
        height,
    })
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("--size '{s}' is not WIDTHxHEIGHT in pixels (for example 1600x1000)");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u32, u32) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    if !(320..=8192).contains(&w) || !(200..=8192).contains(&h) {
        return Err(format!(
            "--size {w}x{h} is out of range (320x200 to 8192x8192)"
        ));
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests;
