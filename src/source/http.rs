//! ATS 9 (and 10) through the stats_over_http plugin: one GET of its JSON per tick.
//! Every value in it is a string: integers, floats ("0.005000") and text ("(null)").

use super::{Reading, Source, SourceError};
use std::collections::HashSet;
use std::time::{Duration, Instant};

pub struct HttpSource {
    url: String,
    agent: ureq::Agent,
}

impl HttpSource {
    pub fn new(url: String, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // Statuses are ours to explain; proxies are for the open internet, not for
            // a proxy's own stats port.
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .new_agent();
        HttpSource { url, agent }
    }

    /// The whole answer, every record.
    pub fn fetch(&mut self) -> Result<(Reading, f64), SourceError> {
        let t0 = Instant::now();
        let w0 = super::sim::now_secs();
        let err = |detail: String| SourceError::Http {
            url: self.url.clone(),
            detail,
        };
        let mut resp = self.agent.get(&self.url).call().map_err(|e| {
            err(match e {
                ureq::Error::Timeout(_) => {
                    format!("no answer within {:.1}s", t0.elapsed().as_secs_f64())
                }
                ureq::Error::HostNotFound => "unknown host".into(),
                ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                    "connection refused: is traffic_server running and listening there?".into()
                }
                e => e.to_string(),
            })
        })?;
        // The counters are those of the moment the answer came.
        let at = w0 + t0.elapsed().as_secs_f64();
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .map_err(|e| err(format!("answer cut off: {e}")))?;
        if status != 200 {
            return Err(err(format!(
                "HTTP {status}{}",
                if status == 404 {
                    ": is stats_over_http loaded (plugin.config) with this path?"
                } else {
                    ""
                }
            )));
        }
        let reading = parse_stats(&body).map_err(err)?;
        Ok((reading, at))
    }
}

/// The plugin's JSON, `{"global": {"name": "value", ...}}`, as numbers and texts.
pub fn parse_stats(body: &str) -> Result<Reading, String> {
    let v: serde_json::Value = serde_json::from_str(body).map_err(|e| {
        let snippet: String = body.chars().take(60).collect();
        format!("not stats_over_http JSON ({e}): {snippet:?}")
    })?;
    let global = v
        .get("global")
        .and_then(|g| g.as_object())
        .ok_or("JSON without the \"global\" object of stats_over_http")?;
    let mut r = Reading::default();
    for (k, val) in global {
        match val {
            serde_json::Value::String(s) => match s.trim().parse::<f64>() {
                Ok(x) if x.is_finite() => {
                    r.values.insert(k.clone(), x);
                }
                _ => {
                    r.texts.insert(k.clone(), s.clone());
                }
            },
            // Newer plugins may send plain numbers.
            serde_json::Value::Number(n) => {
                if let Some(x) = n.as_f64() {
                    r.values.insert(k.clone(), x);
                }
            }
            _ => {}
        }
    }
    Ok(r)
}

/// The records of `all` that `keys` asks for (the rest of the ~650 is not needed), the
/// others listed as missing; `at` is when the answer came.
pub fn select(all: Reading, keys: &[String], at: f64) -> Reading {
    let wanted: HashSet<&str> = keys.iter().map(String::as_str).collect();
    let mut r = Reading {
        t: Some(at),
        ..Reading::default()
    };
    for (k, v) in all.values {
        if wanted.contains(k.as_str()) {
            r.values.insert(k, v);
        }
    }
    for (k, v) in all.texts {
        if wanted.contains(k.as_str()) {
            r.texts.insert(k, v);
        }
    }
    r.missing = keys
        .iter()
        .filter(|k| !r.values.contains_key(*k) && !r.texts.contains_key(*k))
        .cloned()
        .collect();
    r
}

/// One HTTP/1.0 GET over a Unix socket (an SSH forward to the host's stats port): the
/// status, the body, and when the answer began. HTTP/1.0, so the server closes when done.
pub fn get_over_unix(
    sock: &std::path::Path,
    hostport: &str,
    path: &str,
    timeout: Duration,
) -> Result<(u16, String, f64), SourceError> {
    let start = Instant::now();
    let w0 = super::sim::now_secs();
    let request =
        format!("GET {path} HTTP/1.0\r\nHost: {hostport}\r\nAccept: application/json\r\n\r\n");
    // HTTP/1.0: the answer ends when the server closes.
    let (buf, first) = super::transport::ask(sock, request.as_bytes(), timeout, |_| false)?;
    let at = w0 + first.duration_since(start).as_secs_f64();
    let text = String::from_utf8_lossy(&buf);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| SourceError::Garbage {
            detail: "not an HTTP answer".into(),
            snippet: head.chars().take(60).collect(),
        })?;
    Ok((status, body.to_string(), at))
}

impl Source for HttpSource {
    fn collect(&mut self, keys: &[String]) -> Result<Reading, SourceError> {
        let (all, at) = self.fetch()?;
        Ok(select(all, keys, at))
    }

    fn describe(&self) -> String {
        format!("stats_over_http {}", self.url)
    }

    fn list(&mut self, pattern: &str) -> Result<Reading, SourceError> {
        let re = super::name_regex(pattern).map_err(|detail| SourceError::Http {
            url: self.url.clone(),
            detail,
        })?;
        Ok(super::filter_reading(self.fetch()?.0, &re))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_a_string_numbers_floats_and_text() {
        let r = parse_stats(include_str!(
            "../../tests/fixtures/ats-9.2/stats_over_http_t0.json"
        ))
        .unwrap();
        assert_eq!(r.values["proxy.process.http.incoming_requests"], 205.0);
        assert_eq!(
            r.values["proxy.process.http.transaction_totaltime.hit_fresh"],
            0.024
        );
        assert_eq!(r.texts["proxy.process.version.server.short"], "9.2.9");
        assert_eq!(r.texts["proxy.node.hostname"], "(null)");
        assert!(r.values.len() > 500, "{}", r.values.len());
    }

    #[test]
    fn garbage_and_other_json_are_named() {
        assert!(parse_stats("<html>404</html>")
            .unwrap_err()
            .contains("not stats_over_http JSON"));
        assert!(parse_stats("{\"x\": 1}").unwrap_err().contains("global"));
        assert!(parse_stats("{\"global\": {\"a\": \"1\"").is_err(), "cut");
    }
}
