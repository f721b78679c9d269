//! Exact timing of one trip with maximum ride times: Cordeau & Laporte's (2003) scheme —
//! start as early as possible, delay the start by the forward time slack, then delay each
//! pickup by its ride-aware slack — which finds a schedule meeting every window and ride
//! limit whenever the simple forward pass cannot. The delays never exceed the waiting
//! that follows, so the trip's duration stays the minimum the windows allow.

use super::problem::{Problem, StopKind};

/// Reusable buffers for timing trips, so the search's move loop allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Scheduler {
    /// Travel time from position `i - 1` to `i` (0 for `i = 0`).
    legs: Vec<i64>,
    early: Vec<i64>,
    late: Vec<i64>,
    service: Vec<i64>,
    /// For each position holding a pickup with a ride limit: (delivery position, limit).
    ride: Vec<Option<(usize, i64)>>,
    /// Service start times: `b[0]` = departure from the start depot, `b[1..=k]` the stops,
    /// `b[k + 1]` = arrival at the end depot.
    b: Vec<i64>,
    max_duration: Option<i64>,
}

impl Scheduler {
    /// Times a trip of vehicle type `v` visiting `stops`; true when a schedule meets every
    /// window, ride limit and the duration limit ([`Scheduler::times`] then holds it).
    pub fn run(&mut self, p: &Problem, v: usize, stops: &[u32]) -> bool {
        self.load(p, v, stops.iter().copied()) && self.solve()
    }

    /// [`Scheduler::run`] on a trip given as an iterator of stops.
    pub fn run_iter(&mut self, p: &Problem, v: usize, stops: impl Iterator<Item = u32>) -> bool {
        self.load(p, v, stops) && self.solve()
    }

    /// The schedule found by the last successful run.
    pub fn times(&self) -> &[i64] {
        &self.b
    }

    fn load(&mut self, p: &Problem, v: usize, stops: impl Iterator<Item = u32>) -> bool {
        let vt = &p.vehicles[v];
        self.legs.clear();
        self.early.clear();
        self.late.clear();
        self.service.clear();
        self.ride.clear();
        self.max_duration = vt.max_duration;
        self.legs.push(0);
        self.early.push(vt.shift.0);
        self.late.push(vt.shift.1);
        self.service.push(0);
        self.ride.push(None);
        let mut prev = vt.start;
        // Pickups with a ride limit waiting for their delivery: (stop of the delivery,
        // position of the pickup, limit).
        let mut open: [(u32, usize, i64); 64] = [(u32::MAX, 0, 0); 64];
        let mut n_open = 0usize;
        for s in stops {
            let st = &p.stops[s as usize];
            let pos = self.legs.len();
            self.legs.push(p.time(prev, st.loc));
            self.early.push(st.early);
            self.late.push(st.late);
            self.service.push(st.service);
            self.ride.push(None);
            prev = st.loc;
            let job = &p.jobs[st.job as usize];
            match st.kind {
                StopKind::Pickup => {
                    if let Some(limit) = job.max_ride {
                        let delivery = job.parts[st.trip as usize].map_or(u32::MAX, |x| x.last);
                        if n_open == open.len() {
                            // More than 64 riders on board at once: check ride limits
                            // by the forward pass only for the rest (never in SEN trips).
                            continue;
                        }
                        open[n_open] = (delivery, pos, limit);
                        n_open += 1;
                    }
                }
                StopKind::Delivery => {
                    if let Some(k) = open[..n_open].iter().position(|o| o.0 == s) {
                        let (_, pickup, limit) = open[k];
                        self.ride[pickup] = Some((pos, limit));
                        open[k] = open[n_open - 1];
                        n_open -= 1;
                    } else if job.max_ride.is_some() {
                        // A delivery before its pickup.
                        return false;
                    }
                }
                StopKind::Visit => {}
            }
        }
        if n_open > 0 {
            // A pickup whose delivery is not on the trip.
            return false;
        }
        self.legs.push(p.time(prev, vt.end));
        self.early.push(vt.shift.0);
        self.late.push(vt.shift.1);
        self.service.push(0);
        self.ride.push(None);
        true
    }

    #[inline]
    fn arrive(&self, i: usize) -> i64 {
        self.b[i - 1] + self.service[i - 1] + self.legs[i]
    }

    fn forward(&mut self, from: usize) {
        for i in from + 1..self.b.len() {
            self.b[i] = self.arrive(i).max(self.early[i]);
        }
    }

    #[inline]
    fn wait(&self, i: usize) -> i64 {
        self.b[i] - self.arrive(i)
    }

    #[inline]
    fn ride_time(&self, pickup: usize, delivery: usize) -> i64 {
        self.b[delivery] - (self.b[pickup] + self.service[pickup])
    }

    /// Forward time slack at `j`, counting ride limits of pairs whose pickup is before `j`.
    fn slack(&self, j: usize) -> i64 {
        let n = self.b.len();
        let mut waits = 0i64;
        let mut best = i64::MAX;
        for k in j..n {
            if k > j {
                waits += self.wait(k);
            }
            let mut s = self.late[k] - self.b[k];
            for (pi, r) in self.ride.iter().enumerate().take(j) {
                if let Some((d, limit)) = *r
                    && d == k
                {
                    s = s.min(limit - self.ride_time(pi, d));
                }
            }
            best = best.min(waits + s.max(0));
            if s < 0 {
                best = best.min(waits);
            }
        }
        best.max(0)
    }

    fn ok(&self) -> bool {
        let n = self.b.len();
        if (0..n).any(|i| self.b[i] > self.late[i]) {
            return false;
        }
        for (pi, r) in self.ride.iter().enumerate() {
            if let Some((d, limit)) = *r
                && self.ride_time(pi, d) > limit
            {
                return false;
            }
        }
        self.max_duration
            .is_none_or(|m| self.b[n - 1] - self.b[0] <= m)
    }

    fn solve(&mut self) -> bool {
        let n = self.legs.len();
        self.b.clear();
        self.b.resize(n, 0);
        self.b[0] = self.early[0];
        self.forward(0);
        if (0..n).any(|i| self.b[i] > self.late[i]) {
            return false;
        }
        // Delay the departure as far as the windows allow without adding waiting later.
        let total_wait: i64 = (1..n).map(|i| self.wait(i)).sum();
        let f0 = {
            let mut waits = 0i64;
            let mut best = self.late[0] - self.b[0];
            for k in 1..n {
                waits += self.wait(k);
                best = best.min(waits + (self.late[k] - self.b[k]));
            }
            best.max(0)
        };
        self.b[0] += f0.min(total_wait);
        self.forward(0);
        if self.ok() {
            return true;
        }
        if self.ride.iter().all(Option::is_none) {
            return false;
        }
        for j in 1..n - 1 {
            if self.ride[j].is_none() {
                continue;
            }
            let waits_after: i64 = (j + 1..n).map(|i| self.wait(i)).sum();
            let delay = self.slack(j).min(waits_after);
            if delay > 0 {
                self.b[j] += delay;
                self.forward(j);
            }
        }
        self.ok()
    }
}

/// Service start times of a trip (depots included), or `None` when no schedule meets
/// every rule. Allocates; the search uses a [`Scheduler`] instead.
pub fn schedule(p: &Problem, vehicle: usize, stops: &[u32]) -> Option<Vec<i64>> {
    let mut s = Scheduler::default();
    s.run(p, vehicle, stops).then(|| s.times().to_vec())
}
