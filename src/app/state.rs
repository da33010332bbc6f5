//! What the app knows: the dashboard, each host's history, version and errors.

use crate::cli::{HostSpec, Target};
use crate::dashboard::{rules, Dashboard};
use crate::history::{HostHistory, KeyIndex};
use crate::render::{Frame, FrameInput, HostView, Renderer, StatusLine};
use crate::source::poller::Collected;
use crate::source::sim::{read, TrafficModel};
use crate::source::VERSION_RECORD;
use std::sync::Arc;

pub struct HostState {
    pub spec: HostSpec,
    pub history: HostHistory,
    pub version: Option<String>,
    /// Failed collections in a row.
    pub failures_in_row: u32,
    pub last_tick: Option<u64>,
    /// The values last filed, and when they last changed.
    last_values: Option<(std::collections::HashMap<String, f64>, f64)>,
}

/// ATS 9 publishes its counters every 5 s by default (records'
/// `proxy.config.raw_stat_sync_interval_ms`): between two publications a host answers
/// the same numbers. Such a repeat is not filed as a new sample (it would draw a rate
/// of 0 and then a spike of 5x); after this long without change it is (the host is idle).
const UNCHANGED_FOR_AT_MOST: f64 = 10.0;

impl HostState {
    /// ATS 9 counts transaction times in seconds, 10 in milliseconds.
    pub fn latency_scale(&self) -> f64 {
        rules::latency_scale(self.version.as_deref())
    }
}

pub struct State {
    pub dashboard: Dashboard,
    /// What each tick asks every host for: the dashboard's names, the names they can
    /// be resolved from on other versions, and the version record.
    pub keys: Arc<Vec<String>>,
    /// The dashboard's own names.
    pub wanted: Vec<String>,
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
        let wanted = dashboard.all_keys();
        let mut kept = wanted.clone();
        kept.push(VERSION_RECORD.to_string());
        let index = KeyIndex::new(kept.clone());
        let mut keys = kept;
        keys.extend(rules::helper_keys(&wanted));
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
                last_values: None,
            })
            .collect();
        State {
            dashboard,
            keys: Arc::new(keys),
            wanted,
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
                // Names this host lacks are read under their other name or computed.
                rules::resolve(&self.wanted, &mut reading.values, &mut reading.missing);
                let wanted = &self.wanted;
                reading.missing.retain(|k| wanted.contains(k));
                let repeat = h.last_values.as_ref().is_some_and(|(v, since)| {
                    *v == reading.values && c.t - since < UNCHANGED_FOR_AT_MOST
                });
                if !repeat {
                    h.history.push_values(c.t, &reading.values, reading.missing);
                    h.last_values = Some((reading.values, c.t));
                }
                h.failures_in_row = 0;
                None
            }
            Err(e) => {
                let msg = e.to_string();
                h.history.push_failure(c.t, msg.clone());
                h.last_values = None;
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
        // Through `apply`, as live samples go: the same resolution rules apply.
        let keys = s.keys.clone();
        let n_ticks = secs.round() as u64;
        for host in 0..n {
            let mut model = TrafficModel::new(host as u64 + 1, 1.0);
            for tick in 0..=n_ticks {
                let t = t_end - (n_ticks - tick) as f64;
                model.advance_to(t);
                s.apply(Collected {
                    host,
                    tick,
                    t,
                    result: Ok(read(&model, &keys)),
                    took: std::time::Duration::ZERO,
                });
            }
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
