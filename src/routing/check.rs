//! The independent checker: given routes, their trips and service times, recomputes every
//! rule and the cost from scratch, sharing no code with the search's evaluators.

use super::problem::{Problem, StopKind};
use std::collections::{BTreeMap, BTreeSet};

/// One trip as the checker sees it.
#[derive(Debug, Clone, Default)]
pub struct CheckedTrip {
    /// Stops in order.
    pub stops: Vec<u32>,
    /// Service start times: depot departure, each stop, depot arrival (empty trips: none).
    pub times: Vec<i64>,
}

/// One route (vehicle-day) as the checker sees it.
#[derive(Debug, Clone)]
pub struct CheckedRoute {
    /// Vehicle type.
    pub vehicle: usize,
    /// Trips of the day.
    pub trips: Vec<CheckedTrip>,
}

/// What the checker found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every broken rule, in words.
    pub violations: Vec<String>,
    /// Recomputed total cost (routes only).
    pub cost: i64,
    /// Recomputed total distance.
    pub distance: i64,
    /// Partner jobs on different routes.
    pub splits: usize,
}

impl Report {
    /// No rule broken.
    pub fn ok(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Checks routes against every rule of the problem. `unassigned` jobs must be exactly
/// those on no route.
pub fn check(p: &Problem, routes: &[CheckedRoute], unassigned: &[u32]) -> Report {
    let mut rep = Report::default();
    // Where each stop was seen: (route, trip, position).
    let mut seen: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); p.stops.len()];
    let mut per_type = vec![0u32; p.vehicles.len()];
    let mut route_of_job: BTreeMap<u32, usize> = BTreeMap::new();
    for (ri, r) in routes.iter().enumerate() {
        if r.trips.iter().all(|t| t.stops.is_empty()) {
            continue;
        }
        let mut bad = |msg: String| rep.violations.push(format!("route {ri}: {msg}"));
        if r.vehicle >= p.vehicles.len() {
            bad(format!("unknown vehicle type {}", r.vehicle));
            continue;
        }
        if r.trips.len() > p.trips {
            bad(format!(
                "{} trips, the problem has {}",
                r.trips.len(),
                p.trips
            ));
            continue;
        }
        let vt = &p.vehicles[r.vehicle];
        per_type[r.vehicle] += 1;
        let jobs: BTreeSet<u32> = r
            .trips
            .iter()
            .flat_map(|t| t.stops.iter())
            .map(|&s| p.stops[s as usize].job)
            .collect();
        for &j in &jobs {
            route_of_job.insert(j, ri);
        }
        let assistant = jobs.iter().any(|&j| p.jobs[j as usize].needs_assistant);
        let mut cap = vt.capacity;
        if assistant {
            cap[0] -= vt.assistant_seats;
        }
        let owners: BTreeSet<u32> = jobs.iter().map(|&j| p.jobs[j as usize].owner).collect();
        for &j in &jobs {
            let job = &p.jobs[j as usize];
            if job.skills & !vt.skills != 0 {
                bad(format!("job {} needs skills the vehicle lacks", job.id));
            }
            if job.solo && owners.len() > 1 {
                bad(format!("solo job {} shares the vehicle", job.id));
            }
            for &o in &job.incompatible {
                if jobs.contains(&o) && j < o {
                    bad(format!(
                        "incompatible jobs {} and {} share the vehicle",
                        job.id, p.jobs[o as usize].id
                    ));
                }
            }
        }
        let mut variable = 0i64;
        for (ti, trip) in r.trips.iter().enumerate() {
            if trip.stops.is_empty() {
                continue;
            }
            if trip.times.len() != trip.stops.len() + 2 {
                bad(format!(
                    "trip {ti}: {} times for {} stops",
                    trip.times.len(),
                    trip.stops.len()
                ));
                continue;
            }
            // Loads: deliveries from the depot are on board at the start.
            let mut load = [0i64; super::segment::DIMS];
            for &s in &trip.stops {
                for (d, l) in load.iter_mut().enumerate() {
                    *l += p.stops[s as usize].delivery[d] as i64;
                }
            }
            let mut prev_loc = vt.start;
            let mut prev_end = trip.times[0];
            let mut dist = 0i64;
            if trip.times[0] < vt.shift.0 {
                bad(format!("trip {ti}: leaves before the shift starts"));
            }
            for (i, &s) in trip.stops.iter().enumerate() {
                seen[s as usize].push((ri, ti, i));
                let st = &p.stops[s as usize];
                if st.trip as usize != ti {
                    bad(format!(
                        "stop {s} belongs to trip {}, found in trip {ti}",
                        st.trip
                    ));
                }
                let t = trip.times[i + 1];
                if t < prev_end + p.time(prev_loc, st.loc) {
                    bad(format!(
                        "stop {s} starts at {t} before the vehicle can get there"
                    ));
                }
                if t < st.early || t > st.late {
                    bad(format!(
                        "stop {s} starts at {t}, outside [{}, {}]",
                        st.early, st.late
                    ));
                }
                dist += p.dist(prev_loc, st.loc);
                for (d, l) in load.iter_mut().enumerate() {
                    *l += st.pickup[d] as i64 - st.delivery[d] as i64;
                    if *l > cap[d] as i64 {
                        bad(format!(
                            "load {l} over capacity {} in dimension {d} after stop {s}",
                            cap[d]
                        ));
                    }
                    if *l < 0 {
                        bad(format!("negative load after stop {s}"));
                    }
                }
                prev_loc = st.loc;
                prev_end = t + st.service;
            }
            dist += p.dist(prev_loc, vt.end);
            let end = trip.times[trip.stops.len() + 1];
            if end < prev_end + p.time(prev_loc, vt.end) {
                bad(format!("trip {ti}: returns earlier than possible"));
            }
            if end > vt.shift.1 {
                bad(format!("trip {ti}: returns after the shift ends"));
            }
            let duration = end - trip.times[0];
            if vt.max_duration.is_some_and(|m| duration > m) {
                bad(format!("trip {ti}: duration {duration} over the limit"));
            }
            variable += vt.per_distance * dist + vt.per_time * duration;
            rep.distance += dist;
        }
        rep.cost += vt.fixed + variable + if assistant { vt.assistant_cost } else { 0 };
    }
    // Pairs: same route and trip, delivery after pickup, ride within the limit.
    for (ri, r) in routes.iter().enumerate() {
        for (ti, trip) in r.trips.iter().enumerate() {
            for (i, &s) in trip.stops.iter().enumerate() {
                let st = &p.stops[s as usize];
                if st.kind != StopKind::Pickup {
                    continue;
                }
                let job = &p.jobs[st.job as usize];
                let Some(part) = job.parts.get(ti).copied().flatten() else {
                    continue;
                };
                let d = part.last as usize;
                let at = seen[d].iter().find(|x| x.0 == ri && x.1 == ti).map(|x| x.2);
                match at {
                    Some(pos) if pos > i && trip.times.len() == trip.stops.len() + 2 => {
                        if let Some(limit) = job.max_ride {
                            let ride = trip.times[pos + 1] - (trip.times[i + 1] + st.service);
                            if ride > limit {
                                rep.violations.push(format!(
                                    "route {ri}: job {}: ride {ride} over the limit {limit}",
                                    job.id
                                ));
                            }
                        }
                    }
                    Some(_) if trip.times.len() != trip.stops.len() + 2 => {}
                    _ => rep.violations.push(format!(
                        "route {ri}: job {}: delivery not after its pickup in the same trip",
                        job.id
                    )),
                }
            }
        }
    }
    for (v, &n) in per_type.iter().enumerate() {
        if p.vehicles[v].count.is_some_and(|c| n > c) {
            rep.violations.push(format!(
                "{n} vehicles of type {} used, {} available",
                p.vehicles[v].id,
                p.vehicles[v].count.unwrap_or(0)
            ));
        }
    }
    let unassigned: BTreeSet<u32> = unassigned.iter().copied().collect();
    for (j, job) in p.jobs.iter().enumerate() {
        let counts: Vec<usize> = job.stops.iter().map(|&s| seen[s as usize].len()).collect();
        let on_route = counts.iter().all(|&c| c == 1)
            && job
                .stops
                .iter()
                .all(|&s| seen[s as usize][0].0 == seen[job.stops[0] as usize][0].0);
        let absent = counts.iter().all(|&c| c == 0);
        if !(on_route || absent) {
            rep.violations.push(format!(
                "job {}: its stops are visited {counts:?} times, or on different routes",
                job.id
            ));
        }
        if absent != unassigned.contains(&(j as u32)) {
            rep.violations.push(format!(
                "job {} is neither routed nor reported unassigned exactly once",
                job.id
            ));
        }
        if let Some(q) = job.partner
            && (q as usize) > j
            && let (Some(a), Some(b)) = (route_of_job.get(&(j as u32)), route_of_job.get(&q))
            && a != b
        {
            rep.splits += 1;
        }
    }
    rep
}
