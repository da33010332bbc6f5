//! Raw samples per host in a bounded ring, and the counter maths that turns them into
//! plotted series (`derive`) and thins them to a pixel width (`decimate`).
//! Knows nothing about where samples came from.

mod cache;
mod decimate;
mod derive;

pub use cache::SeriesCache;
pub use decimate::{decimate, Bucket};
pub use derive::{derive, derive_buckets, Series, Thinned};

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Record names in a fixed order, shared by every host's history, so that a sample is
/// a plain vector instead of a map (6 h of history at 1 s stays a few MB).
#[derive(Debug, Clone)]
pub struct KeyIndex {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl KeyIndex {
    pub fn new(names: Vec<String>) -> Arc<Self> {
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        Arc::new(KeyIndex { names, index })
    }
    pub fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
    pub fn names(&self) -> &[String] {
        &self.names
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// What one host answered at one tick.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// Values in `KeyIndex` order; NaN where the host had no such record.
    Good { t: f64, values: Box<[f64]> },
    /// The tick's collection failed: the line shows a gap here.
    Failed { t: f64 },
}

impl Entry {
    pub fn t(&self) -> f64 {
        match self {
            Entry::Good { t, .. } | Entry::Failed { t } => *t,
        }
    }
}

/// One host's raw samples, oldest first, bounded by time.
#[derive(Debug, Clone)]
pub struct HostHistory {
    /// Unique per history, so a cache never mixes two hosts' (or two runs') samples.
    id: u64,
    /// Bumped whenever entries change other than by appending (an out-of-order sample
    /// replaced the tail): cached derivations start over then.
    epoch: u64,
    keys: Arc<KeyIndex>,
    ring: VecDeque<Entry>,
    keep_secs: f64,
    /// Record names the host reported missing in its latest good answer.
    pub missing: Vec<String>,
    /// The latest collection error, cleared by the next good sample.
    pub last_error: Option<String>,
}

impl HostHistory {
    /// `keep_secs`: how far back samples are kept (the widest window ever shown).
    pub fn new(keys: Arc<KeyIndex>, keep_secs: f64) -> Self {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        HostHistory {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            epoch: 0,
            keys,
            ring: VecDeque::new(),
            keep_secs,
            missing: Vec::new(),
            last_error: None,
        }
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn keys(&self) -> &Arc<KeyIndex> {
        &self.keys
    }

    pub fn entries(&self) -> &VecDeque<Entry> {
        &self.ring
    }

    pub fn len(&self) -> usize {
        self.ring.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// Adds a good sample given as name -> value; names not in the key index are
    /// ignored, keys the sample lacks become NaN.
    pub fn push_values(&mut self, t: f64, values: &HashMap<String, f64>, missing: Vec<String>) {
        let mut v = vec![f64::NAN; self.keys.len()].into_boxed_slice();
        for (name, val) in values {
            if let Some(i) = self.keys.get(name) {
                v[i] = *val;
            }
        }
        self.missing = missing;
        self.last_error = None;
        self.push(Entry::Good { t, values: v });
    }

    /// Marks a failed tick; the history before it is kept.
    pub fn push_failure(&mut self, t: f64, message: String) {
        self.last_error = Some(message);
        self.push(Entry::Failed { t });
    }

    fn push(&mut self, e: Entry) {
        let t = e.t();
        // Samples arrive in order from one poller; an out-of-order one (clock step)
        // would make negative time deltas, so it replaces the tail instead.
        while self.ring.back().is_some_and(|b| b.t() >= t) {
            self.ring.pop_back();
            self.epoch += 1;
        }
        self.ring.push_back(e);
        // Keep one entry older than the window so the first point in it has a baseline.
        while self.ring.len() > 2 && self.ring[1].t() < t - self.keep_secs {
            self.ring.pop_front();
        }
    }

    /// The newest good value of a record, if any.
    pub fn latest(&self, name: &str) -> Option<f64> {
        let i = self.keys.get(name)?;
        match self.ring.back()? {
            Entry::Good { values, .. } if values[i].is_finite() => Some(values[i]),
            _ => None,
        }
    }

    /// Index to start deriving from for a window whose first entry is `first_in`: the
    /// last good entry before it, so the window's first point has a baseline even
    /// when the tick just before the window failed.
    pub fn baseline_index(&self, first_in: usize) -> usize {
        let mut i = first_in.saturating_sub(1);
        while i > 0 && matches!(self.ring[i], Entry::Failed { .. }) {
            i -= 1;
        }
        i
    }

    /// Time of the newest entry.
    pub fn newest_t(&self) -> Option<f64> {
        self.ring.back().map(Entry::t)
    }
}

#[cfg(test)]
mod tests;
