//! A plausible ATS 10.2 host: thousands of requests per second that swell and ebb, a
//! hit rate near 90 %, hit latency of a few ms, miss latency of tens of ms, a status
//! code mix, TLS and HTTP/2 activity, byte counters and connection gauges. Counters
//! are integrals of the rates, so derived rates are exactly the model's rates.

use std::collections::BTreeMap;

/// A record as ATS serves it: every field a string.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordValue {
    pub value: String,
    pub data_type: &'static str,
    pub record_type: &'static str,
}

pub struct TrafficModel {
    seed: u64,
    scale: f64,
    t: Option<f64>,
    counters: BTreeMap<&'static str, f64>,
    gauges: BTreeMap<&'static str, f64>,
}

/// Counters a 10.2 host publishes, in the model's accounting.
const COUNTERS: &[&str] = &[
    "proxy.process.http.incoming_requests",
    "proxy.process.http.outgoing_requests",
    "proxy.process.http.cache_hit_fresh",
    "proxy.process.http.cache_hit_revalidated",
    "proxy.process.http.cache_hit_ims",
    "proxy.process.http.cache_hit_stale_served",
    "proxy.process.http.cache_miss_cold",
    "proxy.process.http.cache_miss_changed",
    "proxy.process.http.cache_miss_client_no_cache",
    "proxy.process.http.cache_miss_ims",
    "proxy.process.http.cache_miss_uncacheable",
    "proxy.process.cache_total_hits",
    "proxy.process.cache_total_misses",
    "proxy.process.http.transaction_counts.hit_fresh",
    "proxy.process.http.transaction_totaltime.hit_fresh",
    "proxy.process.http.transaction_counts.miss_cold",
    "proxy.process.http.transaction_totaltime.miss_cold",
    "proxy.process.http.transaction_counts.errors.aborts",
    "proxy.process.http.2xx_responses",
    "proxy.process.http.3xx_responses",
    "proxy.process.http.4xx_responses",
    "proxy.process.http.5xx_responses",
    "proxy.process.ssl.total_success_handshake_count_in",
    "proxy.process.ssl.ssl_error_ssl",
    "proxy.process.http2.total_client_connections",
    "proxy.process.http2.connection_errors",
    "proxy.process.http.user_agent_request_header_total_size",
    "proxy.process.http.user_agent_request_document_total_size",
    "proxy.process.http.user_agent_response_header_total_size",
    "proxy.process.http.user_agent_response_document_total_size",
    "proxy.process.http.user_agent_total_request_bytes",
    "proxy.process.http.user_agent_total_response_bytes",
    "proxy.process.http.origin_server_request_header_total_size",
    "proxy.process.http.origin_server_request_document_total_size",
    "proxy.process.http.origin_server_response_header_total_size",
    "proxy.process.http.origin_server_response_document_total_size",
    "proxy.process.http.origin_server_total_request_bytes",
    "proxy.process.http.origin_server_total_response_bytes",
    "proxy.process.http.err_connect_fail_count",
    "proxy.process.http.total_client_connections",
];

const GAUGES: &[&str] = &[
    "proxy.process.http.current_client_connections",
    "proxy.process.http.current_server_connections",
    "proxy.process.ssl.user_agent_sessions",
    "proxy.process.http2.current_client_connections",
];

pub const VERSION: &str = "10.2.0";

impl TrafficModel {
    pub fn new(seed: u64, scale: f64) -> Self {
        let mut counters = BTreeMap::new();
        // Start from a plausible uptime's worth of traffic, different per host.
        let base = 1.0e6 + (seed % 97) as f64 * 1.0e4;
        for (i, k) in COUNTERS.iter().enumerate() {
            counters.insert(*k, (base / (1 + i % 5) as f64).floor());
        }
        let gauges = GAUGES.iter().map(|k| (*k, 0.0)).collect();
        TrafficModel {
            seed,
            scale: scale.max(0.0),
            t: None,
            counters,
            gauges,
        }
    }

    /// Deterministic noise in [-1, 1] for (seed, channel, whole second).
    fn noise(&self, channel: u64, t: f64) -> f64 {
        let mut x = self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ channel.wrapping_mul(0xBF58_476D_1CE4_E5B9)
            ^ (t.floor() as i64 as u64);
        x ^= x >> 30;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 27;
        x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        (x >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    /// Requests per second at time t.
    pub fn rps(&self, t: f64) -> f64 {
        let phase = (self.seed % 13) as f64;
        let wave = 1.0 + 0.18 * (t / 47.0 + phase).sin() + 0.07 * (t / 9.0 + 2.0 * phase).sin();
        3000.0
            * self.scale
            * (1.0 + 0.1 * (self.seed % 7) as f64)
            * wave
            * (1.0 + 0.03 * self.noise(1, t))
    }

    pub fn hit_ratio(&self, t: f64) -> f64 {
        (0.89 + 0.04 * (t / 31.0 + self.seed as f64).sin() + 0.01 * self.noise(2, t))
            .clamp(0.0, 1.0)
    }

    /// Average latency of fresh hits and of cold misses, in ms.
    pub fn latencies_ms(&self, t: f64) -> (f64, f64) {
        let hit = 2.5 + 0.8 * (t / 23.0 + self.seed as f64).sin() + 0.3 * self.noise(3, t);
        let spike = if (t / 60.0 + self.seed as f64 * 0.37).sin() > 0.93 {
            60.0
        } else {
            0.0
        };
        let miss = 45.0 + 12.0 * (t / 37.0).sin() + 4.0 * self.noise(4, t) + spike;
        (hit.max(0.3), miss.max(5.0))
    }

    /// Moves the model to wall-clock time `t` (seconds), integrating the rates.
    pub fn advance_to(&mut self, t: f64) {
        let Some(t0) = self.t else {
            self.t = Some(t);
            self.set_gauges(t);
            return;
        };
        if t <= t0 {
            return;
        }
        // Integrate in steps of at most 1 s so long gaps still follow the curves.
        let mut now = t0;
        while now < t {
            let dt = (t - now).min(1.0);
            self.step(now + dt / 2.0, dt);
            now += dt;
        }
        self.t = Some(t);
        self.set_gauges(t);
    }

    fn add(&mut self, k: &'static str, v: f64) {
        if let Some(c) = self.counters.get_mut(k) {
            *c += v;
        }
    }

    fn step(&mut self, t: f64, dt: f64) {
        let req = self.rps(t) * dt;
        let hr = self.hit_ratio(t);
        let (lat_hit, lat_miss) = self.latencies_ms(t);
        let hits = req * hr;
        let misses = req - hits;
        let h = [
            ("fresh", 0.85),
            ("revalidated", 0.10),
            ("ims", 0.04),
            ("stale_served", 0.01),
        ];
        let m = [
            ("cold", 0.70),
            ("changed", 0.10),
            ("client_no_cache", 0.05),
            ("ims", 0.05),
            ("uncacheable", 0.10),
        ];
        for (name, share) in h {
            self.add(hit_key(name), hits * share);
        }
        for (name, share) in m {
            self.add(miss_key(name), misses * share);
        }
        self.add("proxy.process.cache_total_hits", hits);
        self.add("proxy.process.cache_total_misses", misses);
        self.add("proxy.process.http.incoming_requests", req);
        let outgoing = misses + hits * 0.10;
        self.add("proxy.process.http.outgoing_requests", outgoing);
        self.add(
            "proxy.process.http.transaction_counts.hit_fresh",
            hits * 0.85,
        );
        self.add(
            "proxy.process.http.transaction_totaltime.hit_fresh",
            hits * 0.85 * lat_hit,
        );
        self.add(
            "proxy.process.http.transaction_counts.miss_cold",
            misses * 0.70,
        );
        self.add(
            "proxy.process.http.transaction_totaltime.miss_cold",
            misses * 0.70 * lat_miss,
        );
        let burst = if self.noise(5, t) > 0.96 { 8.0 } else { 1.0 };
        self.add("proxy.process.http.5xx_responses", req * 0.004 * burst);
        self.add("proxy.process.http.4xx_responses", req * 0.025);
        self.add("proxy.process.http.3xx_responses", req * 0.05);
        self.add(
            "proxy.process.http.2xx_responses",
            req * (1.0 - 0.079 - 0.004 * burst),
        );
        self.add(
            "proxy.process.http.transaction_counts.errors.aborts",
            req * 0.004 * (1.0 + 0.3 * (t / 13.0).sin()),
        );
        let new_conns = req * 0.12;
        self.add("proxy.process.http.total_client_connections", new_conns);
        self.add(
            "proxy.process.ssl.total_success_handshake_count_in",
            new_conns * 0.8,
        );
        self.add(
            "proxy.process.ssl.ssl_error_ssl",
            new_conns * 0.03 * (1.0 + 0.5 * self.noise(6, t)),
        );
        self.add(
            "proxy.process.http2.total_client_connections",
            new_conns * 0.5,
        );
        self.add(
            "proxy.process.http2.connection_errors",
            new_conns * 0.03 * (1.0 + 0.4 * (t / 29.0).sin()),
        );
        self.add(
            "proxy.process.http.err_connect_fail_count",
            outgoing * 0.008 * burst * (1.0 + 0.3 * (t / 17.0).cos()),
        );
        let (ua_req_h, ua_req_d, ua_resp_h, ua_resp_d) =
            (req * 520.0, req * 40.0, req * 380.0, req * 28_000.0);
        let (os_req_h, os_req_d) = (outgoing * 560.0, outgoing * 30.0);
        let (os_resp_h, os_resp_d) = (outgoing * 400.0, misses * 30_000.0);
        let bytes = [
            (
                "proxy.process.http.user_agent_request_header_total_size",
                ua_req_h,
            ),
            (
                "proxy.process.http.user_agent_request_document_total_size",
                ua_req_d,
            ),
            (
                "proxy.process.http.user_agent_response_header_total_size",
                ua_resp_h,
            ),
            (
                "proxy.process.http.user_agent_response_document_total_size",
                ua_resp_d,
            ),
            (
                "proxy.process.http.user_agent_total_request_bytes",
                ua_req_h + ua_req_d,
            ),
            (
                "proxy.process.http.user_agent_total_response_bytes",
                ua_resp_h + ua_resp_d,
            ),
            (
                "proxy.process.http.origin_server_request_header_total_size",
                os_req_h,
            ),
            (
                "proxy.process.http.origin_server_request_document_total_size",
                os_req_d,
            ),
            (
                "proxy.process.http.origin_server_response_header_total_size",
                os_resp_h,
            ),
            (
                "proxy.process.http.origin_server_response_document_total_size",
                os_resp_d,
            ),
            (
                "proxy.process.http.origin_server_total_request_bytes",
                os_req_h + os_req_d,
            ),
            (
                "proxy.process.http.origin_server_total_response_bytes",
                os_resp_h + os_resp_d,
            ),
        ];
        for (k, v) in bytes {
            self.add(k, v);
        }
    }

    fn set_gauges(&mut self, t: f64) {
        let rps = self.rps(t);
        let g = [
            ("proxy.process.http.current_client_connections", rps * 0.35),
            (
                "proxy.process.http.current_server_connections",
                rps * (1.0 - self.hit_ratio(t)) * 0.4 + 20.0,
            ),
            ("proxy.process.ssl.user_agent_sessions", rps * 0.28),
            ("proxy.process.http2.current_client_connections", rps * 0.17),
        ];
        for (k, v) in g {
            self.gauges
                .insert(k, (v * (1.0 + 0.02 * self.noise(7, t))).round());
        }
    }

    /// The record as ATS would serve it, or None for a name 10.2 does not have.
    pub fn get(&self, name: &str) -> Option<RecordValue> {
        if name == super::super::VERSION_RECORD {
            return Some(RecordValue {
                value: VERSION.into(),
                data_type: "STRING",
                record_type: "4",
            });
        }
        let (v, dt) = if let Some(v) = self.counters.get(name) {
            (v, "COUNTER")
        } else {
            (self.gauges.get(name)?, "INT")
        };
        Some(RecordValue {
            value: format!("{}", v.floor() as i64),
            data_type: dt,
            record_type: "4",
        })
    }

    /// Every record name the model serves.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.counters
            .keys()
            .chain(self.gauges.keys())
            .copied()
            .chain(std::iter::once(super::super::VERSION_RECORD))
    }
}

fn hit_key(name: &str) -> &'static str {
    match name {
        "fresh" => "proxy.process.http.cache_hit_fresh",
        "revalidated" => "proxy.process.http.cache_hit_revalidated",
        "ims" => "proxy.process.http.cache_hit_ims",
        _ => "proxy.process.http.cache_hit_stale_served",
    }
}

fn miss_key(name: &str) -> &'static str {
    match name {
        "cold" => "proxy.process.http.cache_miss_cold",
        "changed" => "proxy.process.http.cache_miss_changed",
        "client_no_cache" => "proxy.process.http.cache_miss_client_no_cache",
        "ims" => "proxy.process.http.cache_miss_ims",
        _ => "proxy.process.http.cache_miss_uncacheable",
    }
}
