//! `plan.json`: the whole plan in file form, with pupils, schools and vehicle types by
//! id, written by `plan`, `savings` and `demo` and read back by `tender`. Reading checks
//! every id against the scenario it is used with.

use crate::error::{Code, Error, Problem, Result};
use crate::plan::{Event, Half, HalfDay, Place, Plan, PlanStop, PlannedRoute, Reason, Unrouted};
use crate::scenario::{Continuity, Scenario, Words};
use crate::units::Pence;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The format written in `plan.json`'s `format` field.
pub const FORMAT: &str = "schoolrun-plan/2";

#[derive(Serialize, Deserialize)]
struct StopFile {
    pupil: String,
    school: String,
    event: Event,
    place: Place,
    loc: usize,
    time_s: i64,
}

#[derive(Serialize, Deserialize)]
struct HalfFile {
    metres: i64,
    seconds: i64,
    stops: Vec<StopFile>,
}

#[derive(Serialize, Deserialize)]
struct RouteFile {
    id: String,
    vehicle: String,
    assistant: bool,
    cost_per_day: Pence,
    pupils: Vec<String>,
    am: Option<HalfFile>,
    pm: Option<HalfFile>,
}

#[derive(Serialize, Deserialize)]
struct UnroutedFile {
    pupil: String,
    reason: Reason,
    detail: String,
}

#[derive(Serialize, Deserialize)]
struct PlanFile {
    format: String,
    #[serde(default)]
    run_id: String,
    scenario: String,
    continuity: String,
    cost_per_day: Pence,
    cost_per_year: Pence,
    split_pupils: usize,
    chained_halves: usize,
    iterations: u64,
    seconds: f64,
    stopped_by_time: bool,
    routes: Vec<RouteFile>,
    unrouted: Vec<UnroutedFile>,
}

/// The plan as `plan.json` text, stamped with the run that wrote it.
pub fn to_json(sc: &Scenario, plan: &Plan, run_id: &str) -> String {
    let half = |h: &HalfDay| HalfFile {
        metres: h.metres,
        seconds: h.seconds,
        stops: h
            .stops
            .iter()
            .map(|s| StopFile {
                pupil: sc.pupils[s.pupil].id.clone(),
                school: sc.schools[s.school].id.clone(),
                event: s.event,
                place: s.place,
                loc: s.loc,
                time_s: s.time_s,
            })
            .collect(),
    };
    let file = PlanFile {
        format: FORMAT.into(),
        run_id: run_id.into(),
        scenario: sc.name.clone(),
        continuity: plan.continuity.word().into(),
        cost_per_day: plan.cost_per_day,
        cost_per_year: plan.cost_per_year,
        split_pupils: plan.split_pupils,
        chained_halves: plan.chained_halves,
        iterations: plan.iterations,
        seconds: plan.seconds,
        stopped_by_time: plan.stopped_by_time,
        routes: plan
            .routes
            .iter()
            .map(|r| RouteFile {
                id: r.id.clone(),
                vehicle: sc.vehicles[r.vehicle].id.clone(),
                assistant: r.assistant,
                cost_per_day: r.cost_per_day,
                pupils: r.pupils.iter().map(|&p| sc.pupils[p].id.clone()).collect(),
                am: r.am.as_ref().map(half),
                pm: r.pm.as_ref().map(half),
            })
            .collect(),
        unrouted: plan
            .unrouted
            .iter()
            .map(|u| UnroutedFile {
                pupil: sc.pupils[u.pupil].id.clone(),
                reason: u.reason,
                detail: u.detail.clone(),
            })
            .collect(),
    };
    serde_json::to_string(&file).unwrap_or_default()
}

/// Reads `plan.json` from a plan output folder, against the scenario it must come from
/// (`fingerprint` of its folder). A missing, damaged, incomplete or foreign file is an
/// input error naming the file and what is wrong.
pub fn read(dir: &Path, sc: &Scenario, fingerprint: &str) -> Result<Plan> {
    let path = dir.join("plan.json");
    let file = path.display().to_string();
    let problem = |line: usize, value: String, expected: String| Problem {
        code: Code::PlanFile,
        file: file.clone(),
        line,
        col: 0,
        column: String::new(),
        value,
        expected,
    };
    if !path.is_file() {
        return Err(Error::problem(problem(
            0,
            String::new(),
            format!(
                "the plan.json written by `schoolrun plan DIR --out {}` (there is none)",
                dir.display()
            ),
        )));
    }
    let bytes = crate::files::read_checked(dir, "plan.json", fingerprint).map_err(|why| {
        Error::problem(problem(
            0,
            String::new(),
            format!("a plan.json from a finished `schoolrun plan` of this scenario, but {why}"),
        ))
    })?;
    parse(&file, &String::from_utf8_lossy(&bytes), sc)
}

/// Reads the text of a plan.json (`file` names it in messages) against a scenario: every
/// id must be the scenario's and the plan must pass the plan-level checker. Never panics,
/// whatever the text.
pub fn parse(file: &str, text: &str, sc: &Scenario) -> Result<Plan> {
    let problem = |line: usize, value: String, expected: String| Problem {
        code: Code::PlanFile,
        file: file.to_string(),
        line,
        col: 0,
        column: String::new(),
        value,
        expected,
    };
    let f: PlanFile = serde_json::from_str(text).map_err(|e| {
        Error::problem(problem(
            e.line(),
            String::new(),
            format!("a plan.json as written by `schoolrun plan` ({e})"),
        ))
    })?;
    if f.format != FORMAT {
        return Err(Error::problem(problem(
            0,
            f.format,
            format!("a plan in format {FORMAT} (plan again with this version)"),
        )));
    }
    let pupils = sc.pupil_index();
    let mut bad = Vec::new();
    let mismatch = |what: String| Problem {
        code: Code::PlanMismatch,
        ..problem(0, what, "a plan made from this scenario".into())
    };
    let pupil = |id: &str, bad: &mut Vec<Problem>| -> usize {
        pupils.get(id).copied().unwrap_or_else(|| {
            bad.push(mismatch(format!("pupil {id} is not in pupils.csv")));
            0
        })
    };
    let school = |id: &str, bad: &mut Vec<Problem>| -> usize {
        sc.schools
            .iter()
            .position(|s| s.id == id)
            .unwrap_or_else(|| {
                bad.push(mismatch(format!("school {id} is not in schools.csv")));
                0
            })
    };
    let mut routes = Vec::new();
    for r in &f.routes {
        let vehicle = sc
            .vehicles
            .iter()
            .position(|v| v.id == r.vehicle)
            .unwrap_or_else(|| {
                bad.push(mismatch(format!(
                    "route {}: vehicle type {} is not in vehicles.csv",
                    r.id, r.vehicle
                )));
                0
            });
        let half = |h: &Option<HalfFile>, bad: &mut Vec<Problem>| {
            h.as_ref().map(|h| HalfDay {
                metres: h.metres,
                seconds: h.seconds,
                stops: h
                    .stops
                    .iter()
                    .map(|s| PlanStop {
                        pupil: pupil(&s.pupil, bad),
                        school: school(&s.school, bad),
                        event: s.event,
                        place: s.place,
                        loc: s.loc,
                        time_s: s.time_s,
                    })
                    .collect(),
            })
        };
        let am = half(&r.am, &mut bad);
        let pm = half(&r.pm, &mut bad);
        routes.push(PlannedRoute {
            id: r.id.clone(),
            vehicle,
            assistant: r.assistant,
            am,
            pm,
            cost_per_day: r.cost_per_day,
            pupils: r.pupils.iter().map(|p| pupil(p, &mut bad)).collect(),
        });
    }
    let unrouted = f
        .unrouted
        .iter()
        .map(|u| Unrouted {
            pupil: pupil(&u.pupil, &mut bad),
            reason: u.reason,
            detail: u.detail.clone(),
        })
        .collect();
    let plan = Plan {
        routes,
        unrouted,
        cost_per_day: f.cost_per_day,
        cost_per_year: f.cost_per_year,
        continuity: Continuity::from_word(&f.continuity).unwrap_or_default(),
        split_pupils: f.split_pupils,
        chained_halves: f.chained_halves,
        iterations: f.iterations,
        seconds: f.seconds,
        stopped_by_time: f.stopped_by_time,
    };
    if bad.is_empty() {
        // The plan must still hold against this scenario (its pupils, prices, rules).
        let problems = crate::plan::check::check(sc, &plan);
        if !problems.is_empty() {
            bad.extend(problems.into_iter().take(20).map(mismatch));
        }
    }
    if bad.is_empty() {
        Ok(plan)
    } else {
        Err(Error::invalid(bad))
    }
}

impl Half {
    /// Both halves, morning first.
    pub const BOTH: [Half; 2] = [Half::Am, Half::Pm];
}
