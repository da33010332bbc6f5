//! The event loop: owns time, the current page and the outputs. `--once` collects two
//! samples one interval apart and draws one frame; the stream mode draws a frame per
//! tick (a slow host never holds one back) until --run-for ends it.

mod controls;
mod export;
mod gui;
mod live;
mod metrics;
mod output;
pub mod record;
mod replay;
mod simulate;
mod state;

pub use export::export;
pub use metrics::metrics;
pub use output::{frame_json, png_name};
pub use replay::replay;
pub use simulate::simulate;
pub use state::State;

use crate::cli::{check, Checked, HostSpec, RunArgs, SshArgs, Target};
use crate::dashboard::Dashboard;
use crate::display::{palette::Palette, png};
use crate::render::Renderer;
use crate::source::http::HttpSource;
use crate::source::poller::{Collected, Poller};
use crate::source::sim::{now_secs, DemoSource};
use crate::source::ssh::{check_remote_path, SshOptions, SshSource};
use crate::source::{SocketSource, Source};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// Why the run stopped early: bad input (exit 2) or a failure while running (exit 1).
#[derive(Debug)]
pub enum AppError {
    Usage(String),
    Failed(String),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Usage(s) | AppError::Failed(s) => f.write_str(s),
        }
    }
}

/// Everything a run needs, checked.
pub struct Setup {
    pub args: RunArgs,
    pub checked: Checked,
    pub state: State,
    /// The JSON-RPC socket path on remote hosts, when given (checked for ssh's -L).
    source_opts: SourceOpts,
    /// The private directory of the SSH forwards' local sockets.
    run_dir: Option<tempfile::TempDir>,
    pub clock: Clock,
    /// While replaying: the recording's lines, fed instead of polling the hosts.
    pub replay: Option<Arc<Vec<record::Line>>>,
}

pub fn setup(args: RunArgs) -> Result<Setup, AppError> {
    setup_with(args, None)
}

/// A dashboard file (-c), with its errors as one line each.
pub(crate) fn load_dashboard(p: &std::path::Path) -> Result<Dashboard, AppError> {
    let text = std::fs::read_to_string(p)
        .map_err(|e| AppError::Usage(format!("cannot read dashboard file {}: {e}", p.display())))?;
    Dashboard::from_yaml(&text, &p.display().to_string())
        .map_err(|e| AppError::Usage(e.to_string()))
}

/// As `setup`, with the dashboard given (a replay's recorded one) unless -c names one.
pub(crate) fn setup_with(args: RunArgs, given: Option<Dashboard>) -> Result<Setup, AppError> {
    let checked = check(&args).map_err(AppError::Usage)?;
    let dashboard = match (&args.config, given) {
        (None, Some(d)) => d,
        (None, None) => Dashboard::builtin(),
        (Some(p), _) => load_dashboard(p)?,
    };
    if args.page > dashboard.pages.len() {
        return Err(AppError::Usage(format!(
            "--page {} but the dashboard has {} pages",
            args.page,
            dashboard.pages.len()
        )));
    }
    // Flags win over the dashboard file, which wins over the defaults.
    let window = args.history.or(dashboard.history).unwrap_or(60.0);
    if window < 2.0 * checked.interval {
        return Err(AppError::Usage(format!(
            "history {window}s is shorter than two intervals ({}s): nothing could be drawn",
            2.0 * checked.interval
        )));
    }
    let tz_name = args
        .timezone
        .clone()
        .or_else(|| dashboard.timezone.clone())
        .unwrap_or_else(|| "UTC".into());
    let tz = jiff::tz::TimeZone::get(&tz_name)
        .map_err(|_| AppError::Usage(format!("unknown time zone '{tz_name}'")))?;
    let (source_opts, run_dir) = SourceOpts::new(
        &args.socket,
        &checked.hosts,
        &args.ssh,
        Duration::from_secs_f64(checked.interval.clamp(1.0, 5.0)),
    )?;
    if args.gui && (args.once || args.no_keyboard) {
        return Err(AppError::Usage(format!(
            "--gui shows a live window; it does not go with {}",
            if args.once { "--once" } else { "--no-keyboard" }
        )));
    }
    let mut state = State::new(
        dashboard,
        checked.hosts.clone(),
        checked.interval,
        window,
        tz,
    );
    state.page = args.page - 1;
    Ok(Setup {
        args,
        checked,
        state,
        source_opts,
        run_dir,
        clock: Clock::Wall,
        replay: None,
    })
}

/// What every source of a run shares.
pub(crate) struct SourceOpts {
    /// --socket / TRAFFICSERVER_JSONRPC_SOCKET, for local hosts.
    pub socket: Option<PathBuf>,
    /// The same path, checked for ssh's -L, for remote hosts.
    pub remote_socket: Option<PathBuf>,
    pub ssh: SshOptions,
    /// --stats-url: read SSH hosts' stats_over_http at ("host:port", "/path").
    pub stats: Option<(String, String)>,
    /// Where SSH forwards put their local sockets.
    pub dir: PathBuf,
    pub timeout: Duration,
}

impl SourceOpts {
    /// Checks --socket for remote hosts (it goes into ssh's -L) and, when a host is
    /// remote, makes the directory only we can enter (0700) for the forwards' sockets:
    /// returned, to be kept for the run and removed with it.
    pub(crate) fn new(
        socket: &Option<PathBuf>,
        hosts: &[HostSpec],
        ssh: &SshArgs,
        timeout: Duration,
    ) -> Result<(SourceOpts, Option<tempfile::TempDir>), AppError> {
        let remote = hosts.iter().any(|h| matches!(h.target, Target::Remote(_)));
        let remote_socket = match (socket, remote) {
            (Some(p), true) => Some(
                check_remote_path(&p.to_string_lossy())
                    .map_err(|e| AppError::Usage(format!("--socket: {e}")))?,
            ),
            _ => None,
        };
        let dir = if remote { Some(private_dir()?) } else { None };
        let opts = SourceOpts {
            socket: socket.clone(),
            remote_socket,
            ssh: ssh.options(),
            stats: ssh.stats(),
            dir: dir
                .as_ref()
                .map_or_else(std::env::temp_dir, |d| d.path().to_path_buf()),
            timeout,
        };
        Ok((opts, dir))
    }
}

pub(crate) fn source_for(i: usize, h: &HostSpec, o: &SourceOpts) -> Box<dyn Source> {
    match &h.target {
        Target::Remote(name) => {
            let src = SshSource::new(
                name.clone(),
                o.ssh.clone(),
                o.dir.join(format!("h{i}.sock")),
                o.remote_socket.clone(),
                o.timeout,
            );
            Box::new(match o.stats.clone() {
                Some((hostport, path)) => src.with_stats(hostport, path),
                None => src,
            })
        }
        Target::Demo(seed) => Box::new(DemoSource::new(*seed, 1.0, h.label.clone())),
        Target::Http(url) => Box::new(HttpSource::new(url.clone(), o.timeout)),
        Target::Unix(p) => Box::new(SocketSource::new(
            Some((p.clone(), "given as unix:".into())),
            o.timeout,
        )),
        Target::Recorded => Box::new(Recorded),
        Target::Local => {
            let fixed = o.socket.clone().map(|p| {
                (
                    p,
                    "from --socket or TRAFFICSERVER_JSONRPC_SOCKET".to_string(),
                )
            });
            Box::new(SocketSource::new(fixed, o.timeout))
        }
    }
}

/// A directory only we can enter (0700), removed when dropped: SSH forwards' sockets.
pub(crate) fn private_dir() -> Result<tempfile::TempDir, AppError> {
    tempfile::Builder::new()
        .prefix("traffic_grapher-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .map_err(|e| AppError::Failed(format!("cannot make a private directory: {e}")))
}

/// A replayed host: its samples come from the recording, never from a collection.
struct Recorded;

impl Source for Recorded {
    fn collect(
        &mut self,
        _: &[String],
    ) -> Result<crate::source::Reading, crate::source::SourceError> {
        Err(crate::source::SourceError::Recorded(
            "a recorded host has nothing to collect".into(),
        ))
    }
    fn describe(&self) -> String {
        "recorded".into()
    }
    fn list(&mut self, _: &str) -> Result<crate::source::Reading, crate::source::SourceError> {
        self.collect(&[])
    }
}

fn sources(s: &Setup) -> Vec<Box<dyn Source>> {
    s.checked
        .hosts
        .iter()
        .enumerate()
        .map(|(i, h)| source_for(i, h, &s.source_opts))
        .collect()
}

fn kind_name(t: &Target) -> &'static str {
    match t {
        Target::Demo(_) => "simulated",
        Target::Unix(_) => "unix socket",
        Target::Local => "local socket",
        Target::Remote(_) => "SSH",
        Target::Http(_) => "stats_over_http",
        Target::Recorded => "recorded",
    }
}

pub fn run(args: RunArgs) -> Result<(), AppError> {
    let mut s = setup(args)?;
    if s.args.once {
        return once(&mut s);
    }
    if s.args.gui {
        return gui::gui(&mut s);
    }
    if s.args.no_keyboard {
        return stream(&mut s);
    }
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(AppError::Usage(
            "not a terminal: use --no-keyboard (with --save-png 'f{iter}.png') or --once".into(),
        ));
    }
    live::live(&mut s)
}

struct Outputs {
    renderer: Renderer,
    palette: Palette,
    log: Option<output::StatsLog>,
    record: Option<record::Recorder>,
}

impl Outputs {
    fn new(s: &Setup) -> Result<Self, AppError> {
        let log = match &s.args.log_stats {
            Some(p) => Some(output::StatsLog::open(p).map_err(AppError::Usage)?),
            None => None,
        };
        let record = match &s.args.record {
            Some(p) => {
                Some(record::Recorder::create(p, &record_header(s)).map_err(AppError::Usage)?)
            }
            None => None,
        };
        Ok(Outputs {
            renderer: Renderer::new(),
            palette: Palette::for_dashboard(&s.state.dashboard),
            log,
            record,
        })
    }

    /// A collection, as it came: into --log-stats and --record.
    fn note_sample(&mut self, state: &State, c: &Collected) {
        if let Some(log) = &mut self.log {
            log.write(&output::log_line(state, c));
        }
        if let Some(r) = &mut self.record {
            let label = state
                .hosts
                .get(c.host)
                .map_or("?", |h| h.spec.label.as_str());
            r.write(&record::Line::sample(c, label));
        }
    }

    /// A tick's frame in the live displays: saved (--save-png) and noted (--record)
    /// unless the picture is paused. True when the screen should be redrawn.
    fn tick_frame(
        &mut self,
        s: &Setup,
        controls: &controls::Controls,
        iter: &mut u64,
    ) -> Result<bool, AppError> {
        if controls.paused.is_some() {
            return Ok(false);
        }
        let now = s.clock.now();
        self.save(s, *iter, now)?;
        self.note_frame(*iter, now);
        *iter += 1;
        Ok(true)
    }

    /// A tick's frame and the time it was drawn at, into --record.
    fn note_frame(&mut self, iter: u64, now: f64) {
        if let Some(r) = &mut self.record {
            r.write(&record::Line::Frame { frame: iter, now });
        }
    }

    /// Renders the current page (or all pages when the template has {page}) and writes
    /// them; returns the files written.
    fn save(&mut self, s: &Setup, iter: u64, now: f64) -> Result<Vec<String>, AppError> {
        let Some(tpl) = &s.args.save_png else {
            return Ok(vec![]);
        };
        let pages: Vec<usize> = if tpl.contains("{page}") {
            (0..s.state.dashboard.pages.len()).collect()
        } else {
            vec![s.state.page]
        };
        let views = s.state.views();
        let mut written = Vec::new();
        for page in pages {
            let input = s
                .state
                .input(&views, page, now, s.state.status(&s.state.help_text()));
            let frame = self
                .renderer
                .render(&input, s.checked.width, s.checked.height);
            let bytes = png::encode_indexed(&frame, &self.palette)
                .map_err(|e| AppError::Failed(format!("PNG encoding failed: {e}")))?;
            let path = png_name(tpl, iter, page);
            png::write_atomic(&path, &bytes)
                .map_err(|e| AppError::Failed(format!("cannot write {}: {e}", path.display())))?;
            written.push(path.display().to_string());
        }
        Ok(written)
    }
}

/// SIGTERM, SIGINT and SIGHUP end a run without a terminal through its normal exit, so
/// SSH forwards and their sockets are cleaned up; a second signal ends it at once.
fn stop_on_signals() -> Result<Arc<AtomicBool>, AppError> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [SIGTERM, SIGINT, SIGHUP] {
        signal_hook::flag::register_conditional_shutdown(sig, 1, flag.clone())
            .and_then(|_| signal_hook::flag::register(sig, flag.clone()))
            .map_err(|e| AppError::Failed(format!("cannot watch signals: {e}")))?;
    }
    Ok(flag)
}

/// Writes a line to stdout; false when nobody reads it any more (`| head`).
fn say(line: &str) -> bool {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|_| out.flush()).is_ok()
}

/// The recording's first line: format, tool, hosts and the dashboard's own YAML.
fn record_header(s: &Setup) -> record::Header {
    let dashboard = match &s.args.config {
        Some(p) => std::fs::read_to_string(p).unwrap_or_default(),
        None => crate::dashboard::BUILTIN_YAML.to_string(),
    };
    record::Header {
        format: record::FORMAT.into(),
        format_version: record::FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        interval: s.checked.interval,
        hosts: s.state.hosts.iter().map(|h| h.spec.label.clone()).collect(),
        dashboard,
    }
}

/// The time frames stand for: the wall clock, or a recording's time while replaying.
/// Frames are a pure function of this, so a replay draws what the live run drew.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    Wall,
    /// Recorded time `t0` at `start`, going `speed` times as fast as the wall clock.
    Replay {
        start: Instant,
        t0: f64,
        speed: f64,
    },
    /// `--speed max` in a live display: everything shown at once, time stands at the end.
    Fixed(f64),
}

impl Clock {
    pub fn now(&self) -> f64 {
        match *self {
            Clock::Wall => now_secs(),
            Clock::Replay { start, t0, speed } => t0 + start.elapsed().as_secs_f64() * speed,
            Clock::Fixed(t) => t,
        }
    }

    /// How many recorded seconds pass per wall second.
    fn speed(&self) -> f64 {
        match *self {
            Clock::Replay { speed, .. } => speed,
            _ => 1.0,
        }
    }
}

/// Where samples come from: the hosts, or a recording played back.
enum Feed {
    Poll(Poller),
    Replay(Arc<AtomicBool>),
}

impl Feed {
    fn stop(self) {
        match self {
            Feed::Poll(p) => p.stop(),
            Feed::Replay(stop) => stop.store(true, Ordering::SeqCst),
        }
    }
}

fn start_poller(s: &Setup, start: Instant) -> (Feed, mpsc::Receiver<Collected>) {
    let (tx, rx) = mpsc::channel();
    if let Some(lines) = &s.replay {
        // Each recorded collection at its recorded time, on the replay clock.
        let stop = Arc::new(AtomicBool::new(false));
        let (lines, stop2, clock) = (lines.clone(), stop.clone(), s.clock);
        let _ = std::thread::Builder::new()
            .name("replay".into())
            .spawn(move || {
                for c in lines.iter().filter_map(record::Line::collected) {
                    if let Clock::Replay { start, t0, speed } = clock {
                        let due = start + Duration::from_secs_f64(((c.t - t0) / speed).max(0.0));
                        while Instant::now() < due {
                            if stop2.load(Ordering::SeqCst) {
                                return;
                            }
                            std::thread::sleep(
                                (due - Instant::now()).min(Duration::from_millis(50)),
                            );
                        }
                    }
                    if stop2.load(Ordering::SeqCst) || tx.send(c).is_err() {
                        return;
                    }
                }
            });
        return (Feed::Replay(stop), rx);
    }
    let tx = std::sync::Mutex::new(tx);
    let poller = Poller::start(
        sources(s),
        s.state.keys.clone(),
        Duration::from_secs_f64(s.checked.interval),
        start,
        move |c| {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(c);
            }
        },
    );
    (Feed::Poll(poller), rx)
}

/// Two samples one interval apart, one frame, exit.
fn once(s: &mut Setup) -> Result<(), AppError> {
    let mut out = Outputs::new(s)?;
    let stop = stop_on_signals()?;
    let start = Instant::now();
    let (poller, rx) = start_poller(s, start);
    let n = s.state.hosts.len();
    // Answers, and samples filed: a host that repeats its last numbers (ATS 9 publishes
    // every 5 s) is asked again until it has two different samples or time is up.
    let mut got = vec![0u8; n];
    let mut filed = vec![0u8; n];
    // Two ticks, and time for an SSH host to connect (ssh's own start included).
    let slack = if s.run_dir.is_some() {
        crate::source::ssh::CONNECT_WAIT + Duration::from_secs(2)
    } else {
        Duration::from_secs(6)
    };
    let deadline = start + Duration::from_secs_f64(s.checked.interval * 2.0) + slack;
    while filed.iter().any(|&g| g < 2) {
        if stop.load(Ordering::SeqCst) {
            poller.stop();
            return Err(AppError::Failed("stopped by a signal".into()));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let c = match rx.recv_timeout(left.min(Duration::from_millis(100))) {
            Ok(c) => c,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let host = c.host;
        if c.tick == 0 {
            report_start(s, &c);
        }
        out.note_sample(&s.state, &c);
        let before = s.state.hosts.get(host).and_then(|h| h.history.newest_t());
        s.state.apply(c);
        got[host] = got[host].saturating_add(1);
        if s.state.hosts.get(host).and_then(|h| h.history.newest_t()) != before {
            filed[host] = filed[host].saturating_add(1);
        }
    }
    poller.stop();
    for (h, g) in s.state.hosts.iter_mut().zip(&got) {
        if *g < 2 && h.history.last_error.is_none() {
            h.history.last_error = Some("no answer in time".into());
        }
    }
    let now = s.clock.now();
    once_output(s, &mut out, now)
}

/// --once's frame: the PNG (`{page}` for all pages), `--json` or the text summary;
/// an error when no host answered.
fn once_output(s: &mut Setup, out: &mut Outputs, now: f64) -> Result<(), AppError> {
    let written = out.save(s, 0, now)?;
    out.note_frame(0, now);
    for w in &written {
        eprintln!("wrote {w}");
    }
    if s.args.json {
        say(&format!("{:#}", output::frame_json(&s.state, now)));
    } else if written.is_empty() {
        say(output::frame_text(&s.state, now).trim_end());
    }
    let failed = s.state.errors();
    if failed.len() == s.state.hosts.len() {
        return Err(AppError::Failed(format!(
            "no host answered: {}",
            failed.join("; ")
        )));
    }
    Ok(())
}

/// The start-up line per host, as the earlier tool printed it.
fn report_start(s: &Setup, c: &Collected) {
    let Some(h) = s.state.hosts.get(c.host) else {
        return;
    };
    let kind = kind_name(&h.spec.target);
    match &c.result {
        Ok(_) => eprintln!("{} ({kind}): OK", h.spec.label),
        Err(e) => eprintln!("{} ({kind}): FAILED - {e}", h.spec.label),
    }
}

/// When frames are due: tick k's frame is drawn once every host answered it, or when
/// 90 % of the interval has passed (a slow or dead host does not hold the frame back);
/// and when the run ends (--run-for).
pub(crate) struct FrameClock {
    start: Instant,
    interval: Duration,
    end: Option<Instant>,
    next_tick: u64,
}

impl FrameClock {
    fn new(s: &Setup, start: Instant) -> Self {
        FrameClock {
            start,
            // While replaying, ticks come `speed` times as often.
            interval: Duration::from_secs_f64(s.checked.interval / s.clock.speed()),
            end: s.args.run_for.map(|r| start + Duration::from_secs_f64(r)),
            next_tick: 0,
        }
    }

    fn over(&self, now: Instant) -> bool {
        self.end.is_some_and(|e| now >= e)
    }

    /// How long to wait for events before something is due (at least 1 ms).
    fn wait(&self, now: Instant) -> Duration {
        let until = |t: Instant| t.saturating_duration_since(now);
        until(self.due_at())
            .min(self.end.map_or(Duration::MAX, until))
            .max(Duration::from_millis(1))
    }

    fn due_at(&self) -> Instant {
        self.start + self.interval.mul_f64(self.next_tick as f64 + 0.9)
    }

    fn frame_due(&self, state: &State, now: Instant) -> bool {
        now >= self.due_at()
            || state
                .hosts
                .iter()
                .all(|h| h.last_tick.is_some_and(|t| t >= self.next_tick))
    }

    /// On to the next tick, skipping ticks that have already passed.
    fn advance(&mut self) {
        let elapsed = self.start.elapsed().as_secs_f64() / self.interval.as_secs_f64();
        self.next_tick = (self.next_tick + 1).max(elapsed.floor() as u64);
    }
}

/// A frame per tick until --run-for ends the run (or the process is stopped).
fn stream(s: &mut Setup) -> Result<(), AppError> {
    let mut out = Outputs::new(s)?;
    let stop = stop_on_signals()?;
    let start = Instant::now();
    let (poller, rx) = start_poller(s, start);
    let mut clock = FrameClock::new(s, start);
    let mut iter = 0u64;
    loop {
        let now_i = Instant::now();
        if clock.over(now_i) || stop.load(Ordering::SeqCst) {
            break;
        }
        if clock.frame_due(&s.state, now_i) {
            let now = s.clock.now();
            let files = out.save(s, iter, now)?;
            out.note_frame(iter, now);
            let states: Vec<String> = s
                .state
                .hosts
                .iter()
                .map(|h| match &h.history.last_error {
                    None => format!("{} ok", h.spec.label),
                    Some(e) => format!("{} ERROR {e}", h.spec.label),
                })
                .collect();
            let line = if files.is_empty() {
                format!("frame {iter}: {}", states.join(", "))
            } else {
                format!("frame {iter}: wrote {}", files.join(", "))
            };
            if !say(&line) {
                break;
            }
            iter += 1;
            clock.advance();
            continue;
        }
        // Woken at least every 100 ms to see a signal.
        match rx.recv_timeout(clock.wait(now_i).min(Duration::from_millis(100))) {
            Ok(c) => {
                if c.tick == 0 {
                    report_start(s, &c);
                }
                out.note_sample(&s.state, &c);
                let host = c.host;
                if let Some(msg) = s.state.apply(c) {
                    // Shown on the error bar; on stderr only for the first few in a row.
                    if s.state.hosts[host].failures_in_row <= 3 {
                        eprintln!("{}: {msg}", s.state.hosts[host].spec.label);
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    poller.stop();
    Ok(())
}
