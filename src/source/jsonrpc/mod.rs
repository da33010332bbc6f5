//! JSON-RPC 2.0 codec for ATS's `admin_lookup_records`: requests split under ATS's
//! request size limit, and answers parsed into a `Reading` (every field a string).

use super::{Reading, SourceError};
use serde_json::{json, Value};

/// ATS's default `incoming_request_max_size`; larger requests are dropped unanswered.
pub const MAX_REQUEST_BYTES: usize = 96_000;

/// Record types that hold metrics (process, node, local), as traffic_top asks for them.
const METRIC_REC_TYPES: [u8; 3] = [2, 4, 16];

/// One request per chunk of names, each under `max_bytes`. Each name is its own
/// `{record_name}` object so a name the host lacks comes back alone in errorList.
pub fn build_requests(keys: &[String], id_base: u64, max_bytes: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    let mut size = 0usize;
    // The envelope without params, plus room for a long id.
    let envelope = 100;
    for k in keys {
        let p = json!({"record_name": k, "rec_types": METRIC_REC_TYPES});
        let len = p.to_string().len() + 1;
        if !params.is_empty() && envelope + size + len > max_bytes {
            out.push(encode(
                std::mem::take(&mut params),
                id_base + out.len() as u64,
            ));
            size = 0;
        }
        size += len;
        params.push(p);
    }
    if !params.is_empty() || out.is_empty() {
        out.push(encode(params, id_base + out.len() as u64));
    }
    out
}

/// One request for every metric record matching `pattern` (ATS's own regex match).
pub fn build_regex_request(pattern: &str, id: u64) -> Vec<u8> {
    encode(
        vec![json!({"record_name_regex": pattern, "rec_types": METRIC_REC_TYPES})],
        id,
    )
}

fn encode(params: Vec<Value>, id: u64) -> Vec<u8> {
    let req = json!({
        "id": format!("tg-{id}"),
        "jsonrpc": "2.0",
        "method": "admin_lookup_records",
        "params": params,
    });
    req.to_string().into_bytes()
}

/// Whether `buf` already holds one complete JSON value (so the reader can stop before
/// EOF, which over an SSH forward comes tens of milliseconds late).
pub fn is_complete(buf: &[u8]) -> bool {
    // Cheap pre-check: a JSON-RPC answer is an object or array, ending in } or ].
    match buf.iter().rev().find(|b| !b.is_ascii_whitespace()) {
        Some(b'}') | Some(b']') => {}
        _ => return false,
    }
    let mut it = serde_json::Deserializer::from_slice(buf).into_iter::<serde::de::IgnoredAny>();
    matches!(it.next(), Some(Ok(_)))
}

/// Parses one answer. `got_eof` says whether the peer closed the connection, which
/// tells a cut answer from garbage.
pub fn parse_response(buf: &[u8]) -> Result<Reading, SourceError> {
    let mut it = serde_json::Deserializer::from_slice(buf).into_iter::<Value>();
    let v = match it.next() {
        None => {
            return Err(SourceError::Truncated {
                got: 0,
                detail: "empty answer".into(),
            })
        }
        Some(Ok(v)) => v,
        Some(Err(e)) if e.is_eof() => {
            return Err(SourceError::Truncated {
                got: buf.len(),
                detail: e.to_string(),
            })
        }
        Some(Err(e)) => {
            return Err(SourceError::Garbage {
                detail: e.to_string(),
                snippet: snippet(buf),
            })
        }
    };
    match v {
        Value::Array(items) => {
            let mut r = Reading::default();
            for item in items {
                r.merge(parse_one(item, buf)?);
            }
            Ok(r)
        }
        other => parse_one(other, buf),
    }
}

fn parse_one(v: Value, raw: &[u8]) -> Result<Reading, SourceError> {
    let Value::Object(mut obj) = v else {
        return Err(SourceError::Garbage {
            detail: "not a JSON-RPC object".into(),
            snippet: snippet(raw),
        });
    };
    if let Some(err) = obj.remove("error") {
        return Err(rpc_error(&err));
    }
    let Some(result) = obj.remove("result") else {
        return Err(SourceError::Garbage {
            detail: "neither 'result' nor 'error'".into(),
            snippet: snippet(raw),
        });
    };
    let mut reading = Reading::default();
    if let Some(list) = result.get("recordList").and_then(Value::as_array) {
        for item in list {
            let rec = item.get("record").unwrap_or(item);
            let Some(name) = rec.get("record_name").and_then(Value::as_str) else {
                continue;
            };
            if let Some(t) = rec.get("data_type").and_then(Value::as_str) {
                reading.types.insert(name.to_string(), t.to_string());
            }
            match rec.get("current_value") {
                Some(Value::String(s)) => match s.trim().parse::<f64>() {
                    Ok(x) if x.is_finite() => {
                        reading.values.insert(name.to_string(), x);
                    }
                    _ => {
                        reading.texts.insert(name.to_string(), s.clone());
                    }
                },
                // ATS sends strings; tolerate a number from other servers.
                Some(Value::Number(n)) => {
                    if let Some(x) = n.as_f64() {
                        reading.values.insert(name.to_string(), x);
                    }
                }
                _ => {}
            }
        }
    } else if !result.is_object() {
        return Err(SourceError::Garbage {
            detail: "'result' is not an object".into(),
            snippet: snippet(raw),
        });
    }
    if let Some(list) = result.get("errorList").and_then(Value::as_array) {
        for e in list {
            if let Some(name) = e.get("record_name").and_then(Value::as_str) {
                reading.missing.push(name.to_string());
            }
        }
    }
    Ok(reading)
}

fn rpc_error(err: &Value) -> SourceError {
    let code = err
        .get("code")
        .and_then(|c| c.as_i64().or_else(|| c.as_str()?.parse().ok()))
        .unwrap_or(0);
    let message = err
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("(no message)")
        .to_string();
    let details: Vec<String> = err
        .get("data")
        .and_then(Value::as_array)
        .map(|d| {
            d.iter()
                .filter_map(|x| {
                    let m = x.get("message").and_then(Value::as_str)?;
                    let c = x.get("code").map(|c| c.to_string()).unwrap_or_default();
                    Some(if c.is_empty() {
                        m.to_string()
                    } else {
                        format!("{m} ({c})")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let all = format!("{message} {}", details.join(" ")).to_ascii_lowercase();
    if all.contains("unauthorized") || all.contains("denied") || all.contains("permission") {
        let message = if details.is_empty() {
            message
        } else {
            format!("{message}: {}", details.join("; "))
        };
        return SourceError::Unauthorized { code, message };
    }
    let data = if details.is_empty() {
        String::new()
    } else {
        format!(": {}", details.join("; "))
    };
    SourceError::Rpc {
        code,
        message,
        data,
    }
}

/// The start of a bad answer, printable, for the error message.
fn snippet(buf: &[u8]) -> String {
    let s = String::from_utf8_lossy(&buf[..buf.len().min(60)]);
    s.chars()
        .map(|c| if c.is_control() { '.' } else { c })
        .collect()
}

#[cfg(test)]
mod tests;
