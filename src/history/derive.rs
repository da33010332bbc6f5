//! Counter maths: rate, average latency, hit rate and gauges, through gaps and resets.

use super::decimate::Bucketer;
use super::{Bucket, Entry, HostHistory};
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
    let mut points = Vec::new();
    let current = visit(history, metric, from_t, latency_scale, |t, v| {
        points.push((t, v))
    });
    Series { points, current }
}

/// The same series thinned to `columns` buckets over `from_t..to_t` as it is derived,
/// without collecting every point first: a long history costs one pass.
pub fn derive_buckets(
    history: &HostHistory,
    metric: &Metric,
    from_t: f64,
    to_t: f64,
    columns: usize,
    latency_scale: f64,
) -> Thinned {
    let mut b = Bucketer::new(from_t, to_t, columns);
    let current = visit(history, metric, from_t, latency_scale, |t, v| b.push(t, v));
    let thinned = b.thinned();
    Thinned {
        buckets: b.finish(),
        current,
        thinned,
    }
}

/// A derived series as the renderer draws it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thinned {
    /// One bucket per point, or per column when there were more points than columns.
    pub buckets: Vec<Bucket>,
    pub current: Option<f64>,
    pub thinned: bool,
}

/// Calls `emit(t, value)` for each derived point at or after `from_t` (NaN = gap) and
/// returns the newest sample's own value.
fn visit(
    history: &HostHistory,
    metric: &Metric,
    from_t: f64,
    latency_scale: f64,
    mut emit: impl FnMut(f64, f64),
) -> Option<f64> {
    let keys = history.keys();
    let (Some(k1), k2) = (
        keys.get(&metric.key),
        metric.key2.as_deref().map(|k| keys.get(k)),
    ) else {
        return None;
    };
    let k2 = match k2 {
        Some(None) => return None,
        Some(Some(i)) => Some(i),
        None => None,
    };
    let ring = history.entries();
    // Start one entry before the window so the first point in it has a baseline.
    let start = ring.partition_point(|e| e.t() < from_t).saturating_sub(1);

    let mut emitted = false;
    let mut last_point: Option<(f64, f64)> = None;
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
                if gap && emitted {
                    emit(t, f64::NAN);
                }
                gap = false;
                emit(t, v);
                emitted = true;
                last_point = Some((t, v));
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
    match (last_point, last_t) {
        (Some((t, v)), Some(lt)) if newest_good && t == lt && v.is_finite() => Some(v),
        _ => None,
    }
}
