//! A solution (routes plus unassigned jobs), with the insertion and removal primitives that
//! every search component uses. All rule checks live here, layered: job-level (skills,
//! solo, incompatible), O(1) segment checks (windows, loads, duration), then the exact
//! ride-time schedule only for the candidate that survives.

use super::problem::{Problem, StopKind};
use super::route::{Route, route_cost, segment_feasible};
use super::schedule::schedule;
use super::segment::{Duration, Load};

/// Routes and unassigned jobs.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Non-empty routes.
    pub routes: Vec<Route>,
    /// Jobs not on any route.
    pub unassigned: Vec<u32>,
    /// Route index of each job (`u32::MAX` when unassigned).
    route_of: Vec<u32>,
    /// Vehicles in use per type.
    used: Vec<u32>,
}

/// Where and at what cost a job can be inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insertion {
    /// Route index, or `usize::MAX` for a new route.
    pub route: usize,
    /// Vehicle type (for a new route).
    pub vehicle: usize,
    /// Position of the (first) stop.
    pub first: usize,
    /// Position of the delivery in the route after inserting the pickup (pairs only).
    pub second: usize,
    /// Cost increase.
    pub delta: i64,
}

/// A small deterministic random number generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded; never zero.
    pub fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }
    /// Next 64 bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `0..n`.
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 32) as usize * n) >> 32
    }
}

/// How many insertion candidates are kept for the exact ride-time check.
const CANDIDATES: usize = 6;

impl Solution {
    /// Every job unassigned.
    pub fn empty(p: &Problem) -> Self {
        Solution {
            routes: Vec::new(),
            unassigned: (0..p.jobs.len() as u32).collect(),
            route_of: vec![u32::MAX; p.jobs.len()],
            used: vec![0; p.vehicles.len()],
        }
    }

    /// Builds a solution from routes given as stop lists; jobs on no route are unassigned.
    pub fn from_routes(p: &Problem, routes: Vec<(usize, Vec<u32>)>) -> Self {
        let mut s = Solution::empty(p);
        for (v, stops) in routes {
            if stops.is_empty() {
                continue;
            }
            let mut r = Route::new(p, v);
            r.stops = stops;
            r.update(p);
            s.used[v] += 1;
            s.routes.push(r);
        }
        s.reindex(p);
        s
    }

    fn reindex(&mut self, p: &Problem) {
        self.route_of.iter_mut().for_each(|x| *x = u32::MAX);
        for (i, r) in self.routes.iter().enumerate() {
            for j in r.jobs(p) {
                self.route_of[j as usize] = i as u32;
            }
        }
        self.unassigned = (0..p.jobs.len() as u32)
            .filter(|&j| self.route_of[j as usize] == u32::MAX)
            .collect();
    }

    /// Total cost including the penalty for unassigned jobs.
    pub fn cost(&self, p: &Problem) -> i64 {
        self.routes.iter().map(|r| r.cost).sum::<i64>()
            + self.unassigned.len() as i64 * p.unassigned_cost
    }

    /// Cost without the unassigned penalty.
    pub fn routes_cost(&self) -> i64 {
        self.routes.iter().map(|r| r.cost).sum()
    }

    /// Total distance.
    pub fn distance(&self) -> i64 {
        self.routes.iter().map(|r| r.distance).sum()
    }

    /// Route index of a job.
    pub fn route_of(&self, job: u32) -> Option<usize> {
        let r = self.route_of[job as usize];
        (r != u32::MAX).then_some(r as usize)
    }

    /// Vehicles in use of a type.
    pub fn used(&self, v: usize) -> u32 {
        self.used[v]
    }

    /// Job-level rules: skills, solo, incompatible jobs.
    pub fn allowed(&self, p: &Problem, job: u32, route: &Route) -> bool {
        let j = &p.jobs[job as usize];
        if !p.can_carry(route.vehicle, job) {
            return false;
        }
        if route.is_empty() {
            return true;
        }
        if j.solo || route.has_solo {
            return false;
        }
        if !j.incompatible.is_empty()
            && route
                .jobs(p)
                .any(|o| j.incompatible.binary_search(&o).is_ok())
        {
            return false;
        }
        true
    }

    /// Best insertions of `job` into `route` (appended to `out` as candidates), positions
    /// skipped with probability `blink`.
    #[allow(clippy::too_many_arguments)]
    fn insertions_into(
        &self,
        p: &Problem,
        job: u32,
        ri: usize,
        route: &Route,
        rng: &mut Rng,
        blink: f64,
        out: &mut Vec<Insertion>,
    ) {
        let j = &p.jobs[job as usize];
        let v = route.vehicle;
        let assistant = route.assistant_jobs > 0 || j.needs_assistant;
        let k = route.len();
        let old = route.cost;
        let push = |first: usize, second: usize, delta: i64, out: &mut Vec<Insertion>| {
            out.push(Insertion {
                route: ri,
                vehicle: v,
                first,
                second,
                delta,
            });
        };
        if j.stops.len() == 1 {
            let s = j.stops[0];
            let sd = p.stop_duration(s);
            let sl = p.stop_load(s);
            let loc = p.stops[s as usize].loc;
            for pos in 0..=k {
                if blink > 0.0 && rng.unit() < blink {
                    continue;
                }
                let (a, b) = (route.loc_before(p, pos), route.loc_at(p, pos));
                let dur = route
                    .fwd_dur(pos)
                    .then(&sd, p.time(a, loc))
                    .then(route.bwd_dur(pos), p.time(loc, b));
                let load = route.fwd_load(pos).then(&sl).then(route.bwd_load(pos));
                if !segment_feasible(p, v, &dur, &load, assistant) {
                    continue;
                }
                let dist = route.distance + p.dist(a, loc) + p.dist(loc, b) - p.dist(a, b);
                let delta = route_cost(p, v, k + 1, dist, dur.duration, assistant) - old;
                push(pos, pos, delta, out);
            }
        } else {
            let (ps, ds) = (j.stops[0], j.stops[1]);
            let (pd, dd) = (p.stop_duration(ps), p.stop_duration(ds));
            let (pl, dl) = (p.stop_load(ps), p.stop_load(ds));
            let (ploc, dloc) = (p.stops[ps as usize].loc, p.stops[ds as usize].loc);
            let cap = Route::capacity(p, v, assistant);
            for i in 0..=k {
                let a = route.loc_before(p, i);
                // Start depot, stops[..i], pickup.
                let mut acc_d = route.fwd_dur(i).then(&pd, p.time(a, ploc));
                let mut acc_l = route.fwd_load(i).then(&pl);
                if acc_d.warp > 0 || acc_l.excess(&cap) > 0 {
                    continue;
                }
                let mut acc_dist = route.dist_to(i) + p.dist(a, ploc);
                let mut last = ploc;
                let mut ride_lb = 0i64;
                for q in i..=k {
                    // Delivery right after `last`, then stops[q..] and the end depot.
                    let next = route.loc_at(p, q);
                    let ride = ride_lb + p.time(last, dloc);
                    if j.max_ride.is_some_and(|m| ride > m) {
                        break;
                    }
                    if !(blink > 0.0 && rng.unit() < blink) {
                        let dur = acc_d
                            .then(&dd, p.time(last, dloc))
                            .then(route.bwd_dur(q), p.time(dloc, next));
                        let load = acc_l.then(&dl).then(route.bwd_load(q));
                        if segment_feasible(p, v, &dur, &load, assistant) {
                            // Distance from stops[q] to the end depot is unchanged.
                            let tail = if q == k {
                                0
                            } else {
                                route.distance - route.dist_to(q + 1)
                            };
                            let dist_total =
                                acc_dist + p.dist(last, dloc) + p.dist(dloc, next) + tail;
                            let delta =
                                route_cost(p, v, k + 2, dist_total, dur.duration, assistant) - old;
                            push(i, q + 1, delta, out);
                        }
                    }
                    if q == k {
                        break;
                    }
                    // Extend the pickup-side segment with stops[q].
                    let s = route.stops[q];
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
    }

    /// The cheapest feasible insertion of `job` over all routes and new vehicles.
    pub fn best_insertion(
        &self,
        p: &Problem,
        job: u32,
        rng: &mut Rng,
        blink: f64,
        scratch: &mut Vec<Insertion>,
    ) -> Option<Insertion> {
        scratch.clear();
        for (ri, r) in self.routes.iter().enumerate() {
            if self.allowed(p, job, r) {
                self.insertions_into(p, job, ri, r, rng, blink, scratch);
            }
        }
        for v in 0..p.vehicles.len() {
            if p.vehicles[v].count.is_some_and(|c| self.used[v] >= c) || !p.can_carry(v, job) {
                continue;
            }
            let empty = Route::new(p, v);
            let before = scratch.len();
            self.insertions_into(p, job, usize::MAX, &empty, rng, 0.0, scratch);
            for c in &mut scratch[before..] {
                c.route = usize::MAX;
            }
        }
        self.pick_verified(p, job, scratch)
    }

    /// The cheapest feasible insertion of `job` into one route.
    pub fn best_insertion_in(
        &self,
        p: &Problem,
        job: u32,
        ri: usize,
        scratch: &mut Vec<Insertion>,
    ) -> Option<Insertion> {
        scratch.clear();
        let r = &self.routes[ri];
        if !self.allowed(p, job, r) {
            return None;
        }
        let mut rng = Rng::new(0);
        self.insertions_into(p, job, ri, r, &mut rng, 0.0, scratch);
        self.pick_verified(p, job, scratch)
    }

    /// Sorts candidates by cost and returns the first whose exact schedule (ride times)
    /// holds. Ties are broken by position, so results are deterministic.
    fn pick_verified(&self, p: &Problem, job: u32, cands: &mut [Insertion]) -> Option<Insertion> {
        if cands.is_empty() {
            return None;
        }
        let needs_exact = |c: &Insertion| -> bool {
            p.jobs[job as usize].max_ride.is_some()
                || (c.route != usize::MAX && self.routes[c.route].ride_limited_jobs > 0)
        };
        let take = cands.len().min(CANDIDATES);
        cands.select_nth_unstable_by_key(take - 1, |c| {
            (c.delta, c.route, c.vehicle, c.first, c.second)
        });
        let top = &mut cands[..take];
        top.sort_unstable_by_key(|c| (c.delta, c.route, c.vehicle, c.first, c.second));
        for c in top.iter() {
            if !needs_exact(c) {
                return Some(*c);
            }
            let stops = self.stops_after(p, job, c);
            if schedule(p, c.vehicle, &stops).is_some() {
                return Some(*c);
            }
        }
        None
    }

    fn stops_after(&self, p: &Problem, job: u32, c: &Insertion) -> Vec<u32> {
        let mut stops = if c.route == usize::MAX {
            Vec::new()
        } else {
            self.routes[c.route].stops.clone()
        };
        let j = &p.jobs[job as usize];
        stops.insert(c.first, j.stops[0]);
        if j.stops.len() == 2 {
            stops.insert(c.second, j.stops[1]);
        }
        stops
    }

    /// Applies an insertion.
    pub fn insert(&mut self, p: &Problem, job: u32, c: &Insertion) {
        let j = &p.jobs[job as usize];
        let ri = if c.route == usize::MAX {
            self.routes.push(Route::new(p, c.vehicle));
            self.used[c.vehicle] += 1;
            self.routes.len() - 1
        } else {
            c.route
        };
        let r = &mut self.routes[ri];
        r.stops.insert(c.first, j.stops[0]);
        if j.stops.len() == 2 {
            r.stops.insert(c.second, j.stops[1]);
        }
        r.update(p);
        self.route_of[job as usize] = ri as u32;
        if let Some(pos) = self.unassigned.iter().position(|&x| x == job) {
            self.unassigned.swap_remove(pos);
        }
    }

    /// Removes a job from its route (it becomes unassigned); empty routes are dropped.
    pub fn remove(&mut self, p: &Problem, job: u32) {
        let Some(ri) = self.route_of(job) else { return };
        let j = &p.jobs[job as usize];
        let r = &mut self.routes[ri];
        r.stops.retain(|s| !j.stops.contains(s));
        r.update(p);
        self.route_of[job as usize] = u32::MAX;
        self.unassigned.push(job);
        if self.routes[ri].is_empty() {
            let v = self.routes[ri].vehicle;
            self.used[v] -= 1;
            self.routes.swap_remove(ri);
            if ri < self.routes.len() {
                for jb in self.routes[ri].jobs(p).collect::<Vec<_>>() {
                    self.route_of[jb as usize] = ri as u32;
                }
            }
        }
    }

    /// Cost saved by removing a job from its route (exact, O(route length)).
    pub fn removal_gain(&self, p: &Problem, job: u32) -> i64 {
        let Some(ri) = self.route_of(job) else {
            return 0;
        };
        let r = &self.routes[ri];
        let j = &p.jobs[job as usize];
        let stops: Vec<u32> = r
            .stops
            .iter()
            .copied()
            .filter(|s| !j.stops.contains(s))
            .collect();
        r.cost - cost_of(p, r.vehicle, &stops).0
    }

    /// Replaces a route's stops (the caller guarantees feasibility), keeping indexes right.
    pub fn set_route(&mut self, p: &Problem, ri: usize, stops: Vec<u32>) {
        self.routes[ri].stops = stops;
        self.routes[ri].update(p);
        for jb in self.routes[ri].jobs(p).collect::<Vec<_>>() {
            self.route_of[jb as usize] = ri as u32;
        }
        if self.routes[ri].is_empty() {
            let v = self.routes[ri].vehicle;
            self.used[v] -= 1;
            self.routes.swap_remove(ri);
            self.reindex(p);
        }
    }

    /// Sorts routes into a canonical order (by first stop) so equal solutions print alike.
    pub fn normalize(&mut self, p: &Problem) {
        self.routes
            .sort_by_key(|r| (r.stops.first().copied(), r.vehicle));
        self.reindex(p);
        self.unassigned.sort_unstable();
    }
}

/// Cost of a stop sequence on a vehicle type, and whether it satisfies windows, loads and
/// duration (ride times not included).
pub fn cost_of(p: &Problem, v: usize, stops: &[u32]) -> (i64, bool) {
    let (start, end) = p.depot_durations(v);
    let mut d: Duration = start;
    let mut l = Load::default();
    let mut prev = p.vehicles[v].start;
    let mut dist = 0;
    let mut assistant = false;
    for &s in stops {
        let st = &p.stops[s as usize];
        d = d.then(&p.stop_duration(s), p.time(prev, st.loc));
        l = l.then(&p.stop_load(s));
        dist += p.dist(prev, st.loc);
        prev = st.loc;
        if st.kind != StopKind::Delivery && p.jobs[st.job as usize].needs_assistant {
            assistant = true;
        }
    }
    let endl = p.vehicles[v].end;
    d = d.then(&end, p.time(prev, endl));
    dist += p.dist(prev, endl);
    let cost = route_cost(p, v, stops.len(), dist, d.duration, assistant);
    (cost, segment_feasible(p, v, &d, &l, assistant))
}
