//! Counter maths: rate, average latency, hit rate and gauges, through gaps and resets.

use super::{Entry, HostHistory};
use crate::dashboard::{Metric, MetricKind};

/// A derived series: points (t, value) in time order, where a NaN value marks a gap
/// (the line breaks there), and the value at the newest sample, if it has one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    pub points: Vec<(f64, f64)>,
    pub current: Option<f64>,
}

/// Derives `metric` from `history` for samples at or after `from_t`.
/// `latency_scale` converts the host's latency unit to milliseconds (1 for ATS 10).
pub fn derive(history: &HostHistory, metric: &Metric, from_t: f64, latency_scale: f64) -> Series {
    let keys = history.keys();
    let (Some(k1), k2) = (
        keys.get(&metric.key),
        metric.key2.as_deref().map(|k| keys.get(k)),
    ) else {
        return Series::default();
    };
    let k2 = match k2 {
        Some(None) => return Series::default(),
        Some(Some(i)) => Some(i),
        None => None,
    };
    let ring = history.entries();
    // Start one entry before the window so the first point in it has a baseline.
    let start = ring.partition_point(|e| e.t() < from_t).saturating_sub(1);

    let mut out = Vec::with_capacity(ring.len() - start);
    let mut prev: Option<(f64, f64, f64)> = None; // (t, v1, v2)
    let mut gap = false;
    let mut last_t = None;
    for e in ring.range(start..) {
        let (t, values) = match e {
            Entry::Failed { .. } => {
                gap = true;
                continue;
            }
            Entry::Good { t, values } => (*t, values),
        };
        last_t = Some(t);
        let v1 = values[k1];
        let v2 = k2.map_or(0.0, |i| values[i]);
        if !v1.is_finite() || !v2.is_finite() {
            gap = true;
            prev = None;
            continue;
        }
        let point = match metric.kind {
            MetricKind::Gauge => Some(v1),
            kind => match prev {
                None => None,
                Some((tp, p1, p2)) => {
                    let (d1, d2, dt) = (v1 - p1, v2 - p2, t - tp);
                    if d1 < 0.0 || d2 < 0.0 {
                        // A counter went down: ATS restarted. New baseline, no spike.
                        gap = true;
                        None
                    } else {
                        match kind {
                            MetricKind::Counter if dt > 0.0 => Some(d1 / dt),
                            MetricKind::Latency if d2 > 0.0 => Some(d1 / d2 * latency_scale),
                            MetricKind::HitRate if d1 + d2 > 0.0 => Some(100.0 * d1 / (d1 + d2)),
                            _ => None,
                        }
                    }
                }
            },
        };
        prev = Some((t, v1, v2));
        match point {
            Some(v) if t >= from_t => {
                if gap && !out.is_empty() {
                    out.push((t, f64::NAN));
                }
                gap = false;
                out.push((t, v));
            }
            Some(_) => gap = false,
            // No traffic in the interval: latency and hit rate are undefined there.
            None if matches!(metric.kind, MetricKind::Latency | MetricKind::HitRate) => gap = true,
            None => {}
        }
    }
    // `current` is the newest sample's own value: a failed or valueless newest tick
    // shows as missing rather than as a stale number.
    let newest_good = matches!(ring.back(), Some(Entry::Good { .. }));
    let current = match (out.last(), last_t) {
        (Some(&(t, v)), Some(lt)) if newest_good && t == lt && v.is_finite() => Some(v),
        _ => None,
    };
    Series {
        points: out,
        current,
    }
}
