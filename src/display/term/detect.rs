//! Which image protocol the terminal speaks. The environment gives hints
//! (TERM_PROGRAM, LC_TERMINAL which survives ssh, KITTY_WINDOW_ID, TERM); the terminal
//! is asked (Kitty `a=q`, XTVERSION, DA1 for Sixel, CSI 14t/16t for pixel sizes),
//! with a DSR last so the read ends even when a terminal ignores the rest.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Iterm2,
    Kitty,
    Sixel,
    Text,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Iterm2 => "iterm2",
            Protocol::Kitty => "kitty",
            Protocol::Sixel => "sixel",
            Protocol::Text => "text",
        }
    }
}

/// What the environment says about the terminal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hints {
    pub term: String,
    pub term_program: String,
    pub lc_terminal: String,
    pub kitty_window_id: bool,
    pub in_tmux: bool,
}

impl Hints {
    pub fn from_env() -> Self {
        let v = |k: &str| std::env::var(k).unwrap_or_default();
        Hints {
            term: v("TERM"),
            term_program: v("TERM_PROGRAM"),
            lc_terminal: v("LC_TERMINAL"),
            kitty_window_id: std::env::var_os("KITTY_WINDOW_ID").is_some(),
            in_tmux: std::env::var_os("TMUX").is_some(),
        }
    }
}

/// What the terminal answered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Replies {
    pub kitty_graphics: bool,
    pub sixel: bool,
    pub xtversion: Option<String>,
    /// Text area in pixels (CSI 14t): width, height.
    pub pixels: Option<(u32, u32)>,
    /// One cell in pixels (CSI 16t): width, height.
    pub cell: Option<(u32, u32)>,
    /// Largest sixel image (XTSMGRAPHICS): width, height.
    pub sixel_max: Option<(u32, u32)>,
    /// The DSR answer came: everything before it has been read.
    pub complete: bool,
}

/// The queries, in the order the replies are expected; DSR last.
pub const QUERIES: [&[u8]; 7] = [
    b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\",
    b"\x1b[>q",
    b"\x1b[14t",
    b"\x1b[16t",
    // XTSMGRAPHICS: the largest sixel image the terminal shows (xterm: 1000x1000).
    b"\x1b[?2;1S",
    b"\x1b[c",
    b"\x1b[5n",
];

pub fn parse_replies(buf: &[u8]) -> Replies {
    let s = String::from_utf8_lossy(buf);
    let mut r = Replies {
        kitty_graphics: s.contains("\x1b_Gi=31;OK"),
        ..Replies::default()
    };
    if let Some(i) = s.find("\x1bP>|") {
        let rest = &s[i + 4..];
        r.xtversion = rest.find("\x1b\\").map(|e| rest[..e].to_string());
    }
    // DA1: ESC [ ? Ps ; Ps ... c  — attribute 4 means Sixel graphics.
    if let Some(i) = s.find("\x1b[?") {
        let rest = &s[i + 3..];
        if let Some(e) = rest.find('c') {
            r.sixel = rest[..e].split(';').any(|p| p == "4");
        }
    }
    let size = |prefix: &str| -> Option<(u32, u32)> {
        let i = s.find(prefix)?;
        let rest = &s[i + prefix.len()..];
        let e = rest.find('t')?;
        let mut it = rest[..e].split(';').map(|p| p.parse::<u32>().ok());
        let (h, w) = (it.next()??, it.next()??);
        (w > 0 && h > 0).then_some((w, h))
    };
    if let Some(i) = s.find("\x1b[?2;0;") {
        let rest = &s[i + 7..];
        if let Some(e) = rest.find('S') {
            let mut it = rest[..e].split(';').map(|p| p.parse::<u32>().ok());
            if let (Some(Some(w)), Some(Some(h))) = (it.next(), it.next()) {
                r.sixel_max = (w > 0 && h > 0).then_some((w, h));
            }
        }
    }
    r.pixels = size("\x1b[4;");
    r.cell = size("\x1b[6;");
    r.complete = s.contains("\x1b[0n") || s.contains("\x1b[3n");
    r
}

/// The protocol to use. Terminal answers beat hints; inside tmux images need
/// passthrough, which the caller checks.
pub fn choose(h: &Hints, r: &Replies) -> Protocol {
    let name = |s: &str| s.to_ascii_lowercase();
    let xt = r.xtversion.as_deref().map(name).unwrap_or_default();
    let (tp, lc, term) = (name(&h.term_program), name(&h.lc_terminal), name(&h.term));
    if xt.contains("iterm2")
        || tp == "iterm.app"
        || lc == "iterm2"
        || xt.contains("wezterm")
        || tp == "wezterm"
    {
        return Protocol::Iterm2;
    }
    if r.kitty_graphics
        || h.kitty_window_id
        || term == "xterm-kitty"
        || tp == "ghostty"
        || term == "xterm-ghostty"
    {
        return Protocol::Kitty;
    }
    if r.sixel || term.contains("foot") || term == "mlterm" {
        return Protocol::Sixel;
    }
    Protocol::Text
}

/// Sends the queries and reads the replies for at most `timeout` (raw mode must be on).
pub fn query(timeout: Duration, wrap: &dyn Fn(&[u8]) -> Vec<u8>) -> Replies {
    use rustix::event::{poll, PollFd, PollFlags};
    use std::io::Write;
    let mut out = std::io::stdout();
    let mut q = Vec::new();
    // Each query separately wrapped when passing through tmux.
    for part in QUERIES {
        q.extend(wrap(part));
    }
    if out.write_all(&q).and_then(|_| out.flush()).is_err() {
        return Replies::default();
    }
    let stdin = std::io::stdin();
    let start = Instant::now();
    let mut buf = Vec::new();
    while start.elapsed() < timeout {
        let left = timeout.saturating_sub(start.elapsed());
        let ts = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: left.as_nanos().min(999_999_999) as i64,
        };
        let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
        match poll(&mut fds, Some(&ts)) {
            Ok(n) if n > 0 => {
                let mut chunk = [0u8; 1024];
                match rustix::io::read(&stdin, &mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
                if parse_replies(&buf).complete {
                    break;
                }
            }
            _ => break,
        }
    }
    parse_replies(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_kitty_terminals_answers() {
        let r = parse_replies(b"\x1b_Gi=31;OK\x1b\\\x1bP>|kitty(0.26.5)\x1b\\\x1b[4;1000;1600t\x1b[6;20;10t\x1b[?62;22c\x1b[0n");
        assert!(r.kitty_graphics && !r.sixel && r.complete);
        assert_eq!(r.xtversion.as_deref(), Some("kitty(0.26.5)"));
        assert_eq!((r.pixels, r.cell), (Some((1600, 1000)), Some((10, 20))));
        assert_eq!(choose(&Hints::default(), &r), Protocol::Kitty);
    }

    #[test]
    fn da1_with_4_means_sixel() {
        let r = parse_replies(
            b"\x1bP>|XTerm(379)\x1b\\\x1b[?2;0;1000;1000S\x1b[?63;1;2;4;6;9;15;22c\x1b[0n",
        );
        assert!(r.sixel);
        assert_eq!(r.sixel_max, Some((1000, 1000)));
        assert_eq!(choose(&Hints::default(), &r), Protocol::Sixel);
        let r = parse_replies(b"\x1b[?62;22c\x1b[0n");
        assert!(!r.sixel);
        assert_eq!(choose(&Hints::default(), &r), Protocol::Text);
    }

    #[test]
    fn hints_when_the_terminal_is_quiet() {
        let none = Replies::default();
        let h = |tp: &str, lc: &str, term: &str| Hints {
            term: term.into(),
            term_program: tp.into(),
            lc_terminal: lc.into(),
            ..Hints::default()
        };
        assert_eq!(
            choose(&h("iTerm.app", "", "xterm-256color"), &none),
            Protocol::Iterm2
        );
        assert_eq!(
            choose(&h("", "iTerm2", "xterm-256color"), &none),
            Protocol::Iterm2,
            "LC_TERMINAL survives ssh"
        );
        assert_eq!(choose(&h("WezTerm", "", ""), &none), Protocol::Iterm2);
        assert_eq!(choose(&h("", "", "xterm-kitty"), &none), Protocol::Kitty);
        assert_eq!(choose(&h("ghostty", "", ""), &none), Protocol::Kitty);
        assert_eq!(choose(&h("", "", "linux"), &none), Protocol::Text);
        assert_eq!(choose(&h("", "", "screen-256color"), &none), Protocol::Text);
    }
}
