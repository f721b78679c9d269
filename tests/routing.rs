//! The routing engine: the checker, the benchmark readers, the JSON problem format, and
//! the plan command's outputs.

use crate::common::{bin, data};
use schoolrun::routing::{self, Settings};

pub(crate) fn settings(iterations: u64) -> Settings {
    Settings {
        time_limit: None,
        iterations: Some(iterations),
        threads: 2,
        seed: 7,
        regret_share: 0.0,
        pricing: false,
    }
}

#[test]
fn checker_catches_broken_solutions() {
    let inst = schoolrun::instance::read(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/C101.txt"),
    )
    .unwrap();
    let p = &inst.problem;
    let out = routing::solve(p, &settings(300), None, &|_, _| {});
    assert!(routing::verify(p, &out.solution).ok());
    // Put every job on one route: capacity and time windows break.
    let all: Vec<u32> = (0..p.stops.len() as u32).collect();
    let bad = routing::Solution::from_routes(p, vec![(0, vec![all])]);
    let rep = routing::verify(p, &bad);
    assert!(
        rep.violations.iter().any(|v| v.contains("capacity")),
        "{:?}",
        rep.violations.first()
    );
    // Drop a job without reporting it.
    let mut routes = out
        .solution
        .routes
        .iter()
        .map(|r| (r.vehicle, r.trips[0].stops.clone()))
        .collect::<Vec<_>>();
    routes[0].1.pop();
    let checked: Vec<_> = routes
        .iter()
        .map(|(v, s)| routing::check::CheckedRoute {
            vehicle: *v,
            trips: vec![routing::check::CheckedTrip {
                stops: s.clone(),
                times: routing::schedule::schedule(p, *v, s).unwrap(),
            }],
        })
        .collect();
    assert!(!routing::check::check(p, &checked, &[]).ok());
}

#[test]
fn benchmark_readers_solve_feasibly_near_the_best_known() {
    // Fixtures in tests/data (copies of one instance of each shared benchmark set).
    let cases = [
        ("C101.txt", 828.94),
        ("X-n101-k25.vrp", 27591.0),
        ("lc101.txt", 828.94),
        ("c1_2_1.txt", 2704.57),
    ];
    for (rel, bks) in cases {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(rel);
        let inst = schoolrun::instance::read(&path).unwrap();
        let out = routing::solve(&inst.problem, &settings(2000), None, &|_, _| {});
        let rep = routing::verify(&inst.problem, &out.solution);
        assert!(rep.ok(), "{rel}: {:?}", rep.violations);
        assert!(out.solution.unassigned.is_empty(), "{rel}");
        let cost = inst.reported_cost(&out.solution);
        assert!(cost < bks * 1.05, "{rel}: {cost} vs {bks}");
    }
}

#[test]
fn json_problem_format_exposes_the_core_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.json");
    std::fs::write(
        &path,
        r#"{
  "name": "tiny",
  "locations": {"coordinates": [[0,0],[10,0],[20,0],[0,10],[30,0]], "metric": "euclidean", "speed": 1.0},
  "jobs": [
    {"id": "a", "pickup": {"location": 1, "window": [0, 100], "service": 1}, "delivery": {"location": 4, "window": [0, 200]}, "load": [1, 0], "max_ride": 40, "needs_assistant": true},
    {"id": "b", "pickup": {"location": 2, "service": 1}, "delivery": {"location": 4}, "load": [0, 1], "skills": ["wheelchair"]},
    {"id": "c", "visit": {"location": 3, "window": [0, 50], "service": 2}, "load": [1, 0], "incompatible": ["a"]},
    {"id": "d", "visit": {"location": 2}, "load": [1, 0], "solo": true}
  ],
  "vehicle_types": [
    {"id": "car", "capacity": [3, 0], "fixed": 100, "count": 3, "assistant_cost": 50, "assistant_seats": 1},
    {"id": "wav", "capacity": [3, 1], "fixed": 150, "start": 0, "end": 0, "skills": ["wheelchair"], "count": 1}
  ]
}"#,
    )
    .unwrap();
    let inst = schoolrun::instance::read(&path).unwrap();
    let out = routing::solve(&inst.problem, &settings(300), None, &|_, _| {});
    assert!(routing::verify(&inst.problem, &out.solution).ok());
    assert!(out.solution.unassigned.is_empty());
    let p = &inst.problem;
    let route_of = |id: &str| {
        out.solution
            .routes
            .iter()
            .position(|r| r.job_list(p).any(|j| p.jobs[j as usize].id == id))
            .unwrap()
    };
    assert_ne!(route_of("a"), route_of("c"));
    assert_eq!(out.solution.routes[route_of("d")].jobs, 1);
    assert_eq!(
        p.vehicles[out.solution.routes[route_of("b")].vehicle].id,
        "wav"
    );
    // A malformed file is an input error naming the file.
    std::fs::write(&path, "{\"jobs\": 3}").unwrap();
    let out = bin()
        .args(["vrp", "solve", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("p.json"));
}

#[test]
fn cli_plan_writes_the_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::common::succeed(
        bin()
            .args(["plan", "--iterations", "300", "--json", "--out"])
            .arg(dir.path())
            .arg(data("demo")),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["feasible"], true);
    for f in ["summary.json", "routes.csv", "routes.geojson"] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
    let csv = std::fs::read_to_string(dir.path().join("routes.csv")).unwrap();
    assert!(csv.starts_with("route,vehicle,assistant,run,seq,pupil,school,event,place,time"));
    assert!(!csv.contains("Whissendine"), "ids only in per-stop rows");
    let text = std::fs::read_to_string(dir.path().join("routes.geojson")).unwrap();
    let geo: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    // RFC 7946, as the geojson crate reads it: each run one LineString along the roads
    // ([lon, lat] positions in Rutland), whose length is the run's metres within 1%.
    let parsed: geojson::GeoJson = text.parse().expect("valid GeoJSON");
    let geojson::GeoJson::FeatureCollection(fc) = parsed else {
        panic!("a FeatureCollection")
    };
    let mut runs = 0;
    for f in &fc.features {
        let Some(g) = &f.geometry else {
            panic!("every feature has a geometry")
        };
        if let geojson::GeometryValue::LineString { coordinates: line } = &g.value {
            assert!(line.len() >= 2);
            for p in line {
                assert!(
                    (-0.9..-0.4).contains(&p[0]) && (52.5..52.8).contains(&p[1]),
                    "{p:?}"
                );
            }
            let length: f64 = line
                .windows(2)
                .map(|w| schoolrun::network::haversine_m([w[0][1], w[0][0]], [w[1][1], w[1][0]]))
                .sum();
            let metres = f.property("metres").and_then(|m| m.as_f64()).unwrap();
            assert!(
                (length - metres).abs() <= 0.01 * metres + 5.0,
                "{:?}: drawn {length:.0} m, planned {metres} m",
                f.property("route")
            );
            runs += 1;
        }
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert!(runs >= summary["vehicles"].as_u64().unwrap() as usize);
    // Route sheets: one printable sheet per route, each naming its route, no network.
    let sheets = std::fs::read_to_string(dir.path().join("route_sheets.html")).unwrap();
    assert_eq!(
        sheets.matches("<section class=\"sheet\">").count() as u64,
        summary["vehicles"].as_u64().unwrap()
    );
    assert!(sheets.contains("Route N001") && sheets.contains("break-after:page"));
    assert!(
        !sheets.contains("http://") && !sheets.contains("https://") && !sheets.contains("<script")
    );
}

/// The minimal reproductions of a job left unassigned although a new vehicle could serve
/// it: with no search at all and with a search, every job is routed.
#[test]
fn a_job_that_fits_a_new_vehicle_is_never_left_out() {
    for (file, vehicles) in [("repro_K6.json", 7), ("repro_K30.json", 31)] {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(file);
        let inst = schoolrun::instance::read(&path).unwrap();
        for iterations in [0, 200] {
            let mut s = settings(iterations);
            s.threads = 1;
            let out = routing::solve(&inst.problem, &s, None, &|_, _| {});
            assert!(
                out.solution.unassigned.is_empty(),
                "{file} at {iterations} iterations"
            );
            assert!(routing::verify(&inst.problem, &out.solution).ok());
            assert_eq!(out.solution.routes.len(), vehicles, "{file}");
        }
    }
}

mod every_job_that_fits_alone {
    use proptest::prelude::*;
    use schoolrun::routing::{self, Job, Part, Problem, Stop, StopKind, Travel, VehicleType};
    use std::sync::Arc;

    /// A random pickup-and-delivery problem with ride limits, windows, solo and
    /// assistant jobs, two trips a day, and an unlimited fleet of two vehicle types.
    fn problem(seed: u64, jobs: usize, trips: usize) -> Problem {
        let mut rng = schoolrun::rng::Rng::new(seed);
        let n = 2 * jobs + 4;
        let pts: Vec<(f64, f64)> = (0..n)
            .map(|_| (rng.unit() * 1000.0, rng.unit() * 1000.0))
            .collect();
        let travel = Travel::from_fn(n, |i, j| {
            let d = ((pts[i].0 - pts[j].0).powi(2) + (pts[i].1 - pts[j].1).powi(2)).sqrt();
            (d.round() as i64, d.ceil() as i64)
        });
        let mut stops = Vec::new();
        let mut js = Vec::new();
        for j in 0..jobs as u32 {
            let trip = (j as usize) % trips;
            let (a, b) = (2 * j as usize, 2 * j as usize + 1);
            let direct = travel.time(a as u32, b as u32);
            let early = (rng.unit() * 500.0) as i64;
            let width = 50 + (rng.unit() * 400.0) as i64;
            let ride = direct + (rng.unit() * 300.0) as i64;
            let first = stops.len() as u32;
            for (loc, kind, q, (e, l)) in [
                (a, StopKind::Pickup, 1, (early, early + width)),
                (
                    b,
                    StopKind::Delivery,
                    -1,
                    (early, early + width + ride + 50),
                ),
            ] {
                stops.push(Stop {
                    loc: loc as u32,
                    early: e,
                    late: l,
                    service: 5,
                    delivery: [0, 0],
                    pickup: [q, 0],
                    job: j,
                    kind,
                    trip: trip as u8,
                });
            }
            let mut parts = [None, None];
            parts[trip] = Some(Part {
                first,
                last: first + 1,
            });
            js.push(Job {
                max_ride: Some(ride),
                solo: rng.chance(0.1),
                needs_assistant: rng.chance(0.3),
                parts,
                ..Job::plain(format!("J{j}"), vec![first, first + 1], j)
            });
        }
        let anywhere = travel.anywhere();
        let vehicle = |id: &str, seats, fixed| VehicleType {
            id: id.into(),
            capacity: [seats, 0],
            fixed,
            per_distance: 1,
            per_time: 1,
            count: None,
            start: anywhere,
            end: anywhere,
            shift: (0, 10_000),
            max_duration: None,
            skills: 0,
            assistant_cost: 500,
            assistant_seats: 1,
        };
        Problem::new(
            "random".into(),
            Arc::new(travel),
            stops,
            js,
            vec![vehicle("small", 2, 1000), vehicle("big", 6, 2500)],
            trips,
            1.0,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn is_routed_at_any_budget(seed in 0u64..1_000_000, jobs in 2usize..40, trips in 1usize..3, iterations in prop::sample::select(vec![0u64, 1, 50])) {
            let p = problem(seed, jobs, trips);
            let s = routing::Settings { time_limit: None, iterations: Some(iterations), threads: 1, seed, regret_share: 0.0, pricing: false };
            let out = routing::solve(&p, &s, None, &|_, _| {});
            prop_assert!(routing::verify(&p, &out.solution).ok());
            let mut ws = routing::evaluate::Workspace::new(&p);
            for &j in &out.solution.unassigned {
                let job = &p.jobs[j as usize];
                let alone = (0..p.vehicles.len()).any(|v| {
                    let trips: Vec<Vec<u32>> = (0..p.trips)
                        .map(|t| job.parts[t].map_or(Vec::new(), |x| vec![x.first, x.last]))
                        .collect();
                    p.can_carry(v, j)
                        && routing::evaluate::route_feasible(&mut ws, &p, &routing::route::Route::with_trips(&p, v, &trips))
                });
                prop_assert!(!alone, "job {} fits a vehicle of its own but was left out", job.id);
            }
        }
    }
}
