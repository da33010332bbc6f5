//! What the keys do, the same in the terminal and in the window: pages, pause (samples
//! are held and applied on resume), zoom within the history, help, quit.

use super::Setup;
use crate::render::StatusLine;
use crate::source::poller::Collected;

/// A key's meaning, whatever delivered it (crossterm or the window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PrevPage,
    NextPage,
    /// 0-based page.
    Page(usize),
    Pause,
    ZoomIn,
    ZoomOut,
    Help,
    Quit,
}

impl Action {
    /// The action of a typed character (the same keys in every display).
    pub fn from_char(c: char) -> Option<Action> {
        Some(match c {
            'h' => Action::PrevPage,
            'l' => Action::NextPage,
            d @ '1'..='9' => Action::Page(d as usize - '1' as usize),
            ' ' => Action::Pause,
            '+' | '=' => Action::ZoomIn,
            '-' | '_' => Action::ZoomOut,
            '?' => Action::Help,
            'q' => Action::Quit,
            _ => return None,
        })
    }
}

pub const HELP: [&str; 8] = [
    "h / ←      previous page",
    "l / →      next page",
    "1 … 9      go to page",
    "space      pause / resume the picture",
    "+ / -      narrow / widen the time window",
    "?          this help",
    "q / Esc    quit",
    "",
];

/// The viewer's state beside the data: pause, help, zoom limits.
pub struct Controls {
    /// While paused: the frame's time and the samples held back.
    pub paused: Option<(f64, Vec<Collected>)>,
    pub help: bool,
    min_window: f64,
    max_window: f64,
}

impl Controls {
    pub fn new(s: &Setup) -> Self {
        let max_window = s.state.window;
        Controls {
            paused: None,
            help: false,
            min_window: (4.0 * s.checked.interval).max(10.0).min(max_window),
            max_window,
        }
    }

    /// Applies `a`; false when it means quit.
    pub fn act(&mut self, s: &mut Setup, a: Action) -> bool {
        let pages = s.state.dashboard.pages.len();
        match a {
            Action::Quit => return false,
            Action::PrevPage => s.state.page = (s.state.page + pages - 1) % pages,
            Action::NextPage => s.state.page = (s.state.page + 1) % pages,
            Action::Page(p) if p < pages => s.state.page = p,
            Action::Page(_) => {}
            Action::Pause => match self.paused.take() {
                None => self.paused = Some((s.clock.now(), Vec::new())),
                Some((_, held)) => {
                    for c in held {
                        s.state.apply(c);
                    }
                }
            },
            Action::ZoomIn => s.state.window = (s.state.window / 2.0).max(self.min_window),
            Action::ZoomOut => s.state.window = (s.state.window * 2.0).min(self.max_window),
            Action::Help => self.help = !self.help,
        }
        true
    }

    /// A collected sample: applied now, or held while paused.
    pub fn sample(&mut self, s: &mut Setup, c: Collected) -> Option<String> {
        match &mut self.paused {
            Some((_, held)) => {
                held.push(c);
                None
            }
            None => s.state.apply(c),
        }
    }

    /// The time at the frame's right edge: now, or when the picture was paused.
    pub fn now(&self, clock: &super::Clock) -> f64 {
        self.paused.as_ref().map_or_else(|| clock.now(), |p| p.0)
    }

    pub fn help_lines(&self) -> Option<Vec<String>> {
        self.help
            .then(|| HELP.iter().map(|l| l.to_string()).collect())
    }

    /// The bottom line: the key hint (with PAUSED and a notice), or the hosts' errors.
    pub fn status_line(&self, s: &Setup, notice: Option<&str>) -> StatusLine {
        let mut help = format!(
            "[←/→ h/l pages, 1-9, space pause, +/- zoom, ? help, q quit] | {}",
            s.state.help_text()
        );
        if self.paused.is_some() {
            help = format!("PAUSED (space resumes) | {help}");
        }
        match s.clock {
            super::Clock::Replay { speed, .. } => help = format!("REPLAY at {speed}x | {help}"),
            super::Clock::Fixed(_) => help = format!("REPLAY (the end) | {help}"),
            super::Clock::Wall => {}
        }
        if let Some(n) = notice {
            help = format!("{n} | {help}");
        }
        match s.state.status(&help) {
            StatusLine::Help(_) => StatusLine::Help(help),
            e => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_characters_mean_the_same_in_every_display() {
        assert_eq!(Action::from_char('l'), Some(Action::NextPage));
        assert_eq!(Action::from_char('3'), Some(Action::Page(2)));
        assert_eq!(Action::from_char('+'), Some(Action::ZoomIn));
        assert_eq!(Action::from_char('?'), Some(Action::Help));
        assert_eq!(Action::from_char('x'), None);
    }
}
