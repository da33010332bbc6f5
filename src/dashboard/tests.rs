use super::*;

#[test]
fn builtin_pages_match_the_earlier_tool() {
    let d = Dashboard::builtin();
    let names: Vec<_> = d.pages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Traffic & Cache",
            "Response Codes",
            "TLS & HTTP/2",
            "Network & Errors"
        ]
    );
    assert!(d.pages.iter().all(|p| p.panels.len() == 4));
    let lat = &d.pages[0].panels[1].metrics[0];
    assert_eq!(lat.kind, MetricKind::Latency);
    assert_eq!(
        lat.key2.as_deref(),
        Some("proxy.process.http.transaction_counts.hit_fresh")
    );
    assert_eq!(lat.color, Rgb(0, 0xFF, 0));
    // every key once
    let keys = d.all_keys();
    let set: std::collections::HashSet<_> = keys.iter().collect();
    assert_eq!(set.len(), keys.len());
    assert!(keys.contains(&"proxy.process.http.transaction_counts.errors.aborts".to_string()));
}

fn err(yaml: &str) -> DashboardError {
    match Dashboard::from_yaml(yaml, "dash.yaml") {
        Ok(_) => panic!("expected an error for:\n{yaml}"),
        Err(e) => e,
    }
}

const ONE: &str = "pages:\n  - name: P\n    panels:\n      - title: T\n        metrics:\n";

#[test]
fn unknown_type_is_located() {
    let e = err(&format!(
        "{ONE}          - {{name: A, type: countr, key: a.b}}\n"
    ));
    assert_eq!((e.line, e.file.as_str()), (6, "dash.yaml"));
    assert!(e.column > 10, "{e}");
    assert!(e.to_string().starts_with("dash.yaml:6:"), "{e}");
    assert!(e.message.contains("unknown metric type 'countr'"), "{e}");
}

#[test]
fn latency_and_hit_rate_need_key2() {
    for t in ["latency", "hit_rate"] {
        let e = err(&format!(
            "{ONE}          - name: A\n            type: {t}\n            key: a.b\n"
        ));
        assert_eq!(e.line, 7, "{e}");
        assert!(e.message.contains("needs key2"), "{e}");
    }
}

#[test]
fn bad_colour_is_located() {
    let e = err(&format!(
        "{ONE}          - {{name: A, type: gauge, key: a.b, color: \"#12345\"}}\n"
    ));
    assert_eq!(e.line, 6);
    assert!(e.message.contains("bad colour '#12345'"), "{e}");
}

#[test]
fn empty_pages_and_panels_are_refused() {
    assert!(err("pages: []\n").message.contains("'pages' is empty"));
    let e = err("pages:\n  - name: Empty\n    panels: []\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("page 'Empty' has no panels"), "{e}");
    let e = err("pages:\n  - name: P\n    panels:\n      - title: Lonely\n");
    assert!(e.message.contains("panel 'Lonely' has no metrics"), "{e}");
    assert!(err("timezone: UTC\n").message.contains("no 'pages:'"));
}

#[test]
fn syntax_errors_and_typos_carry_line_and_column() {
    let e = err("pages:\n  - name: P\n    panels: [\n");
    assert!(e.line >= 3, "{e}");
    let e = err(&format!(
        "{ONE}          - {{name: A, type: gauge, kee: a.b}}\n"
    ));
    assert_eq!(e.line, 6, "{e}");
    assert!(e.message.contains("kee"), "{e}");
    assert!(!e.message.contains('\n'));
}

#[test]
fn history_as_mapping_or_number_and_timezone() {
    let body = format!("{ONE}          - {{name: A, type: gauge, key: a.b}}\n");
    let d = Dashboard::from_yaml(
        &format!("history: {{seconds: 120}}\ntimezone: Europe/Berlin\n{body}"),
        "x",
    )
    .unwrap();
    assert_eq!(d.history, Some(120.0));
    assert_eq!(d.timezone.as_deref(), Some("Europe/Berlin"));
    let d = Dashboard::from_yaml(&format!("history: 90\n{body}"), "x").unwrap();
    assert_eq!(d.history, Some(90.0));
    let e = err(&format!("history: -5\n{body}"));
    assert_eq!(e.line, 1);
    let e = err(&format!("timezone: Mars/Olympus\n{body}"));
    assert!(
        e.message.contains("unknown time zone 'Mars/Olympus'"),
        "{e}"
    );
}

#[test]
fn colours() {
    assert_eq!(parse_color("#FF8000"), Some(Rgb(255, 128, 0)));
    assert_eq!(parse_color("#f80"), Some(Rgb(255, 136, 0)));
    assert_eq!(parse_color("Orange"), Some(Rgb(255, 165, 0)));
    assert_eq!(parse_color("#GG0000"), None);
    assert_eq!(parse_color("blurple"), None);
}

#[test]
fn bad_record_names_are_refused() {
    let e = err(&format!(
        "{ONE}          - {{name: A, type: gauge, key: \"a b; rm\"}}\n"
    ));
    assert!(e.message.contains("not a record name"), "{e}");
}
