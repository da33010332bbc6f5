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

    /// A bucket of one point (a NaN value makes a gap).
    pub fn point(t: f64, v: f64) -> Bucket {
        Bucket {
            t,
            min: v,
            max: v,
            mean: v,
        }
    }
}

/// The bucket being filled: min, max, running sums for the mean value and time, and
/// the column it belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Acc {
    bucket: Bucket,
    tsum: f64,
    n: u32,
    pub col: i64,
}

impl Acc {
    pub fn new(t: f64, v: f64, col: i64) -> Acc {
        Acc {
            bucket: Bucket::point(t, v),
            tsum: t,
            n: 1,
            col,
        }
    }

    pub fn add(&mut self, t: f64, v: f64) {
        let b = &mut self.bucket;
        b.min = b.min.min(v);
        b.max = b.max.max(v);
        b.mean += v;
        self.tsum += t;
        self.n += 1;
    }

    /// The bucket with its mean value and mean time.
    pub fn finish(&self) -> Bucket {
        let n = self.n as f64;
        Bucket {
            t: self.tsum / n,
            mean: self.bucket.mean / n,
            ..self.bucket
        }
    }
}

/// `points` in time order (NaN value = gap); `t0..t1` maps onto `columns` buckets.
/// Series with no more points than columns come back one bucket per point.
pub fn decimate(points: &[(f64, f64)], t0: f64, t1: f64, columns: usize) -> Vec<Bucket> {
    let mut b = Bucketer::new(t0, t1, columns);
    for &(t, v) in points {
        b.push(t, v);
    }
    b.finish()
}

/// Builds buckets from points pushed in time order. It keeps every point until there
/// are more than `columns` of them, then switches to one bucket per column.
pub(crate) struct Bucketer {
    t0: f64,
    scale: f64,
    columns: usize,
    /// Points kept as they came while there are few of them.
    raw: Vec<(f64, f64)>,
    out: Vec<Bucket>,
    col: i64,
    acc: Option<Acc>,
    thinning: bool,
}

impl Bucketer {
    pub fn new(t0: f64, t1: f64, columns: usize) -> Self {
        let scale = if t1 > t0 {
            columns as f64 / (t1 - t0)
        } else {
            0.0
        };
        Bucketer {
            t0,
            scale,
            columns,
            raw: Vec::new(),
            out: Vec::new(),
            col: i64::MIN,
            acc: None,
            thinning: false,
        }
    }

    pub fn push(&mut self, t: f64, v: f64) {
        if !self.thinning {
            self.raw.push((t, v));
            if self.columns == 0 || self.scale == 0.0 || self.raw.len() <= self.columns {
                return;
            }
            // Too many for the width: bucket what came so far, and the rest as it comes.
            self.thinning = true;
            for (t, v) in std::mem::take(&mut self.raw) {
                self.add(t, v);
            }
            return;
        }
        self.add(t, v);
    }

    fn add(&mut self, t: f64, v: f64) {
        if v.is_nan() {
            self.flush();
            self.out.push(Bucket::point(t, v));
            self.col = i64::MIN;
            return;
        }
        let c = ((t - self.t0) * self.scale).floor() as i64;
        if c != self.col {
            self.flush();
            self.col = c;
        }
        match &mut self.acc {
            None => self.acc = Some(Acc::new(t, v, c)),
            Some(a) => a.add(t, v),
        }
    }

    fn flush(&mut self) {
        if let Some(a) = self.acc.take() {
            self.out.push(a.finish());
        }
    }

    pub fn finish(mut self) -> Vec<Bucket> {
        if !self.thinning {
            return self.raw.iter().map(|&(t, v)| Bucket::point(t, v)).collect();
        }
        self.flush();
        self.out
    }

    /// Whether more points came than there are columns.
    pub fn thinned(&self) -> bool {
        self.thinning
    }
}
