use super::*;

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    let argv = std::iter::once("traffic_grapher")
        .chain(args.iter().copied())
        .map(Into::into);
    Cli::try_parse_from(normalize_args(argv))
}

#[test]
fn earlier_tools_flags_parse_with_the_same_meaning() {
    let c = parse(&[
        "--interval",
        "2.5",
        "--history",
        "120",
        "-c",
        "d.yaml",
        "-tz",
        "Europe/Berlin",
        "--socket",
        "/s",
        "--once",
        "--save-png",
        "f{iter}.png",
        "--log-stats",
        "l.txt",
        "--run-for",
        "30",
        "--no-keyboard",
        "a",
        "b",
    ])
    .unwrap();
    let r = c.run;
    assert_eq!(
        (r.interval, r.history, r.run_for),
        (Some(2.5), Some(120.0), Some(30.0))
    );
    assert_eq!(r.timezone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(r.config.as_deref(), Some(std::path::Path::new("d.yaml")));
    assert!(r.once && r.no_keyboard && !r.gui);
    assert_eq!(r.hosts, ["a", "b"]);
    assert_eq!(r.save_png.as_deref(), Some("f{iter}.png"));
}

#[test]
fn demo_takes_an_optional_count() {
    assert_eq!(parse(&["--demo"]).unwrap().run.demo, Some(1));
    assert_eq!(parse(&["--demo", "4", "--once"]).unwrap().run.demo, Some(4));
    let c = check(&parse(&["--demo", "3"]).unwrap().run).unwrap();
    assert_eq!(c.hosts.len(), 3);
    assert_eq!(c.hosts[2].target, Target::Demo(3));
}

#[test]
fn hosts() {
    assert_eq!(
        parse_host("localhost").unwrap(),
        HostSpec {
            label: "localhost".into(),
            target: Target::Local
        }
    );
    assert_eq!(parse_host("::1").unwrap().target, Target::Local);
    assert_eq!(
        parse_host("unix:/run/ats/jsonrpc20.sock").unwrap().label,
        "jsonrpc20.sock"
    );
    let h = parse_host("canary=ats1.example.com").unwrap();
    assert_eq!(
        (h.label.as_str(), h.target),
        ("canary", Target::Remote("ats1.example.com".into()))
    );
    assert_eq!(parse_host("ats7.dc1.example.com").unwrap().label, "ats7");
    let e = parse_host("-oProxyCommand=touch pwned").unwrap_err();
    assert!(
        e.contains("'-oProxyCommand=touch pwned'") && e.contains("starts with '-'"),
        "{e}"
    );
    assert!(parse_host("x=-evil").unwrap_err().contains("'-evil'"));
    assert!(parse_host("a b").unwrap_err().contains("refused"));
    assert!(parse_host("unix:").is_err());
    assert!(parse_host("=host").is_err());
    // stats_over_http URLs: the label is the host (and port), '=' in a query stays.
    let h = parse_host("http://127.0.0.1:18080/_stats").unwrap();
    assert_eq!(
        h.target,
        Target::Http("http://127.0.0.1:18080/_stats".into())
    );
    assert_eq!(h.label, "127.0.0.1:18080");
    assert_eq!(
        parse_host("https://ats9.dc1.example.com/_stats?x=1")
            .unwrap()
            .label,
        "ats9"
    );
    let h = parse_host("old=http://ats9:8080/_stats").unwrap();
    assert_eq!(
        (h.label.as_str(), h.target),
        ("old", Target::Http("http://ats9:8080/_stats".into()))
    );
    assert!(parse_host("http:///_stats").is_err());
}

#[test]
fn bad_values_get_one_clear_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["--interval", "0"], "--interval must be a positive"),
        (&["--interval=-1"], "--interval must be a positive"),
        (&["--history", "-5"], "--history must be a positive"),
        (&["-tz", "Mars/Base"], "unknown time zone 'Mars/Base'"),
        (&["--json"], "--json goes with --once"),
        (&["--size", "big"], "--size 'big' is not WIDTHxHEIGHT"),
        (&["--demo", "2", "ats1"], "--demo simulates its own hosts"),
        (
            &["a=localhost", "a=unix:/x"],
            "two hosts have the label 'a'",
        ),
        (&["--", "-evil"], "starts with '-'"),
    ];
    for (args, want) in cases {
        let e = check(&parse(args).unwrap().run).unwrap_err();
        assert!(e.contains(want), "{args:?}: {e}");
        assert!(!e.contains('\n'));
    }
}

#[test]
fn env_var_sets_the_socket() {
    // clap reads TRAFFICSERVER_JSONRPC_SOCKET; a flag wins over it.
    let c = Cli::try_parse_from(["tg", "--socket", "/flag.sock"]).unwrap();
    assert_eq!(
        c.run.socket.as_deref(),
        Some(std::path::Path::new("/flag.sock"))
    );
}
