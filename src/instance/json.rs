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
    let mut stops = Vec::new();
    let mut jobs = Vec::new();
    for (ji, js) in f.jobs.iter().enumerate() {
        let j = ji as u32;
        let place_stop =
            |pl: &Place, kind: StopKind, delivery: [i32; 2], pickup: [i32; 2]| -> Result<Stop> {
                let w = pl.window.unwrap_or([0, FAR]);
                if w[0] > w[1] {
                    return Err(err(
                        0,
                        js.id.clone(),
                        "a window [earliest, latest] with earliest ≤ latest".into(),
                    ));
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
                })
            };
        let first = stops.len() as u32;
        let job_stops = match (&js.visit, &js.pickup, &js.delivery) {
            (Some(v), None, None) => {
                stops.push(place_stop(
                    v,
                    StopKind::Visit,
                    dims(&js.load),
                    dims(&js.collect),
                )?);
                vec![first]
            }
            (None, Some(pk), Some(dl)) => {
                let q = dims(&js.load);
                stops.push(place_stop(pk, StopKind::Pickup, [0, 0], q)?);
                stops.push(place_stop(dl, StopKind::Delivery, [0, 0], [-q[0], -q[1]])?);
                vec![first, first + 1]
            }
            _ => {
                return Err(err(
                    0,
                    js.id.clone(),
                    "a job with either \"visit\" or both \"pickup\" and \"delivery\"".into(),
                ));
            }
        };
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
        jobs.push(Job {
            id: js.id.clone(),
            stops: job_stops,
            max_ride: js.max_ride,
            skills: bits(&js.skills)?,
            solo: js.solo,
            incompatible,
            needs_assistant: js.needs_assistant,
        });
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
    let problem = Problem::new(name.clone(), n, &dist, &time, stops, jobs, vehicles, 1.0);
    let job_numbers = (1..=problem.jobs.len() as u32).collect();
    Ok(Instance {
        name,
        family: Family::Json,
        problem,
        coords,
        job_numbers,
    })
}
