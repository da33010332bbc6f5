//! Thins a series to a pixel width: one bucket per column with its min, max and mean,
//! so a frame costs the same for 60 s or 6 h of history and no spike is lost (the
//! renderer draws the min-max band and a line through the means).

/// One column of a thinned series. A gap is a bucket whose values are NaN.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub t: f64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
}

impl Bucket {
    pub fn is_gap(&self) -> bool {
        self.mean.is_nan()
    }
}

/// `points` in time order (NaN value = gap); `t0..t1` maps onto `columns` buckets.
/// Series with no more points than columns come back one bucket per point.
pub fn decimate(points: &[(f64, f64)], t0: f64, t1: f64, columns: usize) -> Vec<Bucket> {
    let single = |&(t, v): &(f64, f64)| Bucket {
        t,
        min: v,
        max: v,
        mean: v,
    };
    if columns == 0 || points.len() <= columns || t1 <= t0 {
        return points.iter().map(single).collect();
    }
    let scale = columns as f64 / (t1 - t0);
    let mut out: Vec<Bucket> = Vec::with_capacity(columns + 8);
    let mut col = i64::MIN;
    let mut acc: Option<(Bucket, f64, u32)> = None; // bucket, sum of t, count
    let flush = |acc: &mut Option<(Bucket, f64, u32)>, out: &mut Vec<Bucket>| {
        if let Some((mut b, tsum, n)) = acc.take() {
            b.mean /= n as f64;
            b.t = tsum / n as f64;
            out.push(b);
        }
    };
    for &(t, v) in points {
        if v.is_nan() {
            flush(&mut acc, &mut out);
            out.push(Bucket {
                t,
                min: v,
                max: v,
                mean: v,
            });
            col = i64::MIN;
            continue;
        }
        let c = ((t - t0) * scale).floor() as i64;
        if c != col {
            flush(&mut acc, &mut out);
            col = c;
        }
        match &mut acc {
            None => {
                acc = Some((
                    Bucket {
                        t,
                        min: v,
                        max: v,
                        mean: v,
                    },
                    t,
                    1,
                ))
            }
            Some((b, tsum, n)) => {
                b.min = b.min.min(v);
                b.max = b.max.max(v);
                b.mean += v;
                *tsum += t;
                *n += 1;
            }
        }
    }
    flush(&mut acc, &mut out);
    out
}
