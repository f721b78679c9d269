//! The routing engine: a rich vehicle-routing model (visits and pickup→delivery pairs,
//! time windows, multi-dimensional loads, ride-time limits, skills, solo and incompatible
//! jobs, vehicle types with costs and counts, open or depot routes, chained runs), one cost
//! evaluator, an independent checker and the search. No I/O.

pub mod check;
pub mod problem;
pub mod route;
pub mod schedule;
pub mod search;
pub mod segment;
pub mod solution;

pub use problem::{Job, Problem, Stop, StopKind, VehicleType};
pub use search::{Outcome, Settings, solve};
pub use solution::Solution;

/// Routes of a solution in the checker's form, with schedules from the exact timing.
pub fn checked_routes(p: &Problem, sol: &Solution) -> Vec<check::CheckedRoute> {
    sol.routes
        .iter()
        .map(|r| check::CheckedRoute {
            vehicle: r.vehicle,
            stops: r.stops.clone(),
            times: schedule::schedule(p, r.vehicle, &r.stops)
                .map(|s| s.times)
                .unwrap_or_default(),
        })
        .collect()
}

/// Runs the independent checker on a solution.
pub fn verify(p: &Problem, sol: &Solution) -> check::Report {
    check::check(p, &checked_routes(p, sol), &sol.unassigned)
}
