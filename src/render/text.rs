//! Text on the frame: the embedded DejaVu Sans, a glyph coverage cache, measuring,
//! fitting (ellipsis) and drawing. Every drawn box is recorded so tests can prove no
//! two texts overlap.

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};
use std::collections::HashMap;
use std::sync::OnceLock;
use tiny_skia::Pixmap;

static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| match FontRef::try_from_slice(FONT_BYTES) {
        Ok(f) => f,
        // The font is compiled in; a unit test parses it.
        Err(e) => panic!("embedded font is unreadable: {e}"),
    })
}

struct GlyphBitmap {
    left: i32,
    top: i32,
    width: u32,
    height: u32,
    coverage: Vec<u8>,
}

/// A rectangle of drawn text, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextBox {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl TextBox {
    pub fn overlaps(&self, o: &TextBox) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

#[derive(Default)]
pub struct TextPainter {
    cache: HashMap<(GlyphId, u32), Option<GlyphBitmap>>,
    /// Boxes drawn since the last `take_boxes`.
    boxes: Vec<TextBox>,
}

impl TextPainter {
    pub fn take_boxes(&mut self) -> Vec<TextBox> {
        std::mem::take(&mut self.boxes)
    }

    /// Width of `s` at `size` px.
    pub fn width(&self, s: &str, size: f32) -> f32 {
        let f = font().as_scaled(PxScale::from(size));
        let mut w = 0.0;
        let mut prev: Option<GlyphId> = None;
        for c in s.chars() {
            let id = f.glyph_id(c);
            if let Some(p) = prev {
                w += f.kern(p, id);
            }
            w += f.h_advance(id);
            prev = Some(id);
        }
        w
    }

    /// Line height (ascent to descent) at `size` px.
    pub fn line_height(size: f32) -> f32 {
        let f = font().as_scaled(PxScale::from(size));
        (f.ascent() - f.descent()).ceil()
    }

    /// `s` cut to fit `max_w`, with an ellipsis when cut.
    pub fn fit(&self, s: &str, size: f32, max_w: f32) -> String {
        if self.width(s, size) <= max_w {
            return s.to_string();
        }
        let mut out: String = s.to_string();
        while !out.is_empty() {
            out.pop();
            let cand = format!("{}…", out.trim_end());
            if self.width(&cand, size) <= max_w {
                return cand;
            }
        }
        String::new()
    }

    /// Draws `s` with its top-left corner at (x, y); returns the width drawn.
    pub fn draw(
        &mut self,
        pm: &mut Pixmap,
        s: &str,
        x: f32,
        y: f32,
        size: f32,
        rgb: [u8; 3],
    ) -> f32 {
        if s.is_empty() {
            return 0.0;
        }
        let f = font().as_scaled(PxScale::from(size));
        let baseline = y + f.ascent();
        let size_key = (size * 4.0).round() as u32;
        let mut pen = x;
        let mut prev: Option<GlyphId> = None;
        for c in s.chars() {
            let id = f.glyph_id(c);
            if let Some(p) = prev {
                pen += f.kern(p, id);
            }
            let bm = self
                .cache
                .entry((id, size_key))
                .or_insert_with(|| rasterize(id, size));
            if let Some(bm) = bm {
                blit(
                    pm,
                    bm,
                    pen.round() as i32 + bm.left,
                    baseline.round() as i32 + bm.top,
                    rgb,
                );
            }
            pen += f.h_advance(id);
            prev = Some(id);
        }
        let w = pen - x;
        self.boxes.push(TextBox {
            x,
            y,
            w,
            h: Self::line_height(size),
        });
        w
    }
}

fn rasterize(id: GlyphId, size: f32) -> Option<GlyphBitmap> {
    let glyph = id.with_scale_and_position(PxScale::from(size), ab_glyph::point(0.0, 0.0));
    let outlined = font().outline_glyph(glyph)?;
    let b = outlined.px_bounds();
    let (width, height) = (b.width() as u32, b.height() as u32);
    let mut coverage = vec![0u8; (width * height) as usize];
    outlined.draw(|x, y, c| {
        if x < width && y < height {
            coverage[(y * width + x) as usize] = (c.clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    });
    Some(GlyphBitmap {
        left: b.min.x as i32,
        top: b.min.y as i32,
        width,
        height,
        coverage,
    })
}

fn blit(pm: &mut Pixmap, g: &GlyphBitmap, x0: i32, y0: i32, rgb: [u8; 3]) {
    let (pw, ph) = (pm.width() as i32, pm.height() as i32);
    let data = pm.data_mut();
    for gy in 0..g.height as i32 {
        let y = y0 + gy;
        if y < 0 || y >= ph {
            continue;
        }
        for gx in 0..g.width as i32 {
            let x = x0 + gx;
            if x < 0 || x >= pw {
                continue;
            }
            let a = g.coverage[(gy * g.width as i32 + gx) as usize] as u32;
            if a == 0 {
                continue;
            }
            let i = ((y * pw + x) * 4) as usize;
            for c in 0..3 {
                let d = data[i + c] as u32;
                data[i + c] = ((rgb[c] as u32 * a + d * (255 - a) + 127) / 255) as u8;
            }
            data[i + 3] = 255;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_fits_and_draws() {
        let mut t = TextPainter::default();
        let w = t.width("Requests/sec", 14.0);
        assert!(w > 60.0 && w < 140.0, "{w}");
        let cut = t.fit("Requests/sec - Client: 3.6K", 14.0, 80.0);
        assert!(cut.ends_with('…') && t.width(&cut, 14.0) <= 80.0, "{cut}");
        let mut pm = Pixmap::new(200, 40).unwrap();
        pm.fill(tiny_skia::Color::BLACK);
        t.draw(&mut pm, "Hi", 2.0, 2.0, 20.0, [255, 255, 255]);
        assert!(
            pm.data().chunks(4).any(|p| p[0] > 200),
            "text left no bright pixel"
        );
        assert_eq!(t.take_boxes().len(), 1);
    }
}
