use super::*;
use crate::dashboard::Dashboard;
use crate::source::http::parse_stats;

fn builtin_keys() -> Vec<String> {
    Dashboard::builtin().all_keys()
}

fn ats92(t: u8) -> crate::source::Reading {
    let text = match t {
        0 => include_str!("../../../tests/fixtures/ats-9.2/stats_over_http_t0.json"),
        _ => include_str!("../../../tests/fixtures/ats-9.2/stats_over_http_t1.json"),
    };
    let mut r = parse_stats(text).unwrap();
    let keys = builtin_keys();
    r.missing = keys
        .iter()
        .filter(|k| !r.values.contains_key(*k))
        .cloned()
        .collect();
    r
}

#[test]
fn on_9_2_every_builtin_metric_is_native_renamed_or_computed() {
    let keys = builtin_keys();
    let mut r = ats92(0);
    let before = r.missing.clone();
    let done = resolve(&keys, &mut r.values, &mut r.missing);
    assert!(
        r.missing.is_empty(),
        "still missing on 9.2: {:?}",
        r.missing
    );
    // What 9.2 lacks natively, and how each was filled.
    let how: HashMap<&str, &Resolved> = done.iter().map(|(k, h)| (k.as_str(), h)).collect();
    assert_eq!(before.len(), done.len());
    assert_eq!(how["proxy.process.cache_total_hits"], &Resolved::Computed);
    assert_eq!(
        how["proxy.process.http2.current_client_sessions"],
        &Resolved::Renamed("proxy.process.http2.current_client_connections")
    );
    assert_eq!(
        how["proxy.process.http.err_connect_fail_count"],
        &Resolved::Renamed("proxy.process.http.err_connect_fail_count_stat")
    );
    let v = |k: &str| r.values[k];
    assert_eq!(
        v("proxy.process.cache_total_hits"),
        v("proxy.process.http.cache_hit_fresh")
            + v("proxy.process.http.cache_hit_revalidated")
            + v("proxy.process.http.cache_hit_ims")
            + v("proxy.process.http.cache_hit_stale_served")
    );
    assert_eq!(
        v("proxy.process.http.user_agent_total_response_bytes"),
        v("proxy.process.http.user_agent_response_document_total_size")
            + v("proxy.process.http.user_agent_response_header_total_size")
    );
    // cache_miss_uncacheable is not in 9.2.5: the sum goes on without it.
    assert!(!r
        .values
        .contains_key("proxy.process.http.cache_miss_uncacheable"));
    assert_eq!(
        v("proxy.process.cache_total_misses"),
        v("proxy.process.http.cache_miss_cold")
            + v("proxy.process.http.cache_miss_changed")
            + v("proxy.process.http.cache_miss_client_no_cache")
            + v("proxy.process.http.cache_miss_ims")
    );
}

#[test]
fn on_10_2_native_names_win_and_only_the_page_3_name_is_renamed() {
    let keys = builtin_keys();
    let mut model = crate::source::sim::TrafficModel::new(1, 1.0);
    model.advance_to(1_800_000_000.0);
    let mut values = HashMap::new();
    let mut missing = Vec::new();
    for k in keys.iter().chain(helper_keys(&keys).iter()) {
        match model.get(k).and_then(|v| v.value.parse::<f64>().ok()) {
            Some(x) => {
                values.insert(k.clone(), x);
            }
            None => missing.push(k.clone()),
        }
    }
    let native_hits = values["proxy.process.cache_total_hits"];
    let done = resolve(&keys, &mut values, &mut missing);
    assert_eq!(
        done,
        vec![(
            "proxy.process.http2.current_client_sessions".to_string(),
            Resolved::Renamed("proxy.process.http2.current_client_connections")
        )]
    );
    assert_eq!(values["proxy.process.cache_total_hits"], native_hits);
    assert!(!missing.iter().any(|m| keys.contains(m)), "{missing:?}");
}

#[test]
fn a_9_2_host_and_a_10_2_host_show_latency_in_ms_side_by_side() {
    // 9.2's average hit latency since start (the two captures hold the same counts
    // of fresh hits, so the capture's own average stands in for a delta).
    let a = ats92(0);
    let scale = latency_scale(Some(&a.texts["proxy.process.version.server.short"]));
    let ms92 = a.values["proxy.process.http.transaction_totaltime.hit_fresh"]
        / a.values["proxy.process.http.transaction_counts.hit_fresh"]
        * scale;
    assert!((0.01..50.0).contains(&ms92), "9.2 hit latency {ms92} ms");
    // The simulated 10.2 host: already milliseconds.
    assert_eq!(latency_scale(Some("10.2.0")), 1.0);
    let mut m = crate::source::sim::TrafficModel::new(1, 1.0);
    m.advance_to(1_800_000_000.0);
    let get = |m: &crate::source::sim::TrafficModel, k: &str| {
        m.get(k).unwrap().value.parse::<f64>().unwrap()
    };
    let (t0, c0) = (
        get(&m, "proxy.process.http.transaction_totaltime.hit_fresh"),
        get(&m, "proxy.process.http.transaction_counts.hit_fresh"),
    );
    m.advance_to(1_800_000_010.0);
    let ms102 = (get(&m, "proxy.process.http.transaction_totaltime.hit_fresh") - t0)
        / (get(&m, "proxy.process.http.transaction_counts.hit_fresh") - c0);
    assert!((0.01..50.0).contains(&ms102), "10.2 hit latency {ms102} ms");
    // Same unit: a loopback test proxy and the simulated fleet differ in speed, but
    // well within the factor 1000 a wrong unit would put between them.
    assert!(
        ms92 / ms102 < 100.0 && ms102 / ms92 < 100.0,
        "{ms92} vs {ms102}"
    );
    assert_eq!(latency_scale(None), 1.0);
    assert_eq!(latency_scale(Some("8.1.3")), 1000.0);
}

#[test]
fn helpers_are_asked_only_for_names_that_have_rules() {
    let keys = vec![
        "proxy.process.cache_total_hits".to_string(),
        "proxy.process.http.incoming_requests".to_string(),
    ];
    let h = helper_keys(&keys);
    assert_eq!(h.len(), 4, "{h:?}");
    assert!(h
        .iter()
        .all(|k| k.starts_with("proxy.process.http.cache_hit_")));
    assert!(helper_keys(&["x.y".to_string()]).is_empty());
}
