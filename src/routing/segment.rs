//! Route segments that concatenate in O(1): time windows (Vidal et al. 2013) and loads with
//! pickups and deliveries (PyVRP's `LoadSegment`, with negative pickups for the delivery
//! half of a pickup-and-delivery pair).

/// Number of load dimensions (seats, wheelchair spaces).
pub const DIMS: usize = 2;

/// Time-window summary of a sequence of visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    /// Location where the segment starts.
    pub first: u32,
    /// Location where the segment ends.
    pub last: u32,
    /// Total duration: service, travel and waiting.
    pub duration: i64,
    /// Time warp: total lateness that had to be "travelled back".
    pub warp: i64,
    /// Earliest start of the first visit without extra waiting.
    pub earliest: i64,
    /// Latest start of the first visit without extra warp.
    pub latest: i64,
}

impl Duration {
    /// One visit at `loc` with window `[early, late]` and service time `service`.
    #[inline]
    pub fn visit(loc: u32, early: i64, late: i64, service: i64) -> Self {
        Duration {
            first: loc,
            last: loc,
            duration: service,
            warp: 0,
            earliest: early,
            latest: late,
        }
    }

    /// `self` followed by `other`, with travel time `t` between them.
    #[inline]
    pub fn then(&self, other: &Duration, t: i64) -> Duration {
        let delta = self.duration - self.warp + t;
        let wait = (other.earliest - delta - self.latest).max(0);
        let warp = (self.earliest + delta - other.latest).max(0);
        Duration {
            first: self.first,
            last: other.last,
            duration: self.duration + other.duration + t + wait,
            warp: self.warp + other.warp + warp,
            earliest: (other.earliest - delta).max(self.earliest) - wait,
            latest: (other.latest - delta).min(self.latest) + warp,
        }
    }
}

/// Load summary of a sequence of visits, per dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Load {
    /// Load that must be on board when the segment starts (deliveries from the depot).
    pub delivery: [i32; DIMS],
    /// Net load picked up along the segment (a pair's delivery counts negative).
    pub pickup: [i32; DIMS],
    /// Peak load within the segment, counting `delivery` as on board at its start.
    pub peak: [i32; DIMS],
}

impl Load {
    /// One visit.
    #[inline]
    pub fn visit(delivery: [i32; DIMS], pickup: [i32; DIMS]) -> Self {
        let mut peak = [0; DIMS];
        for d in 0..DIMS {
            peak[d] = delivery[d].max(pickup[d]).max(0);
        }
        Load {
            delivery,
            pickup,
            peak,
        }
    }

    /// `self` followed by `other`.
    #[inline]
    pub fn then(&self, other: &Load) -> Load {
        let mut r = Load::default();
        for d in 0..DIMS {
            r.delivery[d] = self.delivery[d] + other.delivery[d];
            r.pickup[d] = self.pickup[d] + other.pickup[d];
            r.peak[d] = (self.peak[d] + other.delivery[d]).max(other.peak[d] + self.pickup[d]);
        }
        r
    }

    /// Total excess over `capacity`, summed over dimensions.
    #[inline]
    pub fn excess(&self, capacity: &[i32; DIMS]) -> i64 {
        (0..DIMS)
            .map(|d| (self.peak[d] - capacity[d]).max(0) as i64)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pickup_delivery_peaks() {
        let p1 = Load::visit([0, 0], [1, 0]);
        let d1 = Load::visit([0, 0], [-1, 0]);
        let p2 = Load::visit([0, 0], [2, 0]);
        let d2 = Load::visit([0, 0], [-2, 0]);
        assert_eq!(p1.then(&p2).then(&d1).then(&d2).peak[0], 3);
        assert_eq!(p1.then(&d1).then(&p2).then(&d2).peak[0], 2);
        // Deliveries from the depot (CVRP) add up whatever the order.
        let c = Load::visit([5, 0], [0, 0]);
        assert_eq!(c.then(&c).then(&c).peak[0], 15);
    }

    #[test]
    fn time_windows_wait_and_warp() {
        let a = Duration::visit(0, 0, 10, 1);
        let b = Duration::visit(1, 20, 30, 1);
        let ab = a.then(&b, 5);
        // Leave a at 10 at the latest, arrive 16, wait to 20: no warp.
        assert_eq!(ab.warp, 0);
        assert_eq!(ab.duration, 1 + 5 + 1 + 4);
        let c = Duration::visit(2, 0, 3, 0);
        let ac = a.then(&c, 5);
        assert_eq!(ac.warp, 3);
    }
}
