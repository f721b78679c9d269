//! Reading a scenario folder into the domain model, collecting every problem in one pass.

use super::model::*;
use super::table::{Findings, Row, Table};
use crate::units::{Clock, Pence};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A scenario with where each school and pupil came from, and the warnings found.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The scenario.
    pub scenario: Scenario,
    /// Warnings (the scenario is usable).
    pub warnings: Vec<crate::error::Problem>,
    /// Line of each school in `schools.csv`.
    pub school_lines: Vec<usize>,
    /// Line of each pupil in `pupils.csv`.
    pub pupil_lines: Vec<usize>,
}

const SCHOOL_COLS: &[&str] = &[
    "school_id",
    "name",
    "lat",
    "lon",
    "am_arrive_earliest",
    "am_arrive_latest",
    "pm_depart",
];
const PUPIL_REQ: &[&str] = &["pupil_id", "school_id", "lat", "lon", "phase"];
const PUPIL_OPT: &[&str] = &[
    "wheelchair",
    "needs_assistant",
    "solo",
    "max_ride_min",
    "incompatible_with",
    "mode",
    "ptb_eligible",
    "itt_eligible",
    "values_mode",
];
const VEHICLE_REQ: &[&str] = &[
    "vehicle_type",
    "seats",
    "wheelchair_spaces",
    "day_rate",
    "per_km",
    "per_min",
];

/// Largest plausible money value in one field (£100,000).
const MAX_MONEY: f64 = 100_000.0;

fn money(row: &Row, f: &mut Findings, col: &str) -> Option<Pence> {
    row.number(f, col, 0.0, MAX_MONEY).map(Pence::from_pounds)
}

fn count(row: &Row, f: &mut Findings, col: &str, hi: f64) -> Option<u32> {
    let v = row.number(f, col, 0.0, hi)?;
    if v.fract() != 0.0 {
        row.problem(
            f,
            "E-NOT-AN-INTEGER",
            col,
            row.raw(col).unwrap_or(""),
            "a whole number",
        );
        return None;
    }
    Some(v as u32)
}

fn opt_count(row: &Row, f: &mut Findings, col: &str, hi: f64) -> Option<Option<u32>> {
    if row.opt(col).is_none() {
        return Some(None);
    }
    count(row, f, col, hi).map(Some)
}

fn ids_list(v: &str) -> Vec<&str> {
    v.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Index of ids read so far, reporting duplicates.
struct Ids {
    map: BTreeMap<String, (usize, usize)>,
    /// False when the file defining the ids could not be read: references to unknown ids
    /// are then not reported, as the real problem has been already.
    complete: bool,
}

impl Ids {
    fn new() -> Self {
        Ids {
            map: BTreeMap::new(),
            complete: true,
        }
    }
    fn add(&mut self, row: &Row, f: &mut Findings, col: &str, id: &str, index: usize) -> bool {
        if let Some(&(_, line)) = self.map.get(id) {
            row.problem(
                f,
                "E-DUPLICATE-ID",
                col,
                id,
                format!("a unique id (first used on line {line})"),
            );
            false
        } else {
            self.map.insert(id.to_string(), (index, row.line));
            true
        }
    }
    fn get(&self, id: &str) -> Option<usize> {
        match self.map.get(id) {
            Some(e) => Some(e.0),
            None if !self.complete => Some(usize::MAX),
            None => None,
        }
    }
    fn names(&self) -> String {
        let v: Vec<&str> = self.map.keys().map(String::as_str).take(8).collect();
        let more = if self.map.len() > 8 { ", …" } else { "" };
        format!("{}{more}", v.join(", "))
    }
}

/// Reads and validates a scenario folder. Errors (all of them) come back as
/// [`crate::Error`] of kind `Invalid`; warnings come with the scenario.
pub fn load(dir: &Path) -> crate::Result<Loaded> {
    let (loaded, errors) = load_all(dir);
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(crate::Error::invalid(errors))
    }
}

/// Reads a scenario folder as far as possible: everything that parsed, plus every error.
/// The partial scenario lets further checks (e.g. against the road network) run in the
/// same pass; it must not be planned on while errors remain.
pub fn load_all(dir: &Path) -> (Loaded, Vec<crate::error::Problem>) {
    let mut f = Findings::default();
    if !dir.is_dir() {
        f.error(
            "E-NOT-A-FOLDER",
            &dir.display().to_string(),
            0,
            "",
            "",
            "a scenario folder",
        );
    }
    let (name, osm, policy, solver, mut tender, in_house_raw) = read_toml(dir, &mut f);

    // Schools.
    let mut schools = Vec::new();
    let mut school_lines = Vec::new();
    let mut school_ids = Ids::new();
    let schools_table = Table::read(&dir.join("schools.csv"), SCHOOL_COLS, &[], &mut f);
    school_ids.complete = schools_table.is_some();
    if let Some(t) = schools_table {
        for row in t.rows() {
            let id = row.text(&mut f, "school_id");
            let name = row.opt("name").unwrap_or("").to_string();
            let lat = row.number(&mut f, "lat", -90.0, 90.0);
            let lon = row.number(&mut f, "lon", -180.0, 180.0);
            let e = row.time(&mut f, "am_arrive_earliest");
            let l = row.time(&mut f, "am_arrive_latest");
            let pm = row.time(&mut f, "pm_depart");
            if let (Some(e), Some(l)) = (e, l) {
                if e > l {
                    row.problem(
                        &mut f,
                        "E-EMPTY-WINDOW",
                        "am_arrive_latest",
                        &Clock(l).to_string(),
                        format!("a time no earlier than am_arrive_earliest {}", Clock(e)),
                    );
                }
                if let Some(pm) = pm {
                    if pm <= l {
                        row.problem(
                            &mut f,
                            "E-EMPTY-WINDOW",
                            "pm_depart",
                            &Clock(pm).to_string(),
                            format!("a time after am_arrive_latest {}", Clock(l)),
                        );
                    }
                }
            }
            if let Some(id) = id {
                if school_ids.add(&row, &mut f, "school_id", id, schools.len()) {
                    if let (Some(lat), Some(lon), Some(e), Some(l), Some(pm)) = (lat, lon, e, l, pm)
                    {
                        schools.push(School {
                            id: id.to_string(),
                            name,
                            lat,
                            lon,
                            am_arrive_earliest: Clock(e),
                            am_arrive_latest: Clock(l),
                            pm_depart: Clock(pm),
                        });
                        school_lines.push(row.line);
                    } else {
                        // Keep the id known so pupils referring to it are not reported twice.
                        school_ids.map.remove(id);
                        school_ids
                            .map
                            .insert(id.to_string(), (usize::MAX, row.line));
                    }
                }
            }
        }
    }

    // Vehicles.
    let mut vehicles = Vec::new();
    let mut vehicle_ids = Ids::new();
    let vehicles_table = Table::read(
        &dir.join("vehicles.csv"),
        VEHICLE_REQ,
        &["available"],
        &mut f,
    );
    vehicle_ids.complete = vehicles_table.is_some();
    if let Some(t) = vehicles_table {
        for row in t.rows() {
            let id = row.text(&mut f, "vehicle_type");
            let seats = count(&row, &mut f, "seats", 100.0);
            let wc = count(&row, &mut f, "wheelchair_spaces", 20.0);
            let day = money(&row, &mut f, "day_rate");
            let km = money(&row, &mut f, "per_km");
            let min = money(&row, &mut f, "per_min");
            let avail = opt_count(&row, &mut f, "available", 100_000.0);
            if let (Some(s), Some(w)) = (seats, wc) {
                if s + w == 0 {
                    row.problem(
                        &mut f,
                        "E-NO-CAPACITY",
                        "seats",
                        "0",
                        "at least one seat or wheelchair space",
                    );
                }
            }
            if let Some(id) = id {
                if vehicle_ids.add(&row, &mut f, "vehicle_type", id, vehicles.len()) {
                    if let (Some(seats), Some(wc), Some(day), Some(km), Some(min), Some(avail)) =
                        (seats, wc, day, km, min, avail)
                    {
                        vehicles.push(VehicleType {
                            id: id.to_string(),
                            seats,
                            wheelchair_spaces: wc,
                            day_rate: day,
                            per_km: km,
                            per_min: min,
                            available: avail,
                        });
                    } else {
                        vehicle_ids
                            .map
                            .insert(id.to_string(), (usize::MAX, row.line));
                    }
                }
            }
        }
    }

    // In-house fleet from `[tender.in_house]`, keyed by vehicle type.
    tender.in_house = vec![0; vehicles.len()];
    for (vt, n, line) in in_house_raw {
        match vehicle_ids.get(&vt) {
            Some(v) if v < vehicles.len() => tender.in_house[v] = n,
            Some(_) => {}
            None if vehicle_ids.complete => f.error(
                "E-UNKNOWN-ID",
                "scenario.toml",
                line,
                &format!("tender.in_house.{vt}"),
                &vt,
                format!("a vehicle type from vehicles.csv ({})", vehicle_ids.names()),
            ),
            None => {}
        }
    }

    // Pupils (incompatibilities resolved after all ids are known).
    let mut pupils = Vec::new();
    let mut pupil_lines = Vec::new();
    let mut pupil_ids = Ids::new();
    let mut incompat_raw: Vec<(usize, usize, Vec<String>)> = Vec::new();
    let pupils_table = Table::read(&dir.join("pupils.csv"), PUPIL_REQ, PUPIL_OPT, &mut f);
    pupil_ids.complete = pupils_table.is_some();
    if let Some(t) = &pupils_table {
        for row in t.rows() {
            let id = row.text(&mut f, "pupil_id");
            let school = row
                .text(&mut f, "school_id")
                .and_then(|s| match school_ids.get(s) {
                    Some(i) if i != usize::MAX => Some(i),
                    Some(_) => None,
                    None => {
                        row.problem(
                            &mut f,
                            "E-UNKNOWN-SCHOOL",
                            "school_id",
                            s,
                            format!("a school_id from schools.csv ({})", school_ids.names()),
                        );
                        None
                    }
                });
            let lat = row.number(&mut f, "lat", -90.0, 90.0);
            let lon = row.number(&mut f, "lon", -180.0, 180.0);
            let phase = row.choice(
                &mut f,
                "phase",
                &[("primary", Phase::Primary), ("secondary", Phase::Secondary)],
                None,
            );
            let wheelchair = row.boolean(&mut f, "wheelchair", false);
            let assistant = row.boolean(&mut f, "needs_assistant", false);
            let solo = row.boolean(&mut f, "solo", false);
            let max_ride = row.opt_number(&mut f, "max_ride_min", 1.0, 300.0);
            if row.opt("max_ride_min").is_some() && max_ride.is_none() {
                // Already reported.
            } else if let Some(m) = max_ride {
                if m > 120.0 {
                    row.warning(
                        &mut f,
                        "W-UNUSUAL-VALUE",
                        "max_ride_min",
                        row.raw("max_ride_min").unwrap_or(""),
                        "a ride limit of at most 120 minutes",
                    );
                }
            }
            let mode = row.choice(
                &mut f,
                "mode",
                &[
                    ("route", Mode::Route),
                    ("ptb", Mode::Ptb),
                    ("itt", Mode::Itt),
                    ("other", Mode::Other),
                ],
                Some(Mode::Route),
            );
            let ptb = row.boolean(&mut f, "ptb_eligible", false);
            let itt = row.boolean(&mut f, "itt_eligible", false);
            let vm = row.choice(
                &mut f,
                "values_mode",
                &[
                    ("settler", ValuesMode::Settler),
                    ("prospector", ValuesMode::Prospector),
                    ("pioneer", ValuesMode::Pioneer),
                    ("unknown", ValuesMode::Unknown),
                ],
                Some(ValuesMode::Unknown),
            );
            let incompatible: Vec<String> = row
                .opt("incompatible_with")
                .map(ids_list)
                .unwrap_or_default()
                .into_iter()
                .map(String::from)
                .collect();
            if let Some(id) = id {
                if pupil_ids.add(&row, &mut f, "pupil_id", id, pupils.len()) {
                    if let (
                        Some(school),
                        Some(lat),
                        Some(lon),
                        Some(phase),
                        Some(wheelchair),
                        Some(needs_assistant),
                        Some(solo),
                        Some(mode),
                        Some(ptb),
                        Some(itt),
                        Some(vm),
                    ) = (
                        school, lat, lon, phase, wheelchair, assistant, solo, mode, ptb, itt, vm,
                    ) {
                        if row.opt("max_ride_min").is_none() || max_ride.is_some() {
                            incompat_raw.push((pupils.len(), row.line, incompatible));
                            pupils.push(Pupil {
                                id: id.to_string(),
                                school,
                                lat,
                                lon,
                                phase,
                                wheelchair,
                                needs_assistant,
                                solo,
                                max_ride_min: max_ride.map(|m| m.round() as u32),
                                incompatible_with: Vec::new(),
                                mode,
                                ptb_eligible: ptb,
                                itt_eligible: itt,
                                values_mode: vm,
                            });
                            pupil_lines.push(row.line);
                            continue;
                        }
                    }
                    pupil_ids.map.insert(id.to_string(), (usize::MAX, row.line));
                }
            }
        }
        // Incompatibilities are symmetric whichever side lists them.
        for (i, line, others) in incompat_raw {
            for o in others {
                match pupil_ids.get(&o) {
                    Some(j) if j == i => f.error(
                        "E-SELF-REFERENCE",
                        &t.file,
                        line,
                        "incompatible_with",
                        &o,
                        "another pupil's id",
                    ),
                    Some(usize::MAX) => {}
                    Some(j) => {
                        if !pupils[i].incompatible_with.contains(&j) {
                            pupils[i].incompatible_with.push(j);
                        }
                        if !pupils[j].incompatible_with.contains(&i) {
                            pupils[j].incompatible_with.push(i);
                        }
                    }
                    None => f.error(
                        "E-UNKNOWN-PUPIL",
                        &t.file,
                        line,
                        "incompatible_with",
                        &o,
                        "pupil ids from pupils.csv separated by ';'",
                    ),
                }
            }
        }
        for p in &mut pupils {
            p.incompatible_with.sort_unstable();
        }
        // Needs that no vehicle type can meet.
        if !vehicles.is_empty() {
            for (i, p) in pupils.iter().enumerate() {
                if p.mode == Mode::Route && !vehicles.iter().any(|v| v.can_carry(p)) {
                    let need = match (p.wheelchair, p.needs_assistant) {
                        (true, true) => {
                            "a vehicle type with a wheelchair space and a seat for an assistant"
                        }
                        (true, false) => "a vehicle type with a wheelchair space",
                        (false, true) => "a vehicle type with two seats (pupil and assistant)",
                        (false, false) => "a vehicle type with a seat",
                    };
                    f.error(
                        "E-NO-VEHICLE-FITS",
                        &t.file,
                        pupil_lines[i],
                        "wheelchair",
                        &p.id,
                        format!("{need} in vehicles.csv"),
                    );
                }
            }
        }
    }

    // Operators (one optional fleet-limit column per vehicle type).
    let mut operators = Vec::new();
    let mut operator_ids = Ids::new();
    let operators_path = dir.join("operators.csv");
    let vt_cols: Vec<&str> = vehicles.iter().map(|v| v.id.as_str()).collect();
    let mut op_opt = vec!["max_routes"];
    op_opt.extend(vt_cols.iter().copied());
    if operators_path.exists() {
        let table = Table::read(&operators_path, &["operator_id", "name"], &op_opt, &mut f);
        operator_ids.complete = table.is_some();
        if let Some(t) = table {
            for row in t.rows() {
                let id = row.text(&mut f, "operator_id");
                let name = row.opt("name").unwrap_or("").to_string();
                let max_routes = opt_count(&row, &mut f, "max_routes", 100_000.0);
                let fleet: Vec<Option<Option<u32>>> = vt_cols
                    .iter()
                    .map(|c| opt_count(&row, &mut f, c, 100_000.0))
                    .collect();
                if let Some(id) = id {
                    if operator_ids.add(&row, &mut f, "operator_id", id, operators.len()) {
                        if let (Some(max_routes), true) =
                            (max_routes, fleet.iter().all(Option::is_some))
                        {
                            operators.push(Operator {
                                id: id.to_string(),
                                name,
                                max_routes,
                                fleet: fleet.into_iter().flatten().collect(),
                            });
                        } else {
                            operator_ids
                                .map
                                .insert(id.to_string(), (usize::MAX, row.line));
                        }
                    }
                }
            }
        }
    }
    let lookup = |row: &Row, f: &mut Findings, col: &str, ids: &Ids, what: &str| -> Option<usize> {
        let v = row.text(f, col)?;
        match ids.get(v) {
            Some(usize::MAX) => None,
            Some(i) => Some(i),
            None => {
                row.problem(
                    f,
                    "E-UNKNOWN-REFERENCE",
                    col,
                    v,
                    format!("{what} ({})", ids.names()),
                );
                None
            }
        }
    };

    // Rate cards.
    let mut rates: Vec<RateCard> = Vec::new();
    let rates_path = dir.join("rates.csv");
    if rates_path.exists() {
        if let Some(t) = Table::read(
            &rates_path,
            &[
                "operator_id",
                "vehicle_type",
                "day_rate",
                "per_km",
                "per_min",
            ],
            &[],
            &mut f,
        ) {
            let mut seen: BTreeMap<(usize, usize), usize> = BTreeMap::new();
            for row in t.rows() {
                let op = lookup(
                    &row,
                    &mut f,
                    "operator_id",
                    &operator_ids,
                    "an operator_id from operators.csv",
                );
                let vt = lookup(
                    &row,
                    &mut f,
                    "vehicle_type",
                    &vehicle_ids,
                    "a vehicle_type from vehicles.csv",
                );
                let (d, k, m) = (
                    money(&row, &mut f, "day_rate"),
                    money(&row, &mut f, "per_km"),
                    money(&row, &mut f, "per_min"),
                );
                if let (Some(op), Some(vt), Some(d), Some(k), Some(m)) = (op, vt, d, k, m) {
                    if let Some(first) = seen.insert((op, vt), row.line) {
                        row.problem(&mut f, "E-DUPLICATE-ID", "vehicle_type", &vehicles[vt].id, format!("one rate card per operator and vehicle type (first on line {first})"));
                    } else {
                        rates.push(RateCard {
                            operator: op,
                            vehicle: vt,
                            day_rate: d,
                            per_km: k,
                            per_min: m,
                        });
                    }
                }
            }
        }
    }

    // Bids.
    let mut bids = Vec::new();
    let bids_path = dir.join("bids.csv");
    if bids_path.exists() {
        if let Some(t) = Table::read(
            &bids_path,
            &["operator_id", "route_id", "price_per_day"],
            &[],
            &mut f,
        ) {
            for row in t.rows() {
                let op = lookup(
                    &row,
                    &mut f,
                    "operator_id",
                    &operator_ids,
                    "an operator_id from operators.csv",
                );
                let route = row.text(&mut f, "route_id");
                let price = money(&row, &mut f, "price_per_day");
                if let (Some(op), Some(route), Some(price)) = (op, route, price) {
                    bids.push(Bid {
                        operator: op,
                        route_id: route.to_string(),
                        price_per_day: price,
                        line: row.line,
                    });
                }
            }
        }
    }

    // Bundles.
    let mut bundles = Vec::new();
    let bundles_path = dir.join("bundles.csv");
    if bundles_path.exists() {
        if let Some(t) = Table::read(
            &bundles_path,
            &["bundle_id", "operator_id", "discount_pct"],
            &["route_ids", "school_id"],
            &mut f,
        ) {
            let mut ids = Ids::new();
            for row in t.rows() {
                let id = row.text(&mut f, "bundle_id");
                let op = lookup(
                    &row,
                    &mut f,
                    "operator_id",
                    &operator_ids,
                    "an operator_id from operators.csv",
                );
                let pct = row.number(&mut f, "discount_pct", 0.0, 100.0);
                let scope = match (row.opt("route_ids"), row.opt("school_id")) {
                    (Some(r), None) => Some(BundleScope::Routes(
                        ids_list(r).into_iter().map(String::from).collect(),
                    )),
                    (None, Some(s)) => match school_ids.get(s) {
                        Some(usize::MAX) => None,
                        Some(i) => Some(BundleScope::School(i)),
                        None => {
                            row.problem(
                                &mut f,
                                "E-UNKNOWN-SCHOOL",
                                "school_id",
                                s,
                                "a school_id from schools.csv",
                            );
                            None
                        }
                    },
                    _ => {
                        row.problem(
                            &mut f,
                            "E-BUNDLE-SCOPE",
                            "route_ids",
                            row.raw("route_ids").unwrap_or(""),
                            "either route_ids or school_id, not both or neither",
                        );
                        None
                    }
                };
                if let Some(id) = id {
                    if ids.add(&row, &mut f, "bundle_id", id, bundles.len()) {
                        if let (Some(op), Some(pct), Some(scope)) = (op, pct, scope) {
                            bundles.push(Bundle {
                                id: id.to_string(),
                                operator: op,
                                scope,
                                discount_pct: pct,
                            });
                        }
                    }
                }
            }
        }
    }

    // Current routes.
    let mut current_routes = Vec::new();
    let current_path = dir.join("current_routes.csv");
    if current_path.exists() {
        if let Some(t) = Table::read(
            &current_path,
            &[
                "route_id",
                "operator_id",
                "vehicle_type",
                "price_per_day",
                "assistant",
                "pupil_ids",
            ],
            &[],
            &mut f,
        ) {
            let mut ids = Ids::new();
            let mut on_route: BTreeMap<usize, (String, usize)> = BTreeMap::new();
            for row in t.rows() {
                let id = row.text(&mut f, "route_id");
                let op = lookup(
                    &row,
                    &mut f,
                    "operator_id",
                    &operator_ids,
                    "an operator_id from operators.csv",
                );
                let vt = lookup(
                    &row,
                    &mut f,
                    "vehicle_type",
                    &vehicle_ids,
                    "a vehicle_type from vehicles.csv",
                );
                let price = money(&row, &mut f, "price_per_day");
                let assistant = row.boolean(&mut f, "assistant", false);
                let mut list = Vec::new();
                for p in row
                    .text(&mut f, "pupil_ids")
                    .map(ids_list)
                    .unwrap_or_default()
                {
                    match pupil_ids.get(p) {
                        Some(usize::MAX) => {}
                        Some(i) => {
                            if let Some((other, line)) = on_route.get(&i) {
                                row.problem(&mut f, "E-PUPIL-IN-TWO-ROUTES", "pupil_ids", p, format!("each pupil on one route (already on route {other}, line {line})"));
                            } else {
                                list.push(i);
                            }
                        }
                        None => row.problem(
                            &mut f,
                            "E-UNKNOWN-PUPIL",
                            "pupil_ids",
                            p,
                            "pupil ids from pupils.csv separated by ';'",
                        ),
                    }
                }
                for &i in &list {
                    on_route.insert(i, (id.unwrap_or("?").to_string(), row.line));
                    let p = &pupils[i];
                    if p.solo && list.len() > 1 {
                        row.problem(
                            &mut f,
                            "E-SOLO-SHARED",
                            "pupil_ids",
                            &p.id,
                            "a solo pupil alone on their route",
                        );
                    }
                    if p.mode != Mode::Route {
                        row.warning(
                            &mut f,
                            "W-MODE-MISMATCH",
                            "pupil_ids",
                            &p.id,
                            "only pupils with mode=route on current routes",
                        );
                    }
                    for &j in &p.incompatible_with {
                        if list.contains(&j) && i < j {
                            row.warning(&mut f, "W-INCOMPATIBLE-SHARED", "pupil_ids", &format!("{};{}", p.id, pupils[j].id), "incompatible pupils on different routes; the planner will separate them");
                        }
                    }
                }
                if let (Some(vt), true) = (vt, !list.is_empty()) {
                    let v = &vehicles[vt];
                    let assistant_seat = u32::from(assistant.unwrap_or(false));
                    let seats: u32 =
                        list.iter().map(|&i| pupils[i].seats()).sum::<u32>() + assistant_seat;
                    let wc: u32 = list.iter().filter(|&&i| pupils[i].wheelchair).count() as u32;
                    if seats > v.seats || wc > v.wheelchair_spaces {
                        row.warning(
                            &mut f,
                            "W-OVER-CAPACITY",
                            "pupil_ids",
                            &format!("{seats} seats, {wc} wheelchairs"),
                            format!(
                                "at most {} seats and {} wheelchair spaces in a {}",
                                v.seats, v.wheelchair_spaces, v.id
                            ),
                        );
                    }
                    if list.iter().any(|&i| pupils[i].needs_assistant) && assistant == Some(false) {
                        row.warning(
                            &mut f,
                            "W-NO-ASSISTANT",
                            "assistant",
                            "false",
                            "an assistant on a route carrying a pupil who needs one",
                        );
                    }
                }
                if let Some(id) = id {
                    if ids.add(&row, &mut f, "route_id", id, current_routes.len()) {
                        if let (Some(op), Some(vt), Some(price), Some(assistant)) =
                            (op, vt, price, assistant)
                        {
                            current_routes.push(CurrentRoute {
                                id: id.to_string(),
                                operator: op,
                                vehicle: vt,
                                price_per_day: price,
                                assistant,
                                pupils: list,
                            });
                        }
                    }
                }
            }
        }
    }

    let mut errors = f.errors;
    errors.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    (
        Loaded {
            scenario: Scenario {
                name,
                osm,
                policy,
                solver,
                tender,
                schools,
                pupils,
                vehicles,
                operators,
                rates,
                bids,
                bundles,
                current_routes,
            },
            warnings: f.warnings,
            school_lines,
            pupil_lines,
        },
        errors,
    )
}

/// Checks every school and pupil location against the road network: inside its area
/// and within `max_snap_m` of a road a vehicle can stop on.
pub fn check_locations(
    loaded: &Loaded,
    net: &crate::network::Network,
    max_snap_m: f64,
) -> Vec<crate::error::Problem> {
    const MARGIN_DEG: f64 = 0.02;
    let b = net.roads().bbox();
    let area = format!(
        "a point inside the road network's area (lat {:.3} to {:.3}, lon {:.3} to {:.3})",
        b[0], b[2], b[1], b[3]
    );
    let mut f = Findings::default();
    let sc = &loaded.scenario;
    let points = sc
        .schools
        .iter()
        .zip(&loaded.school_lines)
        .map(|(s, &l)| ("schools.csv", l, &s.id, s.lat, s.lon))
        .chain(
            sc.pupils
                .iter()
                .zip(&loaded.pupil_lines)
                .map(|(p, &l)| ("pupils.csv", l, &p.id, p.lat, p.lon)),
        );
    for (file, line, id, lat, lon) in points {
        let value = format!("{id} ({lat}, {lon})");
        if lat < b[0] - MARGIN_DEG
            || lat > b[2] + MARGIN_DEG
            || lon < b[1] - MARGIN_DEG
            || lon > b[3] + MARGIN_DEG
        {
            f.error(
                "E-OUTSIDE-NETWORK",
                file,
                line,
                "lat,lon",
                &value,
                area.clone(),
            );
            continue;
        }
        match net.snap(lat, lon) {
            Some(s) if s.distance_m <= max_snap_m => {}
            Some(s) => f.error(
                "E-TOO-FAR-FROM-ROAD",
                file,
                line,
                "lat,lon",
                &value,
                format!(
                    "a point within {max_snap_m:.0} m of a road (nearest is {:.0} m away)",
                    s.distance_m
                ),
            ),
            None => f.error(
                "E-TOO-FAR-FROM-ROAD",
                file,
                line,
                "lat,lon",
                &value,
                "a point near a road",
            ),
        }
    }
    f.errors
}

/// Line (1-based) of `key` in `section` of a TOML text, for messages; 0 if not found.
fn toml_line(text: &str, section: &str, key: &str) -> usize {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(s) = t.strip_prefix('[') {
            current = s.trim_end_matches(']').trim().to_string();
            if key.is_empty() && current == section {
                return i + 1;
            }
            continue;
        }
        if current == section {
            if let Some(rest) = t.strip_prefix(key) {
                if rest.trim_start().starts_with('=') {
                    return i + 1;
                }
            }
        }
    }
    0
}

/// What `scenario.toml` holds; the in-house fleet is resolved once vehicle types are known.
type TomlParts = (
    String,
    PathBuf,
    Policy,
    SolverSettings,
    TenderPolicy,
    Vec<(String, u32, usize)>,
);

fn read_toml(dir: &Path, f: &mut Findings) -> TomlParts {
    const FILE: &str = "scenario.toml";
    let mut policy = Policy::default();
    let mut solver = SolverSettings::default();
    let mut tender = TenderPolicy::default();
    let mut in_house = Vec::new();
    let path = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            f.error(
                "E-FILE-UNREADABLE",
                FILE,
                0,
                "",
                &path.display().to_string(),
                format!("a readable scenario.toml ({e})"),
            );
            return (
                String::new(),
                PathBuf::new(),
                policy,
                solver,
                tender,
                in_house,
            );
        }
    };
    let doc: toml::Table = match text.parse() {
        Ok(d) => d,
        Err(e) => {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
                .unwrap_or(0);
            f.error(
                "E-TOML-SYNTAX",
                FILE,
                line,
                "",
                "",
                format!("valid TOML ({})", e.message()),
            );
            return (
                String::new(),
                PathBuf::new(),
                policy,
                solver,
                tender,
                in_house,
            );
        }
    };
    let name = doc
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let osm = match doc.get("osm").and_then(|v| v.as_str()) {
        Some(p) => {
            let full = dir.join(p);
            if !full.is_file() {
                f.error(
                    "E-FILE-MISSING",
                    FILE,
                    toml_line(&text, "", "osm"),
                    "osm",
                    p,
                    "the path of an existing .osm.pbf file, relative to the scenario folder",
                );
            }
            full
        }
        None => {
            f.error(
                "E-MISSING-VALUE",
                FILE,
                0,
                "osm",
                "",
                "osm = \"path/to/extract.osm.pbf\"",
            );
            PathBuf::new()
        }
    };
    let known_top = ["name", "osm", "school_days", "policy", "solver", "tender"];
    for k in doc.keys() {
        if !known_top.contains(&k.as_str()) {
            f.warn(
                "W-UNKNOWN-KEY",
                FILE,
                toml_line(&text, "", k),
                k,
                k,
                format!("one of {}", known_top.join(", ")),
            );
        }
    }
    let num = |table: Option<&toml::Table>,
               section: &str,
               key: &str,
               lo: f64,
               hi: f64,
               f: &mut Findings|
     -> Option<f64> {
        let v = table?.get(key)?;
        let x = v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
        match x {
            Some(x) if x >= lo && x <= hi => Some(x),
            _ => {
                let col = if section.is_empty() {
                    key.to_string()
                } else {
                    format!("{section}.{key}")
                };
                f.error(
                    "E-OUT-OF-RANGE",
                    FILE,
                    toml_line(&text, section, key),
                    &col,
                    &v.to_string(),
                    format!("a number from {lo} to {hi}"),
                );
                None
            }
        }
    };
    if let Some(x) = num(Some(&doc), "", "school_days", 1.0, 366.0, f) {
        policy.school_days = x as u32;
    }
    let pol = doc.get("policy").and_then(|v| v.as_table());
    let pounds = |x: f64| Pence::from_pounds(x);
    if let Some(x) = num(pol, "policy", "ptb_rate_per_mile", 0.0, 10.0, f) {
        policy.ptb_rate_per_mile = pounds(x);
    }
    if let Some(x) = num(pol, "policy", "ptb_legs_per_day", 1.0, 8.0, f) {
        policy.ptb_legs_per_day = x as u32;
    }
    if let Some(v) = pol
        .and_then(|p| p.get("ptb_cap_at_cost"))
        .and_then(|v| v.as_bool())
    {
        policy.ptb_cap_at_cost = v;
    }
    if let Some(x) = num(pol, "policy", "itt_training_cost", 0.0, MAX_MONEY, f) {
        policy.itt_training_cost = pounds(x);
    }
    if let Some(x) = num(pol, "policy", "itt_annual_pass", 0.0, MAX_MONEY, f) {
        policy.itt_annual_pass = pounds(x);
    }
    if let Some(x) = num(pol, "policy", "assistant_day_cost", 0.0, 10_000.0, f) {
        policy.assistant_day_cost = pounds(x);
    }
    if let Some(x) = num(pol, "policy", "primary_max_ride_min", 1.0, 300.0, f) {
        policy.primary_max_ride_min = x as u32;
    }
    if let Some(x) = num(pol, "policy", "secondary_max_ride_min", 1.0, 300.0, f) {
        policy.secondary_max_ride_min = x as u32;
    }
    if let Some(x) = num(pol, "policy", "boarding_min", 0.0, 30.0, f) {
        policy.boarding_min = x as u32;
    }
    if let Some(x) = num(pol, "policy", "wheelchair_boarding_min", 0.0, 30.0, f) {
        policy.wheelchair_boarding_min = x as u32;
    }
    if let Some(x) = num(pol, "policy", "years_of_saving", 1.0, 20.0, f) {
        policy.years_of_saving = x as u32;
    }
    if let Some(x) = num(pol, "policy", "ptb_caseload", 0.0, 100_000.0, f) {
        policy.ptb_caseload = x as u32;
    }
    if let Some(x) = num(pol, "policy", "itt_caseload", 0.0, 100_000.0, f) {
        policy.itt_caseload = x as u32;
    }
    if let Some(x) = num(pol, "policy", "stability_cost_per_move", 0.0, MAX_MONEY, f) {
        policy.stability_cost_per_move = pounds(x);
    }
    if let Some(x) = num(
        pol,
        "policy",
        "stability_cost_per_minute",
        0.0,
        MAX_MONEY,
        f,
    ) {
        policy.stability_cost_per_minute = pounds(x);
    }
    for (offer, target) in [
        ("ptb_uptake", &mut policy.ptb_uptake),
        ("itt_uptake", &mut policy.itt_uptake),
    ] {
        let section = format!("policy.{offer}");
        let t = pol.and_then(|p| p.get(offer)).and_then(|v| v.as_table());
        for (mode, slot) in [
            ("settler", &mut target.settler),
            ("prospector", &mut target.prospector),
            ("pioneer", &mut target.pioneer),
            ("unknown", &mut target.unknown),
        ] {
            if let Some(x) = num(t, &section, mode, 0.0, 1.0, f) {
                *slot = x;
            }
        }
    }
    let sol = doc.get("solver").and_then(|v| v.as_table());
    if let Some(x) = num(sol, "solver", "time_limit_s", 0.0, 86_400.0, f) {
        solver.time_limit_s = x;
    }
    if let Some(x) = num(sol, "solver", "threads", 1.0, 256.0, f) {
        solver.threads = x as usize;
    }
    if let Some(x) = num(sol, "solver", "seed", 0.0, 1e15, f) {
        solver.seed = x as u64;
    }
    let ten = doc.get("tender").and_then(|v| v.as_table());
    if let Some(x) = num(ten, "tender", "max_share", 0.0, 1.0, f) {
        tender.max_share = x;
    }
    if let Some(x) = num(ten, "tender", "min_operators", 0.0, 1000.0, f) {
        tender.min_operators = x as u32;
    }
    if let Some(x) = num(ten, "tender", "in_house_overhead_pct", 0.0, 1000.0, f) {
        tender.in_house_overhead_pct = x;
    }
    if let Some(t) = ten
        .and_then(|t| t.get("in_house"))
        .and_then(|v| v.as_table())
    {
        for k in t.keys() {
            if let Some(x) = num(Some(t), "tender.in_house", k, 0.0, 100_000.0, f) {
                in_house.push((k.clone(), x as u32, toml_line(&text, "tender.in_house", k)));
            }
        }
    }
    (name, osm, policy, solver, tender, in_house)
}
