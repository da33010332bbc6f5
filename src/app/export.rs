//! `traffic_grapher export FILE --csv|--json [-c DASHBOARD] [--raw]`: a recording's
//! derived series — one row per host, page, panel, metric and tick, the value the
//! dashboard showed for that tick (as `--once --json` rounds it) — or its raw records.

use super::output::round;
use super::record::{Line, Recording};
use super::{AppError, State};
use crate::cli::{ExportArgs, HostSpec, Target};
use crate::dashboard::Dashboard;
use crate::history::derive;
use std::io::Write;

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn export(a: ExportArgs) -> Result<(), AppError> {
    if !a.csv && !a.json {
        return Err(AppError::Usage("export needs --csv or --json".into()));
    }
    let rec = Recording::read(&a.file).map_err(AppError::Usage)?;
    for w in &rec.warnings {
        eprintln!("traffic_grapher: {}: {w}", a.file.display());
    }
    let labels = rec.hosts();
    let mut out = std::io::stdout().lock();
    let mut emit = |fields: &[(&str, String)], numeric_last: bool| -> bool {
        let line = if a.csv {
            fields
                .iter()
                .map(|(_, v)| csv(v))
                .collect::<Vec<_>>()
                .join(",")
        } else {
            let mut o = serde_json::Map::new();
            for (i, (k, v)) in fields.iter().enumerate() {
                let last = i + 1 == fields.len();
                let val = match v.parse::<f64>() {
                    Ok(x) if (i == 0 || (last && numeric_last)) => serde_json::json!(x),
                    _ if last && numeric_last => serde_json::Value::Null,
                    _ => serde_json::json!(v),
                };
                o.insert(k.to_string(), val);
            }
            serde_json::Value::Object(o).to_string()
        };
        writeln!(out, "{line}").is_ok()
    };

    if a.raw {
        if a.csv
            && !emit(
                &[
                    ("t", "time".into()),
                    ("host", "host".into()),
                    ("record", "record".into()),
                    ("value", "value".into()),
                ],
                false,
            )
        {
            return Ok(());
        }
        for l in &rec.lines {
            if let Line::Sample {
                host, t, values, ..
            } = l
            {
                let mut keys: Vec<&String> = values.keys().collect();
                keys.sort();
                for k in keys {
                    let row = [
                        ("t", format!("{t:.3}")),
                        ("host", host.clone()),
                        ("record", k.clone()),
                        ("value", values[k].to_string()),
                    ];
                    if !emit(&row, true) {
                        return Ok(());
                    }
                }
            }
        }
        return Ok(());
    }

    let dashboard = match (&a.config, &rec.header) {
        (Some(p), _) => super::load_dashboard(p)?,
        (None, Some(h)) if !h.dashboard.trim().is_empty() => {
            Dashboard::from_yaml(&h.dashboard, "recorded dashboard")
                .map_err(|e| AppError::Usage(e.to_string()))?
        }
        _ => Dashboard::builtin(),
    };
    let times: Vec<f64> = rec.lines.iter().map(Line::t).collect();
    let (t0, t1) = (
        times.iter().copied().fold(f64::INFINITY, f64::min),
        times.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    if !t0.is_finite() {
        return Err(AppError::Usage(format!("{}: no samples", a.file.display())));
    }
    let interval = rec.header.as_ref().map_or(1.0, |h| h.interval);
    let specs = labels
        .iter()
        .map(|l| HostSpec {
            label: l.clone(),
            target: Target::Recorded,
        })
        .collect();
    // The whole recording in one window, so every tick keeps its baseline.
    let mut state = State::new(
        dashboard,
        specs,
        interval,
        (t1 - t0) + 10.0 * interval,
        jiff::tz::TimeZone::UTC,
    );
    // Each host's sample times, in order: the ticks of its rows.
    let mut ticks: Vec<Vec<f64>> = vec![Vec::new(); labels.len()];
    for l in &rec.lines {
        if let Some(c) = l.collected() {
            if let Some(v) = ticks.get_mut(c.host) {
                v.push(c.t);
            }
            state.apply(c);
        }
    }
    if a.csv
        && !emit(
            &[
                ("t", "time".into()),
                ("host", "host".into()),
                ("page", "page".into()),
                ("panel", "panel".into()),
                ("metric", "metric".into()),
                ("value", "value".into()),
            ],
            false,
        )
    {
        return Ok(());
    }
    for (hi, h) in state.hosts.iter().enumerate() {
        let scale = h.latency_scale();
        for page in &state.dashboard.pages {
            for panel in &page.panels {
                for m in &panel.metrics {
                    let series = derive(&h.history, m, f64::NEG_INFINITY, scale);
                    for &t in &ticks[hi] {
                        let v = series
                            .points
                            .iter()
                            .find(|p| p.0 == t)
                            .map(|p| p.1)
                            .filter(|v| v.is_finite());
                        let row = [
                            ("t", format!("{t:.3}")),
                            ("host", h.spec.label.clone()),
                            ("page", page.name.clone()),
                            ("panel", panel.title.clone()),
                            ("metric", m.name.clone()),
                            ("value", v.map(|v| round(v).to_string()).unwrap_or_default()),
                        ];
                        if !emit(&row, true) {
                            return Ok(());
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
