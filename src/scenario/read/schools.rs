//! `schools.csv`.

use super::super::ids::Ids;
use super::super::model::School;
use super::super::schema::SCHOOLS;
use super::super::table::{Findings, Table};
use crate::error::Code;
use crate::units::Clock;
use std::path::Path;

/// The schools that could be used, their lines, and the ids defined.
pub(crate) struct Schools {
    pub list: Vec<School>,
    pub lines: Vec<usize>,
    pub ids: Ids,
    pub addresses: std::collections::BTreeMap<String, super::super::model::Address>,
}

pub(crate) fn schools(dir: &Path, f: &mut Findings) -> Schools {
    let table = Table::read_schema(dir, &SCHOOLS, &[], f);
    let mut out = Schools {
        list: Vec::new(),
        lines: Vec::new(),
        ids: Ids::new(table.as_ref().is_some_and(Table::complete)),
        addresses: Default::default(),
    };
    let Some(t) = table else { return out };
    let coordinates = super::coordinates(&t, f);
    for row in t.rows() {
        let id = row.text(f, "school_id");
        let name = row.opt("name").unwrap_or("").to_string();
        let at = super::place(&row, f, coordinates);
        let e = row.time(f, "am_arrive_earliest");
        let l = row.time(f, "am_arrive_latest");
        let pm = row.time(f, "pm_depart");
        if let (Some(e), Some(l)) = (e, l) {
            if e > l {
                row.problem(
                    f,
                    Code::EmptyWindow,
                    "am_arrive_latest",
                    &Clock(l).to_string(),
                    format!("a time no earlier than am_arrive_earliest {}", Clock(e)),
                );
            }
            if let Some(pm) = pm
                && pm <= l
            {
                row.problem(
                    f,
                    Code::EmptyWindow,
                    "pm_depart",
                    &Clock(pm).to_string(),
                    format!("a time after am_arrive_latest {}", Clock(l)),
                );
            }
        }
        let Some(id) = id else { continue };
        let school = match (at, e, l, pm) {
            (Some((lat, lon)), Some(e), Some(l), Some(pm)) => Some(School {
                id: id.to_string(),
                name,
                lat,
                lon,
                am_arrive_earliest: Clock(e),
                am_arrive_latest: Clock(l),
                pm_depart: Clock(pm),
            }),
            _ => None,
        };
        let index = school.as_ref().map(|_| out.list.len());
        if out.ids.define(&row, f, "school_id", id, index)
            && let Some(s) = school
        {
            if let Some(a) = super::address(&row) {
                out.addresses.insert(s.id.clone(), a);
            }
            out.list.push(s);
            out.lines.push(row.line);
        }
    }
    out
}
