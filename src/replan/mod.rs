//! Term re-planning that keeps settled pupils settled. No I/O.
//!
//! 1. **Today's routes** (`current_routes.csv`) become vehicle-days: in the morning the
//!    pickups in the listed order, then the schools by their bell; in the afternoon the
//!    schools by their finishing time, then the drop-offs in reverse. Each route is checked
//!    under today's rules by the independent checker; a broken route is repaired by taking
//!    off as few pupils as possible (leavers leave, starters and the pupils taken off are
//!    then inserted at their cheapest feasible place, a new vehicle only when none exists).
//!    That is the fast path for starters and leavers: no other pupil changes vehicle.
//! 2. **Improvement with stability**: a search warm-started from the repaired routes pools
//!    the routes it visits; a set-partitioning MIP ([`StabilitySolver`]) then picks routes
//!    and links each to at most one of today's vehicles, paying a cost per pupil moved off
//!    their vehicle and per minute of pickup-time change, never breaking a pin, and
//!    within a `max_changes` budget.
//! 3. **Diff**: who changes vehicle, assistant or pickup time, by how much.
//!
//! Every cost is the plan's: both halves of the day at reference prices.

use crate::plan::{self, Compiled, Event, Journeys, Locations, Plan, Warm};
use crate::rng::Rng;
use crate::routing::evaluate::{Workspace, best_insertion};
use crate::routing::{self, Problem, Solution, Travel};
use crate::scenario::Scenario;
use crate::units::Pence;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// One of today's routes under today's rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteCheck {
    /// Route id.
    pub id: String,
    /// Contract price per day.
    pub contract_per_day: Pence,
    /// Pupils on it today.
    pub pupils: usize,
    /// Every rule it breaks (empty = fine).
    pub violations: Vec<String>,
    /// Pupils taken off to repair it.
    pub taken_off: Vec<String>,
    /// Pupils on it who no longer travel on a route (leavers).
    pub leavers: Vec<String>,
}

/// Today's routes, repaired, with the pupils' current vehicles and times.
pub struct Repaired {
    /// The day problem.
    pub compiled: Compiled,
    /// Today's routes minus leavers, repaired, starters inserted.
    pub solution: Solution,
    /// Today's route index of each route of `solution` (`None` = a new vehicle).
    pub origin: Vec<Option<usize>>,
    /// Today's route of each job (`None` = a starter, or an afternoon job under
    /// continuity `cost` or `free`, which does not count as a move).
    pub home: Vec<Option<usize>>,
    /// Today's time of each job's first pickup, seconds (`None` = a starter).
    pub old_pickup: Vec<Option<i64>>,
    /// Checks of today's routes.
    pub checks: Vec<RouteCheck>,
    /// Pupils not on any of today's routes who now need one.
    pub starters: Vec<String>,
    /// Pupils who had to change vehicle because their route broke a rule or had no
    /// place (never because of optimisation).
    pub forced_moves: Vec<String>,
}

fn single(p: &Problem, v: usize, trips: &[Vec<u32>]) -> Solution {
    Solution::from_routes(p, vec![(v, trips.to_vec())])
}

/// Each job's first pickup time on a route.
fn pickup_times(p: &Problem, v: usize, trips: &[Vec<u32>]) -> Vec<(u32, i64)> {
    let sol = single(p, v, trips);
    let mut out = Vec::new();
    for r in routing::checked_routes(p, &sol) {
        for t in &r.trips {
            for (s, time) in t.stops.iter().zip(t.times.iter().skip(1)) {
                let st = &p.stops[*s as usize];
                let first = p.jobs[st.job as usize].stops[0];
                if *s == first {
                    out.push((st.job, *time));
                }
            }
        }
    }
    out
}

/// Evaluates today's routes under today's rules and repairs only what is broken.
pub fn repair(sc: &Scenario, travel: &Arc<Travel>, loc: &Locations) -> Repaired {
    let compiled = plan::compile(sc, travel, loc);
    let p = &compiled.problem;
    let jobs_of = compiled.jobs_of_pupil(sc.pupils.len());
    let warm = Warm::from_current(sc);
    let mut taken = vec![false; p.jobs.len()];
    let mut home = vec![None; p.jobs.len()];
    let mut old_pickup = vec![None; p.jobs.len()];
    let mut routes = Vec::new();
    let mut origin = Vec::new();
    let mut checks = Vec::new();
    let mut forced = Vec::new();
    let counts = |j: u32| compiled.journeys[j as usize] != Journeys::Afternoon;
    for (k, cr) in sc.current_routes.iter().enumerate() {
        let leavers: Vec<String> = cr
            .pupils
            .iter()
            .filter(|&&i| jobs_of[i].is_empty())
            .map(|&i| sc.pupils[i].id.clone())
            .collect();
        let Some((v, mut trips)) = warm.route_stops(&compiled, &jobs_of, k, &mut taken) else {
            checks.push(RouteCheck {
                id: cr.id.clone(),
                contract_per_day: cr.price_per_day,
                pupils: cr.pupils.len(),
                violations: Vec::new(),
                taken_off: Vec::new(),
                leavers,
            });
            continue;
        };
        let jobs: Vec<u32> = single(p, v, &trips).routes[0].job_list(p).collect();
        for &j in &jobs {
            if counts(j) {
                home[j as usize] = Some(k);
            }
        }
        for (j, t) in pickup_times(p, v, &trips) {
            old_pickup[j as usize] = Some(t);
        }
        // Today's afternoon order is not known: the listed order reversed is tried first,
        // and when it breaks a rule, the same vehicle's best order of the same pupils.
        if !plan::warm::valid(p, v, &trips)
            && let Some(pm) = reorder_afternoon(p, v, &trips)
        {
            trips[1] = pm;
        }
        let violations = routing::verify(p, &single(p, v, &trips)).violations;
        // Repair: take off the fewest pupils, one at a time, preferring the one whose
        // removal leaves the route valid, else the last picked up.
        let mut taken_off = Vec::new();
        while !plan::warm::valid(p, v, &trips) {
            let on: Vec<u32> = single(p, v, &trips)
                .routes
                .first()
                .map_or(Vec::new(), |r| r.job_list(p).collect());
            let without = |j: u32| -> Vec<Vec<u32>> {
                trips
                    .iter()
                    .map(|t| {
                        t.iter()
                            .copied()
                            .filter(|&s| p.stops[s as usize].job != j)
                            .collect()
                    })
                    .collect()
            };
            let pick = on
                .iter()
                .copied()
                .find(|&j| plan::warm::valid(p, v, &without(j)))
                .or_else(|| on.last().copied());
            let Some(j) = pick else { break };
            trips = without(j);
            let id = &sc.pupils[compiled.pupil_of_job[j as usize]].id;
            if !taken_off.contains(id) {
                taken_off.push(id.clone());
            }
        }
        forced.extend(taken_off.iter().cloned());
        if trips.iter().any(|t| !t.is_empty()) {
            routes.push((v, trips));
            origin.push(Some(k));
        }
        checks.push(RouteCheck {
            id: cr.id.clone(),
            contract_per_day: cr.price_per_day,
            pupils: cr.pupils.len(),
            violations,
            taken_off,
            leavers,
        });
    }
    let mut solution = Solution::from_routes(p, routes);
    let mut starters: Vec<String> = solution
        .unassigned
        .iter()
        .filter(|&&j| home[j as usize].is_none() && counts(j))
        .map(|&j| sc.pupils[compiled.pupil_of_job[j as usize]].id.clone())
        .collect();
    starters.dedup();
    // Insert starters and the pupils taken off at their cheapest feasible place.
    let mut rng = Rng::new(1);
    let mut ws = Workspace::new(p);
    for j in solution.unassigned.clone() {
        let routes: Vec<usize> = (0..solution.routes.len()).collect();
        if let Some(ins) = best_insertion(&mut ws, p, &solution, j, &routes, true, &mut rng, 0.0) {
            let new_route = ins.route == usize::MAX;
            solution.insert(p, j, &ins);
            if new_route {
                origin.push(None);
            }
        }
    }
    Repaired {
        compiled,
        solution,
        origin,
        home,
        old_pickup,
        checks,
        starters,
        forced_moves: forced,
    }
}

/// Most drop-offs whose every order is tried when re-ordering an afternoon.
const REORDER_ALL: usize = 6;

/// The cheapest valid afternoon for a route's pupils, keeping its morning: the school
/// pickups in their order, then the drop-offs in every order (up to [`REORDER_ALL`]
/// pupils) or in nearest-first order. `None` when no order tried is valid.
fn reorder_afternoon(p: &Problem, v: usize, trips: &[Vec<u32>]) -> Option<Vec<u32>> {
    let pm = &trips[1];
    let pickups: Vec<u32> = pm
        .iter()
        .copied()
        .filter(|&s| p.stops[s as usize].kind == routing::StopKind::Pickup)
        .collect();
    let drops: Vec<u32> = pm
        .iter()
        .copied()
        .filter(|&s| p.stops[s as usize].kind == routing::StopKind::Delivery)
        .collect();
    let mut orders: Vec<Vec<u32>> = Vec::new();
    if drops.len() <= REORDER_ALL {
        fn permute(rest: &mut Vec<u32>, k: usize, out: &mut Vec<Vec<u32>>) {
            if k == rest.len() {
                out.push(rest.clone());
                return;
            }
            for i in k..rest.len() {
                rest.swap(k, i);
                permute(rest, k + 1, out);
                rest.swap(k, i);
            }
        }
        permute(&mut drops.clone(), 0, &mut orders);
    } else {
        let mut left = drops.clone();
        let mut at = pickups
            .last()
            .map_or(p.anywhere(), |&s| p.stops[s as usize].loc);
        let mut order = Vec::new();
        while !left.is_empty() {
            let k = (0..left.len())
                .min_by_key(|&k| p.time(at, p.stops[left[k] as usize].loc))
                .unwrap_or(0);
            let s = left.swap_remove(k);
            at = p.stops[s as usize].loc;
            order.push(s);
        }
        orders.push(order);
    }
    let mut best: Option<(i64, Vec<u32>)> = None;
    for order in orders {
        let mut cand: Vec<Vec<u32>> = trips.to_vec();
        cand[1] = pickups.iter().copied().chain(order).collect();
        if plan::warm::valid(p, v, &cand) {
            let cost = single(p, v, &cand).routes_cost();
            if best.as_ref().is_none_or(|b| cost < b.0) {
                best = Some((cost, cand.swap_remove(1)));
            }
        }
    }
    best.map(|b| b.1)
}

/// A column of the stability model: one candidate route.
#[derive(Debug, Clone)]
pub struct StableColumn {
    /// Route cost (problem units).
    pub cost: i64,
    /// Vehicle type.
    pub vehicle: usize,
    /// Jobs served, with their first pickup time on this route (seconds).
    pub jobs: Vec<(u32, i64)>,
}

/// The stability model: choose columns covering every job once, link each chosen column
/// to at most one of today's routes (each route to at most one column); a job with a
/// home route is moved unless its column is linked to its home.
#[derive(Debug, Clone)]
pub struct StabilityModel {
    /// Jobs.
    pub rows: usize,
    /// Candidate routes.
    pub columns: Vec<StableColumn>,
    /// Today's route of each job.
    pub home: Vec<Option<usize>>,
    /// Today's pickup time of each job.
    pub old_pickup: Vec<Option<i64>>,
    /// Today's routes.
    pub origins: usize,
    /// Cost per moved pupil (problem units).
    pub move_cost: i64,
    /// Cost per minute of pickup-time change (problem units).
    pub minute_cost: i64,
    /// Most pupils moved (not counting forced moves), if limited.
    pub max_changes: Option<u32>,
    /// Jobs that must stay on their home route.
    pub pinned_jobs: Vec<u32>,
    /// Columns that must be chosen and linked to the given route.
    pub pinned_columns: Vec<(usize, usize)>,
    /// Vehicles per type.
    pub type_limits: Vec<Option<u32>>,
    /// Cost of leaving a job unserved.
    pub row_penalty: i64,
    /// A feasible start: chosen columns with their links.
    pub start: Vec<(usize, Option<usize>)>,
    /// Wall-clock limit.
    pub time_limit: Duration,
}

/// What a [`StabilitySolver`] chose.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Chosen columns with the one of today's routes each continues.
    pub links: Vec<(usize, Option<usize>)>,
    /// The time limit stopped the solver before its node limit or a proof.
    pub stopped_by_time: bool,
}

/// Solves a [`StabilityModel`]: chosen columns with their link, or `None` on failure.
pub trait StabilitySolver: Sync {
    /// Chooses columns and links.
    fn choose(&self, model: &StabilityModel) -> Option<Choice>;
}

/// Stability settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// Cost per pupil moved (per day).
    pub move_cost: Pence,
    /// Cost per minute of pickup-time change (per day).
    pub minute_cost: Pence,
    /// Most pupils moved.
    pub max_changes: Option<u32>,
    /// Pupils who stay on their vehicle (indices).
    pub pinned_pupils: Vec<usize>,
    /// Today's routes that stay exactly as they are (indices into current routes).
    pub pinned_routes: Vec<usize>,
    /// A starting point other than the repaired routes (e.g. the answer under a tighter
    /// budget); its routes must be candidates.
    pub start: Option<Replanned>,
}

/// A re-planned day: the solution and today's route linked to each of its routes.
#[derive(Debug, Clone)]
pub struct Replanned {
    /// The solution.
    pub solution: Solution,
    /// Today's route of each route (`None` = a new vehicle).
    pub origin: Vec<Option<usize>>,
    /// The solver's time limit cut it short.
    pub stopped_by_time: bool,
}

/// Jobs whose vehicle changed from today's (forced moves included).
pub fn moved_jobs(r: &Repaired, s: &Replanned, p: &Problem) -> Vec<u32> {
    let mut out = Vec::new();
    for (k, route) in s.solution.routes.iter().enumerate() {
        for j in route.job_list(p) {
            if let Some(h) = r.home[j as usize]
                && s.origin[k] != Some(h)
            {
                out.push(j);
            }
        }
    }
    out.sort_unstable();
    out
}

/// Pupils whose vehicle changed from today's.
pub fn moved_pupils(r: &Repaired, s: &Replanned) -> usize {
    let p = &r.compiled.problem;
    let mut pupils: Vec<usize> = moved_jobs(r, s, p)
        .iter()
        .map(|&j| r.compiled.pupil_of_job[j as usize])
        .collect();
    pupils.sort_unstable();
    pupils.dedup();
    pupils.len()
}

/// The candidate routes for the stability model: the repaired routes, and the routes a
/// search from them visits.
pub struct Candidates {
    columns: Vec<StableColumn>,
    trips: Vec<(usize, Vec<Vec<u32>>)>,
}

/// Accepted solutions within this factor of the best feed the candidate routes.
const POOL_WINDOW: f64 = 1.10;
/// Most candidate routes (the MIP's columns).
const POOL_CAP: usize = 2_000;

/// Links each route of a solution to the one of today's routes it shares most pupils
/// with (each of today's routes at most once, largest overlaps first).
pub fn link_greedy(r: &Repaired, sol: &Solution) -> Replanned {
    let p = &r.compiled.problem;
    let mut pairs = Vec::new();
    for (k, route) in sol.routes.iter().enumerate() {
        let mut count: HashMap<usize, usize> = HashMap::new();
        for j in route.job_list(p) {
            if let Some(h) = r.home[j as usize] {
                *count.entry(h).or_default() += 1;
            }
        }
        pairs.extend(count.into_iter().map(|(h, n)| (n, k, h)));
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut origin = vec![None; sol.routes.len()];
    let mut taken = vec![false; r.checks.len()];
    for (_, k, h) in pairs {
        if origin[k].is_none() && !taken[h] {
            origin[k] = Some(h);
            taken[h] = true;
        }
    }
    Replanned {
        solution: sol.clone(),
        origin,
        stopped_by_time: false,
    }
}

/// Runs the search twice, from the repaired routes (routes close to today's) and from
/// scratch (the unconstrained optimum), and pools the routes both visit; each search has
/// `settings` (its time limit, when set, applies to each). Returns the candidates, the
/// from-scratch best linked to today's routes, and whether a time limit cut a search short
/// of its iterations.
pub fn candidates(r: &Repaired, settings: &routing::Settings) -> (Candidates, Replanned, bool) {
    let p = &r.compiled.problem;
    let (warm, mut pool) =
        routing::search::solve_pooled(p, settings, Some(&r.solution), POOL_WINDOW, POOL_CAP);
    let (free, cold) = routing::search::solve_pooled(p, settings, None, POOL_WINDOW, POOL_CAP / 2);
    let cut = warm.stopped_by_time || free.stopped_by_time;
    pool.merge(cold);
    pool.unbounded();
    pool.add_solution(p, &free.solution);
    pool.add_solution(p, &r.solution);
    let free = link_greedy(r, &free.solution);
    let mut columns = Vec::new();
    let mut trips = Vec::new();
    for (v, st, _jobs, cost) in pool.routes() {
        columns.push(StableColumn {
            cost,
            vehicle: v,
            jobs: pickup_times(p, v, st),
        });
        trips.push((v, st.to_vec()));
    }
    (Candidates { columns, trips }, free, cut)
}

/// Picks the routes under the stability costs, pins and change budget.
pub fn improve(
    r: &Repaired,
    cands: &Candidates,
    o: &Options,
    solver: &dyn StabilitySolver,
    time_limit: Duration,
) -> Option<Replanned> {
    let p = &r.compiled.problem;
    let key = |v: usize, trips: &[Vec<u32>]| (v, trips.to_vec());
    let index: HashMap<(usize, Vec<Vec<u32>>), usize> = cands
        .trips
        .iter()
        .enumerate()
        .map(|(c, (v, st))| (key(*v, st), c))
        .collect();
    let trips_of = |route: &routing::route::Route| -> Vec<Vec<u32>> {
        route.trips[..p.trips]
            .iter()
            .map(|t| t.stops.clone())
            .collect()
    };
    let (from_sol, from_origin) = match &o.start {
        Some(s) => (&s.solution, &s.origin),
        None => (&r.solution, &r.origin),
    };
    let start: Vec<(usize, Option<usize>)> = from_sol
        .routes
        .iter()
        .enumerate()
        .filter_map(|(k, route)| {
            index
                .get(&key(route.vehicle, &trips_of(route)))
                .map(|&c| (c, from_origin[k]))
        })
        .collect();
    let pinned_jobs: Vec<u32> = o
        .pinned_pupils
        .iter()
        .flat_map(|&i| {
            r.compiled
                .pupil_of_job
                .iter()
                .enumerate()
                .filter(move |&(_, &x)| x == i)
                .map(|(j, _)| j as u32)
        })
        .filter(|&j| r.home[j as usize].is_some())
        .collect();
    let pinned_columns: Vec<(usize, usize)> = o
        .pinned_routes
        .iter()
        .filter_map(|&k| {
            let ri = r.origin.iter().position(|&x| x == Some(k))?;
            let route = &r.solution.routes[ri];
            Some((*index.get(&key(route.vehicle, &trips_of(route)))?, k))
        })
        .collect();
    let units = plan::UNITS_PER_PENNY;
    let model = StabilityModel {
        rows: p.jobs.len(),
        columns: cands.columns.clone(),
        home: r.home.clone(),
        old_pickup: r.old_pickup.clone(),
        origins: r.checks.len(),
        move_cost: o.move_cost.0 * units,
        minute_cost: o.minute_cost.0 * units,
        max_changes: o.max_changes,
        pinned_jobs,
        pinned_columns,
        type_limits: p.vehicles.iter().map(|v| v.count).collect(),
        row_penalty: p.unassigned_cost,
        start,
        time_limit,
    };
    let choice = solver.choose(&model)?;
    let solution = Solution::from_routes(
        p,
        choice
            .links
            .iter()
            .map(|&(c, _)| cands.trips[c].clone())
            .collect(),
    );
    // `from_routes` keeps the order of non-empty routes; every column has jobs.
    let origin = choice.links.iter().map(|&(_, k)| k).collect();
    Some(Replanned {
        solution,
        origin,
        stopped_by_time: choice.stopped_by_time,
    })
}

/// Names a plan's routes after today's vehicles they continue (`R012`); new vehicles
/// keep their `N…` ids.
pub fn name_routes(sc: &Scenario, r: &Repaired, s: &Replanned, plan: &mut Plan) {
    let p = &r.compiled.problem;
    for (k, route) in s.solution.routes.iter().enumerate() {
        let Some(h) = s.origin.get(k).copied().flatten() else {
            continue;
        };
        let mut pupils: Vec<usize> = route
            .job_list(p)
            .map(|j| r.compiled.pupil_of_job[j as usize])
            .collect();
        pupils.sort_unstable();
        pupils.dedup();
        if let Some(pr) = plan.routes.iter_mut().find(|x| {
            let mut mine = x.pupils.clone();
            mine.sort_unstable();
            mine == pupils
        }) {
            pr.id = sc.current_routes[h].id.clone();
        }
    }
}

/// One pupil's change between today and the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Pupil id.
    pub pupil: String,
    /// School id.
    pub school: String,
    /// Today's route (empty for a starter).
    pub old_route: String,
    /// The plan's route in the morning (empty when not routed).
    pub new_route: String,
    /// Vehicle changed.
    pub vehicle_changed: bool,
    /// Assistant today.
    pub old_assistant: bool,
    /// Assistant in the plan.
    pub new_assistant: bool,
    /// Today's morning pickup (HH:MM), if known.
    pub old_pickup: String,
    /// The plan's morning pickup.
    pub new_pickup: String,
    /// Pickup change in minutes (plan − today).
    pub pickup_change_min: Option<i64>,
}

/// The diff between today's routes and a plan: one row per pupil routed in either.
pub fn diff(sc: &Scenario, r: &Repaired, plan: &Plan) -> Vec<Change> {
    use crate::units::hhmm;
    let mut old: HashMap<usize, (String, bool, Option<i64>)> = HashMap::new();
    for cr in &sc.current_routes {
        for &i in &cr.pupils {
            old.entry(i).or_insert((cr.id.clone(), cr.assistant, None));
        }
    }
    for (j, &i) in r.compiled.pupil_of_job.iter().enumerate() {
        if r.compiled.journeys[j] == Journeys::Afternoon {
            continue;
        }
        if let (Some(e), Some(t)) = (old.get_mut(&i), r.old_pickup[j]) {
            e.2 = Some(t);
        }
    }
    let mut new: HashMap<usize, (String, bool, Option<i64>)> = HashMap::new();
    for route in &plan.routes {
        for s in route
            .am
            .iter()
            .flat_map(|a| a.stops.iter())
            .filter(|s| s.event == Event::Pickup)
        {
            new.insert(s.pupil, (route.id.clone(), route.assistant, Some(s.time_s)));
        }
    }
    let mut out = Vec::new();
    for (i, pupil) in sc.pupils.iter().enumerate() {
        let o = old.get(&i);
        let n = new.get(&i);
        if o.is_none() && n.is_none() {
            continue;
        }
        let fmt = |t: Option<i64>| t.map(hhmm).unwrap_or_default();
        let (ot, nt) = (o.and_then(|x| x.2), n.and_then(|x| x.2));
        out.push(Change {
            pupil: pupil.id.clone(),
            school: sc.schools[pupil.school].id.clone(),
            old_route: o.map(|x| x.0.clone()).unwrap_or_default(),
            new_route: n.map(|x| x.0.clone()).unwrap_or_default(),
            vehicle_changed: o.map(|x| &x.0) != n.map(|x| &x.0),
            old_assistant: o.is_some_and(|x| x.1),
            new_assistant: n.is_some_and(|x| x.1),
            old_pickup: fmt(ot),
            new_pickup: fmt(nt),
            pickup_change_min: match (ot, nt) {
                (Some(a), Some(b)) => Some((b - a) / 60),
                _ => None,
            },
        });
    }
    out
}
