//! Frame costs: render, PNG encode, a full tick through the simulator's socket, and
//! render with 6 h of history (decimation keeps it equal to 60 s).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use traffic_grapher::app::State;
use traffic_grapher::display::{palette::Palette, png, sixel};
use traffic_grapher::render::Renderer;
use traffic_grapher::source::sim::{ats_answer, now_secs, serve, Reply, TrafficModel};
use traffic_grapher::source::{SocketSource, Source};

const T_END: f64 = 1_795_000_000.0;

fn render(c: &mut Criterion) {
    let mut g = c.benchmark_group("render_page1_1600x1000");
    for (name, hosts, secs) in [
        ("1host_60s", 1, 60.0),
        ("4hosts_60s", 4, 60.0),
        ("1host_6h", 1, 21600.0),
        ("4hosts_6h", 4, 21600.0),
    ] {
        let state = State::simulated(hosts, secs, secs, T_END);
        let mut r = Renderer::new();
        g.bench_function(name, |b| {
            b.iter(|| black_box(state.frame(&mut r, 0, T_END, 1600, 1000)))
        });
    }
    g.finish();
}

fn encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("png_1600x1000");
    for hosts in [1usize, 4] {
        let state = State::simulated(hosts, 60.0, 60.0, T_END);
        let frame = state.frame(&mut Renderer::new(), 0, T_END, 1600, 1000);
        let palette = Palette::for_dashboard(&state.dashboard);
        let idx = png::encode_indexed(&frame, &palette).unwrap();
        let rgba = png::encode_rgba(&frame).unwrap();
        eprintln!(
            "{hosts} host(s): indexed PNG {} bytes, RGBA PNG {} bytes",
            idx.len(),
            rgba.len()
        );
        g.bench_function(format!("indexed_{hosts}host"), |b| {
            b.iter(|| black_box(png::encode_indexed(&frame, &palette).unwrap()))
        });
        g.bench_function(format!("rgba_{hosts}host"), |b| {
            b.iter(|| black_box(png::encode_rgba(&frame).unwrap()))
        });
    }
    for hosts in [1usize, 4] {
        let state = State::simulated(hosts, 60.0, 60.0, T_END);
        let frame = state.frame(&mut Renderer::new(), 0, T_END, 1600, 1000);
        let palette = Palette::for_dashboard(&state.dashboard);
        eprintln!(
            "{hosts} host(s): sixel {} bytes",
            sixel::encode(&frame, &palette).len()
        );
        g.bench_function(format!("sixel_{hosts}host"), |b| {
            b.iter(|| black_box(sixel::encode(&frame, &palette)))
        });
    }
    g.bench_function("palette_build", |b| {
        b.iter(|| {
            black_box(Palette::for_dashboard(
                &traffic_grapher::dashboard::Dashboard::builtin(),
            ))
        })
    });
    g.finish();
}

/// Collect from a simulated ATS over its socket, file the sample, render, encode.
fn full_tick(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jsonrpc20.sock");
    let mut model = TrafficModel::new(1, 1.0);
    let names: Vec<String> = model.names().map(str::to_string).collect();
    let server = serve(
        &path,
        Box::new(move |req: &[u8]| {
            model.advance_to(now_secs());
            Reply::Send(ats_answer(req, &mut |n| model.get(n), &names))
        }),
    )
    .unwrap();
    let mut state = State::simulated(1, 60.0, 60.0, now_secs());
    let keys = state.keys.clone();
    let mut src = SocketSource::new(Some((path.clone(), "bench".into())), Duration::from_secs(2));
    let palette = Palette::for_dashboard(&state.dashboard);
    let mut r = Renderer::new();
    c.bench_function("full_tick_1host_1600x1000", |b| {
        b.iter(|| {
            let reading = src.collect(&keys).unwrap();
            let t = now_secs();
            state.hosts[0]
                .history
                .push_values(t, &reading.values, reading.missing);
            let f = state.frame(&mut r, 0, t, 1600, 1000);
            black_box(png::encode_indexed(&f, &palette).unwrap())
        })
    });
    c.bench_function("jsonrpc_round_trip_local", |b| {
        b.iter(|| black_box(src.collect(&keys).unwrap()))
    });
    server.stop();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = render, encode, full_tick
}
criterion_main!(benches);
