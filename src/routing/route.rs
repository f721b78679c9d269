//! A route is one vehicle's day: one trip per run of the day (morning, afternoon), each
//! with cached forward and backward segments, so that a move is evaluated from a few O(1)
//! merges instead of a re-simulation. One formula turns trips into the route's cost.

use super::problem::{MAX_TRIPS, Problem, StopKind};
use super::segment::{Duration, Load};

/// One trip of a route: stops in order, open or from a depot as the vehicle type says.
#[derive(Debug, Clone, Default)]
pub struct Trip {
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
    /// Total distance (depot to depot; 0 when empty).
    pub distance: i64,
    /// Total duration, waiting included (0 when empty).
    pub duration: i64,
    /// Pairs on the trip with a ride-time limit.
    pub ride_limited: u32,
}

impl Trip {
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
    pub fn loc_before(&self, p: &Problem, v: usize, pos: usize) -> u32 {
        if pos == 0 {
            p.vehicles[v].start
        } else {
            p.stops[self.stops[pos - 1] as usize].loc
        }
    }

    /// Location at insertion position `pos` (the end depot for `len`).
    #[inline]
    pub fn loc_at(&self, p: &Problem, v: usize, pos: usize) -> u32 {
        if pos == self.stops.len() {
            p.vehicles[v].end
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
    /// Distance from the stop at `pos` to the end depot (0 at `len`).
    #[inline]
    pub fn dist_from(&self, pos: usize) -> i64 {
        if pos >= self.stops.len() {
            0
        } else {
            self.distance - self.cum_dist[pos + 1]
        }
    }
    /// Peak load of the whole trip.
    #[inline]
    pub fn load(&self) -> &Load {
        &self.fwd_load[self.stops.len()]
    }

    /// Recomputes every cache after the stops changed. O(len).
    pub fn update(&mut self, p: &Problem, v: usize) {
        let k = self.stops.len();
        let (start, end) = p.depot_durations(v);
        let vt = &p.vehicles[v];
        self.fwd_dur.clear();
        self.fwd_load.clear();
        self.cum_dist.clear();
        self.fwd_dur.push(start);
        self.fwd_load.push(Load::default());
        self.cum_dist.push(0);
        let mut prev = vt.start;
        self.ride_limited = 0;
        for i in 0..k {
            let s = self.stops[i];
            let st = &p.stops[s as usize];
            let d = self.fwd_dur[i].then(&p.stop_duration(s), p.time(prev, st.loc));
            let l = self.fwd_load[i].then(&p.stop_load(s));
            self.fwd_dur.push(d);
            self.fwd_load.push(l);
            self.cum_dist.push(self.cum_dist[i] + p.dist(prev, st.loc));
            prev = st.loc;
            if st.kind == StopKind::Pickup && p.jobs[st.job as usize].max_ride.is_some() {
                self.ride_limited += 1;
            }
        }
        self.bwd_dur.clear();
        self.bwd_dur.resize(k + 1, end);
        self.bwd_load.clear();
        self.bwd_load.resize(k + 1, Load::default());
        let mut next = vt.end;
        for i in (0..k).rev() {
            let s = self.stops[i];
            let loc = p.stops[s as usize].loc;
            self.bwd_dur[i] = p
                .stop_duration(s)
                .then(&self.bwd_dur[i + 1], p.time(loc, next));
            self.bwd_load[i] = p.stop_load(s).then(&self.bwd_load[i + 1]);
            next = loc;
        }
        if k == 0 {
            self.distance = 0;
            self.duration = 0;
        } else {
            let full = self.fwd_dur[k].then(&end, p.time(prev, vt.end));
            self.distance = self.cum_dist[k] + p.dist(prev, vt.end);
            self.duration = full.duration;
        }
    }

    /// Copies another trip's stops and caches, reusing this trip's allocations.
    pub fn copy_from(&mut self, o: &Trip) {
        self.stops.clone_from(&o.stops);
        self.fwd_dur.clone_from(&o.fwd_dur);
        self.bwd_dur.clone_from(&o.bwd_dur);
        self.fwd_load.clone_from(&o.fwd_load);
        self.bwd_load.clone_from(&o.bwd_load);
        self.cum_dist.clone_from(&o.cum_dist);
        self.distance = o.distance;
        self.duration = o.duration;
        self.ride_limited = o.ride_limited;
    }
}

/// One vehicle's day: its trips and what the route-level rules need to know.
#[derive(Debug, Clone, Default)]
pub struct Route {
    /// Vehicle type index.
    pub vehicle: usize,
    /// One trip per run of the day (only the first [`Problem::trips`] are used).
    pub trips: [Trip; MAX_TRIPS],
    /// Jobs on the route.
    pub jobs: u32,
    /// Jobs on the route needing an assistant.
    pub assistant_jobs: u32,
    /// Solo jobs on the route.
    pub solo_jobs: u32,
    /// The owner of every job on the route, when they all share one.
    pub owner: Option<u32>,
    /// Cost of the route (0 when empty).
    pub cost: i64,
    /// When the route last changed (the solution's move counter), for the local search.
    pub stamp: u64,
}

impl Route {
    /// An empty route for a vehicle type.
    pub fn new(p: &Problem, vehicle: usize) -> Self {
        let mut r = Route {
            vehicle,
            ..Default::default()
        };
        r.update(p);
        r
    }

    /// A route with the given stops per trip.
    pub fn with_trips(p: &Problem, vehicle: usize, trips: &[Vec<u32>]) -> Self {
        let mut r = Route {
            vehicle,
            ..Default::default()
        };
        for (t, stops) in trips.iter().enumerate().take(MAX_TRIPS) {
            r.trips[t].stops.clone_from(stops);
        }
        r.update(p);
        r
    }

    /// Stops over all trips.
    pub fn len(&self) -> usize {
        self.trips.iter().map(Trip::len).sum()
    }

    /// No stops in any trip.
    pub fn is_empty(&self) -> bool {
        self.jobs == 0
    }

    /// Total distance over trips.
    pub fn distance(&self) -> i64 {
        self.trips.iter().map(|t| t.distance).sum()
    }

    /// Total duration over trips.
    pub fn duration(&self) -> i64 {
        self.trips.iter().map(|t| t.duration).sum()
    }

    /// Jobs on the route, each once, in the order of their first stop (trip by trip).
    pub fn job_list<'a>(&'a self, p: &'a Problem) -> impl Iterator<Item = u32> + 'a {
        self.trips.iter().flat_map(move |t| {
            t.stops.iter().filter_map(move |&s| {
                let st = &p.stops[s as usize];
                let job = &p.jobs[st.job as usize];
                // A job is listed at the first stop of its first part.
                let first = job.parts.iter().flatten().next().map(|x| x.first);
                (first == Some(s)).then_some(st.job)
            })
        })
    }

    /// Recomputes every trip and the route-level aggregates. O(len).
    pub fn update(&mut self, p: &Problem) {
        let v = self.vehicle;
        for t in 0..p.trips {
            self.trips[t].update(p, v);
        }
        self.refresh(p);
    }

    /// Recomputes one trip and the route-level aggregates.
    pub fn update_trip(&mut self, p: &Problem, t: usize) {
        self.trips[t].update(p, self.vehicle);
        self.refresh(p);
    }

    /// Recomputes the route-level aggregates and the cost from the trips.
    pub fn refresh(&mut self, p: &Problem) {
        let (mut jobs, mut assistant, mut solo) = (0u32, 0u32, 0u32);
        let mut owner = None;
        let mut mixed = false;
        for j in self.job_list(p) {
            let job = &p.jobs[j as usize];
            jobs += 1;
            assistant += u32::from(job.needs_assistant);
            solo += u32::from(job.solo);
            match owner {
                None if !mixed => owner = Some(job.owner),
                Some(o) if o != job.owner => {
                    owner = None;
                    mixed = true;
                }
                _ => {}
            }
        }
        self.jobs = jobs;
        self.assistant_jobs = assistant;
        self.solo_jobs = solo;
        self.owner = owner;
        self.cost = route_cost(
            p,
            self.vehicle,
            self.trips[..p.trips]
                .iter()
                .map(|t| (t.len(), t.distance, t.duration)),
            assistant > 0,
        );
    }
}

/// The cost of a route: the vehicle's fixed cost once (if any trip has a stop), each
/// non-empty trip's distance and duration at the vehicle's rates, and the assistant's cost
/// once when any job on the route needs one. This is the one cost formula of the engine.
#[inline]
pub fn route_cost(
    p: &Problem,
    vehicle: usize,
    trips: impl Iterator<Item = (usize, i64, i64)>,
    assistant: bool,
) -> i64 {
    let vt = &p.vehicles[vehicle];
    let mut used = false;
    let mut variable = 0i64;
    for (stops, distance, duration) in trips {
        if stops > 0 {
            used = true;
            variable += vt.per_distance * distance + vt.per_time * duration;
        }
    }
    if !used {
        return 0;
    }
    vt.fixed + variable + if assistant { vt.assistant_cost } else { 0 }
}

/// The variable cost of one trip of `stops` stops.
#[inline]
pub fn trip_cost(p: &Problem, vehicle: usize, stops: usize, distance: i64, duration: i64) -> i64 {
    if stops == 0 {
        return 0;
    }
    let vt = &p.vehicles[vehicle];
    vt.per_distance * distance + vt.per_time * duration
}

/// Whether a finished trip segment (depot to depot) respects windows, capacity and the
/// duration limit.
#[inline]
pub fn segment_feasible(
    p: &Problem,
    vehicle: usize,
    dur: &Duration,
    load: &Load,
    assistant: bool,
) -> bool {
    if dur.warp > 0 || load.excess(&p.capacity(vehicle, assistant)) > 0 {
        return false;
    }
    match p.vehicles[vehicle].max_duration {
        Some(m) => dur.duration <= m,
        None => true,
    }
}
