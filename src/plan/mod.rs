//! Planning the school day: the SEN compiler ([`compile`]), the search over the day
//! problem, and the typed, priced, checked plan ([`model`], [`pricing`], [`check`]).
//! No I/O; the plan's file form lives in `report`.

pub mod check;
pub mod compile;
pub mod model;
pub mod pricing;
pub mod warm;

pub use compile::{
    Compiled, Journeys, PM_MAX_WAIT_S, UNITS_PER_PENNY, compile, compile_with, travel,
};
pub use model::{Event, Half, HalfDay, Place, Plan, PlanStop, PlannedRoute, Reason, Unrouted};
pub use warm::Warm;

use crate::routing::evaluate::{Workspace, route_feasible};
use crate::routing::route::Route;
use crate::routing::{self, Solution};
use crate::scenario::{Continuity, Scenario};
use crate::units::Pence;
use pricing::Engaged;
use std::sync::Arc;

/// Location of pupil `i`'s home and school `s` in the matrix.
#[derive(Debug, Clone)]
pub struct Locations {
    /// Matrix index of each pupil's home (all pupils, routed or not).
    pub home: Vec<usize>,
    /// Matrix index of each school.
    pub school: Vec<usize>,
}

/// What a matrix location is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// A pupil's home (pupil index).
    Home(usize),
    /// A school (school index).
    School(usize),
}

impl Locations {
    /// The matrix locations of a scenario, in order: every pupil's home, then every
    /// school. This is the one place that fixes the order.
    pub fn points(sc: &Scenario) -> (Self, Vec<Point>) {
        let np = sc.pupils.len();
        let locations = Locations {
            home: (0..np).collect(),
            school: (np..np + sc.schools.len()).collect(),
        };
        let points = (0..np)
            .map(Point::Home)
            .chain((0..sc.schools.len()).map(Point::School))
            .collect();
        (locations, points)
    }

    /// The locations of [`Locations::points`].
    pub fn standard(sc: &Scenario) -> Self {
        Self::points(sc).0
    }
}

/// Why planning produced no plan.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlanError {
    /// The independent routing checker found broken rules.
    #[error("the plan failed the independent checker: {}", .0.join("; "))]
    Checker(Vec<String>),
    /// The plan-level checker found a pupil unaccounted for or a wrong cost.
    #[error("the plan failed the plan-level checker: {}", .0.join("; "))]
    Unsound(Vec<String>),
}

impl From<PlanError> for crate::Error {
    fn from(e: PlanError) -> Self {
        crate::Error::model(e.to_string())
    }
}

/// Plans a scenario: compile the day, search (from `warm` when given, recombining the
/// route pool when a set-partitioning solver is given), and turn the answer into a
/// checked plan.
pub fn plan(
    sc: &Scenario,
    travel: &Arc<routing::Travel>,
    loc: &Locations,
    settings: &routing::Settings,
    progress: &(dyn Fn(u64, i64) + Sync),
    recombine: Option<&dyn routing::SetPartitioner>,
    warm: Option<&Warm>,
) -> Result<Plan, PlanError> {
    let compiled = compile(sc, travel, loc);
    let mut settings = settings.clone();
    let mut first: Option<routing::Outcome> = None;
    let initial = match warm {
        Some(w) => Some(w.solution(&compiled)),
        None if sc.policy.continuity != Continuity::SameVehicle => {
            // Every same-vehicle day is also a day of the relaxed problem. Searched
            // alone, the relaxed problem (a job per journey) misses many of them: a
            // vehicle's morning and afternoon then come from searches that do not see
            // each other's day rate, and the plan hires half-day vehicles. So the first
            // half of the budget finds the best same-vehicle day, and the relaxed search
            // starts from it: relaxing continuity never plans a dearer day than keeping it.
            let day = compile_with(sc, travel, loc, Continuity::SameVehicle);
            settings.iterations = settings.iterations.map(|n| n.div_ceil(2));
            settings.time_limit = settings.time_limit.map(|t| t / 2);
            let out = routing::solve_with(&day.problem, &settings, None, progress, None);
            let start = Warm::from_solution(&day, &out.solution).solution(&compiled);
            first = Some(out);
            Some(start)
        }
        None => None,
    };
    let mut outcome = routing::solve_with(
        &compiled.problem,
        &settings,
        initial.as_ref(),
        progress,
        recombine,
    );
    if let Some(f) = first {
        outcome.iterations += f.iterations;
        outcome.seconds += f.seconds;
        outcome.stopped_by_time |= f.stopped_by_time;
    }
    finish(sc, &compiled, &outcome)
}

/// Whether a job could be served by a vehicle of its own (any type, ignoring counts).
fn fits_alone(ws: &mut Workspace, p: &routing::Problem, job: u32) -> bool {
    let j = &p.jobs[job as usize];
    (0..p.vehicles.len()).any(|v| {
        let trips: Vec<Vec<u32>> = (0..p.trips)
            .map(|t| j.parts[t].map_or(Vec::new(), |x| vec![x.first, x.last]))
            .collect();
        p.can_carry(v, job) && route_feasible(ws, p, &Route::with_trips(p, v, &trips))
    })
}

/// One half-day of a route in the plan's form, timed by the exact schedule.
fn half_day(sc: &Scenario, c: &Compiled, v: usize, stops: &[u32], trip: usize) -> Option<HalfDay> {
    if stops.is_empty() {
        return None;
    }
    let p = &c.problem;
    let times = routing::schedule::schedule(p, v, stops)?;
    let mut metres = 0;
    let mut out = Vec::with_capacity(stops.len());
    for (k, &s) in stops.iter().enumerate() {
        let st = &p.stops[s as usize];
        if k > 0 {
            metres += p.dist(p.stops[stops[k - 1] as usize].loc, st.loc);
        }
        let pupil = c.pupil_of_job[st.job as usize];
        let pickup = st.kind == routing::StopKind::Pickup;
        let at_home = pickup == (trip == compile::AM);
        out.push(PlanStop {
            pupil,
            school: sc.pupils[pupil].school,
            event: if pickup {
                Event::Pickup
            } else {
                Event::Dropoff
            },
            place: if at_home { Place::Home } else { Place::School },
            loc: st.loc as usize,
            time_s: times[k + 1],
        });
    }
    let last = stops[stops.len() - 1];
    let seconds = times[stops.len()] + p.stops[last as usize].service - times[1];
    Some(HalfDay {
        stops: out,
        metres,
        seconds,
    })
}

/// The cost per day of a solution priced as a plan (both halves, at reference prices),
/// without building the plan.
pub fn solution_cost(sc: &Scenario, c: &Compiled, sol: &Solution) -> Pence {
    sol.routes
        .iter()
        .map(|r| {
            let halves: Vec<Engaged> = (0..2)
                .filter_map(|t| half_day(sc, c, r.vehicle, &r.trips[t].stops, t))
                .map(|h| (&h).into())
                .collect();
            pricing::route_cost(sc, r.vehicle, &halves, r.assistant_jobs > 0)
        })
        .sum()
}

/// Turns a search outcome into a checked plan: routes with both halves timed and priced,
/// every pupil not routed listed with a specific reason (nobody is ever half-routed).
pub fn finish(sc: &Scenario, c: &Compiled, outcome: &routing::Outcome) -> Result<Plan, PlanError> {
    let p = &c.problem;
    let mut sol = outcome.solution.clone();
    // A pupil with one journey placed and the other not (possible only with separate jobs
    // and an exhausted fleet) is taken off: nobody is half-routed.
    let jobs_of = c.jobs_of_pupil(sc.pupils.len());
    for jobs in &jobs_of {
        if jobs.iter().any(|&j| sol.route_of(j).is_none()) {
            for &j in jobs {
                sol.remove(p, j);
            }
        }
    }
    let rep = routing::verify(p, &sol);
    if !rep.ok() {
        return Err(PlanError::Checker(rep.violations));
    }
    let mut routes = Vec::new();
    for (k, r) in sol.routes.iter().enumerate() {
        let am = half_day(sc, c, r.vehicle, &r.trips[compile::AM].stops, compile::AM);
        let pm = half_day(sc, c, r.vehicle, &r.trips[compile::PM].stops, compile::PM);
        let mut pupils: Vec<usize> = Vec::new();
        for h in am.iter().chain(pm.iter()) {
            for s in &h.stops {
                if !pupils.contains(&s.pupil) {
                    pupils.push(s.pupil);
                }
            }
        }
        let assistant = r.assistant_jobs > 0;
        let halves: Vec<Engaged> = am.iter().chain(pm.iter()).map(Engaged::from).collect();
        routes.push(PlannedRoute {
            id: format!("N{:03}", k + 1),
            vehicle: r.vehicle,
            assistant,
            am,
            pm,
            cost_per_day: pricing::route_cost(sc, r.vehicle, &halves, assistant),
            pupils,
        });
    }
    let mut unrouted: Vec<Unrouted> = c
        .excluded
        .iter()
        .map(|(i, reason, detail)| Unrouted {
            pupil: *i,
            reason: *reason,
            detail: detail.clone(),
        })
        .collect();
    let mut ws = Workspace::new(p);
    for (i, jobs) in jobs_of.iter().enumerate() {
        if jobs.is_empty() || sol.route_of(jobs[0]).is_some() {
            continue;
        }
        let alone = jobs.iter().all(|&j| fits_alone(&mut ws, p, j));
        unrouted.push(Unrouted {
            pupil: i,
            reason: if alone {
                Reason::FleetExhausted
            } else {
                Reason::NoFeasibleRoute
            },
            detail: if alone {
                "a vehicle of their own would do, but every vehicle that fits is in use".into()
            } else {
                "no vehicle can take this pupil even alone within the school times and ride limit"
                    .into()
            },
        });
    }
    unrouted.sort_by_key(|u| u.pupil);
    let cost_per_day: Pence = routes.iter().map(|r| r.cost_per_day).sum();
    let mut plan = Plan {
        cost_per_year: cost_per_day * sc.policy.school_days as i64,
        cost_per_day,
        routes,
        unrouted,
        continuity: sc.policy.continuity,
        split_pupils: 0,
        chained_halves: 0,
        iterations: outcome.iterations,
        seconds: outcome.seconds,
        stopped_by_time: outcome.stopped_by_time,
    };
    plan.split_pupils = plan
        .vehicle_of(sc.pupils.len())
        .iter()
        .filter(|(a, b)| a.is_some() && b.is_some() && a != b)
        .count();
    plan.chained_halves = plan
        .routes
        .iter()
        .flat_map(|r| r.halves())
        .filter(|(_, h)| h.runs().len() > 1)
        .count();
    let problems = check::check(sc, &plan);
    if !problems.is_empty() {
        return Err(PlanError::Unsound(problems));
    }
    Ok(plan)
}

/// Today's routes (`current_routes.csv`) priced at the council's reference prices
/// (`vehicles.csv`), both halves, with an assistant where the contract has one: each
/// route driven in the order [`Warm::from_current`] gives, engaged for its driving and
/// boarding. Waiting for school windows on today's routes is not known and not counted,
/// so this is the least today's routes could cost at reference prices; the difference to
/// today's contract prices is the premium today's contracts carry.
pub fn today_at_reference(sc: &Scenario, travel: &routing::Travel, loc: &Locations) -> Pence {
    let warm = Warm::from_current(sc);
    warm.routes
        .iter()
        .zip(&sc.current_routes)
        .map(|((v, halves), cr)| {
            let engaged: Vec<Engaged> = halves
                .iter()
                .enumerate()
                .filter(|(_, h)| !h.is_empty())
                .map(|(t, h)| {
                    let at = |&(p, pickup): &(usize, bool)| {
                        if pickup == (t == compile::AM) {
                            loc.home[p]
                        } else {
                            loc.school[sc.pupils[p].school]
                        }
                    };
                    let mut e = Engaged::default();
                    for (k, stop) in h.iter().enumerate() {
                        e.seconds += compile::boarding_s(sc, &sc.pupils[stop.0]);
                        if k > 0 {
                            let (a, b) = (at(&h[k - 1]) as u32, at(stop) as u32);
                            e.metres += travel.dist(a, b);
                            e.seconds += travel.time(a, b);
                        }
                    }
                    e
                })
                .collect();
            pricing::route_cost(sc, *v, &engaged, cr.assistant)
        })
        .sum()
}
