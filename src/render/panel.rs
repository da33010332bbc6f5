//! One panel: a header (title, then per metric a colour swatch, its name and the
//! current value per host, or which hosts lack it), and the plot with its axes.

use super::format::{self, si, tick_decimals, time_ticks, y_ticks};
use super::layout::Cell;
use super::text::TextPainter;
use super::theme::*;
use super::{fill_rect, format_value, paint, FrameInput, HostView, Metrics};
use crate::dashboard::{MetricKind, Panel};
use crate::history::{Bucket, SeriesCache, Thinned};
use tiny_skia::{FillRule, LineCap, LineJoin, PathBuilder, Pixmap, Stroke, StrokeDash, Transform};

pub(crate) struct PanelData<'p> {
    pub panel: &'p Panel,
    /// [metric][host]
    pub series: Vec<Vec<Thinned>>,
    /// [metric]: labels of hosts that lack one of the metric's records.
    pub missing_on: Vec<Vec<String>>,
}

impl<'p> PanelData<'p> {
    /// `columns`: how many buckets a long series is thinned to.
    pub fn derive(
        panel: &'p Panel,
        hosts: &[HostView],
        cache: &mut SeriesCache,
        (from_t, to_t): (f64, f64),
        columns: usize,
    ) -> Self {
        let series = panel
            .metrics
            .iter()
            .map(|m| {
                hosts
                    .iter()
                    .map(|h| cache.get(h.history, m, from_t, to_t, columns, h.latency_scale))
                    .collect()
            })
            .collect();
        let missing_on = panel
            .metrics
            .iter()
            .map(|m| {
                hosts
                    .iter()
                    .filter(|h| m.keys().any(|k| h.history.missing.iter().any(|x| x == k)))
                    // "ats2 (9.2.5)": what a host lacks depends on its version.
                    .map(|h| match h.version {
                        Some(v) => format!("{} ({v})", h.label),
                        None => h.label.to_string(),
                    })
                    .collect()
            })
            .collect();
        PanelData {
            panel,
            series,
            missing_on,
        }
    }
}

/// One piece of header text: a swatch colour (None for the title) and its text.
struct Chip {
    swatch: Option<[u8; 3]>,
    text: String,
    color: [u8; 3],
}

fn chips(d: &PanelData) -> Vec<Chip> {
    let mut out = vec![Chip {
        swatch: None,
        text: d.panel.title.clone(),
        color: TEXT,
    }];
    for (mi, m) in d.panel.metrics.iter().enumerate() {
        let c = [m.color.0, m.color.1, m.color.2];
        let values: Vec<String> = d.series[mi]
            .iter()
            .map(|s| format_value(m.kind, s.current))
            .collect();
        out.push(Chip {
            swatch: Some(c),
            text: format!("{}: {}", m.name, values.join(" / ")),
            color: c,
        });
        if !d.missing_on[mi].is_empty() {
            let keys: Vec<&str> = m.keys().collect();
            out.push(Chip {
                swatch: None,
                text: format!(
                    "{} n/a: no such record on {}: {}",
                    m.name,
                    d.missing_on[mi].join(", "),
                    keys.join(" / ")
                ),
                color: MISSING,
            });
        }
    }
    out
}

/// Places chips in lines no wider than `w`: (line, x offset, fitted text).
fn flow(t: &TextPainter, chips: &[Chip], m: Metrics, w: f32) -> Vec<(usize, f32, String)> {
    let sw = m.head * 0.8;
    let gap = m.pad * 1.5;
    let (mut line, mut x) = (0usize, 0.0f32);
    let mut out = Vec::new();
    for c in chips {
        let lead = if c.swatch.is_some() {
            sw + m.pad * 0.5
        } else {
            0.0
        };
        let text = t.fit(&c.text, m.head, (w - lead).max(0.0));
        let cw = lead + t.width(&text, m.head);
        if x > 0.0 && x + cw > w {
            line += 1;
            x = 0.0;
        }
        out.push((line, x, text));
        x += cw + gap;
    }
    out
}

pub(crate) fn header_height(
    t: &TextPainter,
    d: &PanelData,
    _hosts: &[HostView],
    m: Metrics,
    w: f32,
) -> f32 {
    let lines = flow(t, &chips(d), m, w).last().map_or(1, |l| l.0 + 1);
    lines as f32 * (TextPainter::line_height(m.head) + m.pad * 0.2)
}

pub(crate) fn draw(
    pm: &mut Pixmap,
    t: &mut TextPainter,
    d: &PanelData,
    input: &FrameInput,
    m: Metrics,
    cell: Cell,
    head_h: f32,
) {
    let lh = TextPainter::line_height(m.head) + m.pad * 0.2;
    let chips = chips(d);
    for ((line, x, text), chip) in flow(t, &chips, m, cell.w).into_iter().zip(&chips) {
        let (x, y) = (cell.x + x, cell.y + line as f32 * lh);
        let mut tx = x;
        if let Some(c) = chip.swatch {
            let sw = m.head * 0.8;
            fill_rect(pm, x, y + (lh - sw) / 2.0, sw, sw, c);
            tx += sw + m.pad * 0.5;
        }
        t.draw(pm, &text, tx, y, m.head, chip.color);
    }

    let small_lh = TextPainter::line_height(m.small);
    // Room above the plot for half of the top tick label, which is centred on its line.
    let top = cell.y + head_h + small_lh * 0.6;
    let bottom = cell.y + cell.h - small_lh - m.pad * 0.3;
    let plot_h = bottom - top;
    if plot_h < small_lh * 2.0 {
        return; // too small to plot anything legible
    }

    // Y range from everything visible in this panel.
    let kind = d
        .panel
        .metrics
        .first()
        .map_or(MetricKind::Gauge, |m| m.kind);
    let all_hit_rate = d
        .panel
        .metrics
        .iter()
        .all(|m| m.kind == MetricKind::HitRate);
    let max_ticks = ((plot_h / (small_lh * 1.8)).floor() as usize).clamp(2, 6);
    let (lo, hi, ticks) = if all_hit_rate {
        (0.0, 100.0, vec![0.0, 25.0, 50.0, 75.0, 100.0])
    } else {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for s in d.series.iter().flatten() {
            for b in s.buckets.iter().filter(|b| !b.is_gap()) {
                lo = lo.min(b.min);
                hi = hi.max(b.max);
            }
        }
        y_ticks(lo, hi, max_ticks)
    };
    let ticks: Vec<f64> = if all_hit_rate && max_ticks < 4 {
        vec![0.0, 50.0, 100.0]
    } else {
        ticks
    };
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        1.0
    };
    let decimals = tick_decimals(step, hi.abs().max(lo.abs()));
    let labels: Vec<String> = ticks
        .iter()
        .map(|v| match kind {
            _ if all_hit_rate => format!("{v:.0}"),
            MetricKind::Latency => format::latency_ms(*v),
            _ => si(*v, decimals),
        })
        .collect();
    let label_w = labels
        .iter()
        .map(|l| t.width(l, m.small))
        .fold(0.0, f32::max);
    let left = cell.x + label_w + m.pad * 0.8;
    let right = cell.x + cell.w;
    let plot_w = right - left;
    if plot_w < 20.0 {
        return;
    }
    fill_rect(pm, left, top, plot_w, plot_h, PLOT_BG);
    let ymap = |v: f64| bottom - ((v - lo) / (hi - lo)) as f32 * plot_h;
    let now = input.now;
    let window = input.window;
    let xmap = |tt: f64| right - ((now - tt) / window) as f32 * plot_w;

    // Grid and tick labels.
    let mut grid = PathBuilder::new();
    for (v, label) in ticks.iter().zip(&labels) {
        let y = ymap(*v).round() + 0.5;
        if (top - 0.5..=bottom + 1.5).contains(&y) {
            grid.move_to(left, y);
            grid.line_to(right, y);
            let lw = t.width(label, m.small);
            let ly = (y - small_lh / 2.0).clamp(top - small_lh / 2.0, bottom - small_lh / 2.0);
            t.draw(pm, label, left - m.pad * 0.4 - lw, ly, m.small, AXES);
        }
    }
    let max_x_ticks = ((plot_w / (t.width("-00m00s", m.small) * 1.6)).floor() as usize).clamp(2, 8);
    let mut last_right = f32::INFINITY; // labels are placed right to left
    for (ago, label) in time_ticks(window, max_x_ticks) {
        let x = xmap(now - ago).round() + 0.5;
        if x < left - 0.5 {
            continue;
        }
        grid.move_to(x, top);
        grid.line_to(x, bottom);
        let lw = t.width(&label, m.small);
        let lx = (x - lw / 2.0).clamp(left, right - lw);
        if lx + lw + m.pad <= last_right {
            t.draw(pm, &label, lx, bottom + m.pad * 0.3, m.small, AXES);
            last_right = lx;
        }
    }
    if let Some(p) = grid.finish() {
        let s = Stroke {
            width: 1.0,
            ..Stroke::default()
        };
        let mut gp = paint(GRID, 150);
        gp.anti_alias = false;
        pm.stroke_path(&p, &gp, &s, Transform::identity(), None);
    }

    // Lines: one colour per metric, one style per host. Long histories are thinned to
    // one bucket per four pixels: a faint min-max band keeps the spikes, the styled line
    // goes through the means.
    let mut any = false;
    for (mi, metric) in d.panel.metrics.iter().enumerate() {
        let c = [metric.color.0, metric.color.1, metric.color.2];
        for (hi_, s) in d.series[mi].iter().enumerate() {
            let buckets = &s.buckets;
            let style = host_style(hi_, m.line);
            let color = shaded(c, style.shade);
            let runs: Vec<&[Bucket]> = buckets
                .split(Bucket::is_gap)
                .filter(|r| !r.is_empty())
                .collect();
            any |= !runs.is_empty();
            let px = |t: f64, v: f64| (xmap(t).clamp(left, right), ymap(v).clamp(top, bottom));
            let mut line = PathBuilder::new();
            for run in &runs {
                if run.len() == 1 {
                    // A lone point between gaps would be invisible as a path: a dot.
                    let (x, y) = px(run[0].t, run[0].mean);
                    if let Some(circle) = PathBuilder::from_circle(x, y, style.width * 1.2) {
                        pm.fill_path(
                            &circle,
                            &paint(color, 255),
                            FillRule::Winding,
                            Transform::identity(),
                            None,
                        );
                    }
                    continue;
                }
                // The band is painted as one faint span per bucket, straight into the
                // pixels: a polygon fill through every spike costs ten times as much.
                for (k, b) in run.iter().enumerate().filter(|(_, b)| b.max > b.min) {
                    let (x, y_hi) = px(b.t, b.max);
                    let (_, y_lo) = px(b.t, b.min);
                    let next_x = run.get(k + 1).map_or(x + 2.0, |n| px(n.t, n.mean).0);
                    blend_span(pm, x, next_x.max(x + 1.0), y_hi, y_lo, color, 70);
                }
                let (x, y) = px(run[0].t, run[0].mean);
                line.move_to(x, y);
                for b in &run[1..] {
                    let (x, y) = px(b.t, b.mean);
                    line.line_to(x, y);
                }
            }
            // A thinned series is drawn as a 1 px line (tiny-skia's hairline path): a wide
            // stroke through hundreds of vertices costs five times as much, and the band
            // already shows the spread.
            let thinned = s.thinned;
            let line_style = if thinned {
                host_style(hi_, 1.0)
            } else {
                style.clone()
            };
            if let Some(path) = line.finish() {
                // Butt caps and bevel joins: round ones cost twice as much on dashes.
                let stroke = Stroke {
                    width: line_style.width,
                    line_cap: LineCap::Butt,
                    line_join: LineJoin::Bevel,
                    dash: StrokeDash::new(line_style.dash.clone(), 0.0),
                    ..Stroke::default()
                };
                pm.stroke_path(
                    &path,
                    &paint(color, 255),
                    &stroke,
                    Transform::identity(),
                    None,
                );
            }
        }
    }
    // Axes box.
    if let Some(r) = tiny_skia::Rect::from_xywh(
        left.round() + 0.5,
        top.round() + 0.5,
        plot_w.round() - 1.0,
        plot_h.round() - 1.0,
    ) {
        let p = PathBuilder::from_rect(r);
        let mut ap = paint(AXES, 255);
        ap.anti_alias = false;
        pm.stroke_path(
            &p,
            &ap,
            &Stroke {
                width: 1.0,
                ..Stroke::default()
            },
            Transform::identity(),
            None,
        );
    }
    if !any {
        let msg = if input.hosts.iter().all(|h| h.history.len() < 2) {
            "collecting…"
        } else {
            "no data"
        };
        let w = t.width(msg, m.head);
        t.draw(
            pm,
            msg,
            left + (plot_w - w) / 2.0,
            top + (plot_h - TextPainter::line_height(m.head)) / 2.0,
            m.head,
            DIM_TEXT,
        );
    }
}

/// Blends `rgb` at `alpha` over the pixels x0..x1, y0..y1 (no antialiasing: a band).
fn blend_span(pm: &mut Pixmap, x0: f32, x1: f32, y0: f32, y1: f32, rgb: [u8; 3], alpha: u32) {
    let (w, h) = (pm.width() as i32, pm.height() as i32);
    let (xa, xb) = (
        (x0.round() as i32).clamp(0, w),
        (x1.round() as i32).clamp(0, w),
    );
    let (ya, yb) = (
        (y0.round() as i32).clamp(0, h),
        (y1.round() as i32 + 1).clamp(0, h),
    );
    let data = pm.data_mut();
    for y in ya..yb {
        for x in xa..xb {
            let i = ((y * w + x) * 4) as usize;
            for c in 0..3 {
                let d = data[i + c] as u32;
                data[i + c] = ((rgb[c] as u32 * alpha + d * (255 - alpha) + 127) / 255) as u8;
            }
        }
    }
}
