//! One reader per scenario file. Each reads its table through the shared helpers
//! ([`super::table`], [`super::ids`]), records every problem in the [`Findings`], and
//! returns what it could use together with the ids it defines, which later readers
//! resolve their references against.

mod current;
mod operators;
mod prices;
mod pupils;
mod schools;
mod vehicles;

pub(crate) use current::{Known, current_routes};
pub(crate) use operators::operators;
pub(crate) use prices::{bids, bundles, rates};
pub(crate) use pupils::pupils;
pub(crate) use schools::schools;
pub(crate) use vehicles::vehicles;

use super::table::{Findings, Row};
use crate::error::Code;
use crate::units::Pence;

/// Largest plausible money value in one field (£100,000).
pub(crate) const MAX_MONEY: f64 = 100_000.0;

/// A required amount of money in pounds, as pence.
pub(crate) fn money(row: &Row, f: &mut Findings, col: &str) -> Option<Pence> {
    row.number(f, col, 0.0, MAX_MONEY).map(Pence::from_pounds)
}

/// A required whole number from 0 to `hi`.
pub(crate) fn count(row: &Row, f: &mut Findings, col: &str, hi: f64) -> Option<u32> {
    let v = row.number(f, col, 0.0, hi)?;
    if v.fract() != 0.0 {
        row.problem(
            f,
            Code::NotAnInteger,
            col,
            row.raw(col).unwrap_or(""),
            "a whole number",
        );
        return None;
    }
    Some(v as u32)
}

/// An optional whole number (`Some(None)` when empty; `None` after a reported problem).
pub(crate) fn opt_count(row: &Row, f: &mut Findings, col: &str, hi: f64) -> Option<Option<u32>> {
    if row.opt(col).is_none() {
        return Some(None);
    }
    count(row, f, col, hi).map(Some)
}
