//! `--gui`: the dashboard in a desktop window. Same frames, keys and pages as the
//! terminal; drawn at the window's size; nothing on stdout (it can run in the
//! background), errors on the dashboard's error bar; closing the window ends the run.

use super::controls::{Action, Controls};
use super::{start_poller, stop_on_signals, AppError, FrameClock, Outputs, Setup};
use crate::display::window::{Pressed, Window};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How often the window's events are read between frames (keys feel immediate).
const EVENT_PERIOD: Duration = Duration::from_millis(15);

/// "traffic_grapher: Traffic & Cache (1/4) - sim1, sim2"
pub fn title(s: &Setup) -> String {
    let st = &s.state;
    let labels: Vec<&str> = st.hosts.iter().map(|h| h.spec.label.as_str()).collect();
    let hosts = if labels.len() > 6 {
        format!("{} +{}", labels[..6].join(", "), labels.len() - 6)
    } else {
        labels.join(", ")
    };
    let page = st
        .dashboard
        .pages
        .get(st.page)
        .map_or("", |p| p.name.as_str());
    format!(
        "traffic_grapher: {page} ({}/{}) - {hosts}",
        st.page + 1,
        st.dashboard.pages.len()
    )
}

pub fn gui(s: &mut Setup) -> Result<(), AppError> {
    let opened = Instant::now();
    let mut win =
        Window::open(&title(s), s.checked.width, s.checked.height).map_err(AppError::Usage)?;
    let mut out = Outputs::new(s)?;
    let stop = stop_on_signals()?;
    let start = Instant::now();
    let (poller, rx) = start_poller(s, start);
    let mut controls = Controls::new(s);
    let mut clock = FrameClock::new(s, start);
    let mut dirty = true;
    let mut shown_size = (0, 0);
    let mut shown_title = title(s);
    let (mut frames, mut iter) = (0u64, 0u64);
    let mut first_frame_ms = None;
    // (render, present) milliseconds per frame, for the run's summary.
    let mut timings: Vec<(f64, f64)> = Vec::new();

    'run: loop {
        let now_i = Instant::now();
        if clock.over(now_i) || stop.load(Ordering::SeqCst) || !win.is_open() {
            break;
        }
        while let Ok(c) = rx.try_recv() {
            out.note_sample(&s.state, &c);
            controls.sample(s, c);
        }
        if clock.frame_due(&s.state, now_i) {
            dirty |= out.tick_frame(s, &controls, &mut iter)?;
            clock.advance();
        }
        let size = win.size();
        dirty |= size != shown_size;
        // A minimised window has no pixels: nothing to draw until it comes back.
        let keys = if dirty && size.0 > 0 && size.1 > 0 {
            let t = Instant::now();
            let status = controls.status_line(s, None);
            let views = s.state.views();
            let mut input = s
                .state
                .input(&views, s.state.page, controls.now(&s.clock), status);
            input.overlay = controls.help_lines();
            // The renderer's smallest frame; a smaller window shows its top left.
            let frame = out
                .renderer
                .render(&input, size.0.max(320), size.1.max(200));
            let rendered = t.elapsed();
            win.present(&frame).map_err(AppError::Failed)?;
            timings.push((
                rendered.as_secs_f64() * 1e3,
                (t.elapsed() - rendered).as_secs_f64() * 1e3,
            ));
            first_frame_ms.get_or_insert(opened.elapsed().as_secs_f64() * 1e3);
            frames += 1;
            dirty = false;
            shown_size = size;
            win.keys()
        } else {
            win.poll()
        };
        for k in keys {
            let action = match k {
                Pressed::Left => Some(Action::PrevPage),
                Pressed::Right => Some(Action::NextPage),
                Pressed::Escape => Some(Action::Quit),
                Pressed::Char(c) => Action::from_char(c),
            };
            let Some(a) = action else { continue };
            if !controls.act(s, a) {
                break 'run;
            }
            dirty = true;
        }
        let t = title(s);
        if t != shown_title {
            win.set_title(&t);
            shown_title = t;
        }
        std::thread::sleep(clock.wait(Instant::now()).min(EVENT_PERIOD));
    }
    poller.stop();
    finish(&mut out, frames, shown_size, first_frame_ms, &timings)
}

/// The run's summary goes to --log-stats (never to stdout in GUI mode).
fn finish(
    out: &mut Outputs,
    frames: u64,
    size: (u32, u32),
    first_frame_ms: Option<f64>,
    timings: &[(f64, f64)],
) -> Result<(), AppError> {
    let median = |f: fn(&(f64, f64)) -> f64| {
        let mut v: Vec<f64> = timings.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied()
    };
    if let Some(log) = &mut out.log {
        log.write(
            &serde_json::json!({
                "frames": frames,
                "display": "window",
                "size": [size.0, size.1],
                "first_frame_ms": first_frame_ms,
                "render_ms_median": median(|t| t.0),
                "present_ms_median": median(|t| t.1),
            })
            .to_string(),
        );
    }
    Ok(())
}
