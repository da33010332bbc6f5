//! How a metric name is read on every ATS version: the one table of renames, sums and
//! units (ATS 10.2's source and real 9.2.5 output, see the README). A name a host lacks
//! is taken from its other name, or computed from the base counters where ATS's own
//! definition is known. Applied to the built-in pages and to user dashboards alike.

use std::collections::HashMap;

/// A metric ATS 10 publishes as a sum of base counters that 9.2 also has.
pub struct Computed {
    pub name: &'static str,
    /// Every one must be there.
    pub parts: &'static [&'static str],
    /// Added when there (9.2.5 lacks `cache_miss_uncacheable`).
    pub optional: &'static [&'static str],
}

pub const COMPUTED: &[Computed] = &[
    Computed {
        name: "proxy.process.cache_total_hits",
        parts: &[
            "proxy.process.http.cache_hit_fresh",
            "proxy.process.http.cache_hit_revalidated",
            "proxy.process.http.cache_hit_ims",
            "proxy.process.http.cache_hit_stale_served",
        ],
        optional: &[],
    },
    Computed {
        name: "proxy.process.cache_total_misses",
        parts: &[
            "proxy.process.http.cache_miss_cold",
            "proxy.process.http.cache_miss_changed",
            "proxy.process.http.cache_miss_client_no_cache",
            "proxy.process.http.cache_miss_ims",
        ],
        optional: &["proxy.process.http.cache_miss_uncacheable"],
    },
    Computed {
        name: "proxy.process.http.user_agent_total_request_bytes",
        parts: &[
            "proxy.process.http.user_agent_request_document_total_size",
            "proxy.process.http.user_agent_request_header_total_size",
        ],
        optional: &[],
    },
    Computed {
        name: "proxy.process.http.user_agent_total_response_bytes",
        parts: &[
            "proxy.process.http.user_agent_response_document_total_size",
            "proxy.process.http.user_agent_response_header_total_size",
        ],
        optional: &[],
    },
    Computed {
        name: "proxy.process.http.origin_server_total_request_bytes",
        parts: &[
            "proxy.process.http.origin_server_request_document_total_size",
            "proxy.process.http.origin_server_request_header_total_size",
        ],
        optional: &[],
    },
    Computed {
        name: "proxy.process.http.origin_server_total_response_bytes",
        parts: &[
            "proxy.process.http.origin_server_response_document_total_size",
            "proxy.process.http.origin_server_response_header_total_size",
        ],
        optional: &[],
    },
];

/// Names that mean the same record: a missing one is read under another of its group.
pub const RENAMES: &[&[&str]] = &[
    // The earlier tool's page 3 name exists in no version.
    &[
        "proxy.process.http2.current_client_sessions",
        "proxy.process.http2.current_client_connections",
    ],
    // 10.x and 9.2 spell it differently.
    &[
        "proxy.process.http.err_connect_fail_count",
        "proxy.process.http.err_connect_fail_count_stat",
    ],
];

/// ATS before 10 counts `transaction_totaltime.*` in float seconds, 10 in
/// milliseconds: latency panels multiply by this to show milliseconds.
pub fn latency_scale(version: Option<&str>) -> f64 {
    let major = version
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(m) if m < 10 => 1000.0,
        _ => 1.0,
    }
}

/// The extra names to ask for so that `keys` can be resolved on any version.
pub fn helper_keys(keys: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |k: &str| {
        if !keys.iter().any(|x| x == k) && !out.iter().any(|x| x == k) {
            out.push(k.to_string());
        }
    };
    for k in keys {
        if let Some(c) = COMPUTED.iter().find(|c| c.name == k) {
            c.parts.iter().chain(c.optional).for_each(|p| add(p));
        }
        for group in RENAMES.iter().filter(|g| g.contains(&k.as_str())) {
            group.iter().for_each(|p| add(p));
        }
    }
    out
}

/// How a wanted name got its value on a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Renamed(&'static str),
    Computed,
}

/// Fills in each name of `wanted` that `values` lacks, from its other name or from its
/// sum; those names leave `missing`. Returns what was resolved and how.
pub fn resolve(
    wanted: &[String],
    values: &mut HashMap<String, f64>,
    missing: &mut Vec<String>,
) -> Vec<(String, Resolved)> {
    let mut done = Vec::new();
    for k in wanted {
        if values.contains_key(k) {
            continue;
        }
        let renamed = RENAMES
            .iter()
            .filter(|g| g.contains(&k.as_str()))
            .flat_map(|g| g.iter())
            .find_map(|other| values.get(*other).map(|v| (*other, *v)));
        let found = match renamed {
            Some((other, v)) => Some((v, Resolved::Renamed(other))),
            None => COMPUTED.iter().find(|c| c.name == k).and_then(|c| {
                let parts: Option<f64> = c.parts.iter().map(|p| values.get(*p)).sum();
                let extra: f64 = c.optional.iter().filter_map(|p| values.get(*p)).sum();
                parts.map(|s| (s + extra, Resolved::Computed))
            }),
        };
        if let Some((v, how)) = found {
            values.insert(k.clone(), v);
            missing.retain(|m| m != k);
            done.push((k.clone(), how));
        }
    }
    done
}

#[cfg(test)]
mod tests;
