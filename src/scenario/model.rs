//! The domain model of a scenario folder (SPEC §3): schools, pupils and their needs,
//! vehicles, operators and their prices, today's routes, and council policy.

use crate::units::{Clock, Pence};
use serde::Serialize;

/// An enumeration read from and written to files as one of a fixed list of words.
pub trait Words: Copy + PartialEq + 'static {
    /// The words and the values they stand for (lower case; reading ignores case).
    const WORDS: &'static [(&'static str, Self)];
    /// The word for a value.
    fn word(self) -> &'static str {
        Self::WORDS
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("", |(w, _)| *w)
    }
}

/// Primary or secondary phase of education; sets the default ride-time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Primary (ages 4–11).
    Primary,
    /// Secondary (ages 11–19).
    Secondary,
}

impl Words for Phase {
    const WORDS: &'static [(&'static str, Self)] =
        &[("primary", Phase::Primary), ("secondary", Phase::Secondary)];
}

/// How the pupil travels today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// On a council route.
    Route,
    /// Personal Transport Budget: the family is paid to take the child.
    Ptb,
    /// Independent Travel Training: the child travels alone.
    Itt,
    /// Any other arrangement; not routed.
    Other,
}

impl Words for Mode {
    const WORDS: &'static [(&'static str, Self)] = &[
        ("route", Mode::Route),
        ("ptb", Mode::Ptb),
        ("itt", Mode::Itt),
        ("other", Mode::Other),
    ];
}

/// Values Modes segment of the family (Settlers / Prospectors / Pioneers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValuesMode {
    /// Security and belonging first.
    Settler,
    /// Esteem of others, success.
    Prospector,
    /// Self-direction, ideas.
    Pioneer,
    /// Not known.
    Unknown,
}

impl Words for ValuesMode {
    const WORDS: &'static [(&'static str, Self)] = &[
        ("settler", ValuesMode::Settler),
        ("prospector", ValuesMode::Prospector),
        ("pioneer", ValuesMode::Pioneer),
        ("unknown", ValuesMode::Unknown),
    ];
}

/// A school.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct School {
    /// Unique id.
    pub id: String,
    /// Name (not personal data).
    pub name: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Earliest acceptable morning arrival.
    pub am_arrive_earliest: Clock,
    /// Latest acceptable morning arrival (the bell).
    pub am_arrive_latest: Clock,
    /// Afternoon departure (end of the school day).
    pub pm_depart: Clock,
}

/// A pupil and their travel needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pupil {
    /// Unique id; the only identifier that appears in outputs.
    pub id: String,
    /// Index of the pupil's school in [`Scenario::schools`].
    pub school: usize,
    /// Home latitude.
    pub lat: f64,
    /// Home longitude.
    pub lon: f64,
    /// Phase of education.
    pub phase: Phase,
    /// Travels in a wheelchair: needs a wheelchair space, boards more slowly.
    pub wheelchair: bool,
    /// Needs a passenger assistant on the vehicle.
    pub needs_assistant: bool,
    /// Must travel with no other pupil.
    pub solo: bool,
    /// Maximum ride time in minutes, overriding the phase default.
    pub max_ride_min: Option<f64>,
    /// Indices of pupils this pupil must never share a vehicle with (symmetric).
    pub incompatible_with: Vec<usize>,
    /// How the pupil travels today.
    pub mode: Mode,
    /// May be offered a Personal Transport Budget.
    pub ptb_eligible: bool,
    /// May be offered Independent Travel Training.
    pub itt_eligible: bool,
    /// The family's Values Mode.
    pub values_mode: ValuesMode,
}

/// A type of vehicle and its standard costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VehicleType {
    /// Unique name, e.g. `taxi`, `wav`, `minibus`.
    pub id: String,
    /// Passenger seats (an assistant takes one).
    pub seats: u32,
    /// Wheelchair spaces.
    pub wheelchair_spaces: u32,
    /// Cost per vehicle-day.
    pub day_rate: Pence,
    /// Cost per km driven with pupils.
    pub per_km: Pence,
    /// Cost per minute driven with pupils.
    pub per_min: Pence,
    /// How many vehicles of this type exist (`None` = unlimited).
    pub available: Option<u32>,
}

/// A transport operator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operator {
    /// Unique id.
    pub id: String,
    /// Trading name.
    pub name: String,
    /// Most routes the operator can take on.
    pub max_routes: Option<u32>,
    /// Fleet limit per vehicle type index (`None` = no limit stated).
    pub fleet: Vec<Option<u32>>,
}

/// An operator's prices for one vehicle type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateCard {
    /// Index into [`Scenario::operators`].
    pub operator: usize,
    /// Index into [`Scenario::vehicles`].
    pub vehicle: usize,
    /// Price per vehicle-day.
    pub day_rate: Pence,
    /// Price per km.
    pub per_km: Pence,
    /// Price per minute.
    pub per_min: Pence,
}

/// An explicit price for one route from one operator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bid {
    /// Index into [`Scenario::operators`].
    pub operator: usize,
    /// Route id the bid is for (a route of the plan being tendered).
    pub route_id: String,
    /// Price per day.
    pub price_per_day: Pence,
    /// Line in `bids.csv` (0 when not read from a file).
    pub line: usize,
}

/// What a bundle discount covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum BundleScope {
    /// A listed set of route ids.
    Routes(Vec<String>),
    /// All routes serving a school (index into [`Scenario::schools`]).
    School(usize),
}

/// An operator's discount if awarded all routes of a set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bundle {
    /// Unique id.
    pub id: String,
    /// Index into [`Scenario::operators`].
    pub operator: usize,
    /// The routes covered.
    pub scope: BundleScope,
    /// Discount in percent of the covered routes' prices.
    pub discount_pct: f64,
}

/// One of today's contracted routes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrentRoute {
    /// Unique id.
    pub id: String,
    /// Index into [`Scenario::operators`].
    pub operator: usize,
    /// Index into [`Scenario::vehicles`].
    pub vehicle: usize,
    /// Contract price per day (vehicle and driver).
    pub price_per_day: Pence,
    /// Whether a passenger assistant travels (paid at the policy's day cost).
    pub assistant: bool,
    /// Pupil indices in pickup order.
    pub pupils: Vec<usize>,
}

/// Probability that a family takes up an offer, by Values Mode.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Uptake {
    /// Settlers.
    pub settler: f64,
    /// Prospectors.
    pub prospector: f64,
    /// Pioneers.
    pub pioneer: f64,
    /// Unknown.
    pub unknown: f64,
}

impl Uptake {
    /// The probability for a Values Mode.
    pub fn for_mode(&self, m: ValuesMode) -> f64 {
        match m {
            ValuesMode::Settler => self.settler,
            ValuesMode::Prospector => self.prospector,
            ValuesMode::Pioneer => self.pioneer,
            ValuesMode::Unknown => self.unknown,
        }
    }
}

/// Whether a pupil comes home on the vehicle that brought them (`[policy] continuity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Continuity {
    /// The pupil comes home on the vehicle, and with the assistant, that brought them.
    #[default]
    SameVehicle,
    /// A change of vehicle is allowed at `continuity_cost_per_pupil` a day.
    Cost,
    /// Morning and afternoon are planned independently.
    Free,
}

impl Words for Continuity {
    const WORDS: &'static [(&'static str, Self)] = &[
        ("same_vehicle", Continuity::SameVehicle),
        ("cost", Continuity::Cost),
        ("free", Continuity::Free),
    ];
}

impl Continuity {
    /// The continuity named by a word.
    pub fn from_word(w: &str) -> Option<Self> {
        Self::WORDS.iter().find(|(k, _)| *k == w).map(|(_, v)| *v)
    }
}

/// Council policy values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// School days a year.
    pub school_days: u32,
    /// PTB payment per mile.
    pub ptb_rate_per_mile: Pence,
    /// PTB legs a day (4: parent drives there and back twice).
    pub ptb_legs_per_day: u32,
    /// Cap the PTB payment at what the pupil costs us today.
    pub ptb_cap_at_cost: bool,
    /// ITT one-off training cost.
    pub itt_training_cost: Pence,
    /// ITT annual travel pass.
    pub itt_annual_pass: Pence,
    /// Passenger assistant cost per route-day.
    pub assistant_day_cost: Pence,
    /// Default maximum ride time, primary (minutes).
    pub primary_max_ride_min: u32,
    /// Default maximum ride time, secondary (minutes).
    pub secondary_max_ride_min: u32,
    /// Boarding time for a pupil (minutes).
    pub boarding_min: u32,
    /// Boarding time for a wheelchair user (minutes).
    pub wheelchair_boarding_min: u32,
    /// Years of saving counted per case in projections.
    pub years_of_saving: u32,
    /// PTB uptake by Values Mode.
    pub ptb_uptake: Uptake,
    /// ITT uptake by Values Mode.
    pub itt_uptake: Uptake,
    /// PTB conversations the team can hold this term.
    pub ptb_caseload: u32,
    /// ITT training places this term.
    pub itt_caseload: u32,
    /// Cost per pupil moved to another vehicle when re-planning.
    pub stability_cost_per_move: Pence,
    /// Cost per minute of pickup-time change when re-planning.
    pub stability_cost_per_minute: Pence,
    /// Whether pupils come home on the vehicle that brought them.
    pub continuity: Continuity,
    /// Cost per pupil a day of changing vehicle, when continuity is `cost`.
    pub continuity_cost_per_pupil: Pence,
}

impl Default for Policy {
    fn default() -> Self {
        let uptake = |s, pr, pi, u| Uptake {
            settler: s,
            prospector: pr,
            pioneer: pi,
            unknown: u,
        };
        Policy {
            school_days: 190,
            ptb_rate_per_mile: Pence(45),
            ptb_legs_per_day: 4,
            ptb_cap_at_cost: true,
            itt_training_cost: Pence(250_000),
            itt_annual_pass: Pence(50_000),
            assistant_day_cost: Pence(6_000),
            primary_max_ride_min: 45,
            secondary_max_ride_min: 75,
            boarding_min: 1,
            wheelchair_boarding_min: 5,
            years_of_saving: 2,
            // Assumption, to be replaced by a council's own figures: settlers value
            // security and routine and are least likely to change arrangements; pioneers
            // are most open to independence (ITT); prospectors respond to money (PTB).
            ptb_uptake: uptake(0.15, 0.40, 0.30, 0.25),
            itt_uptake: uptake(0.10, 0.25, 0.40, 0.20),
            ptb_caseload: 24,
            itt_caseload: 23,
            stability_cost_per_move: Pence(2_000),
            stability_cost_per_minute: Pence(100),
            continuity: Continuity::SameVehicle,
            continuity_cost_per_pupil: Pence(1_000),
        }
    }
}

/// Council procurement policy for retendering (`[tender]` in `scenario.toml`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenderPolicy {
    /// Largest share of the routes one operator may win (0–1; 1 = no cap).
    pub max_share: f64,
    /// Fewest operators that must win at least one route.
    pub min_operators: u32,
    /// In-house vehicles per vehicle type index, priced at `vehicles.csv` costs.
    pub in_house: Vec<u32>,
    /// Overhead added to in-house costs, in percent.
    pub in_house_overhead_pct: f64,
}

impl Default for TenderPolicy {
    fn default() -> Self {
        TenderPolicy {
            max_share: 1.0,
            min_operators: 1,
            in_house: Vec::new(),
            in_house_overhead_pct: 0.0,
        }
    }
}

/// Solver settings from `scenario.toml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolverSettings {
    /// Time limit in seconds.
    pub time_limit_s: f64,
    /// Worker threads.
    pub threads: usize,
    /// Random seed.
    pub seed: u64,
}

impl Default for SolverSettings {
    fn default() -> Self {
        SolverSettings {
            time_limit_s: 10.0,
            threads: 2,
            seed: 1,
        }
    }
}

/// A complete scenario folder, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Scenario name.
    pub name: String,
    /// The OpenStreetMap extract (resolved relative to the folder).
    pub osm: std::path::PathBuf,
    /// Policy values.
    pub policy: Policy,
    /// Solver settings.
    pub solver: SolverSettings,
    /// Procurement policy.
    pub tender: TenderPolicy,
    /// Schools.
    pub schools: Vec<School>,
    /// Pupils.
    pub pupils: Vec<Pupil>,
    /// Vehicle types.
    pub vehicles: Vec<VehicleType>,
    /// Operators.
    pub operators: Vec<Operator>,
    /// Operator rate cards.
    pub rates: Vec<RateCard>,
    /// Explicit bids.
    pub bids: Vec<Bid>,
    /// Bundle discounts.
    pub bundles: Vec<Bundle>,
    /// Today's routes.
    pub current_routes: Vec<CurrentRoute>,
    /// UPRNs and postcodes given in pupils.csv and schools.csv.
    pub addresses: Addresses,
}

impl Pupil {
    /// The ride-time limit in minutes: the pupil's own (as given, fractions kept) or the
    /// phase default.
    pub fn ride_limit_min(&self, policy: &Policy) -> f64 {
        self.max_ride_min.unwrap_or(match self.phase {
            Phase::Primary => policy.primary_max_ride_min,
            Phase::Secondary => policy.secondary_max_ride_min,
        } as f64)
    }

    /// The ride-time limit in whole seconds (a fractional limit in minutes is kept to the
    /// second, never rounded up).
    pub fn ride_limit_s(&self, policy: &Policy) -> i64 {
        (self.ride_limit_min(policy) * 60.0).floor() as i64
    }

    /// Seats the pupil needs (0 for a wheelchair user, who uses a wheelchair space).
    pub fn seats(&self) -> u32 {
        u32::from(!self.wheelchair)
    }
}

impl VehicleType {
    /// Whether this vehicle type can carry the pupil at all (with an assistant if needed).
    pub fn can_carry(&self, p: &Pupil) -> bool {
        let seats_needed = p.seats() + u32::from(p.needs_assistant);
        let wc_needed = u32::from(p.wheelchair);
        self.seats >= seats_needed && self.wheelchair_spaces >= wc_needed
    }
}

impl Scenario {
    /// As-is cost per school day of today's routes: contract prices plus assistants.
    pub fn current_cost_per_day(&self) -> Pence {
        self.current_routes
            .iter()
            .map(|r| {
                r.price_per_day
                    + if r.assistant {
                        self.policy.assistant_day_cost
                    } else {
                        Pence(0)
                    }
            })
            .sum()
    }

    /// Each pupil's index by id: the one map from pupil ids in outputs back to pupils.
    pub fn pupil_index(&self) -> std::collections::HashMap<&str, usize> {
        self.pupils
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect()
    }

    /// Pupils on today's routes.
    pub fn current_routed_pupils(&self) -> usize {
        self.current_routes.iter().map(|r| r.pupils.len()).sum()
    }
}

/// A council's own references to an address (a pupil's home or a school), carried from
/// the input files to the outputs for the council's joins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Address {
    /// Unique Property Reference Number.
    pub uprn: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
}

/// Address references by pupil id and by school id, for the rows that give them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Addresses {
    /// By pupil id.
    pub pupils: std::collections::BTreeMap<String, Address>,
    /// By school id.
    pub schools: std::collections::BTreeMap<String, Address>,
}

/// Headline figures of a scenario, printed by `schoolrun validate`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Schools.
    pub schools: usize,
    /// All pupils.
    pub pupils: usize,
    /// Pupils to be routed (mode = route).
    pub routed: usize,
    /// Pupils on a PTB today.
    pub on_ptb: usize,
    /// Pupils on ITT today.
    pub on_itt: usize,
    /// Pupils on other arrangements.
    pub other: usize,
    /// Wheelchair users among routed pupils.
    pub wheelchair: usize,
    /// Routed pupils needing an assistant.
    pub needs_assistant: usize,
    /// Routed pupils travelling solo.
    pub solo: usize,
    /// Vehicle types.
    pub vehicle_types: usize,
    /// Operators.
    pub operators: usize,
    /// Today's routes.
    pub current_routes: usize,
    /// Pupils on today's routes.
    pub current_route_pupils: usize,
    /// As-is cost per school day, £.
    pub as_is_per_day: f64,
    /// As-is cost per year, £.
    pub as_is_per_year: f64,
    /// As-is cost per pupil on today's routes per year, £.
    pub as_is_per_pupil_year: f64,
}

impl Scenario {
    /// Headline figures.
    pub fn summary(&self) -> Summary {
        let routed: Vec<&Pupil> = self
            .pupils
            .iter()
            .filter(|p| p.mode == Mode::Route)
            .collect();
        let count = |m: Mode| self.pupils.iter().filter(|p| p.mode == m).count();
        let per_day = self.current_cost_per_day();
        let per_year = per_day * self.policy.school_days as i64;
        let on_routes = self.current_routed_pupils();
        Summary {
            schools: self.schools.len(),
            pupils: self.pupils.len(),
            routed: routed.len(),
            on_ptb: count(Mode::Ptb),
            on_itt: count(Mode::Itt),
            other: count(Mode::Other),
            wheelchair: routed.iter().filter(|p| p.wheelchair).count(),
            needs_assistant: routed.iter().filter(|p| p.needs_assistant).count(),
            solo: routed.iter().filter(|p| p.solo).count(),
            vehicle_types: self.vehicles.len(),
            operators: self.operators.len(),
            current_routes: self.current_routes.len(),
            current_route_pupils: on_routes,
            as_is_per_day: per_day.pounds(),
            as_is_per_year: per_year.pounds(),
            as_is_per_pupil_year: if on_routes > 0 {
                per_year.pounds() / on_routes as f64
            } else {
                0.0
            },
        }
    }
}
