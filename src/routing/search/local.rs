//! The local search: every supported operator tried on each job whose neighbourhood has
//! changed, first improvement, until no operator improves. Route-local: each route carries
//! the move counter of its last change and each job the counter when it was last examined,
//! so a job is examined again only if its route or a neighbour's route changed since (the
//! timestamps of HGS and PyVRP). After a ruin and recreate, only the disturbed area is
//! searched.

use super::operators::{self, Ctx, Operator, Relocate, Retype, Swap, SwapStar, TwoOptStar};
use crate::routing::problem::Problem;
use crate::routing::solution::Solution;
use std::time::Instant;

/// Neighbours whose routes make a job worth examining again.
const WATCHED: usize = 12;
/// Most passes over the jobs.
const MAX_ROUNDS: usize = 50;

/// The local search of one worker.
pub struct LocalSearch {
    ops: Vec<Box<dyn Operator>>,
    tested: Vec<u64>,
    order: Vec<u32>,
}

impl LocalSearch {
    /// The operators that support `p`.
    pub fn new(p: &Problem) -> Self {
        let all: Vec<Box<dyn Operator>> = vec![
            Box::new(Relocate::default()),
            Box::new(Retype),
            Box::new(Swap),
            Box::new(TwoOptStar),
            Box::new(SwapStar),
        ];
        LocalSearch {
            ops: all.into_iter().filter(|o| o.supports(p)).collect(),
            tested: vec![0; p.jobs.len()],
            order: Vec::new(),
        }
    }

    /// Names of the operators in use.
    pub fn operators(&self) -> Vec<&'static str> {
        self.ops.iter().map(|o| o.name()).collect()
    }

    fn dirty(&self, p: &Problem, sol: &Solution, u: u32) -> bool {
        let t = self.tested[u as usize];
        let changed = |j: u32| sol.route_of(j).is_some_and(|r| sol.routes[r].stamp > t);
        changed(u) || p.near_jobs(u).iter().take(WATCHED).any(|&n| changed(n))
    }

    /// Improves `sol` until no operator finds a better move for any job whose
    /// neighbourhood changed after move `since` (0: every job), or the deadline passes.
    pub fn run(
        &mut self,
        ctx: &mut Ctx,
        sol: &mut Solution,
        since: u64,
        deadline: Option<Instant>,
    ) {
        let p = ctx.p;
        self.tested.iter_mut().for_each(|t| *t = since);
        for _ in 0..MAX_ROUNDS {
            let mut improved = false;
            self.order.clear();
            self.order
                .extend((0..p.jobs.len() as u32).filter(|&j| sol.route_of(j).is_some()));
            for i in (1..self.order.len()).rev() {
                let k = ctx.rng.below(i + 1);
                self.order.swap(i, k);
            }
            for k in 0..self.order.len() {
                if k % 64 == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
                    return;
                }
                let u = self.order[k];
                if sol.route_of(u).is_none() || !self.dirty(p, sol, u) {
                    continue;
                }
                let now = sol.clock();
                let mut moved = false;
                for op in self.ops.iter_mut() {
                    if let Some(m) = op.evaluate(ctx, sol, u) {
                        operators::apply(ctx, sol, m);
                        moved = true;
                        break;
                    }
                }
                if moved {
                    improved = true;
                } else {
                    self.tested[u as usize] = now;
                }
            }
            if !improved {
                break;
            }
        }
    }
}
