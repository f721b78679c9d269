//! The SEN compiler and planner: turns a scenario's pupils, schools and fleet into a
//! routing problem (pickup at home, delivery at school), solves the morning run, mirrors it
//! into the afternoon run (solving a separate afternoon problem only where the schools'
//! finishing times force a split), and prices the plan per SPEC §2. No I/O.

use crate::matrix::Matrix;
use crate::routing::{self, Job, Problem, Solution, Stop, StopKind, VehicleType};
use crate::scenario::{Mode, Pupil, Scenario};
use crate::units::Pence;
use serde::{Deserialize, Serialize};

/// Cost units per penny: makes per-km (× 6 per metre), per-minute (× 100 per second) and
/// day-rate prices exact integers.
pub const UNITS_PER_PENNY: i64 = 6_000;

/// How long pupils may wait at school for the afternoon vehicle after the bell (s).
pub const PM_MAX_WAIT_S: i64 = 20 * 60;

/// Why a pupil is not on a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    /// The pupil travels by PTB, ITT or another arrangement.
    NotRouted,
    /// No vehicle type can carry the pupil (with an assistant if needed).
    NoVehicleFits,
    /// Even the direct trip home → school takes longer than the ride limit.
    RideLimitUnreachable,
    /// The direct trip cannot reach school inside its arrival window.
    SchoolWindowUnreachable,
    /// The search found no feasible place (fleet exhausted or rules conflict).
    NoFeasibleRoute,
}

/// The compiled morning problem and how its parts map back to the scenario.
pub struct Compiled {
    /// The routing problem (AM run).
    pub problem: Problem,
    /// Scenario pupil index of each job.
    pub pupil_of_job: Vec<usize>,
    /// Pupils left out before solving, with the reason.
    pub excluded: Vec<(usize, Reason)>,
}

/// Location of pupil `i`'s home and school `s` in the matrix: homes first, then schools.
pub struct Locations {
    /// Matrix index of each pupil's home (all pupils, routed or not).
    pub home: Vec<usize>,
    /// Matrix index of each school.
    pub school: Vec<usize>,
}

/// What a matrix location is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// A pupil's home (pupil index).
    Home(usize),
    /// A school (school index).
    School(usize),
}

impl Locations {
    /// The matrix locations of a scenario, in order: every pupil's home, then every
    /// school. This is the one place that fixes the order.
    pub fn points(sc: &Scenario) -> (Self, Vec<Point>) {
        let np = sc.pupils.len();
        let locations = Locations {
            home: (0..np).collect(),
            school: (np..np + sc.schools.len()).collect(),
        };
        let points = (0..np)
            .map(Point::Home)
            .chain((0..sc.schools.len()).map(Point::School))
            .collect();
        (locations, points)
    }

    /// The locations of [`Locations::points`].
    pub fn standard(sc: &Scenario) -> Self {
        Self::points(sc).0
    }
}

fn boarding_s(sc: &Scenario, p: &Pupil) -> i64 {
    60 * if p.wheelchair {
        sc.policy.wheelchair_boarding_min
    } else {
        sc.policy.boarding_min
    } as i64
}

fn secs(m: &Matrix, a: usize, b: usize) -> i64 {
    m.time_ms(a, b)
        .map(|t| (t as i64 + 999) / 1000)
        .unwrap_or(i64::MAX / 8)
}

fn metres(m: &Matrix, a: usize, b: usize) -> i64 {
    m.distance_m(a, b).map(|d| d as i64).unwrap_or(i64::MAX / 8)
}

fn vehicle_types(sc: &Scenario, anywhere: u32, variable_factor: i64) -> Vec<VehicleType> {
    sc.vehicles
        .iter()
        .map(|v| VehicleType {
            id: v.id.clone(),
            capacity: [v.seats as i32, v.wheelchair_spaces as i32],
            fixed: v.day_rate.0 * UNITS_PER_PENNY,
            per_distance: variable_factor * v.per_km.0 * UNITS_PER_PENNY / 1000,
            per_time: variable_factor * v.per_min.0 * UNITS_PER_PENNY / 60,
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

fn matrices(m: &Matrix) -> (usize, Vec<i64>, Vec<i64>) {
    let n = m.rows();
    let mut d = vec![0i64; n * n];
    let mut t = vec![0i64; n * n];
    for i in 0..n {
        for j in 0..n {
            d[i * n + j] = metres(m, i, j);
            t[i * n + j] = secs(m, i, j);
        }
    }
    (n, d, t)
}

/// Adds one pupil's trip as a pickup→delivery pair: `(location, earliest, latest)` for each
/// end; the load is a seat or a wheelchair space.
fn push_pupil(
    stops: &mut Vec<Stop>,
    jobs: &mut Vec<Job>,
    p: &Pupil,
    board: i64,
    limit: i64,
    from: (u32, i64, i64),
    to: (u32, i64, i64),
) {
    let j = jobs.len() as u32;
    let q = [i32::from(!p.wheelchair), i32::from(p.wheelchair)];
    let first = stops.len() as u32;
    for ((loc, early, late), kind, pickup) in [
        (from, StopKind::Pickup, q),
        (to, StopKind::Delivery, [-q[0], -q[1]]),
    ] {
        stops.push(Stop {
            loc,
            early,
            late,
            service: board,
            delivery: [0, 0],
            pickup,
            job: j,
            kind,
        });
    }
    jobs.push(Job {
        max_ride: Some(limit),
        solo: p.solo,
        needs_assistant: p.needs_assistant,
        ..Job::plain(p.id.clone(), vec![first, first + 1])
    });
}

/// Compiles the morning run. Variable costs are doubled so the search prices the mirrored
/// afternoon run too.
pub fn compile_am(sc: &Scenario, m: &Matrix, loc: &Locations) -> Compiled {
    let (n, dist, time) = matrices(m);
    let mut stops = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    let mut pupil_of_job = Vec::new();
    let mut excluded = Vec::new();
    let mut job_of_pupil = vec![u32::MAX; sc.pupils.len()];
    for (i, p) in sc.pupils.iter().enumerate() {
        if p.mode != Mode::Route {
            excluded.push((i, Reason::NotRouted));
            continue;
        }
        if !sc.vehicles.iter().any(|v| v.can_carry(p)) {
            excluded.push((i, Reason::NoVehicleFits));
            continue;
        }
        let s = &sc.schools[p.school];
        let (h, sl) = (loc.home[i], loc.school[p.school]);
        let direct = secs(m, h, sl);
        let limit = 60 * p.ride_limit_min(&sc.policy) as i64;
        let board = boarding_s(sc, p);
        if direct > limit {
            excluded.push((i, Reason::RideLimitUnreachable));
            continue;
        }
        let (e, l) = (s.am_arrive_earliest.seconds(), s.am_arrive_latest.seconds());
        // Window tightening (Cordeau 2006): the pickup must allow arrival within the
        // school window and within the ride limit.
        let pick_early = (e - limit - board).max(0);
        let pick_late = l - direct - board;
        if pick_late < pick_early {
            excluded.push((i, Reason::SchoolWindowUnreachable));
            continue;
        }
        let j = jobs.len() as u32;
        job_of_pupil[i] = j;
        push_pupil(
            &mut stops,
            &mut jobs,
            p,
            board,
            limit,
            (h as u32, pick_early, pick_late),
            (sl as u32, e, l),
        );
        pupil_of_job.push(i);
    }
    for (j, &i) in pupil_of_job.iter().enumerate() {
        let mut inc: Vec<u32> = sc.pupils[i]
            .incompatible_with
            .iter()
            .map(|&o| job_of_pupil[o])
            .filter(|&x| x != u32::MAX)
            .collect();
        inc.sort_unstable();
        jobs[j].incompatible = inc;
    }
    let vehicles = vehicle_types(sc, n as u32, 2);
    let problem = Problem::new(
        sc.name.clone(),
        n,
        &dist,
        &time,
        stops,
        jobs,
        vehicles,
        UNITS_PER_PENNY as f64,
    );
    Compiled {
        problem,
        pupil_of_job,
        excluded,
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

/// One stop of a run, for outputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanStop {
    /// Pupil id.
    pub pupil: String,
    /// School id.
    pub school: String,
    /// Pickup or drop-off.
    pub event: Event,
    /// At home or at school.
    pub place: Place,
    /// Matrix location index.
    #[serde(skip)]
    pub loc: usize,
    /// Service start, seconds after midnight.
    pub time_s: i64,
}

/// One run (AM or PM) of a vehicle.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    /// Stops in order.
    pub stops: Vec<PlanStop>,
    /// Metres driven with pupils.
    pub metres: i64,
    /// Seconds from first to last stop.
    pub seconds: i64,
}

/// One vehicle-day: its AM run and PM run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlannedRoute {
    /// Route id.
    pub id: String,
    /// Vehicle type id.
    pub vehicle: String,
    /// A passenger assistant travels.
    pub assistant: bool,
    /// Morning run (may be empty for an afternoon-only split vehicle).
    pub am: Option<Run>,
    /// Afternoon run.
    pub pm: Option<Run>,
    /// Cost per day: day rate, km and minutes of both runs, assistant.
    pub cost_per_day: Pence,
    /// Pupils carried.
    pub pupils: Vec<String>,
}

/// A pupil not on any route.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Unrouted {
    /// Pupil id.
    pub pupil: String,
    /// Why.
    pub reason: Reason,
}

/// A priced plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    /// Vehicle-days.
    pub routes: Vec<PlannedRoute>,
    /// Pupils not routed, with reasons.
    pub unrouted: Vec<Unrouted>,
    /// Cost per school day.
    pub cost_per_day: Pence,
    /// Annual cost (school days × daily cost).
    pub cost_per_year: Pence,
    /// Pupils whose PM run had to be planned apart from their AM vehicle.
    pub pm_split_pupils: usize,
    /// Checker violations (empty for a valid plan).
    pub violations: Vec<String>,
    /// Search iterations.
    pub iterations: u64,
    /// Search seconds.
    pub seconds: f64,
}

fn run_cost(sc: &Scenario, vehicle: usize, metres: i64, seconds: i64) -> Pence {
    let v = &sc.vehicles[vehicle];
    // Per-km and per-minute prices on exact metres and seconds, rounded once per run.
    Pence(
        ((v.per_km.0 as i128 * metres as i128 * 60
            + v.per_min.0 as i128 * seconds as i128 * 1000
            + 30_000)
            / 60_000) as i64,
    )
}

/// Builds the afternoon problem for a set of pupils: pickup at school from the finishing
/// time (waiting at most [`PM_MAX_WAIT_S`]), drop-off at home within the ride limit.
fn compile_pm(
    sc: &Scenario,
    m: &Matrix,
    loc: &Locations,
    pupils: &[usize],
    only_vehicle: Option<usize>,
) -> (Problem, Vec<usize>) {
    let (n, dist, time) = matrices(m);
    let mut stops = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    let mut job_of_pupil = std::collections::BTreeMap::new();
    for &i in pupils {
        let p = &sc.pupils[i];
        let s = &sc.schools[p.school];
        let board = boarding_s(sc, p);
        let limit = 60 * p.ride_limit_min(&sc.policy) as i64;
        let depart = s.pm_depart.seconds();
        let j = jobs.len() as u32;
        job_of_pupil.insert(i, j);
        push_pupil(
            &mut stops,
            &mut jobs,
            p,
            board,
            limit,
            (loc.school[p.school] as u32, depart, depart + PM_MAX_WAIT_S),
            (loc.home[i] as u32, 0, 24 * 3600),
        );
    }
    for &i in pupils {
        let j = job_of_pupil[&i] as usize;
        let mut inc: Vec<u32> = sc.pupils[i]
            .incompatible_with
            .iter()
            .filter_map(|o| job_of_pupil.get(o).copied())
            .collect();
        inc.sort_unstable();
        jobs[j].incompatible = inc;
    }
    let mut vehicles = vehicle_types(sc, n as u32, 1);
    if let Some(only) = only_vehicle {
        for (v, vt) in vehicles.iter_mut().enumerate() {
            vt.count = Some(u32::from(v == only));
        }
    }
    (
        Problem::new(
            format!("{} (PM)", sc.name),
            n,
            &dist,
            &time,
            stops,
            jobs,
            vehicles,
            UNITS_PER_PENNY as f64,
        ),
        pupils.to_vec(),
    )
}

/// The afternoon mirror of a morning route: the same vehicle and pupils in reverse order.
fn mirror(am: &Problem, pm: &Problem, stops: &[u32]) -> Vec<u32> {
    // In the PM problem, job k has stops [2k (school pickup), 2k + 1 (home drop-off)], and
    // jobs are numbered as in the AM problem when all pupils are included.
    stops
        .iter()
        .rev()
        .map(|&s| {
            let st = &am.stops[s as usize];
            let job = &pm.jobs[st.job as usize];
            if st.kind == StopKind::Pickup {
                job.stops[1]
            } else {
                job.stops[0]
            }
        })
        .collect()
}

fn to_run(
    sc: &Scenario,
    p: &Problem,
    pupils_of_job: &[usize],
    stops: &[u32],
    times: &[i64],
    am: bool,
) -> Run {
    let mut metres = 0;
    let mut plan_stops = Vec::new();
    for (k, &s) in stops.iter().enumerate() {
        let st = &p.stops[s as usize];
        if k > 0 {
            metres += p.dist(p.stops[stops[k - 1] as usize].loc, st.loc);
        }
        let pupil = &sc.pupils[pupils_of_job[st.job as usize]];
        let at_home = (st.kind == StopKind::Pickup) == am;
        plan_stops.push(PlanStop {
            pupil: pupil.id.clone(),
            school: sc.schools[pupil.school].id.clone(),
            event: if st.kind == StopKind::Pickup {
                Event::Pickup
            } else {
                Event::Dropoff
            },
            place: if at_home { Place::Home } else { Place::School },
            loc: st.loc as usize,
            time_s: times[k + 1],
        });
    }
    let seconds = match (times.get(1), stops.last()) {
        (Some(&first), Some(&last)) => times[stops.len()] + p.stops[last as usize].service - first,
        _ => 0,
    };
    Run {
        stops: plan_stops,
        metres,
        seconds,
    }
}

/// Re-optimises only the morning runs, from `warm`: the compiled problem and solution.
pub fn morning(
    sc: &Scenario,
    m: &Matrix,
    loc: &Locations,
    settings: &routing::Settings,
    warm: Option<&Warm>,
) -> (Compiled, Solution) {
    let compiled = compile_am(sc, m, loc);
    let initial = warm.map(|w| w.solution(&compiled));
    let out = routing::solve(&compiled.problem, settings, initial.as_ref(), &|_, _| {});
    (compiled, out.solution)
}

/// The daily cost of a morning solution with each afternoon run priced as its mirror
/// (same vehicle, reverse order; where the mirror breaks a rule, the afternoon's km and
/// minutes are taken equal to the morning's). No afternoon search, so two solutions
/// compare without the afternoon search's randomness. Returns the cost and vehicles.
pub fn mirrored_day_cost(
    sc: &Scenario,
    m: &Matrix,
    loc: &Locations,
    c: &Compiled,
    sol: &Solution,
) -> (Pence, usize) {
    let am = &c.problem;
    let (pm_all, _) = compile_pm(sc, m, loc, &c.pupil_of_job, None);
    let mut total = Pence(0);
    for r in &sol.routes {
        let Some(times) = routing::schedule::schedule(am, r.vehicle, &r.stops).map(|s| s.times)
        else {
            continue;
        };
        let am_run = to_run(sc, am, &c.pupil_of_job, &r.stops, &times, true);
        let pm_stops = mirror(am, &pm_all, &r.stops);
        let pm_run = routing::schedule::schedule(&pm_all, r.vehicle, &pm_stops)
            .map(|s| to_run(sc, &pm_all, &c.pupil_of_job, &pm_stops, &s.times, false));
        let (pm_m, pm_s) = pm_run
            .map(|x| (x.metres, x.seconds))
            .unwrap_or((am_run.metres, am_run.seconds));
        total += sc.vehicles[r.vehicle].day_rate
            + run_cost(sc, r.vehicle, am_run.metres, am_run.seconds)
            + run_cost(sc, r.vehicle, pm_m, pm_s)
            + if r.assistant_jobs > 0 {
                sc.policy.assistant_day_cost
            } else {
                Pence(0)
            };
    }
    (total, sol.routes.len())
}

/// Fewest search iterations for the afternoon runs that could not mirror the morning.
const PM_MIN_ITERATIONS: u64 = 1_000;

/// Plans a scenario: compile, solve the AM run, mirror or re-plan the PM run, price it.
pub fn plan(
    sc: &Scenario,
    m: &Matrix,
    loc: &Locations,
    settings: &routing::Settings,
    progress: &(dyn Fn(u64, i64) + Sync),
) -> Plan {
    plan_with(sc, m, loc, settings, progress, None)
}

/// [`plan`], with route recombination over the search's route pool when a
/// set-partitioning solver is given (morning and split afternoon runs).
pub fn plan_with(
    sc: &Scenario,
    m: &Matrix,
    loc: &Locations,
    settings: &routing::Settings,
    progress: &(dyn Fn(u64, i64) + Sync),
    recombine: Option<&dyn routing::SetPartitioner>,
) -> Plan {
    plan_from(sc, m, loc, settings, progress, recombine, None)
}

/// A plan's morning runs as pupils in visiting order: a starting point for re-planning.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Warm {
    /// One entry per vehicle: its type and its stops as (pupil index, is pickup).
    pub routes: Vec<(usize, Vec<(usize, bool)>)>,
}

impl Warm {
    /// The morning runs of a plan. Pupils or vehicle types the scenario does not know are
    /// skipped (the search places any pupil left out).
    pub fn from_plan(sc: &Scenario, plan: &Plan) -> Warm {
        let index = sc.pupil_index();
        let routes = plan
            .routes
            .iter()
            .filter_map(|r| {
                let v = sc.vehicles.iter().position(|v| v.id == r.vehicle)?;
                let am = r.am.as_ref()?;
                let stops = am
                    .stops
                    .iter()
                    .filter_map(|s| Some((*index.get(s.pupil.as_str())?, s.event == Event::Pickup)))
                    .collect();
                Some((v, stops))
            })
            .collect();
        Warm { routes }
    }

    /// Drops pupils from every route (e.g. those moving to PTB or ITT).
    pub fn without(&self, pupils: &[usize]) -> Warm {
        Warm {
            routes: self
                .routes
                .iter()
                .map(|(v, st)| {
                    (
                        *v,
                        st.iter()
                            .copied()
                            .filter(|(p, _)| !pupils.contains(p))
                            .collect(),
                    )
                })
                .collect(),
        }
    }

    /// The starting solution in a compiled morning problem: each route keeps its order;
    /// a route that breaks a rule (or names a pupil not in the problem twice) is dropped
    /// and its pupils are left for the search to place.
    pub fn solution(&self, c: &Compiled) -> Solution {
        let p = &c.problem;
        let mut job_of_pupil = std::collections::HashMap::new();
        for (j, &i) in c.pupil_of_job.iter().enumerate() {
            job_of_pupil.insert(i, j);
        }
        let mut placed = vec![false; p.jobs.len()];
        let mut routes = Vec::new();
        for (v, stops) in &self.routes {
            if *v >= p.vehicles.len() {
                continue;
            }
            let mut seq = Vec::new();
            for &(pupil, pickup) in stops {
                if let Some(&j) = job_of_pupil.get(&pupil) {
                    if !placed[j] {
                        let job = &p.jobs[j];
                        seq.push(job.stops[if pickup { 0 } else { job.stops.len() - 1 }]);
                    }
                }
            }
            let complete = seq.iter().all(|&s| {
                let j = p.stops[s as usize].job as usize;
                seq.iter()
                    .filter(|&&t| p.stops[t as usize].job as usize == j)
                    .count()
                    == p.jobs[j].stops.len()
            });
            if seq.is_empty() || !complete {
                continue;
            }
            let alone = Solution::from_routes(p, vec![(*v, seq.clone())]);
            if routing::verify(p, &alone).ok() {
                for &s in &seq {
                    placed[p.stops[s as usize].job as usize] = true;
                }
                routes.push((*v, seq));
            }
        }
        Solution::from_routes(p, routes)
    }
}

/// [`plan_with`], starting the morning search from `warm` when given.
pub fn plan_from(
    sc: &Scenario,
    m: &Matrix,
    loc: &Locations,
    settings: &routing::Settings,
    progress: &(dyn Fn(u64, i64) + Sync),
    recombine: Option<&dyn routing::SetPartitioner>,
    warm: Option<&Warm>,
) -> Plan {
    let compiled = compile_am(sc, m, loc);
    let am = &compiled.problem;
    let initial = warm.map(|w| w.solution(&compiled));
    let outcome = routing::solve_with(am, settings, initial.as_ref(), progress, recombine);
    finish(sc, m, loc, settings, recombine, &compiled, &outcome)
}

/// Turns a morning solution into a priced plan: afternoon runs (mirrors, same-vehicle
/// re-orders, then splits), costs, unrouted pupils with reasons, and checker results.
pub fn finish(
    sc: &Scenario,
    m: &Matrix,
    loc: &Locations,
    settings: &routing::Settings,
    recombine: Option<&dyn routing::SetPartitioner>,
    compiled: &Compiled,
    outcome: &routing::Outcome,
) -> Plan {
    let am = &compiled.problem;
    let sol = &outcome.solution;
    let mut violations = routing::verify(am, sol).violations;

    // Afternoon: the mirror of each AM route, checked against the PM rules.
    let all_routed: Vec<usize> = compiled.pupil_of_job.clone();
    let (pm_all, _) = compile_pm(sc, m, loc, &all_routed, None);
    let mut routes = Vec::new();
    let mut split_pupils: Vec<usize> = Vec::new();
    let mut cost_per_day = Pence(0);
    for (k, r) in sol.routes.iter().enumerate() {
        let times = routing::schedule::schedule(am, r.vehicle, &r.stops)
            .map(|s| s.times)
            .unwrap_or_default();
        if times.is_empty() {
            violations.push(format!("route {k}: no feasible AM schedule"));
            continue;
        }
        let am_run = to_run(sc, am, &compiled.pupil_of_job, &r.stops, &times, true);
        let pm_stops = mirror(am, &pm_all, &r.stops);
        let mut pm_run = routing::schedule::schedule(&pm_all, r.vehicle, &pm_stops)
            .map(|s| to_run(sc, &pm_all, &all_routed, &pm_stops, &s.times, false));
        if pm_run.is_none() {
            // The reverse order breaks a finishing time: let the same vehicle collect the
            // same pupils in the best order that works.
            let mine: Vec<usize> = r
                .jobs(am)
                .map(|j| compiled.pupil_of_job[j as usize])
                .collect();
            let (own, own_pupils) = compile_pm(sc, m, loc, &mine, Some(r.vehicle));
            let small = routing::Settings {
                time_limit: settings.time_limit.map(|t| t / 20),
                iterations: Some(2_000),
                threads: 1,
                seed: settings.seed,
            };
            let out = routing::solve(&own, &small, None, &|_, _| {});
            if out.solution.unassigned.is_empty() && out.solution.routes.len() == 1 {
                let rr = &out.solution.routes[0];
                if let Some(sched) = routing::schedule::schedule(&own, rr.vehicle, &rr.stops) {
                    violations.extend(routing::verify(&own, &out.solution).violations);
                    pm_run = Some(to_run(
                        sc,
                        &own,
                        &own_pupils,
                        &rr.stops,
                        &sched.times,
                        false,
                    ));
                }
            }
        }
        let pupils: Vec<String> = r
            .jobs(am)
            .map(|j| sc.pupils[compiled.pupil_of_job[j as usize]].id.clone())
            .collect();
        let assistant = r.assistant_jobs > 0;
        if pm_run.is_none() {
            split_pupils.extend(r.jobs(am).map(|j| compiled.pupil_of_job[j as usize]));
        }
        let v = &sc.vehicles[r.vehicle];
        let mut cost = v.day_rate
            + run_cost(sc, r.vehicle, am_run.metres, am_run.seconds)
            + if assistant {
                sc.policy.assistant_day_cost
            } else {
                Pence(0)
            };
        if let Some(pm) = &pm_run {
            cost += run_cost(sc, r.vehicle, pm.metres, pm.seconds);
        }
        cost_per_day += cost;
        routes.push(PlannedRoute {
            id: format!("N{:03}", k + 1),
            vehicle: v.id.clone(),
            assistant,
            am: Some(am_run),
            pm: pm_run,
            cost_per_day: cost,
            pupils,
        });
    }
    // Where even the same vehicle cannot bring its pupils home, plan those pupils'
    // afternoon together. The vehicles whose mirror failed are already hired for the day,
    // so they join at no day rate; any further vehicle pays its own.
    let mut unrouted: Vec<Unrouted> = compiled
        .excluded
        .iter()
        .map(|&(i, r)| Unrouted {
            pupil: sc.pupils[i].id.clone(),
            reason: r,
        })
        .collect();
    unrouted.extend(sol.unassigned.iter().map(|&j| Unrouted {
        pupil: sc.pupils[compiled.pupil_of_job[j as usize]].id.clone(),
        reason: Reason::NoFeasibleRoute,
    }));
    if !split_pupils.is_empty() {
        split_pupils.sort_unstable();
        let (mut pm, pm_pupils) = compile_pm(sc, m, loc, &split_pupils, None);
        let nv = sc.vehicles.len();
        let mut free: Vec<Vec<usize>> = vec![Vec::new(); nv];
        let mut used_am = vec![0u32; nv];
        for (k, r) in routes.iter().enumerate() {
            let v = sc
                .vehicles
                .iter()
                .position(|x| x.id == r.vehicle)
                .unwrap_or(0);
            used_am[v] += 1;
            if r.pm.is_none() {
                free[v].push(k);
            }
        }
        let mut types = Vec::with_capacity(2 * nv);
        for (v, vt) in pm.vehicles.iter().enumerate() {
            let mut hired = vt.clone();
            hired.fixed = 0;
            hired.count = Some(free[v].len() as u32);
            let mut extra = vt.clone();
            extra.count = vt.count.map(|c| c.saturating_sub(used_am[v]));
            types.push(hired);
            types.push(extra);
        }
        pm.vehicles = types;
        let pm_settings = routing::Settings {
            time_limit: settings.time_limit.map(|t| t / 4),
            iterations: settings.iterations.map(|i| (i / 4).max(PM_MIN_ITERATIONS)),
            ..settings.clone()
        };
        let pm_out = routing::solve_with(&pm, &pm_settings, None, &|_, _| {}, recombine);
        violations.extend(routing::verify(&pm, &pm_out.solution).violations);
        let mut next_free = vec![0usize; nv];
        for r in &pm_out.solution.routes {
            let times = routing::schedule::schedule(&pm, r.vehicle, &r.stops)
                .map(|s| s.times)
                .unwrap_or_default();
            if times.is_empty() {
                continue;
            }
            let v = r.vehicle / 2;
            let run = to_run(sc, &pm, &pm_pupils, &r.stops, &times, false);
            let assistant = r.assistant_jobs > 0;
            let variable = run_cost(sc, v, run.metres, run.seconds);
            if r.vehicle % 2 == 0 && next_free[v] < free[v].len() {
                let k = free[v][next_free[v]];
                next_free[v] += 1;
                let route = &mut routes[k];
                let mut extra = variable;
                if assistant && !route.assistant {
                    route.assistant = true;
                    extra += sc.policy.assistant_day_cost;
                }
                route.cost_per_day += extra;
                cost_per_day += extra;
                route.pm = Some(run);
            } else {
                let vt = &sc.vehicles[v];
                let cost = vt.day_rate
                    + variable
                    + if assistant {
                        sc.policy.assistant_day_cost
                    } else {
                        Pence(0)
                    };
                cost_per_day += cost;
                let pupils = r
                    .jobs(&pm)
                    .map(|j| sc.pupils[pm_pupils[j as usize]].id.clone())
                    .collect();
                routes.push(PlannedRoute {
                    id: format!("N{:03}", routes.len() + 1),
                    vehicle: vt.id.clone(),
                    assistant,
                    am: None,
                    pm: Some(run),
                    cost_per_day: cost,
                    pupils,
                });
            }
        }
        unrouted.extend(pm_out.solution.unassigned.iter().map(|&j| Unrouted {
            pupil: sc.pupils[pm_pupils[j as usize]].id.clone(),
            reason: Reason::NoFeasibleRoute,
        }));
    }
    unrouted.sort_by(|a, b| a.pupil.cmp(&b.pupil));
    unrouted.dedup_by(|a, b| a.pupil == b.pupil);
    Plan {
        cost_per_year: cost_per_day * sc.policy.school_days as i64,
        cost_per_day,
        routes,
        unrouted,
        pm_split_pupils: split_pupils.len(),
        violations,
        iterations: outcome.iterations,
        seconds: outcome.seconds,
    }
}

/// A pupil the plan does not account for exactly once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pupil {pupil}: {am} AM pickups, {pm} PM pickups, listed unrouted {listed} times")]
pub struct Unaccounted {
    /// Pupil id.
    pub pupil: String,
    /// Morning pickups of the pupil in the plan.
    pub am: usize,
    /// Afternoon pickups.
    pub pm: usize,
    /// Times the pupil is listed as not routed.
    pub listed: usize,
}

/// Every pupil accounted for: routed (AM and PM), or listed with a reason.
pub fn accounted(sc: &Scenario, plan: &Plan) -> Result<(), Unaccounted> {
    let mut am = std::collections::BTreeMap::<&str, usize>::new();
    let mut pm = std::collections::BTreeMap::<&str, usize>::new();
    for r in &plan.routes {
        for s in
            r.am.iter()
                .flat_map(|x| x.stops.iter())
                .filter(|s| s.event == Event::Pickup)
        {
            *am.entry(s.pupil.as_str()).or_default() += 1;
        }
        for s in
            r.pm.iter()
                .flat_map(|x| x.stops.iter())
                .filter(|s| s.event == Event::Pickup)
        {
            *pm.entry(s.pupil.as_str()).or_default() += 1;
        }
    }
    for p in &sc.pupils {
        let listed = plan.unrouted.iter().filter(|u| u.pupil == p.id).count();
        let (a, b) = (
            am.get(p.id.as_str()).copied().unwrap_or(0),
            pm.get(p.id.as_str()).copied().unwrap_or(0),
        );
        let ok = (listed == 1 && a == 0)
            || (listed == 0 && a == 1 && b == 1)
            || (listed == 1 && a == 1 && b == 0);
        if !ok {
            return Err(Unaccounted {
                pupil: p.id.clone(),
                am: a,
                pm: b,
                listed,
            });
        }
    }
    Ok(())
}
