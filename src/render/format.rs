//! Number formatting and axis ticks: K/M/G/T suffixes with as many decimals as needed
//! to tell neighbouring ticks apart, latency as ms or s, time-ago labels.

/// `1234.0` -> `1.2K`; `decimals` digits after the point (trailing zeros trimmed).
pub fn si(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    let a = v.abs();
    let (div, suffix) = if a >= 1e12 {
        (1e12, "T")
    } else if a >= 1e9 {
        (1e9, "G")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "K")
    } else {
        (1.0, "")
    };
    format!("{}{suffix}", trim(format!("{:.*}", decimals, v / div)))
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A current value in a title: 3 significant digits, `3.62K`, `845`, `12.5`.
pub fn value(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    let a = v.abs();
    let scaled = if a >= 1e3 {
        a / 10f64.powi(3 * ((a.log10() / 3.0).floor() as i32).min(4))
    } else {
        a
    };
    let decimals = if scaled >= 100.0 {
        0
    } else if scaled >= 10.0 {
        1
    } else {
        2
    };
    si(v, decimals)
}

/// Latency in ms as `0.4ms`, `12ms`, `1.2s`.
pub fn latency_ms(ms: f64) -> String {
    if !ms.is_finite() {
        "-".into()
    } else if ms >= 1000.0 {
        format!("{}s", trim(format!("{:.1}", ms / 1000.0)))
    } else if ms >= 10.0 {
        format!("{ms:.0}ms")
    } else {
        format!("{}ms", trim(format!("{ms:.1}")))
    }
}

pub fn percent(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1}%")
    } else {
        "-".into()
    }
}

/// A nice step (1, 2, 2.5, 5 x 10^k) giving at most `max_ticks` intervals over `span`.
pub fn nice_step(span: f64, max_ticks: usize) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / max_ticks.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= raw {
            return m * mag;
        }
    }
    10.0 * mag
}

/// Y axis range and ticks for data in [lo, hi]: starts at 0 for non-negative data.
pub fn y_ticks(lo: f64, hi: f64, max_ticks: usize) -> (f64, f64, Vec<f64>) {
    let lo = if lo.is_finite() { lo.min(0.0) } else { 0.0 };
    let hi = if hi.is_finite() && hi > lo {
        hi
    } else {
        lo + 1.0
    };
    let step = nice_step((hi - lo) * 1.05, max_ticks);
    let start = (lo / step).floor() * step;
    let end = (hi * 1.05 / step).ceil() * step;
    let n = ((end - start) / step).round() as usize;
    let ticks = (0..=n).map(|i| start + i as f64 * step).collect();
    (start, end.max(start + step), ticks)
}

/// Decimals needed so that ticks `step` apart print differently with K/M/G/T.
pub fn tick_decimals(step: f64, max_abs: f64) -> usize {
    let div = if max_abs >= 1e12 {
        1e12
    } else if max_abs >= 1e9 {
        1e9
    } else if max_abs >= 1e6 {
        1e6
    } else if max_abs >= 1e3 {
        1e3
    } else {
        1.0
    };
    let s = step / div;
    if s >= 1.0 {
        0
    } else {
        ((-s.log10()).ceil() as usize
            + usize::from((s * 10f64.powf((-s.log10()).ceil())).fract() > 1e-6))
        .min(4)
    }
}

/// X axis: ticks in seconds before now and their labels (`60s`, `5m`, `1h`, `now`).
pub fn time_ticks(window: f64, max_ticks: usize) -> Vec<(f64, String)> {
    const STEPS: [f64; 16] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
        10800.0, 21600.0,
    ];
    let step = STEPS
        .iter()
        .copied()
        .find(|s| window / s <= max_ticks.max(1) as f64)
        .unwrap_or(43200.0);
    let n = (window / step).floor() as usize;
    (0..=n)
        .map(|i| {
            let ago = i as f64 * step;
            (ago, ago_label(ago))
        })
        .collect()
}

/// A span of time for people: `60s`, `5m`, `6h`, `1h30m`.
pub fn span_label(secs: f64) -> String {
    if secs < 120.0 {
        let s = format!("{secs:.1}");
        return format!("{}s", s.trim_end_matches('0').trim_end_matches('.'));
    }
    ago_label(secs).trim_start_matches('-').to_string()
}

pub fn ago_label(ago: f64) -> String {
    let s = ago.round() as i64;
    if s == 0 {
        "now".into()
    } else if s % 3600 == 0 {
        format!("-{}h", s / 3600)
    } else if s >= 3600 {
        format!("-{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s % 60 == 0 {
        format!("-{}m", s / 60)
    } else {
        format!("-{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes() {
        assert_eq!(si(3612.0, 1), "3.6K");
        assert_eq!(si(2_500_000.0, 1), "2.5M");
        assert_eq!(si(7.0e9, 1), "7G");
        assert_eq!(si(1.5e12, 2), "1.5T");
        assert_eq!(si(845.0, 0), "845");
        assert_eq!(value(3612.0), "3.61K");
        assert_eq!(value(45678.0), "45.7K");
        assert_eq!(value(845.3), "845");
        assert_eq!(value(f64::NAN), "-");
    }

    #[test]
    fn latency_labels() {
        assert_eq!(latency_ms(12.3), "12ms");
        assert_eq!(latency_ms(0.42), "0.4ms");
        assert_eq!(latency_ms(1234.0), "1.2s");
        assert_eq!(latency_ms(2.0), "2ms");
    }

    #[test]
    fn neighbouring_ticks_read_differently() {
        // The earlier tool printed 1.2K and 1.4K both as "1K".
        for (lo, hi) in [
            (0.0, 1450.0),
            (0.0, 4321.0),
            (0.0, 2.6e6),
            (0.0, 0.7),
            (0.0, 13.0),
            (0.0, 1.0e9 * 1.3),
        ] {
            let (_, _, ticks) = y_ticks(lo, hi, 5);
            let step = ticks[1] - ticks[0];
            let d = tick_decimals(step, *ticks.last().unwrap());
            let labels: Vec<String> = ticks.iter().map(|t| si(*t, d)).collect();
            let set: std::collections::HashSet<_> = labels.iter().collect();
            assert_eq!(set.len(), labels.len(), "{labels:?}");
        }
    }

    #[test]
    fn y_range_covers_data_and_starts_at_zero() {
        let (lo, hi, ticks) = y_ticks(10.0, 3612.0, 5);
        assert_eq!(lo, 0.0);
        assert!((3612.0..6000.0).contains(&hi), "{hi}");
        assert!(ticks.len() <= 7);
        let (lo, hi, _) = y_ticks(f64::INFINITY, f64::NEG_INFINITY, 5);
        assert_eq!(lo, 0.0);
        assert!(hi >= 1.0);
    }

    #[test]
    fn time_axis() {
        let t = time_ticks(60.0, 4);
        let labels: Vec<&str> = t.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(labels, ["now", "-15s", "-30s", "-45s", "-1m"]);
        let t = time_ticks(21600.0, 6);
        assert_eq!(t.last().unwrap().1, "-6h");
        assert_eq!(ago_label(5400.0), "-1h30m");
        assert_eq!(span_label(60.0), "60s");
        assert_eq!(span_label(0.5), "0.5s");
        assert_eq!(span_label(21600.0), "6h");
        assert_eq!(span_label(600.0), "10m");
    }
}
