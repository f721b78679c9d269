//! `vehicles.csv`.

use super::super::ids::Ids;
use super::super::model::VehicleType;
use super::super::schema::VEHICLES;
use super::super::table::{Findings, Table};
use super::{count, money, opt_count};
use crate::error::Code;
use std::path::Path;

/// The vehicle types that could be used and the ids defined.
pub(crate) struct Vehicles {
    pub list: Vec<VehicleType>,
    pub ids: Ids,
}

pub(crate) fn vehicles(dir: &Path, f: &mut Findings) -> Vehicles {
    let table = Table::read_schema(dir, &VEHICLES, &[], f);
    let mut out = Vehicles {
        list: Vec::new(),
        ids: Ids::new(table.as_ref().is_some_and(Table::complete)),
    };
    let Some(t) = table else { return out };
    for row in t.rows() {
        let id = row.text(f, "vehicle_type");
        let seats = count(&row, f, "seats", 100.0);
        let wc = count(&row, f, "wheelchair_spaces", 20.0);
        let day = money(&row, f, "day_rate");
        let km = money(&row, f, "per_km");
        let min = money(&row, f, "per_min");
        let avail = opt_count(&row, f, "available", 100_000.0);
        if let (Some(s), Some(w)) = (seats, wc)
            && s + w == 0
        {
            row.problem(
                f,
                Code::NoCapacity,
                "seats",
                "0",
                "at least one seat or wheelchair space",
            );
        }
        let Some(id) = id else { continue };
        let vehicle = match (seats, wc, day, km, min, avail) {
            (Some(seats), Some(wc), Some(day), Some(km), Some(min), Some(avail)) => {
                Some(VehicleType {
                    id: id.to_string(),
                    seats,
                    wheelchair_spaces: wc,
                    day_rate: day,
                    per_km: km,
                    per_min: min,
                    available: avail,
                })
            }
            _ => None,
        };
        if let Some(other) = out
            .list
            .iter()
            .find(|v| v.id != id && v.id.eq_ignore_ascii_case(id))
        {
            row.problem(
                f,
                Code::DuplicateId,
                "vehicle_type",
                id,
                format!(
                    "a vehicle type id that differs from '{}' in more than letter case (operators.csv names fleet columns by vehicle type)",
                    other.id
                ),
            );
        }
        let index = vehicle.as_ref().map(|_| out.list.len());
        if out.ids.define(&row, f, "vehicle_type", id, index) {
            out.list.extend(vehicle);
        }
    }
    if t.rows().next().is_none() {
        // One error for the root cause; references to vehicle types are then not
        // reported again, nor pupils that no vehicle fits.
        f.push(crate::error::Problem::file(
            Code::NothingToPlan,
            &t.file,
            "no rows",
            "at least one vehicle type",
        ));
        out.ids = Ids::new(false);
    }
    out
}
