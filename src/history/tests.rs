use super::*;
use crate::dashboard::{Metric, MetricKind, Rgb};

fn metric(kind: MetricKind) -> Metric {
    let key2 = matches!(kind, MetricKind::Latency | MetricKind::HitRate).then(|| "b".to_string());
    Metric {
        name: "m".into(),
        kind,
        key: "a".into(),
        key2,
        color: Rgb(1, 2, 3),
    }
}

fn hist(samples: &[(f64, Option<(f64, f64)>)]) -> HostHistory {
    let mut h = HostHistory::new(KeyIndex::new(vec!["a".into(), "b".into()]), 1e9);
    for &(t, s) in samples {
        match s {
            Some((a, b)) => {
                let m = HashMap::from([("a".to_string(), a), ("b".to_string(), b)]);
                h.push_values(t, &m, vec![]);
            }
            None => h.push_failure(t, "boom".into()),
        }
    }
    h
}

fn values(s: &Series) -> Vec<f64> {
    s.points.iter().map(|p| p.1).collect()
}

#[test]
fn counter_rate_per_second() {
    let h = hist(&[
        (0.0, Some((100.0, 0.0))),
        (2.0, Some((300.0, 0.0))),
        (3.0, Some((350.0, 0.0))),
    ]);
    let s = derive(&h, &metric(MetricKind::Counter), 0.0, 1.0);
    assert_eq!(values(&s), [100.0, 50.0]);
    assert_eq!(s.current, Some(50.0));
}

#[test]
fn counter_reset_starts_new_baseline_without_spike() {
    let h = hist(&[
        (0.0, Some((1000.0, 0.0))),
        (1.0, Some((1100.0, 0.0))),
        (2.0, Some((5.0, 0.0))), // restart
        (3.0, Some((25.0, 0.0))),
        (4.0, Some((45.0, 0.0))),
    ]);
    let s = derive(&h, &metric(MetricKind::Counter), 0.0, 1.0);
    let v = values(&s);
    assert_eq!(v[0], 100.0);
    assert!(v[1].is_nan(), "reset must break the line: {v:?}");
    assert_eq!(&v[2..], [20.0, 20.0]);
    assert!(v.iter().all(|x| x.is_nan() || (0.0..=100.0).contains(x)));
}

#[test]
fn missed_tick_is_a_gap_and_rate_stays_right() {
    let h = hist(&[
        (0.0, Some((0.0, 0.0))),
        (1.0, Some((10.0, 0.0))),
        (2.0, None),
        (3.0, Some((30.0, 0.0))),
        (4.0, Some((40.0, 0.0))),
    ]);
    let s = derive(&h, &metric(MetricKind::Counter), 0.0, 1.0);
    let ts: Vec<f64> = s.points.iter().map(|p| p.0).collect();
    assert_eq!(ts, [1.0, 3.0, 3.0, 4.0]);
    let v = values(&s);
    assert_eq!(v[0], 10.0);
    assert!(v[1].is_nan());
    assert_eq!(&v[2..], [10.0, 10.0]);
}

#[test]
fn failed_newest_tick_has_no_current_value() {
    let h = hist(&[
        (0.0, Some((0.0, 0.0))),
        (1.0, Some((10.0, 0.0))),
        (2.0, None),
    ]);
    let s = derive(&h, &metric(MetricKind::Counter), 0.0, 1.0);
    assert_eq!(s.current, None);
    assert_eq!(h.last_error.as_deref(), Some("boom"));
}

#[test]
fn latency_is_delta_total_over_delta_count() {
    // total ms, count
    let h = hist(&[
        (0.0, Some((1000.0, 100.0))),
        (1.0, Some((1500.0, 200.0))),
        (2.0, Some((1500.0, 200.0))),
        (3.0, Some((1800.0, 210.0))),
    ]);
    let s = derive(&h, &metric(MetricKind::Latency), 0.0, 1.0);
    let v = values(&s);
    assert_eq!(v[0], 5.0);
    assert!(v[1].is_nan(), "no requests: no latency, a gap: {v:?}");
    assert_eq!(v[2], 30.0);
    // 9.2 counts seconds: scale 1000
    let s = derive(&h, &metric(MetricKind::Latency), 0.0, 1000.0);
    assert_eq!(s.points[0].1, 5000.0);
}

#[test]
fn hit_rate_percent_and_reset() {
    let h = hist(&[
        (0.0, Some((0.0, 0.0))),
        (1.0, Some((90.0, 10.0))),
        (2.0, Some((5.0, 1.0))),
        (3.0, Some((8.0, 2.0))),
    ]);
    let s = derive(&h, &metric(MetricKind::HitRate), 0.0, 1.0);
    let v = values(&s);
    assert_eq!(v[0], 90.0);
    assert!(v[1].is_nan());
    assert_eq!(v[2], 75.0);
}

#[test]
fn gauge_as_is_and_missing_values_gap() {
    let mut h = hist(&[(0.0, Some((7.0, 0.0))), (1.0, Some((9.0, 0.0)))]);
    h.push_values(
        2.0,
        &HashMap::from([("b".to_string(), 1.0)]),
        vec!["a".into()],
    );
    h.push_values(3.0, &HashMap::from([("a".to_string(), 4.0)]), vec![]);
    let s = derive(&h, &metric(MetricKind::Gauge), 0.0, 1.0);
    let v = values(&s);
    assert_eq!(v[..2], [7.0, 9.0]);
    assert!(v[2].is_nan());
    assert_eq!(v[3], 4.0);
}

#[test]
fn window_start_uses_baseline_before_it() {
    let h = hist(&[
        (0.0, Some((0.0, 0.0))),
        (1.0, Some((10.0, 0.0))),
        (2.0, Some((30.0, 0.0))),
    ]);
    let s = derive(&h, &metric(MetricKind::Counter), 1.5, 1.0);
    assert_eq!(s.points, [(2.0, 20.0)]);
}

#[test]
fn ring_is_bounded_by_time() {
    let mut h = HostHistory::new(KeyIndex::new(vec!["a".into()]), 10.0);
    for i in 0..1000 {
        h.push_values(
            i as f64,
            &HashMap::from([("a".to_string(), i as f64)]),
            vec![],
        );
    }
    assert!(h.len() <= 12, "{}", h.len());
    assert_eq!(h.newest_t(), Some(999.0));
    assert_eq!(h.latest("a"), Some(999.0));
}

#[test]
fn out_of_order_sample_replaces_tail() {
    let mut h = hist(&[(0.0, Some((0.0, 0.0))), (5.0, Some((50.0, 0.0)))]);
    h.push_values(3.0, &HashMap::from([("a".to_string(), 30.0)]), vec![]);
    assert_eq!(h.len(), 2);
    assert_eq!(h.newest_t(), Some(3.0));
}

#[test]
fn decimate_keeps_extremes_and_gaps() {
    let mut pts: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64, (i % 7) as f64)).collect();
    pts[5000] = (5000.0, 1000.0); // spike
    pts[7000] = (7000.0, f64::NAN); // gap
    let d = decimate(&pts, 0.0, 10_000.0, 100);
    assert!(d.len() <= 100 + 2, "{}", d.len());
    assert!(d.iter().any(|b| b.max == 1000.0), "spike lost");
    assert_eq!(d.iter().filter(|b| b.is_gap()).count(), 1);
    assert!(d.windows(2).all(|w| w[0].t <= w[1].t), "time order kept");
    assert_eq!(
        d.iter()
            .filter(|b| !b.is_gap())
            .map(|b| b.min)
            .fold(f64::MAX, f64::min),
        0.0
    );
    // means stay inside each bucket's range
    assert!(d
        .iter()
        .filter(|b| !b.is_gap())
        .all(|b| b.min <= b.mean && b.mean <= b.max));
    // short series pass through untouched, one bucket per point
    let short = decimate(&pts[..50], 0.0, 50.0, 100);
    assert_eq!(short.len(), 50);
    assert!(short
        .iter()
        .zip(&pts[..50])
        .all(|(b, p)| b.t == p.0 && b.mean == p.1 && b.min == b.max));
}
