//! Image protocol writers: iTerm2 inline images, Kitty graphics (PNG in chunks, two
//! image ids so the new frame is placed before the old one is deleted: no flicker),
//! Sixel, and tmux passthrough wrapping. Pure functions from bytes to bytes.

use base64::Engine;

const HOME: &[u8] = b"\x1b[H";

/// iTerm2 3.5 refuses a single escape over 1 MiB.
pub const ITERM2_LIMIT: usize = 1 << 20;

pub fn iterm2(png: &[u8], w: u32, h: u32) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(png);
    let mut out = Vec::with_capacity(b64.len() + 100);
    out.extend_from_slice(HOME);
    out.extend_from_slice(
        format!(
            "\x1b]1337;File=inline=1;size={};width={w}px;height={h}px;preserveAspectRatio=0:",
            png.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(b64.as_bytes());
    out.push(0x07);
    out
}

/// Kitty: transmit and place `png` as image `id` at the top-left, replies suppressed
/// (q=2), cursor not moved (C=1); then delete image `old` if any. Each escape is
/// passed through `wrap` (identity, or tmux passthrough).
pub fn kitty(png: &[u8], id: u32, old: Option<u32>, wrap: &dyn Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(png);
    let chunks: Vec<&[u8]> = b64.as_bytes().chunks(4096).collect();
    let mut out = Vec::with_capacity(b64.len() + chunks.len() * 40 + 64);
    out.extend_from_slice(HOME);
    for (i, c) in chunks.iter().enumerate() {
        let more = u8::from(i + 1 < chunks.len());
        let head = if i == 0 {
            format!("a=T,f=100,i={id},p=1,q=2,C=1,m={more}")
        } else {
            format!("m={more}")
        };
        let mut esc = format!("\x1b_G{head};").into_bytes();
        esc.extend_from_slice(c);
        esc.extend_from_slice(b"\x1b\\");
        out.extend(wrap(&esc));
    }
    if let Some(old) = old {
        out.extend(wrap(format!("\x1b_Ga=d,d=I,i={old},q=2\x1b\\").as_bytes()));
    }
    out
}

/// Deletes every image we placed (at exit).
pub fn kitty_delete_all(wrap: &dyn Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    wrap(b"\x1b_Ga=d,d=A,q=2\x1b\\")
}

pub fn sixel(data: &[u8], wrap: &dyn Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut out = HOME.to_vec();
    out.extend(wrap(data));
    out
}

/// tmux passthrough: `ESC Ptmux; <sequence with every ESC doubled> ESC \`.
pub fn tmux_wrap(seq: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(seq.len() + 16);
    out.extend_from_slice(b"\x1bPtmux;");
    for &b in seq {
        if b == 0x1b {
            out.push(0x1b);
        }
        out.push(b);
    }
    out.extend_from_slice(b"\x1b\\");
    out
}

pub fn no_wrap(seq: &[u8]) -> Vec<u8> {
    seq.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterm2_escape() {
        let e = iterm2(b"\x89PNGdata", 640, 400);
        let s = String::from_utf8(e).unwrap();
        assert!(s.starts_with("\x1b[H\x1b]1337;File=inline=1;size=8;width=640px;height=400px;"));
        assert!(s.ends_with('\x07'));
        let b64 = &s[s.find(':').unwrap() + 1..s.len() - 1];
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap(),
            b"\x89PNGdata"
        );
    }

    #[test]
    fn kitty_chunks_and_replacement() {
        let png = vec![7u8; 10_000]; // 13 336 base64 bytes: 4 chunks
        let s = String::from_utf8(kitty(&png, 2, Some(1), &no_wrap)).unwrap();
        let escs: Vec<&str> = s.split("\x1b_G").skip(1).collect();
        assert_eq!(escs.len(), 5);
        assert!(escs[0].starts_with("a=T,f=100,i=2,p=1,q=2,C=1,m=1;"));
        assert!(escs[1].starts_with("m=1;") && escs[3].starts_with("m=0;"));
        for e in &escs[..4] {
            let payload = &e[e.find(';').unwrap() + 1..e.len() - 2];
            assert!(payload.len() <= 4096);
        }
        assert_eq!(
            escs[4], "a=d,d=I,i=1,q=2\x1b\\",
            "old image deleted after the new one is placed"
        );
    }

    #[test]
    fn tmux_passthrough_doubles_escapes() {
        assert_eq!(
            tmux_wrap(b"\x1b_Ga=d\x1b\\"),
            b"\x1bPtmux;\x1b\x1b_Ga=d\x1b\x1b\\\x1b\\".to_vec()
        );
    }
}
