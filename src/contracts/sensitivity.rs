//! What relaxing each binding limit of a tender would save, one re-solve per change.

use super::mip::MipError;
use super::solve::{Solve, solve_once};
use super::tender::{Award, Limit, Tender, TenderSettings};
use crate::units::Pence;
use serde::Serialize;
use std::time::Duration;

/// One row of the sensitivity table: a change and what it would save.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// The change.
    pub change: String,
    /// Cost per day after the change.
    pub cost_per_day: Pence,
    /// Saving per day against the award (positive = cheaper).
    pub saving_per_day: Pence,
}

/// What relaxing each binding limit would save: one more vehicle of a fleet at its limit,
/// one more route for a supplier at its cap, lifting the share cap, dropping the minimum
/// operator count, and one more in-house vehicle of each type the council runs.
/// Each row is a full re-solve (started from the award); at most `max_rows` rows, and
/// none started after `deadline`. Returns the rows and how many were left out for time.
pub fn sensitivity(
    t: &Tender,
    award: &Award,
    settings: &TenderSettings,
    max_rows: usize,
    deadline: Option<std::time::Instant>,
) -> Result<(Vec<Sensitivity>, usize), MipError> {
    let mut changes: Vec<(String, Tender)> = Vec::new();
    let mut share_done = false;
    for limit in &award.binding {
        let mut t2 = t.clone();
        let label = match *limit {
            Limit::Fleet {
                supplier, vehicle, ..
            } => {
                let f = &mut t2.suppliers[supplier].fleet[vehicle];
                *f = f.map(|n| n + 1);
                format!(
                    "one more {} at {}",
                    t.vehicle_ids[vehicle], t.suppliers[supplier].id
                )
            }
            Limit::MaxRoutes { supplier, .. } => {
                let m = &mut t2.suppliers[supplier].max_routes;
                *m = m.map(|n| n + 1);
                format!("{} takes one more route", t.suppliers[supplier].id)
            }
            Limit::ShareCap { .. } => {
                if share_done {
                    continue;
                }
                share_done = true;
                t2.max_share = 1.0;
                format!("lift the {:.0}% share cap", 100.0 * t.max_share)
            }
            Limit::MinOperators { limit } => {
                t2.min_operators = 1;
                format!("drop the minimum of {limit} operators")
            }
        };
        changes.push((label, t2));
    }
    if let Some(ih) = t.suppliers.iter().position(|s| s.in_house) {
        for (v, n) in t.suppliers[ih].fleet.iter().enumerate() {
            if matches!(n, Some(n) if *n > 0) {
                let already = award.binding.iter().any(|l| {
                    matches!(*l, Limit::Fleet { supplier, vehicle, .. } if supplier == ih && vehicle == v)
                });
                if already {
                    continue;
                }
                let mut t2 = t.clone();
                t2.suppliers[ih].fleet[v] = n.map(|n| n + 1);
                changes.push((format!("one more in-house {}", t.vehicle_ids[v]), t2));
            }
        }
    }
    changes.truncate(max_rows);
    let mut rows = Vec::new();
    let total = changes.len();
    for (k, (change, t2)) in changes.into_iter().enumerate() {
        // Within the deadline, each row gets an equal share of the time left.
        let mut row_settings = settings.clone();
        if let Some(d) = deadline {
            let left = d.saturating_duration_since(std::time::Instant::now());
            if left < Duration::from_millis(50) {
                return Ok((sort_rows(rows), total - k));
            }
            row_settings.time_limit = row_settings.time_limit.min(left / (total - k) as u32);
        }
        // Relaxed limits keep the award's offers valid (in-house offers exist only for
        // types the council runs, so the offer list is unchanged).
        if let Solve::Award(a) = solve_once(&t2, &row_settings, Some(award))? {
            rows.push(Sensitivity {
                change,
                cost_per_day: a.cost_per_day,
                saving_per_day: award.cost_per_day - a.cost_per_day,
            });
        }
    }
    Ok((sort_rows(rows), 0))
}

/// Largest saving first, then by name.
fn sort_rows(mut rows: Vec<Sensitivity>) -> Vec<Sensitivity> {
    rows.sort_by(|a, b| {
        b.saving_per_day
            .cmp(&a.saving_per_day)
            .then(a.change.cmp(&b.change))
    });
    rows
}
