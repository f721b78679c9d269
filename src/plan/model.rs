//! The typed plan: vehicle-days with their morning and afternoon driving, pupils and
//! schools by index, and every pupil not on a route with a specific reason. Ids appear
//! only at the edge (`report::plan_file` writes and reads `plan.json`).

use crate::scenario::Continuity;
use crate::units::Pence;
use serde::{Deserialize, Serialize};

/// Why a pupil is not on a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    /// The pupil has a Personal Transport Budget (`mode = ptb`).
    ModePtb,
    /// The pupil travels independently after training (`mode = itt`).
    ModeItt,
    /// The pupil has another arrangement (`mode = other`).
    ModeOther,
    /// No vehicle type can carry the pupil (with an assistant if needed).
    NoVehicleFits,
    /// Even the direct trip (in the direction named) takes longer than the ride limit.
    RideLimitUnreachable,
    /// The direct trip cannot reach school inside its arrival window.
    SchoolWindowUnreachable,
    /// Every vehicle of every type that could carry the pupil is in use.
    FleetExhausted,
    /// No vehicle can carry the pupil even alone within the times and limits.
    NoFeasibleRoute,
}

impl Reason {
    /// The code as written in outputs.
    pub fn code(self) -> &'static str {
        match self {
            Reason::ModePtb => "MODE_PTB",
            Reason::ModeItt => "MODE_ITT",
            Reason::ModeOther => "MODE_OTHER",
            Reason::NoVehicleFits => "NO_VEHICLE_FITS",
            Reason::RideLimitUnreachable => "RIDE_LIMIT_UNREACHABLE",
            Reason::SchoolWindowUnreachable => "SCHOOL_WINDOW_UNREACHABLE",
            Reason::FleetExhausted => "FLEET_EXHAUSTED",
            Reason::NoFeasibleRoute => "NO_FEASIBLE_ROUTE",
        }
    }

    /// True for pupils who travel another way by arrangement (not a planning failure).
    pub fn is_arrangement(self) -> bool {
        matches!(self, Reason::ModePtb | Reason::ModeItt | Reason::ModeOther)
    }
}

/// What happens at a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// The pupil boards.
    Pickup,
    /// The pupil gets off.
    Dropoff,
}

/// Where a stop is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    /// The pupil's home.
    Home,
    /// The pupil's school.
    School,
}

/// Morning or afternoon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Half {
    /// Home to school.
    Am,
    /// School to home.
    Pm,
}

impl Event {
    /// The word used in files.
    pub fn word(self) -> &'static str {
        match self {
            Event::Pickup => "pickup",
            Event::Dropoff => "dropoff",
        }
    }
}

impl Place {
    /// The word used in files.
    pub fn word(self) -> &'static str {
        match self {
            Place::Home => "home",
            Place::School => "school",
        }
    }
}

impl Half {
    /// The word used in files.
    pub fn word(self) -> &'static str {
        match self {
            Half::Am => "am",
            Half::Pm => "pm",
        }
    }
}

/// One stop of a half-day.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanStop {
    /// Pupil index.
    pub pupil: usize,
    /// School index.
    pub school: usize,
    /// Pickup or drop-off.
    pub event: Event,
    /// At home or at school.
    pub place: Place,
    /// Matrix location index.
    pub loc: usize,
    /// Service start, seconds after midnight.
    pub time_s: i64,
}

/// A vehicle's driving in one half of the day: one run, or several chained runs.
#[derive(Debug, Clone, PartialEq)]
pub struct HalfDay {
    /// Stops in order.
    pub stops: Vec<PlanStop>,
    /// Metres driven from the first pickup to the last drop-off.
    pub metres: i64,
    /// Seconds engaged from the first pickup to the last drop-off, waiting between
    /// chained runs included.
    pub seconds: i64,
}

impl HalfDay {
    /// The runs: stretches between moments when nobody is on board.
    pub fn runs(&self) -> Vec<&[PlanStop]> {
        let mut out = Vec::new();
        let (mut start, mut on_board) = (0usize, 0i32);
        for (k, s) in self.stops.iter().enumerate() {
            on_board += if s.event == Event::Pickup { 1 } else { -1 };
            if on_board == 0 {
                out.push(&self.stops[start..=k]);
                start = k + 1;
            }
        }
        if start < self.stops.len() {
            out.push(&self.stops[start..]);
        }
        out
    }
}

/// One vehicle-day: the contract a council pays for.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRoute {
    /// Route id (`N001`, or today's id when re-planning keeps a vehicle).
    pub id: String,
    /// Vehicle type index.
    pub vehicle: usize,
    /// A passenger assistant travels (all day).
    pub assistant: bool,
    /// Morning driving.
    pub am: Option<HalfDay>,
    /// Afternoon driving.
    pub pm: Option<HalfDay>,
    /// Cost per day at reference prices: day rate, km and minutes of both halves,
    /// assistant.
    pub cost_per_day: Pence,
    /// Pupils carried (indices), in order of first pickup.
    pub pupils: Vec<usize>,
}

impl PlannedRoute {
    /// The route's half-days that exist.
    pub fn halves(&self) -> impl Iterator<Item = (Half, &HalfDay)> {
        self.am
            .iter()
            .map(|h| (Half::Am, h))
            .chain(self.pm.iter().map(|h| (Half::Pm, h)))
    }
}

/// A pupil not on any route.
#[derive(Debug, Clone, PartialEq)]
pub struct Unrouted {
    /// Pupil index.
    pub pupil: usize,
    /// Why.
    pub reason: Reason,
    /// Specifics (e.g. which direction breaks the ride limit, by how much).
    pub detail: String,
}

/// A priced, checked plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Vehicle-days.
    pub routes: Vec<PlannedRoute>,
    /// Pupils not routed, with reasons (one entry each).
    pub unrouted: Vec<Unrouted>,
    /// Cost per school day at reference prices (both halves of the day).
    pub cost_per_day: Pence,
    /// Annual cost (school days × daily cost).
    pub cost_per_year: Pence,
    /// The continuity rule planned under.
    pub continuity: Continuity,
    /// Pupils whose afternoon vehicle differs from their morning one.
    pub split_pupils: usize,
    /// Half-days in which a vehicle chains two or more runs.
    pub chained_halves: usize,
    /// Search iterations.
    pub iterations: u64,
    /// Search seconds.
    pub seconds: f64,
    /// The time limit stopped the search before its iteration budget.
    pub stopped_by_time: bool,
}

impl Plan {
    /// Pupils on routes.
    pub fn routed(&self) -> usize {
        self.routes
            .iter()
            .flat_map(|r| r.pupils.iter())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }

    /// The route carrying each pupil in the morning and in the afternoon.
    pub fn vehicle_of(&self, pupils: usize) -> Vec<(Option<usize>, Option<usize>)> {
        let mut out = vec![(None, None); pupils];
        for (k, r) in self.routes.iter().enumerate() {
            for (half, h) in r.halves() {
                for s in &h.stops {
                    if let Some(e) = out.get_mut(s.pupil) {
                        match half {
                            Half::Am => e.0 = Some(k),
                            Half::Pm => e.1 = Some(k),
                        }
                    }
                }
            }
        }
        out
    }
}
