//! Reading routing instances: CVRPLIB/VRPLIB CVRP (`.vrp`), Solomon and Gehring-Homberger
//! VRPTW (`.txt`), Li & Lim PDPTW (`.txt`), and schoolrun's own JSON problem format
//! (`.json`, see `docs/problem-format.md`). This is an edge module: it reads files.

mod json;

use crate::error::Code;
use crate::error::{Error, Problem as InputProblem, Result};
use crate::routing::{Job, Problem, Stop, StopKind, Travel, VehicleType};
use std::path::Path;

pub use json::parse_json;

/// Scale applied to Euclidean distances of Solomon and Li & Lim instances, so that the
/// integer solver keeps four decimals of the unrounded distances.
pub const EUCLID_SCALE: f64 = 10_000.0;

/// The benchmark family of an instance, which fixes its cost convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// CVRPLIB: nint(Euclidean) per edge, no fleet limit.
    Cvrp,
    /// Solomon / Gehring-Homberger: unrounded Euclidean, fleet limit from the file.
    Vrptw,
    /// Li & Lim: unrounded Euclidean, pickup-and-delivery pairs.
    Pdptw,
    /// schoolrun JSON.
    Json,
}

/// A parsed instance: the routing problem plus what is needed to report costs in the
/// family's own convention.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Instance name.
    pub name: String,
    /// Family.
    pub family: Family,
    /// The routing problem.
    pub problem: Problem,
    /// Planar coordinates of each location (Euclidean families).
    pub coords: Vec<(f64, f64)>,
    /// External id of each job as the family's solution format numbers it.
    pub job_numbers: Vec<u32>,
}

impl Instance {
    /// Cost of a solution in the family's convention: exact unrounded Euclidean distance
    /// for Solomon and Li & Lim, the integer cost otherwise.
    pub fn reported_cost(&self, sol: &crate::routing::Solution) -> f64 {
        match self.family {
            Family::Vrptw | Family::Pdptw => {
                let p = &self.problem;
                let mut total = 0.0;
                for r in &sol.routes {
                    let vt = &p.vehicles[r.vehicle];
                    let mut prev = vt.start as usize;
                    for &s in r.trips[0].stops.iter() {
                        let loc = p.stops[s as usize].loc as usize;
                        total += euclid(self.coords[prev], self.coords[loc]);
                        prev = loc;
                    }
                    total += euclid(self.coords[prev], self.coords[vt.end as usize]);
                }
                total
            }
            _ => sol.routes_cost() as f64 / self.problem.cost_scale,
        }
    }
}

impl Instance {
    /// A solution in the VRPLIB solution format: `Route #k: ids` lines (customer numbers,
    /// or node numbers for Li & Lim) and `Cost X` in the family's convention.
    pub fn solution_text(&self, sol: &crate::routing::Solution) -> String {
        let p = &self.problem;
        let mut out = String::new();
        for (k, r) in sol.routes.iter().enumerate() {
            let ids: Vec<String> = r.trips[..p.trips]
                .iter()
                .flat_map(|t| t.stops.iter())
                .map(|&s| {
                    let st = &p.stops[s as usize];
                    match self.family {
                        Family::Pdptw => st.loc.to_string(),
                        _ => self.job_numbers[st.job as usize].to_string(),
                    }
                })
                .collect();
            out.push_str(&format!("Route #{}: {}\n", k + 1, ids.join(" ")));
        }
        let cost = self.reported_cost(sol);
        if cost.fract() == 0.0 {
            out.push_str(&format!("Cost {cost}\n"));
        } else {
            out.push_str(&format!("Cost {cost:.4}\n"));
        }
        out
    }
}

/// Most nodes (locations) an instance may have: its matrices grow with the square.
pub const MAX_NODES: usize = 20_000;

/// What is wrong with a numeric row of an instance, if anything: every value finite; the
/// first value the row's id, equal to its position; coordinates and times within ±1e7
/// (scaled by [`EUCLID_SCALE`], sums of them stay far inside 64 bits); demand
/// (column 3) an integer; the columns in `non_negative` not negative.
fn row_problem(row: &[f64], index: usize, non_negative: &[usize]) -> Option<String> {
    if row.iter().any(|x| !x.is_finite()) {
        return Some("finite numbers (no NaN or infinity)".into());
    }
    if row[0] != index as f64 {
        return Some(format!(
            "rows numbered in order from 0 (this row should be {index})"
        ));
    }
    if row[1].abs() > 1e7 || row[2].abs() > 1e7 {
        return Some("coordinates within ±10,000,000".into());
    }
    if row[4..=6].iter().any(|t| t.abs() > 1e7) {
        return Some("ready time, due date and service time within 10,000,000".into());
    }
    if row[3].fract() != 0.0 || row[3].abs() > 1e6 {
        return Some("a whole-number demand of at most 1,000,000".into());
    }
    if let Some(&c) = non_negative.iter().find(|&&c| row[c] < 0.0) {
        return Some(format!("column {} not negative", c + 1));
    }
    None
}

/// Shared travel data from matrices, or the format error naming the file.
fn travel(path: &Path, n: usize, dist: &[i64], time: &[i64]) -> Result<std::sync::Arc<Travel>> {
    Travel::new(n, dist, time)
        .map(std::sync::Arc::new)
        .map_err(|e| bad(path, 0, "", &e))
}

fn euclid(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

fn bad(path: &Path, line: usize, value: &str, expected: &str) -> Error {
    Error::invalid(vec![InputProblem {
        code: Code::InstanceFormat,
        file: path.display().to_string(),
        line,
        col: 0,
        column: String::new(),
        value: value.chars().take(60).collect(),
        expected: expected.to_string(),
    }])
}

/// Reads an instance, choosing the format from the extension and content.
pub fn read(path: &Path) -> Result<Instance> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(path, &text)
}

/// Parses an instance's text; `path` names it in messages and its extension chooses the
/// format (`.vrp` VRPLIB, `.json` our JSON, else Solomon or Li & Lim by content).
pub fn parse(path: &Path, text: &str) -> Result<Instance> {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "vrp" => read_vrplib(path, &name, text),
        "json" => parse_json(path, &name, text),
        _ => {
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            let numbers = first
                .split_whitespace()
                .filter(|t| t.parse::<f64>().is_ok())
                .count();
            if numbers == 3 && first.split_whitespace().count() == 3 {
                read_lilim(path, &name, text)
            } else {
                read_solomon(path, &name, text)
            }
        }
    }
}

fn euclid_matrix(coords: &[(f64, f64)], f: impl Fn(f64) -> i64) -> Vec<i64> {
    let n = coords.len();
    let mut m = vec![0i64; n * n];
    for i in 0..n {
        for j in 0..n {
            m[i * n + j] = f(euclid(coords[i], coords[j]));
        }
    }
    m
}

fn read_vrplib(path: &Path, name: &str, text: &str) -> Result<Instance> {
    let mut dim = 0usize;
    let mut cap = 0i32;
    let mut coords: Vec<(f64, f64)> = Vec::new();
    let mut demand: Vec<i32> = Vec::new();
    let mut depot = 0usize;
    let mut depots = 0usize;
    let mut seen_coords: Vec<bool> = Vec::new();
    let mut seen_demand: Vec<bool> = Vec::new();
    let mut depot_ended = false;
    let mut section = "";
    for (ln, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            let (k, v) = (k.trim(), v.trim());
            match k {
                "DIMENSION" => {
                    dim = v
                        .parse()
                        .map_err(|_| bad(path, ln + 1, v, "an integer DIMENSION"))?;
                    if !(2..=MAX_NODES).contains(&dim) {
                        return Err(bad(
                            path,
                            ln + 1,
                            v,
                            &format!("a DIMENSION from 2 to {MAX_NODES}"),
                        ));
                    }
                }
                "CAPACITY" => {
                    cap = v
                        .parse()
                        .map_err(|_| bad(path, ln + 1, v, "an integer CAPACITY"))?;
                    if cap <= 0 || cap > 1_000_000 {
                        return Err(bad(path, ln + 1, v, "a CAPACITY from 1 to 1,000,000"));
                    }
                }
                "EDGE_WEIGHT_TYPE" if v != "EUC_2D" => {
                    return Err(bad(path, ln + 1, v, "EDGE_WEIGHT_TYPE EUC_2D"));
                }
                _ => {}
            }
            continue;
        }
        match line {
            "NODE_COORD_SECTION" | "DEMAND_SECTION" | "DEPOT_SECTION" => {
                section = match line {
                    "NODE_COORD_SECTION" => "coord",
                    "DEMAND_SECTION" => "demand",
                    _ => "depot",
                };
                if coords.is_empty() {
                    if dim < 2 {
                        return Err(bad(path, ln + 1, line, "DIMENSION before the sections"));
                    }
                    coords = vec![(0.0, 0.0); dim];
                    demand = vec![0; dim];
                    seen_coords = vec![false; dim];
                    seen_demand = vec![false; dim];
                }
                continue;
            }
            "EOF" => break,
            _ => {}
        }
        let t: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| -> Result<f64> {
            t.get(i)
                .and_then(|x| x.parse::<f64>().ok())
                .ok_or_else(|| bad(path, ln + 1, line, "numbers"))
        };
        let node = |i: usize| -> Result<usize> {
            let id = num(i)?;
            if id.fract() != 0.0 || id < 1.0 || id > dim as f64 {
                return Err(bad(path, ln + 1, line, "a node id from 1 to DIMENSION"));
            }
            Ok(id as usize - 1)
        };
        match section {
            "coord" => {
                let id = node(0)?;
                let (x, y) = (num(1)?, num(2)?);
                if !(x.is_finite() && y.is_finite() && x.abs() <= 1e7 && y.abs() <= 1e7)
                    || t.len() != 3
                {
                    return Err(bad(
                        path,
                        ln + 1,
                        line,
                        "a node id and two finite coordinates within ±10,000,000",
                    ));
                }
                coords[id] = (x, y);
                seen_coords[id] = true;
            }
            "demand" => {
                let id = node(0)?;
                let d = num(1)?;
                if t.len() != 2 {
                    return Err(bad(
                        path,
                        ln + 1,
                        line,
                        "a node id and one demand (one load dimension)",
                    ));
                }
                if d.fract() != 0.0 || !(0.0..=1e6).contains(&d) {
                    return Err(bad(
                        path,
                        ln + 1,
                        line,
                        "a whole-number demand from 0 to 1,000,000",
                    ));
                }
                demand[id] = d as i32;
                seen_demand[id] = true;
            }
            "depot" => {
                let id = num(0)?;
                if id == -1.0 {
                    depot_ended = true;
                    continue;
                }
                depot = node(0)?;
                depots += 1;
            }
            _ => {}
        }
    }
    if dim < 2 || cap <= 0 || coords.len() != dim {
        return Err(bad(
            path,
            0,
            "",
            "a CVRP with DIMENSION, CAPACITY and NODE_COORD_SECTION",
        ));
    }
    if let Some(missing) = seen_coords.iter().position(|&s| !s) {
        return Err(bad(
            path,
            0,
            &format!("node {} has no coordinates", missing + 1),
            "DIMENSION nodes in NODE_COORD_SECTION (is the file complete?)",
        ));
    }
    if let Some(missing) = seen_demand.iter().position(|&s| !s) {
        return Err(bad(
            path,
            0,
            &format!("node {} has no demand", missing + 1),
            "DIMENSION nodes in DEMAND_SECTION (is the file complete?)",
        ));
    }
    if depots != 1 || !depot_ended {
        return Err(bad(
            path,
            0,
            &format!("{depots} depot(s)"),
            "a DEPOT_SECTION with one depot, ended by -1 (is the file complete?)",
        ));
    }
    if demand[depot] != 0 {
        return Err(bad(
            path,
            0,
            &format!("depot demand {}", demand[depot]),
            "a depot with demand 0",
        ));
    }
    if demand.iter().any(|&d| d > cap) {
        return Err(bad(
            path,
            0,
            "",
            "no demand above CAPACITY (such a customer cannot be served)",
        ));
    }
    let dist = euclid_matrix(&coords, |d| d.round() as i64);
    let mut stops = Vec::new();
    let mut jobs = Vec::new();
    let mut job_numbers = Vec::new();
    for (i, &load) in demand.iter().enumerate().take(dim) {
        if i == depot {
            continue;
        }
        let j = jobs.len() as u32;
        stops.push(Stop {
            loc: i as u32,
            early: 0,
            late: i64::MAX / 4,
            service: 0,
            delivery: [load, 0],
            pickup: [0, 0],
            job: j,
            kind: StopKind::Visit,
            trip: 0,
        });
        jobs.push(Job::plain(format!("{}", i), vec![j], j));
        job_numbers.push(i as u32);
    }
    let vehicles = vec![VehicleType::benchmark(
        cap,
        None,
        depot as u32,
        (0, i64::MAX / 4),
    )];
    let travel = travel(path, dim, &dist, &dist)?;
    let problem = Problem::new(name.to_string(), travel, stops, jobs, vehicles, 1, 1.0);
    Ok(Instance {
        name: name.to_string(),
        family: Family::Cvrp,
        problem,
        coords,
        job_numbers,
    })
}

fn read_solomon(path: &Path, name: &str, text: &str) -> Result<Instance> {
    let lines: Vec<&str> = text.lines().collect();
    let mut count = 0u32;
    let mut cap = 0i32;
    let mut rows: Vec<[f64; 7]> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim();
        if l.starts_with("NUMBER") {
            let t: Vec<&str> = lines.get(i + 1).unwrap_or(&"").split_whitespace().collect();
            count = t.first().and_then(|x| x.parse().ok()).ok_or_else(|| {
                bad(
                    path,
                    i + 2,
                    lines.get(i + 1).unwrap_or(&""),
                    "VEHICLE NUMBER and CAPACITY",
                )
            })?;
            cap = t.get(1).and_then(|x| x.parse().ok()).ok_or_else(|| {
                bad(
                    path,
                    i + 2,
                    lines.get(i + 1).unwrap_or(&""),
                    "VEHICLE NUMBER and CAPACITY",
                )
            })?;
            if !(1..=100_000).contains(&count) || !(1..=1_000_000).contains(&cap) {
                return Err(bad(
                    path,
                    i + 2,
                    lines.get(i + 1).unwrap_or(&""),
                    "VEHICLE NUMBER from 1 to 100,000 and CAPACITY from 1 to 1,000,000",
                ));
            }
            i += 2;
            continue;
        }
        let t: Vec<f64> = l
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let tokens = l.split_whitespace().count();
        if !rows.is_empty() && tokens > 0 && (t.len() != 7 || tokens != 7) {
            // Inside the customer table every line is a whole row: a short or garbled one
            // (a file cut off mid-row) is an error, never a customer quietly left out.
            return Err(bad(
                path,
                i + 1,
                l,
                "7 numbers: customer x y demand ready due service (is the file complete?)",
            ));
        }
        if t.len() == 7 && tokens == 7 {
            let row = [t[0], t[1], t[2], t[3], t[4], t[5], t[6]];
            if let Some(problem) = row_problem(&row, rows.len(), &[3, 4, 5, 6]) {
                return Err(bad(path, i + 1, l, &problem));
            }
            if row[4] > row[5] {
                return Err(bad(
                    path,
                    i + 1,
                    l,
                    "a ready time no later than the due date",
                ));
            }
            rows.push(row);
            if rows.len() > MAX_NODES {
                return Err(bad(
                    path,
                    i + 1,
                    l,
                    &format!("at most {MAX_NODES} customers"),
                ));
            }
        }
        i += 1;
    }
    if rows.len() < 2 || cap <= 0 {
        return Err(bad(
            path,
            0,
            "",
            "a Solomon VRPTW file (VEHICLE NUMBER/CAPACITY and 7-column customer rows)",
        ));
    }
    let coords: Vec<(f64, f64)> = rows.iter().map(|r| (r[1], r[2])).collect();
    let s = EUCLID_SCALE;
    let dist = euclid_matrix(&coords, |d| (d * s).round() as i64);
    let time = euclid_matrix(&coords, |d| (d * s).ceil() as i64);
    let mut stops = Vec::new();
    let mut jobs = Vec::new();
    let mut job_numbers = Vec::new();
    for (k, r) in rows.iter().enumerate().skip(1) {
        let j = jobs.len() as u32;
        stops.push(Stop {
            loc: k as u32,
            early: (r[4] * s).round() as i64,
            late: (r[5] * s).round() as i64,
            service: (r[6] * s).round() as i64,
            delivery: [r[3] as i32, 0],
            pickup: [0, 0],
            job: j,
            kind: StopKind::Visit,
            trip: 0,
        });
        jobs.push(Job::plain(format!("{}", r[0] as u32), vec![j], j));
        job_numbers.push(r[0] as u32);
    }
    let depot = &rows[0];
    let vehicles = vec![VehicleType::benchmark(
        cap,
        Some(count),
        0,
        ((depot[4] * s).round() as i64, (depot[5] * s).round() as i64),
    )];
    let travel = travel(path, rows.len(), &dist, &time)?;
    let problem = Problem::new(name.to_string(), travel, stops, jobs, vehicles, 1, s);
    Ok(Instance {
        name: name.to_string(),
        family: Family::Vrptw,
        problem,
        coords,
        job_numbers,
    })
}

fn read_lilim(path: &Path, name: &str, text: &str) -> Result<Instance> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, head) = lines
        .next()
        .ok_or_else(|| bad(path, 1, "", "a Li & Lim header 'K Q S'"))?;
    let h: Vec<f64> = head
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    if h.len() < 2 {
        return Err(bad(path, 1, head, "a Li & Lim header 'K Q S'"));
    }
    if !(1.0..=1e5).contains(&h[0])
        || !(1.0..=1e6).contains(&h[1])
        || h[0].fract() != 0.0
        || h[1].fract() != 0.0
    {
        return Err(bad(
            path,
            1,
            head,
            "a Li & Lim header 'K Q S': from 1 to 100,000 vehicles of capacity 1 to 1,000,000",
        ));
    }
    let (count, cap) = (h[0] as u32, h[1] as i32);
    let mut rows: Vec<[f64; 9]> = Vec::new();
    for (ln, l) in lines {
        let t: Vec<f64> = l
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if t.len() != 9 {
            return Err(bad(
                path,
                ln + 1,
                l,
                "9 numbers: id x y demand earliest latest service pickup delivery",
            ));
        }
        let row = [t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8]];
        if let Some(problem) = row_problem(&row, rows.len(), &[4, 5, 6, 7, 8]) {
            return Err(bad(path, ln + 1, l, &problem));
        }
        rows.push(row);
        if rows.len() > MAX_NODES {
            return Err(bad(path, ln + 1, l, &format!("at most {MAX_NODES} nodes")));
        }
    }
    if rows.len() < 2 {
        return Err(bad(
            path,
            0,
            "",
            "a depot row and at least one node row after the header",
        ));
    }
    let coords: Vec<(f64, f64)> = rows.iter().map(|r| (r[1], r[2])).collect();
    let s = EUCLID_SCALE;
    let dist = euclid_matrix(&coords, |d| (d * s).round() as i64);
    let time = euclid_matrix(&coords, |d| (d * s).ceil() as i64);
    let n = rows.len();
    let mut stops = Vec::new();
    let mut jobs = Vec::new();
    let mut job_numbers = Vec::new();
    for (k, r) in rows.iter().enumerate().skip(1) {
        if r[3] < 0.0 {
            // A delivery: its pickup must name it back (the pickup's row checks the rest).
            let p = r[7] as usize;
            if p == 0 || p >= n || rows[p][8] as usize != k {
                return Err(bad(
                    path,
                    k + 2,
                    &format!("{}", r[7]),
                    "the index of this delivery's pickup node (a node whose delivery index names this node)",
                ));
            }
            continue;
        }
        if r[3] == 0.0 {
            return Err(bad(
                path,
                k + 2,
                "0",
                "a pickup (positive demand) or a delivery (negative demand): only the depot has demand 0",
            ));
        }
        let d = r[8] as usize;
        if d == 0 || d >= n || rows[d][3] != -r[3] || rows[d][7] as usize != k {
            return Err(bad(
                path,
                k + 2,
                &format!("{}", r[8]),
                "the index of this pickup's delivery node (a node whose demand is minus this one's and whose pickup index names this node)",
            ));
        }
        let dr = &rows[d];
        let j = jobs.len() as u32;
        let q = r[3] as i32;
        let si = stops.len() as u32;
        for (loc, row, kind, pick) in [(k, r, StopKind::Pickup, q), (d, dr, StopKind::Delivery, -q)]
        {
            stops.push(Stop {
                loc: loc as u32,
                early: (row[4] * s).round() as i64,
                late: (row[5] * s).round() as i64,
                service: (row[6] * s).round() as i64,
                delivery: [0, 0],
                pickup: [pick, 0],
                job: j,
                kind,
                trip: 0,
            });
        }
        jobs.push(Job::plain(format!("{}", r[0] as u32), vec![si, si + 1], j));
        job_numbers.push(r[0] as u32);
    }
    let depot = &rows[0];
    let vehicles = vec![VehicleType::benchmark(
        cap,
        Some(count),
        0,
        ((depot[4] * s).round() as i64, (depot[5] * s).round() as i64),
    )];
    let travel = travel(path, n, &dist, &time)?;
    let problem = Problem::new(name.to_string(), travel, stops, jobs, vehicles, 1, s);
    Ok(Instance {
        name: name.to_string(),
        family: Family::Pdptw,
        problem,
        coords,
        job_numbers,
    })
}
