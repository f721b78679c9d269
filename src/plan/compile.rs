//! The SEN compiler: a scenario's pupils, schools and fleet as one routing problem of the
//! school day. Each routed pupil travels twice — home → school in the morning (arriving
//! inside the school's window) and school → home in the afternoon (leaving at the
//! finishing time), each within the pupil's ride limit — and a vehicle's route is its day
//! (trip 0 the morning, trip 1 the afternoon) under one day rate.
//!
//! Continuity decides how the two journeys are linked: under `same_vehicle` they are one
//! job with a part in each trip (the vehicle and assistant that bring a pupil take them
//! home, by construction); under `cost` and `free` they are two partner jobs, a split
//! costing `continuity_cost_per_pupil` (or nothing).
//!
//! The assistant rule is per day: a route carrying any pupil who needs an assistant, in
//! either half, has one all day, paid once and seated on every run. A council contracts
//! the assistant for the vehicle's day, and continuity promises a pupil the same adult
//! both ways.

use super::Locations;
use super::model::Reason;
use crate::matrix::Matrix;
use crate::routing::{self, Job, MAX_TRIPS, Part, Problem, Stop, StopKind, Travel, VehicleType};
use crate::scenario::{Continuity, Mode, Pupil, Scenario};
use std::sync::Arc;

/// Cost units per penny: makes per-km (× 6 per metre), per-minute (× 100 per second) and
/// day-rate prices exact integers.
pub const UNITS_PER_PENNY: i64 = 6_000;

/// How long pupils may wait at school for the afternoon vehicle after the bell (s).
pub const PM_MAX_WAIT_S: i64 = 20 * 60;

/// Trip of the morning and of the afternoon.
pub const AM: usize = 0;
/// Trip of the afternoon.
pub const PM: usize = 1;

/// The travel data of a network matrix: seconds (rounded up) and metres, shared by
/// every problem compiled from it.
pub fn travel(m: &Matrix) -> Arc<Travel> {
    let n = m.rows();
    Arc::new(Travel::from_fn(n, |i, j| {
        (
            m.distance_m(i, j)
                .map_or(routing::problem::FAR, |d| d as i64),
            m.time_ms(i, j)
                .map_or(routing::problem::FAR, |t| (t as i64 + 999) / 1000),
        )
    }))
}

/// Which journeys of a pupil a job covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journeys {
    /// Both: home → school and school → home (continuity `same_vehicle`).
    Day,
    /// Home → school only.
    Morning,
    /// School → home only.
    Afternoon,
}

/// The compiled day problem and how its parts map back to the scenario.
pub struct Compiled {
    /// The routing problem.
    pub problem: Problem,
    /// Scenario pupil index of each job.
    pub pupil_of_job: Vec<usize>,
    /// What each job covers.
    pub journeys: Vec<Journeys>,
    /// Pupils left out before solving, with the reason and its specifics.
    pub excluded: Vec<(usize, Reason, String)>,
}

impl Compiled {
    /// The jobs of each pupil (one or two), by pupil index.
    pub fn jobs_of_pupil(&self, pupils: usize) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); pupils];
        for (j, &i) in self.pupil_of_job.iter().enumerate() {
            out[i].push(j as u32);
        }
        out
    }
}

pub(crate) fn boarding_s(sc: &Scenario, p: &Pupil) -> i64 {
    60 * if p.wheelchair {
        sc.policy.wheelchair_boarding_min
    } else {
        sc.policy.boarding_min
    } as i64
}

/// The routing problem's vehicle types for a scenario: day rate as the fixed cost, per-km
/// and per-minute prices on each trip, the assistant's day cost, open trips.
pub fn vehicle_types(sc: &Scenario, anywhere: u32) -> Vec<VehicleType> {
    sc.vehicles
        .iter()
        .map(|v| VehicleType {
            id: v.id.clone(),
            capacity: [v.seats as i32, v.wheelchair_spaces as i32],
            fixed: v.day_rate.0 * UNITS_PER_PENNY,
            per_distance: v.per_km.0 * UNITS_PER_PENNY / 1000,
            per_time: v.per_min.0 * UNITS_PER_PENNY / 60,
            count: v.available,
            start: anywhere,
            end: anywhere,
            shift: (0, 24 * 3600),
            max_duration: None,
            skills: 0,
            assistant_cost: sc.policy.assistant_day_cost.0 * UNITS_PER_PENNY,
            assistant_seats: 1,
        })
        .collect()
}

/// One journey as a part: (pickup location, earliest, latest), (delivery …).
struct Leg {
    from: (u32, i64, i64),
    to: (u32, i64, i64),
}

fn minutes(s: i64) -> String {
    let m = s as f64 / 60.0;
    if m.fract().abs() < 0.05 {
        format!("{m:.0} min")
    } else {
        format!("{m:.1} min")
    }
}

/// The reason a pupil cannot be routed before any search, if there is one.
fn exclusion(
    sc: &Scenario,
    travel: &Travel,
    loc: &Locations,
    i: usize,
) -> Option<(Reason, String)> {
    let p = &sc.pupils[i];
    match p.mode {
        Mode::Route => {}
        Mode::Ptb => return Some((Reason::ModePtb, String::new())),
        Mode::Itt => return Some((Reason::ModeItt, String::new())),
        Mode::Other => return Some((Reason::ModeOther, String::new())),
    }
    if !sc.vehicles.iter().any(|v| v.can_carry(p)) {
        return Some((Reason::NoVehicleFits, String::new()));
    }
    let (h, s) = (loc.home[i] as u32, loc.school[p.school] as u32);
    let limit = p.ride_limit_s(&sc.policy);
    for (direct, dir) in [
        (travel.time(h, s), "home → school"),
        (travel.time(s, h), "school → home"),
    ] {
        if direct > limit {
            return Some((
                Reason::RideLimitUnreachable,
                format!(
                    "{dir}: the direct trip takes {}, the limit is {}",
                    minutes(direct),
                    minutes(limit)
                ),
            ));
        }
    }
    let school = &sc.schools[p.school];
    let board = boarding_s(sc, p);
    let (e, l) = (
        school.am_arrive_earliest.seconds(),
        school.am_arrive_latest.seconds(),
    );
    if l - travel.time(h, s) - board < (e - limit - board).max(0) {
        return Some((
            Reason::SchoolWindowUnreachable,
            format!("arrival by {} cannot be met", school.am_arrive_latest),
        ));
    }
    None
}

/// The two journeys of a routed pupil, with windows tightened by the ride limit (Cordeau
/// 2006): in the morning the pickup must allow arrival inside the school's window within
/// the limit; in the afternoon the pupil is collected from the bell (waiting at most
/// [`PM_MAX_WAIT_S`]) and must be home within the limit.
fn legs(sc: &Scenario, travel: &Travel, loc: &Locations, i: usize) -> [Leg; 2] {
    let p = &sc.pupils[i];
    let school = &sc.schools[p.school];
    let (h, s) = (loc.home[i] as u32, loc.school[p.school] as u32);
    let limit = p.ride_limit_s(&sc.policy);
    let board = boarding_s(sc, p);
    let (e, l) = (
        school.am_arrive_earliest.seconds(),
        school.am_arrive_latest.seconds(),
    );
    let depart = school.pm_depart.seconds();
    [
        Leg {
            from: (h, (e - limit - board).max(0), l - travel.time(h, s) - board),
            to: (s, e, l),
        },
        Leg {
            from: (s, depart, depart + PM_MAX_WAIT_S),
            to: (
                h,
                depart + board + travel.time(s, h),
                depart + PM_MAX_WAIT_S + board + limit,
            ),
        },
    ]
}

/// Compiles the school day of a scenario under its continuity policy.
pub fn compile(sc: &Scenario, travel: &Arc<Travel>, loc: &Locations) -> Compiled {
    compile_with(sc, travel, loc, sc.policy.continuity)
}

/// [`compile`] under a given continuity rule.
pub fn compile_with(
    sc: &Scenario,
    travel: &Arc<Travel>,
    loc: &Locations,
    continuity: Continuity,
) -> Compiled {
    let mut stops: Vec<Stop> = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    let mut pupil_of_job = Vec::new();
    let mut journeys = Vec::new();
    let mut excluded = Vec::new();
    let mut jobs_of: Vec<Vec<u32>> = vec![Vec::new(); sc.pupils.len()];
    for (i, p) in sc.pupils.iter().enumerate() {
        if let Some((reason, detail)) = exclusion(sc, travel, loc, i) {
            excluded.push((i, reason, detail));
            continue;
        }
        let legs = legs(sc, travel, loc, i);
        let board = boarding_s(sc, p);
        let q = [i32::from(!p.wheelchair), i32::from(p.wheelchair)];
        let part = |stops: &mut Vec<Stop>, job: u32, trip: usize, leg: &Leg| -> Part {
            let first = stops.len() as u32;
            for ((loc, early, late), kind, pickup) in [
                (leg.from, StopKind::Pickup, q),
                (leg.to, StopKind::Delivery, [-q[0], -q[1]]),
            ] {
                stops.push(Stop {
                    loc,
                    early,
                    late,
                    service: board,
                    delivery: [0, 0],
                    pickup,
                    job,
                    kind,
                    trip: trip as u8,
                });
            }
            Part {
                first,
                last: first + 1,
            }
        };
        let limit = p.ride_limit_s(&sc.policy);
        let new_job = |jobs: &mut Vec<Job>, parts: [Option<Part>; MAX_TRIPS], stops: Vec<u32>| {
            let j = jobs.len() as u32;
            jobs.push(Job {
                id: p.id.clone(),
                stops,
                parts,
                max_ride: Some(limit),
                skills: 0,
                solo: p.solo,
                incompatible: Vec::new(),
                needs_assistant: p.needs_assistant,
                owner: i as u32,
                partner: None,
            });
            j
        };
        match continuity {
            Continuity::SameVehicle => {
                let j = jobs.len() as u32;
                let am = part(&mut stops, j, AM, &legs[0]);
                let pm = part(&mut stops, j, PM, &legs[1]);
                new_job(
                    &mut jobs,
                    [Some(am), Some(pm)],
                    vec![am.first, am.last, pm.first, pm.last],
                );
                pupil_of_job.push(i);
                journeys.push(Journeys::Day);
                jobs_of[i].push(j);
            }
            Continuity::Cost | Continuity::Free => {
                let ja = jobs.len() as u32;
                let am = part(&mut stops, ja, AM, &legs[0]);
                new_job(&mut jobs, [Some(am), None], vec![am.first, am.last]);
                let jp = jobs.len() as u32;
                let pm = part(&mut stops, jp, PM, &legs[1]);
                new_job(&mut jobs, [None, Some(pm)], vec![pm.first, pm.last]);
                jobs[ja as usize].partner = Some(jp);
                jobs[jp as usize].partner = Some(ja);
                pupil_of_job.extend([i, i]);
                journeys.extend([Journeys::Morning, Journeys::Afternoon]);
                jobs_of[i].extend([ja, jp]);
            }
        }
    }
    for (j, &i) in pupil_of_job.iter().enumerate() {
        let mut inc: Vec<u32> = sc.pupils[i]
            .incompatible_with
            .iter()
            .flat_map(|&o| jobs_of[o].iter().copied())
            .collect();
        inc.sort_unstable();
        jobs[j].incompatible = inc;
    }
    let vehicles = vehicle_types(sc, travel.anywhere());
    let split = match continuity {
        Continuity::Cost => sc.policy.continuity_cost_per_pupil.0 * UNITS_PER_PENNY,
        _ => 0,
    };
    let problem = Problem::new(
        sc.name.clone(),
        Arc::clone(travel),
        stops,
        jobs,
        vehicles,
        2,
        UNITS_PER_PENNY as f64,
    )
    .with_split_cost(split);
    Compiled {
        problem,
        pupil_of_job,
        journeys,
        excluded,
    }
}
