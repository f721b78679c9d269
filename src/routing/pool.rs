//! Route recombination: the search keeps a pool of distinct good routes, and a
//! set-partitioning model picks the cheapest subset that serves every job exactly once
//! (the "route pool" of SOLVER-NOTES; Subramanian, Uchoa & Ochi 2013). The model is solved
//! by an implementation of [`SetPartitioner`] (the MIP solver lives in `contracts`, so the
//! routing engine stays free of it).

use super::problem::Problem;
use super::route::Route;
use super::solution::Solution;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::time::Duration;

/// A column of the set-partitioning model.
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    /// Route cost.
    pub cost: i64,
    /// Vehicle type (for fleet limits).
    pub vehicle: usize,
    /// Jobs the route serves (rows), ascending.
    pub rows: &'a [u32],
}

/// A set-partitioning instance.
#[derive(Debug, Clone)]
pub struct Partitioning<'a> {
    /// Jobs (rows).
    pub rows: usize,
    /// Candidate routes.
    pub columns: Vec<Column<'a>>,
    /// Vehicles per type (`None` = unlimited).
    pub type_limits: Vec<Option<u32>>,
    /// Cost of leaving a job unserved.
    pub row_penalty: i64,
    /// A feasible choice of columns to start from.
    pub incumbent: Vec<usize>,
    /// How much work the solver may do.
    pub limits: Limits,
}

/// How much work one set-partitioning solve may do.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock limit.
    pub time: Duration,
    /// Branch-and-bound nodes at most (`None`: no limit). A node limit, unlike the clock,
    /// stops the solver at the same point on any machine.
    pub nodes: Option<u32>,
    /// The share of the solver's work spent on primal heuristics (`None`: its default).
    pub heuristics: Option<f64>,
}

/// The linear relaxation of a set-partitioning instance, solved to optimality.
#[derive(Debug, Clone)]
pub struct Relaxation {
    /// Objective (cost units).
    pub objective: f64,
    /// Value of each column.
    pub values: Vec<f64>,
    /// Dual of each job's row (cost units): a route's reduced cost is its cost minus its
    /// jobs' duals minus its vehicle type's dual.
    pub row_duals: Vec<f64>,
    /// Dual of each vehicle type's fleet row (≤ 0; 0 when the limit does not bind).
    pub type_duals: Vec<f64>,
}

/// Solves set partitioning: returns chosen column indices, or `None` when nothing better
/// than the incumbent was found or the solver failed.
pub trait SetPartitioner: Sync {
    /// Chooses columns.
    fn choose(&self, problem: &Partitioning<'_>) -> Option<Vec<usize>>;

    /// Solves the linear relaxation, for pricing new routes; `None` when the solver
    /// cannot (the default) or fails.
    fn relax(&self, _problem: &Partitioning<'_>) -> Option<Relaxation> {
        None
    }
}

/// A route kept in the pool.
#[derive(Debug, Clone)]
struct Entry {
    vehicle: usize,
    trips: Vec<Vec<u32>>,
    jobs: Vec<u32>,
    cost: i64,
}

/// Distinct routes seen by a search.
#[derive(Debug, Clone, Default)]
pub struct Pool {
    entries: Vec<Entry>,
    seen: HashSet<u64>,
    cap: usize,
}

fn key<'a>(vehicle: usize, trips: impl Iterator<Item = &'a [u32]>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    vehicle.hash(&mut h);
    for t in trips {
        t.hash(&mut h);
    }
    h.finish()
}

impl Pool {
    /// An empty pool holding at most `cap` routes.
    pub fn new(cap: usize) -> Self {
        Pool {
            entries: Vec::new(),
            seen: HashSet::new(),
            cap,
        }
    }

    /// Lifts the size limit (routes added from now on are always kept).
    pub fn unbounded(&mut self) {
        self.cap = usize::MAX;
    }

    /// Most routes held.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// The routes held: vehicle type, stops per trip, jobs (ascending) and cost.
    pub fn routes(&self) -> impl Iterator<Item = (usize, &[Vec<u32>], &[u32], i64)> + '_ {
        self.entries
            .iter()
            .map(|e| (e.vehicle, e.trips.as_slice(), e.jobs.as_slice(), e.cost))
    }

    /// The `k`-th route held, as [`Pool::routes`] gives it.
    pub fn route(&self, k: usize) -> (usize, &[Vec<u32>], &[u32], i64) {
        let e = &self.entries[k];
        (e.vehicle, e.trips.as_slice(), e.jobs.as_slice(), e.cost)
    }

    /// Routes held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a route unless it is already held or the pool is full.
    pub fn add(&mut self, p: &Problem, r: &Route) {
        if r.is_empty() || self.entries.len() >= self.cap {
            return;
        }
        let trips = &r.trips[..p.trips];
        if self
            .seen
            .insert(key(r.vehicle, trips.iter().map(|t| t.stops.as_slice())))
        {
            let mut jobs: Vec<u32> = r.job_list(p).collect();
            jobs.sort_unstable();
            self.entries.push(Entry {
                vehicle: r.vehicle,
                trips: trips.iter().map(|t| t.stops.clone()).collect(),
                jobs,
                cost: r.cost,
            });
        }
    }

    /// Adds every route of a solution.
    pub fn add_solution(&mut self, p: &Problem, s: &Solution) {
        for r in &s.routes {
            self.add(p, r);
        }
    }

    /// Merges another pool (its routes after ours, duplicates dropped).
    pub fn merge(&mut self, other: Pool) {
        self.cap = self.cap.max(self.entries.len() + other.entries.len());
        for e in other.entries {
            if self
                .seen
                .insert(key(e.vehicle, e.trips.iter().map(Vec::as_slice)))
            {
                self.entries.push(e);
            }
        }
    }

    /// The set-partitioning instance over the pooled routes.
    pub fn partitioning(
        &self,
        p: &Problem,
        incumbent: Vec<usize>,
        limits: Limits,
    ) -> Partitioning<'_> {
        Partitioning {
            rows: p.jobs.len(),
            columns: self
                .entries
                .iter()
                .map(|e| Column {
                    cost: e.cost,
                    vehicle: e.vehicle,
                    rows: &e.jobs,
                })
                .collect(),
            type_limits: p.vehicles.iter().map(|v| v.count).collect(),
            row_penalty: p.unassigned_cost,
            incumbent,
            limits,
        }
    }

    /// Picks the best combination of pooled routes. `best` must be a feasible solution
    /// whose routes are in the pool (they are added if not); returns a strictly cheaper
    /// solution, or `None`.
    pub fn recombine(
        &mut self,
        p: &Problem,
        best: &Solution,
        solver: &dyn SetPartitioner,
        limits: Limits,
    ) -> Option<Solution> {
        self.cap = usize::MAX;
        self.add_solution(p, best);
        let incumbent: Vec<usize> = best
            .routes
            .iter()
            .filter_map(|r| {
                self.entries.iter().position(|e| {
                    e.vehicle == r.vehicle
                        && e.trips.iter().zip(&r.trips).all(|(a, b)| *a == b.stops)
                })
            })
            .collect();
        let sp = self.partitioning(p, incumbent, limits);
        let chosen = solver.choose(&sp)?;
        let routes = chosen
            .iter()
            .map(|&c| (self.entries[c].vehicle, self.entries[c].trips.clone()))
            .collect();
        let s = Solution::from_routes(p, routes);
        // Columns are verified routes, but a partition must not serve a job twice.
        let served: usize = s.routes.iter().map(|r| r.jobs as usize).sum();
        let distinct = p.jobs.len() - s.unassigned.len();
        (served == distinct && s.cost(p) < best.cost(p)).then_some(s)
    }
}
