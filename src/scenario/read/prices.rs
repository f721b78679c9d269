//! Prices: operators' rate cards (`rates.csv`), explicit bids (`bids.csv`) and bundle
//! discounts (`bundles.csv`). All three files are optional.

use super::super::ids::{Ids, id_list};
use super::super::model::{Bid, Bundle, BundleScope, RateCard, VehicleType};
use super::super::schema::{BIDS, BUNDLES, RATES};
use super::super::table::{Findings, Table};
use super::money;
use crate::error::Code;
use std::collections::BTreeMap;
use std::path::Path;

const OPERATOR: &str = "an operator_id from operators.csv";

pub(crate) fn rates(
    dir: &Path,
    f: &mut Findings,
    operator_ids: &Ids,
    vehicle_ids: &Ids,
    vehicles: &[VehicleType],
) -> Vec<RateCard> {
    let mut rates = Vec::new();
    if !dir.join(RATES.file).exists() {
        return rates;
    }
    let Some(t) = Table::read_schema(dir, &RATES, &[], f) else {
        return rates;
    };
    let mut seen: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for row in t.rows() {
        let op = operator_ids.reference(&row, f, "operator_id", OPERATOR);
        let vt = vehicle_ids.reference(&row, f, "vehicle_type", "a vehicle_type from vehicles.csv");
        let (d, k, m) = (
            money(&row, f, "day_rate"),
            money(&row, f, "per_km"),
            money(&row, f, "per_min"),
        );
        if let (Some(op), Some(vt), Some(d), Some(k), Some(m)) = (op, vt, d, k, m) {
            if let Some(first) = seen.insert((op, vt), row.line) {
                row.problem(
                    f,
                    Code::DuplicateId,
                    "vehicle_type",
                    &vehicles[vt].id,
                    format!("one rate card per operator and vehicle type (first on line {first})"),
                );
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
    rates
}

pub(crate) fn bids(dir: &Path, f: &mut Findings, operator_ids: &Ids) -> Vec<Bid> {
    let mut bids = Vec::new();
    if !dir.join(BIDS.file).exists() {
        return bids;
    }
    let Some(t) = Table::read_schema(dir, &BIDS, &[], f) else {
        return bids;
    };
    let mut seen: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for row in t.rows() {
        let op = operator_ids.reference(&row, f, "operator_id", OPERATOR);
        let route = row.text(f, "route_id");
        let price = money(&row, f, "price_per_day");
        if let (Some(op), Some(route), Some(price)) = (op, route, price) {
            if let Some(first) = seen.insert((op, route.to_string()), row.line) {
                row.problem(
                    f,
                    Code::DuplicateId,
                    "route_id",
                    route,
                    format!(
                        "one bid per operator and route (this operator bid for it on line {first})"
                    ),
                );
                continue;
            }
            bids.push(Bid {
                operator: op,
                route_id: route.to_string(),
                price_per_day: price,
                line: row.line,
            });
        }
    }
    bids
}

pub(crate) fn bundles(
    dir: &Path,
    f: &mut Findings,
    operator_ids: &Ids,
    school_ids: &Ids,
) -> Vec<Bundle> {
    let mut bundles = Vec::new();
    if !dir.join(BUNDLES.file).exists() {
        return bundles;
    }
    let Some(t) = Table::read_schema(dir, &BUNDLES, &[], f) else {
        return bundles;
    };
    let mut ids = Ids::new(true);
    for row in t.rows() {
        let id = row.text(f, "bundle_id");
        let op = operator_ids.reference(&row, f, "operator_id", OPERATOR);
        let pct = row.number(f, "discount_pct", 0.0, 100.0);
        let scope = match (row.opt("route_ids"), row.opt("school_id")) {
            (Some(r), None) => Some(BundleScope::Routes(
                id_list(r).into_iter().map(String::from).collect(),
            )),
            (None, Some(s)) => school_ids
                .resolve(&row, f, "school_id", s, "a school_id from schools.csv")
                .map(BundleScope::School),
            _ => {
                row.problem(
                    f,
                    Code::BundleScope,
                    "route_ids",
                    row.raw("route_ids").unwrap_or(""),
                    "either route_ids or school_id, not both or neither",
                );
                None
            }
        };
        let Some(id) = id else { continue };
        let bundle = match (op, pct, scope) {
            (Some(operator), Some(discount_pct), Some(scope)) => Some(Bundle {
                id: id.to_string(),
                operator,
                scope,
                discount_pct,
            }),
            _ => None,
        };
        let index = bundle.as_ref().map(|_| bundles.len());
        if ids.define(&row, f, "bundle_id", id, index) {
            bundles.extend(bundle);
        }
    }
    bundles
}
