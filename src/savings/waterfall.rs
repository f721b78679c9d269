//! The money figures a council budgets from: the waterfall from today's contracts to the
//! plan with PTB/ITT, one price basis per step, and each headline's spread over seeds.

use crate::units::Pence;
use serde::Serialize;

/// The year's cost from today to the plan with PTB/ITT, one step at a time, each step
/// comparing like with like on one price basis (both halves of the day throughout).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Waterfall {
    /// Today's contracts at today's contract prices (`None`: no current_routes.csv).
    pub today_contract: Option<Pence>,
    /// The same routes at the council's reference prices (vehicles.csv).
    pub today_reference: Option<Pence>,
    /// The new plan at reference prices.
    pub plan_reference: Pence,
    /// The new plan at the prices the tender awards.
    pub plan_tender: Pence,
    /// Tender prices over reference prices for the new plan: converts a route saving
    /// from one basis to the other.
    pub tender_ratio: f64,
    /// Expected first-year PTB/ITT net saving at tender prices.
    pub ptb_itt_year1: Pence,
    /// The plan at tender prices less the PTB/ITT saving.
    pub after: Pence,
}

/// One step of the waterfall.
#[derive(Debug, Clone, Serialize)]
pub struct WaterStep {
    /// What changes.
    pub step: &'static str,
    /// The price basis both sides of the step are on.
    pub basis: String,
    /// The change a year (negative: a saving).
    pub change: Pence,
    /// The cost a year after the step.
    pub level: Pence,
}

impl Waterfall {
    /// The steps in order, each labelled with its basis.
    pub fn steps(&self) -> Vec<WaterStep> {
        let mut out = Vec::new();
        if let (Some(c), Some(r)) = (self.today_contract, self.today_reference) {
            out.push(WaterStep {
                step: "today",
                basis: "today's contracts at today's contract prices (current_routes.csv)".into(),
                change: Pence(0),
                level: c,
            });
            out.push(WaterStep {
                step: "premium",
                basis: "today's routes at the council's reference prices (vehicles.csv) instead of today's contract prices".into(),
                change: r - c,
                level: r,
            });
            out.push(WaterStep {
                step: "re-routing",
                basis: "reference prices: today's routes against the new plan".into(),
                change: self.plan_reference - r,
                level: self.plan_reference,
            });
        } else {
            out.push(WaterStep {
                step: "plan",
                basis: "the new plan at reference prices (no current_routes.csv to start from)"
                    .into(),
                change: Pence(0),
                level: self.plan_reference,
            });
        }
        out.push(WaterStep {
            step: "retendering",
            basis: "the new plan: reference prices against the prices the tender awards".into(),
            change: self.plan_tender - self.plan_reference,
            level: self.plan_tender,
        });
        out.push(WaterStep {
            step: "PTB/ITT",
            basis: format!(
                "tender prices: expected first-year net; route savings estimated at reference prices × {:.3} (the plan's tender/reference ratio), PTB payments and ITT costs as paid",
                self.tender_ratio
            ),
            change: -self.ptb_itt_year1,
            level: self.after,
        });
        out
    }

    /// The saving a year against today (today's contract prices to the plan at tender
    /// prices with PTB/ITT), if there are today's routes to compare with.
    pub fn saving(&self) -> Option<Pence> {
        self.today_contract.map(|c| c - self.after)
    }
}

/// The median and range of one figure over seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    /// Median (the mean of the middle two for an even count).
    pub median: Pence,
    /// Smallest.
    pub min: Pence,
    /// Largest.
    pub max: Pence,
    /// Each seed's value, in seed order.
    pub values: Vec<Pence>,
}

impl Spread {
    /// The spread of some values.
    pub fn of(values: Vec<Pence>) -> Self {
        let mut v = values.clone();
        v.sort_unstable();
        let n = v.len();
        let median = match n {
            0 => Pence(0),
            _ if n % 2 == 1 => v[n / 2],
            _ => Pence((v[n / 2 - 1].0 + v[n / 2].0) / 2),
        };
        Spread {
            median,
            min: v.first().copied().unwrap_or_default(),
            max: v.last().copied().unwrap_or_default(),
            values,
        }
    }

    /// The range as a percentage of the median.
    pub fn range_pct(&self) -> f64 {
        crate::units::percent(self.max - self.min, self.median)
    }
}

/// The headlines of the chain with their spread over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headlines {
    /// The seeds run.
    pub seeds: Vec<u64>,
    /// The seed whose outputs are written (the cheapest plan).
    pub chosen_seed: u64,
    /// The cost a year each seed's plan search reached, at reference prices (the plan
    /// search's own spread; the given plan's cost when a plan was given).
    pub plan_search: Spread,
    /// The cost a year at reference prices of the plan each seed's savings end with (the
    /// cheapest plan searched, improved when a savings search beat it).
    pub plan_reference: Spread,
    /// The plan's cost a year at tender prices.
    pub plan_tender: Spread,
    /// The saving a year against today (today's contract prices to the plan at tender
    /// prices with PTB/ITT), when there are today's routes.
    pub saving: Option<Spread>,
    /// The PTB/ITT projection's total over its years (reference prices).
    pub ptb_itt_projection: Spread,
    /// Each eligible pupil's route saving a year over the seeds that estimated it, by
    /// pupil id (written per pupil to savings.csv and savings.json, not to the summary).
    #[serde(skip)]
    pub pupil_estimates: std::collections::BTreeMap<String, Spread>,
}
