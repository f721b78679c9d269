//! Paired, bounded estimates of what a pupil's leaving saves.
//!
//! For a set of pupils `g` leaving (one pupil, or a pair) and the best plan known `B`:
//! - **lower** = C(B) − C(B∖g): take them out and change nothing else. A plan without them
//!   at that cost exists, so the saving is at least this. It is at least 0 as well: the
//!   base driven as it is, with empty seats, is also a plan without them (legs follow the
//!   fastest roads, so B∖g can be a few pence dearer in km than B; then that plan is the
//!   best known without them and the pupils save exactly nothing).
//! - **estimate** = C(B) − C(W), where W is the best plan without them known: `B∖g` with
//!   its *region* re-planned (the routes carrying them, and those of their
//!   `region_neighbours` nearest neighbours: none by default, so the region is their own
//!   vehicle-day) by a search of `repair_iterations` (seed s), every other route kept as
//!   it is; or an earlier such plan. The base's region gets the same search from
//!   the same start with the same seed (common random numbers), and a with-search that
//!   beats `B` makes it the new base. Nothing away from the pupils can change, so no
//!   improvement elsewhere is booked as their saving.
//! - **upper** = C(X) − C(W), where X is W with the pupils put back at their cheapest
//!   places (then polished). X carries everyone B does, and B is the best plan known, so
//!   C(B) ≤ C(X) and the estimate cannot exceed the upper bound.
//!
//! Whenever an X or a with-search beats `B`, it becomes the base and every estimate is
//! refreshed: rounds of searches (at most `max_rounds`), then the cheap steps alone (no
//! search) until nothing changes. A plan W found against an earlier base keeps what it
//! changed: the same change is made to the new base when the two changes touch different
//! routes ([`Warm::transplant`]), so an improvement elsewhere does not erase a pupil's
//! saving (it used to: the estimate fell back to the lower bound whenever the base had
//! improved by more than the repair's gain, anywhere). At that fixed point
//! lower ≤ estimate ≤ upper holds for every set, by construction; a pupil travelling alone
//! in their vehicle has lower = upper = the vehicle's day.

use super::Settings;
use crate::plan::{self, Compiled, Locations, Plan, Warm};
use crate::routing::{self, Solution, Travel};
use crate::scenario::{Mode, Scenario};
use crate::units::Pence;
use rayon::prelude::*;
use std::sync::Arc;

/// Iterations of the search for the plan carrying a set alone ([`Ctx::ceiling`]): one or
/// two pupils, so a short search finds its best.
const CEILING_ITERATIONS: u64 = 200;
/// Most cheap refresh passes after the search rounds (each strictly lowers the base).
const MAX_REFRESHES: usize = 100;

/// The figures for one set of pupils leaving, per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// C(B) − C(B∖g).
    pub lower: Pence,
    /// C(B) − C(W).
    pub estimate: Pence,
    /// C(X) − C(W).
    pub upper: Pence,
    /// W needs fewer vehicles than B.
    pub frees_vehicle: bool,
}

/// The base and the estimates at their fixed point.
pub struct Estimated {
    /// The best plan known (better than the plan given when a search improved on it).
    pub base: Solution,
    /// Its price per day.
    pub base_cost: Pence,
    /// Figures per set, in the order the sets were given (singles, then pairs).
    pub bounds: Vec<Bounds>,
    /// Rounds of searches made.
    pub rounds: usize,
    /// Times the base was replaced by a better plan.
    pub improvements: usize,
    /// Whether the last round of searches found nothing better (else the round limit
    /// stopped them; the bounds hold either way).
    pub converged: bool,
    /// Search iterations spent, over all searches.
    pub iterations: u64,
    /// The best plan known without each set, in the same order as `bounds`.
    pub withouts: Vec<Warm>,
    /// Each set's proven ceiling ([`Ctx::ceiling`]), a day, in the same order.
    pub ceilings: Vec<Option<Pence>>,
}

/// A plan of the day as pupils in visiting order (it moves between the problems with
/// and without some pupils), with its price per day.
#[derive(Clone)]
struct Known {
    warm: Warm,
    cost: Pence,
    vehicles: usize,
    /// For a plan without some pupils: the base it was derived from, without them. When
    /// the base improves, the same change is made to the improved base (see
    /// [`Warm::transplant`]), so that an improvement elsewhere is not lost to the plan
    /// without them and booked against their saving.
    against: Option<Warm>,
}

/// The best plan known, in the problem of the whole scenario.
#[derive(Clone)]
struct Base {
    sol: Solution,
    objective: i64,
    known: Known,
}

/// One set evaluated against a base.
struct Eval {
    bounds: Bounds,
    without: Known,
    /// A plan with everyone that beats the base, if one was found.
    better: Option<(Solution, i64)>,
    iterations: u64,
}

/// What long searches with and without some pupils found (`--check-sample`), per day.
pub(super) struct Reference {
    /// The cheapest plan with everyone.
    pub with: Pence,
    /// The cheapest plan without them.
    pub without: Pence,
    /// That plan with everyone.
    pub best: Solution,
}

/// The problem of the school day with some pupils gone.
struct Without {
    sc: Scenario,
    c: Compiled,
}

pub(super) struct Ctx<'a> {
    sc: &'a Scenario,
    travel: &'a Arc<Travel>,
    loc: &'a Locations,
    full: Compiled,
    s: &'a Settings,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(
        sc: &'a Scenario,
        travel: &'a Arc<Travel>,
        loc: &'a Locations,
        s: &'a Settings,
    ) -> Self {
        Ctx {
            sc,
            travel,
            loc,
            full: plan::compile(sc, travel, loc),
            s,
        }
    }

    /// The compiled problem of the whole scenario.
    pub(super) fn full_problem(&self) -> &Compiled {
        &self.full
    }

    fn without(&self, gone: &[usize]) -> Without {
        let mut sc = self.sc.clone();
        for &p in gone {
            sc.pupils[p].mode = Mode::Other;
        }
        let c = plan::compile(&sc, self.travel, self.loc);
        Without { sc, c }
    }

    fn known(sc: &Scenario, c: &Compiled, sol: &Solution) -> Known {
        Known {
            warm: Warm::from_solution(c, sol),
            cost: plan::solution_cost(sc, c, sol),
            vehicles: sol.routes.len(),
            against: None,
        }
    }

    fn base(&self, sol: Solution) -> Base {
        Base {
            objective: sol.cost(&self.full.problem),
            known: Self::known(self.sc, &self.full, &sol),
            sol,
        }
    }

    /// A search of `iterations` from `start` (0: place what is missing, then polish).
    fn search(c: &Compiled, start: &Solution, iterations: u64, seed: u64) -> (Solution, u64) {
        Self::search_near(c, start, iterations, seed, &[])
    }

    /// [`Self::search`] with every ruin starting at a pupil of `near` (none: anywhere).
    fn search_near(
        c: &Compiled,
        start: &Solution,
        iterations: u64,
        seed: u64,
        near: &[usize],
    ) -> (Solution, u64) {
        let settings = routing::Settings {
            time_limit: None,
            iterations: Some(iterations),
            threads: 1,
            seed,
            regret_share: 0.0,
            pricing: false,
        };
        let focus: Vec<u32> = (0..c.pupil_of_job.len() as u32)
            .filter(|&j| near.contains(&c.pupil_of_job[j as usize]))
            .collect();
        // With no focus this is the plain search from `start`.
        let out = routing::solve_focused(&c.problem, &settings, start, &focus);
        (out.solution, out.iterations)
    }

    /// The pupils around the set `gone` in the base: those sharing their vehicles and
    /// their `region_neighbours` nearest neighbours (the granular neighbourhood), the set
    /// gone excluded. The paired searches start their ruins there, where taking the set
    /// out changes things.
    fn around(&self, base: &Base, gone: &[usize]) -> Vec<usize> {
        let p = &self.full.problem;
        let jobs: Vec<u32> = (0..self.full.pupil_of_job.len() as u32)
            .filter(|&j| gone.contains(&self.full.pupil_of_job[j as usize]))
            .collect();
        let mut out: Vec<usize> = Vec::new();
        let mut add = |j: u32| {
            let pupil = self.full.pupil_of_job[j as usize];
            if !gone.contains(&pupil) && !out.contains(&pupil) {
                out.push(pupil);
            }
        };
        for &j in &jobs {
            if let Some(r) = base.sol.route_of(j) {
                base.sol.routes[r].job_list(p).for_each(&mut add);
            }
            p.near_jobs(j)
                .iter()
                .take(self.s.region_neighbours)
                .copied()
                .for_each(&mut add);
        }
        out
    }

    /// The routes of `plan` (indices) carrying the set `gone` or the pupils `near` them:
    /// the region the paired searches re-plan.
    fn region(plan: &Warm, gone: &[usize], near: &[usize]) -> Vec<usize> {
        (0..plan.routes.len())
            .filter(|&k| {
                plan.routes[k]
                    .1
                    .iter()
                    .flatten()
                    .any(|(p, _)| gone.contains(p) || near.contains(p))
            })
            .collect()
    }

    /// A search of the routes `region` of `plan` alone, the rest of the plan kept as it is
    /// (the fleet's limits less the vehicles the rest uses), without the pupils `gone`:
    /// `repair_iterations` from the region's routes, ruins starting at the pupils `near`.
    /// The plan with and the plan without a pupil are searched in the same region from
    /// the same start with the same seed, so the search's effort and luck are alike on
    /// both sides, and nothing the search changes lies away from the pupil. Returns the
    /// whole plan and the iterations made.
    fn search_region(
        &self,
        plan: &Warm,
        region: &[usize],
        gone: &[usize],
        near: &[usize],
        seed: u64,
    ) -> (Warm, u64) {
        let mut sc = self.sc.clone();
        let inside: Vec<usize> = region
            .iter()
            .flat_map(|&k| plan.routes[k].1.iter().flatten().map(|&(p, _)| p))
            .filter(|p| !gone.contains(p))
            .collect();
        for (i, pupil) in sc.pupils.iter_mut().enumerate() {
            if !inside.contains(&i) {
                pupil.mode = Mode::Other;
            }
        }
        let outside: Vec<_> = (0..plan.routes.len())
            .filter(|k| !region.contains(k))
            .map(|k| plan.routes[k].clone())
            .collect();
        for (v, _) in &outside {
            if let Some(n) = sc.vehicles.get_mut(*v).and_then(|t| t.available.as_mut()) {
                *n = n.saturating_sub(1);
            }
        }
        let c = plan::compile(&sc, self.travel, self.loc);
        let start = Warm {
            routes: region.iter().map(|&k| plan.routes[k].clone()).collect(),
        }
        .without(gone)
        .solution(&c);
        let (found, it) = Self::search_near(&c, &start, self.s.repair_iterations, seed, near);
        let mut out = Warm::from_solution(&c, &found);
        out.routes.extend(outside);
        (out, it)
    }

    /// Whether `sol` carries everyone the base carries and costs less.
    fn beats(&self, base: &Base, sol: &Solution) -> Option<i64> {
        let objective = sol.cost(&self.full.problem);
        (objective < base.objective && sol.unassigned.len() <= base.sol.unassigned.len())
            .then_some(objective)
    }

    /// Evaluates the set `gone` against `base`: with a seed, a paired search of the plans
    /// with and without them; always, their removal and their reinsertion.
    fn evaluate(
        &self,
        base: &Base,
        gone: &[usize],
        seed: Option<u64>,
        prev: Option<&Known>,
    ) -> Eval {
        let wo = self.without(gone);
        let base_without = base.known.warm.without(gone);
        let removed = base_without.solution(&wo.c);
        let removed_cost = plan::solution_cost(&wo.sc, &wo.c, &removed);
        let mut best = removed.clone();
        let mut best_cost = removed_cost;
        // Where `best` came from: the base it changed, without them.
        let mut best_against = Some(base_without.clone());
        if let Some(prev) = prev {
            let fits = |s: &Solution| {
                s.unassigned.len() <= removed.unassigned.len() && s.within_fleet(&wo.c.problem)
            };
            // The earlier plan without them, with the base's improvements since made to
            // it too; failing that, as it was.
            let moved = prev
                .against
                .as_ref()
                .filter(|old| **old != base_without)
                .and_then(|old| prev.warm.transplant(old, &base_without))
                .map(|w| (w.solution(&wo.c), Some(base_without.clone())));
            let again = (prev.warm.solution(&wo.c), prev.against.clone());
            for (sol, against) in moved.into_iter().chain([again]) {
                let cost = plan::solution_cost(&wo.sc, &wo.c, &sol);
                if cost < best_cost && fits(&sol) {
                    (best, best_cost, best_against) = (sol, cost, against);
                }
            }
        }
        let mut better: Option<(Solution, i64)> = None;
        let mut iterations = 0;
        if let Some(seed) = seed {
            let near = self.around(base, gone);
            let region = Self::region(&base.known.warm, gone, &near);
            let (w, it) = self.search_region(&base_without, &region, gone, &near, seed);
            iterations += it;
            let w = w.solution(&wo.c);
            let cost = plan::solution_cost(&wo.sc, &wo.c, &w);
            // The region's fleet is what the rest leaves, so `w` keeps the fleet's limits.
            if cost < best_cost && w.unassigned.len() <= removed.unassigned.len() {
                (best, best_cost, best_against) = (w, cost, Some(base_without.clone()));
            }
            let (with, it) = self.search_region(&base.known.warm, &region, &[], &near, seed);
            iterations += it;
            let with = with.solution(&self.full);
            better = self.beats(base, &with).map(|o| (with, o));
        }
        let start = Warm::from_solution(&wo.c, &best).solution(&self.full);
        let (x, _) = Self::search(&self.full, &start, 0, seed.unwrap_or(self.s.seed));
        let x_cost = plan::solution_cost(self.sc, &self.full, &x);
        if let Some(o) = self.beats(base, &x)
            && better.as_ref().is_none_or(|b| o < b.1)
        {
            better = Some((x, o));
        }
        let without = Known {
            against: best_against,
            ..Self::known(&wo.sc, &wo.c, &best)
        };
        // The base driven as it is, with an empty seat, is a plan without them too: it
        // costs at most C(B) (same roads, less boarding). Legs follow the fastest roads,
        // so taking a stop out can lengthen a run in km and cost a little more; then
        // this plan is the best known without them, and nothing is saved.
        let bounds = if best_cost >= base.known.cost {
            Bounds {
                lower: Pence(0),
                estimate: Pence(0),
                upper: Pence(0),
                frees_vehicle: false,
            }
        } else {
            Bounds {
                lower: (base.known.cost - removed_cost).max(Pence(0)),
                estimate: base.known.cost - best_cost,
                // X carries everyone and its exact cost is at least B's (else it would
                // be the base); each route is priced to the penny, so its sum can come
                // out a penny or two below B's. The bound is B's price then.
                upper: x_cost.max(base.known.cost) - best_cost,
                frees_vehicle: without.vehicles < base.known.vehicles,
            }
        };
        Eval {
            bounds,
            without,
            better,
            iterations,
        }
    }

    /// Evaluates every set (in parallel, deterministically) and keeps the best plans
    /// without each; returns the best plan that beats the base, if any.
    fn pass(
        &self,
        base: &Base,
        sets: &[Vec<usize>],
        seeds: Option<&[u64]>,
        known: &mut [Option<Known>],
        progress: &(dyn Fn(usize) + Sync),
    ) -> (Vec<Eval>, Option<Solution>) {
        let evals: Vec<Eval> = sets
            .par_iter()
            .enumerate()
            .map(|(k, g)| {
                let e = self.evaluate(base, g, seeds.map(|s| s[k]), known[k].as_ref());
                progress(1);
                e
            })
            .collect();
        let mut better: Option<(usize, i64)> = None;
        for (k, e) in evals.iter().enumerate() {
            known[k] = Some(e.without.clone());
            if let Some((_, o)) = &e.better
                && better.is_none_or(|(_, b)| *o < b)
            {
                better = Some((k, *o));
            }
        }
        let sol = better.and_then(|(k, _)| evals[k].better.as_ref().map(|b| b.0.clone()));
        (evals, sol)
    }

    /// Runs the rounds and the refresh to the fixed point. `singles` are searched every
    /// round; `pairs(base)` gives the further sets searched once against the base the
    /// rounds end with.
    pub(super) fn run(
        &self,
        start: &Plan,
        singles: &[Vec<usize>],
        pairs: &dyn Fn(&Warm) -> Vec<Vec<usize>>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> (Estimated, Vec<Vec<usize>>) {
        let mut base = self.base(Warm::from_plan(start).solution(&self.full));
        let mut known: Vec<Option<Known>> = vec![None; singles.len()];
        let mut rounds = 0;
        let mut improvements = 0;
        let mut converged = false;
        let mut iterations = 0;
        while rounds < self.s.max_rounds.max(1) {
            let seeds: Vec<u64> = (0..singles.len())
                .map(|k| crate::rng::derive(self.s.seed, &[k as u64, rounds as u64]))
                .collect();
            let (evals, better) = self.pass(&base, singles, Some(&seeds), &mut known, progress);
            iterations += evals.iter().map(|e| e.iterations).sum::<u64>();
            rounds += 1;
            match better {
                Some(sol) => {
                    base = self.base(sol);
                    improvements += 1;
                }
                None => {
                    converged = true;
                    break;
                }
            }
        }
        // Rounds not needed count as done, so the progress bar does not stall short.
        progress(singles.len() * (self.s.max_rounds.max(1) - rounds));
        let pair_sets = pairs(&base.known.warm);
        let mut sets: Vec<Vec<usize>> = singles.to_vec();
        sets.extend(pair_sets.iter().cloned());
        known.resize(sets.len(), None);
        let pair_seeds: Vec<u64> = (0..sets.len())
            .map(|k| crate::rng::derive(self.s.seed, &[k as u64, u64::MAX]))
            .collect();
        // The pairs' searches (the singles' plans are kept from the rounds).
        if !pair_sets.is_empty() {
            let (evals, better) = {
                let seeds = &pair_seeds[singles.len()..];
                let mut pk: Vec<Option<Known>> = vec![None; pair_sets.len()];
                let out = self.pass(&base, &pair_sets, Some(seeds), &mut pk, progress);
                known[singles.len()..].clone_from_slice(&pk);
                out
            };
            iterations += evals.iter().map(|e| e.iterations).sum::<u64>();
            if let Some(sol) = better {
                base = self.base(sol);
                improvements += 1;
            }
        }
        // The cheap steps to a fixed point: no set's reinsertion beats the base.
        let mut evals = Vec::new();
        for _ in 0..MAX_REFRESHES {
            let (e, better) = self.pass(&base, &sets, None, &mut known, &|_| {});
            evals = e;
            match better {
                Some(sol) => {
                    base = self.base(sol);
                    improvements += 1;
                }
                None => break,
            }
        }
        let ceilings: Vec<Option<Pence>> = sets
            .par_iter()
            .enumerate()
            .map(|(k, g)| self.ceiling(g, crate::rng::derive(self.s.seed, &[k as u64, 0xCE11])))
            .collect();
        (
            Estimated {
                ceilings,
                base_cost: base.known.cost,
                base: base.sol,
                bounds: evals.iter().map(|e| e.bounds).collect(),
                rounds,
                improvements,
                converged,
                iterations,
                withouts: evals.into_iter().map(|e| e.without.warm).collect(),
            },
            pair_sets,
        )
    }

    /// The best plans with and without `gone` that long searches find: an independent
    /// reference for `--check-sample`, with equal effort on both sides. Each side searches
    /// from the same three starts: the base (with them; without them, taken out), scratch,
    /// and the estimate's plan without them (with them put back first, on the side with
    /// them). Every plan either side finds counts for both: a plan with them, taken out,
    /// is a plan without them, and a plan without them, with them put back at their
    /// cheapest places, is a plan with them. So an improvement one side finds away from
    /// them is not booked as their saving or loss.
    pub(super) fn thorough(
        &self,
        start: &Solution,
        gone: &[usize],
        prev_without: &Warm,
        iterations: u64,
        seed: u64,
    ) -> Reference {
        let wo = self.without(gone);
        let search_with =
            |from: &Solution, seed: u64| Self::search(&self.full, from, iterations, seed).0;
        let search_without =
            |from: &Solution, seed: u64| Self::search(&wo.c, from, iterations, seed).0;
        let mut with = vec![
            search_with(start, seed),
            search_with(&Solution::empty(&self.full.problem), seed ^ 1),
            search_with(&prev_without.solution(&self.full), seed ^ 2),
        ];
        let removed = Warm::from_solution(&self.full, start)
            .without(gone)
            .solution(&wo.c);
        let mut without = vec![
            search_without(&removed, seed),
            search_without(&Solution::empty(&wo.c.problem), seed ^ 1),
            search_without(&prev_without.solution(&wo.c), seed ^ 2),
        ];
        // Each side's plans carried to the other (0 iterations: place what is missing,
        // then polish). Every plan without them is put back, those taken out of the plans
        // with them too: so the cheapest with everyone costs at most the cheapest without
        // them plus their cheapest placing, which a vehicle of their own bounds (the
        // proven ceiling holds for this saving as for any).
        let taken_out: Vec<Solution> = with
            .iter()
            .map(|w| {
                Warm::from_solution(&self.full, w)
                    .without(gone)
                    .solution(&wo.c)
            })
            .collect();
        without.extend(taken_out);
        without.push(removed.clone());
        let put_back: Vec<Solution> = without
            .iter()
            .map(|w| {
                let start = Warm::from_solution(&wo.c, w).solution(&self.full);
                Self::search(&self.full, &start, 0, seed).0
            })
            .collect();
        with.extend(put_back);
        with.push(start.clone());
        let best_with = with
            .into_iter()
            .filter(|s| s.unassigned.len() <= start.unassigned.len())
            .map(|s| (plan::solution_cost(self.sc, &self.full, &s), s))
            .min_by_key(|(cost, _)| *cost)
            .unwrap_or_else(|| {
                (
                    plan::solution_cost(self.sc, &self.full, start),
                    start.clone(),
                )
            });
        let best_without = without
            .iter()
            .filter(|s| s.unassigned.len() <= removed.unassigned.len())
            .map(|s| plan::solution_cost(&wo.sc, &wo.c, s))
            .min()
            .unwrap_or_default();
        // The best plan with them, driven as it is with their seat empty, is a plan
        // without them at no more than its cost (as for the estimate): the thorough saving
        // is never below 0 either.
        Reference {
            with: best_with.0,
            without: best_without.min(best_with.0),
            best: best_with.1,
        }
    }

    /// The proven ceiling of what the set `gone` leaving can save, a day: the cheapest plan
    /// found that carries them alone, on vehicle types without a count limit (such a
    /// vehicle can be added to any plan). Any plan without them, plus this one, is a plan
    /// with everyone; so the best plan with everyone costs at most the best plan without
    /// them plus this, whatever that plan is, and their leaving cannot save more. Unlike
    /// the upper bound, it holds against plans nobody has found. `None` when only vehicle
    /// types with a count limit can carry them.
    pub(super) fn ceiling(&self, gone: &[usize], seed: u64) -> Option<Pence> {
        let mut sc = self.sc.clone();
        for (i, pupil) in sc.pupils.iter_mut().enumerate() {
            if !gone.contains(&i) {
                pupil.mode = Mode::Other;
            }
        }
        for t in &mut sc.vehicles {
            if t.available.is_some() {
                t.available = Some(0);
            }
        }
        let c = plan::compile(&sc, self.travel, self.loc);
        let empty = Solution::empty(&c.problem);
        let (sol, _) = Self::search(&c, &empty, CEILING_ITERATIONS, seed);
        (!c.problem.jobs.is_empty() && sol.unassigned.is_empty())
            .then(|| plan::solution_cost(&sc, &c, &sol))
    }

    /// The cost a day of `sol` (a plan with everyone).
    pub(super) fn cost(&self, sol: &Solution) -> Pence {
        plan::solution_cost(self.sc, &self.full, sol)
    }

    /// The cost a day of `sol` with `gone` taken out, nothing else changed.
    pub(super) fn removed_cost(&self, sol: &Solution, gone: &[usize]) -> Pence {
        let wo = self.without(gone);
        let removed = Warm::from_solution(&self.full, sol)
            .without(gone)
            .solution(&wo.c);
        plan::solution_cost(&wo.sc, &wo.c, &removed)
    }

    /// The plan of a solution of the whole problem (checked like every plan).
    pub(super) fn plan_of(&self, sol: Solution, like: &Plan) -> Result<Plan, plan::PlanError> {
        let outcome = routing::Outcome {
            solution: sol,
            iterations: like.iterations,
            seconds: like.seconds,
            stopped_by_time: like.stopped_by_time,
        };
        plan::finish(self.sc, &self.full, &outcome)
    }
}
