//! The immutable routing problem: locations with time and distance matrices, jobs (single
//! visits or pickup→delivery pairs), vehicle types, and the rules that bind them.

use super::segment::{DIMS, Duration, Load};

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
}

/// A job: one visit, or a pickup and its delivery.
#[derive(Debug, Clone)]
pub struct Job {
    /// External id.
    pub id: String,
    /// Stop indices: `[visit]` or `[pickup, delivery]`.
    pub stops: Vec<u32>,
    /// Maximum time from leaving the pickup to arriving at the delivery.
    pub max_ride: Option<i64>,
    /// Skills the vehicle must provide (bit set).
    pub skills: u64,
    /// The job must be the only one on its route.
    pub solo: bool,
    /// Jobs that must never share a route with this one (sorted).
    pub incompatible: Vec<u32>,
    /// A route carrying this job must carry a passenger assistant.
    pub needs_assistant: bool,
}

/// A type of vehicle.
#[derive(Debug, Clone)]
pub struct VehicleType {
    /// External id.
    pub id: String,
    /// Capacity per load dimension.
    pub capacity: [i32; DIMS],
    /// Cost of using one vehicle.
    pub fixed: i64,
    /// Cost per distance unit.
    pub per_distance: i64,
    /// Cost per time unit of route duration.
    pub per_time: i64,
    /// Most vehicles of this type (`None` = unlimited).
    pub count: Option<u32>,
    /// Start location (the problem's zero-cost "anywhere" location for open starts).
    pub start: u32,
    /// End location (the "anywhere" location for open ends).
    pub end: u32,
    /// Earliest departure and latest return.
    pub shift: (i64, i64),
    /// Longest route duration.
    pub max_duration: Option<i64>,
    /// Skills provided (bit set).
    pub skills: u64,
    /// Extra cost when the route carries a job that needs an assistant.
    pub assistant_cost: i64,
    /// Seats the assistant occupies (load dimension 0).
    pub assistant_seats: i32,
}

/// A complete, immutable routing problem.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Name (for reports).
    pub name: String,
    n: usize,
    dist: Vec<i64>,
    time: Vec<i64>,
    /// All stops.
    pub stops: Vec<Stop>,
    /// All jobs.
    pub jobs: Vec<Job>,
    /// Vehicle types.
    pub vehicles: Vec<VehicleType>,
    /// Cost charged for each job left unassigned (should dominate every other cost).
    pub unassigned_cost: i64,
    /// Divide costs by this to get the problem's natural unit (for reporting).
    pub cost_scale: f64,
    /// Job neighbour lists by proximity (granular neighbourhood).
    pub neighbours: Vec<Vec<u32>>,
}

impl Problem {
    /// Builds a problem. `dist` and `time` are `n × n` row-major over the caller's
    /// locations; one extra location is appended, at zero distance and time from and to
    /// everything, for open route starts and ends ([`Problem::anywhere`]).
    pub fn new(
        name: String,
        n: usize,
        dist: &[i64],
        time: &[i64],
        stops: Vec<Stop>,
        jobs: Vec<Job>,
        vehicles: Vec<VehicleType>,
        cost_scale: f64,
    ) -> Self {
        let m = n + 1;
        let mut d = vec![0i64; m * m];
        let mut t = vec![0i64; m * m];
        for i in 0..n {
            d[i * m..i * m + n].copy_from_slice(&dist[i * n..i * n + n]);
            t[i * m..i * m + n].copy_from_slice(&time[i * n..i * n + n]);
        }
        let max_arc = dist.iter().copied().max().unwrap_or(0).max(1);
        let mut p = Problem {
            name,
            n: m,
            dist: d,
            time: t,
            stops,
            jobs,
            vehicles,
            unassigned_cost: 0,
            cost_scale,
            neighbours: Vec::new(),
        };
        let max_fixed = p
            .vehicles
            .iter()
            .map(|v| v.fixed + v.assistant_cost)
            .max()
            .unwrap_or(0);
        let max_rate = p
            .vehicles
            .iter()
            .map(|v| v.per_distance.max(1) + v.per_time)
            .max()
            .unwrap_or(1);
        p.unassigned_cost = 10 * (max_fixed + 4 * max_arc * max_rate) + 1;
        p.neighbours = p.compute_neighbours(40);
        p
    }

    /// The zero-cost location used for open starts and ends.
    pub fn anywhere(&self) -> u32 {
        (self.n - 1) as u32
    }

    /// Number of locations including [`Problem::anywhere`].
    pub fn num_locations(&self) -> usize {
        self.n
    }

    /// Distance between locations.
    #[inline]
    pub fn dist(&self, a: u32, b: u32) -> i64 {
        self.dist[a as usize * self.n + b as usize]
    }

    /// Travel time between locations.
    #[inline]
    pub fn time(&self, a: u32, b: u32) -> i64 {
        self.time[a as usize * self.n + b as usize]
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

    /// Whether a vehicle type may carry a job at all (skills and a fitting capacity).
    pub fn can_carry(&self, v: usize, job: u32) -> bool {
        let vt = &self.vehicles[v];
        let j = &self.jobs[job as usize];
        if j.skills & !vt.skills != 0 {
            return false;
        }
        let mut cap = vt.capacity;
        if j.needs_assistant {
            cap[0] -= vt.assistant_seats;
        }
        j.stops.iter().all(|&s| {
            let st = &self.stops[s as usize];
            (0..DIMS).all(|d| st.delivery[d].max(st.pickup[d]) <= cap[d])
        })
    }

    /// Proximity between jobs: the shortest distance between any of their stops, in
    /// either direction.
    fn job_distance(&self, a: u32, b: u32) -> i64 {
        let mut best = i64::MAX;
        for &sa in &self.jobs[a as usize].stops {
            for &sb in &self.jobs[b as usize].stops {
                let (la, lb) = (self.stops[sa as usize].loc, self.stops[sb as usize].loc);
                best = best.min(self.dist(la, lb).min(self.dist(lb, la)));
            }
        }
        best
    }

    fn compute_neighbours(&self, k: usize) -> Vec<Vec<u32>> {
        let nj = self.jobs.len();
        (0..nj as u32)
            .map(|a| {
                let mut others: Vec<(i64, u32)> = (0..nj as u32)
                    .filter(|&b| {
                        b != a
                            && self.jobs[a as usize]
                                .incompatible
                                .binary_search(&b)
                                .is_err()
                    })
                    .map(|b| (self.job_distance(a, b), b))
                    .collect();
                others.sort_unstable();
                others.truncate(k.max(1));
                others.into_iter().map(|x| x.1).collect()
            })
            .collect()
    }

    /// All jobs sorted by proximity to `a` (used by string removal), computed on demand.
    pub fn near_jobs(&self, a: u32) -> &[u32] {
        &self.neighbours[a as usize]
    }
}

impl Job {
    /// A job with no special rules: no ride limit, skills, solo or incompatibilities.
    pub fn plain(id: String, stops: Vec<u32>) -> Self {
        Job {
            id,
            stops,
            max_ride: None,
            skills: 0,
            solo: false,
            incompatible: Vec::new(),
            needs_assistant: false,
        }
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
