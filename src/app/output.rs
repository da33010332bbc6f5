//! What a frame leaves behind: PNG files named from the --save-png template, the JSON
//! and text summaries of `--once`, and the --log-stats lines.

use super::state::State;
use crate::dashboard::MetricKind;
use crate::render::{format_value, metric_series};
use crate::source::poller::Collected;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::PathBuf;

/// `{iter}` -> frame number, `{page}` -> page number (1-based).
pub fn png_name(template: &str, iter: u64, page: usize) -> PathBuf {
    PathBuf::from(
        template
            .replace("{iter}", &iter.to_string())
            .replace("{page}", &(page + 1).to_string()),
    )
}

/// Values rounded for people and diffs: 4 significant decimals are plenty.
pub(crate) fn round(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

/// Per host, per page, per panel, per metric: the current derived value with its unit.
pub fn frame_json(state: &State, now: f64) -> Value {
    let views = state.views();
    let from_t = now - state.window;
    let hosts: Vec<Value> = state
        .hosts
        .iter()
        .zip(&views)
        .map(|(h, view)| {
            let pages: Vec<Value> = state
                .dashboard
                .pages
                .iter()
                .map(|p| {
                    let panels: Vec<Value> = p
                        .panels
                        .iter()
                        .map(|panel| {
                            let metrics: Vec<Value> = panel
                                .metrics
                                .iter()
                                .map(|m| {
                                    let s = metric_series(view, m, from_t);
                                    let missing: Vec<&str> =
                                        m.keys().filter(|k| h.history.missing.iter().any(|x| x == k)).collect();
                                    json!({
                                        "name": m.name,
                                        "type": m.kind,
                                        "unit": m.kind.unit(),
                                        "value": s.current.map(round),
                                        "points": s.points.iter().filter(|p| p.1.is_finite()).count(),
                                        "missing": missing,
                                    })
                                })
                                .collect();
                            json!({"title": panel.title, "metrics": metrics})
                        })
                        .collect();
                    json!({"name": p.name, "panels": panels})
                })
                .collect();
            json!({
                "label": h.spec.label,
                "version": h.version,
                "error": h.history.last_error,
                "samples": h.history.len(),
                "pages": pages,
            })
        })
        .collect();
    json!({
        "time": round(now),
        "interval": state.interval,
        "history": state.window,
        "hosts": hosts,
    })
}

/// The same values as readable lines, for `--once` without --json or --save-png.
pub fn frame_text(state: &State, now: f64) -> String {
    let views = state.views();
    let mut out = String::new();
    let labels: Vec<&str> = state.hosts.iter().map(|h| h.spec.label.as_str()).collect();
    out.push_str(&format!("hosts: {}\n", labels.join(" / ")));
    for (pi, p) in state.dashboard.pages.iter().enumerate() {
        out.push_str(&format!("page {}: {}\n", pi + 1, p.name));
        for panel in &p.panels {
            for m in &panel.metrics {
                let vals: Vec<String> = views
                    .iter()
                    .map(|v| format_value(m.kind, metric_series(v, m, now - state.window).current))
                    .collect();
                let unit = if m.kind == MetricKind::Counter {
                    "/s"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "  {:<28} {:<14} {}{unit}\n",
                    panel.title,
                    m.name,
                    vals.join(" / ")
                ));
            }
        }
    }
    for h in &state.hosts {
        if let Some(e) = &h.history.last_error {
            out.push_str(&format!("ERROR {}: {e}\n", h.spec.label));
        }
    }
    out
}

/// One --log-stats line for a collection.
pub fn log_line(state: &State, c: &Collected) -> String {
    let label = state
        .hosts
        .get(c.host)
        .map_or("?", |h| h.spec.label.as_str());
    let mut o = Map::new();
    o.insert("t".into(), json!(c.t));
    o.insert("host".into(), json!(label));
    o.insert("tick".into(), json!(c.tick));
    o.insert(
        "took_ms".into(),
        json!((c.took.as_secs_f64() * 1e6).round() / 1e3),
    );
    match &c.result {
        Ok(r) => {
            let mut values: Vec<(&String, &f64)> = r.values.iter().collect();
            values.sort_by(|a, b| a.0.cmp(b.0));
            o.insert(
                "values".into(),
                Value::Object(
                    values
                        .into_iter()
                        .map(|(k, v)| (k.clone(), json!(v)))
                        .collect(),
                ),
            );
            o.insert("missing".into(), json!(r.missing));
        }
        Err(e) => {
            o.insert("error".into(), json!(e.to_string()));
        }
    }
    Value::Object(o).to_string()
}

pub struct StatsLog(std::fs::File);

impl StatsLog {
    pub fn open(path: &std::path::Path) -> Result<Self, String> {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map(StatsLog)
            .map_err(|e| format!("cannot open --log-stats file {}: {e}", path.display()))
    }
    pub fn write(&mut self, line: &str) {
        // A full disk must not stop the dashboard; the log is for debugging.
        let _ = writeln!(self.0, "{line}");
    }
}
