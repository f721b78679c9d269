//! The one cost-change evaluator every search component uses. Rules are layered:
//! route-level rules (skills, solo, incompatible jobs, the assistant's seat on every trip,
//! vehicle counts, continuity), then O(1) segment checks per position (windows, loads,
//! duration, a lower bound on ride time), then the exact ride-time schedule only for the
//! candidates that survive, cheapest first. Insertion over many routes is a small
//! branch and bound: routes are visited in order of a cheap lower bound (route rules plus
//! a distance detour), a route's positions are enumerated only while its bound is below
//! the best verified insertion, and the search stops once no bound is. An empty
//! vehicle of every type with room is always a candidate, verified like any other, so a job
//! that fits a vehicle of its own is never left out.

use super::problem::{MAX_TRIPS, Part, Problem};
use super::route::{Route, Trip, segment_feasible, trip_cost};
use super::schedule::Scheduler;
use super::solution::Solution;
use crate::rng::Rng;

/// Where and at what cost a job can be inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insertion {
    /// Route index, or `usize::MAX` for a new route.
    pub route: usize,
    /// Vehicle type (of the route, or of the new route).
    pub vehicle: usize,
    /// Per trip holding a part of the job: position of the first stop, and position of the
    /// second (pairs) in the trip after the first is inserted.
    pub pos: [(u32, u32); MAX_TRIPS],
    /// Cost increase.
    pub delta: i64,
}

/// One feasible position of a part in a trip, with the trip's cost change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Cand {
    delta: i64,
    first: u32,
    second: u32,
}

/// The candidates of one route, for the branch and bound over routes.
#[derive(Debug, Clone, Copy)]
struct RouteCand {
    bound: i64,
    route: usize,
    vehicle: usize,
    route_delta: i64,
    /// Ranges of `Workspace::cands` per trip.
    ranges: [(u32, u32); MAX_TRIPS],
}

/// A route (or a new vehicle, `route == usize::MAX`) with a lower bound on the cost of an
/// insertion into it, for visiting the cheapest first.
#[derive(Debug, Clone, Copy)]
struct Bounded {
    lb: i64,
    route: usize,
    vehicle: usize,
    route_delta: i64,
}

/// Most exact schedules tried per part before giving up on a route.
const MAX_VERIFY: usize = 12;

/// Reusable buffers of one search worker: nothing in the move loop allocates.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// Exact timing.
    pub sched: Scheduler,
    stops: Vec<u32>,
    cands: Vec<Cand>,
    order: Vec<Bounded>,
    /// An empty route of each vehicle type.
    templates: Vec<Route>,
    /// Scratch routes for the operators.
    pub tmp: [Route; 2],
    /// Scratch list of route indices.
    pub route_list: Vec<usize>,
}

impl Workspace {
    /// A workspace for a problem.
    pub fn new(p: &Problem) -> Self {
        Workspace {
            templates: (0..p.vehicles.len()).map(|v| Route::new(p, v)).collect(),
            ..Default::default()
        }
    }

    /// The empty route of a vehicle type.
    pub fn template(&self, v: usize) -> &Route {
        &self.templates[v]
    }
}

/// The target of an insertion: a route of the solution (or a scratch copy of one), or an
/// empty vehicle.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The route's content.
    pub route: &'a Route,
    /// Its index in the solution (`None` for a new vehicle).
    pub index: Option<usize>,
    /// A job counted as gone from the route (its exchange partner in a swap).
    pub leaving: Option<u32>,
}

/// Route-level cost change of putting `job` on `t`, or `None` if a route-level rule
/// forbids it.
pub fn route_delta(p: &Problem, sol: &Solution, t: &Target, job: u32) -> Option<i64> {
    let r = t.route;
    let j = &p.jobs[job as usize];
    let v = r.vehicle;
    if !p.can_carry(v, job) {
        return None;
    }
    let mut delta = 0;
    if r.is_empty() {
        if t.index.is_none() && !sol.has_room(p, v) {
            return None;
        }
        delta += p.vehicles[v].fixed;
    } else {
        // Solo: nobody of another owner on the route.
        if (j.solo || r.solo_jobs > 0) && r.owner != Some(j.owner) {
            return None;
        }
        if let Some(ri) = t.index
            && j.incompatible
                .iter()
                .any(|&o| Some(o) != t.leaving && sol.route_of(o) == Some(ri))
        {
            return None;
        }
    }
    if j.needs_assistant && r.assistant_jobs == 0 {
        delta += p.vehicles[v].assistant_cost;
        // The assistant takes a seat on every trip of the day.
        let cap = p.capacity(v, true);
        for tr in 0..p.trips {
            if j.parts[tr].is_none() && r.trips[tr].load().excess(&cap) > 0 {
                return None;
            }
        }
    }
    if p.split_cost > 0 && sol.partner_elsewhere(p, job, t.index) {
        delta += p.split_cost;
    }
    Some(delta)
}

/// Appends every feasible position of `part` in `trip` (vehicle `v`) with the trip's
/// cost change; positions are skipped with probability `blink`.
#[allow(clippy::too_many_arguments)]
fn positions(
    p: &Problem,
    v: usize,
    trip: &Trip,
    part: Part,
    max_ride: Option<i64>,
    assistant: bool,
    rng: &mut Rng,
    blink: f64,
    out: &mut Vec<Cand>,
) {
    let k = trip.len();
    let old = trip_cost(p, v, k, trip.distance, trip.duration);
    let skip = |rng: &mut Rng| blink > 0.0 && rng.unit() < blink;
    if !part.is_pair() {
        let s = part.first;
        let sd = p.stop_duration(s);
        let sl = p.stop_load(s);
        let loc = p.stops[s as usize].loc;
        for pos in 0..=k {
            if skip(rng) {
                continue;
            }
            let (a, b) = (trip.loc_before(p, v, pos), trip.loc_at(p, v, pos));
            let dur = trip
                .fwd_dur(pos)
                .then(&sd, p.time(a, loc))
                .then(trip.bwd_dur(pos), p.time(loc, b));
            let load = trip.fwd_load(pos).then(&sl).then(trip.bwd_load(pos));
            if !segment_feasible(p, v, &dur, &load, assistant) {
                continue;
            }
            let dist = trip.distance + p.dist(a, loc) + p.dist(loc, b) - p.dist(a, b);
            out.push(Cand {
                delta: trip_cost(p, v, k + 1, dist, dur.duration) - old,
                first: pos as u32,
                second: pos as u32,
            });
        }
        return;
    }
    let (ps, ds) = (part.first, part.last);
    let (pd, dd) = (p.stop_duration(ps), p.stop_duration(ds));
    let (pl, dl) = (p.stop_load(ps), p.stop_load(ds));
    let (ploc, dloc) = (p.stops[ps as usize].loc, p.stops[ds as usize].loc);
    let cap = p.capacity(v, assistant);
    let pickup_late = p.stops[ps as usize].late;
    let delivery_late = p.stops[ds as usize].late;
    for i in 0..=k {
        // The vehicle leaves the stop before position `i` no earlier than this, which only
        // grows with `i`: once it is past the pickup's window, so are all later positions.
        let f = trip.fwd_dur(i);
        if i > 0 && f.warp == 0 && f.earliest + f.duration > pickup_late {
            break;
        }
        let a = trip.loc_before(p, v, i);
        // Start depot, stops[..i], pickup.
        let mut acc_d = f.then(&pd, p.time(a, ploc));
        let mut acc_l = trip.fwd_load(i).then(&pl);
        if acc_d.warp > 0 || acc_l.excess(&cap) > 0 {
            continue;
        }
        let mut acc_dist = trip.dist_to(i) + p.dist(a, ploc);
        let mut last = ploc;
        // Lower bound on the ride: travel and service from the pickup to `last`.
        let mut ride_lb = 0i64;
        for q in i..=k {
            let next = trip.loc_at(p, v, q);
            let ride = ride_lb + p.time(last, dloc);
            // Past the ride limit, or past the delivery's window, here and further on.
            if max_ride.is_some_and(|m| ride > m) || acc_d.earliest + acc_d.duration > delivery_late
            {
                break;
            }
            if !skip(rng) {
                let dur = acc_d
                    .then(&dd, p.time(last, dloc))
                    .then(trip.bwd_dur(q), p.time(dloc, next));
                let load = acc_l.then(&dl).then(trip.bwd_load(q));
                if segment_feasible(p, v, &dur, &load, assistant) {
                    let dist =
                        acc_dist + p.dist(last, dloc) + p.dist(dloc, next) + trip.dist_from(q);
                    out.push(Cand {
                        delta: trip_cost(p, v, k + 2, dist, dur.duration) - old,
                        first: i as u32,
                        second: q as u32 + 1,
                    });
                }
            }
            if q == k {
                break;
            }
            // Extend the pickup-side segment with stops[q].
            let s = trip.stops[q];
            let sloc = p.stops[s as usize].loc;
            let t = p.time(last, sloc);
            acc_d = acc_d.then(&p.stop_duration(s), t);
            acc_l = acc_l.then(&p.stop_load(s));
            acc_dist += p.dist(last, sloc);
            ride_lb += t + p.stops[s as usize].service;
            last = sloc;
            if acc_d.warp > 0 || acc_l.excess(&cap) > 0 {
                break;
            }
        }
    }
}

/// Whether the trip with `part` inserted at `c` has an exact schedule (checked only when
/// ride limits are involved; the segment checks already settled everything else).
/// (A hot path: its arguments stay separate rather than be bundled per call.)
#[allow(clippy::too_many_arguments)]
fn exact(
    ws_sched: &mut Scheduler,
    buf: &mut Vec<u32>,
    p: &Problem,
    v: usize,
    trip: &Trip,
    part: Part,
    max_ride: bool,
    c: &Cand,
) -> bool {
    if !(max_ride && part.is_pair()) && trip.ride_limited == 0 {
        return true;
    }
    buf.clear();
    buf.extend_from_slice(&trip.stops);
    buf.insert(c.first as usize, part.first);
    if part.is_pair() {
        buf.insert(c.second as usize, part.last);
    }
    ws_sched.run(p, v, buf)
}

/// Collects the candidates of `job` on target `t` into the workspace; `None` when a rule
/// or a trip with no feasible position rules the route out.
fn collect(
    ws: &mut Workspace,
    p: &Problem,
    sol: &Solution,
    t: &Target,
    job: u32,
    rng: &mut Rng,
    blink: f64,
) -> Option<RouteCand> {
    let route_delta = route_delta(p, sol, t, job)?;
    positions_of(ws, p, t, job, rng, blink, route_delta)
}

/// [`collect`] once the route-level change `route_delta` is known.
fn positions_of(
    ws: &mut Workspace,
    p: &Problem,
    t: &Target,
    job: u32,
    rng: &mut Rng,
    blink: f64,
    route_delta: i64,
) -> Option<RouteCand> {
    let j = &p.jobs[job as usize];
    let r = t.route;
    let assistant = r.assistant_jobs > 0 || j.needs_assistant;
    let mut bound = route_delta;
    let mut ranges = [(0u32, 0u32); MAX_TRIPS];
    for (tr, range) in ranges.iter_mut().enumerate().take(p.trips) {
        let Some(part) = j.parts[tr] else { continue };
        let start = ws.cands.len();
        positions(
            p,
            r.vehicle,
            &r.trips[tr],
            part,
            j.max_ride,
            assistant,
            rng,
            blink,
            &mut ws.cands,
        );
        let best = ws.cands[start..].iter().map(|c| c.delta).min()?;
        bound += best;
        *range = (start as u32, ws.cands.len() as u32);
    }
    Some(RouteCand {
        bound,
        route: t.index.unwrap_or(usize::MAX),
        vehicle: r.vehicle,
        route_delta,
        ranges,
    })
}

/// Verifies the collected candidates of one route: per trip the cheapest position with an
/// exact schedule. Returns the insertion or `None`.
fn verify(
    ws: &mut Workspace,
    p: &Problem,
    r: &Route,
    rc: &RouteCand,
    job: u32,
) -> Option<Insertion> {
    let j = &p.jobs[job as usize];
    let mut ins = Insertion {
        route: rc.route,
        vehicle: rc.vehicle,
        pos: [(0, 0); MAX_TRIPS],
        delta: rc.route_delta,
    };
    let Workspace {
        sched,
        stops,
        cands,
        ..
    } = ws;
    for tr in 0..p.trips {
        let Some(part) = j.parts[tr] else { continue };
        let (a, b) = rc.ranges[tr];
        let range = &mut cands[a as usize..b as usize];
        range.sort_unstable();
        let found = range.iter().take(MAX_VERIFY).find(|c| {
            exact(
                sched,
                stops,
                p,
                r.vehicle,
                &r.trips[tr],
                part,
                j.max_ride.is_some(),
                c,
            )
        })?;
        ins.delta += found.delta;
        ins.pos[tr] = (found.first, found.second);
    }
    Some(ins)
}

/// The cheapest verified insertion of `job` into one target.
pub fn best_in(
    ws: &mut Workspace,
    p: &Problem,
    sol: &Solution,
    t: &Target,
    job: u32,
    rng: &mut Rng,
    blink: f64,
) -> Option<Insertion> {
    ws.cands.clear();
    let rc = collect(ws, p, sol, t, job, rng, blink)?;
    verify(ws, p, t.route, &rc, job)
}

/// A lower bound on the cost change of putting `part` in `trip`: the cheapest distance
/// detour of its first stop alone. Inserting a stop never shortens a trip's duration, and
/// by the triangle inequality a pair's detour is at least its first stop's own, so the
/// bound holds on metric distances (the second stop's detour, the bound's other half,
/// measured not worth its cost). Lengths of fastest road paths and rounded distances
/// can break the inequality by a little; the bound then only orders and prunes the
/// candidates of a heuristic a little too eagerly, and never removes the last one.
fn detour_bound(p: &Problem, v: usize, trip: &Trip, part: Part) -> i64 {
    let x = p.stops[part.first as usize].loc;
    let k = trip.len();
    let mut a = trip.loc_before(p, v, 0);
    let mut least = i64::MAX;
    for pos in 0..=k {
        let b = trip.loc_at(p, v, pos);
        // The trip's own leg from `a` to `b` (0 for an empty trip: a weaker, valid bound).
        let leg = if pos < k {
            trip.dist_to(pos + 1) - trip.dist_to(pos)
        } else {
            trip.distance - trip.dist_to(k)
        };
        least = least.min(p.dist(a, x) + p.dist(x, b) - leg);
        a = b;
    }
    p.vehicles[v].per_distance * least.max(0)
}

/// The cheapest verified insertion of `job` over the solution's routes listed in `routes`
/// and, when `empties`, a new vehicle of every type with room. Routes are visited in order
/// of a cheap lower bound (route rules plus [`detour_bound`] per trip); a route's
/// positions are enumerated only while its bound is below the best verified insertion,
/// and verified only while their best is.
#[allow(clippy::too_many_arguments)]
pub fn best_insertion(
    ws: &mut Workspace,
    p: &Problem,
    sol: &Solution,
    job: u32,
    routes: &[usize],
    empties: bool,
    rng: &mut Rng,
    blink: f64,
) -> Option<Insertion> {
    best_two(ws, p, sol, job, routes, empties, rng, blink, false).0
}

/// The cheapest verified insertion of `job` and, when `second`, the cheapest on another
/// target (another route, or a new vehicle: [`keep_two`]), for regret insertion; the
/// search over routes is [`best_insertion`]'s, pruned at the second best instead of the
/// best.
#[allow(clippy::too_many_arguments)]
pub fn best_two(
    ws: &mut Workspace,
    p: &Problem,
    sol: &Solution,
    job: u32,
    routes: &[usize],
    empties: bool,
    rng: &mut Rng,
    blink: f64,
    second: bool,
) -> (Option<Insertion>, Option<Insertion>) {
    let j = &p.jobs[job as usize];
    let bound = |t: &Target| -> Option<(i64, i64)> {
        let rd = route_delta(p, sol, t, job)?;
        let trips: i64 = (0..p.trips)
            .filter_map(|tr| j.parts[tr].map(|part| (tr, part)))
            .map(|(tr, part)| detour_bound(p, t.route.vehicle, &t.route.trips[tr], part))
            .sum();
        Some((rd + trips, rd))
    };
    ws.order.clear();
    for &ri in routes {
        let t = Target {
            route: &sol.routes[ri],
            index: Some(ri),
            leaving: None,
        };
        if let Some((lb, rd)) = bound(&t) {
            ws.order.push(Bounded {
                lb,
                route: ri,
                vehicle: t.route.vehicle,
                route_delta: rd,
            });
        }
    }
    if empties {
        for v in 0..p.vehicles.len() {
            if !sol.has_room(p, v) {
                continue;
            }
            let t = Target {
                route: &ws.templates[v],
                index: None,
                leaving: None,
            };
            if let Some((lb, rd)) = bound(&t) {
                ws.order.push(Bounded {
                    lb,
                    route: usize::MAX,
                    vehicle: v,
                    route_delta: rd,
                });
            }
        }
    }
    ws.order
        .sort_unstable_by_key(|b| (b.lb, b.route, b.vehicle));
    let mut best: Option<Insertion> = None;
    let mut runner_up: Option<Insertion> = None;
    // Positions dearer than this cannot change the answer.
    let limit = |best: &Option<Insertion>, runner_up: &Option<Insertion>| -> Option<i64> {
        if second {
            runner_up.map(|r| r.delta)
        } else {
            best.map(|b| b.delta)
        }
    };
    for k in 0..ws.order.len() {
        let o = ws.order[k];
        if limit(&best, &runner_up).is_some_and(|l| l <= o.lb) {
            break;
        }
        // Never blinked: the new vehicle is the fallback that must always be there.
        let (route, index, blink) = if o.route == usize::MAX {
            (std::mem::take(&mut ws.templates[o.vehicle]), None, 0.0)
        } else {
            (Route::default(), Some(o.route), blink)
        };
        let r: &Route = match index {
            Some(ri) => &sol.routes[ri],
            None => &route,
        };
        let t = Target {
            route: r,
            index,
            leaving: None,
        };
        ws.cands.clear();
        let cut = limit(&best, &runner_up);
        let found = positions_of(ws, p, &t, job, rng, blink, o.route_delta)
            .filter(|rc| cut.is_none_or(|l| rc.bound < l))
            .and_then(|rc| verify(ws, p, r, &rc, job));
        if index.is_none() {
            ws.templates[o.vehicle] = route;
        }
        if let Some(f) = found {
            keep_two(&mut best, &mut runner_up, f);
        }
    }
    (best, runner_up)
}

/// Keeps the two cheapest insertions seen on different targets (ties to the lower route
/// index). Every new vehicle counts as one target, whatever its type: a job that only a
/// new vehicle takes has no second place, so regret insertion places it first (Ropke &
/// Pisinger's rule for jobs with fewer places than the regret's k).
pub fn keep_two(best: &mut Option<Insertion>, runner_up: &mut Option<Insertion>, c: Insertion) {
    let key = |i: &Insertion| (i.delta, i.route);
    let same = |i: &Option<Insertion>| i.is_some_and(|i| i.route == c.route);
    if best.is_none_or(|b| key(&c) < key(&b)) {
        if !same(best) {
            *runner_up = *best;
        }
        *best = Some(c);
    } else if !same(best) && runner_up.is_none_or(|r| key(&c) < key(&r)) {
        *runner_up = Some(c);
    }
}

/// (stops left, distance, duration) of a trip without the stops at positions `a ≤ b`
/// (`a == b` removes one stop).
pub fn trip_without(p: &Problem, v: usize, trip: &Trip, a: usize, b: usize) -> (usize, i64, i64) {
    let removed = if a == b { 1 } else { 2 };
    let left = trip.len() - removed;
    if left == 0 {
        return (0, 0, 0);
    }
    let mut dur = *trip.fwd_dur(a);
    let mut dist = trip.dist_to(a);
    let mut last = trip.loc_before(p, v, a);
    for i in a + 1..b {
        let s = trip.stops[i];
        let loc = p.stops[s as usize].loc;
        dur = dur.then(&p.stop_duration(s), p.time(last, loc));
        dist += p.dist(last, loc);
        last = loc;
    }
    let next = trip.loc_at(p, v, b + 1);
    dur = dur.then(trip.bwd_dur(b + 1), p.time(last, next));
    dist += p.dist(last, next) + trip.dist_from(b + 1);
    (left, dist, dur.duration)
}

/// Positions of a part's stops in a trip.
pub fn part_positions(trip: &Trip, part: Part) -> Option<(usize, usize)> {
    let a = trip.stops.iter().position(|&s| s == part.first)?;
    let b = if part.is_pair() {
        a + 1 + trip.stops[a + 1..].iter().position(|&s| s == part.last)?
    } else {
        a
    };
    Some((a, b))
}

/// Cost saved by taking `job` off its route (0 when unassigned). Exact: segment merges
/// over the trips the job is on, plus the fixed cost when the route empties, the
/// assistant's cost when no other job needs one, and a split the job's partner no longer
/// causes.
pub fn removal_gain(p: &Problem, sol: &Solution, job: u32) -> i64 {
    let Some(ri) = sol.route_of(job) else {
        return 0;
    };
    let r = &sol.routes[ri];
    let j = &p.jobs[job as usize];
    let split = if p.split_cost > 0 && sol.partner_elsewhere(p, job, Some(ri)) {
        p.split_cost
    } else {
        0
    };
    if r.jobs == 1 {
        return r.cost + split;
    }
    let v = r.vehicle;
    let vt = &p.vehicles[v];
    let mut gain = 0;
    for tr in 0..p.trips {
        let Some(part) = j.parts[tr] else { continue };
        let trip = &r.trips[tr];
        let Some((a, b)) = part_positions(trip, part) else {
            continue;
        };
        let (left, dist, dur) = trip_without(p, v, trip, a, b);
        gain += trip_cost(p, v, trip.len(), trip.distance, trip.duration)
            - trip_cost(p, v, left, dist, dur);
    }
    if j.needs_assistant && r.assistant_jobs == 1 {
        gain += vt.assistant_cost;
    }
    gain + split
}

/// A copy of route `r` without `job`, built in `out` (reusing its allocations).
pub fn route_without(p: &Problem, r: &Route, job: u32, out: &mut Route) {
    let j = &p.jobs[job as usize];
    out.vehicle = r.vehicle;
    for tr in 0..p.trips {
        out.trips[tr].copy_from(&r.trips[tr]);
        if let Some(part) = j.parts[tr] {
            out.trips[tr]
                .stops
                .retain(|&s| s != part.first && s != part.last);
            out.trips[tr].update(p, r.vehicle);
        }
    }
    out.refresh(p);
}

/// A copy of `r` with `job` inserted as `ins` says, built in `out`.
pub fn route_with(p: &Problem, r: &Route, job: u32, ins: &Insertion, out: &mut Route) {
    let j = &p.jobs[job as usize];
    out.vehicle = r.vehicle;
    for tr in 0..p.trips {
        out.trips[tr].copy_from(&r.trips[tr]);
        if let Some(part) = j.parts[tr] {
            let (a, b) = ins.pos[tr];
            out.trips[tr].stops.insert(a as usize, part.first);
            if part.is_pair() {
                out.trips[tr].stops.insert(b as usize, part.last);
            }
            out.trips[tr].update(p, r.vehicle);
        }
    }
    out.refresh(p);
}

/// Whether a route built by an operator keeps every rule: windows, capacity (with the
/// assistant's seat on every trip), trip duration, ride limits (exactly), skills, solo and
/// incompatible jobs. Vehicle counts are the caller's business.
pub fn route_feasible(ws: &mut Workspace, p: &Problem, r: &Route) -> bool {
    let v = r.vehicle;
    let vt = &p.vehicles[v];
    let assistant = r.assistant_jobs > 0;
    if r.solo_jobs > 0 && r.owner.is_none() && r.jobs > 1 {
        return false;
    }
    let (_, end) = p.depot_durations(v);
    for tr in &r.trips[..p.trips] {
        if tr.is_empty() {
            continue;
        }
        let last = tr.loc_before(p, v, tr.len());
        let dur = tr.fwd_dur(tr.len()).then(&end, p.time(last, vt.end));
        if !segment_feasible(p, v, &dur, tr.load(), assistant) {
            return false;
        }
        if tr.ride_limited > 0 && !ws.sched.run(p, v, &tr.stops) {
            return false;
        }
    }
    ws.stops.clear();
    ws.stops.extend(r.job_list(p));
    ws.stops.sort_unstable();
    ws.stops.iter().all(|&j| {
        p.can_carry(v, j)
            && p.jobs[j as usize]
                .incompatible
                .iter()
                .all(|o| ws.stops.binary_search(o).is_err())
    })
}

/// Routes worth trying for `job`: those holding its granular neighbours (and its own).
/// Small solutions are scanned whole.
pub fn near_routes(p: &Problem, sol: &Solution, job: u32, out: &mut Vec<usize>) {
    out.clear();
    if sol.routes.len() <= FULL_SCAN {
        out.extend(0..sol.routes.len());
        return;
    }
    if let Some(r) = sol.route_of(job) {
        out.push(r);
    }
    out.extend(p.near_jobs(job).iter().filter_map(|&n| sol.route_of(n)));
    out.sort_unstable();
    out.dedup();
}

/// Up to this many routes, insertion considers every route: on the demo, scanning all 51
/// routes instead of the neighbours' routes measured better per second (far routes with
/// an assistant or a wheelchair space, or that can chain a run, are good places too).
pub const FULL_SCAN: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(route: usize, vehicle: usize, delta: i64) -> Insertion {
        Insertion {
            route,
            vehicle,
            pos: [(0, 0); MAX_TRIPS],
            delta,
        }
    }

    #[test]
    fn keep_two_counts_every_new_vehicle_as_one_target() {
        let new = usize::MAX;
        let (mut best, mut second) = (None, None);
        // A new taxi, then a dearer new WAV: one target, so no second place yet.
        keep_two(&mut best, &mut second, at(new, 0, 100));
        keep_two(&mut best, &mut second, at(new, 1, 120));
        assert_eq!((best, second), (Some(at(new, 0, 100)), None));
        // A route is another target; a cheaper new vehicle replaces the old one in place.
        keep_two(&mut best, &mut second, at(3, 0, 150));
        keep_two(&mut best, &mut second, at(new, 1, 90));
        assert_eq!((best, second), (Some(at(new, 1, 90)), Some(at(3, 0, 150))));
        // A cheaper route pushes the best down to second.
        keep_two(&mut best, &mut second, at(5, 0, 80));
        assert_eq!((best, second), (Some(at(5, 0, 80)), Some(at(new, 1, 90))));
    }
}
