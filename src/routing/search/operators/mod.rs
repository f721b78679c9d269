//! Local-search move operators, one per file, behind one small trait. Each says which
//! problems it supports, evaluates its best improving move for a job against the job's
//! granular neighbourhood, and applies it. All of them price moves through the shared
//! evaluator ([`crate::routing::evaluate`]), so the assistant, ride-time, solo,
//! incompatibility and continuity rules hold in every move.

mod relocate;
mod retype;
mod swap;
mod swap_star;
mod two_opt_star;

pub use relocate::Relocate;
pub use retype::Retype;
pub use swap::Swap;
pub use swap_star::SwapStar;
pub use two_opt_star::TwoOptStar;

use crate::rng::Rng;
use crate::routing::evaluate::{Insertion, Workspace};
use crate::routing::problem::Problem;
use crate::routing::route::Route;
use crate::routing::solution::Solution;

/// What an operator works with: the problem, the worker's workspace and random numbers.
pub struct Ctx<'a> {
    /// The problem.
    pub p: &'a Problem,
    /// Reusable buffers.
    pub ws: Workspace,
    /// The worker's random numbers.
    pub rng: Rng,
}

/// An improving move, ready to apply.
#[derive(Debug, Clone)]
pub struct Move {
    /// Cost change (negative: an improvement).
    pub delta: i64,
    /// What to do.
    pub kind: MoveKind,
}

/// The moves of the operators.
#[derive(Debug, Clone)]
pub enum MoveKind {
    /// Take `job` off its route and insert it as `to` says (another route or a new one).
    Relocate {
        /// The job.
        job: u32,
        /// Where it goes.
        to: Insertion,
    },
    /// Replace routes by new contents (built by the operator): `(route index, route)`.
    Replace(Vec<(usize, Route)>),
}

/// A local-search operator.
pub trait Operator: Send {
    /// Name, for statistics.
    fn name(&self) -> &'static str;
    /// Whether the operator's moves are valid for this problem.
    fn supports(&self, p: &Problem) -> bool;
    /// The best improving move involving job `u` (against its neighbours), if any.
    fn evaluate(&mut self, ctx: &mut Ctx, sol: &Solution, u: u32) -> Option<Move>;
}

/// Applies a move found by an operator on the same, unchanged solution.
pub fn apply(ctx: &mut Ctx, sol: &mut Solution, m: Move) {
    let p = ctx.p;
    match m.kind {
        MoveKind::Relocate { job, to } => {
            if to.route == usize::MAX {
                sol.remove(p, job);
                sol.insert(p, job, &to);
            } else {
                let own = sol.route_of(job).expect("a relocated job is on a route");
                let mut from = Route::default();
                crate::routing::evaluate::route_without(p, &sol.routes[own], job, &mut from);
                let mut into = Route::default();
                crate::routing::evaluate::route_with(p, &sol.routes[to.route], job, &to, &mut into);
                sol.set_pair(p, own, from, to.route, into);
            }
        }
        MoveKind::Replace(routes) => match routes.len() {
            1 => {
                let (ri, r) = routes.into_iter().next().expect("one route");
                sol.set_route(p, ri, r);
            }
            _ => {
                let mut it = routes.into_iter();
                let (r1, a) = it.next().expect("two routes");
                let (r2, b) = it.next().expect("two routes");
                sol.set_pair(p, r1, a, r2, b);
            }
        },
    }
}

/// Whether `job`'s partner's split status changes when the job moves from route `from`
/// to route `to`: the cost change in splits.
pub fn split_change(p: &Problem, sol: &Solution, job: u32, to: Option<usize>) -> i64 {
    if p.split_cost == 0 {
        return 0;
    }
    let from = sol.route_of(job);
    let before = sol.partner_elsewhere(p, job, from);
    let after = sol.partner_elsewhere(p, job, to);
    p.split_cost * (i64::from(after) - i64::from(before))
}
