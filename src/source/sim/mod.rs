//! The simulator: a traffic model of an ATS 10.2 host, a Unix-socket server that
//! answers exactly as ATS 10.2's JSON-RPC server does (with injectable faults), and an
//! in-process source for `--demo`. One engine serves the demo, `simulate` and tests.

mod model;
mod server;

pub use model::{RecordValue, TrafficModel, VERSION};
pub use server::{ats_answer, serve, Reply, SimServer};

use super::{Reading, Source, SourceError};
use std::time::{SystemTime, UNIX_EPOCH};

/// A simulated host read in-process (no socket): what `--demo` polls.
pub struct DemoSource {
    model: TrafficModel,
    label: String,
}

impl DemoSource {
    pub fn new(seed: u64, scale: f64, label: String) -> Self {
        DemoSource {
            model: TrafficModel::new(seed, scale),
            label,
        }
    }
}

pub fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl Source for DemoSource {
    fn list(&mut self, pattern: &str) -> Result<Reading, SourceError> {
        self.model.advance_to(now_secs());
        let re = super::name_regex(pattern).map_err(|detail| SourceError::Garbage {
            detail,
            snippet: String::new(),
        })?;
        let names: Vec<String> = self
            .model
            .names()
            .filter(|n| re.is_match(n))
            .map(str::to_string)
            .collect();
        let mut r = self.collect(&names)?;
        for n in &names {
            if let Some(v) = self.model.get(n) {
                r.types.insert(n.clone(), v.data_type.to_string());
            }
        }
        Ok(r)
    }

    fn collect(&mut self, keys: &[String]) -> Result<Reading, SourceError> {
        self.model.advance_to(now_secs());
        Ok(read(&self.model, keys))
    }

    fn describe(&self) -> String {
        format!("simulated ATS 10.2 ({})", self.label)
    }
}

/// What a simulated host answers for `keys` now: numbers, texts (the version) and
/// the names it lacks, as ATS would.
pub fn read(model: &TrafficModel, keys: &[String]) -> Reading {
    let mut r = Reading::default();
    for k in keys {
        match model.get(k) {
            Some(RecordValue { value, .. }) => match value.parse::<f64>() {
                Ok(x) => {
                    r.values.insert(k.clone(), x);
                }
                Err(_) => {
                    r.texts.insert(k.clone(), value);
                }
            },
            None => r.missing.push(k.clone()),
        }
    }
    r
}

/// A host's history filled from the model at fixed times: `secs` seconds of samples
/// every `interval`, ending at `t_end`. Deterministic, for golden frames and benchmarks.
pub fn simulated_history(
    seed: u64,
    keys: std::sync::Arc<crate::history::KeyIndex>,
    t_end: f64,
    secs: f64,
    interval: f64,
) -> crate::history::HostHistory {
    let mut model = TrafficModel::new(seed, 1.0);
    let mut h = crate::history::HostHistory::new(keys.clone(), secs + 2.0 * interval);
    let n = (secs / interval).round() as i64;
    for i in 0..=n {
        let t = t_end - (n - i) as f64 * interval;
        model.advance_to(t);
        let r = read(&model, keys.names());
        h.push_values(t, &r.values, r.missing);
    }
    h
}
