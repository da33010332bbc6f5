//! Golden frames of the built-in pages (1 and 4 simulated hosts, fixed clock), compared
//! with a tolerance. The files in tests/golden/ were reviewed by eye; regenerate them
//! with UPDATE_GOLDEN=1 and look at them again before committing.

use traffic_grapher::app::State;
use traffic_grapher::display::{palette::Palette, png};
use traffic_grapher::render::Renderer;

const T_END: f64 = 1_795_000_000.0;

fn check(name: &str, hosts: usize, page: usize, w: u32, h: u32) {
    let state = State::simulated(hosts, 60.0, 60.0, T_END);
    let frame = state.frame(&mut Renderer::new(), page, T_END, w, h);
    let bytes = png::encode_indexed(&frame, &Palette::for_dashboard(&state.dashboard)).unwrap();
    let path = format!("{}/tests/golden/{name}.png", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &bytes).unwrap();
        return;
    }
    let golden =
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (UPDATE_GOLDEN=1 writes it)"));
    let (gw, gh, want) = png::decode_rgba(&golden).unwrap();
    let (_, _, got) = png::decode_rgba(&bytes).unwrap();
    assert_eq!((gw, gh), (w, h), "{name}: size");
    // Tolerance: antialiasing may differ by a few levels between builds; a moved line,
    // a lost label or a colour change does not fit in it.
    let mut differing = 0usize;
    let mut sum = 0u64;
    for (a, b) in got.chunks(4).zip(want.chunks(4)) {
        let d = (0..3)
            .map(|i| (a[i] as i32 - b[i] as i32).unsigned_abs())
            .max()
            .unwrap_or(0);
        sum += d as u64;
        if d > 40 {
            differing += 1;
        }
    }
    let n = (w * h) as usize;
    let mean = sum as f64 / n as f64;
    if differing > n / 500 || mean > 0.5 {
        let out = std::env::temp_dir().join(format!("{name}.actual.png"));
        let _ = std::fs::write(&out, &bytes);
        panic!(
            "{name}: {differing} pixels differ (mean {mean:.3}); actual frame in {}",
            out.display()
        );
    }
}

#[test]
fn page1_one_host() {
    check("page1_1host", 1, 0, 1600, 1000);
}

#[test]
fn page1_four_hosts() {
    check("page1_4hosts", 4, 0, 1600, 1000);
}

#[test]
fn every_page_four_hosts_small() {
    for p in 1..4 {
        check(&format!("page{}_4hosts_1200x800", p + 1), 4, p, 1200, 800);
    }
}

#[test]
fn golden_check_notices_a_change() {
    // The comparison must fail for a frame that is really different.
    let state = State::simulated(1, 60.0, 60.0, T_END);
    let frame = state.frame(&mut Renderer::new(), 1, T_END, 1600, 1000);
    let bytes = png::encode_indexed(&frame, &Palette::for_dashboard(&state.dashboard)).unwrap();
    let (_, _, other) = png::decode_rgba(&bytes).unwrap();
    let golden = std::fs::read(format!(
        "{}/tests/golden/page1_1host.png",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (_, _, want) = png::decode_rgba(&golden).unwrap();
    let differing = other
        .chunks(4)
        .zip(want.chunks(4))
        .filter(|(a, b)| (0..3).any(|i| (a[i] as i32 - b[i] as i32).abs() > 40))
        .count();
    assert!(
        differing > 1600 * 1000 / 500,
        "page 2 passed as page 1 ({differing} px)"
    );
}
