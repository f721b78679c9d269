//! The road network on the real Rutland extract, and the CLI's handling of bad extracts.

use crate::common::{bin, rutland, rutland_pbf, rutland_points};
use schoolrun::matrix::ms;
use schoolrun::network::{Network, haversine_m};
use schoolrun::progress::Progress;

#[test]
fn rutland_graph_builds_with_plausible_size() {
    let s = rutland().roads().summary();
    assert!(s.nodes > 2_000 && s.nodes < 20_000, "{s:?}");
    assert!(s.edges > s.nodes, "{s:?}");
    assert!(s.road_km > 500.0 && s.road_km < 1_500.0, "{s:?}");
}

#[test]
fn oakham_to_uppingham_by_road_is_plausible() {
    let net = rutland();
    let (oakham, uppingham) = ([52.6699, -0.7276], [52.5894, -0.7233]);
    let snaps = net
        .snap_all(&[oakham, uppingham], 500.0)
        .expect("both towns snap");
    let m = net.matrix(&snaps, &snaps, &|_| {});
    let straight = haversine_m(oakham, uppingham);
    for (i, j) in [(0, 1), (1, 0)] {
        let road = m.distance_m(i, j).unwrap() as f64;
        let minutes = m.time_ms(i, j).unwrap() as f64 / 60_000.0;
        assert!(road > straight, "road {road} m vs straight {straight} m");
        assert!(
            road < 1.6 * straight,
            "road {road} m vs straight {straight} m"
        );
        // About 10 km on the A6003: between 30 and 90 km/h on average.
        let kmh = road / 1000.0 / (minutes / 60.0);
        assert!((30.0..90.0).contains(&kmh), "{minutes} min for {road} m");
    }
}

#[test]
fn one_way_streets_make_the_matrix_asymmetric() {
    let net = rutland();
    let pts = rutland_points(150, 7);
    let m = net.matrix(&pts, &pts, &|_| {});
    let asymmetric = (0..pts.len())
        .flat_map(|i| (0..i).map(move |j| (i, j)))
        .filter(|&(i, j)| m.get(i, j) != m.get(j, i))
        .count();
    // Without one-way streets and roundabouts every pair would be symmetric.
    assert!(asymmetric > 0);
}

#[test]
fn matrix_equals_dijkstra_on_random_points() {
    let net = rutland();
    let pts = rutland_points(120, 42);
    let ch = net.matrix(&pts, &pts, &|_| {});
    let dij = net.roads().matrix_dijkstra(&pts, &pts, &|_| {});
    assert_eq!(ch, dij);
    // Single-pair checks: one source at a time against all targets.
    for i in [0usize, 17, 99] {
        let one = net.roads().matrix_dijkstra(&pts[i..i + 1], &pts, &|_| {});
        for j in 0..pts.len() {
            assert_eq!(one.get(0, j), ch.get(i, j), "pair {i}->{j}");
        }
    }
}

#[test]
fn triangle_inequality_holds_on_samples() {
    let net = rutland();
    let pts = rutland_points(60, 3);
    let m = net.matrix(&pts, &pts, &|_| {});
    for i in 0..pts.len() {
        assert_eq!(m.time_ms(i, i), Some(0));
        for j in 0..pts.len() {
            for k in 0..pts.len() {
                // Positions on a road are rounded to the millisecond: allow 2 ms.
                assert!(
                    ms(m.get(i, k)) <= ms(m.get(i, j)) + ms(m.get(j, k)) + 2,
                    "{i}->{k} longer than via {j}"
                );
            }
        }
    }
}

#[test]
fn far_points_are_rejected_and_named() {
    let net = rutland();
    let res = net.snap_all(&[[52.67, -0.72], [51.5, -0.12], [95.0, 0.0]], 500.0);
    let failures = res.expect_err("London and a bad latitude are not in Rutland");
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0].index, 1);
    assert!(failures[0].distance_m.unwrap() > 50_000.0);
    assert_eq!(failures[1].index, 2);
    assert_eq!(failures[1].distance_m, None);
}

#[test]
fn snap_distance_is_reported() {
    let net = rutland();
    // A point in a field south of Oakham is some way from any road.
    let s = net.snap(52.655, -0.735).unwrap();
    let again = haversine_m([52.655, -0.735], [s.lat, s.lon]);
    assert!((s.distance_m - again).abs() < 0.5);
    assert!(s.distance_m < 1_000.0);
}

fn run_matrix(osm: &std::path::Path, dir: &std::path::Path) -> std::process::Output {
    let points = dir.join("points.csv");
    std::fs::write(
        &points,
        "id,lat,lon\na,52.6699,-0.7276\nb,52.5894,-0.7233\n",
    )
    .unwrap();
    bin()
        .args(["matrix", "--osm"])
        .arg(osm)
        .arg("--points")
        .arg(&points)
        .arg("--out")
        .arg(dir.join("m.csv"))
        .output()
        .unwrap()
}

#[test]
fn cli_matrix_writes_every_ordered_pair() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_matrix(&rutland_pbf(), dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.path().join("m.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "from,to,seconds,metres");
    assert_eq!(lines.len(), 5);
    assert!(lines[1].starts_with("a,a,0.0,0"));
    assert!(lines.iter().any(|l| l.starts_with("a,b,")));
}

#[test]
fn truncated_corrupt_and_missing_extracts_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(rutland_pbf()).unwrap();
    let truncated = dir.path().join("truncated.osm.pbf");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let corrupt = dir.path().join("corrupt.osm.pbf");
    let mut c = bytes.clone();
    for b in c.iter_mut().skip(2_000).step_by(97) {
        *b ^= 0x5a;
    }
    std::fs::write(&corrupt, &c).unwrap();
    let text = dir.path().join("text.osm.pbf");
    std::fs::write(&text, "this is not a pbf file\n").unwrap();
    let missing = dir.path().join("missing.osm.pbf");
    for f in [&truncated, &corrupt, &text, &missing] {
        for args in [
            vec!["network", "build", "--no-cache", "--osm"],
            vec!["network", "build", "--osm"],
        ] {
            let out = bin().args(&args).arg(f).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{}: {err}", f.display());
            assert!(
                err.contains(&*f.file_name().unwrap().to_string_lossy()),
                "{err}"
            );
            assert!(!err.contains("panicked"), "{err}");
        }
        let out = run_matrix(f, dir.path());
        assert_eq!(out.status.code(), Some(2));
    }
    assert!(!dir.path().join("m.csv").exists(), "nothing half-written");
}

#[test]
fn cache_is_used_and_rebuilt_when_the_extract_changes() {
    let dir = tempfile::tempdir().unwrap();
    let osm = dir.path().join("county.osm.pbf");
    let bytes = std::fs::read(rutland_pbf()).unwrap();
    std::fs::write(&osm, &bytes).unwrap();
    let cache = dir.path().join("cache");
    let p = Progress::hidden();
    let (first, r1) = Network::load(&osm, Some(&cache), &p).unwrap();
    assert!(!r1.from_cache);
    let (second, r2) = Network::load(&osm, Some(&cache), &p).unwrap();
    assert!(r2.from_cache);
    assert_eq!(first.roads(), second.roads());
    assert_eq!(first.hierarchy(), second.hierarchy());
    // A .pbf is a sequence of blobs: the file twice over is a valid but different extract.
    let mut doubled = bytes.clone();
    doubled.extend_from_slice(&bytes);
    std::fs::write(&osm, &doubled).unwrap();
    let (_, r3) = Network::load(&osm, Some(&cache), &p).unwrap();
    assert!(!r3.from_cache, "a changed extract must be rebuilt");
    // A damaged cache file is ignored and rebuilt, not trusted.
    let file = r3.cache_file.unwrap();
    std::fs::write(&file, b"SRNET garbage").unwrap();
    let (_, r4) = Network::load(&osm, Some(&cache), &p).unwrap();
    assert!(!r4.from_cache);
}

#[test]
fn cli_network_build_prints_the_json_contract() {
    let out = bin()
        .args(["network", "build", "--json", "--osm"])
        .arg(rutland_pbf())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in ["nodes", "edges", "road_km", "seconds"] {
        assert!(v[k].is_number(), "{k} in {v}");
    }
}

/// Drawn legs follow the roads: along each leg, the polyline's length is the matrix's
/// distance for that pair (both sum the same OSM segments), and it starts and ends at
/// the snapped points.
#[test]
fn drawn_legs_follow_the_roads_of_the_matrix() {
    let net = rutland();
    let pts = rutland_points(40, 17);
    let m = net.matrix(&pts, &pts, &|_| {});
    let mut drawer = schoolrun::network::draw::Drawer::new(net);
    let mut checked = 0;
    for i in 0..pts.len() {
        for j in [
            (i + 1) % pts.len(),
            (i + 7) % pts.len(),
            (i * 13 + 5) % pts.len(),
        ] {
            if i == j {
                continue;
            }
            let line = drawer.leg(&pts[i], &pts[j]);
            assert_eq!(line[0], [pts[i].lat, pts[i].lon]);
            assert_eq!(*line.last().unwrap(), [pts[j].lat, pts[j].lon]);
            let length: f64 = line.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
            let metres = m.distance_m(i, j).unwrap() as f64;
            assert!(
                (length - metres).abs() <= 0.01 * metres + 5.0,
                "{i} → {j}: drawn {length:.0} m, matrix {metres:.0} m, {} points",
                line.len()
            );
            checked += 1;
        }
    }
    assert!(checked >= 100);
}
