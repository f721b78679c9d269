//! Retendering a plan's routes: every bid checked against the plan, the tender built and
//! solved, the sensitivity rows, and the comparison with today's contracts.

use crate::contracts::{self, Award, Comparisons, Sensitivity, Tender, TenderSettings};
use crate::error::{Code, Error, Problem, Result};
use crate::plan::Plan;
use crate::progress::Progress;
use crate::scenario::Scenario;
use crate::units::Pence;
use std::time::{Duration, Instant};

/// How the tender is solved.
#[derive(Debug, Clone)]
pub struct TenderOptions {
    /// Time limit of each MIP solve.
    pub time_limit: Duration,
    /// Rows of the sensitivity table (each a re-solve); 0 skips it.
    pub sensitivity_rows: usize,
}

impl Default for TenderOptions {
    fn default() -> Self {
        TenderOptions {
            time_limit: Duration::from_secs(60),
            sensitivity_rows: 8,
        }
    }
}

/// A solved tender.
pub struct TenderRun {
    /// The tender as modelled.
    pub tender: Tender,
    /// The award.
    pub award: Award,
    /// The award against today's contracts.
    pub comparisons: Comparisons,
    /// What relaxing each binding limit would save.
    pub sensitivity: Vec<Sensitivity>,
    /// Warnings about the offers (prices dropped, types dominated…).
    pub warnings: Vec<String>,
    /// Seconds for the whole tender.
    pub seconds: f64,
    /// The time limit of the whole tender.
    pub time_limit: Duration,
    /// What the time limit cut short, in words (empty: nothing).
    pub cut_short: Vec<String>,
}

impl TenderRun {
    /// Adds the tender's outputs to a set (see [`crate::report::tender_files`]).
    pub fn add_files(&self, set: &mut crate::files::OutputSet, school_days: u32) -> Result<()> {
        crate::report::tender_files(
            set,
            school_days,
            crate::report::TenderFigures {
                tender: &self.tender,
                award: &self.award,
                comparisons: &self.comparisons,
                sensitivity: &self.sensitivity,
                warnings: &self.warnings,
            },
            serde_json::json!({"time_limit_s": self.time_limit.as_secs_f64(), "seconds": self.seconds, "cut_short": self.cut_short}),
        )
    }

    /// Supplier id and price per day of each route, in plan order.
    pub fn award_by_route(&self) -> Vec<(String, Pence)> {
        let t = &self.tender;
        (0..t.routes.len())
            .map(|r| {
                (
                    t.suppliers[t.offers[self.award.choice[r]].supplier]
                        .id
                        .clone(),
                    self.award.price[r],
                )
            })
            .collect()
    }
}

/// Retenders `plan`'s routes. `plan_file` names where the plan came from, for messages.
pub fn tender(
    sc: &Scenario,
    plan: &Plan,
    plan_file: &str,
    o: &TenderOptions,
    progress: &Progress,
) -> Result<TenderRun> {
    let t0 = Instant::now();
    let routes = contracts::routes_from_plan(sc, plan);
    // Every bid must name a route of the plan being tendered.
    let ids: std::collections::BTreeSet<&str> = routes.iter().map(|r| r.id.as_str()).collect();
    let bad: Vec<Problem> = sc
        .bids
        .iter()
        .filter(|b| !ids.contains(b.route_id.as_str()))
        .map(|b| Problem {
            code: Code::UnknownId,
            file: "bids.csv".into(),
            line: b.line,
            col: 0,
            column: "route_id".into(),
            value: b.route_id.clone(),
            expected: format!("a route id of the plan in {plan_file}"),
        })
        .collect();
    if !bad.is_empty() {
        return Err(Error::invalid(bad));
    }
    let (t, warnings) = Tender::from_scenario(sc, routes);
    // The time limit covers the whole command: the tender's own solve gets 60% of it, the
    // sensitivity rows share what is left.
    let deadline = t0 + o.time_limit;
    let settings = TenderSettings {
        time_limit: o.time_limit.mul_f64(0.6),
        threads: 1,
    };
    let spin = progress.spinner(&format!(
        "tendering {} routes to {} suppliers ({} offers, {} bundles)",
        t.routes.len(),
        t.suppliers.len(),
        t.offers.len(),
        t.bundles.len()
    ));
    let award = contracts::solve(&t, &settings);
    let award = match award {
        Ok(a) => a,
        Err(e) => {
            spin.finish_and_clear();
            return Err(e.into());
        }
    };
    spin.set_message("sensitivity: re-solving with each binding limit relaxed");
    let mut cut_short = Vec::new();
    if !award.optimal {
        cut_short.push(format!(
            "the allocation: the MIP stopped at its time limit with a gap of {:.4}% (best found kept)",
            100.0 * award.gap
        ));
    }
    let sensitivity = if o.sensitivity_rows > 0 {
        let (rows, skipped) =
            contracts::sensitivity(&t, &award, &settings, o.sensitivity_rows, Some(deadline))?;
        if skipped > 0 {
            cut_short.push(format!("{skipped} sensitivity row(s) left out for time"));
        }
        rows
    } else {
        Vec::new()
    };
    spin.finish_and_clear();
    let comparisons = contracts::compare(sc, &t, &award);
    Ok(TenderRun {
        tender: t,
        award,
        comparisons,
        sensitivity,
        warnings,
        seconds: t0.elapsed().as_secs_f64(),
        time_limit: o.time_limit,
        cut_short,
    })
}
