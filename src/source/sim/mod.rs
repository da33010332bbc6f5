//! The simulator: a traffic model of an ATS 10.2 host, a Unix-socket server that
//! answers exactly as ATS 10.2's JSON-RPC server does (with injectable faults), and an
//! in-process source for `--demo`. One engine serves the demo, `simulate` and tests.

mod model;
mod server;

pub use model::{RecordValue, TrafficModel};
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
    fn collect(&mut self, keys: &[String]) -> Result<Reading, SourceError> {
        self.model.advance_to(now_secs());
        let mut r = Reading::default();
        for k in keys {
            match self.model.get(k) {
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
        Ok(r)
    }

    fn describe(&self) -> String {
        format!("simulated ATS 10.2 ({})", self.label)
    }
}
