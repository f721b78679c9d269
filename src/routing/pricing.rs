//! Column generation over the route pool, with heuristic pricing. The linear relaxation
//! of set partitioning over the pooled routes gives each job a dual price; a route whose
//! cost is below the prices of the jobs it serves (negative reduced cost) would lower the
//! relaxation, so it is worth adding to the pool. Pricing here is a local search over
//! routes, not an exact pricing problem: from every route the relaxation uses, it adds a
//! job, removes one or swaps one for another (each placed by the one evaluator, so every
//! new route is feasible), keeps the neighbours of negative reduced cost, and descends
//! from the best. Rounds repeat until no route is found or the round limit is reached.
//! The relaxation's value is then a bound only over the routes generated, not a proof.
//!
//! The dive that follows fixes routes of the relaxation one step at a time. Left to the
//! local-search pricing, its last steps cover the jobs left with poor routes (on the
//! demo the relaxation held within 0.5% of the root for two thirds of the dive, then
//! rose by 3%). So at every step the jobs left are also searched as a problem of their
//! own ([`Problem::restrict`], the SISR search): its good routes join the pool, and its
//! plan completes the fixed routes into a whole solution. The dive returns its cheapest
//! solutions (completions and its own end, one per cost): the search settles the first
//! few before recombining ([`super::search`]), so that one unlucky completion does not
//! decide the plan's basin.
//! (Desaulniers, Desrosiers & Solomon 2005, ch. 1, for the scheme; the local-search
//! pricing is in the spirit of Desaulniers et al. 2008's tabu pricing.)

use super::evaluate::{Insertion, Target, Workspace, best_in};
use super::pool::{Column, Limits, Partitioning, Pool, Relaxation, SetPartitioner};
use super::problem::Problem;
use super::route::Route;
use super::search::{self, Settings};
use super::solution::Solution;
use crate::rng::Rng;
use std::time::{Duration, Instant};

/// How much pricing to do.
#[derive(Debug, Clone, Copy)]
pub struct Pricing {
    /// Most rounds (relaxation, then pricing).
    pub rounds: usize,
    /// Most descent steps from each route of the relaxation.
    pub steps: usize,
    /// Most new routes kept per descent step.
    pub per_step: usize,
    /// Iterations per job left of the search run on what each dive step leaves to cover
    /// (0: none). Its routes join the pool, and its plan completes the fixed routes into
    /// a whole solution.
    pub residual_per_job: u64,
    /// Seed of those searches.
    pub seed: u64,
    /// Most of the dive's solutions returned (at least one).
    pub completions: usize,
}

/// What a column generation did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Growth {
    /// Rounds run.
    pub rounds: usize,
    /// Routes added to the pool.
    pub added: usize,
    /// The relaxation's value once no more routes were found before the dive (cost
    /// units): a bound over the routes generated, not a proven lower bound.
    pub root_bound: f64,
    /// The deadline stopped it.
    pub cut_short: bool,
    /// Residual searches run during the dive.
    pub residual_searches: usize,
}

/// A change to one route.
#[derive(Debug, Clone, Copy)]
enum Move {
    Add(u32, Insertion),
    Remove(u32),
    /// Remove the first, insert the second.
    Swap(u32, u32, Insertion),
}

/// Reduced cost of the (only) route of `s`.
fn reduced(p: &Problem, s: &Solution, duals: &[f64], type_duals: &[f64]) -> f64 {
    let Some(r) = s.routes.first() else {
        return 0.0;
    };
    r.cost as f64 - r.job_list(p).map(|j| duals[j as usize]).sum::<f64>() - type_duals[r.vehicle]
}

/// `s` with the move applied.
fn apply(p: &Problem, s: &Solution, m: Move) -> Solution {
    let mut t = s.clone();
    match m {
        Move::Add(j, ins) => t.insert(p, j, &ins),
        Move::Remove(i) => t.remove(p, i),
        Move::Swap(i, j, ins) => {
            t.remove(p, i);
            t.insert(p, j, &ins);
        }
    }
    t
}

/// The cheapest insertion of `job` into the one route of `s`.
fn insertion(ws: &mut Workspace, p: &Problem, s: &Solution, job: u32) -> Option<Insertion> {
    let t = Target {
        route: &s.routes[0],
        index: Some(0),
        leaving: None,
    };
    // Blinks are off, so the generator is never drawn from.
    best_in(ws, p, s, &t, job, &mut Rng::new(0), 0.0)
}

/// Every add, remove and swap move from the route of `s` with its reduced cost, ascending.
fn neighbours(
    ws: &mut Workspace,
    p: &Problem,
    s: &Solution,
    duals: &[f64],
    type_duals: &[f64],
) -> Vec<(f64, Move)> {
    let mut out = Vec::new();
    let r = &s.routes[0];
    let base = reduced(p, s, duals, type_duals);
    let on: Vec<u32> = r.job_list(p).collect();
    let off: Vec<u32> = s
        .unassigned
        .iter()
        .copied()
        .filter(|&j| duals[j as usize] > 0.0)
        .collect();
    for &j in &off {
        if let Some(ins) = insertion(ws, p, s, j) {
            out.push((
                base + ins.delta as f64 - duals[j as usize],
                Move::Add(j, ins),
            ));
        }
    }
    for &i in &on {
        if on.len() == 1 {
            break;
        }
        let mut t = s.clone();
        t.remove(p, i);
        let without = reduced(p, &t, duals, type_duals);
        out.push((without, Move::Remove(i)));
        for &j in &off {
            if let Some(ins) = insertion(ws, p, &t, j) {
                out.push((
                    without + ins.delta as f64 - duals[j as usize],
                    Move::Swap(i, j, ins),
                ));
            }
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// The pooled routes that serve none of the `covered` jobs, as a set-partitioning
/// instance with the fleet less the `used` vehicles, and the pool index of each column.
fn restricted<'a>(
    p: &Problem,
    pool: &'a Pool,
    covered: &[bool],
    used: &[u32],
    time_limit: Duration,
) -> (Partitioning<'a>, Vec<usize>) {
    let mut columns = Vec::new();
    let mut index = Vec::new();
    for (k, (vehicle, _, rows, cost)) in pool.routes().enumerate() {
        if rows.iter().all(|&j| !covered[j as usize]) {
            columns.push(Column {
                cost,
                vehicle,
                rows,
            });
            index.push(k);
        }
    }
    let sp = Partitioning {
        rows: p.jobs.len(),
        columns,
        type_limits: p
            .vehicles
            .iter()
            .zip(used)
            .map(|(v, &u)| v.count.map(|c| c.saturating_sub(u)))
            .collect(),
        row_penalty: p.unassigned_cost,
        incumbent: Vec::new(),
        limits: Limits {
            time: time_limit,
            nodes: None,
            heuristics: None,
        },
    };
    (sp, index)
}

/// What a column generation works with.
struct Run<'a> {
    p: &'a Problem,
    solver: &'a dyn SetPartitioner,
    cfg: &'a Pricing,
    /// Limit of each relaxation's solve.
    time_limit: Duration,
    /// No new round starts after this.
    deadline: Option<Instant>,
    ws: Workspace,
    growth: Growth,
}

/// Residual searches pool the routes of solutions within this factor of their best.
const RESIDUAL_WINDOW: f64 = 1.02;
/// Most routes a residual search pools.
const RESIDUAL_CAP: usize = 300;

/// New routes must beat the prices by more than rounding.
const EPS: f64 = 1e-3;

impl Run<'_> {
    /// One pricing pass from the routes the relaxation uses; jobs in `covered` are never
    /// added. Returns the number of routes added to the pool.
    fn price(
        &mut self,
        pool: &mut Pool,
        starts: Vec<(usize, Vec<Vec<u32>>)>,
        rel: &Relaxation,
        covered: &[bool],
    ) -> usize {
        let p = self.p;
        // Jobs already served by fixed routes are priced out.
        let duals: Vec<f64> = rel
            .row_duals
            .iter()
            .zip(covered)
            .map(|(&d, &c)| if c { f64::NEG_INFINITY } else { d })
            .collect();
        let before = pool.len();
        for (v, trips) in starts {
            let mut s = Solution::from_routes(p, vec![(v, trips)]);
            let mut current = reduced(p, &s, &duals, &rel.type_duals);
            for _ in 0..self.cfg.steps {
                if s.routes.is_empty() {
                    break;
                }
                let moves = neighbours(&mut self.ws, p, &s, &duals, &rel.type_duals);
                for &(_, m) in moves
                    .iter()
                    .take_while(|m| m.0 < -EPS)
                    .take(self.cfg.per_step)
                {
                    if let Some(r) = apply(p, &s, m).routes.first() {
                        pool.add(p, r);
                    }
                }
                // Descend to the best neighbour while it improves.
                match moves.first() {
                    Some(&(rc, m)) if rc < current - EPS => {
                        current = rc;
                        s = apply(p, &s, m);
                    }
                    _ => break,
                }
            }
        }
        pool.len() - before
    }

    /// Searches the jobs not `covered` (with `used` vehicles of each type taken), adds
    /// the routes of its good solutions to the pool, and returns its best routes, as
    /// routes of the whole problem.
    fn residual(
        &mut self,
        pool: &mut Pool,
        covered: &[bool],
        used: &[u32],
        step: u64,
    ) -> Vec<(usize, Vec<Vec<u32>>)> {
        let p = self.p;
        let keep: Vec<bool> = covered.iter().map(|&c| !c).collect();
        let left = keep.iter().filter(|&&k| k).count() as u64;
        let (sub, original) = p.restrict(&keep, used);
        // The dive's deadline also stops the search (the run then says it was cut short).
        let settings = Settings {
            time_limit: self
                .deadline
                .map(|d| d.saturating_duration_since(Instant::now())),
            iterations: Some(self.cfg.residual_per_job * left),
            threads: 1,
            seed: self.cfg.seed.wrapping_add(step),
            regret_share: 0.0,
            pricing: false,
        };
        let (out, found) =
            search::solve_pooled(&sub, &settings, None, RESIDUAL_WINDOW, RESIDUAL_CAP);
        self.growth.residual_searches += 1;
        self.growth.cut_short |= out.stopped_by_time;
        let back = |trips: &[Vec<u32>]| -> Vec<Vec<u32>> {
            trips
                .iter()
                .map(|t| t.iter().map(|&s| original[s as usize]).collect())
                .collect()
        };
        for (v, trips, _, _) in found.routes() {
            pool.add(p, &Route::with_trips(p, v, &back(trips)));
        }
        // The pool keeps only the first good routes it sees, so the best plan's routes
        // are added explicitly (the MIP can then rebuild this completion).
        let best: Vec<(usize, Vec<Vec<u32>>)> = out
            .solution
            .to_routes(&sub)
            .into_iter()
            .map(|(v, trips)| (v, back(&trips)))
            .collect();
        for (v, trips) in &best {
            pool.add(p, &Route::with_trips(p, *v, trips));
        }
        best
    }

    /// Column generation over the jobs not `covered` (with `used` vehicles of each type
    /// taken by fixed routes) until no new route is found, `cfg.rounds` rounds or the
    /// deadline; returns the last relaxation and its columns' pool indices.
    fn generate(
        &mut self,
        pool: &mut Pool,
        covered: &[bool],
        used: &[u32],
    ) -> Option<(Relaxation, Vec<usize>)> {
        let mut last = None;
        for _ in 0..self.cfg.rounds.max(1) {
            let (sp, index) = restricted(self.p, pool, covered, used, self.time_limit);
            let rel = self.solver.relax(&sp)?;
            drop(sp);
            let starts: Vec<(usize, Vec<Vec<u32>>)> = index
                .iter()
                .zip(&rel.values)
                .filter(|&(_, &x)| x > 1e-6)
                .map(|(&k, _)| {
                    let (v, trips, _, _) = pool.route(k);
                    (v, trips.to_vec())
                })
                .collect();
            let (rel, _) = last.insert((rel, index));
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                self.growth.cut_short = true;
                break;
            }
            self.growth.rounds += 1;
            let added = self.price(pool, starts, rel, covered);
            self.growth.added += added;
            if added == 0 {
                break;
            }
        }
        last
    }
}

/// Grows `pool` by column generation (see the module's comment), then dives: fixes the
/// routes the relaxation uses whole and the one it uses most, searches the jobs left
/// (when `cfg.residual_per_job > 0`), generates again over them, and repeats until the
/// relaxation is whole. Returns what it did and the dive's solutions, cheapest first, one
/// per cost, at most `cfg.completions`: its completions and its end (jobs no route could
/// take are unassigned in it); none when routes are not independent (a split cost ties
/// partner jobs across routes) or the solver cannot relax. `time_limit` bounds each
/// relaxation's solve; no round starts after `deadline`, and the dive stops there (its
/// end then leaves jobs unassigned).
pub fn grow(
    p: &Problem,
    pool: &mut Pool,
    solver: &dyn SetPartitioner,
    cfg: &Pricing,
    time_limit: Duration,
    deadline: Option<Instant>,
) -> (Growth, Vec<Solution>) {
    let mut run = Run {
        p,
        solver,
        cfg,
        time_limit,
        deadline,
        ws: Workspace::new(p),
        growth: Growth::default(),
    };
    if p.split_cost > 0 && p.jobs.iter().any(|j| j.partner.is_some()) {
        return (run.growth, Vec::new());
    }
    pool.unbounded();
    add_alone(&mut run.ws, p, pool);
    let mut covered = vec![false; p.jobs.len()];
    let mut used = vec![0u32; p.vehicles.len()];
    let mut fixed: Vec<(usize, Vec<Vec<u32>>)> = Vec::new();
    let mut root = true;
    // The whole solutions seen: the fixed routes completed by a residual search.
    let mut completed: Vec<Solution> = Vec::new();
    let mut step = 0u64;
    while covered.iter().any(|&c| !c) {
        if !root && cfg.residual_per_job > 0 && deadline.is_none_or(|d| Instant::now() < d) {
            step += 1;
            let mut routes = fixed.clone();
            routes.extend(run.residual(pool, &covered, &used, step));
            let s = Solution::from_routes(p, routes);
            if s.unassigned.is_empty() && s.within_fleet(p) {
                completed.push(s);
            }
        }
        // Nothing left to cover the jobs with ends the dive: the jobs left are unassigned.
        let Some((rel, index)) = run.generate(pool, &covered, &used) else {
            if root {
                return (run.growth, Vec::new());
            }
            break;
        };
        if root {
            run.growth.root_bound = rel.objective;
            root = false;
        }
        if run.growth.cut_short {
            // Out of time: the dive stops, and its jobs left are unassigned.
            break;
        }
        let mut chosen: Vec<usize> = Vec::new();
        let mut most: Option<(f64, usize)> = None;
        for (c, &x) in rel.values.iter().enumerate() {
            if x > 1.0 - 1e-6 {
                chosen.push(c);
            } else if x > 1e-6 && most.is_none_or(|(m, _)| x > m) {
                most = Some((x, c));
            }
        }
        let whole = most.is_none();
        chosen.extend(most.map(|(_, c)| c));
        for c in &chosen {
            let (v, trips, jobs, _) = pool.route(index[*c]);
            if jobs.iter().any(|&j| covered[j as usize]) {
                continue;
            }
            for &j in jobs {
                covered[j as usize] = true;
            }
            used[v] += 1;
            fixed.push((v, trips.to_vec()));
        }
        if whole || chosen.is_empty() {
            break;
        }
    }
    // A dive that leaves jobs unassigned pays their penalty, so any completion is cheaper.
    // Its end comes first among equals; one solution per cost.
    let mut found = vec![Solution::from_routes(p, fixed)];
    found.extend(completed);
    found.sort_by_key(|s| s.cost(p));
    found.dedup_by_key(|s| s.cost(p));
    found.truncate(cfg.completions.max(1));
    (run.growth, found)
}

/// Adds every job alone on each vehicle type that can take it, so that a dive always
/// has a route for the jobs its fixed routes leave.
fn add_alone(ws: &mut Workspace, p: &Problem, pool: &mut Pool) {
    let empty = Solution::empty(p);
    for job in 0..p.jobs.len() as u32 {
        for v in 0..p.vehicles.len() {
            let template = ws.template(v).clone();
            let t = Target {
                route: &template,
                index: None,
                leaving: None,
            };
            if let Some(ins) = best_in(ws, p, &empty, &t, job, &mut Rng::new(0), 0.0) {
                let mut s = empty.clone();
                s.insert(p, job, &ins);
                pool.add(p, &s.routes[0]);
            }
        }
    }
}
