//! A fixed palette for a dashboard's frames: the theme's greys, the error reds, and
//! each metric colour blended over the plot and figure backgrounds at a few alpha
//! levels (what antialiasing produces). A 32 K-entry table maps any pixel to its
//! nearest entry, so indexing a frame is one lookup per pixel, with no colour search.

use crate::dashboard::Dashboard;
use crate::render::theme::{shaded, ERROR, FIGURE_BG, MISSING, PLOT_BG};

pub struct Palette {
    pub colors: Vec<[u8; 3]>,
    lut: Vec<u8>,
}

const GREYS: usize = 16;

impl Palette {
    pub fn for_dashboard(d: &Dashboard) -> Self {
        let mut metric: Vec<[u8; 3]> = Vec::new();
        for m in d.metrics() {
            let c = [m.color.0, m.color.1, m.color.2];
            if !metric.contains(&c) {
                metric.push(c);
            }
        }
        Self::new(&metric)
    }

    pub fn new(metric_colors: &[[u8; 3]]) -> Self {
        let mut colors: Vec<[u8; 3]> = Vec::with_capacity(256);
        let add = |c: [u8; 3], colors: &mut Vec<[u8; 3]>| {
            if colors.len() < 256 && !colors.contains(&c) {
                colors.push(c);
            }
        };
        for base in [
            FIGURE_BG,
            PLOT_BG,
            [0x55, 0x55, 0x55],
            [0x88, 0x88, 0x88],
            [0xaa, 0xaa, 0xaa],
            [0xff; 3],
        ] {
            add(base, &mut colors);
        }
        for i in 0..GREYS {
            let v = (i * 255 / (GREYS - 1)) as u8;
            add([v, v, v], &mut colors);
        }
        for red in [ERROR, MISSING] {
            for a in [0.35, 0.7, 1.0] {
                add(blend(red, FIGURE_BG, a), &mut colors);
            }
        }
        // Budget the rest evenly over the metric colours: full and shaded, over the plot
        // background, and a few steps over the figure background (header text).
        let n = metric_colors.len().max(1);
        let per = ((256 - colors.len()) / n).max(3);
        let over_plot = 3usize.min((per * 2 / 3 / 2).max(1)); // per variant
        let over_fig = 2usize.min(per.saturating_sub(over_plot * 2).max(1));
        for &c in metric_colors {
            for variant in [c, shaded(c, 0.55)] {
                for k in 1..=over_plot {
                    add(
                        blend(variant, PLOT_BG, k as f32 / over_plot as f32),
                        &mut colors,
                    );
                }
            }
            for k in 1..=over_fig {
                add(blend(c, FIGURE_BG, k as f32 / over_fig as f32), &mut colors);
            }
        }
        let lut = build_lut(&colors);
        Palette { colors, lut }
    }

    #[inline]
    pub fn index(&self, r: u8, g: u8, b: u8) -> u8 {
        self.lut[((r as usize >> 3) << 10) | ((g as usize >> 3) << 5) | (b as usize >> 3)]
    }

    /// Palette indices for an RGBA frame.
    pub fn indices(&self, rgba: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(rgba.len() / 4);
        let mut last = (u32::MAX, 0u8);
        for px in rgba.chunks_exact(4) {
            let key = u32::from_le_bytes([px[0], px[1], px[2], 0]);
            // Frames are mostly long runs of one colour: skip the lookup for those.
            if key != last.0 {
                last = (key, self.index(px[0], px[1], px[2]));
            }
            out.push(last.1);
        }
        out
    }
}

fn blend(c: [u8; 3], bg: [u8; 3], a: f32) -> [u8; 3] {
    let m = |x: u8, y: u8| (x as f32 * a + y as f32 * (1.0 - a)).round() as u8;
    [m(c[0], bg[0]), m(c[1], bg[1]), m(c[2], bg[2])]
}

fn build_lut(colors: &[[u8; 3]]) -> Vec<u8> {
    let mut lut = vec![0u8; 1 << 15];
    for (i, slot) in lut.iter_mut().enumerate() {
        // Centre of the 8x8x8 cell this entry stands for.
        let r = (((i >> 10) & 31) << 3 | 4) as i32;
        let g = (((i >> 5) & 31) << 3 | 4) as i32;
        let b = ((i & 31) << 3 | 4) as i32;
        let mut best = (i32::MAX, 0usize);
        for (j, c) in colors.iter().enumerate() {
            let (dr, dg, db) = (r - c[0] as i32, g - c[1] as i32, b - c[2] as i32);
            // Weighted for the eye: green counts most.
            let d = 3 * dr * dr + 4 * dg * dg + 2 * db * db;
            if d < best.0 {
                best = (d, j);
            }
        }
        *slot = best.1 as u8;
    }
    lut
}
