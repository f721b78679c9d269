//! Builds a synthetic county-scale road network (see `network::synthetic::grid`), prepares
//! its contraction hierarchy and computes a many-to-many matrix, printing each step's time.
//! Run under `/usr/bin/time -v` to read peak memory:
//!
//! `cargo run --release --example synthetic_network -- 1100 1000`

use schoolrun::network::{Network, RoadNetwork, synthetic};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let side: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1100);
    let points: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let baseline = args.next().as_deref() == Some("--dijkstra");

    let t = Instant::now();
    let raw = synthetic::grid(side, 1);
    let roads = RoadNetwork::from_raw(&raw).expect("grid has roads");
    drop(raw);
    let s = roads.summary();
    println!(
        "graph: {} nodes, {} arcs, {:.0} km, built in {:.2} s",
        s.nodes,
        s.edges,
        s.road_km,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let total = s.nodes as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let t0 = Instant::now();
    let net = Network::prepare(roads, &|k| {
        let before = done.fetch_add(k, std::sync::atomic::Ordering::Relaxed);
        let after = before + k;
        if std::env::var_os("CH_TRACE").is_some() && after * 10 / total != before * 10 / total {
            eprintln!(
                "  {}% contracted after {:.2} s",
                after * 100 / total,
                t0.elapsed().as_secs_f64()
            );
        }
    });
    println!(
        "contraction hierarchy: {} arcs, prepared in {:.2} s",
        net.hierarchy().num_arcs(),
        t.elapsed().as_secs_f64()
    );

    let b = net.roads().bbox();
    let mut state = 12345u64;
    let mut unit = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let pts: Vec<_> = (0..points)
        .filter_map(|_| net.snap(b[0] + (b[2] - b[0]) * unit(), b[1] + (b[3] - b[1]) * unit()))
        .collect();
    let t = Instant::now();
    let m = net.matrix(&pts, &pts, &|_| {});
    println!(
        "matrix {}x{} (CH): {:.2} s",
        pts.len(),
        pts.len(),
        t.elapsed().as_secs_f64()
    );
    if baseline {
        let t = Instant::now();
        let d = net.roads().matrix_dijkstra(&pts, &pts, &|_| {});
        println!(
            "matrix {}x{} (Dijkstra): {:.2} s; equal: {}",
            pts.len(),
            pts.len(),
            t.elapsed().as_secs_f64(),
            d == m
        );
    }
    let far = (0..pts.len())
        .filter_map(|j| m.time_ms(0, j))
        .max()
        .unwrap_or(0);
    println!(
        "longest trip from point 0: {:.1} min",
        far as f64 / 60_000.0
    );
}
