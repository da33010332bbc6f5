use super::*;

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ats-10.2/");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIX}{name}")).unwrap()
}

#[test]
fn documented_answers_parse() {
    let r = parse_response(&fixture("doc_06_resp.json")).unwrap();
    assert_eq!(
        r.values.get("proxy.config.log.rolling_interval_sec"),
        Some(&86400.0)
    );
    assert_eq!(r.missing, ["proxy.config.log.rolling_interv"]);
    let r = parse_response(&fixture("doc_08_resp.json")).unwrap();
    assert_eq!(r.values.len(), 3);
    assert_eq!(
        r.values["proxy.process.http.total_client_connections_ipv6"],
        0.0
    );
}

#[test]
fn documented_error_object_keeps_its_data() {
    let e = parse_response(&fixture("doc_09_resp.json")).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, SourceError::Rpc { code: 9, .. }), "{e:?}");
    assert!(
        msg.contains("Error during execution") && msg.contains("Plugin is not yet ready"),
        "{msg}"
    );
}

#[test]
fn unauthorized_is_told_apart() {
    let a = br#"{"jsonrpc":"2.0","error":{"code":9,"message":"Error during execution","data":[{"code":3,"message":"Denied privileged API access for uid=1000 gid=1000"}]}}"#;
    let e = parse_response(a).unwrap_err();
    assert!(matches!(e, SourceError::Unauthorized { .. }), "{e:?}");
    assert!(e.to_string().contains("run as root or as the ATS user"));
}

#[test]
fn requests_are_valid_and_split_under_the_limit() {
    let keys: Vec<String> = (0..3000)
        .map(|i| format!("proxy.process.some.fairly.long.metric_name_{i}"))
        .collect();
    let reqs = build_requests(&keys, 7, MAX_REQUEST_BYTES);
    assert!(reqs.len() >= 2, "{} requests", reqs.len());
    let mut names = Vec::new();
    for (i, r) in reqs.iter().enumerate() {
        assert!(
            r.len() < MAX_REQUEST_BYTES,
            "request {i} is {} bytes",
            r.len()
        );
        let v: Value = serde_json::from_slice(r).unwrap();
        assert_eq!(v["jsonrpc"], "2.0");
        assert_eq!(v["method"], "admin_lookup_records");
        assert_eq!(v["id"], format!("tg-{}", 7 + i));
        for p in v["params"].as_array().unwrap() {
            // exactly one of record_name / record_name_regex, per the 10.2 schema
            assert!(p.get("record_name_regex").is_none());
            names.push(p["record_name"].as_str().unwrap().to_string());
            assert_eq!(p["rec_types"], json!([2, 4, 16]));
        }
    }
    assert_eq!(names, keys);
    assert_eq!(build_requests(&keys[..5], 1, MAX_REQUEST_BYTES).len(), 1);
}

#[test]
fn completeness_and_bad_answers() {
    let full = fixture("doc_04_resp.json");
    assert!(is_complete(&full));
    assert!(!is_complete(&full[..full.len() / 2]));
    assert!(!is_complete(b"   "));
    // cut
    let e = parse_response(&full[..full.len() / 2]).unwrap_err();
    assert!(matches!(e, SourceError::Truncated { .. }), "{e:?}");
    // garbage
    let e = parse_response(b"HTTP/1.1 400 Bad Request\r\n").unwrap_err();
    assert!(matches!(e, SourceError::Garbage { .. }), "{e:?}");
    assert!(e.to_string().contains("HTTP/1.1 400"), "{e}");
    // valid JSON, wrong shape
    assert!(matches!(
        parse_response(b"[1,2]").unwrap_err(),
        SourceError::Garbage { .. }
    ));
    assert!(matches!(
        parse_response(br#"{"jsonrpc":"2.0"}"#).unwrap_err(),
        SourceError::Garbage { .. }
    ));
}

#[test]
fn text_values_are_kept_apart() {
    let a = br#"{"jsonrpc":"2.0","result":{"recordList":[{"record":{"record_name":"proxy.process.version.server.short","current_value":"10.2.0","data_type":"STRING"}},{"record":{"record_name":"x","current_value":"0.005000","data_type":"FLOAT"}}],"errorList":[]}}"#;
    let r = parse_response(a).unwrap();
    assert_eq!(r.texts["proxy.process.version.server.short"], "10.2.0");
    assert_eq!(r.values["x"], 0.005);
}
