//! Sixel encoding over the dashboard's fixed palette: every pixel is already a palette
//! index (one table lookup), so there is no colour search per frame. Bands of six rows,
//! one pass per colour used in the band, runs compressed with `!n`.

use super::palette::Palette;
use crate::render::Frame;
use std::fmt::Write;

pub fn encode(frame: &Frame, palette: &Palette) -> Vec<u8> {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    let idx = palette.indices(frame.rgba());
    let mut out = String::with_capacity(w * h / 8);
    // DCS q with P2=1 (unset pixels keep the background), raster attributes 1:1, size.
    let _ = write!(out, "\x1bP0;1;0q\"1;1;{w};{h}");
    for (i, c) in palette.colors.iter().enumerate() {
        let pct = |v: u8| (v as u32 * 100 + 127) / 255;
        let _ = write!(out, "#{i};2;{};{};{}", pct(c[0]), pct(c[1]), pct(c[2]));
    }
    let n = palette.colors.len();
    let mut masks = vec![0u8; n * w];
    let mut used: Vec<usize> = Vec::with_capacity(64);
    let mut seen = vec![false; n];
    for band in (0..h).step_by(6) {
        for (bit, y) in (band..(band + 6).min(h)).enumerate() {
            let row = &idx[y * w..(y + 1) * w];
            for (x, &c) in row.iter().enumerate() {
                let c = c as usize;
                if !seen[c] {
                    seen[c] = true;
                    used.push(c);
                }
                masks[c * w + x] |= 1 << bit;
            }
        }
        for (k, &c) in used.iter().enumerate() {
            if k > 0 {
                out.push('$'); // back to the band's start for the next colour
            }
            let _ = write!(out, "#{c}");
            let m = &mut masks[c * w..(c + 1) * w];
            // Nothing after the colour's last column: the rest stays as it is.
            let end = m.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
            let mut x = 0;
            while x < end {
                let v = m[x];
                let mut run = 1;
                while x + run < end && m[x + run] == v {
                    run += 1;
                }
                let ch = (63 + v) as char;
                if run > 3 {
                    let _ = write!(out, "!{run}{ch}");
                } else {
                    for _ in 0..run {
                        out.push(ch);
                    }
                }
                x += run;
            }
            m.fill(0);
            seen[c] = false;
        }
        used.clear();
        out.push('-');
    }
    out.push_str("\x1b\\");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::State;
    use crate::render::Renderer;

    /// Decodes our own sixel output back to palette indices (for round-trip checks).
    fn decode(s: &[u8], w: usize, h: usize) -> Vec<Option<usize>> {
        let s = std::str::from_utf8(s).unwrap();
        let body = &s[s.find('q').unwrap() + 1..s.len() - 2];
        let mut img = vec![None; w * h];
        let (mut x, mut band, mut color) = (0usize, 0usize, 0usize);
        let b = body.as_bytes();
        let mut i = 0;
        let num = |i: &mut usize| {
            let st = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            body[st..*i].parse::<usize>().unwrap()
        };
        while i < b.len() {
            match b[i] {
                b'"' => {
                    i += 1;
                    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b';') {
                        i += 1;
                    }
                }
                b'#' => {
                    i += 1;
                    color = num(&mut i);
                    if i < b.len() && b[i] == b';' {
                        // colour definition: skip ;2;r;g;b
                        for _ in 0..4 {
                            i += 1;
                            num(&mut i);
                        }
                    }
                }
                b'$' => {
                    x = 0;
                    i += 1;
                }
                b'-' => {
                    x = 0;
                    band += 6;
                    i += 1;
                }
                b'!' => {
                    i += 1;
                    let run = num(&mut i);
                    let v = b[i] - 63;
                    for _ in 0..run {
                        for bit in 0..6 {
                            if v & (1 << bit) != 0 && band + bit < h {
                                img[(band + bit) * w + x] = Some(color);
                            }
                        }
                        x += 1;
                    }
                    i += 1;
                }
                c => {
                    let v = c - 63;
                    for bit in 0..6 {
                        if v & (1 << bit) != 0 && band + bit < h {
                            img[(band + bit) * w + x] = Some(color);
                        }
                    }
                    x += 1;
                    i += 1;
                }
            }
        }
        img
    }

    #[test]
    fn round_trips_every_pixel() {
        let state = State::simulated(2, 60.0, 60.0, 1_795_000_000.0);
        let (w, h) = (403, 257); // odd sizes: a partial last band
        let frame = state.frame(&mut Renderer::new(), 0, 1_795_000_000.0, w, h);
        let pal = Palette::for_dashboard(&state.dashboard);
        let six = encode(&frame, &pal);
        assert!(six.starts_with(b"\x1bP0;1;0q\"1;1;403;257") && six.ends_with(b"\x1b\\"));
        let got = decode(&six, w as usize, h as usize);
        let want = pal.indices(frame.rgba());
        for (i, (g, w_)) in got.iter().zip(&want).enumerate() {
            assert_eq!(*g, Some(*w_ as usize), "pixel {i}");
        }
    }
}
