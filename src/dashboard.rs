//! Dashboard model: pages of panels of metrics, the built-in pages, and the YAML
//! reader with file:line:column errors. Knows nothing about sockets or pixels.

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::fmt;

pub mod rules;

/// The earlier tool's four pages, embedded so the binary needs no files.
pub const BUILTIN_YAML: &str = include_str!("../assets/default_pages.yaml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// Monotonic count, shown as a per-second rate.
    Counter,
    /// Shown as is.
    Gauge,
    /// key = total time, key2 = count; shown as average milliseconds.
    Latency,
    /// key = hits, key2 = misses; shown as a percentage.
    HitRate,
}

impl MetricKind {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "counter" => Some(Self::Counter),
            "gauge" => Some(Self::Gauge),
            "latency" => Some(Self::Latency),
            "hit_rate" => Some(Self::HitRate),
            _ => None,
        }
    }

    /// The unit of the derived value, as printed in JSON output.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Counter => "per_second",
            Self::Gauge => "value",
            Self::Latency => "ms",
            Self::HitRate => "percent",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    pub kind: MetricKind,
    pub key: String,
    pub key2: Option<String>,
    pub color: Rgb,
}

impl Metric {
    /// Record names this metric reads.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.key.as_str()).chain(self.key2.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: String,
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub name: String,
    pub panels: Vec<Panel>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub pages: Vec<Page>,
    /// `history` from the file, in seconds.
    pub history: Option<f64>,
    /// `timezone` from the file.
    pub timezone: Option<String>,
}

/// A dashboard file problem, located where the YAML reader could tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for DashboardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

impl std::error::Error for DashboardError {}

// ---- raw YAML shapes -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDashboard {
    pages: Option<Spanned<Vec<RawPage>>>,
    history: Option<Spanned<RawHistory>>,
    timezone: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawHistory {
    Seconds(f64),
    Map { seconds: f64 },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    name: Spanned<String>,
    panels: Option<Spanned<Vec<RawPanel>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPanel {
    title: Spanned<String>,
    metrics: Option<Spanned<Vec<RawMetric>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetric {
    name: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    key: Spanned<String>,
    key2: Option<Spanned<String>>,
    color: Option<Spanned<String>>,
}

/// Metric colours for entries that give none: the earlier tool's palette order.
const DEFAULT_COLORS: [Rgb; 8] = [
    Rgb(0x00, 0xFF, 0xFF),
    Rgb(0xFF, 0x00, 0xFF),
    Rgb(0x00, 0xFF, 0x00),
    Rgb(0xFF, 0xA5, 0x00),
    Rgb(0xFF, 0xFF, 0x00),
    Rgb(0xBF, 0x00, 0xFF),
    Rgb(0xFF, 0x40, 0x40),
    Rgb(0x00, 0xFF, 0x7F),
];

impl Dashboard {
    /// The four built-in pages.
    pub fn builtin() -> Self {
        match Self::from_yaml(BUILTIN_YAML, "<built-in pages>") {
            Ok(d) => d,
            // The embedded file is checked by a unit test; reaching this is a build defect.
            Err(e) => panic!("built-in dashboard is invalid: {e}"),
        }
    }

    /// Reads a dashboard file's text. `file` names it in error messages.
    pub fn from_yaml(text: &str, file: &str) -> Result<Self, DashboardError> {
        let err = |loc: Option<serde_saphyr::Location>, message: String| DashboardError {
            file: file.to_string(),
            line: loc.map_or(0, |l| l.line()),
            column: loc.map_or(0, |l| l.column()),
            message,
        };
        let at = |s: &serde_saphyr::Location, message: String| err(Some(*s), message);

        let raw: RawDashboard =
            serde_saphyr::from_str(text).map_err(|e| err(e.location(), yaml_message(&e)))?;

        let history = match raw.history {
            None => None,
            Some(h) => {
                let secs = match h.value {
                    RawHistory::Seconds(s) | RawHistory::Map { seconds: s } => s,
                };
                if !(secs.is_finite() && secs > 0.0) {
                    return Err(at(
                        &h.referenced,
                        format!("history must be a positive number of seconds, got {secs}"),
                    ));
                }
                Some(secs)
            }
        };
        let timezone = match raw.timezone {
            None => None,
            Some(tz) => {
                if jiff::tz::TimeZone::get(&tz.value).is_err() {
                    return Err(at(
                        &tz.referenced,
                        format!("unknown time zone '{}' (use an IANA name such as UTC or Europe/Berlin)", tz.value),
                    ));
                }
                Some(tz.value)
            }
        };

        let Some(raw_pages) = raw.pages else {
            return Err(err(
                None,
                "no 'pages:' list: a dashboard needs at least one page".into(),
            ));
        };
        if raw_pages.value.is_empty() {
            return Err(at(
                &raw_pages.referenced,
                "'pages' is empty: a dashboard needs at least one page".into(),
            ));
        }

        let mut pages = Vec::with_capacity(raw_pages.value.len());
        for rp in raw_pages.value {
            let page_name = rp.name.value.trim().to_string();
            if page_name.is_empty() {
                return Err(at(&rp.name.referenced, "page name is empty".into()));
            }
            let Some(raw_panels) = rp.panels.filter(|p| !p.value.is_empty()) else {
                return Err(at(
                    &rp.name.referenced,
                    format!("page '{page_name}' has no panels"),
                ));
            };
            let mut panels = Vec::with_capacity(raw_panels.value.len());
            for rpanel in raw_panels.value {
                let title = rpanel.title.value.trim().to_string();
                let Some(raw_metrics) = rpanel.metrics.filter(|m| !m.value.is_empty()) else {
                    return Err(at(
                        &rpanel.title.referenced,
                        format!("panel '{title}' has no metrics"),
                    ));
                };
                let mut metrics = Vec::with_capacity(raw_metrics.value.len());
                for (i, rm) in raw_metrics.value.into_iter().enumerate() {
                    let Some(kind) = MetricKind::parse(rm.kind.value.trim()) else {
                        return Err(at(
                            &rm.kind.referenced,
                            format!(
                                "unknown metric type '{}' for '{}' (expected counter, gauge, latency or hit_rate)",
                                rm.kind.value, rm.name.value
                            ),
                        ));
                    };
                    let key = check_key(&rm.key, &at)?;
                    let key2 = match (&rm.key2, kind) {
                        (Some(k2), _) => Some(check_key(k2, &at)?),
                        (None, MetricKind::Latency | MetricKind::HitRate) => {
                            let what = if kind == MetricKind::Latency {
                                "the count counter (latency = delta key / delta key2)"
                            } else {
                                "the misses counter (hit rate = hits / (hits + misses))"
                            };
                            return Err(at(
                                &rm.kind.referenced,
                                format!(
                                    "metric '{}' of type {} needs key2: {what}",
                                    rm.name.value, rm.kind.value
                                ),
                            ));
                        }
                        (None, _) => None,
                    };
                    let color = match &rm.color {
                        None => DEFAULT_COLORS[i % DEFAULT_COLORS.len()],
                        Some(c) => parse_color(c.value.trim()).ok_or_else(|| {
                            at(
                                &c.referenced,
                                format!(
                                    "bad colour '{}' for '{}' (use #RRGGBB, #RGB or a name such as red, cyan, orange)",
                                    c.value, rm.name.value
                                ),
                            )
                        })?,
                    };
                    metrics.push(Metric {
                        name: rm.name.value.trim().to_string(),
                        kind,
                        key,
                        key2,
                        color,
                    });
                }
                panels.push(Panel { title, metrics });
            }
            pages.push(Page {
                name: page_name,
                panels,
            });
        }
        Ok(Dashboard {
            pages,
            history,
            timezone,
        })
    }

    /// Every record name any page reads, each once, in first-use order.
    pub fn all_keys(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for m in self.metrics() {
            for k in m.keys() {
                if seen.insert(k) {
                    out.push(k.to_string());
                }
            }
        }
        out
    }

    pub fn metrics(&self) -> impl Iterator<Item = &Metric> {
        self.pages
            .iter()
            .flat_map(|p| p.panels.iter())
            .flat_map(|p| p.metrics.iter())
    }
}

fn check_key(
    key: &Spanned<String>,
    at: &dyn Fn(&serde_saphyr::Location, String) -> DashboardError,
) -> Result<String, DashboardError> {
    let k = key.value.trim();
    // ATS record names are dotted identifiers; anything else could never match and
    // would only show up later as a puzzling "missing" metric.
    let ok = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !ok {
        return Err(at(
            &key.referenced,
            format!(
                "'{}' is not a record name (letters, digits, '.', '_' and '-' only)",
                key.value
            ),
        ));
    }
    Ok(k.to_string())
}

/// The YAML reader's message without its multi-line source snippet: we print our own
/// file:line:column prefix.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text
        .lines()
        .next()
        .unwrap_or("invalid YAML")
        .trim()
        .to_string();
    // The reader appends its own "at line X column Y"; we already lead with it.
    match first.find(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first,
    }
}

/// `#RRGGBB`, `#RGB`, or a common colour name (matplotlib's basic names, which the
/// earlier tool's users could write).
pub fn parse_color(s: &str) -> Option<Rgb> {
    if let Some(hex) = s.strip_prefix('#') {
        let v = u32::from_str_radix(hex, 16).ok()?;
        return match hex.len() {
            6 => Some(Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)),
            3 => {
                let (r, g, b) = ((v >> 8) & 0xF, (v >> 4) & 0xF, v & 0xF);
                Some(Rgb((r * 17) as u8, (g * 17) as u8, (b * 17) as u8))
            }
            _ => None,
        };
    }
    let c = match s.to_ascii_lowercase().as_str() {
        "red" | "r" => Rgb(0xFF, 0x00, 0x00),
        "green" | "g" => Rgb(0x00, 0x80, 0x00),
        "lime" => Rgb(0x00, 0xFF, 0x00),
        "blue" | "b" => Rgb(0x00, 0x00, 0xFF),
        "cyan" | "c" | "aqua" => Rgb(0x00, 0xFF, 0xFF),
        "magenta" | "m" | "fuchsia" => Rgb(0xFF, 0x00, 0xFF),
        "yellow" | "y" => Rgb(0xFF, 0xFF, 0x00),
        "white" | "w" => Rgb(0xFF, 0xFF, 0xFF),
        "orange" => Rgb(0xFF, 0xA5, 0x00),
        "purple" => Rgb(0x80, 0x00, 0x80),
        "pink" => Rgb(0xFF, 0xC0, 0xCB),
        "gray" | "grey" => Rgb(0x80, 0x80, 0x80),
        "springgreen" => Rgb(0x00, 0xFF, 0x7F),
        "gold" => Rgb(0xFF, 0xD7, 0x00),
        "violet" => Rgb(0xEE, 0x82, 0xEE),
        "tomato" => Rgb(0xFF, 0x63, 0x47),
        "deepskyblue" => Rgb(0x00, 0xBF, 0xFF),
        _ => return None,
    };
    Some(c)
}

#[cfg(test)]
mod tests;
