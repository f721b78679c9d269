//! The immutable routing problem: travel matrices shared read-only between the problems
//! built on them, stops, jobs (single visits or pickup→delivery pairs, in one or more trips
//! of a vehicle's day), vehicle types, and the rules that bind them.

use super::segment::{DIMS, Duration, Load};
use rayon::prelude::*;
use std::sync::Arc;

/// Most trips (runs of a day, e.g. morning and afternoon) a route may have.
pub const MAX_TRIPS: usize = 2;

/// Largest travel time or distance between two locations; larger values (unreachable
/// pairs) are clamped to it, which keeps every sum of a route far from overflow.
pub const FAR: i64 = (i32::MAX / 4) as i64;

/// Travel times and distances between locations, plus one extra location at zero
/// distance and time from and to everything (the start and end of open routes). Built once
/// and shared (`Arc`) by every problem on the same places.
#[derive(Debug, Clone)]
pub struct Travel {
    n: usize,
    /// (distance, time) per ordered pair, interleaved so one lookup fetches both.
    cells: Vec<[i32; 2]>,
}

impl Travel {
    /// From `n × n` row-major matrices over the caller's locations. Negative values are
    /// not allowed; values above [`FAR`] (unreachable) are clamped to it.
    pub fn new(n: usize, dist: &[i64], time: &[i64]) -> Result<Self, String> {
        if dist.len() != n * n || time.len() != n * n {
            return Err(format!("travel matrices must be {n} × {n}"));
        }
        if let Some(x) = dist.iter().chain(time).find(|&&x| x < 0) {
            return Err(format!("a negative travel time or distance ({x})"));
        }
        Ok(Self::from_fn(n, |i, j| (dist[i * n + j], time[i * n + j])))
    }

    /// From a function giving (distance, time) between locations `i` and `j` of `0..n`.
    pub fn from_fn(n: usize, f: impl Fn(usize, usize) -> (i64, i64) + Sync) -> Self {
        let m = n + 1;
        let mut cells = vec![[0i32; 2]; m * m];
        cells
            .par_chunks_mut(m)
            .take(n)
            .enumerate()
            .for_each(|(i, row)| {
                for (j, c) in row.iter_mut().enumerate().take(n) {
                    let (d, t) = f(i, j);
                    *c = [d.clamp(0, FAR) as i32, t.clamp(0, FAR) as i32];
                }
            });
        Travel { n: m, cells }
    }

    /// The zero-cost location used for open starts and ends.
    pub fn anywhere(&self) -> u32 {
        (self.n - 1) as u32
    }

    /// Locations, [`Travel::anywhere`] included.
    pub fn len(&self) -> usize {
        self.n
    }

    /// No locations but the "anywhere" one.
    pub fn is_empty(&self) -> bool {
        self.n <= 1
    }

    /// Distance between locations.
    #[inline]
    pub fn dist(&self, a: u32, b: u32) -> i64 {
        self.cells[a as usize * self.n + b as usize][0] as i64
    }

    /// Travel time between locations.
    #[inline]
    pub fn time(&self, a: u32, b: u32) -> i64 {
        self.cells[a as usize * self.n + b as usize][1] as i64
    }

    /// Distance and travel time between locations.
    #[inline]
    pub fn both(&self, a: u32, b: u32) -> (i64, i64) {
        let c = self.cells[a as usize * self.n + b as usize];
        (c[0] as i64, c[1] as i64)
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        8 * self.cells.len()
    }
}

/// What a stop does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopKind {
    /// A single visit (a delivery from, or pickup to, the depot).
    Visit,
    /// The pickup half of a pair.
    Pickup,
    /// The delivery half of a pair.
    Delivery,
}

/// One stop a vehicle makes.
#[derive(Debug, Clone)]
pub struct Stop {
    /// Location index.
    pub loc: u32,
    /// Earliest start of service.
    pub early: i64,
    /// Latest start of service.
    pub late: i64,
    /// Service (boarding) duration.
    pub service: i64,
    /// Load delivered from the depot (single visits).
    pub delivery: [i32; DIMS],
    /// Load picked up (negative at a pair's delivery).
    pub pickup: [i32; DIMS],
    /// The job this stop belongs to.
    pub job: u32,
    /// Role of the stop.
    pub kind: StopKind,
    /// The trip (run of the day) the stop belongs to.
    pub trip: u8,
}

/// The stops of a job in one trip: a visit (`first == last`) or a pickup and its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// The visit or the pickup.
    pub first: u32,
    /// The visit again, or the delivery.
    pub last: u32,
}

impl Part {
    /// A pickup→delivery pair.
    pub fn is_pair(&self) -> bool {
        self.first != self.last
    }
}

/// A job: what one vehicle must do for one request, in one or more trips of its day.
#[derive(Debug, Clone)]
pub struct Job {
    /// External id.
    pub id: String,
    /// Stop indices, part by part.
    pub stops: Vec<u32>,
    /// The job's stops in each trip (`None`: nothing in that trip).
    pub parts: [Option<Part>; MAX_TRIPS],
    /// Maximum time from leaving a pickup to arriving at its delivery.
    pub max_ride: Option<i64>,
    /// Skills the vehicle must provide (bit set).
    pub skills: u64,
    /// The job travels with no job of another owner on the route.
    pub solo: bool,
    /// Jobs that must never share a route with this one (sorted).
    pub incompatible: Vec<u32>,
    /// A route carrying this job must carry a passenger assistant.
    pub needs_assistant: bool,
    /// Who the job is for (e.g. a pupil): jobs of one owner never conflict with each other
    /// (a solo pupil's morning and afternoon may share a vehicle).
    pub owner: u32,
    /// The other half of the same owner's day, when the two are separate jobs: putting
    /// them on different routes costs [`Problem::split_cost`].
    pub partner: Option<u32>,
}

/// A type of vehicle.
#[derive(Debug, Clone)]
pub struct VehicleType {
    /// External id.
    pub id: String,
    /// Capacity per load dimension.
    pub capacity: [i32; DIMS],
    /// Cost of using one vehicle (a day rate).
    pub fixed: i64,
    /// Cost per distance unit driven on trips.
    pub per_distance: i64,
    /// Cost per time unit of trip duration (first stop to last, waiting included).
    pub per_time: i64,
    /// Most vehicles of this type (`None` = unlimited).
    pub count: Option<u32>,
    /// Start location of every trip (the problem's "anywhere" location for open starts).
    pub start: u32,
    /// End location of every trip (the "anywhere" location for open ends).
    pub end: u32,
    /// Earliest departure and latest return.
    pub shift: (i64, i64),
    /// Longest trip duration.
    pub max_duration: Option<i64>,
    /// Skills provided (bit set).
    pub skills: u64,
    /// Extra cost when the route carries a job that needs an assistant (once a route).
    pub assistant_cost: i64,
    /// Seats the assistant occupies (load dimension 0) on every trip of such a route.
    pub assistant_seats: i32,
}

/// A complete, immutable routing problem.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Name (for reports).
    pub name: String,
    travel: Arc<Travel>,
    /// All stops.
    pub stops: Vec<Stop>,
    /// All jobs.
    pub jobs: Vec<Job>,
    /// Vehicle types.
    pub vehicles: Vec<VehicleType>,
    /// Trips per route (1 for the classic benchmarks, 2 for a school day).
    pub trips: usize,
    /// Cost charged for each job left unassigned: more than serving it with a vehicle of
    /// its own, so the search never trades a job away.
    pub unassigned_cost: i64,
    /// Cost of putting a job and its partner on different routes.
    pub split_cost: i64,
    /// Divide costs by this to get the problem's natural unit (for reporting).
    pub cost_scale: f64,
    /// Granular neighbour lists (flat), `nb_start[j]..nb_start[j + 1]` for job `j`.
    neighbours: Vec<u32>,
    nb_start: Vec<u32>,
}

/// Neighbours kept per job (granular neighbourhood).
const NEIGHBOURS: usize = 40;

impl Problem {
    /// Builds a problem over shared travel data. Each job's `parts` must match its stops'
    /// trips, and every trip index must be below `trips` (at most [`MAX_TRIPS`]).
    pub fn new(
        name: String,
        travel: Arc<Travel>,
        stops: Vec<Stop>,
        jobs: Vec<Job>,
        vehicles: Vec<VehicleType>,
        trips: usize,
        cost_scale: f64,
    ) -> Self {
        let mut p = Problem {
            name,
            travel,
            stops,
            jobs,
            vehicles,
            trips: trips.clamp(1, MAX_TRIPS),
            unassigned_cost: 0,
            split_cost: 0,
            cost_scale,
            neighbours: Vec::new(),
            nb_start: Vec::new(),
        };
        p.unassigned_cost = p.unassigned_bound();
        p.compute_neighbours(NEIGHBOURS);
        p
    }

    /// Sets the cost of splitting partner jobs across routes.
    pub fn with_split_cost(mut self, cost: i64) -> Self {
        self.split_cost = cost.max(0);
        self
    }

    /// The shared travel data.
    pub fn travel(&self) -> &Arc<Travel> {
        &self.travel
    }

    /// A bound above the cost of any job served alone by any vehicle, so that leaving a
    /// job out always costs more than serving it. Saturating, and capped so that the
    /// penalty summed over every job cannot overflow.
    fn unassigned_bound(&self) -> i64 {
        let fixed = self
            .vehicles
            .iter()
            .map(|v| v.fixed.saturating_add(v.assistant_cost))
            .max()
            .unwrap_or(0);
        let rate = self
            .vehicles
            .iter()
            .map(|v| v.per_distance.max(1).saturating_add(v.per_time))
            .max()
            .unwrap_or(1);
        // A trip of the job alone: at most a few arcs, each at most FAR, plus its service.
        let per_trip = (4 * FAR + 2 * FAR).saturating_mul(rate);
        let bound = fixed
            .saturating_add(per_trip.saturating_mul(self.trips as i64))
            .saturating_mul(2)
            .saturating_add(1);
        let cap = i64::MAX / 4 / (self.jobs.len() as i64 + 1);
        bound.min(cap)
    }

    /// The zero-cost location used for open starts and ends.
    pub fn anywhere(&self) -> u32 {
        self.travel.anywhere()
    }

    /// Number of locations including [`Problem::anywhere`].
    pub fn num_locations(&self) -> usize {
        self.travel.len()
    }

    /// Distance between locations.
    #[inline]
    pub fn dist(&self, a: u32, b: u32) -> i64 {
        self.travel.dist(a, b)
    }

    /// Travel time between locations.
    #[inline]
    pub fn time(&self, a: u32, b: u32) -> i64 {
        self.travel.time(a, b)
    }

    /// Time-window segment of one stop.
    #[inline]
    pub fn stop_duration(&self, s: u32) -> Duration {
        let st = &self.stops[s as usize];
        Duration::visit(st.loc, st.early, st.late, st.service)
    }

    /// Load segment of one stop.
    #[inline]
    pub fn stop_load(&self, s: u32) -> Load {
        let st = &self.stops[s as usize];
        Load::visit(st.delivery, st.pickup)
    }

    /// Depot segments (start, end) of a vehicle type.
    pub fn depot_durations(&self, v: usize) -> (Duration, Duration) {
        let vt = &self.vehicles[v];
        (
            Duration::visit(vt.start, vt.shift.0, vt.shift.1, 0),
            Duration::visit(vt.end, vt.shift.0, vt.shift.1, 0),
        )
    }

    /// Capacity left for jobs on a vehicle type, given whether an assistant rides.
    #[inline]
    pub fn capacity(&self, v: usize, assistant: bool) -> [i32; DIMS] {
        let vt = &self.vehicles[v];
        let mut c = vt.capacity;
        if assistant {
            c[0] -= vt.assistant_seats;
        }
        c
    }

    /// Whether a vehicle type may carry a job at all (skills and a fitting capacity).
    pub fn can_carry(&self, v: usize, job: u32) -> bool {
        let vt = &self.vehicles[v];
        let j = &self.jobs[job as usize];
        if j.skills & !vt.skills != 0 {
            return false;
        }
        let cap = self.capacity(v, j.needs_assistant);
        j.stops.iter().all(|&s| {
            let st = &self.stops[s as usize];
            (0..DIMS).all(|d| st.delivery[d].max(st.pickup[d]) <= cap[d])
        })
    }

    /// Every job has one stop in one trip and no rule that couples stops (the classic
    /// CVRP/VRPTW shape, where swaps and tail exchanges are exact).
    pub fn single_visits(&self) -> bool {
        self.jobs.iter().all(|j| {
            j.stops.len() == 1
                && !j.solo
                && j.incompatible.is_empty()
                && !j.needs_assistant
                && j.max_ride.is_none()
                && j.partner.is_none()
        }) && self
            .vehicles
            .windows(2)
            .all(|w| w[0].start == w[1].start && w[0].end == w[1].end)
    }

    /// Every job lies in a single trip (so trips can be exchanged between routes).
    pub fn single_part_jobs(&self) -> bool {
        self.jobs
            .iter()
            .all(|j| j.parts.iter().flatten().count() == 1)
    }

    /// The locations that stand for a job in proximity: the first part's two ends.
    fn job_ends(&self, j: u32) -> (u32, u32, &Stop) {
        let job = &self.jobs[j as usize];
        let part = job.parts.iter().flatten().next().copied().unwrap_or(Part {
            first: job.stops[0],
            last: job.stops[0],
        });
        let first = &self.stops[part.first as usize];
        (first.loc, self.stops[part.last as usize].loc, first)
    }

    /// Proximity between jobs. For single visits: the distance between them, either way
    /// round, plus PyVRP's waiting and time-warp terms. For pairs: the distance between
    /// the pickups plus between the deliveries (pupils of one school living near each
    /// other share a run well). Measured worse: also counting one job's delivery near the
    /// other's pickup (chaining) as near crowds out the pupils who could share a run.
    fn proximity(&self, a: u32, b: u32) -> i64 {
        let (a1, a2, sa) = self.job_ends(a);
        let (b1, b2, sb) = self.job_ends(b);
        let sym = |x: u32, y: u32| self.dist(x, y).min(self.dist(y, x));
        if a1 == a2 && b1 == b2 {
            let t = self.time(a1, b1);
            let wait = (sb.early - t - sa.service - sa.late).max(0);
            let warp = (sa.early + sa.service + t - sb.late).max(0);
            return sym(a1, b1) + wait / 5 + warp;
        }
        sym(a1, b1) + sym(a2, b2)
    }

    fn compute_neighbours(&mut self, k: usize) {
        let nj = self.jobs.len() as u32;
        let lists: Vec<Vec<u32>> = (0..nj)
            .into_par_iter()
            .map(|a| {
                let inc = &self.jobs[a as usize].incompatible;
                let mut others: Vec<(i64, u32)> = (0..nj)
                    .filter(|&b| b != a && inc.binary_search(&b).is_err())
                    .map(|b| (self.proximity(a, b), b))
                    .collect();
                let k = k.min(others.len());
                if k > 0 && k < others.len() {
                    others.select_nth_unstable(k - 1);
                }
                others.truncate(k);
                others.sort_unstable();
                others.into_iter().map(|x| x.1).collect()
            })
            .collect();
        self.nb_start = Vec::with_capacity(lists.len() + 1);
        self.nb_start.push(0);
        for l in &lists {
            self.neighbours.extend_from_slice(l);
            self.nb_start.push(self.neighbours.len() as u32);
        }
    }

    /// The problem over the jobs `keep` marks, with `used[v]` vehicles of each type taken
    /// away from its count: a residual problem, e.g. what a dive has left to cover. Costs
    /// are unchanged (same travel, rates and unassigned cost), so a route costs the same
    /// in both. Returns it with the original index of each of its stops (a route of the
    /// residual maps back stop by stop).
    pub fn restrict(&self, keep: &[bool], used: &[u32]) -> (Problem, Vec<u32>) {
        let mut job_map = vec![u32::MAX; self.jobs.len()];
        let mut n = 0u32;
        for (j, &k) in keep.iter().enumerate() {
            if k {
                job_map[j] = n;
                n += 1;
            }
        }
        let mut stop_map = vec![u32::MAX; self.stops.len()];
        let mut stops = Vec::new();
        let mut original = Vec::new();
        for (i, st) in self.stops.iter().enumerate() {
            let j = job_map[st.job as usize];
            if j != u32::MAX {
                stop_map[i] = stops.len() as u32;
                original.push(i as u32);
                stops.push(Stop {
                    job: j,
                    ..st.clone()
                });
            }
        }
        let jobs = self
            .jobs
            .iter()
            .enumerate()
            .filter(|&(j, _)| keep[j])
            .map(|(_, job)| {
                let mut incompatible: Vec<u32> = job
                    .incompatible
                    .iter()
                    .map(|&o| job_map[o as usize])
                    .filter(|&o| o != u32::MAX)
                    .collect();
                incompatible.sort_unstable();
                Job {
                    stops: job.stops.iter().map(|&s| stop_map[s as usize]).collect(),
                    parts: job.parts.map(|part| {
                        part.map(|q| Part {
                            first: stop_map[q.first as usize],
                            last: stop_map[q.last as usize],
                        })
                    }),
                    incompatible,
                    partner: job
                        .partner
                        .map(|q| job_map[q as usize])
                        .filter(|&q| q != u32::MAX),
                    ..job.clone()
                }
            })
            .collect();
        let vehicles = self
            .vehicles
            .iter()
            .zip(used)
            .map(|(v, &u)| VehicleType {
                count: v.count.map(|c| c.saturating_sub(u)),
                ..v.clone()
            })
            .collect();
        let mut r = Problem::new(
            self.name.clone(),
            self.travel.clone(),
            stops,
            jobs,
            vehicles,
            self.trips,
            self.cost_scale,
        )
        .with_split_cost(self.split_cost);
        r.unassigned_cost = self.unassigned_cost;
        (r, original)
    }

    /// The job's granular neighbours, nearest first.
    #[inline]
    pub fn near_jobs(&self, a: u32) -> &[u32] {
        let (s, e) = (self.nb_start[a as usize], self.nb_start[a as usize + 1]);
        &self.neighbours[s as usize..e as usize]
    }
}

impl Job {
    /// A job with no special rules, owned by itself: a single visit (one stop) or a pair
    /// (two stops), in trip 0.
    pub fn plain(id: String, stops: Vec<u32>, index: u32) -> Self {
        let part = Part {
            first: stops[0],
            last: *stops.last().unwrap_or(&stops[0]),
        };
        Job {
            id,
            stops,
            parts: [Some(part), None],
            max_ride: None,
            skills: 0,
            solo: false,
            incompatible: Vec::new(),
            needs_assistant: false,
            owner: index,
            partner: None,
        }
    }

    /// The job's stops in trip `t`.
    #[inline]
    pub fn part(&self, t: usize) -> Option<Part> {
        self.parts[t]
    }
}

impl VehicleType {
    /// The vehicle of the classic benchmarks: one depot, cost = distance, no assistant.
    pub fn benchmark(capacity: i32, count: Option<u32>, depot: u32, shift: (i64, i64)) -> Self {
        VehicleType {
            id: "vehicle".into(),
            capacity: [capacity, 0],
            fixed: 0,
            per_distance: 1,
            per_time: 0,
            count,
            start: depot,
            end: depot,
            shift,
            max_duration: None,
            skills: 0,
            assistant_cost: 0,
            assistant_seats: 0,
        }
    }
}
