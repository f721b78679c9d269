//! `operators.csv`: operators with an optional route limit and one optional fleet-limit
//! column per vehicle type.

use super::super::ids::Ids;
use super::super::model::{Operator, VehicleType};
use super::super::schema::OPERATORS;
use super::super::table::{Findings, Table};
use super::opt_count;
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
    let vt_cols: Vec<&str> = vehicles.iter().map(|v| v.id.as_str()).collect();
    let table = Table::read_schema(dir, &OPERATORS, &vt_cols, f);
    out.ids = Ids::new(table.is_some());
    let Some(t) = table else { return out };
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
