//! The search: construction (regret-2 on small problems, greedy otherwise; every job that
//! fits a vehicle of its own is placed), then slack-induced string removals and greedy
//! insertion with blinks (SISR, Christiaens & Vanden Berghe 2020) under simulated
//! annealing, with a local search polishing every new best. Independent workers run on
//! separate threads with their own seeds; the best result wins, ties to the lower worker.
//! With a set-partitioning solver the run ends by recombining the pooled routes; with
//! pricing ([`Settings::pricing`]) the pool first grows by column generation and a dive,
//! and the dive's plans are settled (a cool search from each, pooling the routes around
//! it) before each of two recombinations.
//!
//! - [`worker`]: the acceptance loop;
//! - [`ruin`], [`recreate`]: the SISR methods;
//! - [`local`]: the local search over the [`operators`].

pub mod local;
pub mod operators;
pub mod recreate;
pub mod ruin;
pub mod worker;

use super::pool::{Limits, Pool, SetPartitioner};
use super::pricing::{self, Pricing};
use super::problem::Problem;
use super::solution::Solution;
use std::time::{Duration, Instant};
use worker::Worker;

/// Limits and parallelism of a search.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Wall-clock limit (results then depend on machine speed).
    pub time_limit: Option<Duration>,
    /// Iteration limit per worker (deterministic).
    pub iterations: Option<u64>,
    /// Worker threads.
    pub threads: usize,
    /// Random seed.
    pub seed: u64,
    /// Share of the iterations whose recreate step is regret-2 insertion instead of
    /// greedy insertion with blinks (0 = greedy only, the default). On the demo's school
    /// day, 0.3 gives a plan about 1.2% cheaper per iteration at 2.5× the time per
    /// iteration, about level per second, with no narrower seed spread (BENCHMARKS.md,
    /// "Regret insertion"); not yet measured on the benchmark sets, so off by default.
    pub regret_share: f64,
    /// Before recombination, grow the route pool by column generation and dive for a
    /// solution ([`pricing`]; each dive step also searches the jobs it has left), then
    /// settle: twice, a cool search from the best plan pools the routes around it and
    /// recombination runs ([`SETTLE_NODES`]: 1,000 nodes, then 300, with
    /// [`SETTLE_HEURISTICS`] under fixed iterations). Only with a
    /// set-partitioning solver. On the demo's school day at 60,000 iterations the median
    /// plan is about £30k a year (2.5%) below the default's and seeds 1–6 fall within
    /// 0.26% (nine seeds: 1.1%; the default 2.5%), for about seven minutes a plan; at
    /// 1,000 pupils its pricing runs out of time for no gain (BENCHMARKS.md, "Column
    /// generation before recombination", "Searching what the dive leaves" and "Settling
    /// the priced plan").
    pub pricing: bool,
}

/// A finished search.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Best solution found.
    pub solution: Solution,
    /// Iterations summed over workers.
    pub iterations: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// The time limit cut the search short of its iteration budget, or the clock guard
    /// cut recombination short in a run of fixed iterations.
    pub stopped_by_time: bool,
}

/// Routes kept for recombination, over all workers.
const POOL_CAP: usize = 40_000;
/// Share of a time-limited run left for recombination.
const RECOMBINE_SHARE: f64 = 0.1;
/// Branch-and-bound nodes of recombination in an iteration-limited run (BENCHMARKS.md,
/// "Recombination under fixed iterations": 25–35 s of HiGHS on the demo's 60,000-iteration
/// pools, about what the earlier 20-s clock limit gave).
const RECOMBINE_NODES: u32 = 200;
/// Branch-and-bound nodes of recombination after pricing: the grown pool's MIP needs
/// more (BENCHMARKS.md, "Column generation before recombination").
const PRICED_NODES: u32 = 1_000;
/// How much column generation `Settings::pricing` does.
const PRICING: Pricing = Pricing {
    rounds: 10,
    steps: 4,
    per_step: 4,
    residual_per_job: 100,
    seed: 0,
    completions: SETTLE_STARTS,
};
/// After pricing, rounds that each search from the best plan at the focused (cool)
/// temperature, pooling the routes of its good plans, then recombine with this many
/// nodes. The first round settles the dive's cheapest plans into their basins; the second
/// gives the MIP the routes around the first MIP's plan (BENCHMARKS.md, "Settling the
/// priced plan").
const SETTLE_NODES: [u32; 2] = [PRICED_NODES, 300];
/// The first round settles this many of the dive's solutions (the cheapest, one per
/// cost), so that one poor dive does not decide the basin.
const SETTLE_STARTS: usize = 3;
/// Iterations per job of each settling search.
const SETTLE_PER_JOB: u64 = 150;
/// Most routes each settling search pools.
const SETTLE_CAP: usize = 2_000;
/// HiGHS's effort on primal heuristics in the settling MIPs of a run of fixed iterations
/// (its default is 0.05). Those MIPs stopped about 1% above their bound at the node limit;
/// with more heuristic work they find cheaper plans in the same pool (BENCHMARKS.md,
/// "Settling the priced plan").
const SETTLE_HEURISTICS: f64 = 0.3;
/// Offset of the settling searches' seeds from the plan's (one more per round, 100 more
/// per start).
const SETTLE_SEED: u64 = 777;
/// Clock guard on recombination in an iteration-limited run, at least this long and at
/// least [`RECOMBINE_GUARD_FACTOR`] times the search's own time. It is there for pools far
/// larger than the node limit was measured on; where it binds (the plan says so, as
/// `stopped_by_time`), the result again depends on the machine.
const RECOMBINE_GUARD_MIN: Duration = Duration::from_secs(600);
/// See [`RECOMBINE_GUARD_MIN`].
const RECOMBINE_GUARD_FACTOR: u32 = 10;
/// Routes of accepted solutions within this factor of the best enter the pool.
const POOL_WINDOW: f64 = 1.02;

/// What the workers hand back: their best, iterations, pools and whether time ran out.
struct Joined {
    best: Option<Solution>,
    iterations: u64,
    pool: Pool,
    timed_out: bool,
}

/// What each worker pools for recombination: at most `cap` routes of the accepted
/// solutions within `window` × the best cost (cap 0: nothing).
#[derive(Clone, Copy)]
struct Pooling {
    cap: usize,
    window: f64,
}

fn run_workers(
    p: &Problem,
    settings: &Settings,
    initial: Option<&Solution>,
    progress: &(dyn Fn(u64, i64) + Sync),
    deadline: Option<Instant>,
    pooling: Pooling,
    focus: &[u32],
) -> Joined {
    let Pooling {
        cap: pool_cap,
        window: pool_window,
    } = pooling;
    let threads = settings.threads.max(1);
    let results: Vec<(Solution, u64, Pool, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                let seed = settings
                    .seed
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    .wrapping_add(w as u64 + 1);
                s.spawn(move || {
                    let worker =
                        Worker::new(p, seed, w == 0, pool_cap, pool_window).focus_on(focus);
                    worker.run(
                        settings,
                        initial,
                        deadline,
                        if w == 0 { Some(progress) } else { None },
                    )
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut out = Joined {
        best: None,
        iterations: 0,
        pool: Pool::new(0),
        timed_out: false,
    };
    for (sol, it, worker_pool, timed_out) in results {
        out.iterations += it;
        out.timed_out |= timed_out;
        out.pool.merge(worker_pool);
        if out.best.as_ref().is_none_or(|b| sol.cost(p) < b.cost(p)) {
            out.best = Some(sol);
        }
    }
    out
}

/// Runs the search and returns, with its outcome, the pool of distinct routes (at most
/// `cap`) of the accepted solutions within `window` × the best cost.
pub fn solve_pooled(
    p: &Problem,
    settings: &Settings,
    initial: Option<&Solution>,
    window: f64,
    cap: usize,
) -> (Outcome, Pool) {
    let cap = cap / settings.threads.max(1);
    run_quiet(p, settings, initial, cap, window, &[])
}

/// Runs the search from `initial`, starting every ruin near one of the `focus` jobs: a
/// neighbourhood search, for repairs around a change (savings); with no focus jobs, the
/// plain search from `initial`.
pub fn solve_focused(
    p: &Problem,
    settings: &Settings,
    initial: &Solution,
    focus: &[u32],
) -> Outcome {
    run_quiet(p, settings, Some(initial), 0, POOL_WINDOW, focus).0
}

/// The workers without progress reports or recombination: the best solution found and
/// the pool of routes (`cap` per worker).
fn run_quiet(
    p: &Problem,
    settings: &Settings,
    initial: Option<&Solution>,
    cap: usize,
    window: f64,
    focus: &[u32],
) -> (Outcome, Pool) {
    let start = Instant::now();
    let deadline = settings.time_limit.map(|t| start + t);
    let j = run_workers(
        p,
        settings,
        initial,
        &|_, _| {},
        deadline,
        Pooling { cap, window },
        focus,
    );
    let mut best = j
        .best
        .unwrap_or_else(|| initial.cloned().unwrap_or_else(|| Solution::empty(p)));
    best.normalize(p);
    (
        Outcome {
            solution: best,
            iterations: j.iterations,
            seconds: start.elapsed().as_secs_f64(),
            stopped_by_time: j.timed_out,
        },
        j.pool,
    )
}

/// Recombines `pool` from `best` (`limits`: time and nodes as for
/// [`Pool::recombine`]); a cheaper plan, polished until `end`, replaces `best`.
fn recombine_into(
    p: &Problem,
    pool: &mut Pool,
    best: &mut Solution,
    solver: &dyn SetPartitioner,
    limits: Limits,
    seed: u64,
    end: Option<Instant>,
) {
    if let Some(mut better) = pool.recombine(p, best, solver, limits) {
        Worker::new(p, seed, true, 0, POOL_WINDOW).polish(&mut better, end);
        if better.cost(p) < best.cost(p) {
            *best = better;
        }
    }
}

/// A search from `best` at the focused (cool) temperature with ruins anywhere, so it
/// stays in `best`'s basin: [`SETTLE_PER_JOB`] iterations per job, stopped at `guard`.
/// The routes of its good plans join `pool`; returns its best plan (whole, or `best`
/// itself) and whether the guard cut it short.
fn settle(
    p: &Problem,
    best: &Solution,
    pool: &mut Pool,
    seed: u64,
    guard: Instant,
) -> (Solution, bool) {
    let every: Vec<u32> = (0..p.jobs.len() as u32).collect();
    let settings = Settings {
        time_limit: Some(guard.saturating_duration_since(Instant::now())),
        iterations: Some(SETTLE_PER_JOB * p.jobs.len() as u64),
        threads: 1,
        seed,
        regret_share: 0.0,
        pricing: false,
    };
    let (out, found) = run_quiet(p, &settings, Some(best), SETTLE_CAP, POOL_WINDOW, &every);
    pool.merge(found);
    let whole = out.solution.unassigned.is_empty() && out.solution.within_fleet(p);
    let settled = if whole { out.solution } else { best.clone() };
    (settled, out.stopped_by_time)
}

/// Runs the search from scratch or from `initial`.
pub fn solve(
    p: &Problem,
    settings: &Settings,
    initial: Option<&Solution>,
    progress: &(dyn Fn(u64, i64) + Sync),
) -> Outcome {
    solve_with(p, settings, initial, progress, None)
}

/// Runs the search; with a set-partitioning solver, the workers also pool the routes of
/// good solutions and the run ends by recombining the pool (then a last local search).
pub fn solve_with(
    p: &Problem,
    settings: &Settings,
    initial: Option<&Solution>,
    progress: &(dyn Fn(u64, i64) + Sync),
    recombine: Option<&dyn SetPartitioner>,
) -> Outcome {
    let start = Instant::now();
    let threads = settings.threads.max(1);
    let search_time = match recombine {
        Some(_) => settings
            .time_limit
            .map(|t| t.mul_f64(1.0 - RECOMBINE_SHARE)),
        None => settings.time_limit,
    };
    let pool_cap = if recombine.is_some() {
        POOL_CAP / threads
    } else {
        0
    };
    let deadline = search_time.map(|t| start + t);
    let j = run_workers(
        p,
        settings,
        initial,
        progress,
        deadline,
        Pooling {
            cap: pool_cap,
            window: POOL_WINDOW,
        },
        &[],
    );
    let mut best = j.best.unwrap_or_else(|| Solution::empty(p));
    let mut pool = j.pool;
    let mut timed_out = j.timed_out;
    if let Some(solver) = recombine {
        // A time-limited run gives recombination what time is left. A run of fixed
        // iterations must give the same answer on any machine and under any load, so
        // its solver stops after a number of nodes instead (the clock is then only a
        // guard against a pool far larger than a school day's).
        let (budget, nodes) = match settings.time_limit {
            Some(t) => (
                t.saturating_sub(start.elapsed())
                    .max(Duration::from_millis(100)),
                None,
            ),
            None => (
                RECOMBINE_GUARD_MIN.max(start.elapsed() * RECOMBINE_GUARD_FACTOR),
                Some(if settings.pricing {
                    PRICED_NODES
                } else {
                    RECOMBINE_NODES
                }),
            ),
        };
        let began = Instant::now();
        let end = settings.time_limit.map(|t| start + t);
        if settings.pricing {
            // Pricing may use half of recombination's time (in a run of fixed
            // iterations, half of the clock guard; where that binds, the run says so).
            let deadline = began + budget / 2;
            let cfg = Pricing {
                seed: settings.seed,
                ..PRICING
            };
            let (g, dived) = pricing::grow(p, &mut pool, solver, &cfg, budget, Some(deadline));
            timed_out |= nodes.is_some() && g.cut_short;
            let mut starts = Vec::new();
            for mut d in dived {
                if d.unassigned.is_empty() && d.within_fleet(p) {
                    Worker::new(p, settings.seed, true, 0, POOL_WINDOW).polish(&mut d, end);
                    starts.push(d);
                }
            }
            if let Some(d) = starts.first()
                && d.cost(p) < best.cost(p)
            {
                best = d.clone();
            }
            for (round, &settle_nodes) in SETTLE_NODES.iter().enumerate() {
                let guard = began + budget;
                // Later rounds, and a first round whose dive did no better than the
                // search, settle the best plan alone.
                if round > 0 || starts.first().is_none_or(|d| d.cost(p) > best.cost(p)) {
                    starts = vec![best.clone()];
                }
                for (k, start) in starts.iter().enumerate() {
                    let seed = settings
                        .seed
                        .wrapping_add(SETTLE_SEED + round as u64 + 100 * k as u64);
                    let (settled, cut) = settle(p, start, &mut pool, seed, guard);
                    timed_out |= nodes.is_some() && cut;
                    if settled.cost(p) < best.cost(p) {
                        best = settled;
                    }
                }
                // A time-limited run gives each round's MIP its share of the time left.
                let left = guard.saturating_duration_since(Instant::now());
                let share = left / (SETTLE_NODES.len() - round) as u32;
                let limits = Limits {
                    time: share,
                    nodes: nodes.map(|_| settle_nodes),
                    heuristics: nodes.map(|_| SETTLE_HEURISTICS),
                };
                recombine_into(p, &mut pool, &mut best, solver, limits, settings.seed, end);
            }
        } else {
            let limits = Limits {
                time: budget,
                nodes,
                heuristics: None,
            };
            recombine_into(p, &mut pool, &mut best, solver, limits, settings.seed, end);
        }
        // The guard bound a run of fixed iterations: say so.
        timed_out |= nodes.is_some() && began.elapsed() >= budget;
    }
    best.normalize(p);
    Outcome {
        solution: best,
        iterations: j.iterations,
        seconds: start.elapsed().as_secs_f64(),
        stopped_by_time: timed_out,
    }
}
