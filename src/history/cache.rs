//! Derived series kept between frames. Buckets are aligned to absolute time (t / width),
//! so those already filled stay valid as the window slides: each frame derives only
//! the samples that arrived since the last one, and a 6 h window costs what 60 s does.

use super::decimate::Acc;
use super::derive::{Cursor, Spec};
use super::{derive_buckets, Bucket, HostHistory, Thinned};
use crate::dashboard::Metric;
use std::collections::{HashMap, VecDeque};

#[derive(Default)]
pub struct SeriesCache {
    map: HashMap<Key, Cached>,
    frame: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    history: u64,
    metric: String,
    width_bits: u64,
}

struct Cached {
    epoch: u64,
    cursor: Cursor,
    /// Time of the last entry taken in.
    last_entry_t: f64,
    done: VecDeque<Bucket>,
    /// The bucket being filled.
    acc: Option<Acc>,
    used: u64,
}

impl Cached {
    fn add(&mut self, t: f64, v: f64, width: f64) {
        if v.is_nan() {
            self.flush();
            self.done.push_back(Bucket::point(t, v));
            return;
        }
        let col = (t / width).floor() as i64;
        if self.acc.as_ref().is_some_and(|a| a.col != col) {
            self.flush();
        }
        match &mut self.acc {
            None => self.acc = Some(Acc::new(t, v, col)),
            Some(a) => a.add(t, v),
        }
    }

    fn flush(&mut self) {
        if let Some(a) = self.acc.take() {
            self.done.push_back(a.finish());
        }
    }
}

impl SeriesCache {
    /// Call once per frame: forgets series no frame asked for since the last call.
    pub fn next_frame(&mut self) {
        let frame = self.frame;
        self.map.retain(|_, c| c.used + 1 >= frame);
        self.frame += 1;
    }

    /// `metric` on `history` over `from_t..to_t` in about `columns` buckets. Windows
    /// with no more samples than columns are derived directly, one bucket per point.
    pub fn get(
        &mut self,
        history: &HostHistory,
        metric: &Metric,
        from_t: f64,
        to_t: f64,
        columns: usize,
        latency_scale: f64,
    ) -> Thinned {
        let ring = history.entries();
        let first_in = ring.partition_point(|e| e.t() < from_t);
        let Some(spec) = Spec::new(history, metric, latency_scale) else {
            return Thinned::default();
        };
        if ring.len() - first_in <= columns || columns == 0 || to_t <= from_t {
            return derive_buckets(history, metric, from_t, to_t, columns, latency_scale);
        }
        let width = (to_t - from_t) / columns as f64;
        let key = Key {
            history: history.id(),
            metric: format!(
                "{:?}|{}|{:?}|{}",
                metric.kind, metric.key, metric.key2, latency_scale
            ),
            width_bits: width.to_bits(),
        };
        let frame = self.frame;
        let fresh = || Cached {
            epoch: history.epoch(),
            cursor: Cursor::default(),
            last_entry_t: f64::NEG_INFINITY,
            done: VecDeque::new(),
            acc: None,
            used: frame,
        };
        // Whole columns only: the first one starts on a multiple of the width, so a
        // cache built over many frames holds exactly what one built now would.
        let aligned_from = (from_t / width).floor() * width;
        let c = self.map.entry(key).or_insert_with(fresh);
        // Start over when the history was rewritten, or when the window now reaches
        // back before what the cache holds.
        let first_aligned = ring.partition_point(|e| e.t() < aligned_from);
        let oldest_needed = ring.get(first_aligned).map_or(f64::INFINITY, |e| e.t());
        let covered_from = c.done.front().map_or(c.last_entry_t, |b| b.t);
        if c.epoch != history.epoch()
            || (c.last_entry_t > f64::NEG_INFINITY && covered_from > oldest_needed + width)
        {
            *c = fresh();
        }
        c.used = frame;
        let start = if c.last_entry_t == f64::NEG_INFINITY {
            history.baseline_index(first_aligned)
        } else {
            ring.partition_point(|e| e.t() <= c.last_entry_t)
        };
        let emit_from = if c.last_entry_t == f64::NEG_INFINITY {
            aligned_from
        } else {
            f64::NEG_INFINITY
        };
        let mut pending = Vec::new();
        for e in ring.range(start..) {
            c.cursor
                .step(e, &spec, emit_from, &mut |t, v| pending.push((t, v)));
            c.last_entry_t = e.t();
        }
        for (t, v) in pending {
            c.add(t, v, width);
        }
        // Drop what slid out of the window.
        // (A gap left at the front breaks nothing: it goes too.)
        while c
            .done
            .front()
            .is_some_and(|b| b.t < aligned_from || b.is_gap())
        {
            c.done.pop_front();
        }
        let mut buckets: Vec<Bucket> = c.done.iter().copied().collect();
        if let Some(a) = &c.acc {
            buckets.push(a.finish());
        }
        Thinned {
            buckets,
            current: c.cursor.current(history),
            thinned: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::{MetricKind, Rgb};
    use crate::history::KeyIndex;
    use std::collections::HashMap as Map;

    fn metric(kind: MetricKind) -> Metric {
        Metric {
            name: "m".into(),
            kind,
            key: "a".into(),
            key2: None,
            color: Rgb(0, 0, 0),
        }
    }

    #[test]
    fn incremental_equals_fresh_through_gaps_and_resets() {
        let keys = KeyIndex::new(vec!["a".into()]);
        let mut h = HostHistory::new(keys, 3000.0);
        let mut live = SeriesCache::default();
        let (cols, window) = (50usize, 2000.0);
        let mut v = 0.0;
        for i in 0..4000 {
            let t = i as f64;
            v += (i % 7) as f64;
            if i % 501 == 0 {
                v = 1.0; // counter reset
            }
            if i % 333 == 0 {
                h.push_failure(t, "x".into());
            } else {
                h.push_values(t, &Map::from([("a".to_string(), v)]), vec![]);
            }
            let m = metric(MetricKind::Counter);
            let a = live.get(&h, &m, t - window, t, cols, 1.0);
            live.next_frame();
            if i % 97 == 0 && i > 100 {
                let b = SeriesCache::default().get(&h, &m, t - window, t, cols, 1.0);
                assert_eq!(a.current, b.current, "t={t}");
                assert_eq!(a.buckets.len(), b.buckets.len(), "t={t}");
                for (x, y) in a.buckets.iter().zip(&b.buckets) {
                    assert!(x.is_gap() == y.is_gap(), "t={t}: {x:?} {y:?}");
                    if !x.is_gap() {
                        assert!(
                            (x.mean - y.mean).abs() < 1e-9 && x.min == y.min && x.max == y.max,
                            "t={t}: {x:?} {y:?}"
                        );
                    }
                }
                // A gap splits its column in two; otherwise one bucket per column.
                let gaps = a.buckets.iter().filter(|b| b.is_gap()).count();
                let filled = a.buckets.len() - gaps;
                assert!(
                    filled <= cols + gaps + 2,
                    "{filled} buckets for {cols} columns, {gaps} gaps"
                );
            }
        }
    }

    #[test]
    fn a_rewritten_history_starts_over() {
        let keys = KeyIndex::new(vec!["a".into()]);
        let mut h = HostHistory::new(keys, 1e9);
        for i in 0..300 {
            h.push_values(i as f64, &Map::from([("a".to_string(), i as f64)]), vec![]);
        }
        let mut c = SeriesCache::default();
        let m = metric(MetricKind::Gauge);
        let before = c.get(&h, &m, 0.0, 300.0, 10, 1.0);
        assert_eq!(before.current, Some(299.0));
        // A sample older than the tail replaces it (clock step).
        h.push_values(250.5, &Map::from([("a".to_string(), -5.0)]), vec![]);
        let after = c.get(&h, &m, 0.0, 300.0, 10, 1.0);
        assert_eq!(after.current, Some(-5.0));
        assert!(after.buckets.iter().all(|b| b.t <= 250.5));
    }
}
