//! The search: greedy construction, then slack-induced string removals and greedy
//! insertion with blinks (SISR, Christiaens & Vanden Berghe 2020) under simulated
//! annealing, with local search (relocate, swap, 2-opt*) on granular neighbour lists
//! polishing every new best. Independent workers run on separate threads with their own
//! seeds; the best result wins, ties going to the lower worker.

use super::pool::{Pool, SetPartitioner};
use super::problem::{Problem, StopKind};
use super::route::{Route, route_cost, segment_feasible};
use super::solution::{Insertion, Rng, Solution};
use std::time::{Duration, Instant};

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
}

/// SISR parameters (Christiaens & Vanden Berghe 2020).
const AVG_REMOVED: f64 = 10.0;
const MAX_STRING: f64 = 10.0;
const SPLIT_PROBABILITY: f64 = 0.5;
const SPLIT_BETA: f64 = 0.01;
const BLINK: f64 = 0.01;
/// Regret construction is O(jobs² × routes); above this many jobs the greedy start is used.
const REGRET_MAX_JOBS: usize = 250;

/// Routes kept for recombination, over all workers.
const POOL_CAP: usize = 40_000;
/// Share of a time-limited run left for recombination.
const RECOMBINE_SHARE: f64 = 0.1;
/// Time for recombination in an iteration-limited run.
const RECOMBINE_TIME: Duration = Duration::from_secs(20);
/// Routes of accepted solutions within this factor of the best enter the pool.
const POOL_WINDOW: f64 = 1.02;

/// The workers' best solution, their iterations, and the pooled routes.
fn run_workers(
    p: &Problem,
    settings: &Settings,
    initial: Option<&Solution>,
    progress: &(dyn Fn(u64, i64) + Sync),
    start: Instant,
    pool_cap: usize,
    pool_window: f64,
) -> (Option<Solution>, u64, Pool) {
    let threads = settings.threads.max(1);
    let results: Vec<(Solution, u64, Pool)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                let seed = settings
                    .seed
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    .wrapping_add(w as u64 + 1);
                s.spawn(move || {
                    let mut worker = Worker::new(p, seed, w == 0, pool_cap);
                    worker.pool_window = pool_window;
                    worker.run(
                        settings,
                        initial,
                        start,
                        if w == 0 { Some(progress) } else { None },
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("search worker panicked"))
            .collect()
    });
    let iterations = results.iter().map(|r| r.1).sum();
    let mut pool = Pool::new(0);
    let mut best: Option<Solution> = None;
    for (sol, _, worker_pool) in results {
        pool.merge(worker_pool);
        if best.as_ref().is_none_or(|b| sol.cost(p) < b.cost(p)) {
            best = Some(sol);
        }
    }
    (best, iterations, pool)
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
    let start = Instant::now();
    let cap = cap / settings.threads.max(1);
    let (best, iterations, pool) =
        run_workers(p, settings, initial, &|_, _| {}, start, cap, window);
    let mut best = best.unwrap_or_else(|| Solution::empty(p));
    best.normalize(p);
    (
        Outcome {
            solution: best,
            iterations,
            seconds: start.elapsed().as_secs_f64(),
        },
        pool,
    )
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
    let search_settings = Settings {
        time_limit: match recombine {
            Some(_) => settings
                .time_limit
                .map(|t| t.mul_f64(1.0 - RECOMBINE_SHARE)),
            None => settings.time_limit,
        },
        ..settings.clone()
    };
    let pool_cap = if recombine.is_some() {
        POOL_CAP / threads
    } else {
        0
    };
    let (best, iterations, mut pool) = run_workers(
        p,
        &search_settings,
        initial,
        progress,
        start,
        pool_cap,
        POOL_WINDOW,
    );
    let settings = &search_settings;
    let mut best = best.unwrap_or_else(|| Solution::empty(p));
    if let Some(solver) = recombine {
        let budget = match settings.time_limit {
            Some(_) => start
                .elapsed()
                .mul_f64(RECOMBINE_SHARE / (1.0 - RECOMBINE_SHARE))
                .max(Duration::from_millis(200)),
            None => RECOMBINE_TIME,
        };
        if let Some(mut better) = pool.recombine(p, &best, solver, budget) {
            Worker::new(p, settings.seed, true, 0).local_search(&mut better);
            if better.cost(p) < best.cost(p) {
                best = better;
            }
        }
    }
    best.normalize(p);
    Outcome {
        solution: best,
        iterations,
        seconds: start.elapsed().as_secs_f64(),
    }
}

struct Worker<'a> {
    p: &'a Problem,
    rng: Rng,
    scratch: Vec<Insertion>,
    /// Every job is a single visit and no route-level rule couples stops: tail exchanges
    /// (2-opt*) and swaps are valid moves.
    single_visits: bool,
    primary: bool,
    /// Routes of good solutions, for recombination (capacity 0 = not collected).
    pool: Pool,
    /// Accepted solutions within this factor of the best join the pool.
    pool_window: f64,
}

impl<'a> Worker<'a> {
    fn new(p: &'a Problem, seed: u64, primary: bool, pool_cap: usize) -> Self {
        let single_visits = p.jobs.iter().all(|j| {
            j.stops.len() == 1
                && !j.solo
                && j.incompatible.is_empty()
                && !j.needs_assistant
                && j.max_ride.is_none()
        }) && p
            .vehicles
            .windows(2)
            .all(|w| w[0].start == w[1].start && w[0].end == w[1].end);
        Worker {
            p,
            rng: Rng::new(seed),
            scratch: Vec::new(),
            single_visits,
            primary,
            pool: Pool::new(pool_cap),
            pool_window: POOL_WINDOW,
        }
    }

    fn run(
        mut self,
        settings: &Settings,
        initial: Option<&Solution>,
        start: Instant,
        progress: Option<&(dyn Fn(u64, i64) + Sync)>,
    ) -> (Solution, u64, Pool) {
        let p = self.p;
        let mut cur = match initial {
            Some(s) => s.clone(),
            None => Solution::empty(p),
        };
        let pending: Vec<u32> = cur.unassigned.clone();
        // Workers start differently: the first by regret insertion, the others greedily.
        if self.primary && pending.len() <= REGRET_MAX_JOBS {
            self.regret_construct(&mut cur, pending);
        } else {
            self.recreate(&mut cur, pending);
        }
        self.local_search(&mut cur);
        let mut best = cur.clone();
        let assigned = (p.jobs.len() - cur.unassigned.len()).max(1) as f64;
        let per_job = (cur.routes_cost() as f64 / assigned).max(1.0);
        let (t0, tf) = (0.35 * per_job, 0.0035 * per_job);
        let limit = settings.time_limit;
        let max_it = settings.iterations.unwrap_or(u64::MAX);
        if p.jobs.is_empty() {
            return (best, 0, self.pool);
        }
        let pooling = self.pool.cap() > 0;
        if pooling {
            self.pool.add_solution(p, &best);
        }
        let mut it = 0u64;
        while it < max_it {
            let frac = match (limit, settings.iterations) {
                (_, Some(n)) => it as f64 / n as f64,
                (Some(l), None) => start.elapsed().as_secs_f64() / l.as_secs_f64(),
                (None, None) => 1.0,
            };
            if frac >= 1.0 || limit.is_some_and(|l| it % 16 == 0 && start.elapsed() >= l) {
                break;
            }
            let temp = t0 * (tf / t0).powf(frac.min(1.0));
            let mut cand = cur.clone();
            // Removed jobs join the unassigned ones; all are offered for reinsertion.
            self.ruin(&mut cand);
            let pending = cand.unassigned.clone();
            self.recreate(&mut cand, pending);
            let best_cost = best.cost(p);
            if cand.cost(p) < best_cost {
                self.local_search(&mut cand);
            }
            let threshold = cur.cost(p) as f64 - temp * self.rng.unit().max(1e-300).ln();
            if (cand.cost(p) as f64) < threshold {
                cur = cand;
                if pooling && (cur.cost(p) as f64) <= self.pool_window * best_cost as f64 {
                    self.pool.add_solution(p, &cur);
                }
                if cur.cost(p) < best_cost {
                    best = cur.clone();
                }
            }
            it += 1;
            if self.primary && it % 256 == 0 {
                if let Some(f) = progress {
                    f(it, best.cost(p));
                }
            }
        }
        (best, it, self.pool)
    }

    /// Inserts jobs one by one at their cheapest position, in one of SISR's orders.
    fn recreate(&mut self, sol: &mut Solution, mut jobs: Vec<u32>) {
        let p = self.p;
        jobs.sort_unstable();
        for i in (1..jobs.len()).rev() {
            let k = self.rng.below(i + 1);
            jobs.swap(i, k);
        }
        let r = self.rng.below(11);
        let demand = |j: u32| -> i32 {
            let s = &p.stops[p.jobs[j as usize].stops[0] as usize];
            s.delivery
                .iter()
                .chain(s.pickup.iter())
                .map(|x| x.abs())
                .sum()
        };
        let far = |j: u32| -> i64 {
            let s = &p.stops[p.jobs[j as usize].stops[0] as usize];
            p.dist(p.vehicles[0].start, s.loc)
        };
        if r < 4 {
            // Random order.
        } else if r < 8 {
            jobs.sort_by_key(|&j| std::cmp::Reverse(demand(j)));
        } else if r < 10 {
            jobs.sort_by_key(|&j| std::cmp::Reverse(far(j)));
        } else {
            jobs.sort_by_key(|&j| far(j));
        }
        for j in jobs {
            if sol.route_of(j).is_some() {
                continue;
            }
            let mut scratch = std::mem::take(&mut self.scratch);
            if let Some(ins) = sol.best_insertion(p, j, &mut self.rng, BLINK, &mut scratch) {
                sol.insert(p, j, &ins);
            } else if !sol.unassigned.contains(&j) {
                sol.unassigned.push(j);
            }
            self.scratch = scratch;
        }
    }

    /// SISR ruin: remove strings of consecutive jobs from routes near a random seed job.
    fn ruin(&mut self, sol: &mut Solution) -> Vec<u32> {
        let p = self.p;
        let mut removed = Vec::new();
        if sol.routes.is_empty() {
            return removed;
        }
        let jobs_per_route: Vec<usize> = sol.routes.iter().map(|r| r.jobs(p).count()).collect();
        let avg = jobs_per_route.iter().sum::<usize>() as f64 / sol.routes.len() as f64;
        let ls_max = MAX_STRING.min(avg).max(1.0);
        let ks_max = (4.0 * AVG_REMOVED / (1.0 + ls_max) - 1.0).max(1.0);
        let ks = (self.rng.unit() * ks_max) as usize + 1;
        let assigned: Vec<u32> = (0..p.jobs.len() as u32)
            .filter(|&j| sol.route_of(j).is_some())
            .collect();
        if assigned.is_empty() {
            return removed;
        }
        let seed = assigned[self.rng.below(assigned.len())];
        let mut ruined_routes: Vec<usize> = Vec::new();
        let candidates: Vec<u32> = std::iter::once(seed)
            .chain(p.near_jobs(seed).iter().copied())
            .collect();
        for c in candidates {
            if ruined_routes.len() >= ks {
                break;
            }
            let Some(ri) = sol.route_of(c) else { continue };
            // Identify routes by their first job so indices may shift while removing.
            let route_jobs: Vec<u32> = sol.routes[ri].jobs(p).collect();
            let key = route_jobs[0] as usize;
            if ruined_routes.contains(&key) {
                continue;
            }
            ruined_routes.push(key);
            let n = route_jobs.len();
            let l_max = (n as f64).min(ls_max);
            let l = ((self.rng.unit() * l_max) as usize + 1).min(n);
            let pos = route_jobs.iter().position(|&x| x == c).unwrap_or(0);
            let string: Vec<u32> = if self.rng.unit() < SPLIT_PROBABILITY && l < n {
                // Split string: a window of l + m jobs of which m are kept.
                let mut m = 1;
                while l + m < n && self.rng.unit() > SPLIT_BETA {
                    m += 1;
                }
                let w = l + m;
                let lo = pos.saturating_sub(self.rng.below(w)).min(n - w);
                let keep_at = self.rng.below(l + 1);
                (lo..lo + w)
                    .filter(|&i| i < lo + keep_at || i >= lo + keep_at + m)
                    .map(|i| route_jobs[i])
                    .collect()
            } else {
                let lo = pos.saturating_sub(self.rng.below(l)).min(n - l);
                route_jobs[lo..lo + l].to_vec()
            };
            for j in string {
                sol.remove(p, j);
                removed.push(j);
            }
        }
        removed
    }

    /// First-improvement local search over relocate (single jobs and pairs), swap and
    /// 2-opt*, restricted to granular neighbours.
    fn local_search(&mut self, sol: &mut Solution) {
        let p = self.p;
        let mut improved = true;
        let mut rounds = 0;
        while improved && rounds < 50 {
            improved = false;
            rounds += 1;
            let mut order: Vec<u32> = (0..p.jobs.len() as u32)
                .filter(|&j| sol.route_of(j).is_some())
                .collect();
            for i in (1..order.len()).rev() {
                let k = self.rng.below(i + 1);
                order.swap(i, k);
            }
            for &j in &order {
                if self.relocate(sol, j) {
                    improved = true;
                }
                if self.single_visits
                    && (self.swap(sol, j) || self.two_opt_star(sol, j) || self.swap_star(sol, j))
                {
                    improved = true;
                }
            }
        }
    }

    /// Moves a job to its best position among the routes of its neighbours (its own
    /// route included) if that lowers the cost.
    fn relocate(&mut self, sol: &mut Solution, job: u32) -> bool {
        let p = self.p;
        let Some(own) = sol.route_of(job) else {
            return false;
        };
        let gain = sol.removal_gain(p, job);
        let mut routes: Vec<usize> = p
            .near_jobs(job)
            .iter()
            .take(20)
            .filter_map(|&n| sol.route_of(n))
            .collect();
        routes.sort_unstable();
        routes.dedup();
        let mut best: Option<(i64, usize, Insertion)> = None;
        let mut scratch = std::mem::take(&mut self.scratch);
        for &ri in &routes {
            if ri == own {
                continue;
            }
            if let Some(ins) = sol.best_insertion_in(p, job, ri, &mut scratch) {
                if ins.delta < gain && best.as_ref().is_none_or(|b| ins.delta < b.0) {
                    best = Some((ins.delta, ri, ins));
                }
            }
        }
        self.scratch = scratch;
        if let Some((_, ri, _)) = best {
            // Anchor the target route by one of its jobs: removal may move route indices.
            let anchor = sol.routes[ri].jobs(p).next().unwrap_or(job);
            sol.remove(p, job);
            let Some(target) = sol.route_of(anchor) else {
                return false;
            };
            let mut scratch = std::mem::take(&mut self.scratch);
            let ins = sol.best_insertion_in(p, job, target, &mut scratch);
            self.scratch = scratch;
            match ins {
                Some(ins) => sol.insert(p, job, &ins),
                None => {
                    let mut scratch = std::mem::take(&mut self.scratch);
                    if let Some(ins) = sol.best_insertion(p, job, &mut self.rng, 0.0, &mut scratch)
                    {
                        sol.insert(p, job, &ins);
                    }
                    self.scratch = scratch;
                }
            }
            return true;
        }
        // Within its own route.
        let r = &sol.routes[own];
        let stops_without: Vec<u32> = r
            .stops
            .iter()
            .copied()
            .filter(|s| !p.jobs[job as usize].stops.contains(s))
            .collect();
        let mut tmp = Route::new(p, r.vehicle);
        tmp.stops = stops_without;
        tmp.update(p);
        let old = r.cost;
        let mut tmp_sol = Solution::from_routes(p, vec![(tmp.vehicle, tmp.stops.clone())]);
        if tmp_sol.routes.is_empty() {
            return false;
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        let ins = tmp_sol.best_insertion_in(p, job, 0, &mut scratch);
        self.scratch = scratch;
        if let Some(ins) = ins {
            if tmp.cost + ins.delta < old {
                tmp_sol.insert(p, job, &ins);
                let stops = tmp_sol.routes[0].stops.clone();
                sol.set_route(p, own, stops);
                return true;
            }
        }
        false
    }

    /// Swaps a single-visit job with a neighbour on another route.
    fn swap(&mut self, sol: &mut Solution, job: u32) -> bool {
        let p = self.p;
        let Some(r1) = sol.route_of(job) else {
            return false;
        };
        let u = p.jobs[job as usize].stops[0];
        for &other in p.near_jobs(job).iter().take(15) {
            let Some(r2) = sol.route_of(other) else {
                continue;
            };
            if r2 == r1 {
                continue;
            }
            let v = p.jobs[other as usize].stops[0];
            let (a, b) = (&sol.routes[r1], &sol.routes[r2]);
            let (Some(i), Some(j)) = (
                a.stops.iter().position(|&s| s == u),
                b.stops.iter().position(|&s| s == v),
            ) else {
                continue;
            };
            let eval = |r: &Route, pos: usize, x: u32| -> Option<i64> {
                let loc = p.stops[x as usize].loc;
                let (pa, pb) = (r.loc_before(p, pos), r.loc_at(p, pos + 1));
                let dur = r
                    .fwd_dur(pos)
                    .then(&p.stop_duration(x), p.time(pa, loc))
                    .then(r.bwd_dur(pos + 1), p.time(loc, pb));
                let load = r
                    .fwd_load(pos)
                    .then(&p.stop_load(x))
                    .then(r.bwd_load(pos + 1));
                if !segment_feasible(p, r.vehicle, &dur, &load, false) {
                    return None;
                }
                let old_loc = p.stops[r.stops[pos] as usize].loc;
                let dist = r.distance - p.dist(pa, old_loc) - p.dist(old_loc, pb)
                    + p.dist(pa, loc)
                    + p.dist(loc, pb);
                Some(route_cost(p, r.vehicle, r.len(), dist, dur.duration, false))
            };
            let (Some(c1), Some(c2)) = (eval(a, i, v), eval(b, j, u)) else {
                continue;
            };
            if c1 + c2 < a.cost + b.cost {
                let mut s1 = a.stops.clone();
                let mut s2 = b.stops.clone();
                s1[i] = v;
                s2[j] = u;
                sol.set_route(p, r1, s1);
                sol.set_route(p, r2, s2);
                return true;
            }
        }
        false
    }

    /// 2-opt*: exchanges route tails so that `job` is followed by a neighbour.
    fn two_opt_star(&mut self, sol: &mut Solution, job: u32) -> bool {
        let p = self.p;
        let Some(r1) = sol.route_of(job) else {
            return false;
        };
        let u = p.jobs[job as usize].stops[0];
        let Some(i) = sol.routes[r1].stops.iter().position(|&s| s == u) else {
            return false;
        };
        let tail_dist = |r: &Route, pos: usize| {
            if pos >= r.len() {
                0
            } else {
                r.distance - r.dist_to(pos + 1)
            }
        };
        for &other in p.near_jobs(job).iter().take(15) {
            let Some(r2) = sol.route_of(other) else {
                continue;
            };
            if r2 == r1 {
                continue;
            }
            let v = p.jobs[other as usize].stops[0];
            let (a, b) = (&sol.routes[r1], &sol.routes[r2]);
            if a.vehicle != b.vehicle {
                continue;
            }
            let Some(j) = b.stops.iter().position(|&s| s == v) else {
                continue;
            };
            // New a: a[..=i] + b[j..]; new b: b[..j] + a[i+1..].
            let ul = p.stops[u as usize].loc;
            let vl = p.stops[v as usize].loc;
            let d1 = a.fwd_dur(i + 1).then(b.bwd_dur(j), p.time(ul, vl));
            let l1 = a.fwd_load(i + 1).then(b.bwd_load(j));
            let (bl, al) = (b.loc_before(p, j), a.loc_at(p, i + 1));
            let d2 = b.fwd_dur(j).then(a.bwd_dur(i + 1), p.time(bl, al));
            let l2 = b.fwd_load(j).then(a.bwd_load(i + 1));
            if !segment_feasible(p, a.vehicle, &d1, &l1, false)
                || !segment_feasible(p, b.vehicle, &d2, &l2, false)
            {
                continue;
            }
            let n1 = i + 1 + (b.len() - j);
            let n2 = j + (a.len() - i - 1);
            let dist1 = a.dist_to(i + 1) + p.dist(ul, vl) + tail_dist(b, j);
            let dist2 = b.dist_to(j) + p.dist(bl, al) + tail_dist(a, i + 1);
            let c1 = route_cost(p, a.vehicle, n1, dist1, d1.duration, false);
            let c2 = route_cost(p, b.vehicle, n2, dist2, d2.duration, false);
            if c1 + c2 < a.cost + b.cost {
                let mut s1: Vec<u32> = a.stops[..=i].to_vec();
                s1.extend_from_slice(&b.stops[j..]);
                let mut s2: Vec<u32> = b.stops[..j].to_vec();
                s2.extend_from_slice(&a.stops[i + 1..]);
                // Set the longer index first so a dropped empty route cannot shift the other.
                if r1 > r2 {
                    sol.set_route(p, r1, s1);
                    sol.set_route(p, r2, s2);
                } else {
                    sol.set_route(p, r2, s2);
                    sol.set_route(p, r1, s1);
                }
                return true;
            }
        }
        false
    }
}

impl Worker<'_> {
    /// Regret-2 insertion: repeatedly inserts the job whose best and second-best routes
    /// differ most in cost, so that hard-to-place jobs are placed while they still can be.
    fn regret_construct(&mut self, sol: &mut Solution, jobs: Vec<u32>) {
        let p = self.p;
        let mut open: Vec<u32> = jobs;
        let mut scratch = std::mem::take(&mut self.scratch);
        while !open.is_empty() {
            let mut pick: Option<(i64, u32, Insertion)> = None;
            let mut dead = Vec::new();
            for &j in &open {
                let mut best: Option<Insertion> = None;
                let mut second = i64::MAX;
                let mut consider = |c: Insertion| match best {
                    Some(b) if c.delta >= b.delta => second = second.min(c.delta),
                    _ => {
                        if let Some(b) = best {
                            second = second.min(b.delta);
                        }
                        best = Some(c);
                    }
                };
                for ri in 0..sol.routes.len() {
                    if let Some(c) = sol.best_insertion_in(p, j, ri, &mut scratch) {
                        consider(c);
                    }
                }
                // A new vehicle is always a fallback option.
                let mut rng = Rng::new(0);
                if let Some(c) = sol
                    .best_insertion(p, j, &mut rng, 0.0, &mut scratch)
                    .filter(|c| c.route == usize::MAX)
                {
                    consider(c);
                }
                let Some(b) = best else {
                    dead.push(j);
                    continue;
                };
                let regret = second.saturating_sub(b.delta);
                if pick
                    .as_ref()
                    .is_none_or(|(r, pj, _)| regret > *r || (regret == *r && j < *pj))
                {
                    pick = Some((regret, j, b));
                }
            }
            open.retain(|j| !dead.contains(j));
            let Some((_, j, ins)) = pick else { break };
            sol.insert(p, j, &ins);
            open.retain(|&x| x != j);
        }
        self.scratch = scratch;
    }

    /// SWAP* (Vidal 2022): exchanges `job` with a neighbour on another route, each going
    /// to its best position in the other's route rather than into the vacated slot.
    fn swap_star(&mut self, sol: &mut Solution, job: u32) -> bool {
        let p = self.p;
        let Some(r1) = sol.route_of(job) else {
            return false;
        };
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut result = false;
        for &other in p.near_jobs(job).iter().take(8) {
            let Some(r2) = sol.route_of(other) else {
                continue;
            };
            if r2 == r1 {
                continue;
            }
            let (a, b) = (&sol.routes[r1], &sol.routes[r2]);
            let (u, v) = (
                p.jobs[job as usize].stops[0],
                p.jobs[other as usize].stops[0],
            );
            let without = |r: &Route, x: u32| -> Vec<u32> {
                r.stops.iter().copied().filter(|&s| s != x).collect()
            };
            let mut pair = Solution::from_routes(
                p,
                vec![(a.vehicle, without(a, u)), (b.vehicle, without(b, v))],
            );
            if pair.routes.len() != 2 {
                continue;
            }
            let base = pair.routes[0].cost + pair.routes[1].cost;
            let old = a.cost + b.cost;
            // Quick bound: the removals alone must leave room for a gain.
            if base >= old {
                continue;
            }
            let (Some(iv), Some(iu)) = (
                pair.best_insertion_in(p, other, 0, &mut scratch),
                pair.best_insertion_in(p, job, 1, &mut scratch),
            ) else {
                continue;
            };
            if base + iv.delta + iu.delta < old {
                pair.insert(p, other, &iv);
                pair.insert(p, job, &iu);
                let (s1, s2) = (pair.routes[0].stops.clone(), pair.routes[1].stops.clone());
                sol.set_route(p, r1, s1);
                sol.set_route(p, r2, s2);
                result = true;
                break;
            }
        }
        self.scratch = scratch;
        result
    }
}

/// Service start times for every route of a solution (for output and the checker).
pub fn schedules(p: &Problem, sol: &Solution) -> Vec<Option<super::schedule::Schedule>> {
    sol.routes
        .iter()
        .map(|r| super::schedule::schedule(p, r.vehicle, &r.stops))
        .collect()
}

/// Whether a stop is the pickup or single visit of its job (used for counting jobs).
pub fn is_job_head(p: &Problem, s: u32) -> bool {
    p.stops[s as usize].kind != StopKind::Delivery
}
