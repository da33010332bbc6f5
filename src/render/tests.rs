use super::*;
use crate::dashboard::Dashboard;
use crate::history::{HostHistory, KeyIndex};
use crate::source::sim::simulated_history;

pub(crate) const T_END: f64 = 1_795_000_000.0;

pub(crate) fn histories(n: usize, secs: f64) -> (Dashboard, Vec<HostHistory>) {
    let d = Dashboard::builtin();
    let keys = KeyIndex::new(d.all_keys());
    let hs = (0..n)
        .map(|i| simulated_history(i as u64 + 1, keys.clone(), T_END, secs, 1.0))
        .collect();
    (d, hs)
}

pub(crate) fn render_page(
    d: &Dashboard,
    hs: &[HostHistory],
    labels: &[String],
    page: usize,
    w: u32,
    h: u32,
) -> Frame {
    let views: Vec<HostView> = hs
        .iter()
        .zip(labels)
        .map(|(h, l)| HostView {
            label: l,
            history: h,
            latency_scale: 1.0,
            version: Some("10.2.0"),
        })
        .collect();
    let tz = jiff::tz::TimeZone::UTC;
    let input = FrameInput {
        page: &d.pages[page],
        page_index: page,
        page_count: d.pages.len(),
        hosts: &views,
        now: T_END,
        window: 60.0,
        tz: &tz,
        status: StatusLine::Help("1.0s refresh | 60s history".into()),
        overlay: None,
    };
    Renderer::new().render(&input, w, h)
}

pub(crate) fn labels(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("ats{}", i + 1)).collect()
}

#[test]
fn no_text_overlaps_at_any_size_or_host_count() {
    for hosts in [1usize, 2, 4, 8, 16] {
        let (d, hs) = histories(hosts, 60.0);
        let ls = labels(hosts);
        for (w, h) in [(1200, 800), (1600, 1000), (2560, 1600), (1200, 1600)] {
            for page in 0..d.pages.len() {
                let f = render_page(&d, &hs, &ls, page, w, h);
                let b = &f.text_boxes;
                assert!(b.len() > 10);
                for (i, a) in b.iter().enumerate() {
                    assert!(
                        a.x >= 0.0
                            && a.y >= 0.0
                            && a.x + a.w <= w as f32 + 0.5
                            && a.y + a.h <= h as f32 + 0.5,
                        "{hosts} hosts {w}x{h} page {page}: box {a:?} leaves the frame"
                    );
                    for c in &b[i + 1..] {
                        assert!(
                            !a.overlaps(c),
                            "{hosts} hosts {w}x{h} page {page}: {a:?} overlaps {c:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn frame_is_a_pure_function_of_its_input() {
    let (d, hs) = histories(2, 60.0);
    let a = render_page(&d, &hs, &labels(2), 0, 800, 500);
    let b = render_page(&d, &hs, &labels(2), 0, 800, 500);
    assert_eq!(a.rgba(), b.rgba());
    let c = render_page(&d, &hs, &labels(2), 1, 800, 500);
    assert_ne!(a.rgba(), c.rgba());
}

#[test]
fn grid_fits_any_number_of_panels() {
    for n in 1..=12 {
        let cells = grid(n, (0.0, 0.0, 1600.0, 900.0), 10.0);
        assert_eq!(cells.len(), n);
        for (i, a) in cells.iter().enumerate() {
            assert!(a.x + a.w <= 1600.01 && a.y + a.h <= 900.01);
            for b in &cells[i + 1..] {
                let overlap =
                    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
                assert!(!overlap, "{n}: {a:?} {b:?}");
            }
        }
    }
    let four = grid(4, (0.0, 0.0, 1600.0, 900.0), 10.0);
    assert_eq!(
        (four[1].y, four[2].x),
        (four[0].y, four[0].x),
        "4 panels make a 2x2 grid"
    );
}

#[test]
fn host_styles_are_distinct_for_sixteen_hosts() {
    let styles: Vec<_> = (0..16).map(|i| theme::host_style(i, 2.0)).collect();
    for (i, a) in styles.iter().enumerate() {
        for b in &styles[i + 1..] {
            assert_ne!(a, b);
        }
    }
}
