//! Recordings (`--record FILE`): JSON Lines of what the run saw, raw. The first line
//! says the format, the tool, the hosts and the dashboard; then every collection as it
//! came (values as collected, before any resolution, or the error) and every tick's
//! frame with the time it was drawn at. Flushed each line, so a crash or a kill loses at
//! most the line being written; a name ending in `.gz` is gzip-compressed (flushed
//! too). Reading is tolerant: a cut, garbled or missing line is skipped with a warning
//! that names it, and the rest is read.

use crate::source::poller::Collected;
use crate::source::{Reading, SourceError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

pub const FORMAT: &str = "traffic_grapher recording";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    pub format: String,
    pub format_version: u32,
    pub tool_version: String,
    pub interval: f64,
    pub hosts: Vec<String>,
    /// The dashboard's YAML, as it was given.
    pub dashboard: String,
}

/// One line after the header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Line {
    Sample {
        /// Host index and label.
        h: usize,
        host: String,
        tick: u64,
        t: f64,
        #[serde(default, skip_serializing_if = "HashMap::is_empty")]
        values: HashMap<String, f64>,
        #[serde(default, skip_serializing_if = "HashMap::is_empty")]
        texts: HashMap<String, String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        missing: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    Frame {
        frame: u64,
        now: f64,
    },
}

impl Line {
    pub fn sample(c: &Collected, label: &str) -> Line {
        let (values, texts, missing, error) = match &c.result {
            Ok(r) => (r.values.clone(), r.texts.clone(), r.missing.clone(), None),
            Err(e) => (
                HashMap::new(),
                HashMap::new(),
                Vec::new(),
                Some(e.to_string()),
            ),
        };
        Line::Sample {
            h: c.host,
            host: label.to_string(),
            tick: c.tick,
            t: c.t,
            values,
            texts,
            missing,
            error,
        }
    }

    pub fn t(&self) -> f64 {
        match self {
            Line::Sample { t, .. } => *t,
            Line::Frame { now, .. } => *now,
        }
    }

    /// A sample line as the collection it was.
    pub fn collected(&self) -> Option<Collected> {
        let Line::Sample {
            h,
            tick,
            t,
            values,
            texts,
            missing,
            error,
            ..
        } = self
        else {
            return None;
        };
        let result = match error {
            Some(e) => Err(SourceError::Recorded(e.clone())),
            None => Ok(Reading {
                values: values.clone(),
                texts: texts.clone(),
                missing: missing.clone(),
                t: Some(*t),
                ..Reading::default()
            }),
        };
        Some(Collected {
            host: *h,
            tick: *tick,
            t: *t,
            result,
            took: std::time::Duration::ZERO,
        })
    }
}

pub struct Recorder {
    out: Box<dyn Write + Send>,
}

impl Recorder {
    pub fn create(path: &Path, header: &Header) -> Result<Recorder, String> {
        let file = std::fs::File::create(path)
            .map_err(|e| format!("cannot write the recording {}: {e}", path.display()))?;
        let out: Box<dyn Write + Send> = if path.extension().is_some_and(|e| e == "gz") {
            Box::new(flate2::write::GzEncoder::new(
                BufWriter::new(file),
                flate2::Compression::default(),
            ))
        } else {
            Box::new(BufWriter::new(file))
        };
        let mut r = Recorder { out };
        r.write_json(&serde_json::to_string(header).unwrap_or_default());
        Ok(r)
    }

    pub fn write(&mut self, line: &Line) {
        if let Ok(s) = serde_json::to_string(line) {
            self.write_json(&s);
        }
    }

    /// One line, flushed at once (a gzip stream gets a sync flush: readable up to here).
    fn write_json(&mut self, s: &str) {
        let _ = writeln!(self.out, "{s}").and_then(|_| self.out.flush());
    }
}

/// What a recording holds, read up to and around any damage.
pub struct Recording {
    pub header: Option<Header>,
    pub lines: Vec<Line>,
    /// One per damaged or missing line: "line 7: ...".
    pub warnings: Vec<String>,
}

impl Recording {
    pub fn read(path: &Path) -> Result<Recording, String> {
        let raw = std::fs::read(path)
            .map_err(|e| format!("cannot read the recording {}: {e}", path.display()))?;
        let mut warnings = Vec::new();
        let text = if raw.starts_with(&[0x1f, 0x8b]) {
            // A gzip stream cut by a kill has no trailer: keep what decompresses.
            let mut d = flate2::read::MultiGzDecoder::new(&raw[..]);
            let mut out = Vec::new();
            let mut buf = [0u8; 64 * 1024];
            loop {
                match d.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => out.extend_from_slice(&buf[..n]),
                    Err(e) => {
                        warnings.push(format!("the compressed stream ends early ({e})"));
                        break;
                    }
                }
            }
            String::from_utf8_lossy(&out).into_owned()
        } else {
            String::from_utf8_lossy(&raw).into_owned()
        };
        Ok(Self::parse(&text, warnings))
    }

    pub fn parse(text: &str, mut warnings: Vec<String>) -> Recording {
        let mut header = None;
        let mut lines = Vec::new();
        for (i, l) in text.lines().enumerate() {
            let n = i + 1;
            if l.trim().is_empty() {
                continue;
            }
            if n == 1 {
                match serde_json::from_str::<Header>(l) {
                    Ok(h) if h.format == FORMAT => {
                        if h.format_version > FORMAT_VERSION {
                            warnings.push(format!(
                                "line 1: format version {} is newer than this tool's ({FORMAT_VERSION}); reading what it can",
                                h.format_version
                            ));
                        }
                        header = Some(h);
                        continue;
                    }
                    _ => warnings.push(
                        "line 1: no recording header; hosts are named from the samples and the dashboard is the built-in one (or -c)".into(),
                    ),
                }
            }
            match serde_json::from_str::<Line>(l) {
                Ok(line) => lines.push(line),
                Err(e) if e.is_eof() => warnings.push(format!("line {n}: cut off; skipped")),
                Err(e) => warnings.push(format!("line {n}: not a recording line ({e}); skipped")),
            }
        }
        Recording {
            header,
            lines,
            warnings,
        }
    }

    /// Host labels: the header's, else in the order the samples name them.
    pub fn hosts(&self) -> Vec<String> {
        if let Some(h) = &self.header {
            return h.hosts.clone();
        }
        let mut out: Vec<(usize, String)> = Vec::new();
        for l in &self.lines {
            if let Line::Sample { h, host, .. } = l {
                if !out.iter().any(|(i, _)| i == h) {
                    out.push((*h, host.clone()));
                }
            }
        }
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, l)| l).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(h: usize, tick: u64, t: f64, v: f64) -> Line {
        Line::Sample {
            h,
            host: format!("h{h}"),
            tick,
            t,
            values: HashMap::from([("a.b".to_string(), v)]),
            texts: HashMap::new(),
            missing: vec![],
            error: None,
        }
    }

    fn text(lines: &[Line]) -> String {
        let header = Header {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            tool_version: "x".into(),
            interval: 1.0,
            hosts: vec!["h0".into(), "h1".into()],
            dashboard: "pages: []".into(),
        };
        let mut s = serde_json::to_string(&header).unwrap() + "\n";
        for l in lines {
            s += &serde_json::to_string(l).unwrap();
            s.push('\n');
        }
        s
    }

    #[test]
    fn damage_is_skipped_with_its_line_number_and_the_rest_is_read() {
        let good = text(&[
            sample(0, 0, 10.0, 1.0),
            sample(1, 0, 10.0, 2.0),
            sample(0, 1, 11.0, 3.0),
        ]);
        let r = Recording::parse(&good, vec![]);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert_eq!(r.lines.len(), 3);

        // Cut last line.
        let cut = &good[..good.len() - 12];
        let r = Recording::parse(cut, vec![]);
        assert_eq!(r.lines.len(), 2);
        assert_eq!(r.warnings, vec!["line 4: cut off; skipped".to_string()]);

        // A garbled line in the middle.
        let mut ls: Vec<&str> = good.lines().collect();
        ls[2] = "{\"h\": 1, garbage";
        let r = Recording::parse(&ls.join("\n"), vec![]);
        assert_eq!(r.lines.len(), 2);
        assert!(r.warnings[0].starts_with("line 3: "), "{:?}", r.warnings);

        // No header: hosts from the samples.
        let headless: String = good.lines().skip(1).collect::<Vec<_>>().join("\n");
        let r = Recording::parse(&headless, vec![]);
        assert!(r.header.is_none());
        assert_eq!(r.lines.len(), 3);
        assert!(r.warnings[0].starts_with("line 1: no recording header"));
        assert_eq!(r.hosts(), vec!["h0", "h1"]);
    }

    #[test]
    fn a_killed_gzip_recording_reads_up_to_the_last_flush() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl.gz");
        let header = Header {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            tool_version: "x".into(),
            interval: 1.0,
            hosts: vec!["h0".into()],
            dashboard: String::new(),
        };
        let mut rec = Recorder::create(&path, &header).unwrap();
        for i in 0..5 {
            rec.write(&sample(0, i, 10.0 + i as f64, i as f64));
        }
        // Killed: the encoder is never finished (no gzip trailer).
        std::mem::forget(rec);
        let r = Recording::read(&path).unwrap();
        assert_eq!(r.lines.len(), 5);
        assert!(r.header.is_some());
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    }
}
