//! The dashboard drawn with terminal cells (ratatui charts), for terminals without an
//! image protocol, tmux without passthrough, plain SSH and the Linux console. Same
//! pages, same derived values, titles with the current value per host, the error bar.

use crate::app::State;
use crate::dashboard::MetricKind;
use crate::history::derive_buckets;
use crate::render::format::{self, si, tick_decimals, y_ticks};
use crate::render::format_value;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Clear, Dataset, GraphType, Paragraph, Wrap};
use ratatui::Frame;

/// What the text page shows besides the state.
pub struct TextOptions<'a> {
    pub page: usize,
    pub now: f64,
    pub marker: Marker,
    pub status: &'a crate::render::StatusLine,
    pub help: Option<&'a [String]>,
}

/// One host's line for one metric: colour, line or dots, runs of points between gaps.
type HostLine = (Color, GraphType, Vec<Vec<(f64, f64)>>);

/// Host i: full or dimmed colour, line or dots, so four hosts stay apart without dashes.
fn host_look(i: usize) -> (f32, GraphType, &'static str) {
    match i % 4 {
        0 => (1.0, GraphType::Line, "──"),
        1 => (1.0, GraphType::Scatter, "··"),
        2 => (0.55, GraphType::Line, "──"),
        _ => (0.55, GraphType::Scatter, "··"),
    }
}

fn color(c: [u8; 3], shade: f32) -> Color {
    let f = |v: u8| (v as f32 * shade) as u8;
    Color::Rgb(f(c[0]), f(c[1]), f(c[2]))
}

pub fn draw(f: &mut Frame, state: &State, o: &TextOptions) {
    let area = f.area();
    let page = &state.dashboard.pages[o.page.min(state.dashboard.pages.len() - 1)];
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .split(area);
    let clock = jiff::Timestamp::from_millisecond((o.now * 1000.0) as i64)
        .map(|ts| {
            ts.to_zoned_datetime(state.tz.clone())
                .strftime("%H:%M:%S %Z")
                .to_string()
        })
        .unwrap_or_default();
    let title = format!(
        "ATS Dashboard {clock}  Page {}/{}: {}",
        o.page + 1,
        state.dashboard.pages.len(),
        page.name
    );
    f.render_widget(
        Paragraph::new(title).style(Style::default().add_modifier(Modifier::BOLD)),
        rows[0],
    );
    let legend: Vec<Span> = state
        .hosts
        .iter()
        .enumerate()
        .flat_map(|(i, h)| {
            let (shade, _, sym) = host_look(i);
            let label = match &h.version {
                Some(v) => format!(" {} ({v})  ", h.spec.label),
                None => format!(" {}  ", h.spec.label),
            };
            [
                Span::styled(sym, Style::default().fg(color([255, 255, 255], shade))),
                Span::raw(label),
            ]
        })
        .collect();
    f.render_widget(Paragraph::new(Line::from(legend)), rows[1]);

    let n = page.panels.len();
    let cols = ((rows[2].width / 60).max(1) as usize).min(n);
    let nrows = n.div_ceil(cols);
    let row_areas =
        Layout::vertical(vec![Constraint::Ratio(1, nrows as u32); nrows]).split(rows[2]);
    let views = state.views();
    let from_t = o.now - state.window;
    for (pi, panel) in page.panels.iter().enumerate() {
        let cells = Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols])
            .split(row_areas[pi / cols]);
        let cell = cells[pi % cols];
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(Style::default().fg(Color::DarkGray))
            .title(panel.title.clone());
        let inner = block.inner(cell);
        f.render_widget(block, cell);
        if inner.height == 0 {
            continue;
        }
        let mut values: Vec<Span> = Vec::new();
        let mut datasets_data: Vec<HostLine> = Vec::new();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for m in &panel.metrics {
            let c = [m.color.0, m.color.1, m.color.2];
            let mut vals = Vec::new();
            for (hi_, v) in views.iter().enumerate() {
                // Braille gives two dots per cell: no more points than that are drawn.
                let columns = (inner.width as usize * 2).max(1);
                let s = derive_buckets(v.history, m, from_t, o.now, columns, v.latency_scale);
                vals.push(format_value(m.kind, s.current));
                let (shade, gt, _) = host_look(hi_);
                let mut runs = vec![Vec::new()];
                for b in &s.buckets {
                    if b.is_gap() {
                        runs.push(Vec::new());
                        continue;
                    }
                    lo = lo.min(b.min);
                    hi = hi.max(b.max);
                    if let Some(r) = runs.last_mut() {
                        r.push((b.t - o.now, b.mean));
                    }
                }
                datasets_data.push((color(c, shade), gt, runs));
            }
            let missing = views
                .iter()
                .any(|v| m.keys().any(|k| v.history.missing.iter().any(|x| x == k)));
            values.push(Span::styled(
                format!("{}: {}", m.name, vals.join("/")),
                Style::default().fg(color(c, 1.0)),
            ));
            if missing {
                values.push(Span::styled(
                    " (n/a: no such record)",
                    Style::default().fg(Color::LightRed),
                ));
            }
            values.push(Span::raw("  "));
        }
        let head = Rect { height: 1, ..inner };
        f.render_widget(Paragraph::new(Line::from(values)), head);
        if inner.height < 3 {
            continue;
        }
        let chart_area = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
        let hit = panel.metrics.iter().all(|m| m.kind == MetricKind::HitRate);
        let (ylo, yhi, ticks) = if hit {
            (0.0, 100.0, vec![0.0, 50.0, 100.0])
        } else {
            y_ticks(lo, hi, 2)
        };
        let step = if ticks.len() > 1 {
            ticks[1] - ticks[0]
        } else {
            1.0
        };
        let d = tick_decimals(step, yhi.abs());
        let kind = panel.metrics.first().map_or(MetricKind::Gauge, |m| m.kind);
        let label = |v: f64| match kind {
            MetricKind::Latency => format::latency_ms(v),
            _ => si(v, d),
        };
        let datasets: Vec<Dataset> = datasets_data
            .iter()
            .flat_map(|(c, gt, runs)| {
                runs.iter().filter(|r| !r.is_empty()).map(move |r| {
                    Dataset::default()
                        .marker(o.marker)
                        .graph_type(*gt)
                        .style(Style::default().fg(*c))
                        .data(r)
                })
            })
            .collect();
        let show_axes = chart_area.height >= 6 && chart_area.width >= 30;
        let mut x_axis = Axis::default()
            .bounds([-state.window, 0.0])
            .style(Style::default().fg(Color::Gray));
        let mut y_axis = Axis::default()
            .bounds([ylo, yhi])
            .style(Style::default().fg(Color::Gray));
        if show_axes {
            x_axis = x_axis.labels(vec![
                format::ago_label(state.window),
                format::ago_label(state.window / 2.0),
                "now".into(),
            ]);
            y_axis = y_axis.labels(vec![label(ylo), label((ylo + yhi) / 2.0), label(yhi)]);
        }
        let chart = Chart::new(datasets)
            .x_axis(x_axis)
            .y_axis(y_axis)
            .legend_position(None);
        f.render_widget(chart, chart_area);
    }

    let (text, style) = match o.status {
        crate::render::StatusLine::Help(s) => (s.clone(), Style::default().fg(Color::Gray)),
        crate::render::StatusLine::Errors(e) => (
            format!("ERROR: {}", e.join(" | ")),
            Style::default().fg(Color::LightRed),
        ),
    };
    f.render_widget(Paragraph::new(text).style(style), rows[3]);

    if let Some(lines) = o.help {
        let w = (lines.iter().map(|l| l.chars().count()).max().unwrap_or(10) as u16 + 4)
            .min(area.width);
        let h = (lines.len() as u16 + 2).min(area.height);
        let r = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        f.render_widget(Clear, r);
        let text: Vec<Line> = lines.iter().map(|l| Line::from(l.as_str())).collect();
        f.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(Block::default().borders(Borders::ALL).title("keys")),
            r,
        );
    }
}
