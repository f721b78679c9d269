//! Term re-planning: the fast path for starters, stability, pins and the diff.

use crate::common::{data, demo};
use schoolrun::contracts::stability::HighsStability;
use schoolrun::plan::Locations;
use schoolrun::replan::{self, Options, Replanned};
use schoolrun::routing::Settings;
use schoolrun::units::Pence;
use schoolrun::workflow;
use std::time::Duration;

fn small() -> Settings {
    Settings {
        time_limit: None,
        iterations: Some(300),
        threads: 1,
        seed: 5,
        regret_share: 0.0,
        pricing: false,
    }
}

fn options(move_cost: i64, minute_cost: i64) -> Options {
    Options {
        move_cost: Pence(move_cost),
        minute_cost: Pence(minute_cost),
        max_changes: None,
        pinned_pupils: vec![],
        pinned_routes: vec![],
        start: None,
    }
}

#[test]
fn a_new_starter_changes_no_other_pupils_vehicle() {
    let (mut sc, m) = demo();
    let loc = Locations::standard(&sc);
    let m = schoolrun::plan::travel(&m);
    // Today's routes are all valid: repairing them changes nothing.
    let r0 = replan::repair(&sc, &m, &loc);
    assert!(r0.checks.iter().all(|c| c.violations.is_empty()));
    assert!(r0.starters.is_empty() && r0.forced_moves.is_empty());
    // Take one pupil off today's routes: they become a starter.
    let starter = sc.current_routes[3].pupils.remove(0);
    let r = replan::repair(&sc, &m, &loc);
    assert_eq!(r.starters, vec![sc.pupils[starter].id.clone()]);
    let p = &r.compiled.problem;
    assert!(schoolrun::routing::verify(p, &r.solution).ok());
    assert!(r.solution.unassigned.is_empty());
    let s = Replanned {
        solution: r.solution.clone(),
        origin: r.origin.clone(),
        stopped_by_time: false,
    };
    assert!(
        replan::moved_jobs(&r, &s, p).is_empty(),
        "nobody else changes vehicle"
    );
}

#[test]
fn high_stability_costs_give_back_todays_routes_and_pins_hold() {
    let (sc, m) = demo();
    let loc = Locations::standard(&sc);
    let r = replan::repair(&sc, &schoolrun::plan::travel(&m), &loc);
    let p = &r.compiled.problem;
    let (cands, _, _) = replan::candidates(&r, &small());
    let limit = Duration::from_secs(20);
    // Moving a pupil or shifting a pickup costs far more than any saving.
    let s = replan::improve(
        &r,
        &cands,
        &options(1_000_000, 100_000),
        &HighsStability,
        limit,
    )
    .unwrap();
    assert!(replan::moved_jobs(&r, &s, p).is_empty());
    let stops = |x: &schoolrun::routing::route::Route| -> Vec<Vec<u32>> {
        x.trips.iter().map(|t| t.stops.clone()).collect()
    };
    let mut today: Vec<Vec<Vec<u32>>> = r.solution.routes.iter().map(|x| stops(x)).collect();
    let mut got: Vec<Vec<Vec<u32>>> = s.solution.routes.iter().map(|x| stops(x)).collect();
    today.sort();
    got.sort();
    assert_eq!(today, got, "the same routes, stop for stop");

    // Free to move (a penny per move), but ten pupils and one route are pinned.
    let mut o = options(1, 0);
    o.pinned_pupils = (0..sc.pupils.len())
        .filter(|&i| sc.current_routes.iter().any(|c| c.pupils.contains(&i)))
        .step_by(19)
        .take(10)
        .collect();
    o.pinned_routes = vec![7];
    let s = replan::improve(&r, &cands, &o, &HighsStability, limit).unwrap();
    let moved = replan::moved_jobs(&r, &s, p);
    assert!(!moved.is_empty(), "without pins, pupils do move");
    for &i in &o.pinned_pupils {
        let j = r
            .compiled
            .pupil_of_job
            .iter()
            .position(|&x| x == i)
            .unwrap() as u32;
        assert!(
            !moved.contains(&j),
            "pinned pupil {} moved",
            sc.pupils[i].id
        );
    }
    let k = s
        .origin
        .iter()
        .position(|&x| x == Some(7))
        .expect("route 7 kept");
    let r7 = r.origin.iter().position(|&x| x == Some(7)).unwrap();
    assert_eq!(stops(&s.solution.routes[k]), stops(&r.solution.routes[r7]));
    assert!(schoolrun::routing::verify(p, &s.solution).ok());
}

#[test]
fn the_diff_lists_exactly_the_pupils_whose_vehicle_changed() {
    let prepared = crate::common::prepared_demo();
    let sc = &prepared.scenario;
    let r = workflow::replan::replan(
        prepared,
        &small(),
        &workflow::ReplanOptions::default(),
        &|_| {},
    )
    .unwrap();
    let p = &r.repaired.compiled.problem;
    let mut listed: Vec<String> = r
        .changes
        .iter()
        .filter(|c| c.vehicle_changed)
        .map(|c| c.pupil.clone())
        .collect();
    let mut expected: Vec<String> = replan::moved_jobs(&r.repaired, &r.chosen, p)
        .iter()
        .map(|&j| {
            sc.pupils[r.repaired.compiled.pupil_of_job[j as usize]]
                .id
                .clone()
        })
        .collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(r.moved, expected.len());
    // Everyone routed today or now appears once.
    let routed = sc
        .pupils
        .iter()
        .filter(|p| p.mode == schoolrun::scenario::Mode::Route)
        .count();
    assert_eq!(r.changes.len(), routed);
    // The saving-versus-changes table respects each budget.
    for row in &r.table {
        if let Some(b) = row.max_changes {
            assert!(row.moved <= b as usize, "{row:?}");
        }
    }
}

#[test]
fn cli_plan_from_current_writes_the_diff_and_checks_pins() {
    let out = tempfile::tempdir().unwrap();
    let st = crate::common::bin()
        .args([
            "plan",
            "--from",
            "current",
            "--iterations",
            "200",
            "--threads",
            "1",
            "--max-changes",
            "5",
            "--pin",
            "P0001",
            "--json",
            "--out",
        ])
        .arg(out.path())
        .arg(data("demo"))
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(v["feasible"], true);
    assert!(v["moved"].as_u64().unwrap() <= 5);
    assert_eq!(v["tradeoff"].as_array().unwrap().len(), 5);
    let diff = std::fs::read_to_string(out.path().join("diff.csv")).unwrap();
    // The report's map of what changed marks the home of every pupil who changes vehicle.
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    let changed = diff
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(4) == Some("true"))
        .count();
    assert!(html.contains("<h2>What changed</h2>"));
    assert_eq!(
        html.matches(" moves to ").count(),
        changed,
        "one red dot per pupil moved"
    );
    let p1 = diff.lines().find(|l| l.starts_with("P0001,")).unwrap();
    assert_eq!(
        p1.split(',').nth(4),
        Some("false"),
        "pinned pupil keeps the vehicle: {p1}"
    );
    for f in [
        "tradeoff.csv",
        "diff_by_route.csv",
        "diff_by_school.csv",
        "current_checks.csv",
        "report.html",
        "summary.json",
    ] {
        assert!(out.path().join(f).exists(), "{f}");
    }
    // An unknown pin is an input error.
    let st = crate::common::bin()
        .args(["plan", "--from", "current", "--pin", "NOBODY", "--out"])
        .arg(out.path())
        .arg(data("demo"))
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&st.stderr).contains("NOBODY"));
}
