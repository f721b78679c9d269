//! `operators.csv`: operators with an optional route limit and one optional fleet-limit
//! column per vehicle type.

use super::super::ids::Ids;
use super::super::model::{Operator, VehicleType};
use super::super::schema::OPERATORS;
use super::super::table::{Findings, Table};
use super::opt_count;
use crate::error::Code;
use std::path::Path;

/// The operators that could be used and the ids defined.
pub(crate) struct Operators {
    pub list: Vec<Operator>,
    pub ids: Ids,
}

pub(crate) fn operators(dir: &Path, f: &mut Findings, vehicles: &[VehicleType]) -> Operators {
    let mut out = Operators {
        list: Vec::new(),
        ids: Ids::new(true),
    };
    if !dir.join(OPERATORS.file).exists() {
        return out;
    }
    // Ids are case-sensitive everywhere; column names are matched ignoring case, so a
    // fleet column must name its vehicle type exactly as vehicles.csv does.
    let lower: Vec<String> = vehicles.iter().map(|v| v.id.to_ascii_lowercase()).collect();
    let vt_cols: Vec<&str> = lower.iter().map(String::as_str).collect();
    let table = Table::read_schema(dir, &OPERATORS, &vt_cols, f);
    out.ids = Ids::new(table.as_ref().is_some_and(Table::complete));
    let Some(t) = table else { return out };
    for h in t.raw_headers() {
        if let Some(v) = vehicles
            .iter()
            .find(|v| v.id.eq_ignore_ascii_case(h) && v.id != *h)
        {
            f.error(
                Code::UnknownId,
                &t.file,
                1,
                h,
                h,
                format!(
                    "a vehicle type id exactly as in vehicles.csv ('{}'): ids are case-sensitive",
                    v.id
                ),
            );
        }
    }
    for row in t.rows() {
        let id = row.text(f, "operator_id");
        let name = row.opt("name").unwrap_or("").to_string();
        let max_routes = opt_count(&row, f, "max_routes", 100_000.0);
        let fleet: Vec<Option<Option<u32>>> = vt_cols
            .iter()
            .map(|c| opt_count(&row, f, c, 100_000.0))
            .collect();
        let Some(id) = id else { continue };
        let operator = match (max_routes, fleet.iter().all(Option::is_some)) {
            (Some(max_routes), true) => Some(Operator {
                id: id.to_string(),
                name,
                max_routes,
                fleet: fleet.into_iter().flatten().collect(),
            }),
            _ => None,
        };
        let index = operator.as_ref().map(|_| out.list.len());
        if out.ids.define(&row, f, "operator_id", id, index) {
            out.list.extend(operator);
        }
    }
    out
}
