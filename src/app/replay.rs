//! `traffic_grapher replay FILE`: a recording through the same history, derivation,
//! pages and displays. Written outputs (`--save-png`, `--once`, `--no-keyboard`) are
//! drawn from the recorded events in order — each recorded frame at its recorded time,
//! so they equal what the live run drew; the terminal and the window get the samples
//! at their recorded pace (`--speed` times) on a replay clock, with pause, pages and
//! zoom as live.

use super::record::{Line, Recording};
use super::{live, once_output, setup_with, AppError, Clock, Outputs, Setup};
use crate::cli::{ReplayArgs, Target};
use crate::dashboard::Dashboard;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `--from`/`--to`: epoch seconds, RFC 3339, or +SEC from the recording's start.
pub fn parse_time(s: &str, start: f64) -> Result<f64, String> {
    if let Some(off) = s.strip_prefix('+') {
        return off
            .parse::<f64>()
            .map(|o| start + o)
            .map_err(|_| format!("'{s}' is not +SECONDS"));
    }
    if let Ok(v) = s.parse::<f64>() {
        return Ok(v);
    }
    s.parse::<jiff::Timestamp>()
        .map(|ts| ts.as_millisecond() as f64 / 1000.0)
        .map_err(|_| {
            format!(
                "'{s}' is not a time (seconds since the epoch, RFC 3339, or +SEC from the start)"
            )
        })
}

pub fn replay(a: ReplayArgs) -> Result<(), AppError> {
    let rec = Recording::read(&a.file).map_err(AppError::Usage)?;
    for w in &rec.warnings {
        eprintln!("traffic_grapher: {}: {w}", a.file.display());
    }
    let labels = rec.hosts();
    let Some(first_t) = rec.lines.first().map(Line::t) else {
        return Err(AppError::Usage(format!(
            "{}: no samples to replay",
            a.file.display()
        )));
    };
    if !a.run.hosts.is_empty() || a.run.demo.is_some() || a.run.record.is_some() {
        return Err(AppError::Usage(
            "replay takes its hosts from the recording: drop the hosts, --demo and --record".into(),
        ));
    }
    let speed = match a.speed.as_str() {
        "max" => None,
        x => match x.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Some(v),
            _ => {
                return Err(AppError::Usage(format!(
                    "--speed {x}: give a positive number or max"
                )))
            }
        },
    };
    let from = match &a.from {
        Some(f) => parse_time(f, first_t).map_err(|e| AppError::Usage(format!("--from {e}")))?,
        None => f64::NEG_INFINITY,
    };
    let to = match &a.to {
        Some(f) => parse_time(f, first_t).map_err(|e| AppError::Usage(format!("--to {e}")))?,
        None => f64::INFINITY,
    };
    if !rec.lines.iter().any(|l| (from..=to).contains(&l.t())) {
        return Err(AppError::Usage(
            "nothing recorded between --from and --to".into(),
        ));
    }
    // Each host's last sample before --from comes along as the baseline of its first
    // rate (it draws nothing by itself).
    let mut baseline: Vec<Option<usize>> = vec![None; labels.len()];
    for (i, l) in rec.lines.iter().enumerate() {
        if let Line::Sample { h, t, .. } = l {
            if *t < from {
                if let Some(b) = baseline.get_mut(*h) {
                    *b = Some(i);
                }
            }
        }
    }
    let lines: Vec<Line> = rec
        .lines
        .into_iter()
        .enumerate()
        .filter(|(i, l)| (from..=to).contains(&l.t()) || baseline.contains(&Some(*i)))
        .map(|(_, l)| l)
        .collect();
    let Some(t0) = lines.first().map(Line::t) else {
        return Err(AppError::Usage(
            "nothing recorded between --from and --to".into(),
        ));
    };
    let t_last = lines.last().map_or(t0, Line::t);

    // The recorded dashboard unless -c gives another (the raw records are all there).
    let dashboard = match (&a.run.config, &rec.header) {
        (None, Some(h)) if !h.dashboard.trim().is_empty() => Some(
            Dashboard::from_yaml(
                &h.dashboard,
                &format!("{} (recorded dashboard)", a.file.display()),
            )
            .map_err(|e| AppError::Usage(e.to_string()))?,
        ),
        _ => None,
    };
    let mut run = a.run;
    if run.interval.is_none() {
        run.interval = rec.header.as_ref().map(|h| h.interval);
    }
    // One placeholder host per recorded one; their labels come from the recording.
    run.demo = Some(labels.len().max(1) as u32);
    let mut s = setup_with(run, dashboard)?;
    for (i, label) in labels.iter().enumerate() {
        for spec in [
            s.checked.hosts.get_mut(i),
            s.state.hosts.get_mut(i).map(|h| &mut h.spec),
        ]
        .into_iter()
        .flatten()
        {
            spec.label = label.clone();
            spec.target = Target::Recorded;
        }
    }

    if s.args.once || s.args.no_keyboard {
        return written(&mut s, &lines, speed, t_last);
    }
    s.clock = match speed {
        Some(speed) => Clock::Replay {
            start: Instant::now(),
            t0,
            speed,
        },
        None => Clock::Fixed(t_last),
    };
    s.replay = Some(Arc::new(lines));
    if s.args.gui {
        return super::gui::gui(&mut s);
    }
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(AppError::Usage(
            "not a terminal: use --no-keyboard (with --save-png 'f{iter}.png') or --once".into(),
        ));
    }
    live::live(&mut s)
}

/// The recorded events in order: samples applied, each recorded frame drawn at its
/// recorded time (paced by --speed unless max); --once draws the end.
fn written(s: &mut Setup, lines: &[Line], speed: Option<f64>, t_last: f64) -> Result<(), AppError> {
    let mut out = Outputs::new(s)?;
    let start = Instant::now();
    let t0 = lines.first().map_or(t_last, Line::t);
    let mut frames = 0u64;
    for l in lines {
        if let Some(x) = speed {
            let due = start + Duration::from_secs_f64(((l.t() - t0) / x).max(0.0));
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        match l {
            Line::Sample { .. } => {
                if let Some(c) = l.collected() {
                    out.note_sample(&s.state, &c);
                    s.state.apply(c);
                }
            }
            Line::Frame { now, .. } => {
                if s.args.once {
                    continue;
                }
                let files = out.save(s, frames, *now)?;
                let line = if files.is_empty() {
                    format!("frame {frames}: t={now:.3}")
                } else {
                    format!("frame {frames}: wrote {}", files.join(", "))
                };
                frames += 1;
                if !super::say(&line) {
                    return Ok(());
                }
            }
        }
    }
    if s.args.once {
        once_output(s, &mut out, t_last)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn times_are_epoch_rfc3339_or_offsets() {
        assert_eq!(parse_time("+30", 1000.0), Ok(1030.0));
        assert_eq!(parse_time("1795000000", 0.0), Ok(1_795_000_000.0));
        assert_eq!(parse_time("2026-11-25T04:00:00Z", 0.0), Ok(1_795_579_200.0));
        assert!(parse_time("yesterday", 0.0).is_err());
    }
}
