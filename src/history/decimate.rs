//! Thins a series to a pixel width: per pixel column the first, min and max points, so
//! a frame costs the same for 60 s or 6 h of history and no spike is lost.

/// `points` in time order (NaN value = gap); `t0..t1` maps onto `width` columns.
pub fn decimate(points: &[(f64, f64)], t0: f64, t1: f64, width: usize) -> Vec<(f64, f64)> {
    if width == 0 || points.len() <= 3 * width || t1 <= t0 {
        return points.to_vec();
    }
    let scale = width as f64 / (t1 - t0);
    let mut out = Vec::with_capacity(4 * width);
    let mut col = i64::MIN;
    // (first, min, max) of the current column
    let mut acc: Option<[(f64, f64); 3]> = None;
    let flush = |acc: &mut Option<[(f64, f64); 3]>, out: &mut Vec<(f64, f64)>| {
        if let Some([first, min, max]) = acc.take() {
            out.push(first);
            // min and max in time order so the line's shape is kept
            let (a, b) = if min.0 <= max.0 {
                (min, max)
            } else {
                (max, min)
            };
            for p in [a, b] {
                if out.last() != Some(&p) {
                    out.push(p);
                }
            }
        }
    };
    for &(t, v) in points {
        if v.is_nan() {
            flush(&mut acc, &mut out);
            out.push((t, v));
            col = i64::MIN;
            continue;
        }
        let c = ((t - t0) * scale).floor() as i64;
        if c != col {
            flush(&mut acc, &mut out);
            col = c;
        }
        match &mut acc {
            None => acc = Some([(t, v); 3]),
            Some([_, min, max]) => {
                if v < min.1 {
                    *min = (t, v);
                }
                if v > max.1 {
                    *max = (t, v);
                }
            }
        }
    }
    flush(&mut acc, &mut out);
    out
}
