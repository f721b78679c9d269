//! The tender: which supplier runs each route, at least cost, within fleets and policy.

use crate::plan::pricing::{Rates, vehicle_day};
use crate::scenario::{BundleScope, Scenario};
use crate::units::Pence;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// A route to be supplied: one vehicle-day (AM and PM runs) of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenderRoute {
    /// Route id from the plan.
    pub id: String,
    /// Vehicle type the route was planned with (index into the scenario's vehicles).
    pub vehicle: usize,
    /// Seats needed at the busiest moment, the assistant's included.
    pub seats: u32,
    /// Wheelchair spaces needed at the busiest moment.
    pub wheelchairs: u32,
    /// Metres and seconds engaged in each half of the day (morning, afternoon).
    pub halves: Vec<crate::plan::pricing::Engaged>,
    /// A passenger assistant travels (paid by the council, whoever supplies the vehicle).
    pub assistant: bool,
    /// Schools served (indices).
    pub schools: Vec<usize>,
    /// Pupils carried (indices).
    pub pupils: Vec<usize>,
}

/// Who can run routes: an operator, or the council's own fleet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Supplier {
    /// Operator id, or `IN-HOUSE`.
    pub id: String,
    /// Trading name.
    pub name: String,
    /// The council's own fleet (exempt from the share cap and operator count).
    pub in_house: bool,
    /// Most routes it can take.
    pub max_routes: Option<u32>,
    /// Vehicles per type (`None` = not limited).
    pub fleet: Vec<Option<u32>>,
}

/// Where a price comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// An explicit bid in `bids.csv`.
    Bid,
    /// The operator's rate card in `rates.csv`.
    RateCard,
    /// The council's own costs (`vehicles.csv` plus overhead).
    InHouse,
}

/// One way to supply one route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    /// Route index.
    pub route: usize,
    /// Supplier index.
    pub supplier: usize,
    /// Vehicle type used (counts against that fleet).
    pub vehicle: usize,
    /// Price per day (vehicle and driver).
    pub price: Pence,
    /// Where the price comes from.
    pub source: Source,
}

/// A discount if one supplier wins every route of a set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenderBundle {
    /// Bundle id.
    pub id: String,
    /// Supplier index.
    pub supplier: usize,
    /// Route indices covered.
    pub routes: Vec<usize>,
    /// Discount on the covered routes' prices, percent.
    pub discount_pct: f64,
}

/// A complete tender.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tender {
    /// Routes to supply.
    pub routes: Vec<TenderRoute>,
    /// Suppliers.
    pub suppliers: Vec<Supplier>,
    /// Every priced (route, supplier, vehicle type) option.
    pub offers: Vec<Offer>,
    /// Bundle discounts.
    pub bundles: Vec<TenderBundle>,
    /// Vehicle type ids (for messages).
    pub vehicle_ids: Vec<String>,
    /// Largest share of routes one operator may win (1 = no cap).
    pub max_share: f64,
    /// Fewest operators that must win work.
    pub min_operators: u32,
}

impl Tender {
    /// Builds the tender for a plan's routes from the scenario's operators, rate cards,
    /// bids, bundles, in-house fleet and policy. Returns warnings for bundles that cannot
    /// apply (routes not in this plan, or the operator cannot price them all).
    /// Bids must name routes of `routes` (checked by the caller).
    pub fn from_scenario(sc: &Scenario, routes: Vec<TenderRoute>) -> (Tender, Vec<String>) {
        let mut warnings = Vec::new();
        let nv = sc.vehicles.len();
        let mut suppliers: Vec<Supplier> = sc
            .operators
            .iter()
            .map(|o| Supplier {
                id: o.id.clone(),
                name: o.name.clone(),
                in_house: false,
                max_routes: o.max_routes,
                fleet: (0..nv).map(|v| o.fleet.get(v).copied().flatten()).collect(),
            })
            .collect();
        let in_house_fleet: Vec<u32> = (0..nv)
            .map(|v| sc.tender.in_house.get(v).copied().unwrap_or(0))
            .collect();
        let in_house = if in_house_fleet.iter().any(|&n| n > 0) {
            suppliers.push(Supplier {
                id: "IN-HOUSE".into(),
                name: "Council fleet".into(),
                in_house: true,
                max_routes: None,
                fleet: in_house_fleet.iter().map(|&n| Some(n)).collect(),
            });
            Some(suppliers.len() - 1)
        } else {
            None
        };
        let fits = |r: &TenderRoute, v: usize| {
            sc.vehicles[v].seats >= r.seats && sc.vehicles[v].wheelchair_spaces >= r.wheelchairs
        };
        let route_index: BTreeMap<&str, usize> = routes
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut bids: BTreeMap<(usize, usize), Pence> = BTreeMap::new();
        for b in &sc.bids {
            if let Some(&r) = route_index.get(b.route_id.as_str()) {
                bids.insert((r, b.operator), b.price_per_day);
            }
        }
        let overhead = 1.0 + sc.tender.in_house_overhead_pct / 100.0;
        let mut offers = Vec::new();
        for (ri, r) in routes.iter().enumerate() {
            for (si, s) in suppliers.iter().enumerate() {
                let mut here: Vec<Offer> = Vec::new();
                if let Some(&price) = bids.get(&(ri, si)).filter(|_| !s.in_house) {
                    // A bid is for the route as planned, on the planned vehicle type.
                    if s.fleet[r.vehicle] != Some(0) {
                        here.push(Offer {
                            route: ri,
                            supplier: si,
                            vehicle: r.vehicle,
                            price,
                            source: Source::Bid,
                        });
                    }
                } else if Some(si) == in_house {
                    for (v, vt) in sc.vehicles.iter().enumerate() {
                        if in_house_fleet[v] > 0 && fits(r, v) {
                            let p = vehicle_day(&Rates::of(vt), r.halves.iter().copied());
                            here.push(Offer {
                                route: ri,
                                supplier: si,
                                vehicle: v,
                                price: Pence((p.0 as f64 * overhead).round() as i64),
                                source: Source::InHouse,
                            });
                        }
                    }
                } else {
                    for rc in sc.rates.iter().filter(|rc| rc.operator == si) {
                        if s.fleet[rc.vehicle] != Some(0) && fits(r, rc.vehicle) {
                            here.push(Offer {
                                route: ri,
                                supplier: si,
                                vehicle: rc.vehicle,
                                price: vehicle_day(
                                    &Rates {
                                        day_rate: rc.day_rate,
                                        per_km: rc.per_km,
                                        per_min: rc.per_min,
                                    },
                                    r.halves.iter().copied(),
                                ),
                                source: Source::RateCard,
                            });
                        }
                    }
                }
                // A dearer type is never needed once a cheaper type without a fleet limit
                // is available from the same supplier.
                here.sort_by_key(|o| (o.price, o.vehicle));
                if let Some(k) = here.iter().position(|o| s.fleet[o.vehicle].is_none()) {
                    here.truncate(k + 1);
                }
                offers.extend(here);
            }
        }
        let mut bundles = Vec::new();
        for b in &sc.bundles {
            let covered: Vec<usize> = match &b.scope {
                BundleScope::School(s) => (0..routes.len())
                    .filter(|&r| routes[r].schools.contains(s))
                    .collect(),
                BundleScope::Routes(ids) => {
                    let found: Vec<usize> = ids
                        .iter()
                        .filter_map(|id| route_index.get(id.as_str()).copied())
                        .collect();
                    if found.len() < ids.len() {
                        warnings.push(format!(
                            "bundle {} names {} route(s) that are not in this plan; it cannot apply",
                            b.id,
                            ids.len() - found.len()
                        ));
                        continue;
                    }
                    found
                }
            };
            if covered.is_empty() {
                warnings.push(format!(
                    "bundle {} covers no route of this plan; it cannot apply",
                    b.id
                ));
                continue;
            }
            let priced = covered.iter().all(|&r| {
                offers
                    .iter()
                    .any(|o| o.route == r && o.supplier == b.operator)
            });
            if !priced {
                warnings.push(format!(
                    "bundle {}: operator {} has no price for every route it covers; it cannot apply",
                    b.id, sc.operators[b.operator].id
                ));
                continue;
            }
            bundles.push(TenderBundle {
                id: b.id.clone(),
                supplier: b.operator,
                routes: covered,
                discount_pct: b.discount_pct,
            });
        }
        (
            Tender {
                routes,
                suppliers,
                offers,
                bundles,
                vehicle_ids: sc.vehicles.iter().map(|v| v.id.clone()).collect(),
                max_share: sc.tender.max_share,
                min_operators: sc.tender.min_operators,
            },
            warnings,
        )
    }

    /// The most routes one operator may win under the share cap.
    pub fn share_cap(&self) -> Option<u32> {
        (self.max_share < 1.0)
            .then(|| (self.max_share * self.routes.len() as f64 + 1e-9).floor() as u32)
    }
}

/// A constraint family the award had to respect, for explanations and sensitivity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Limit {
    /// A supplier's vehicles of one type.
    Fleet {
        /// Supplier index.
        supplier: usize,
        /// Vehicle type index.
        vehicle: usize,
        /// Vehicles.
        limit: u32,
    },
    /// A supplier's total routes.
    MaxRoutes {
        /// Supplier index.
        supplier: usize,
        /// Routes.
        limit: u32,
    },
    /// The policy's share cap for one operator.
    ShareCap {
        /// Supplier index.
        supplier: usize,
        /// Routes.
        limit: u32,
    },
    /// The policy's minimum number of operators.
    MinOperators {
        /// Operators.
        limit: u32,
    },
}

impl Limit {
    /// A sentence naming the constraint.
    pub fn describe(&self, t: &Tender) -> String {
        match *self {
            Limit::Fleet {
                supplier,
                vehicle,
                limit,
            } => format!(
                "{}'s {} fleet ({limit} vehicle(s))",
                t.suppliers[supplier].id, t.vehicle_ids[vehicle]
            ),
            Limit::MaxRoutes { supplier, limit } => format!(
                "{}'s route limit (max_routes = {limit})",
                t.suppliers[supplier].id
            ),
            Limit::ShareCap { supplier, limit } => format!(
                "the share cap for {} ({:.0}% = {limit} of {} routes)",
                t.suppliers[supplier].id,
                100.0 * t.max_share,
                t.routes.len()
            ),
            Limit::MinOperators { limit } => {
                format!("the policy minimum of {limit} operator(s)")
            }
        }
    }
}

/// The winning allocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Award {
    /// The chosen offer per route.
    pub choice: Vec<usize>,
    /// Price per route per day after bundle discounts.
    pub price: Vec<Pence>,
    /// The bundle whose discount applies to each route, if any.
    pub bundle: Vec<Option<usize>>,
    /// Bundles won.
    pub bundles_won: Vec<usize>,
    /// Total per day (vehicles and drivers, after discounts).
    pub cost_per_day: Pence,
    /// Objective of the MIP, pounds per day.
    pub objective: f64,
    /// Best proven lower bound of the MIP, pounds per day.
    pub mip_bound: f64,
    /// LP-relaxation bound, pounds per day.
    pub lp_bound: f64,
    /// Proven relative gap `(objective − bound) / objective`.
    pub gap: f64,
    /// Solved to proven optimality.
    pub optimal: bool,
    /// Variables and constraints of the MIP.
    pub size: (usize, usize),
    /// Constraints at their limit in the award.
    pub binding: Vec<Limit>,
    /// Seconds for the whole solve (LP relaxation, start, MIP).
    pub seconds: f64,
}

/// Why no allocation exists.
#[derive(Debug, Clone, PartialEq)]
pub struct Infeasible {
    /// One sentence per constraint that cannot be met, with the shortfall.
    pub reasons: Vec<String>,
    /// The scenario file that sets each constraint, in step with `reasons`: operators.csv
    /// for fleets and route limits, scenario.toml for the policy, rates.csv for a route
    /// nobody prices.
    pub files: Vec<&'static str>,
}

impl Limit {
    /// The scenario file where this limit is set.
    pub fn file(&self) -> &'static str {
        match self {
            Limit::Fleet { .. } | Limit::MaxRoutes { .. } => "operators.csv",
            Limit::ShareCap { .. } | Limit::MinOperators { .. } => "scenario.toml",
        }
    }
}

impl std::fmt::Display for Infeasible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no allocation gives every route exactly one supplier: {}",
            self.reasons.join("; ")
        )
    }
}

/// Limits of a tender solve.
#[derive(Debug, Clone)]
pub struct TenderSettings {
    /// Wall-clock limit for the MIP.
    pub time_limit: Duration,
    /// Solver threads.
    pub threads: usize,
}

impl Default for TenderSettings {
    fn default() -> Self {
        TenderSettings {
            time_limit: Duration::from_secs(60),
            threads: 1,
        }
    }
}
