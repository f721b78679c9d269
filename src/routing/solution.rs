//! A solution: routes (vehicle-days), unassigned jobs, and the bookkeeping every search
//! component relies on — which route holds each job, vehicles in use per type, partner
//! jobs split across routes, and a move counter that stamps each changed route.
//!
//! Routes are shared copy-on-write (`Arc`): cloning a solution copies pointers, and a
//! route is copied only when a move changes it, so the search can keep a current, a
//! candidate and a best solution at county size without copying every route each time.

use super::evaluate::Insertion;
use super::problem::Problem;
use super::route::Route;
use std::sync::Arc;

/// Marks "no route" in [`Solution::route_of`].
const NONE: u32 = u32::MAX;

/// Routes and unassigned jobs.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Non-empty routes.
    pub routes: Vec<Arc<Route>>,
    /// Jobs not on any route.
    pub unassigned: Vec<u32>,
    route_of: Vec<u32>,
    used: Vec<u32>,
    split: u32,
    clock: u64,
}

impl Solution {
    /// Every job unassigned.
    pub fn empty(p: &Problem) -> Self {
        Solution {
            routes: Vec::new(),
            unassigned: (0..p.jobs.len() as u32).collect(),
            route_of: vec![NONE; p.jobs.len()],
            used: vec![0; p.vehicles.len()],
            split: 0,
            clock: 0,
        }
    }

    /// Builds a solution from routes given as (vehicle type, stops per trip); jobs on no
    /// route are unassigned. The caller guarantees each job appears on at most one route.
    pub fn from_routes(p: &Problem, routes: Vec<(usize, Vec<Vec<u32>>)>) -> Self {
        let mut s = Solution::empty(p);
        for (v, trips) in routes {
            let r = Route::with_trips(p, v, &trips);
            if r.is_empty() {
                continue;
            }
            s.used[v] += 1;
            s.routes.push(Arc::new(r));
        }
        s.reindex(p);
        s
    }

    fn reindex(&mut self, p: &Problem) {
        self.route_of.iter_mut().for_each(|x| *x = NONE);
        for (i, r) in self.routes.iter().enumerate() {
            for j in r.job_list(p) {
                self.route_of[j as usize] = i as u32;
            }
        }
        self.unassigned = (0..p.jobs.len() as u32)
            .filter(|&j| self.route_of[j as usize] == NONE)
            .collect();
        self.recount_split(p);
    }

    fn recount_split(&mut self, p: &Problem) {
        self.split = 0;
        for (j, job) in p.jobs.iter().enumerate() {
            if let Some(q) = job.partner
                && (q as usize) > j
            {
                let (a, b) = (self.route_of[j], self.route_of[q as usize]);
                if a != NONE && b != NONE && a != b {
                    self.split += 1;
                }
            }
        }
    }

    /// Total cost: routes, unassigned jobs, and partners split across routes.
    pub fn cost(&self, p: &Problem) -> i64 {
        self.routes_cost()
            + self.unassigned.len() as i64 * p.unassigned_cost
            + self.split as i64 * p.split_cost
    }

    /// Cost of the routes alone.
    pub fn routes_cost(&self) -> i64 {
        self.routes.iter().map(|r| r.cost).sum()
    }

    /// Total distance.
    pub fn distance(&self) -> i64 {
        self.routes.iter().map(|r| r.distance()).sum()
    }

    /// Partner pairs on different routes.
    pub fn splits(&self) -> u32 {
        self.split
    }

    /// Route index of a job.
    #[inline]
    pub fn route_of(&self, job: u32) -> Option<usize> {
        let r = self.route_of[job as usize];
        (r != NONE).then_some(r as usize)
    }

    /// Vehicles in use of a type.
    #[inline]
    pub fn used(&self, v: usize) -> u32 {
        self.used[v]
    }

    /// Whether another vehicle of type `v` may be used.
    #[inline]
    pub fn has_room(&self, p: &Problem, v: usize) -> bool {
        p.vehicles[v].count.is_none_or(|c| self.used[v] < c)
    }

    /// Whether no type has more vehicles in use than the fleet has (a solution put
    /// together from parts of others may not).
    pub fn within_fleet(&self, p: &Problem) -> bool {
        p.vehicles
            .iter()
            .zip(&self.used)
            .all(|(v, &n)| v.count.is_none_or(|c| n <= c))
    }

    /// The move counter: every change stamps the routes it touches with a new value.
    pub fn clock(&self) -> u64 {
        self.clock
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// Whether job `j`'s partner is assigned to a route other than `r`.
    #[inline]
    pub fn partner_elsewhere(&self, p: &Problem, j: u32, r: Option<usize>) -> bool {
        match p.jobs[j as usize].partner {
            Some(q) => match self.route_of(q) {
                Some(rq) => Some(rq) != r,
                None => false,
            },
            None => false,
        }
    }

    /// Applies an insertion.
    pub fn insert(&mut self, p: &Problem, job: u32, c: &Insertion) {
        let j = &p.jobs[job as usize];
        let ri = if c.route == usize::MAX {
            self.routes.push(Arc::new(Route::new(p, c.vehicle)));
            self.used[c.vehicle] += 1;
            self.routes.len() - 1
        } else {
            c.route
        };
        if self.partner_elsewhere(p, job, Some(ri)) {
            self.split += 1;
        }
        let stamp = self.tick();
        let r = Arc::make_mut(&mut self.routes[ri]);
        for t in 0..p.trips {
            if let Some(part) = j.parts[t] {
                let (a, b) = c.pos[t];
                let trip = &mut r.trips[t];
                trip.stops.insert(a as usize, part.first);
                if part.is_pair() {
                    trip.stops.insert(b as usize, part.last);
                }
                trip.update(p, r.vehicle);
            }
        }
        r.refresh(p);
        r.stamp = stamp;
        self.route_of[job as usize] = ri as u32;
        if let Some(pos) = self.unassigned.iter().position(|&x| x == job) {
            self.unassigned.swap_remove(pos);
        }
    }

    /// Removes a job from its route (it becomes unassigned); empty routes are dropped.
    pub fn remove(&mut self, p: &Problem, job: u32) {
        let Some(ri) = self.route_of(job) else { return };
        if self.partner_elsewhere(p, job, Some(ri)) {
            self.split -= 1;
        }
        let j = &p.jobs[job as usize];
        let stamp = self.tick();
        let r = Arc::make_mut(&mut self.routes[ri]);
        for t in 0..p.trips {
            if let Some(part) = j.parts[t] {
                let trip = &mut r.trips[t];
                trip.stops.retain(|&s| s != part.first && s != part.last);
                trip.update(p, r.vehicle);
            }
        }
        r.refresh(p);
        r.stamp = stamp;
        self.route_of[job as usize] = NONE;
        self.unassigned.push(job);
        if self.routes[ri].is_empty() {
            self.drop_route(p, ri);
        }
    }

    fn drop_route(&mut self, p: &Problem, ri: usize) {
        let v = self.routes[ri].vehicle;
        self.used[v] -= 1;
        self.routes.swap_remove(ri);
        if ri < self.routes.len() {
            let moved = Arc::clone(&self.routes[ri]);
            for jb in moved.job_list(p) {
                self.route_of[jb as usize] = ri as u32;
            }
        }
    }

    /// Replaces route `ri` by `route` (the caller guarantees it is feasible and that its
    /// jobs are exactly those of the old route plus any now taken off other routes, which
    /// the caller has already removed or replaces next). Returns the index the route ends
    /// up at (`None` when it was empty and dropped; indices of later routes may change).
    pub fn set_route(&mut self, p: &Problem, ri: usize, mut route: Route) -> Option<usize> {
        let old_jobs: Vec<u32> = self.routes[ri].job_list(p).collect();
        for j in old_jobs {
            if self.route_of[j as usize] == ri as u32 {
                self.route_of[j as usize] = NONE;
            }
        }
        if self.routes[ri].vehicle != route.vehicle {
            self.used[self.routes[ri].vehicle] -= 1;
            self.used[route.vehicle] += 1;
        }
        route.stamp = self.tick();
        for j in route.job_list(p) {
            self.route_of[j as usize] = ri as u32;
            if let Some(pos) = self.unassigned.iter().position(|&x| x == j) {
                self.unassigned.swap_remove(pos);
            }
        }
        let empty = route.is_empty();
        self.routes[ri] = Arc::new(route);
        if empty {
            self.drop_route(p, ri);
        }
        // Jobs left without a route by the caller's exchange become unassigned.
        self.unassigned.clear();
        self.unassigned
            .extend((0..p.jobs.len() as u32).filter(|&j| self.route_of[j as usize] == NONE));
        if p.split_cost > 0 || p.jobs.iter().any(|j| j.partner.is_some()) {
            self.recount_split(p);
        }
        (!empty).then_some(ri)
    }

    /// Replaces two routes at once (an exchange between them), keeping indices right.
    pub fn set_pair(&mut self, p: &Problem, r1: usize, a: Route, r2: usize, b: Route) {
        // Detach both routes' jobs first, so neither replacement sees the other's.
        for ri in [r1, r2] {
            let jobs: Vec<u32> = self.routes[ri].job_list(p).collect();
            for j in jobs {
                self.route_of[j as usize] = NONE;
            }
        }
        // The higher index first: dropping it (if empty) cannot move the lower one.
        let (hi, lo) = if r1 > r2 {
            ((r1, a), (r2, b))
        } else {
            ((r2, b), (r1, a))
        };
        self.set_route(p, hi.0, hi.1);
        self.set_route(p, lo.0, lo.1);
    }

    /// Sorts routes into a canonical order (by first stop) so equal solutions print alike.
    pub fn normalize(&mut self, p: &Problem) {
        self.routes.sort_by_key(|r| {
            (
                r.trips.iter().find_map(|t| t.stops.first().copied()),
                r.vehicle,
            )
        });
        self.reindex(p);
        self.unassigned.sort_unstable();
    }

    /// The routes as (vehicle type, stops per trip), e.g. to rebuild the solution in
    /// another problem over the same jobs.
    pub fn to_routes(&self, p: &Problem) -> Vec<(usize, Vec<Vec<u32>>)> {
        self.routes
            .iter()
            .map(|r| {
                (
                    r.vehicle,
                    r.trips[..p.trips].iter().map(|t| t.stops.clone()).collect(),
                )
            })
            .collect()
    }
}
