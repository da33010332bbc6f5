//! What the app knows: the dashboard, each host's history, version and errors.

use crate::cli::{HostSpec, Target};
use crate::dashboard::Dashboard;
use crate::history::{HostHistory, KeyIndex};
use crate::render::{Frame, FrameInput, HostView, Renderer, StatusLine};
use crate::source::poller::Collected;
use crate::source::sim::simulated_history;
use crate::source::VERSION_RECORD;
use std::sync::Arc;

pub struct HostState {
    pub spec: HostSpec,
    pub history: HostHistory,
    pub version: Option<String>,
    /// Failed collections in a row.
    pub failures_in_row: u32,
    pub last_tick: Option<u64>,
}

impl HostState {
    /// ATS 9 counts transaction times in seconds, 10 in milliseconds.
    pub fn latency_scale(&self) -> f64 {
        match &self.version {
            Some(v) if v.starts_with("9.") || v.starts_with("8.") => 1000.0,
            _ => 1.0,
        }
    }
}

pub struct State {
    pub dashboard: Dashboard,
    pub keys: Arc<Vec<String>>,
    pub hosts: Vec<HostState>,
    pub interval: f64,
    pub window: f64,
    pub tz: jiff::tz::TimeZone,
    pub page: usize,
}

impl State {
    pub fn new(
        dashboard: Dashboard,
        specs: Vec<HostSpec>,
        interval: f64,
        window: f64,
        tz: jiff::tz::TimeZone,
    ) -> Self {
        let mut keys = dashboard.all_keys();
        keys.push(VERSION_RECORD.to_string());
        let index = KeyIndex::new(keys.clone());
        // Keep a little more than the window so its first point has a baseline.
        let keep = window + 3.0 * interval;
        let hosts = specs
            .into_iter()
            .map(|spec| HostState {
                spec,
                history: HostHistory::new(index.clone(), keep),
                version: None,
                failures_in_row: 0,
                last_tick: None,
            })
            .collect();
        State {
            dashboard,
            keys: Arc::new(keys),
            hosts,
            interval,
            window,
            tz,
            page: 0,
        }
    }

    /// Files one collection; returns the error text when it failed.
    pub fn apply(&mut self, c: Collected) -> Option<String> {
        let h = self.hosts.get_mut(c.host)?;
        h.last_tick = Some(c.tick);
        match c.result {
            Ok(mut reading) => {
                if let Some(v) = reading.texts.remove(VERSION_RECORD) {
                    h.version = Some(v);
                }
                reading.missing.retain(|k| k != VERSION_RECORD);
                h.history.push_values(c.t, &reading.values, reading.missing);
                h.failures_in_row = 0;
                None
            }
            Err(e) => {
                let msg = e.to_string();
                h.history.push_failure(c.t, msg.clone());
                h.failures_in_row += 1;
                Some(msg)
            }
        }
    }

    /// "label: message" for every host whose latest collection failed.
    pub fn errors(&self) -> Vec<String> {
        self.hosts
            .iter()
            .filter_map(|h| {
                h.history
                    .last_error
                    .as_ref()
                    .map(|e| format!("{}: {e}", h.spec.label))
            })
            .collect()
    }

    pub fn status(&self, help: &str) -> StatusLine {
        let errors = self.errors();
        if errors.is_empty() {
            StatusLine::Help(help.to_string())
        } else {
            StatusLine::Errors(errors)
        }
    }

    pub fn views(&self) -> Vec<HostView<'_>> {
        self.hosts
            .iter()
            .map(|h| HostView {
                label: &h.spec.label,
                history: &h.history,
                latency_scale: h.latency_scale(),
                version: h.version.as_deref(),
            })
            .collect()
    }

    pub fn input<'a>(
        &'a self,
        views: &'a [HostView<'a>],
        page: usize,
        now: f64,
        status: StatusLine,
    ) -> FrameInput<'a> {
        FrameInput {
            page: &self.dashboard.pages[page],
            page_index: page,
            page_count: self.dashboard.pages.len(),
            hosts: views,
            now,
            window: self.window,
            tz: &self.tz,
            status,
            overlay: None,
        }
    }

    /// Renders `page` as of `now`, with the status bar from the hosts' errors.
    pub fn frame(
        &self,
        renderer: &mut Renderer,
        page: usize,
        now: f64,
        width: u32,
        height: u32,
    ) -> Frame {
        let views = self.views();
        let input = self.input(&views, page, now, self.status(&self.help_text()));
        renderer.render(&input, width, height)
    }

    /// A state of `n` simulated hosts with `secs` of history ending at `t_end`, sampled
    /// every second: deterministic, for golden frames and benchmarks.
    pub fn simulated(n: usize, secs: f64, window: f64, t_end: f64) -> Self {
        let specs = (1..=n as u64)
            .map(|i| HostSpec {
                label: format!("ats{i}"),
                target: Target::Demo(i),
            })
            .collect();
        let mut s = State::new(
            Dashboard::builtin(),
            specs,
            1.0,
            window,
            jiff::tz::TimeZone::UTC,
        );
        for (i, h) in s.hosts.iter_mut().enumerate() {
            h.history = simulated_history(i as u64 + 1, h.history.keys().clone(), t_end, secs, 1.0);
            h.version = Some(crate::source::sim::VERSION.to_string());
        }
        s
    }

    pub fn help_text(&self) -> String {
        let refresh = if self.interval.fract() == 0.0 {
            format!("{:.1}s", self.interval)
        } else {
            crate::render::format::span_label(self.interval)
        };
        format!(
            "{refresh} refresh | {} history",
            crate::render::format::span_label(self.window)
        )
    }
}
