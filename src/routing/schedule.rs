//! Exact timing of one route with maximum ride times: Cordeau & Laporte's (2003) scheme —
//! start as early as possible, delay the start by the forward time slack, then delay each
//! pickup by its ride-aware slack — which finds a schedule meeting every window and ride
//! limit whenever the simple forward pass cannot.

use super::problem::{Problem, StopKind};

/// Service start times of a route: `times[0]` = departure from the start depot,
/// `times[1..=k]` the stops, `times[k + 1]` = arrival at the end depot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Start times, depots included.
    pub times: Vec<i64>,
}

struct Seq<'a> {
    p: &'a Problem,
    locs: Vec<u32>,
    early: Vec<i64>,
    late: Vec<i64>,
    service: Vec<i64>,
    /// For each position holding a pickup with a ride limit: (delivery position, limit).
    ride: Vec<Option<(usize, i64)>>,
}

impl Seq<'_> {
    fn forward(&self, b: &mut [i64], from: usize) {
        for i in from + 1..b.len() {
            let arrive =
                b[i - 1] + self.service[i - 1] + self.p.time(self.locs[i - 1], self.locs[i]);
            b[i] = arrive.max(self.early[i]);
        }
    }
    fn wait(&self, b: &[i64], i: usize) -> i64 {
        let arrive = b[i - 1] + self.service[i - 1] + self.p.time(self.locs[i - 1], self.locs[i]);
        b[i] - arrive
    }
    fn ride_time(&self, b: &[i64], pickup: usize, delivery: usize) -> i64 {
        b[delivery] - (b[pickup] + self.service[pickup])
    }
    /// Forward time slack at `j`, counting ride limits of pairs whose pickup is before `j`.
    fn slack(&self, b: &[i64], j: usize) -> i64 {
        let n = b.len();
        let mut waits = 0i64;
        let mut best = i64::MAX;
        for k in j..n {
            if k > j {
                waits += self.wait(b, k);
            }
            let mut s = self.late[k] - b[k];
            for (pi, r) in self.ride.iter().enumerate().take(j) {
                if let Some((d, limit)) = *r {
                    if d == k {
                        s = s.min(limit - self.ride_time(b, pi, d));
                    }
                }
            }
            best = best.min(waits + s.max(0));
            if s < 0 {
                best = best.min(waits);
            }
        }
        best.max(0)
    }
    fn ok(&self, b: &[i64], max_duration: Option<i64>) -> bool {
        let n = b.len();
        if (0..n).any(|i| b[i] > self.late[i]) {
            return false;
        }
        for (pi, r) in self.ride.iter().enumerate() {
            if let Some((d, limit)) = *r {
                if self.ride_time(b, pi, d) > limit {
                    return false;
                }
            }
        }
        max_duration.is_none_or(|m| b[n - 1] - b[0] <= m)
    }
}

/// A schedule meeting every window, ride limit and the duration limit, or `None`.
pub fn schedule(p: &Problem, vehicle: usize, stops: &[u32]) -> Option<Schedule> {
    let vt = &p.vehicles[vehicle];
    let k = stops.len();
    let n = k + 2;
    let mut seq = Seq {
        p,
        locs: Vec::with_capacity(n),
        early: Vec::with_capacity(n),
        late: Vec::with_capacity(n),
        service: Vec::with_capacity(n),
        ride: vec![None; n],
    };
    seq.locs.push(vt.start);
    seq.early.push(vt.shift.0);
    seq.late.push(vt.shift.1);
    seq.service.push(0);
    for &s in stops {
        let st = &p.stops[s as usize];
        seq.locs.push(st.loc);
        seq.early.push(st.early);
        seq.late.push(st.late);
        seq.service.push(st.service);
    }
    seq.locs.push(vt.end);
    seq.early.push(vt.shift.0);
    seq.late.push(vt.shift.1);
    seq.service.push(0);
    let mut any_ride = false;
    for (i, &s) in stops.iter().enumerate() {
        let st = &p.stops[s as usize];
        if st.kind == StopKind::Pickup {
            if let Some(limit) = p.jobs[st.job as usize].max_ride {
                let partner = p.jobs[st.job as usize].stops[1];
                let d = stops.iter().position(|&x| x == partner)?;
                if d < i {
                    return None;
                }
                seq.ride[i + 1] = Some((d + 1, limit));
                any_ride = true;
            }
        }
    }
    let mut b = vec![0i64; n];
    b[0] = seq.early[0];
    seq.forward(&mut b, 0);
    if (0..n).any(|i| b[i] > seq.late[i]) {
        return None;
    }
    // Delay the departure as far as the windows allow without adding waiting later.
    let total_wait: i64 = (1..n).map(|i| seq.wait(&b, i)).sum();
    let f0 = {
        let mut waits = 0i64;
        let mut best = seq.late[0] - b[0];
        for kk in 1..n {
            waits += seq.wait(&b, kk);
            best = best.min(waits + (seq.late[kk] - b[kk]));
        }
        best.max(0)
    };
    b[0] += f0.min(total_wait);
    seq.forward(&mut b, 0);
    // The end depot of an open route is reached as soon as the last stop is served.
    if seq.ok(&b, vt.max_duration) {
        return Some(Schedule { times: b });
    }
    if !any_ride {
        return None;
    }
    for j in 1..n - 1 {
        if seq.ride[j].is_none() {
            continue;
        }
        let waits_after: i64 = (j + 1..n).map(|i| seq.wait(&b, i)).sum();
        let f = seq.slack(&b, j);
        let delay = f.min(waits_after);
        if delay > 0 {
            b[j] += delay;
            seq.forward(&mut b, j);
        }
    }
    seq.ok(&b, vt.max_duration).then_some(Schedule { times: b })
}
