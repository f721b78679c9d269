//! `current_routes.csv`: today's contracts, checked against the pupils and fleet.

use super::super::ids::{Ids, Lookup, id_list};
use super::super::model::{CurrentRoute, Mode, Pupil, VehicleType};
use super::super::schema::CURRENT_ROUTES;
use super::super::table::{Findings, Table};
use super::money;
use crate::error::Code;
use std::collections::BTreeMap;
use std::path::Path;

/// What today's routes are checked against.
pub(crate) struct Known<'a> {
    pub pupils: &'a [Pupil],
    pub pupil_ids: &'a Ids,
    pub vehicles: &'a [VehicleType],
    pub vehicle_ids: &'a Ids,
    pub operator_ids: &'a Ids,
}

pub(crate) fn current_routes(dir: &Path, f: &mut Findings, k: &Known) -> Vec<CurrentRoute> {
    let mut routes = Vec::new();
    if !dir.join(CURRENT_ROUTES.file).exists() {
        return routes;
    }
    let Some(t) = Table::read_schema(dir, &CURRENT_ROUTES, &[], f) else {
        return routes;
    };
    let mut ids = Ids::new(true);
    let mut on_route: BTreeMap<usize, (String, usize)> = BTreeMap::new();
    for row in t.rows() {
        let id = row.text(f, "route_id");
        let op =
            k.operator_ids
                .reference(&row, f, "operator_id", "an operator_id from operators.csv");
        let vt =
            k.vehicle_ids
                .reference(&row, f, "vehicle_type", "a vehicle_type from vehicles.csv");
        let price = money(&row, f, "price_per_day");
        let assistant = row.boolean(f, "assistant", false);
        let mut list = Vec::new();
        for p in row.text(f, "pupil_ids").map(id_list).unwrap_or_default() {
            match k.pupil_ids.lookup(p) {
                Lookup::Invalid => {}
                Lookup::Found(i) => {
                    if let Some((other, line)) = on_route.get(&i) {
                        row.problem(
                            f,
                            Code::PupilInTwoRoutes,
                            "pupil_ids",
                            p,
                            format!(
                                "each pupil on one route (already on route {other}, line {line})"
                            ),
                        );
                    } else {
                        list.push(i);
                    }
                }
                Lookup::Unknown => row.problem(
                    f,
                    Code::UnknownId,
                    "pupil_ids",
                    p,
                    "pupil ids from pupils.csv separated by ';'",
                ),
            }
        }
        for &i in &list {
            on_route.insert(i, (id.unwrap_or("?").to_string(), row.line));
            let p = &k.pupils[i];
            if p.solo && list.len() > 1 {
                row.problem(
                    f,
                    Code::SoloShared,
                    "pupil_ids",
                    &p.id,
                    "a solo pupil alone on their route",
                );
            }
            if p.mode != Mode::Route {
                row.warning(
                    f,
                    Code::ModeMismatch,
                    "pupil_ids",
                    &p.id,
                    "only pupils with mode=route on current routes",
                );
            }
            for &j in &p.incompatible_with {
                if list.contains(&j) && i < j {
                    row.warning(
                        f,
                        Code::IncompatibleShared,
                        "pupil_ids",
                        &format!("{};{}", p.id, k.pupils[j].id),
                        "incompatible pupils on different routes; the planner will separate them",
                    );
                }
            }
        }
        if let (Some(vt), true) = (vt, !list.is_empty()) {
            let v = &k.vehicles[vt];
            let assistant_seat = u32::from(assistant.unwrap_or(false));
            let seats: u32 =
                list.iter().map(|&i| k.pupils[i].seats()).sum::<u32>() + assistant_seat;
            let wc: u32 = list.iter().filter(|&&i| k.pupils[i].wheelchair).count() as u32;
            if seats > v.seats || wc > v.wheelchair_spaces {
                row.warning(
                    f,
                    Code::OverCapacity,
                    "pupil_ids",
                    &format!("{seats} seats, {wc} wheelchairs"),
                    format!(
                        "at most {} seats and {} wheelchair spaces in a {}",
                        v.seats, v.wheelchair_spaces, v.id
                    ),
                );
            }
            if list.iter().any(|&i| k.pupils[i].needs_assistant) && assistant == Some(false) {
                row.warning(
                    f,
                    Code::NoAssistant,
                    "assistant",
                    "false",
                    "an assistant on a route carrying a pupil who needs one",
                );
            }
        }
        let Some(id) = id else { continue };
        let route = match (op, vt, price, assistant) {
            (Some(operator), Some(vehicle), Some(price_per_day), Some(assistant)) => {
                Some(CurrentRoute {
                    id: id.to_string(),
                    operator,
                    vehicle,
                    price_per_day,
                    assistant,
                    pupils: list,
                })
            }
            _ => None,
        };
        let index = route.as_ref().map(|_| routes.len());
        if ids.define(&row, f, "route_id", id, index) {
            routes.extend(route);
        }
    }
    routes
}
