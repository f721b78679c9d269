//! Term re-planning: the fast path for starters keeps everyone else on their vehicle.

use crate::common::data;
use schoolrun::plan::Locations;
use schoolrun::replan;
use schoolrun::scenario::load;

#[test]
fn a_new_starter_changes_no_other_pupils_vehicle() {
    let mut sc = load(&data("demo")).unwrap().scenario;
    let net = crate::common::rutland();
    let mut pts: Vec<[f64; 2]> = sc.pupils.iter().map(|p| [p.lat, p.lon]).collect();
    pts.extend(sc.schools.iter().map(|s| [s.lat, s.lon]));
    let snaps = net.snap_all(&pts, 500.0).unwrap();
    let m = net.matrix(&snaps, &snaps, &|_| {});
    let loc = Locations::standard(&sc);
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
    let s = replan::Replanned {
        solution: r.solution.clone(),
        origin: r.origin.clone(),
    };
    assert!(
        replan::moved_jobs(&r, &s, p).is_empty(),
        "nobody else changes vehicle"
    );
}
