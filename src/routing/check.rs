//! The independent checker: given routes and their service times, recomputes every rule
//! and the cost from scratch, sharing no code with the search's evaluators.

use super::problem::{Problem, StopKind};
use std::collections::BTreeSet;

/// One route as the checker sees it.
#[derive(Debug, Clone)]
pub struct CheckedRoute {
    /// Vehicle type.
    pub vehicle: usize,
    /// Stops in order.
    pub stops: Vec<u32>,
    /// Service start times: depot departure, each stop, depot arrival.
    pub times: Vec<i64>,
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
    let mut seen = vec![0u32; p.stops.len()];
    let mut per_type = vec![0u32; p.vehicles.len()];
    for (ri, r) in routes.iter().enumerate() {
        let vt = &p.vehicles[r.vehicle];
        if r.stops.is_empty() {
            continue;
        }
        per_type[r.vehicle] += 1;
        let mut bad = |msg: String| rep.violations.push(format!("route {ri}: {msg}"));
        if r.times.len() != r.stops.len() + 2 {
            bad(format!(
                "{} times for {} stops",
                r.times.len(),
                r.stops.len()
            ));
            continue;
        }
        let jobs: BTreeSet<u32> = r.stops.iter().map(|&s| p.stops[s as usize].job).collect();
        let assistant = jobs.iter().any(|&j| p.jobs[j as usize].needs_assistant);
        let mut cap = vt.capacity;
        if assistant {
            cap[0] -= vt.assistant_seats;
        }
        for &j in &jobs {
            let job = &p.jobs[j as usize];
            if job.skills & !vt.skills != 0 {
                bad(format!("job {} needs skills the vehicle lacks", job.id));
            }
            if job.solo && jobs.len() > 1 {
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
        // Loads: deliveries from the depot are on board at the start.
        let mut load = [0i64; super::segment::DIMS];
        for &s in &r.stops {
            for (d, l) in load.iter_mut().enumerate() {
                *l += p.stops[s as usize].delivery[d] as i64;
            }
        }
        let mut pos = vec![usize::MAX; p.stops.len()];
        let mut prev_loc = vt.start;
        let mut prev_end = r.times[0];
        let mut dist = 0i64;
        if r.times[0] < vt.shift.0 {
            bad("leaves the depot before the shift starts".into());
        }
        for (i, &s) in r.stops.iter().enumerate() {
            seen[s as usize] += 1;
            pos[s as usize] = i;
            let st = &p.stops[s as usize];
            let t = r.times[i + 1];
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
        let end = r.times[r.stops.len() + 1];
        if end < prev_end + p.time(prev_loc, vt.end) {
            bad("returns to the depot earlier than possible".into());
        }
        if end > vt.shift.1 {
            bad("returns after the shift ends".into());
        }
        let duration = end - r.times[0];
        if vt.max_duration.is_some_and(|m| duration > m) {
            bad(format!("duration {duration} over the limit"));
        }
        for (i, &s) in r.stops.iter().enumerate() {
            let st = &p.stops[s as usize];
            if st.kind == StopKind::Pickup {
                let job = &p.jobs[st.job as usize];
                let d = job.stops[1] as usize;
                if pos[d] == usize::MAX || pos[d] < i {
                    bad(format!(
                        "job {}: delivery not after its pickup on the same route",
                        job.id
                    ));
                } else if let Some(limit) = job.max_ride {
                    let ride = r.times[pos[d] + 1] - (r.times[i + 1] + st.service);
                    if ride > limit {
                        bad(format!(
                            "job {}: ride {ride} over the limit {limit}",
                            job.id
                        ));
                    }
                }
            }
        }
        let cost = vt.fixed
            + vt.per_distance * dist
            + vt.per_time * duration
            + if assistant { vt.assistant_cost } else { 0 };
        rep.cost += cost;
        rep.distance += dist;
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
        let counts: Vec<u32> = job.stops.iter().map(|&s| seen[s as usize]).collect();
        let on_route = counts.iter().all(|&c| c == 1);
        let absent = counts.iter().all(|&c| c == 0);
        if !(on_route || absent) {
            rep.violations
                .push(format!("job {} visited {counts:?} times", job.id));
        }
        if absent != unassigned.contains(&(j as u32)) {
            rep.violations.push(format!(
                "job {} is neither routed nor reported unassigned exactly once",
                job.id
            ));
        }
    }
    rep
}
