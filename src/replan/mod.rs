//! Term re-planning that keeps settled pupils settled. No I/O.
//!
//! 1. **Today's routes** (`current_routes.csv`) become a morning solution: pickups in the
//!    listed order, then the schools by their bell times. Each route is checked under
//!    today's rules by the independent checker; a broken route is repaired by taking off
//!    as few pupils as possible (leavers leave, starters and the pupils taken off are then
//!    inserted at their cheapest feasible place, a new vehicle only when none exists). That
//!    is the fast path for starters and leavers: no other pupil changes vehicle.
//! 2. **Improvement with stability**: a search warm-started from the repaired routes pools
//!    the routes it visits; a set-partitioning MIP ([`StabilitySolver`]) then picks routes
//!    and links each to at most one of today's vehicles, paying a cost per pupil moved off
//!    their vehicle and per minute of pickup-time change, never breaking a pin, and
//!    within a `max_changes` budget.
//! 3. **Diff**: who changes vehicle, assistant or pickup time, by how much.

use crate::matrix::Matrix;
use crate::plan::{self, Compiled, Locations, Plan, Warm};
use crate::routing::{self, Problem, Solution, StopKind};
use crate::scenario::Scenario;
use crate::units::Pence;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

/// Today's routes as a starting point, in `current_routes.csv` order.
pub fn warm_from_current(sc: &Scenario) -> Warm {
    let routes = sc
        .current_routes
        .iter()
        .map(|cr| {
            let mut stops: Vec<(usize, bool)> = cr.pupils.iter().map(|&p| (p, true)).collect();
            let mut schools: Vec<usize> = Vec::new();
            for &p in &cr.pupils {
                let s = sc.pupils[p].school;
                if !schools.contains(&s) {
                    schools.push(s);
                }
            }
            schools.sort_by_key(|&s| (sc.schools[s].am_arrive_latest, s));
            for s in schools {
                stops.extend(
                    cr.pupils
                        .iter()
                        .filter(|&&p| sc.pupils[p].school == s)
                        .map(|&p| (p, false)),
                );
            }
            (cr.vehicle, stops)
        })
        .collect();
    Warm { routes }
}

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
    /// The morning problem.
    pub compiled: Compiled,
    /// Today's routes minus leavers, repaired, starters inserted.
    pub solution: Solution,
    /// Today's route index of each route of `solution` (`None` = a new vehicle).
    pub origin: Vec<Option<usize>>,
    /// Today's route of each job (`None` = a starter).
    pub home: Vec<Option<usize>>,
    /// Today's pickup time of each job, seconds (`None` = a starter).
    pub old_pickup: Vec<Option<i64>>,
    /// Checks of today's routes.
    pub checks: Vec<RouteCheck>,
    /// Pupils not on any of today's routes who now need one.
    pub starters: Vec<String>,
    /// Pupils who had to change vehicle because their route broke a rule or had no
    /// place (never because of optimisation).
    pub forced_moves: Vec<String>,
}

fn stops_of(
    c: &Compiled,
    job_of_pupil: &HashMap<usize, usize>,
    stops: &[(usize, bool)],
) -> Vec<u32> {
    let p = &c.problem;
    stops
        .iter()
        .filter_map(|&(pupil, pickup)| {
            let j = *job_of_pupil.get(&pupil)?;
            let job = &p.jobs[j];
            Some(job.stops[if pickup { 0 } else { job.stops.len() - 1 }])
        })
        .collect()
}

fn valid(p: &Problem, v: usize, stops: &[u32]) -> bool {
    stops.is_empty()
        || routing::verify(p, &Solution::from_routes(p, vec![(v, stops.to_vec())])).ok()
}

fn pickup_times(p: &Problem, v: usize, stops: &[u32]) -> Vec<(u32, i64)> {
    let sol = Solution::from_routes(p, vec![(v, stops.to_vec())]);
    routing::checked_routes(p, &sol)
        .first()
        .map(|r| {
            r.stops
                .iter()
                .zip(r.times.iter().skip(1))
                .filter(|(s, _)| p.stops[**s as usize].kind == StopKind::Pickup)
                .map(|(s, t)| (p.stops[*s as usize].job, *t))
                .collect()
        })
        .unwrap_or_default()
}

/// Evaluates today's routes under today's rules and repairs only what is broken.
pub fn repair(sc: &Scenario, m: &Matrix, loc: &Locations) -> Repaired {
    let compiled = plan::compile_am(sc, m, loc);
    let p = &compiled.problem;
    let mut job_of_pupil = HashMap::new();
    for (j, &i) in compiled.pupil_of_job.iter().enumerate() {
        job_of_pupil.insert(i, j);
    }
    let warm = warm_from_current(sc);
    let mut home = vec![None; p.jobs.len()];
    let mut old_pickup = vec![None; p.jobs.len()];
    let mut routes = Vec::new();
    let mut origin = Vec::new();
    let mut checks = Vec::new();
    let mut forced = Vec::new();
    for (k, (v, stops)) in warm.routes.iter().enumerate() {
        let cr = &sc.current_routes[k];
        let leavers: Vec<String> = cr
            .pupils
            .iter()
            .filter(|p| !job_of_pupil.contains_key(p))
            .map(|&i| sc.pupils[i].id.clone())
            .collect();
        let mut seq = stops_of(&compiled, &job_of_pupil, stops);
        // A pupil on two of today's routes stays on the first.
        seq.retain(|&s| home[p.stops[s as usize].job as usize].is_none_or(|h| h == k));
        for &s in &seq {
            home[p.stops[s as usize].job as usize] = Some(k);
        }
        for (j, t) in pickup_times(p, *v, &seq) {
            old_pickup[j as usize] = Some(t);
        }
        let violations = if seq.is_empty() {
            Vec::new()
        } else {
            routing::verify(p, &Solution::from_routes(p, vec![(*v, seq.clone())])).violations
        };
        // Repair: take off the fewest pupils, one at a time, preferring the one whose
        // removal leaves the route valid, else the last picked up.
        let mut taken_off = Vec::new();
        while !valid(p, *v, &seq) {
            let jobs: Vec<u32> = seq
                .iter()
                .filter(|&&s| p.stops[s as usize].kind == StopKind::Pickup)
                .map(|&s| p.stops[s as usize].job)
                .collect();
            let without = |j: u32| -> Vec<u32> {
                seq.iter()
                    .copied()
                    .filter(|&s| p.stops[s as usize].job != j)
                    .collect()
            };
            let pick = jobs
                .iter()
                .copied()
                .find(|&j| valid(p, *v, &without(j)))
                .or_else(|| jobs.last().copied());
            let Some(j) = pick else { break };
            seq = without(j);
            taken_off.push(sc.pupils[compiled.pupil_of_job[j as usize]].id.clone());
        }
        forced.extend(taken_off.iter().cloned());
        if !seq.is_empty() {
            routes.push((*v, seq));
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
    let starters: Vec<String> = solution
        .unassigned
        .iter()
        .filter(|&&j| home[j as usize].is_none())
        .map(|&j| sc.pupils[compiled.pupil_of_job[j as usize]].id.clone())
        .collect();
    // Insert starters and the pupils taken off at their cheapest feasible place.
    let mut rng = routing::solution::Rng::new(1);
    let mut scratch = Vec::new();
    for j in solution.unassigned.clone() {
        if let Some(ins) = solution.best_insertion(p, j, &mut rng, 0.0, &mut scratch) {
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

/// A column of the stability model: one candidate route.
#[derive(Debug, Clone)]
pub struct StableColumn {
    /// Route cost (problem units).
    pub cost: i64,
    /// Vehicle type.
    pub vehicle: usize,
    /// Jobs served, with their pickup time on this route (seconds).
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

/// Solves a [`StabilityModel`]: chosen columns with their link, or `None` on failure.
pub trait StabilitySolver: Sync {
    /// Chooses columns and links.
    fn choose(&self, model: &StabilityModel) -> Option<Vec<(usize, Option<usize>)>>;
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

/// A re-planned morning: the solution and today's route linked to each of its routes.
#[derive(Debug, Clone)]
pub struct Replanned {
    /// Morning solution.
    pub solution: Solution,
    /// Today's route of each route (`None` = a new vehicle).
    pub origin: Vec<Option<usize>>,
}

/// Pupils (job indices) who changed vehicle, forced moves included.
pub fn moved_jobs(r: &Repaired, s: &Replanned, p: &Problem) -> Vec<u32> {
    let mut out = Vec::new();
    for (k, route) in s.solution.routes.iter().enumerate() {
        for j in route.jobs(p) {
            if let Some(h) = r.home[j as usize] {
                if s.origin[k] != Some(h) {
                    out.push(j);
                }
            }
        }
    }
    out.sort_unstable();
    out
}

/// The candidate routes for the stability model: the repaired routes, and the routes a
/// search from them visits.
pub struct Candidates {
    columns: Vec<StableColumn>,
    stops: Vec<(usize, Vec<u32>)>,
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
        for j in route.jobs(p) {
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
    }
}

/// Runs the search twice, from the repaired routes (routes close to today's) and from
/// scratch (the unconstrained optimum), and pools the routes both visit. Returns the
/// candidates and the from-scratch best, linked to today's routes.
pub fn candidates(r: &Repaired, settings: &routing::Settings) -> (Candidates, Replanned) {
    let p = &r.compiled.problem;
    let (_, mut pool) =
        routing::search::solve_pooled(p, settings, Some(&r.solution), POOL_WINDOW, POOL_CAP);
    let (free, cold) = routing::search::solve_pooled(p, settings, None, POOL_WINDOW, POOL_CAP / 2);
    pool.merge(cold);
    pool.unbounded();
    pool.add_solution(p, &free.solution);
    pool.add_solution(p, &r.solution);
    let free = link_greedy(r, &free.solution);
    let mut columns = Vec::new();
    let mut stops = Vec::new();
    for (v, st, _jobs, cost) in pool.routes() {
        let times = pickup_times(p, v, st);
        columns.push(StableColumn {
            cost,
            vehicle: v,
            jobs: times,
        });
        stops.push((v, st.to_vec()));
    }
    (Candidates { columns, stops }, free)
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
    let index: HashMap<(usize, &[u32]), usize> = cands
        .stops
        .iter()
        .enumerate()
        .map(|(c, (v, st))| ((*v, st.as_slice()), c))
        .collect();
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
                .get(&(route.vehicle, route.stops.as_slice()))
                .map(|&c| (c, from_origin[k]))
        })
        .collect();
    let pinned_jobs: Vec<u32> = o
        .pinned_pupils
        .iter()
        .filter_map(|&i| r.compiled.pupil_of_job.iter().position(|&x| x == i))
        .map(|j| j as u32)
        .filter(|&j| r.home[j as usize].is_some())
        .collect();
    let pinned_columns: Vec<(usize, usize)> = o
        .pinned_routes
        .iter()
        .filter_map(|&k| {
            let ri = r.origin.iter().position(|&x| x == Some(k))?;
            let route = &r.solution.routes[ri];
            Some((*index.get(&(route.vehicle, route.stops.as_slice()))?, k))
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
    let chosen = solver.choose(&model)?;
    let solution = Solution::from_routes(
        p,
        chosen
            .iter()
            .map(|&(c, _)| cands.stops[c].clone())
            .collect(),
    );
    let origin = chosen.iter().map(|&(_, k)| k).collect();
    Some(Replanned { solution, origin })
}

/// Names a plan's routes after today's vehicles they continue (`R012`), new vehicles
/// keep their `N…` ids.
pub fn name_routes(sc: &Scenario, compiled: &Compiled, s: &Replanned, plan: &mut Plan) {
    let p = &compiled.problem;
    for (k, route) in s.solution.routes.iter().enumerate() {
        let Some(h) = s.origin[k] else { continue };
        let ids: Vec<String> = route
            .jobs(p)
            .map(|j| sc.pupils[compiled.pupil_of_job[j as usize]].id.clone())
            .collect();
        if let Some(pr) = plan
            .routes
            .iter_mut()
            .find(|r| r.am.is_some() && r.pupils == ids)
        {
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
    /// The plan's route (empty when not routed).
    pub new_route: String,
    /// Vehicle changed.
    pub vehicle_changed: bool,
    /// Assistant today / in the plan.
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
        if let (Some(e), Some(t)) = (old.get_mut(&i), r.old_pickup[j]) {
            e.2 = Some(t);
        }
    }
    let mut new: HashMap<&str, (String, bool, Option<i64>)> = HashMap::new();
    for route in plan.routes.iter().filter(|x| x.am.is_some()) {
        for s in route
            .am
            .iter()
            .flat_map(|a| a.stops.iter())
            .filter(|s| s.event == crate::plan::Event::Pickup)
        {
            new.insert(
                s.pupil.as_str(),
                (route.id.clone(), route.assistant, Some(s.time_s)),
            );
        }
    }
    let mut out = Vec::new();
    for (i, pupil) in sc.pupils.iter().enumerate() {
        let o = old.get(&i);
        let n = new.get(pupil.id.as_str());
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
