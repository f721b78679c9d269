//! A generator of realistic SEN transport scenarios on a real road network.
//!
//! Needs mix and other figures (each an assumption unless a source is given):
//! - wheelchair users ~10% of SEN transport pupils (assumption; councils' WAV fleets are
//!   typically a tenth to a fifth of SEN vehicles);
//! - ~35% need a passenger assistant overall: 70% of wheelchair users, ~31% of others
//!   (assumption, in line with council transport policies that attach PAs to complex needs);
//! - ~9% travel solo (DfE/NAO: about 9% of pupils are in single-occupancy vehicles);
//! - ~3% have an incompatibility with another pupil at the same school (assumption);
//! - ~5% have a medical ride limit of 30–40 minutes (assumption);
//! - Values Modes: 38% pioneers, 37% prospectors, 26% settlers (British Values Survey);
//! - 45% of routed pupils PTB-eligible, 25% of ambulant secondary pupils ITT-eligible
//!   (assumption);
//! - ~50% of pupils attend special schools that draw from the whole area, the rest SEN
//!   units in one in three mainstream schools, near home (assumption).
//!
//! Today's routes are built the way legacy provision works: one school per vehicle,
//! greedy nearest-neighbour grouping with at most four pupils, priced from the operators'
//! rate cards with a spot-hire premium, so the as-is cost lands near the national average.

use crate::matrix::Matrix;
use crate::network::osm::OsmSchool;
use crate::network::{Network, haversine_m};
use crate::scenario::*;
use crate::units::{Clock, Pence};

pub use crate::rng::Rng;

#[derive(Clone, Copy, PartialEq)]
enum SchoolKind {
    Special,
    Primary,
    Secondary,
}

fn kind_from_name(name: &str) -> Option<SchoolKind> {
    let n = name.to_ascii_lowercase();
    if n.contains("primary")
        || n.contains("infant")
        || n.contains("junior")
        || n.contains("c of e")
        || n.contains("cofe")
        || n.contains("church of england")
    {
        Some(SchoolKind::Primary)
    } else if n.contains("college")
        || n.contains("academy")
        || n.contains("secondary")
        || n.contains("high school")
        || n.contains("upper")
        || n.ends_with(" school")
    {
        Some(SchoolKind::Secondary)
    } else {
        None
    }
}

/// Options of [`generate`].
pub struct Options {
    /// Number of pupils.
    pub pupils: usize,
    /// Random seed.
    pub seed: u64,
    /// Path of the extract as written into `scenario.toml` (relative to the folder).
    pub osm_in_toml: std::path::PathBuf,
    /// Scenario name.
    pub name: String,
    /// How many schools: taken from the extract when it has enough, the rest placed on
    /// the network (`None`: every school of the extract).
    pub schools: Option<usize>,
}

/// Schools placed on the network: points on roads spread over the area (each the farthest
/// of a few random road points from the schools placed so far), named `Generated school k`.
fn place_schools(net: &Network, n: usize, rng: &mut Rng) -> Vec<OsmSchool> {
    let roads: Vec<&[[f64; 2]]> = net.roads().roads().map(|(g, _)| g).collect();
    let mut out: Vec<OsmSchool> = Vec::new();
    if roads.is_empty() {
        return out;
    }
    let mut k = 0;
    while out.len() < n && k < 50 * n + 100 {
        k += 1;
        let mut best: Option<([f64; 2], f64)> = None;
        for _ in 0..8 {
            let g = roads[rng.below(roads.len())];
            let pt = g[rng.below(g.len())];
            if !net.snap(pt[0], pt[1]).is_some_and(|s| s.distance_m < 50.0) {
                continue;
            }
            let gap = out
                .iter()
                .map(|s| haversine_m([s.lat, s.lon], pt))
                .fold(f64::INFINITY, f64::min);
            if best.is_none_or(|b| gap > b.1) {
                best = Some((pt, gap));
            }
        }
        if let Some((pt, _)) = best {
            out.push(OsmSchool {
                osm_id: format!("g{}", out.len() + 1),
                name: format!("Generated school {}", out.len() + 1),
                lat: pt[0],
                lon: pt[1],
            });
        }
    }
    out
}

/// Generates a complete scenario on the network. Same inputs and seed → same scenario.
pub fn generate(
    net: &Network,
    osm_schools: &[OsmSchool],
    opts: &Options,
) -> crate::Result<Scenario> {
    let mut rng = Rng::new(opts.seed);
    // Schools that snap onto the network.
    let mut candidates: Vec<OsmSchool> = osm_schools
        .iter()
        .filter(|s| net.snap(s.lat, s.lon).is_some_and(|p| p.distance_m < 300.0))
        .cloned()
        .collect();
    candidates.sort_by(|a, b| a.osm_id.cmp(&b.osm_id));
    if let Some(n) = opts.schools {
        if candidates.len() > n {
            // An even spread of the extract's schools.
            let step = candidates.len() as f64 / n as f64;
            candidates = (0..n)
                .map(|k| candidates[(k as f64 * step) as usize].clone())
                .collect();
        } else {
            let more = place_schools(net, n - candidates.len(), &mut rng);
            candidates.extend(more);
        }
    }
    if candidates.len() < 2 {
        return Err(crate::Error::problem(crate::error::Problem::argument(
            "--schools",
            candidates.len().to_string(),
            "at least 2 schools: the extract has too few near its roads, so place some with --schools N",
        )));
    }
    let n_special = (candidates.len() / 8).clamp(1, 4);
    let mut kinds: Vec<SchoolKind> = candidates
        .iter()
        .map(|s| {
            kind_from_name(&s.name).unwrap_or(if rng.chance(0.6) {
                SchoolKind::Primary
            } else {
                SchoolKind::Secondary
            })
        })
        .collect();
    let mut specials = 0;
    while specials < n_special {
        let i = rng.below(candidates.len());
        if kinds[i] != SchoolKind::Special {
            kinds[i] = SchoolKind::Special;
            specials += 1;
        }
    }
    let schools: Vec<School> = candidates
        .iter()
        .zip(&kinds)
        .enumerate()
        .map(|(i, (s, k))| {
            // Bell times staggered by school so that some vehicles can chain runs.
            let jitter = 5 * rng.below(4) as u32;
            let (bell, pm) = match k {
                SchoolKind::Secondary => (Clock::hm(8, 30).0 + jitter, Clock::hm(15, 5).0 + jitter),
                SchoolKind::Primary => (Clock::hm(8, 50).0 + jitter, Clock::hm(15, 15).0 + jitter),
                SchoolKind::Special => (Clock::hm(9, 5).0 + jitter, Clock::hm(15, 0).0 + jitter),
            };
            School {
                id: format!("S{:02}", i + 1),
                name: if s.name.is_empty() {
                    format!("School {}", s.osm_id)
                } else {
                    s.name.clone()
                },
                lat: s.lat,
                lon: s.lon,
                am_arrive_earliest: Clock(bell - 15),
                am_arrive_latest: Clock(bell),
                pm_depart: Clock(pm),
            }
        })
        .collect();

    // Homes: points along residential roads (weighted by length), set back from the kerb.
    let mut streets: Vec<(&[[f64; 2]], f64)> = net
        .roads()
        .roads()
        .filter(|(_, residential)| *residential)
        .map(|(g, _)| {
            (
                g,
                g.windows(2).map(|w| haversine_m(w[0], w[1])).sum::<f64>(),
            )
        })
        .filter(|(_, len)| *len > 20.0)
        .collect();
    if streets.is_empty() {
        streets = net
            .roads()
            .roads()
            .map(|(g, _)| {
                (
                    g,
                    g.windows(2).map(|w| haversine_m(w[0], w[1])).sum::<f64>(),
                )
            })
            .collect();
    }
    let total_len: f64 = streets.iter().map(|s| s.1).sum();
    let mut cumulative = Vec::with_capacity(streets.len());
    let mut acc = 0.0;
    for s in &streets {
        acc += s.1;
        cumulative.push(acc);
    }
    let home = |rng: &mut Rng| -> [f64; 2] {
        loop {
            let x = rng.unit() * total_len;
            let i = cumulative
                .partition_point(|&c| c < x)
                .min(streets.len() - 1);
            let g = streets[i].0;
            let k = rng.below(g.len() - 1);
            let t = rng.unit();
            let p = [
                g[k][0] + t * (g[k + 1][0] - g[k][0]),
                g[k][1] + t * (g[k + 1][1] - g[k][1]),
            ];
            let set_back = 10.0 + 25.0 * rng.unit();
            let bearing = rng.unit() * std::f64::consts::TAU;
            let dlat = set_back * bearing.cos() / 111_195.0;
            let dlon = set_back * bearing.sin() / (111_195.0 * p[0].to_radians().cos());
            let h = [p[0] + dlat, p[1] + dlon];
            if net.snap(h[0], h[1]).is_some_and(|s| s.distance_m < 100.0) {
                return h;
            }
        }
    };

    let special: Vec<usize> = (0..schools.len())
        .filter(|&i| kinds[i] == SchoolKind::Special)
        .collect();
    // Only some mainstream schools run an SEN unit (about one in three, at least two).
    let mut sen_unit = vec![false; schools.len()];
    for kind in [SchoolKind::Primary, SchoolKind::Secondary] {
        let of_kind: Vec<usize> = (0..schools.len()).filter(|&i| kinds[i] == kind).collect();
        let want = (of_kind.len() / 3).max(2).min(of_kind.len());
        let mut chosen = 0;
        while chosen < want {
            let i = of_kind[rng.below(of_kind.len())];
            if !sen_unit[i] {
                sen_unit[i] = true;
                chosen += 1;
            }
        }
    }
    let mut pupils: Vec<Pupil> = Vec::with_capacity(opts.pupils);
    for i in 0..opts.pupils {
        let h = home(&mut rng);
        let phase = if rng.chance(0.55) {
            Phase::Primary
        } else {
            Phase::Secondary
        };
        let want = if phase == Phase::Primary {
            SchoolKind::Primary
        } else {
            SchoolKind::Secondary
        };
        let mut local: Vec<(f64, usize)> = (0..schools.len())
            .filter(|&s| kinds[s] == want && sen_unit[s])
            .map(|s| (haversine_m(h, [schools[s].lat, schools[s].lon]), s))
            .collect();
        local.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let school = if local.is_empty() || rng.chance(0.5) {
            special[rng.below(special.len())]
        } else {
            local[rng.below(local.len().min(3))].1
        };
        let wheelchair = rng.chance(0.10);
        let needs_assistant = rng.chance(if wheelchair { 0.70 } else { 0.31 });
        let solo = rng.chance(0.09);
        let max_ride_min = rng.chance(0.05).then(|| (30 + 5 * rng.below(3)) as f64);
        let mode = if rng.chance(0.04) {
            Mode::Ptb
        } else if rng.chance(0.01) {
            Mode::Other
        } else {
            Mode::Route
        };
        let ptb_eligible = mode == Mode::Route && rng.chance(0.45);
        let itt_eligible =
            mode == Mode::Route && phase == Phase::Secondary && !wheelchair && rng.chance(0.25);
        let v = rng.unit() * 101.0;
        let values_mode = if v < 38.0 {
            ValuesMode::Pioneer
        } else if v < 75.0 {
            ValuesMode::Prospector
        } else {
            ValuesMode::Settler
        };
        pupils.push(Pupil {
            id: format!("P{:04}", i + 1),
            school,
            lat: (h[0] * 1e6).round() / 1e6,
            lon: (h[1] * 1e6).round() / 1e6,
            phase,
            wheelchair,
            needs_assistant,
            solo,
            max_ride_min,
            incompatible_with: Vec::new(),
            mode,
            ptb_eligible,
            itt_eligible,
            values_mode,
        });
    }
    // Incompatible pairs among pupils of the same school.
    for i in 0..pupils.len() {
        if rng.chance(0.03) {
            let mates: Vec<usize> = (0..pupils.len())
                .filter(|&j| j != i && pupils[j].school == pupils[i].school)
                .collect();
            if !mates.is_empty() {
                let j = mates[rng.below(mates.len())];
                if !pupils[i].incompatible_with.contains(&j) {
                    pupils[i].incompatible_with.push(j);
                    pupils[j].incompatible_with.push(i);
                }
            }
        }
    }
    for p in &mut pupils {
        p.incompatible_with.sort_unstable();
    }

    // Fleets sized for the cohort: about one vehicle per two pupils across operators.
    let k = (opts.pupils as f64 / 200.0).max(0.25);
    let vehicles = vec![
        vehicle("taxi", 4, 0, 40.0, 1.00, 0.25, None),
        vehicle("wav", 4, 1, 52.0, 1.20, 0.30, None),
        vehicle(
            "minibus",
            8,
            2,
            80.0,
            1.40,
            0.35,
            Some((12.0 * k).ceil() as u32),
        ),
    ];
    let n = |x: f64| Some((x * k).ceil() as u32);
    let operators = vec![
        operator(
            "OP1",
            "Rutland Cars",
            n(45.0),
            vec![n(40.0), Some(0), Some(0)],
        ),
        operator(
            "OP2",
            "Vale Accessible Transport",
            n(30.0),
            vec![n(6.0), n(12.0), n(4.0)],
        ),
        operator(
            "OP3",
            "Welland Coaches",
            n(15.0),
            vec![Some(0), n(4.0), n(8.0)],
        ),
        operator("OP4", "Oakham Taxis", None, vec![n(30.0), n(6.0), Some(0)]),
    ];
    let mut rates = Vec::new();
    for (o, op) in operators.iter().enumerate() {
        for (v, vt) in vehicles.iter().enumerate() {
            if op.fleet[v] != Some(0) {
                let k = 0.9 + 0.25 * rng.unit();
                let scale = |p: Pence| Pence((p.0 as f64 * k).round() as i64);
                rates.push(RateCard {
                    operator: o,
                    vehicle: v,
                    day_rate: scale(vt.day_rate),
                    per_km: scale(vt.per_km),
                    per_min: scale(vt.per_min),
                });
            }
        }
    }
    let mut scenario = Scenario {
        name: opts.name.clone(),
        osm: opts.osm_in_toml.clone(),
        policy: Policy {
            // A passenger assistant works about 3.5 paid hours a school day at ~£11.50/h.
            assistant_day_cost: Pence::from_pounds(40.0),
            ..Policy::default()
        },
        solver: SolverSettings::default(),
        // A council policy typical of DPS frameworks: no operator wins more than 45% of
        // the routes, at least three operators keep work, and the council runs two of its
        // own minibuses.
        tender: TenderPolicy {
            max_share: 0.45,
            min_operators: 3,
            in_house: vehicles
                .iter()
                .map(|v| if v.id == "minibus" { 2 } else { 0 })
                .collect(),
            in_house_overhead_pct: 10.0,
        },
        schools,
        pupils,
        vehicles,
        operators,
        rates,
        bids: Vec::new(),
        bundles: Vec::new(),
        current_routes: Vec::new(),
        addresses: Default::default(),
    };
    if let Some(first_special) = special.first() {
        scenario.bundles.push(Bundle {
            id: "B1".into(),
            operator: 1,
            scope: BundleScope::School(*first_special),
            discount_pct: 6.0,
        });
    }
    scenario.current_routes = legacy_routes(net, &scenario)?;
    Ok(scenario)
}

fn vehicle(
    id: &str,
    seats: u32,
    wc: u32,
    day: f64,
    km: f64,
    min: f64,
    available: Option<u32>,
) -> VehicleType {
    VehicleType {
        id: id.into(),
        seats,
        wheelchair_spaces: wc,
        day_rate: Pence::from_pounds(day),
        per_km: Pence::from_pounds(km),
        per_min: Pence::from_pounds(min),
        available,
    }
}

fn operator(id: &str, name: &str, max_routes: Option<u32>, fleet: Vec<Option<u32>>) -> Operator {
    Operator {
        id: id.into(),
        name: name.into(),
        max_routes,
        fleet,
    }
}

/// Premium of spot-hired legacy contracts over the operators' framework rate cards.
/// Most pupils legacy planning puts in one vehicle.
const LEGACY_MAX_GROUP: usize = 4;

const LEGACY_PREMIUM: f64 = 1.10;

/// Today's routes as legacy provision builds them: per school, solo pupils alone; the rest
/// grouped greedily from the farthest pupil by nearest neighbour, at most four to a
/// vehicle, only while every pupil's ride limit holds; smallest vehicle that fits; the
/// cheapest operator with fleet left.
fn legacy_routes(net: &Network, sc: &Scenario) -> crate::Result<Vec<CurrentRoute>> {
    let routed: Vec<usize> = (0..sc.pupils.len())
        .filter(|&i| sc.pupils[i].mode == Mode::Route)
        .collect();
    let mut coords: Vec<[f64; 2]> = routed
        .iter()
        .map(|&i| [sc.pupils[i].lat, sc.pupils[i].lon])
        .collect();
    coords.extend(sc.schools.iter().map(|s| [s.lat, s.lon]));
    let snaps = net
        .snap_all(&coords, 1_000.0)
        .map_err(|f| crate::Error::model(format!("{} generated points did not snap", f.len())))?;
    let m: Matrix = net.matrix(&snaps, &snaps, &|_| {});
    let home = |k: usize| k; // index of routed pupil k in the matrix
    let school_ix = |s: usize| routed.len() + s;
    let secs = |a: usize, b: usize| m.time_ms(a, b).unwrap_or(u64::MAX / 4) as f64 / 1000.0;
    let metres = |a: usize, b: usize| m.distance_m(a, b).unwrap_or(0) as f64;
    let boarding = |p: &Pupil| {
        60.0 * if p.wheelchair {
            sc.policy.wheelchair_boarding_min
        } else {
            sc.policy.boarding_min
        } as f64
    };

    let mut used_fleet = vec![vec![0u32; sc.vehicles.len()]; sc.operators.len()];
    let mut used_routes = vec![0u32; sc.operators.len()];
    let mut routes = Vec::new();
    for s in 0..sc.schools.len() {
        let mut left: Vec<usize> = (0..routed.len())
            .filter(|&k| sc.pupils[routed[k]].school == s)
            .collect();
        // Farthest first.
        left.sort_by(|&a, &b| {
            secs(home(b), school_ix(s))
                .total_cmp(&secs(home(a), school_ix(s)))
                .then(a.cmp(&b))
        });
        while let Some(&seed) = left.first() {
            left.remove(0);
            let mut group = vec![seed];
            let seed_p = &sc.pupils[routed[seed]];
            if !seed_p.solo {
                while group.len() < LEGACY_MAX_GROUP {
                    let last = *group.last().unwrap_or(&seed);
                    let next = left
                        .iter()
                        .copied()
                        .filter(|&k| {
                            let p = &sc.pupils[routed[k]];
                            !p.solo
                                && !group
                                    .iter()
                                    .any(|&g| p.incompatible_with.contains(&routed[g]))
                        })
                        .min_by(|&a, &b| {
                            secs(home(last), home(a))
                                .total_cmp(&secs(home(last), home(b)))
                                .then(a.cmp(&b))
                        });
                    let Some(k) = next else { break };
                    let mut trial = group.clone();
                    trial.push(k);
                    if !fits(sc, &routed, &trial)
                        || !ride_ok(sc, &routed, &trial, s, &secs, &boarding, school_ix(s))
                    {
                        break;
                    }
                    group = trial;
                    left.retain(|&x| x != k);
                }
            }
            let pupils: Vec<usize> = group.iter().map(|&k| routed[k]).collect();
            let vt = (0..sc.vehicles.len())
                .filter(|&v| can_carry_all(&sc.vehicles[v], sc, &pupils))
                .min_by_key(|&v| sc.vehicles[v].day_rate)
                .ok_or_else(|| crate::Error::model("no vehicle type fits a generated group"))?;
            // AM: first pickup → … → school; PM mirrors it. Cost counts both.
            let mut km = 0.0;
            let mut sec = 0.0;
            for w in group.windows(2) {
                km += metres(home(w[0]), home(w[1])) / 1000.0;
                sec += secs(home(w[0]), home(w[1]));
            }
            let last = *group.last().unwrap_or(&seed);
            km += metres(home(last), school_ix(s)) / 1000.0;
            sec += secs(home(last), school_ix(s));
            let minutes = sec / 60.0
                + group
                    .iter()
                    .map(|&k| boarding(&sc.pupils[routed[k]]) / 60.0)
                    .sum::<f64>();
            let (km, minutes) = (2.0 * km, 2.0 * minutes);
            let op_choice = sc
                .rates
                .iter()
                .filter(|r| r.vehicle == vt)
                .filter(|r| {
                    sc.operators[r.operator].fleet[vt]
                        .is_none_or(|cap| used_fleet[r.operator][vt] < cap)
                })
                .filter(|r| {
                    sc.operators[r.operator]
                        .max_routes
                        .is_none_or(|cap| used_routes[r.operator] < cap)
                })
                .map(|r| {
                    let price =
                        r.day_rate.pounds() + r.per_km.pounds() * km + r.per_min.pounds() * minutes;
                    (Pence::from_pounds(price * LEGACY_PREMIUM), r.operator)
                })
                .min();
            // Legacy provision spot-hires beyond the framework fleets when it must.
            let fallback = || {
                sc.rates
                    .iter()
                    .filter(|r| r.vehicle == vt)
                    .map(|r| {
                        let price = r.day_rate.pounds()
                            + r.per_km.pounds() * km
                            + r.per_min.pounds() * minutes;
                        (Pence::from_pounds(price * LEGACY_PREMIUM), r.operator)
                    })
                    .min()
            };
            let Some((price, op)) = op_choice.or_else(fallback) else {
                return Err(crate::Error::model(
                    "no operator offers the vehicle type a legacy route needs",
                ));
            };
            used_fleet[op][vt] += 1;
            used_routes[op] += 1;
            routes.push(CurrentRoute {
                id: format!("R{:03}", routes.len() + 1),
                operator: op,
                vehicle: vt,
                price_per_day: price,
                assistant: pupils.iter().any(|&p| sc.pupils[p].needs_assistant),
                pupils,
            });
        }
    }
    Ok(routes)
}

fn can_carry_all(v: &VehicleType, sc: &Scenario, pupils: &[usize]) -> bool {
    let assistant = u32::from(pupils.iter().any(|&p| sc.pupils[p].needs_assistant));
    let seats: u32 = pupils.iter().map(|&p| sc.pupils[p].seats()).sum::<u32>() + assistant;
    let wc = pupils.iter().filter(|&&p| sc.pupils[p].wheelchair).count() as u32;
    seats <= v.seats && wc <= v.wheelchair_spaces
}

/// Legacy planning books cars (at most four seats) and turns to a minibus only when a
/// group cannot fit in one.
fn fits(sc: &Scenario, routed: &[usize], group: &[usize]) -> bool {
    let pupils: Vec<usize> = group.iter().map(|&k| routed[k]).collect();
    sc.vehicles
        .iter()
        .any(|v| v.seats <= 4 && can_carry_all(v, sc, &pupils))
}

fn ride_ok(
    sc: &Scenario,
    routed: &[usize],
    group: &[usize],
    _school: usize,
    secs: &dyn Fn(usize, usize) -> f64,
    boarding: &dyn Fn(&Pupil) -> f64,
    school_ix: usize,
) -> bool {
    // Ride time of pupil g = from their boarding to arrival at school.
    let mut remaining = secs(group[group.len() - 1], school_ix);
    for i in (0..group.len()).rev() {
        let p = &sc.pupils[routed[group[i]]];
        if remaining > 60.0 * p.ride_limit_min(&sc.policy) {
            return false;
        }
        if i > 0 {
            remaining += boarding(p) + secs(group[i - 1], group[i]);
        }
    }
    true
}
