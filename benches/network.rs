//! Road network benchmarks: Rutland build, Rutland 2,000 × 2,000 matrix (contraction
//! hierarchy vs the parallel-Dijkstra baseline), and 1,000 × 1,000 on a synthetic graph of
//! over a million nodes. Figures and commands are recorded in BENCHMARKS.md.
//!
//! `cargo bench --bench network` (set `SCHOOLRUN_BENCH_SKIP_1M=1` to skip the large graph).

use criterion::{Criterion, criterion_group, criterion_main};
use schoolrun::network::{Network, RoadNetwork, Snap, synthetic};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

fn rutland_pbf() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/osm/rutland-latest.osm.pbf")
}

fn spread_points(net: &Network, n: usize, seed: u64) -> Vec<Snap> {
    let b = net.roads().bbox();
    let mut s = seed;
    let mut unit = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        if let Some(p) = net.snap(b[0] + (b[2] - b[0]) * unit(), b[1] + (b[3] - b[1]) * unit())
            && p.distance_m < 500.0
        {
            out.push(p);
        }
    }
    out
}

fn rutland(c: &mut Criterion) {
    let pbf = rutland_pbf();
    let mut g = c.benchmark_group("rutland");
    g.sample_size(20);
    g.bench_function("build_graph", |b| {
        b.iter(|| RoadNetwork::from_osm(black_box(&pbf)).unwrap())
    });
    let roads = RoadNetwork::from_osm(&pbf).unwrap();
    g.bench_function("prepare_ch", |b| {
        b.iter(|| Network::prepare(roads.clone(), &|_| {}))
    });
    let net = Network::prepare(roads, &|_| {});
    let pts = spread_points(&net, 2000, 99);
    g.sample_size(10);
    g.bench_function("matrix_2000x2000_ch", |b| {
        b.iter(|| net.matrix(&pts, &pts, &|_| {}))
    });
    g.bench_function("matrix_2000x2000_dijkstra_baseline", |b| {
        b.iter(|| net.roads().matrix_dijkstra(&pts, &pts, &|_| {}))
    });
    g.finish();
}

fn synthetic_1m(c: &mut Criterion) {
    if std::env::var_os("SCHOOLRUN_BENCH_SKIP_1M").is_some() {
        eprintln!("skipping the 1M-node benchmark (SCHOOLRUN_BENCH_SKIP_1M is set)");
        return;
    }
    let roads = RoadNetwork::from_raw(&synthetic::grid(1100, 1)).unwrap();
    eprintln!("synthetic graph: {:?}", roads.summary());
    let t = std::time::Instant::now();
    let net = Network::prepare(roads, &|_| {});
    eprintln!(
        "contraction hierarchy prepared in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let pts = spread_points(&net, 1000, 7);
    let mut g = c.benchmark_group("synthetic_1m");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("matrix_1000x1000_ch", |b| {
        b.iter(|| net.matrix(&pts, &pts, &|_| {}))
    });
    g.finish();
}

criterion_group!(benches, rutland, synthetic_1m);
criterion_main!(benches);
