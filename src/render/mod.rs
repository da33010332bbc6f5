//! Paints one dashboard page into an RGBA frame: a pure function of (page, history,
//! size, clock, errors). Theme, grid layout, axes with K/M/G/T ticks, panel headers
//! with the current value per host, one line style per host, status or error bar.

pub mod format;
mod layout;
mod panel;
pub mod text;
pub mod theme;

pub use layout::grid;
pub use text::TextBox;

use crate::dashboard::{Metric, MetricKind, Page};
use crate::history::{derive, HostHistory, Series};
use text::TextPainter;
use theme::*;
use tiny_skia::{Color, Paint, Pixmap, Rect};

/// One host as the renderer sees it.
pub struct HostView<'a> {
    pub label: &'a str,
    pub history: &'a HostHistory,
    /// Converts the host's latency unit to ms (1 for ATS 10, 1000 for 9.2's seconds).
    pub latency_scale: f64,
    pub version: Option<&'a str>,
}

/// The bottom bar: help text, or errors (shown in red).
#[derive(Debug, Clone, PartialEq)]
pub enum StatusLine {
    Help(String),
    Errors(Vec<String>),
}

pub struct FrameInput<'a> {
    pub page: &'a Page,
    pub page_index: usize,
    pub page_count: usize,
    pub hosts: &'a [HostView<'a>],
    /// Wall-clock time of the frame's right edge (seconds since the epoch).
    pub now: f64,
    /// Seconds shown across the x axis.
    pub window: f64,
    pub tz: &'a jiff::tz::TimeZone,
    pub status: StatusLine,
    /// Lines shown in a box over the page (the key help).
    pub overlay: Option<Vec<String>>,
}

pub struct Frame {
    pub pixmap: Pixmap,
    /// Every text box drawn, for layout tests.
    pub text_boxes: Vec<TextBox>,
}

impl Frame {
    pub fn width(&self) -> u32 {
        self.pixmap.width()
    }
    pub fn height(&self) -> u32 {
        self.pixmap.height()
    }
    /// RGBA bytes (all pixels are opaque, so premultiplied equals straight alpha).
    pub fn rgba(&self) -> &[u8] {
        self.pixmap.data()
    }
}

/// Sizes that follow the frame: fonts, paddings, line width.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metrics {
    pub title: f32,
    pub head: f32,
    pub small: f32,
    pub pad: f32,
    pub line: f32,
}

impl Metrics {
    fn for_size(w: u32, h: u32) -> Self {
        let s = (w as f32 / 1600.0).min(h as f32 / 1000.0).clamp(0.4, 2.5);
        Metrics {
            title: (19.0 * s).clamp(10.0, 34.0),
            head: (14.0 * s).clamp(9.0, 26.0),
            small: (12.0 * s).clamp(8.0, 22.0),
            pad: (8.0 * s).max(3.0),
            line: (1.6 * s).clamp(1.0, 4.0),
        }
    }
}

pub(crate) fn paint(rgb: [u8; 3], alpha: u8) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(rgb[0], rgb[1], rgb[2], alpha);
    p.anti_alias = true;
    p
}

pub(crate) fn fill_rect(pm: &mut Pixmap, x: f32, y: f32, w: f32, h: f32, rgb: [u8; 3]) {
    if let Some(r) = Rect::from_xywh(x, y, w.max(0.0), h.max(0.0)) {
        let mut p = paint(rgb, 255);
        p.anti_alias = false;
        pm.fill_rect(r, &p, tiny_skia::Transform::identity(), None);
    }
}

/// The value a metric shows for one host: derived series and formatted current value.
pub fn metric_series(host: &HostView, m: &Metric, from_t: f64) -> Series {
    derive(host.history, m, from_t, host.latency_scale)
}

pub fn format_value(kind: MetricKind, v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(v) => match kind {
            MetricKind::Latency => format::latency_ms(v),
            MetricKind::HitRate => format::percent(v),
            _ => format::value(v),
        },
    }
}

/// Keeps glyph rasters between frames; everything else is recomputed per frame.
#[derive(Default)]
pub struct Renderer {
    text: TextPainter,
    /// Derived series kept between frames: only new samples are derived each frame.
    series: crate::history::SeriesCache,
}

impl Renderer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn render(&mut self, input: &FrameInput, width: u32, height: u32) -> Frame {
        let (w, h) = (width.clamp(64, 16384), height.clamp(48, 16384));
        let Some(mut pm) = Pixmap::new(w, h) else {
            // Unreachable for the clamped sizes; an empty frame beats a panic.
            return Frame {
                pixmap: Pixmap::new(1, 1).unwrap_or_else(|| unreachable!()),
                text_boxes: vec![],
            };
        };
        pm.fill(Color::from_rgba8(
            FIGURE_BG[0],
            FIGURE_BG[1],
            FIGURE_BG[2],
            255,
        ));
        let m = Metrics::for_size(w, h);
        let (wf, hf) = (w as f32, h as f32);
        self.series.next_frame();
        let t = &mut self.text;

        // Title line.
        let clock = jiff::Timestamp::from_millisecond((input.now * 1000.0) as i64)
            .map(|ts| {
                ts.to_zoned_datetime(input.tz.clone())
                    .strftime("%Y-%m-%d %H:%M:%S %Z")
                    .to_string()
            })
            .unwrap_or_default();
        let title = format!(
            "ATS Dashboard — {clock} — Page {}/{}: {}",
            input.page_index + 1,
            input.page_count,
            input.page.name
        );
        let title = t.fit(&title, m.title, wf - 2.0 * m.pad);
        t.draw(&mut pm, &title, m.pad, m.pad * 0.6, m.title, TEXT);
        let mut y = m.pad * 0.6 + TextPainter::line_height(m.title) + m.pad * 0.4;

        // Host legend: a line sample in each host's style, then its label.
        y = layout::host_legend(&mut pm, t, input.hosts, m, y, wf);

        // Status bar.
        let bar_h = TextPainter::line_height(m.small) + m.pad;
        let bar_y = hf - bar_h;
        let (text, color) = match &input.status {
            StatusLine::Help(s) => (s.clone(), DIM_TEXT),
            StatusLine::Errors(e) => (format!("ERROR: {}", e.join(" | ")), ERROR),
        };
        let text = t.fit(&text, m.small, wf - 2.0 * m.pad);
        t.draw(&mut pm, &text, m.pad, bar_y + m.pad / 2.0, m.small, color);

        // Panels.
        let area = (m.pad, y + m.pad * 0.5, wf - 2.0 * m.pad, bar_y - y - m.pad);
        let cells = grid(input.page.panels.len(), area, m.pad * 1.5);
        let from_t = input.now - input.window;
        // Derive once per panel; header heights are shared along a grid row.
        let data: Vec<panel::PanelData> = input
            .page
            .panels
            .iter()
            .zip(&cells)
            .map(|(p, c)| {
                // One bucket per four pixels of the cell: enough to show every spike in the
                // min-max band, and few enough vertices to draw as fast as 60 points.
                let columns = (c.w / 4.0).max(1.0) as usize;
                panel::PanelData::derive(
                    p,
                    input.hosts,
                    &mut self.series,
                    (from_t, input.now),
                    columns,
                )
            })
            .collect();
        let heads: Vec<f32> = cells
            .iter()
            .zip(&data)
            .map(|(c, d)| panel::header_height(t, d, input.hosts, m, c.w))
            .collect();
        for (i, (cell, d)) in cells.iter().zip(&data).enumerate() {
            let row_head = cells
                .iter()
                .zip(&heads)
                .filter(|(c, _)| (c.y - cell.y).abs() < 0.5)
                .map(|(_, h)| *h)
                .fold(heads[i], f32::max);
            panel::draw(&mut pm, t, d, input, m, *cell, row_head);
        }
        if let Some(lines) = &input.overlay {
            overlay(&mut pm, t, lines, m);
        }
        Frame {
            pixmap: pm,
            text_boxes: t.take_boxes(),
        }
    }
}

/// A bordered box in the middle of the frame holding `lines`.
fn overlay(pm: &mut Pixmap, t: &mut TextPainter, lines: &[String], m: Metrics) {
    let (w, h) = (pm.width() as f32, pm.height() as f32);
    let lh = TextPainter::line_height(m.head) + m.pad * 0.3;
    let bw = lines.iter().map(|l| t.width(l, m.head)).fold(0.0, f32::max) + 4.0 * m.pad;
    let bh = lines.len() as f32 * lh + 3.0 * m.pad;
    let (x, y) = (((w - bw) / 2.0).max(0.0), ((h - bh) / 2.0).max(0.0));
    fill_rect(pm, x - 1.0, y - 1.0, bw + 2.0, bh + 2.0, AXES);
    fill_rect(pm, x, y, bw, bh, PLOT_BG);
    for (i, l) in lines.iter().enumerate() {
        let l = t.fit(l, m.head, bw - 2.0 * m.pad);
        t.draw(
            pm,
            &l,
            x + 2.0 * m.pad,
            y + 1.5 * m.pad + i as f32 * lh,
            m.head,
            TEXT,
        );
    }
}

#[cfg(test)]
mod tests;
