//! One thread per host, collecting on absolute deadlines (start + k x interval) so the
//! ticks never drift, and a slow or dead host never delays another host or the frame.

use super::sim::now_secs;
use super::{Reading, Source, SourceError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One host's answer to one tick.
#[derive(Debug)]
pub struct Collected {
    pub host: usize,
    /// Tick number k (deadline start + k x interval).
    pub tick: u64,
    /// Wall-clock time the values stand for (seconds since the epoch): the middle of
    /// the request, the best estimate of when ATS read its counters.
    pub t: f64,
    pub result: Result<Reading, SourceError>,
    pub took: Duration,
}

pub struct Poller {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Poller {
    /// Starts one thread per source; tick k is due at `start + k x interval`.
    /// `deliver` is called from those threads.
    pub fn start(
        sources: Vec<Box<dyn Source>>,
        keys: Arc<Vec<String>>,
        interval: Duration,
        start: Instant,
        deliver: impl Fn(Collected) + Send + Sync + 'static,
    ) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let deliver = Arc::new(deliver);
        let threads = sources
            .into_iter()
            .enumerate()
            .filter_map(|(host, mut src)| {
                let (stop, keys, deliver) = (stop.clone(), keys.clone(), deliver.clone());
                std::thread::Builder::new()
                    .name(format!("poll-{host}"))
                    .spawn(move || {
                        let mut k = 0u64;
                        loop {
                            if !sleep_until(start + interval.mul_f64(k as f64), &stop) {
                                return;
                            }
                            let (t0, w0) = (Instant::now(), now_secs());
                            let result = src.collect(&keys);
                            let took = t0.elapsed();
                            let t = match &result {
                                Ok(Reading { t: Some(t), .. }) => *t,
                                _ => w0 + took.as_secs_f64() / 2.0,
                            };
                            deliver(Collected {
                                host,
                                tick: k,
                                t,
                                result,
                                took,
                            });
                            // Next deadline after now: a slow answer skips ticks, never bunches them.
                            let elapsed = start.elapsed().as_secs_f64();
                            k = (k + 1).max((elapsed / interval.as_secs_f64()).floor() as u64 + 1);
                        }
                    })
                    .ok()
            })
            .collect();
        Poller { stop, threads }
    }

    /// Asks every thread to stop and waits (2 s at most) for them to end, so that
    /// their sources are dropped (an SSH forward's child and socket go with them). A
    /// thread still inside a collection after that is left; it ends with the process.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline && self.threads.iter().any(|t| !t.is_finished()) {
            std::thread::sleep(Duration::from_millis(5));
        }
        for t in self.threads.drain(..) {
            if t.is_finished() {
                let _ = t.join();
            }
        }
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Sleeps until `deadline`, waking every 50 ms to check `stop`. False when stopped.
fn sleep_until(deadline: Instant, stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(50)));
    }
}
