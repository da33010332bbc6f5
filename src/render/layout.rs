//! Where things go: the panel grid and the host legend.

use super::text::TextPainter;
use super::theme::{host_style, shaded, DIM_TEXT, TEXT};
use super::{paint, HostView, Metrics};
use tiny_skia::{LineCap, PathBuilder, Pixmap, Stroke, StrokeDash, Transform};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// Lays `n` panels over `area` (x, y, w, h) in the grid whose cells come closest to a
/// 1.6:1 shape, row by row; any number of panels fits.
pub fn grid(n: usize, area: (f32, f32, f32, f32), gap: f32) -> Vec<Cell> {
    let (ax, ay, aw, ah) = area;
    if n == 0 {
        return vec![];
    }
    let mut best = (1, f32::MIN);
    for cols in 1..=n {
        let rows = n.div_ceil(cols);
        let cw = (aw - gap * (cols - 1) as f32) / cols as f32;
        let ch = (ah - gap * (rows - 1) as f32) / rows as f32;
        // Score by the usable size of a 1.6:1 plot; break ties towards fewer empty cells.
        let score = cw.min(ch * 1.6) - (rows * cols - n) as f32 * 0.01;
        if score > best.1 {
            best = (cols, score);
        }
    }
    let cols = best.0;
    let rows = n.div_ceil(cols);
    let cw = (aw - gap * (cols - 1) as f32) / cols as f32;
    let ch = (ah - gap * (rows - 1) as f32) / rows as f32;
    (0..n)
        .map(|i| Cell {
            x: ax + (i % cols) as f32 * (cw + gap),
            y: ay + (i / cols) as f32 * (ch + gap),
            w: cw,
            h: ch,
        })
        .collect()
}

/// Draws the host legend from `y`, wrapping as needed; returns the y below it.
pub(crate) fn host_legend(
    pm: &mut Pixmap,
    t: &mut TextPainter,
    hosts: &[HostView],
    m: Metrics,
    y: f32,
    width: f32,
) -> f32 {
    let lh = TextPainter::line_height(m.head);
    let sample = (m.head * 3.6).round();
    let gap = m.pad * 2.0;
    let mut x = m.pad;
    let mut y = y;
    for (i, h) in hosts.iter().enumerate() {
        let label = match h.version {
            Some(v) => format!("{} ({v})", h.label),
            None => h.label.to_string(),
        };
        let max_label = width - 2.0 * m.pad - sample - m.pad;
        let label = t.fit(&label, m.head, max_label);
        let item_w = sample + m.pad * 0.6 + t.width(&label, m.head);
        if x > m.pad && x + item_w > width - m.pad {
            x = m.pad;
            y += lh + m.pad * 0.3;
        }
        let style = host_style(i, m.line * 1.2);
        let mut pb = PathBuilder::new();
        pb.move_to(x, y + lh / 2.0);
        pb.line_to(x + sample, y + lh / 2.0);
        if let Some(path) = pb.finish() {
            let stroke = Stroke {
                width: style.width,
                line_cap: if style.dash.is_empty() {
                    LineCap::Butt
                } else {
                    LineCap::Round
                },
                dash: StrokeDash::new(style.dash.clone(), 0.0),
                ..Stroke::default()
            };
            pm.stroke_path(
                &path,
                &paint(shaded(TEXT, style.shade), 255),
                &stroke,
                Transform::identity(),
                None,
            );
        }
        let color = if style.shade < 1.0 { DIM_TEXT } else { TEXT };
        t.draw(pm, &label, x + sample + m.pad * 0.6, y, m.head, color);
        x += item_w + gap;
    }
    y + lh
}
