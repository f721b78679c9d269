//! One search worker: construction, then ruin and recreate under simulated annealing,
//! with a route-local search on every new best. Deterministic for its seed and iteration
//! budget.

use super::Settings;
use super::local::LocalSearch;
use super::operators::Ctx;
use super::recreate::{self, BLINK};
use super::ruin::ruin;
use crate::rng::Rng;
use crate::routing::evaluate::Workspace;
use crate::routing::pool::Pool;
use crate::routing::problem::Problem;
use crate::routing::solution::Solution;
use std::time::Instant;

/// Annealing temperatures as shares of the starting solution's cost per job. Chosen by a
/// sweep at fixed iterations (BENCHMARKS.md, "Annealing temperatures"): from 0.35/0.0035
/// to 1.0/0.01, Solomon's average gap at 100k iterations fell from 0.92% to 0.38%, X's at
/// 200k from 0.93% to 0.81%, Li & Lim's held, and the demo's median day fell 0.6%.
const START_TEMPERATURE: f64 = 1.0;
const FINAL_TEMPERATURE: f64 = 0.01;

/// A focused search repairs a good plan around a change (a pupil leaving): it anneals at
/// this share of the temperatures above, so it does not wander off the plan it repairs.
/// On the demo's savings (a given plan, seeds 1–5, 400 iterations) 1.0 → 0.1 raised the
/// 3-year PTB/ITT figure from about £260k to £280k (more of each pupil's saving found;
/// the upper bounds still hold); 0.01 found no more (BENCHMARKS.md, "Savings").
const FOCUSED_TEMPERATURE: f64 = 0.1;

/// Regret construction is O(jobs² × routes); above this many jobs the greedy start is used.
const REGRET_MAX_JOBS: usize = 250;

/// A search worker.
pub struct Worker<'a> {
    ctx: Ctx<'a>,
    ls: LocalSearch,
    primary: bool,
    /// Routes of good solutions, for recombination (capacity 0 = not collected).
    pool: Pool,
    pool_window: f64,
    routes: Vec<usize>,
    /// Jobs the ruins start from (empty: any job).
    focus: Vec<u32>,
}

impl<'a> Worker<'a> {
    /// A worker for `p`; the primary one reports progress and starts by regret insertion.
    pub fn new(
        p: &'a Problem,
        seed: u64,
        primary: bool,
        pool_cap: usize,
        pool_window: f64,
    ) -> Self {
        Worker {
            ctx: Ctx {
                p,
                ws: Workspace::new(p),
                rng: Rng::new(seed),
            },
            ls: LocalSearch::new(p),
            primary,
            pool: Pool::new(pool_cap),
            pool_window,
            routes: Vec::new(),
            focus: Vec::new(),
        }
    }

    /// Starts every ruin from one of `jobs` (a neighbourhood search), or from any job
    /// when `jobs` is empty.
    pub fn focus_on(mut self, jobs: &[u32]) -> Self {
        self.focus = jobs.to_vec();
        self
    }

    /// Places every unassigned job it can (regret on small problems for the primary
    /// worker, greedy otherwise).
    pub fn construct(&mut self, sol: &mut Solution) {
        let pending = sol.unassigned.clone();
        if self.primary && pending.len() <= REGRET_MAX_JOBS {
            recreate::regret(&mut self.ctx, sol, pending);
        } else {
            recreate::greedy(&mut self.ctx, sol, pending, 0.0, &mut self.routes);
        }
    }

    /// Places the unassigned jobs, then improves everything by local search.
    pub fn polish(&mut self, sol: &mut Solution, deadline: Option<Instant>) {
        if !sol.unassigned.is_empty() {
            let pending = sol.unassigned.clone();
            recreate::greedy(&mut self.ctx, sol, pending, 0.0, &mut self.routes);
        }
        self.ls.run(&mut self.ctx, sol, 0, deadline);
    }

    /// Runs the search: the best solution, iterations made, the pool of good routes, and
    /// whether the deadline stopped it before its iteration budget.
    pub fn run(
        mut self,
        settings: &Settings,
        initial: Option<&Solution>,
        deadline: Option<Instant>,
        progress: Option<&(dyn Fn(u64, i64) + Sync)>,
    ) -> (Solution, u64, Pool, bool) {
        let p = self.ctx.p;
        let start = Instant::now();
        let mut cur = initial.cloned().unwrap_or_else(|| Solution::empty(p));
        self.construct(&mut cur);
        self.ls.run(&mut self.ctx, &mut cur, 0, deadline);
        let mut best = cur.clone();
        let max_it = settings.iterations.unwrap_or(u64::MAX);
        if p.jobs.is_empty() || max_it == 0 {
            return (best, 0, self.pool, false);
        }
        let assigned = (p.jobs.len() - cur.unassigned.len()).max(1) as f64;
        let per_job = (cur.routes_cost() as f64 / assigned).max(1.0);
        let scale = if self.focus.is_empty() {
            1.0
        } else {
            FOCUSED_TEMPERATURE
        };
        let (t0, tf) = (
            START_TEMPERATURE * per_job * scale,
            FINAL_TEMPERATURE * per_job * scale,
        );
        let pooling = self.pool.cap() > 0;
        if pooling {
            self.pool.add_solution(p, &best);
        }
        let time_share = |now: Instant| match (deadline, settings.iterations) {
            (_, Some(_)) => None,
            (Some(d), None) => {
                let total = d.saturating_duration_since(start).as_secs_f64().max(1e-9);
                Some(now.saturating_duration_since(start).as_secs_f64() / total)
            }
            (None, None) => Some(1.0),
        };
        let mut it = 0u64;
        let mut timed_out = false;
        let mut cur_cost = cur.cost(p);
        let mut best_cost = best.cost(p);
        while it < max_it {
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                timed_out = settings.iterations.is_some();
                break;
            }
            let frac = time_share(now).unwrap_or(it as f64 / max_it as f64);
            if frac >= 1.0 {
                break;
            }
            let temp = t0 * (tf / t0).powf(frac.min(1.0));
            let mut cand = cur.clone();
            let since = cand.clock();
            ruin(&mut self.ctx, &mut cand, &self.focus);
            let pending = cand.unassigned.clone();
            // No draw when the share is 0, so greedy-only runs repeat earlier results.
            if settings.regret_share > 0.0 && self.ctx.rng.unit() < settings.regret_share {
                recreate::regret_cached(&mut self.ctx, &mut cand, pending, &mut self.routes);
            } else {
                recreate::greedy(&mut self.ctx, &mut cand, pending, BLINK, &mut self.routes);
            }
            let mut cand_cost = cand.cost(p);
            // Polishing every candidate measured better per iteration but worse per
            // second than more iterations (BENCHMARKS.md), so only new bests are polished.
            if cand_cost < best_cost {
                self.ls.run(&mut self.ctx, &mut cand, since, deadline);
                cand_cost = cand.cost(p);
            }
            let threshold = cur_cost as f64 - temp * self.ctx.rng.unit().max(1e-300).ln();
            if (cand_cost as f64) < threshold {
                cur = cand;
                cur_cost = cand_cost;
                if pooling && (cur_cost as f64) <= self.pool_window * best_cost as f64 {
                    self.pool.add_solution(p, &cur);
                }
                if cur_cost < best_cost {
                    best = cur.clone();
                    best_cost = cur_cost;
                }
            }
            it += 1;
            if self.primary
                && it.is_multiple_of(64)
                && let Some(f) = progress
            {
                f(it, best_cost);
            }
        }
        (best, it, self.pool, timed_out)
    }
}
