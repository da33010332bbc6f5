//! `traffic_grapher metrics HOST [PATTERN]`: a host's metric records with type and
//! value, or (`--yaml`) panel metric entries to paste into a dashboard file.

use super::{source_for, AppError, SourceOpts};
use crate::cli::{parse_host, MetricsArgs};
use crate::source::name_regex;
use std::time::Duration;

/// Colours handed out in turn to the entries --yaml prints (the built-in pages' own).
const COLOURS: [&str; 8] = [
    "#00FFFF", "#FF00FF", "#FFFF00", "#00FF00", "#FFA500", "#FF4040", "#BF00FF", "#00FF7F",
];

/// counter or gauge: ATS's COUNTER type says counter; for other types (and for
/// stats_over_http, which gives none) the name tells: current levels are gauges.
pub fn guess_kind(name: &str, data_type: Option<&str>) -> &'static str {
    if data_type == Some("COUNTER") {
        return "counter";
    }
    const LEVELS: [&str; 8] = [
        "current", "active", "in_use", "avail", "percent", "_time", "version", "uptime",
    ];
    if LEVELS.iter().any(|w| name.contains(w)) {
        "gauge"
    } else {
        "counter"
    }
}

pub fn metrics(a: MetricsArgs) -> Result<(), AppError> {
    let pattern = a.pattern.clone().unwrap_or_else(|| ".".into());
    name_regex(&pattern).map_err(AppError::Usage)?;
    let spec = parse_host(&a.host).map_err(AppError::Usage)?;
    a.ssh.check().map_err(AppError::Usage)?;
    let (opts, _dir) = SourceOpts::new(
        &a.socket,
        std::slice::from_ref(&spec),
        &a.ssh,
        Duration::from_secs(5),
    )?;
    let mut source = source_for(0, &spec, &opts);
    let found = source
        .list(&pattern)
        .map_err(|e| AppError::Failed(format!("{}: {e}", spec.label)))?;
    let mut names: Vec<&String> = found.values.keys().chain(found.texts.keys()).collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Err(AppError::Failed(format!(
            "no metric record on {} matches {pattern:?}",
            spec.label
        )));
    }
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let mut lines = Vec::new();
    if a.yaml {
        lines.push("metrics:".to_string());
    }
    let mut colour = 0;
    for n in names {
        let dt = found.types.get(n).map(String::as_str);
        let value = found.values.get(n).map_or_else(
            || found.texts.get(n).cloned().unwrap_or_default(),
            |v| format!("{v}"),
        );
        if a.yaml {
            // Text records (versions, host names) cannot be plotted.
            if !found.values.contains_key(n) {
                continue;
            }
            let short = n.rsplit('.').next().unwrap_or(n);
            lines.push(format!(
                "  - {{name: {short}, type: {}, key: {n}, color: \"{}\"}}",
                guess_kind(n, dt),
                COLOURS[colour % COLOURS.len()]
            ));
            colour += 1;
        } else {
            let kind = match dt {
                Some(t) => format!("{} ({t})", guess_kind(n, dt)),
                None => guess_kind(n, dt).to_string(),
            };
            lines.push(format!("{n:<64} {kind:<18} {value}"));
        }
    }
    for l in lines {
        if writeln!(out, "{l}").is_err() {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::guess_kind;

    #[test]
    fn counters_and_levels_are_told_apart() {
        assert_eq!(
            guess_kind("proxy.process.http.incoming_requests", None),
            "counter"
        );
        assert_eq!(
            guess_kind("proxy.process.http.current_client_connections", Some("INT")),
            "gauge"
        );
        assert_eq!(
            guess_kind(
                "proxy.process.http.current_client_connections",
                Some("COUNTER")
            ),
            "counter"
        );
    }
}
