//! Term re-planning from today's routes: repair what is broken, place starters, the
//! saving-versus-pupils-moved table, the plan under the stability costs, pins and budget,
//! and the diff against today.

use super::prepare::Prepared;
use crate::contracts::stability::HighsStability;
use crate::error::{Code, Error, Problem, Result};
use crate::plan::{self, Plan};
use crate::replan::{self, Change, Options, Repaired, Replanned};
use crate::routing::{self, Solution};
use crate::units::Pence;
use std::time::{Duration, Instant};

/// What the re-planning asks for.
#[derive(Debug, Clone, Default)]
pub struct ReplanOptions {
    /// Most pupils moved to another vehicle (`None`: no budget).
    pub max_changes: Option<u32>,
    /// Pupil ids who keep their vehicle.
    pub pins: Vec<String>,
    /// Today's route ids that stay exactly as they are.
    pub pin_routes: Vec<String>,
}

/// One row of the saving-versus-changes table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeOff {
    /// The budget (`None` = unlimited).
    pub max_changes: Option<u32>,
    /// Pupils moved.
    pub moved: usize,
    /// Cost a year.
    pub cost_per_year: Pence,
}

/// A finished re-planning.
pub struct Replanning {
    /// Today's routes, repaired, starters placed.
    pub repaired: Repaired,
    /// Cost a year of the repaired routes.
    pub repaired_cost: Pence,
    /// Seconds the repair (the fast path) took.
    pub repair_seconds: f64,
    /// Saving against pupils moved: 0, 5, 10, 20, unlimited.
    pub table: Vec<TradeOff>,
    /// The chosen morning routes, each linked to the one of today's routes it continues.
    pub chosen: Replanned,
    /// The plan under the policy's stability costs, pins and budget.
    pub plan: Plan,
    /// Who changed what, per pupil.
    pub changes: Vec<Change>,
    /// Pupils who changed vehicle.
    pub moved: usize,
    /// What the time limit cut short, in words (empty: nothing).
    pub cut_short: Vec<String>,
}

/// Share of the time limit for each of the two searches.
const SEARCH_SHARE: f64 = 0.3;
/// Share of the time limit for each of the six MIPs.
const MIP_SHARE: f64 = 0.05;
/// A MIP's time limit when the run has none (its node limit normally ends it first).
const MIP_SAFETY: Duration = Duration::from_secs(60);

/// Resolves pinned pupil and route ids (every unknown id reported in one pass).
fn resolve_pins(
    sc: &crate::scenario::Scenario,
    o: &ReplanOptions,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let index = sc.pupil_index();
    let mut bad = Vec::new();
    let mut unknown = |option: &str, id: &str, expected: &str| {
        bad.push(Problem {
            code: Code::UnknownId,
            ..Problem::argument(option, id, expected)
        })
    };
    let pupils: Vec<usize> = o
        .pins
        .iter()
        .filter_map(|id| {
            let i = index.get(id.as_str()).copied();
            if i.is_none() {
                unknown("--pin", id, "a pupil id from pupils.csv");
            }
            i
        })
        .collect();
    let routes: Vec<usize> = o
        .pin_routes
        .iter()
        .filter_map(|id| {
            let k = sc.current_routes.iter().position(|r| &r.id == id);
            if k.is_none() {
                unknown("--pin-route", id, "a route id from current_routes.csv");
            }
            k
        })
        .collect();
    if bad.is_empty() {
        Ok((pupils, routes))
    } else {
        Err(Error::invalid(bad))
    }
}

/// Re-plans a prepared scenario from today's routes. `step(message)` reports progress.
pub fn replan(
    p: &Prepared,
    settings: &routing::Settings,
    o: &ReplanOptions,
    step: &dyn Fn(&str),
) -> Result<Replanning> {
    let sc = &p.scenario;
    let (pinned_pupils, pinned_routes) = resolve_pins(sc, o)?;
    if sc.current_routes.is_empty() {
        return Err(Error::problem(Problem::file(
            Code::FileMissing,
            "current_routes.csv",
            "",
            "today's routes, to re-plan from",
        )));
    }
    let t0 = Instant::now();
    let r = replan::repair(sc, &p.travel, &p.locations);
    let repair_seconds = t0.elapsed().as_secs_f64();
    let days = sc.policy.school_days as i64;
    let price = |sol: &Solution| plan::solution_cost(sc, &r.compiled, sol) * days;
    let repaired_cost = price(&r.solution);
    step("re-planning: searching from today's routes");
    // The time limit, when there is one, is shared: each of the two searches gets 30% of
    // it and each of the six MIPs 5% (their node limit, not the clock, normally ends
    // them, so the answer does not depend on machine speed; the time is a safety net).
    let search = routing::Settings {
        time_limit: settings.time_limit.map(|t| t.mul_f64(SEARCH_SHARE)),
        ..settings.clone()
    };
    let mip_time = settings.time_limit.map_or(MIP_SAFETY, |t| {
        t.mul_f64(MIP_SHARE).max(Duration::from_millis(200))
    });
    let (cands, free, search_cut) = replan::candidates(&r, &search);
    let mut cut_short = Vec::new();
    if search_cut {
        cut_short
            .push("the searches stopped at the time limit before their iterations".to_string());
    }
    let solver = HighsStability;
    let mut table = Vec::new();
    let mut previous: Option<Replanned> = None;
    let fallback = |start: &Option<Replanned>| {
        start.clone().unwrap_or_else(|| Replanned {
            solution: r.solution.clone(),
            origin: r.origin.clone(),
            stopped_by_time: true,
        })
    };
    for budget in [Some(0), Some(5), Some(10), Some(20), None] {
        step(&format!(
            "re-planning: best plan moving at most {}",
            budget.map_or("any number of".to_string(), |b| b.to_string())
        ));
        // A penny a day per move: among equal costs, the plan moving fewest pupils.
        let opts = Options {
            move_cost: Pence(1),
            minute_cost: Pence(0),
            max_changes: budget,
            pinned_pupils: pinned_pupils.clone(),
            pinned_routes: pinned_routes.clone(),
            // Each budget starts from the answer under the tighter one; no budget from
            // the unconstrained optimum.
            start: if budget.is_none() {
                Some(free.clone())
            } else {
                previous.clone()
            },
        };
        // Should the MIP fail in its time, the starting point stands (it is feasible for
        // this budget).
        let s = replan::improve(&r, &cands, &opts, &solver, mip_time)
            .unwrap_or_else(|| fallback(&opts.start));
        if s.stopped_by_time {
            cut_short.push(format!(
                "the best plan moving at most {} pupils: the MIP stopped at its time limit (best found kept)",
                budget.map_or("any number of".to_string(), |b| b.to_string())
            ));
        }
        table.push(TradeOff {
            max_changes: budget,
            moved: replan::moved_pupils(&r, &s),
            cost_per_year: price(&s.solution),
        });
        previous = Some(s);
    }
    let opts = Options {
        move_cost: sc.policy.stability_cost_per_move,
        minute_cost: sc.policy.stability_cost_per_minute,
        max_changes: o.max_changes,
        pinned_pupils,
        pinned_routes,
        start: None,
    };
    let chosen =
        replan::improve(&r, &cands, &opts, &solver, mip_time).unwrap_or_else(|| fallback(&None));
    if chosen.stopped_by_time {
        cut_short
            .push("the chosen plan: the MIP stopped at its time limit (best found kept)".into());
    }
    let outcome = routing::Outcome {
        solution: chosen.solution.clone(),
        iterations: 0,
        seconds: t0.elapsed().as_secs_f64(),
        stopped_by_time: false,
    };
    let mut plan = plan::finish(sc, &r.compiled, &outcome)?;
    replan::name_routes(sc, &r, &chosen, &mut plan);
    let changes = replan::diff(sc, &r, &plan);
    let moved = changes
        .iter()
        .filter(|c| c.vehicle_changed && !c.old_route.is_empty() && !c.new_route.is_empty())
        .count();
    Ok(Replanning {
        repaired: r,
        repaired_cost,
        repair_seconds,
        table,
        chosen,
        plan,
        changes,
        moved,
        cut_short,
    })
}
