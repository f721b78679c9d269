//! A route with cached forward and backward segments, so that a move is evaluated from a
//! few O(1) merges instead of a re-simulation.

use super::problem::Problem;
use super::segment::{DIMS, Duration, Load};

/// One vehicle's sequence of stops (depots implied by the vehicle type).
#[derive(Debug, Clone)]
pub struct Route {
    /// Vehicle type index.
    pub vehicle: usize,
    /// Stop indices in visiting order.
    pub stops: Vec<u32>,
    /// `fwd_dur[p]` = start depot followed by `stops[..p]`.
    fwd_dur: Vec<Duration>,
    /// `bwd_dur[p]` = `stops[p..]` followed by the end depot.
    bwd_dur: Vec<Duration>,
    fwd_load: Vec<Load>,
    bwd_load: Vec<Load>,
    /// `cum_dist[p]` = distance from the start depot to `stops[p - 1]` (`cum_dist[0]` = 0).
    cum_dist: Vec<i64>,
    /// Jobs on the route needing an assistant.
    pub assistant_jobs: u32,
    /// Jobs on the route with a ride-time limit.
    pub ride_limited_jobs: u32,
    /// A solo job is on the route.
    pub has_solo: bool,
    /// Cost of the route (0 when empty).
    pub cost: i64,
    /// Total distance.
    pub distance: i64,
    /// Total duration (depot to depot).
    pub duration: i64,
}

impl Route {
    /// An empty route for a vehicle type.
    pub fn new(p: &Problem, vehicle: usize) -> Self {
        let mut r = Route {
            vehicle,
            stops: Vec::new(),
            fwd_dur: Vec::new(),
            bwd_dur: Vec::new(),
            fwd_load: Vec::new(),
            bwd_load: Vec::new(),
            cum_dist: Vec::new(),
            assistant_jobs: 0,
            ride_limited_jobs: 0,
            has_solo: false,
            cost: 0,
            distance: 0,
            duration: 0,
        };
        r.update(p);
        r
    }

    /// Number of stops.
    pub fn len(&self) -> usize {
        self.stops.len()
    }

    /// No stops.
    pub fn is_empty(&self) -> bool {
        self.stops.is_empty()
    }

    /// Location before insertion position `pos` (the start depot for 0).
    #[inline]
    pub fn loc_before(&self, p: &Problem, pos: usize) -> u32 {
        if pos == 0 {
            p.vehicles[self.vehicle].start
        } else {
            p.stops[self.stops[pos - 1] as usize].loc
        }
    }

    /// Location at insertion position `pos` (the end depot for `len`).
    #[inline]
    pub fn loc_at(&self, p: &Problem, pos: usize) -> u32 {
        if pos == self.stops.len() {
            p.vehicles[self.vehicle].end
        } else {
            p.stops[self.stops[pos] as usize].loc
        }
    }

    /// Start depot followed by `stops[..pos]`.
    #[inline]
    pub fn fwd_dur(&self, pos: usize) -> &Duration {
        &self.fwd_dur[pos]
    }
    /// `stops[pos..]` followed by the end depot.
    #[inline]
    pub fn bwd_dur(&self, pos: usize) -> &Duration {
        &self.bwd_dur[pos]
    }
    /// Load of `stops[..pos]`.
    #[inline]
    pub fn fwd_load(&self, pos: usize) -> &Load {
        &self.fwd_load[pos]
    }
    /// Load of `stops[pos..]`.
    #[inline]
    pub fn bwd_load(&self, pos: usize) -> &Load {
        &self.bwd_load[pos]
    }
    /// Distance from the start depot to the stop before position `pos`.
    #[inline]
    pub fn dist_to(&self, pos: usize) -> i64 {
        self.cum_dist[pos]
    }

    /// Recomputes every cache after the stops changed. O(len).
    pub fn update(&mut self, p: &Problem) {
        let k = self.stops.len();
        let (start, end) = p.depot_durations(self.vehicle);
        self.fwd_dur.clear();
        self.fwd_load.clear();
        self.cum_dist.clear();
        self.fwd_dur.push(start);
        self.fwd_load.push(Load::default());
        self.cum_dist.push(0);
        let mut prev = p.vehicles[self.vehicle].start;
        for i in 0..k {
            let s = self.stops[i];
            let loc = p.stops[s as usize].loc;
            let d = self.fwd_dur[i].then(&p.stop_duration(s), p.time(prev, loc));
            let l = self.fwd_load[i].then(&p.stop_load(s));
            self.fwd_dur.push(d);
            self.fwd_load.push(l);
            self.cum_dist.push(self.cum_dist[i] + p.dist(prev, loc));
            prev = loc;
        }
        self.bwd_dur.clear();
        self.bwd_dur.resize(k + 1, end);
        self.bwd_load.clear();
        self.bwd_load.resize(k + 1, Load::default());
        let mut next = p.vehicles[self.vehicle].end;
        for i in (0..k).rev() {
            let s = self.stops[i];
            let loc = p.stops[s as usize].loc;
            self.bwd_dur[i] = p
                .stop_duration(s)
                .then(&self.bwd_dur[i + 1], p.time(loc, next));
            self.bwd_load[i] = p.stop_load(s).then(&self.bwd_load[i + 1]);
            next = loc;
        }
        let full = self.fwd_dur[k].then(&end, p.time(prev, p.vehicles[self.vehicle].end));
        self.distance = self.cum_dist[k] + p.dist(prev, p.vehicles[self.vehicle].end);
        self.duration = full.duration;
        self.assistant_jobs = 0;
        self.ride_limited_jobs = 0;
        self.has_solo = false;
        for &s in &self.stops {
            let st = &p.stops[s as usize];
            if st.kind == super::problem::StopKind::Delivery {
                continue;
            }
            let j = &p.jobs[st.job as usize];
            self.assistant_jobs += u32::from(j.needs_assistant);
            self.ride_limited_jobs += u32::from(j.max_ride.is_some());
            self.has_solo |= j.solo;
        }
        self.cost = route_cost(
            p,
            self.vehicle,
            k,
            self.distance,
            self.duration,
            self.assistant_jobs > 0,
        );
    }

    /// Jobs on the route (each once).
    pub fn jobs<'a>(&'a self, p: &'a Problem) -> impl Iterator<Item = u32> + 'a {
        self.stops
            .iter()
            .filter(|&&s| p.stops[s as usize].kind != super::problem::StopKind::Delivery)
            .map(|&s| p.stops[s as usize].job)
    }

    /// Capacity available to pupils, given whether an assistant rides.
    #[inline]
    pub fn capacity(p: &Problem, vehicle: usize, assistant: bool) -> [i32; DIMS] {
        let vt = &p.vehicles[vehicle];
        let mut c = vt.capacity;
        if assistant {
            c[0] -= vt.assistant_seats;
        }
        c
    }
}

/// Cost of a route with `stops` stops, `distance`, `duration` and an assistant or not.
#[inline]
pub fn route_cost(
    p: &Problem,
    vehicle: usize,
    stops: usize,
    distance: i64,
    duration: i64,
    assistant: bool,
) -> i64 {
    if stops == 0 {
        return 0;
    }
    let vt = &p.vehicles[vehicle];
    vt.fixed
        + vt.per_distance * distance
        + vt.per_time * duration
        + if assistant { vt.assistant_cost } else { 0 }
}

/// Whether a finished route segment (depot to depot) respects windows, capacity and the
/// duration limit.
#[inline]
pub fn segment_feasible(
    p: &Problem,
    vehicle: usize,
    dur: &Duration,
    load: &Load,
    assistant: bool,
) -> bool {
    if dur.warp > 0 || load.excess(&Route::capacity(p, vehicle, assistant)) > 0 {
        return false;
    }
    match p.vehicles[vehicle].max_duration {
        Some(m) => dur.duration <= m,
        None => true,
    }
}
