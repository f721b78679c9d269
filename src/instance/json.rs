//! schoolrun's JSON problem format for the core routing model (documented in
//! `docs/problem-format.md`).

use super::{Family, Instance};
use crate::error::Code;
use crate::error::{Error, Problem as InputProblem, Result};
use crate::routing::{Job, Problem, Stop, StopKind, VehicleType};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    name: Option<String>,
    locations: Locations,
    jobs: Vec<JobSpec>,
    vehicle_types: Vec<VehicleSpec>,
    /// Trips per route (runs of a vehicle's day), 1 or 2.
    #[serde(default = "one_trip")]
    trips: usize,
    /// Cost of putting a job and its partner on different routes.
    #[serde(default)]
    split_cost: i64,
}

fn one_trip() -> usize {
    1
}

/// One part of a multi-trip job: a visit or a pickup and delivery in one trip.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartSpec {
    trip: usize,
    #[serde(default)]
    visit: Option<Place>,
    #[serde(default)]
    pickup: Option<Place>,
    #[serde(default)]
    delivery: Option<Place>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Locations {
    /// Explicit matrices.
    #[serde(default)]
    time: Option<Vec<Vec<i64>>>,
    #[serde(default)]
    distance: Option<Vec<Vec<i64>>>,
    /// Or planar coordinates with a metric and speed.
    #[serde(default)]
    coordinates: Option<Vec<[f64; 2]>>,
    #[serde(default)]
    metric: Option<String>,
    #[serde(default)]
    speed: Option<f64>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct Place {
    location: u32,
    #[serde(default)]
    window: Option<[i64; 2]>,
    #[serde(default)]
    service: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JobSpec {
    id: String,
    #[serde(default)]
    visit: Option<Place>,
    #[serde(default)]
    pickup: Option<Place>,
    #[serde(default)]
    delivery: Option<Place>,
    /// The trip of a single-part job.
    #[serde(default)]
    trip: usize,
    /// Parts in several trips (instead of visit / pickup and delivery).
    #[serde(default)]
    parts: Vec<PartSpec>,
    /// The id of a partner job (the other half of the same owner's day).
    #[serde(default)]
    partner: Option<String>,
    /// Who the job is for: jobs of one owner never conflict (solo, incompatibilities).
    #[serde(default)]
    owner: Option<String>,
    /// Load: for a visit, delivered from the depot; for a pair, carried pickup → delivery.
    #[serde(default)]
    load: Vec<i32>,
    /// For a visit: load collected and brought back to the depot.
    #[serde(default)]
    collect: Vec<i32>,
    #[serde(default)]
    max_ride: Option<i64>,
    #[serde(default)]
    skills: Vec<String>,
    #[serde(default)]
    solo: bool,
    #[serde(default)]
    incompatible: Vec<String>,
    #[serde(default)]
    needs_assistant: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VehicleSpec {
    id: String,
    capacity: Vec<i32>,
    #[serde(default)]
    fixed: i64,
    #[serde(default = "one")]
    per_distance: i64,
    #[serde(default)]
    per_time: i64,
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    start: Option<u32>,
    #[serde(default)]
    end: Option<u32>,
    #[serde(default)]
    shift: Option<[i64; 2]>,
    #[serde(default)]
    max_duration: Option<i64>,
    #[serde(default)]
    skills: Vec<String>,
    #[serde(default)]
    assistant_cost: i64,
    #[serde(default)]
    assistant_seats: i32,
}

fn one() -> i64 {
    1
}

const FAR: i64 = i64::MAX / 8;

fn dims(v: &[i32]) -> [i32; 2] {
    [
        v.first().copied().unwrap_or(0),
        v.get(1).copied().unwrap_or(0),
    ]
}

/// Parses the JSON problem format.
pub fn parse_json(path: &Path, name: &str, text: &str) -> Result<Instance> {
    let file_name = path.display().to_string();
    let err = |line: usize, value: String, expected: String| {
        Error::invalid(vec![InputProblem {
            code: Code::InstanceFormat,
            file: file_name.clone(),
            line,
            col: 0,
            column: String::new(),
            value,
            expected,
        }])
    };
    let f: File = serde_json::from_str(text).map_err(|e| {
        err(
            e.line(),
            String::new(),
            format!("a problem in schoolrun's JSON format ({e})"),
        )
    })?;
    // Every number within bounds that keep every cost sum far from overflow.
    let mut faults: Vec<String> = Vec::new();
    fn check(faults: &mut Vec<String>, what: &str, x: i64, lo: i64, hi: i64) {
        if x < lo || x > hi {
            faults.push(format!("{what} {x} (allowed: {lo} to {hi})"));
        }
    }
    for j in &f.jobs {
        if j.load.len() > 2 || j.collect.len() > 2 {
            faults.push(format!(
                "job {}: {} load dimensions (at most 2)",
                j.id,
                j.load.len().max(j.collect.len())
            ));
        }
        for &x in j.load.iter().chain(&j.collect) {
            check(
                &mut faults,
                &format!("job {} load", j.id),
                x as i64,
                0,
                1_000_000,
            );
        }
        for pl in [&j.visit, &j.pickup, &j.delivery]
            .into_iter()
            .flatten()
            .chain(
                j.parts
                    .iter()
                    .flat_map(|p| [&p.visit, &p.pickup, &p.delivery].into_iter().flatten()),
            )
        {
            check(
                &mut faults,
                &format!("job {} service", j.id),
                pl.service,
                0,
                1_000_000_000,
            );
            if let Some([a, b]) = pl.window {
                check(
                    &mut faults,
                    &format!("job {} window", j.id),
                    a,
                    0,
                    1_000_000_000_000,
                );
                check(
                    &mut faults,
                    &format!("job {} window", j.id),
                    b,
                    0,
                    1_000_000_000_000,
                );
            }
        }
        if let Some(m) = j.max_ride {
            check(
                &mut faults,
                &format!("job {} max_ride", j.id),
                m,
                0,
                1_000_000_000_000,
            );
        }
    }
    for v in &f.vehicle_types {
        if v.capacity.len() > 2 {
            faults.push(format!(
                "vehicle type {}: {} capacity dimensions (at most 2)",
                v.id,
                v.capacity.len()
            ));
        }
        for &c in &v.capacity {
            check(
                &mut faults,
                &format!("vehicle type {} capacity", v.id),
                c as i64,
                0,
                1_000_000,
            );
        }
        check(
            &mut faults,
            &format!("vehicle type {} fixed", v.id),
            v.fixed,
            0,
            1_000_000_000_000,
        );
        check(
            &mut faults,
            &format!("vehicle type {} per_distance", v.id),
            v.per_distance,
            0,
            10_000,
        );
        check(
            &mut faults,
            &format!("vehicle type {} per_time", v.id),
            v.per_time,
            0,
            10_000,
        );
        check(
            &mut faults,
            &format!("vehicle type {} assistant_cost", v.id),
            v.assistant_cost,
            0,
            1_000_000_000_000,
        );
        check(
            &mut faults,
            &format!("vehicle type {} assistant_seats", v.id),
            v.assistant_seats as i64,
            0,
            1_000,
        );
        if let Some(m) = v.max_duration {
            check(
                &mut faults,
                &format!("vehicle type {} max_duration", v.id),
                m,
                0,
                1_000_000_000_000,
            );
        }
    }
    check(
        &mut faults,
        "split_cost",
        f.split_cost,
        0,
        1_000_000_000_000,
    );
    let far = crate::routing::problem::FAR;
    for m in [&f.locations.distance, &f.locations.time]
        .into_iter()
        .flatten()
    {
        if let Some(x) = m.iter().flatten().find(|&&x| !(0..=far).contains(&x)) {
            faults.push(format!(
                "a travel time or distance {x} (allowed: 0 to {far})"
            ));
        }
    }
    if let Some(c) = &f.locations.coordinates {
        if c.iter().flatten().any(|x| !x.is_finite() || x.abs() > 1e7) {
            faults.push("a coordinate that is not a finite number within ±10,000,000".into());
        }
        if c.len() > super::MAX_NODES {
            faults.push(format!(
                "{} locations (at most {})",
                c.len(),
                super::MAX_NODES
            ));
        }
    }
    if let Some(d) = &f.locations.distance
        && d.len() > super::MAX_NODES
    {
        faults.push(format!(
            "{} locations (at most {})",
            d.len(),
            super::MAX_NODES
        ));
    }
    if !faults.is_empty() {
        return Err(Error::invalid(
            faults
                .into_iter()
                .map(|fault| InputProblem {
                    code: Code::InstanceFormat,
                    file: file_name.clone(),
                    line: 0,
                    col: 0,
                    column: String::new(),
                    value: fault,
                    expected: "values within the format's bounds (docs/problem-format.md)".into(),
                })
                .collect(),
        ));
    }
    let (n, dist, time, coords) = match (
        &f.locations.distance,
        &f.locations.time,
        &f.locations.coordinates,
    ) {
        (Some(d), t, None) => {
            let n = d.len();
            let t = t.as_ref().unwrap_or(d);
            if d.iter().any(|r| r.len() != n) || t.len() != n || t.iter().any(|r| r.len() != n) {
                return Err(err(
                    0,
                    format!("{n} rows"),
                    "square distance and time matrices of the same size".into(),
                ));
            }
            (n, d.concat(), t.concat(), Vec::new())
        }
        (None, None, Some(c)) => {
            let manhattan = match f.locations.metric.as_deref().unwrap_or("euclidean") {
                "euclidean" => false,
                "manhattan" => true,
                other => {
                    return Err(err(
                        0,
                        other.into(),
                        "metric \"euclidean\" or \"manhattan\"".into(),
                    ));
                }
            };
            let speed = f.locations.speed.unwrap_or(1.0);
            if speed.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return Err(err(0, format!("{speed}"), "a positive speed".into()));
            }
            let n = c.len();
            let mut d = vec![0i64; n * n];
            let mut t = vec![0i64; n * n];
            for i in 0..n {
                for j in 0..n {
                    let (dx, dy) = (c[i][0] - c[j][0], c[i][1] - c[j][1]);
                    let x = if manhattan {
                        dx.abs() + dy.abs()
                    } else {
                        (dx * dx + dy * dy).sqrt()
                    };
                    d[i * n + j] = x.round() as i64;
                    t[i * n + j] = (x / speed).ceil() as i64;
                }
            }
            (n, d, t, c.iter().map(|p| (p[0], p[1])).collect())
        }
        _ => {
            return Err(err(
                0,
                String::new(),
                "locations with either distance (and optional time) matrices or coordinates".into(),
            ));
        }
    };
    let mut skill_bits: BTreeMap<String, u64> = BTreeMap::new();
    let mut bits = |names: &[String]| -> Result<u64> {
        let mut m = 0u64;
        for s in names {
            let next = skill_bits.len() as u64;
            let b = *skill_bits.entry(s.clone()).or_insert(next);
            if b >= 64 {
                return Err(err(0, s.clone(), "at most 64 distinct skills".into()));
            }
            m |= 1 << b;
        }
        Ok(m)
    };
    let ids: BTreeMap<&str, u32> = f
        .jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.id.as_str(), i as u32))
        .collect();
    if ids.len() != f.jobs.len() {
        return Err(err(0, String::new(), "unique job ids".into()));
    }
    let check_loc = |l: u32| -> Result<u32> {
        if (l as usize) < n {
            Ok(l)
        } else {
            Err(err(0, l.to_string(), format!("a location index below {n}")))
        }
    };
    if !(1..=crate::routing::MAX_TRIPS).contains(&f.trips) {
        return Err(err(
            0,
            f.trips.to_string(),
            format!("trips from 1 to {}", crate::routing::MAX_TRIPS),
        ));
    }
    let mut owners: BTreeMap<String, u32> = BTreeMap::new();
    let mut stops = Vec::new();
    let mut jobs = Vec::new();
    for (ji, js) in f.jobs.iter().enumerate() {
        let j = ji as u32;
        let place_stop = |pl: &Place,
                          kind: StopKind,
                          delivery: [i32; 2],
                          pickup: [i32; 2],
                          trip: usize|
         -> Result<Stop> {
            let w = pl.window.unwrap_or([0, FAR]);
            if w[0] > w[1] || w[0] < 0 || pl.service < 0 {
                return Err(err(
                    0,
                    js.id.clone(),
                    "a window [earliest, latest] with 0 ≤ earliest ≤ latest and a service time ≥ 0"
                        .into(),
                ));
            }
            if trip >= f.trips {
                return Err(err(0, js.id.clone(), format!("a trip below {}", f.trips)));
            }
            Ok(Stop {
                loc: check_loc(pl.location)?,
                early: w[0],
                late: w[1],
                service: pl.service,
                delivery,
                pickup,
                job: j,
                kind,
                trip: trip as u8,
            })
        };
        let q = dims(&js.load);
        if q.iter().chain(dims(&js.collect).iter()).any(|&x| x < 0) {
            return Err(err(0, js.id.clone(), "loads of 0 or more".into()));
        }
        let mut job_stops = Vec::new();
        let mut parts = [None; crate::routing::MAX_TRIPS];
        // Per part: (trip, visit, pickup, delivery).
        type PartSpec<'a> = (
            usize,
            Option<&'a Place>,
            Option<&'a Place>,
            Option<&'a Place>,
        );
        let spec: Vec<PartSpec> = if js.parts.is_empty() {
            vec![(
                js.trip,
                js.visit.as_ref(),
                js.pickup.as_ref(),
                js.delivery.as_ref(),
            )]
        } else if js.visit.is_none() && js.pickup.is_none() && js.delivery.is_none() {
            js.parts
                .iter()
                .map(|ps| {
                    (
                        ps.trip,
                        ps.visit.as_ref(),
                        ps.pickup.as_ref(),
                        ps.delivery.as_ref(),
                    )
                })
                .collect()
        } else {
            return Err(err(
                0,
                js.id.clone(),
                "either parts or visit/pickup/delivery, not both".into(),
            ));
        };
        for (trip, visit, pickup, delivery) in spec {
            let first = stops.len() as u32;
            let part = match (visit, pickup, delivery) {
                (Some(v), None, None) => {
                    stops.push(place_stop(v, StopKind::Visit, q, dims(&js.collect), trip)?);
                    crate::routing::Part { first, last: first }
                }
                (None, Some(pk), Some(dl)) => {
                    stops.push(place_stop(pk, StopKind::Pickup, [0, 0], q, trip)?);
                    stops.push(place_stop(
                        dl,
                        StopKind::Delivery,
                        [0, 0],
                        [-q[0], -q[1]],
                        trip,
                    )?);
                    crate::routing::Part {
                        first,
                        last: first + 1,
                    }
                }
                _ => {
                    return Err(err(
                        0,
                        js.id.clone(),
                        "a job (or part) with either \"visit\" or both \"pickup\" and \"delivery\""
                            .into(),
                    ));
                }
            };
            if parts.get(trip).is_none_or(|x: &Option<_>| x.is_some()) {
                return Err(err(0, js.id.clone(), "at most one part per trip".into()));
            }
            parts[trip] = Some(part);
            job_stops.extend(first..stops.len() as u32);
        }
        let mut incompatible = Vec::new();
        for o in &js.incompatible {
            match ids.get(o.as_str()) {
                Some(&k) => incompatible.push(k),
                None => {
                    return Err(err(
                        0,
                        o.clone(),
                        format!("a job id (in \"incompatible\" of job {})", js.id),
                    ));
                }
            }
        }
        let partner = match &js.partner {
            Some(o) => match ids.get(o.as_str()) {
                Some(&k) if k != j => Some(k),
                _ => {
                    return Err(err(
                        0,
                        o.clone(),
                        format!("another job's id (in \"partner\" of job {})", js.id),
                    ));
                }
            },
            None => None,
        };
        let next = owners.len() as u32 + f.jobs.len() as u32;
        let owner = match &js.owner {
            Some(o) => *owners.entry(o.clone()).or_insert(next),
            None => j,
        };
        if js.max_ride.is_some_and(|m| m < 0) {
            return Err(err(0, js.id.clone(), "a max_ride of 0 or more".into()));
        }
        jobs.push(Job {
            id: js.id.clone(),
            stops: job_stops,
            parts,
            max_ride: js.max_ride,
            skills: bits(&js.skills)?,
            solo: js.solo,
            incompatible,
            needs_assistant: js.needs_assistant,
            owner,
            partner,
        });
    }
    // Partners are mutual.
    for a in 0..jobs.len() {
        if let Some(b) = jobs[a].partner {
            match jobs[b as usize].partner {
                None => jobs[b as usize].partner = Some(a as u32),
                Some(c) if c as usize == a => {}
                Some(_) => {
                    return Err(err(
                        0,
                        jobs[a].id.clone(),
                        "a partner that is partnered with this job only".into(),
                    ));
                }
            }
        }
    }
    // Incompatibility is symmetric.
    for a in 0..jobs.len() {
        for b in jobs[a].incompatible.clone() {
            if !jobs[b as usize].incompatible.contains(&(a as u32)) {
                jobs[b as usize].incompatible.push(a as u32);
            }
        }
    }
    for j in &mut jobs {
        j.incompatible.sort_unstable();
        j.incompatible.dedup();
    }
    let anywhere = n as u32;
    let mut vehicles = Vec::new();
    for v in &f.vehicle_types {
        let shift = v.shift.unwrap_or([0, FAR]);
        vehicles.push(VehicleType {
            id: v.id.clone(),
            capacity: dims(&v.capacity),
            fixed: v.fixed,
            per_distance: v.per_distance,
            per_time: v.per_time,
            count: v.count,
            start: match v.start {
                Some(l) => check_loc(l)?,
                None => anywhere,
            },
            end: match v.end {
                Some(l) => check_loc(l)?,
                None => anywhere,
            },
            shift: (shift[0], shift[1]),
            max_duration: v.max_duration,
            skills: bits(&v.skills)?,
            assistant_cost: v.assistant_cost,
            assistant_seats: v.assistant_seats,
        });
    }
    if vehicles.is_empty() {
        return Err(err(0, String::new(), "at least one vehicle type".into()));
    }
    let name = f.name.unwrap_or_else(|| name.to_string());
    let travel = crate::routing::Travel::new(n, &dist, &time)
        .map_err(|e| err(0, String::new(), format!("valid matrices ({e})")))?;
    let problem = Problem::new(
        name.clone(),
        std::sync::Arc::new(travel),
        stops,
        jobs,
        vehicles,
        f.trips,
        1.0,
    )
    .with_split_cost(f.split_cost);
    let job_numbers = (1..=problem.jobs.len() as u32).collect();
    Ok(Instance {
        name,
        family: Family::Json,
        problem,
        coords,
        job_numbers,
    })
}
