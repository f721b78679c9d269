//! The routing engine: a rich vehicle-routing model — visits and pickup→delivery pairs,
//! time windows, multi-dimensional loads, ride-time limits, skills, solo and incompatible
//! jobs, vehicle types with costs and counts, open or depot routes, and routes of several
//! trips (a vehicle's day: morning and afternoon runs under one fixed cost) with jobs that
//! span trips or are linked to a partner job by a continuity cost — with one cost
//! evaluator, an independent checker and the search. No I/O, no pupils.

pub mod check;
pub mod evaluate;
pub mod pool;
pub mod pricing;
pub mod problem;
pub mod route;
pub mod schedule;
pub mod search;
pub mod segment;
pub mod solution;

pub use evaluate::Insertion;
pub use pool::{Column, Limits, Partitioning, Pool, Relaxation, SetPartitioner};
pub use problem::{Job, MAX_TRIPS, Part, Problem, Stop, StopKind, Travel, VehicleType};
pub use search::{Outcome, Settings, solve, solve_focused, solve_pooled, solve_with};
pub use solution::Solution;

/// Routes of a solution in the checker's form, with schedules from the exact timing.
pub fn checked_routes(p: &Problem, sol: &Solution) -> Vec<check::CheckedRoute> {
    sol.routes
        .iter()
        .map(|r| check::CheckedRoute {
            vehicle: r.vehicle,
            trips: r.trips[..p.trips]
                .iter()
                .map(|t| check::CheckedTrip {
                    stops: t.stops.clone(),
                    times: if t.stops.is_empty() {
                        Vec::new()
                    } else {
                        schedule::schedule(p, r.vehicle, &t.stops)
                            .unwrap_or_else(|| earliest_times(p, r.vehicle, &t.stops))
                    },
                })
                .collect(),
        })
        .collect()
}

/// Runs the independent checker on a solution.
pub fn verify(p: &Problem, sol: &Solution) -> check::Report {
    check::check(p, &checked_routes(p, sol), &sol.unassigned)
}

/// Earliest-arrival times of a trip (used when no feasible schedule exists, so the
/// checker can say what breaks).
fn earliest_times(p: &Problem, vehicle: usize, stops: &[u32]) -> Vec<i64> {
    let vt = &p.vehicles[vehicle];
    let mut t = vt.shift.0;
    let mut times = vec![t];
    let mut prev = vt.start;
    let mut service = 0;
    for &s in stops {
        let st = &p.stops[s as usize];
        t = (t + service + p.time(prev, st.loc)).max(st.early);
        times.push(t);
        prev = st.loc;
        service = st.service;
    }
    times.push(t + service + p.time(prev, vt.end));
    times
}
