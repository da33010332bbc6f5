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

/// What a derivation needs to know about a metric on one host.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    kind: MetricKind,
    k1: usize,
    k2: Option<usize>,
    scale: f64,
}

impl Spec {
    /// None when the host's key index lacks one of the metric's records.
    pub(crate) fn new(history: &HostHistory, metric: &Metric, latency_scale: f64) -> Option<Spec> {
        let keys = history.keys();
        let k1 = keys.get(&metric.key)?;
        let k2 = match metric.key2.as_deref() {
            Some(k) => Some(keys.get(k)?),
            None => None,
        };
        Some(Spec {
            kind: metric.kind,
            k1,
            k2,
            scale: latency_scale,
        })
    }
}

/// Where a derivation stands after some entries: enough to go on with the next ones,
/// so a cache can derive only what arrived since the last frame.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cursor {
    prev: Option<(f64, f64, f64)>, // (t, v1, v2)
    gap: bool,
    emitted: bool,
    last_point: Option<(f64, f64)>,
    last_t: Option<f64>,
}

impl Cursor {
    /// Takes one entry; emits (t, value) for a point at or after `from_t`, preceded by
    /// (t, NaN) when the line must break before it.
    pub(crate) fn step(
        &mut self,
        e: &Entry,
        s: &Spec,
        from_t: f64,
        emit: &mut impl FnMut(f64, f64),
    ) {
        let (t, values) = match e {
            Entry::Failed { .. } => {
                self.gap = true;
                return;
            }
            Entry::Good { t, values } => (*t, values),
        };
        self.last_t = Some(t);
        let v1 = values[s.k1];
        let v2 = s.k2.map_or(0.0, |i| values[i]);
        if !v1.is_finite() || !v2.is_finite() {
            self.gap = true;
            self.prev = None;
            return;
        }
        let point = match s.kind {
            MetricKind::Gauge => Some(v1),
            kind => match self.prev {
                None => None,
                Some((tp, p1, p2)) => {
                    let (d1, d2, dt) = (v1 - p1, v2 - p2, t - tp);
                    if d1 < 0.0 || d2 < 0.0 {
                        // A counter went down: ATS restarted. New baseline, no spike.
                        self.gap = true;
                        None
                    } else {
                        match kind {
                            MetricKind::Counter if dt > 0.0 => Some(d1 / dt),
                            MetricKind::Latency if d2 > 0.0 => Some(d1 / d2 * s.scale),
                            MetricKind::HitRate if d1 + d2 > 0.0 => Some(100.0 * d1 / (d1 + d2)),
                            _ => None,
                        }
                    }
                }
            },
        };
        self.prev = Some((t, v1, v2));
        match point {
            Some(v) if t >= from_t => {
                if self.gap && self.emitted {
                    emit(t, f64::NAN);
                }
                self.gap = false;
                emit(t, v);
                self.emitted = true;
                self.last_point = Some((t, v));
            }
            Some(_) => self.gap = false,
            // No traffic in the interval: latency and hit rate are undefined there.
            None if matches!(s.kind, MetricKind::Latency | MetricKind::HitRate) => self.gap = true,
            None => {}
        }
    }

    /// The newest sample's own value: a failed or valueless newest tick shows as
    /// missing rather than as a stale number.
    pub(crate) fn current(&self, history: &HostHistory) -> Option<f64> {
        let newest_good = matches!(history.entries().back(), Some(Entry::Good { .. }));
        match (self.last_point, self.last_t) {
            (Some((t, v)), Some(lt)) if newest_good && t == lt && v.is_finite() => Some(v),
            _ => None,
        }
    }
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
    let spec = Spec::new(history, metric, latency_scale)?;
    let ring = history.entries();
    let start = history.baseline_index(ring.partition_point(|e| e.t() < from_t));
    let mut cursor = Cursor::default();
    for e in ring.range(start..) {
        cursor.step(e, &spec, from_t, &mut emit);
    }
    cursor.current(history)
}
