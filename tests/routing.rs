//! The routing engine: SEN rules on hand-made scenarios, the demo plan, determinism, the
//! checker, and the benchmark readers.

use crate::common::{bin, data};
use schoolrun::matrix::{Matrix, pack};
use schoolrun::plan::{self, Locations, Plan, Reason};
use schoolrun::routing::{self, Settings};
use schoolrun::scenario::*;
use schoolrun::units::{Clock, Pence};

pub(crate) fn settings(iterations: u64) -> Settings {
    Settings {
        time_limit: None,
        iterations: Some(iterations),
        threads: 2,
        seed: 7,
    }
}

pub(crate) fn pupil(id: &str, school: usize, x_km: f64) -> (Pupil, f64) {
    (
        Pupil {
            id: id.into(),
            school,
            lat: 0.0,
            lon: 0.0,
            phase: Phase::Secondary,
            wheelchair: false,
            needs_assistant: false,
            solo: false,
            max_ride_min: None,
            incompatible_with: Vec::new(),
            mode: Mode::Route,
            ptb_eligible: false,
            itt_eligible: false,
            values_mode: ValuesMode::Unknown,
        },
        x_km,
    )
}

pub(crate) fn school(id: &str, x_km: f64, bell: (u32, u32)) -> (School, f64) {
    let late = Clock::hm(bell.0, bell.1);
    (
        School {
            id: id.into(),
            name: id.into(),
            lat: 0.0,
            lon: 0.0,
            am_arrive_earliest: Clock(late.0 - 15),
            am_arrive_latest: late,
            pm_depart: Clock(late.0 + 6 * 60 + 30),
        },
        x_km,
    )
}

pub(crate) fn vehicle(id: &str, seats: u32, wc: u32, day: f64) -> VehicleType {
    VehicleType {
        id: id.into(),
        seats,
        wheelchair_spaces: wc,
        day_rate: Pence::from_pounds(day),
        per_km: Pence::from_pounds(1.0),
        per_min: Pence::from_pounds(0.2),
        available: None,
    }
}

/// A scenario on a straight road: positions in km, 36 km/h everywhere.
pub(crate) fn scenario(
    pupils: Vec<(Pupil, f64)>,
    schools: Vec<(School, f64)>,
    vehicles: Vec<VehicleType>,
) -> (Scenario, Matrix) {
    let xs: Vec<f64> = pupils
        .iter()
        .map(|p| p.1)
        .chain(schools.iter().map(|s| s.1))
        .collect();
    let n = xs.len();
    let mut cells = Vec::with_capacity(n * n);
    for a in &xs {
        for b in &xs {
            let m = ((a - b).abs() * 1000.0).round() as u64;
            cells.push(pack(m * 100, m));
        }
    }
    let sc = Scenario {
        name: "tiny".into(),
        osm: Default::default(),
        policy: Policy::default(),
        solver: SolverSettings::default(),
        tender: Default::default(),
        schools: schools.into_iter().map(|s| s.0).collect(),
        pupils: pupils.into_iter().map(|p| p.0).collect(),
        vehicles,
        operators: Vec::new(),
        rates: Vec::new(),
        bids: Vec::new(),
        bundles: Vec::new(),
        current_routes: Vec::new(),
    };
    (sc, Matrix::from_cells(n, n, cells))
}

fn run(sc: &Scenario, m: &Matrix) -> Plan {
    let p = plan::plan(sc, m, &Locations::standard(sc), &settings(400), &|_, _| {});
    assert!(p.violations.is_empty(), "{:?}", p.violations);
    plan::accounted(sc, &p).unwrap();
    p
}

fn vehicle_of<'a>(p: &'a Plan, pupil: &str) -> &'a plan::PlannedRoute {
    p.routes
        .iter()
        .find(|r| r.pupils.iter().any(|x| x == pupil))
        .unwrap()
}

#[test]
fn wheelchair_user_gets_a_wheelchair_space() {
    let (mut a, _) = pupil("A", 0, 5.0);
    a.wheelchair = true;
    let (sc, m) = scenario(
        vec![(a, 5.0), pupil("B", 0, 5.2)],
        vec![school("S", 0.0, (9, 0))],
        vec![vehicle("taxi", 4, 0, 40.0), vehicle("wav", 4, 1, 60.0)],
    );
    let p = run(&sc, &m);
    assert_eq!(vehicle_of(&p, "A").vehicle, "wav");
    // Nobody fits a wheelchair user without a wheelchair space.
    let (sc2, m2) = scenario(
        vec![(sc.pupils[0].clone(), 5.0)],
        vec![school("S", 0.0, (9, 0))],
        vec![vehicle("taxi", 4, 0, 40.0)],
    );
    let p2 = run(&sc2, &m2);
    assert_eq!(p2.unrouted[0].reason, Reason::NoVehicleFits);
}

#[test]
fn assistant_rides_and_takes_a_seat() {
    let mut ps = vec![
        pupil("A", 0, 5.0),
        pupil("B", 0, 5.1),
        pupil("C", 0, 5.2),
        pupil("D", 0, 5.3),
    ];
    ps[0].0.needs_assistant = true;
    let (sc, m) = scenario(
        ps,
        vec![school("S", 0.0, (9, 0))],
        vec![vehicle("taxi", 4, 0, 40.0)],
    );
    let p = run(&sc, &m);
    let r = vehicle_of(&p, "A");
    assert!(r.assistant);
    // Four pupils and an assistant do not fit one four-seat taxi.
    assert_eq!(p.routes.len(), 2);
    assert!(r.pupils.len() <= 3);
    let no_assistant: Vec<_> = p
        .routes
        .iter()
        .filter(|r| !r.pupils.iter().any(|x| x == "A"))
        .collect();
    assert!(no_assistant.iter().all(|r| !r.assistant));
    // The assistant's day cost is in the route cost.
    let base = Pence::from_pounds(40.0);
    assert!(r.cost_per_day >= base + sc.policy.assistant_day_cost);
}

#[test]
fn solo_pupil_travels_alone() {
    let mut a = pupil("A", 0, 5.0);
    a.0.solo = true;
    let (sc, m) = scenario(
        vec![a, pupil("B", 0, 5.05)],
        vec![school("S", 0.0, (9, 0))],
        vec![vehicle("taxi", 4, 0, 40.0)],
    );
    let p = run(&sc, &m);
    assert_eq!(vehicle_of(&p, "A").pupils, vec!["A".to_string()]);
    assert_eq!(p.routes.len(), 2);
}

#[test]
fn incompatible_pupils_never_share() {
    let mut a = pupil("A", 0, 5.0);
    let mut b = pupil("B", 0, 5.05);
    a.0.incompatible_with = vec![1];
    b.0.incompatible_with = vec![0];
    let (sc, m) = scenario(
        vec![a, b, pupil("C", 0, 5.1)],
        vec![school("S", 0.0, (9, 0))],
        vec![vehicle("taxi", 4, 0, 40.0)],
    );
    let p = run(&sc, &m);
    assert_ne!(vehicle_of(&p, "A").id, vehicle_of(&p, "B").id);
}

#[test]
fn ride_limit_splits_a_long_detour() {
    // A lives 20 km out (33 min direct at 36 km/h); B lives 6 km off to the other side.
    // Sharing would take A well past a 40-minute limit.
    let mut a = pupil("A", 0, 20.0);
    a.0.max_ride_min = Some(40);
    let (sc, m) = scenario(
        vec![a, pupil("B", 0, -6.0)],
        vec![school("S", 0.0, (9, 0))],
        vec![vehicle("taxi", 4, 0, 10.0)],
    );
    let p = run(&sc, &m);
    assert_ne!(vehicle_of(&p, "A").id, vehicle_of(&p, "B").id);
    // With a generous limit the cheap day rate is shared instead.
    let mut sc2 = sc.clone();
    sc2.pupils[0].max_ride_min = Some(120);
    sc2.vehicles[0].day_rate = Pence::from_pounds(200.0);
    let p2 = run(&sc2, &m);
    assert_eq!(p2.routes.len(), 1);
    // A pupil whose direct trip exceeds the limit is reported, not dropped.
    let mut sc3 = sc.clone();
    sc3.pupils[0].max_ride_min = Some(20);
    let p3 = run(&sc3, &m);
    assert_eq!(
        p3.unrouted.iter().find(|u| u.pupil == "A").unwrap().reason,
        Reason::RideLimitUnreachable
    );
}

#[test]
fn school_windows_are_met_and_mixed_loads_save_money() {
    // Two schools next to each other with overlapping windows: one vehicle does both.
    let (sc, m) = scenario(
        vec![pupil("A", 0, 8.0), pupil("B", 1, 8.1)],
        vec![school("S1", 0.0, (9, 0)), school("S2", 0.2, (9, 5))],
        vec![vehicle("taxi", 4, 0, 60.0)],
    );
    let p = run(&sc, &m);
    assert_eq!(p.routes.len(), 1, "mixed load");
    let am = p.routes[0].am.as_ref().unwrap();
    for s in am.stops.iter().filter(|s| s.event == plan::Event::Dropoff) {
        let sch = sc.schools.iter().find(|x| x.id == s.school).unwrap();
        assert!(
            s.time_s >= sch.am_arrive_earliest.seconds()
                && s.time_s <= sch.am_arrive_latest.seconds()
        );
    }
    // Same places, but the bells are 30 km of driving apart in time: two vehicles.
    let (sc2, m2) = scenario(
        vec![pupil("A", 0, 8.0), pupil("B", 1, 8.1)],
        vec![school("S1", 0.0, (9, 0)), school("S2", 30.0, (9, 0))],
        vec![vehicle("taxi", 4, 0, 60.0)],
    );
    let p2 = run(&sc2, &m2);
    assert_eq!(p2.routes.len(), 2);
}

#[test]
fn demo_plan_passes_the_checker_and_accounts_for_everyone() {
    let (sc, m) = crate::common::demo();
    let loc = Locations::standard(&sc);
    let a = plan::plan(&sc, &m, &loc, &settings(1500), &|_, _| {});
    assert!(a.violations.is_empty(), "{:?}", a.violations);
    plan::accounted(&sc, &a).unwrap();
    assert!(
        a.unrouted.iter().all(|u| u.reason == Reason::NotRouted),
        "{:?}",
        a.unrouted
    );
    // Cheaper than today's legacy routes.
    let current = sc.current_cost_per_day() * sc.policy.school_days as i64;
    assert!(a.cost_per_year < current);
    // Same seed, threads and iterations: the same plan.
    let b = plan::plan(&sc, &m, &loc, &settings(1500), &|_, _| {});
    assert_eq!(
        serde_json::to_string(&a.routes).unwrap(),
        serde_json::to_string(&b.routes).unwrap()
    );
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
    let bad = routing::Solution::from_routes(p, vec![(0, all)]);
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
        .map(|r| (r.vehicle, r.stops.clone()))
        .collect::<Vec<_>>();
    routes[0].1.pop();
    let checked: Vec<_> = routes
        .iter()
        .map(|(v, s)| routing::check::CheckedRoute {
            vehicle: *v,
            stops: s.clone(),
            times: routing::schedule::schedule(p, *v, s).unwrap().times,
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
            .position(|r| r.jobs(p).any(|j| p.jobs[j as usize].id == id))
            .unwrap()
    };
    assert_ne!(route_of("a"), route_of("c"));
    assert_eq!(out.solution.routes[route_of("d")].jobs(p).count(), 1);
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
    let geo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("routes.geojson")).unwrap())
            .unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
}
