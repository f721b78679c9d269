//! The one price of a vehicle-day, used by the plan, re-planning, the tender's rate cards,
//! savings and the report alike.
//!
//! A contract pays a day rate, then per km and per minute for the time the vehicle is
//! engaged on runs: in each half of the day, from the first pickup to the last drop-off.
//! Waiting inside a half-day (between two chained runs, or for a school's window) is paid
//! by the minute like driving, as a rate card charges a taxi's waiting time: the driver
//! cannot take other work. The idle hours between the morning and the afternoon are not
//! paid by the minute. A passenger assistant is paid a day cost once per route.

use super::model::{HalfDay, PlannedRoute};
use crate::scenario::{Scenario, VehicleType};
use crate::units::Pence;

/// Prices of a vehicle-day: a day rate, per km and per minute engaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates {
    /// Per vehicle-day.
    pub day_rate: Pence,
    /// Per km.
    pub per_km: Pence,
    /// Per minute.
    pub per_min: Pence,
}

impl Rates {
    /// The council's reference prices of a vehicle type (`vehicles.csv`).
    pub fn of(v: &VehicleType) -> Self {
        Rates {
            day_rate: v.day_rate,
            per_km: v.per_km,
            per_min: v.per_min,
        }
    }
}

/// Metres and seconds engaged in one half of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Engaged {
    /// Metres from the first pickup to the last drop-off.
    pub metres: i64,
    /// Seconds from the first pickup to the last drop-off.
    pub seconds: i64,
}

impl From<&HalfDay> for Engaged {
    fn from(h: &HalfDay) -> Self {
        Engaged {
            metres: h.metres,
            seconds: h.seconds,
        }
    }
}

/// The variable price of one half-day: per km on exact metres and per minute on exact
/// seconds, rounded to the penny once.
pub fn variable(r: &Rates, e: Engaged) -> Pence {
    Pence(
        ((r.per_km.0 as i128 * e.metres as i128 * 60
            + r.per_min.0 as i128 * e.seconds as i128 * 1000
            + 30_000)
            / 60_000) as i64,
    )
}

/// The price of a vehicle and driver for a day with the given halves (nothing when the
/// vehicle is not used).
pub fn vehicle_day(r: &Rates, halves: impl IntoIterator<Item = Engaged>) -> Pence {
    let mut used = false;
    let mut total = Pence(0);
    for e in halves {
        used = true;
        total += variable(r, e);
    }
    if used { r.day_rate + total } else { Pence(0) }
}

/// A route's cost per day at the council's reference prices, assistant included.
pub fn route_cost(sc: &Scenario, vehicle: usize, halves: &[Engaged], assistant: bool) -> Pence {
    vehicle_day(&Rates::of(&sc.vehicles[vehicle]), halves.iter().copied())
        + if assistant {
            sc.policy.assistant_day_cost
        } else {
            Pence(0)
        }
}

/// A planned route's cost per day at reference prices.
pub fn planned_route_cost(sc: &Scenario, r: &PlannedRoute) -> Pence {
    let halves: Vec<Engaged> = r.halves().map(|(_, h)| h.into()).collect();
    route_cost(sc, r.vehicle, &halves, r.assistant)
}
