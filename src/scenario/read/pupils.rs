//! `pupils.csv`: pupils, their needs, and incompatibilities (resolved once every id is
//! known, and made symmetric).

use super::super::ids::{Ids, Lookup, id_list};
use super::super::model::{Mode, Phase, Pupil, ValuesMode, VehicleType};
use super::super::schema::PUPILS;
use super::super::table::{Findings, Table};
use crate::error::Code;
use std::path::Path;

/// The pupils that could be used, their lines, and the ids defined.
pub(crate) struct Pupils {
    pub list: Vec<Pupil>,
    pub lines: Vec<usize>,
    pub ids: Ids,
    pub addresses: std::collections::BTreeMap<String, super::super::model::Address>,
}

pub(crate) fn pupils(
    dir: &Path,
    f: &mut Findings,
    school_ids: &Ids,
    vehicles: &[VehicleType],
) -> Pupils {
    let table = Table::read_schema(dir, &PUPILS, &[], f);
    let mut out = Pupils {
        list: Vec::new(),
        lines: Vec::new(),
        ids: Ids::new(table.as_ref().is_some_and(Table::complete)),
        addresses: Default::default(),
    };
    let Some(t) = &table else { return out };
    if t.rows().next().is_none() {
        // Nobody to plan for: one error; references to pupils are not reported again.
        f.push(crate::error::Problem::file(
            Code::NothingToPlan,
            &t.file,
            "no rows",
            "at least one pupil",
        ));
        out.ids = Ids::new(false);
        return out;
    }
    let coordinates = super::coordinates(t, f);
    let schools_expected = format!("a school_id from schools.csv ({})", school_ids.names());
    let mut incompat_raw: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for row in t.rows() {
        let id = row.text(f, "pupil_id");
        let school = row
            .text(f, "school_id")
            .and_then(|s| school_ids.resolve(&row, f, "school_id", s, &schools_expected));
        let at = super::place(&row, f, coordinates);
        let phase = row.word::<Phase>(f, "phase", None);
        let wheelchair = row.boolean(f, "wheelchair", false);
        let assistant = row.boolean(f, "needs_assistant", false);
        let solo = row.boolean(f, "solo", false);
        let max_ride_given = row.opt("max_ride_min").is_some();
        let max_ride = row.opt_number(f, "max_ride_min", 1.0, 300.0);
        if let Some(m) = max_ride
            && m > 120.0
        {
            row.warning(
                f,
                Code::UnusualValue,
                "max_ride_min",
                row.raw("max_ride_min").unwrap_or(""),
                "a ride limit of at most 120 minutes",
            );
        }
        let mode = row.word(f, "mode", Some(Mode::Route));
        let ptb = row.boolean(f, "ptb_eligible", false);
        let itt = row.boolean(f, "itt_eligible", false);
        let vm = row.word(f, "values_mode", Some(ValuesMode::Unknown));
        let incompatible: Vec<String> = row
            .opt("incompatible_with")
            .map(id_list)
            .unwrap_or_default()
            .into_iter()
            .map(String::from)
            .collect();
        let Some(id) = id else { continue };
        let ride_ok = !max_ride_given || max_ride.is_some();
        let pupil = match (
            school, at, phase, wheelchair, assistant, solo, mode, ptb, itt, vm, ride_ok,
        ) {
            (
                Some(school),
                Some((lat, lon)),
                Some(phase),
                Some(wheelchair),
                Some(needs_assistant),
                Some(solo),
                Some(mode),
                Some(ptb_eligible),
                Some(itt_eligible),
                Some(values_mode),
                true,
            ) => Some(Pupil {
                id: id.to_string(),
                school,
                lat,
                lon,
                phase,
                wheelchair,
                needs_assistant,
                solo,
                max_ride_min: max_ride,
                incompatible_with: Vec::new(),
                mode,
                ptb_eligible,
                itt_eligible,
                values_mode,
            }),
            _ => None,
        };
        let index = pupil.as_ref().map(|_| out.list.len());
        if out.ids.define(&row, f, "pupil_id", id, index)
            && let Some(p) = pupil
        {
            incompat_raw.push((out.list.len(), row.line, incompatible));
            if let Some(a) = super::address(&row) {
                out.addresses.insert(p.id.clone(), a);
            }
            out.list.push(p);
            out.lines.push(row.line);
        }
    }
    // Incompatibilities are symmetric whichever side lists them.
    for (i, line, others) in incompat_raw {
        for o in others {
            match out.ids.lookup(&o) {
                Lookup::Found(j) if j == i => f.error(
                    Code::SelfReference,
                    &t.file,
                    line,
                    "incompatible_with",
                    &o,
                    "another pupil's id",
                ),
                Lookup::Invalid => {}
                Lookup::Found(j) => {
                    if !out.list[i].incompatible_with.contains(&j) {
                        out.list[i].incompatible_with.push(j);
                    }
                    if !out.list[j].incompatible_with.contains(&i) {
                        out.list[j].incompatible_with.push(i);
                    }
                }
                Lookup::Unknown => f.error(
                    Code::UnknownId,
                    &t.file,
                    line,
                    "incompatible_with",
                    &o,
                    "pupil ids from pupils.csv separated by ';'",
                ),
            }
        }
    }
    for p in &mut out.list {
        p.incompatible_with.sort_unstable();
    }
    // Needs that no vehicle type can meet.
    if !vehicles.is_empty() {
        for (p, &line) in out.list.iter().zip(&out.lines) {
            if p.mode == Mode::Route
                && !vehicles.is_empty()
                && !vehicles.iter().any(|v| v.can_carry(p))
            {
                let need = match (p.wheelchair, p.needs_assistant) {
                    (true, true) => {
                        "a vehicle type with a wheelchair space and a seat for an assistant"
                    }
                    (true, false) => "a vehicle type with a wheelchair space",
                    (false, true) => "a vehicle type with two seats (pupil and assistant)",
                    (false, false) => "a vehicle type with a seat",
                };
                f.error(
                    Code::NoVehicleFits,
                    &t.file,
                    line,
                    "wheelchair",
                    &p.id,
                    format!("{need} in vehicles.csv"),
                );
            }
        }
    }
    out
}
