//! What the commands print: one line per result on stdout (or one JSON line with
//! `--json`); progress and file notes go to stderr.

use schoolrun::plan::Plan;
use schoolrun::scenario::Scenario;
use schoolrun::units::{Pence, percent};
use schoolrun::workflow::{self, Step};

/// The tender's summary: one line (or JSON) and the top sensitivity rows.
pub fn tender(days: i64, tr: &workflow::TenderRun, json: bool) {
    let (t, award, cmp) = (&tr.tender, &tr.award, &tr.comparisons);
    let current = cmp.total.current_per_day * days;
    let new = cmp.total.new_per_day * days;
    let award_per_year = award.cost_per_day * days;
    let pct = percent(current - new, current);
    if json {
        println!(
            "{}",
            serde_json::json!({"routes": t.routes.len(), "award_per_year": award_per_year.pounds(), "new_per_year": new.pounds(), "current_per_year": current.pounds(), "saving_pct": pct, "optimal": award.optimal, "gap": award.gap, "lp_bound_per_day": award.lp_bound, "seconds": tr.seconds, "cut_short": tr.cut_short})
        );
        return;
    }
    println!(
        "{} routes to {} supplier(s): {} a year with assistants ({} vehicles and drivers), today {}: saving {} ({pct:.1}%); {} (gap {:.4}%, LP bound £{:.2}/day); {} bundle(s) won",
        t.routes.len(),
        cmp.operators.iter().filter(|c| c.new_count > 0).count(),
        new,
        award_per_year,
        current,
        current - new,
        if award.optimal {
            "proven optimal"
        } else {
            "time limit reached"
        },
        100.0 * award.gap,
        award.lp_bound,
        award.bundles_won.len()
    );
    for s in tr.sensitivity.iter().take(5) {
        println!(
            "  if {}: saves {} a year",
            s.change,
            s.saving_per_day * days
        );
    }
}

/// Today's cost a year, when today's routes are given (the baseline of every saving).
fn baseline(sc: &Scenario) -> Option<Pence> {
    (!sc.current_routes.is_empty())
        .then(|| sc.current_cost_per_day() * sc.policy.school_days as i64)
}

/// "today £X: saving £Y = Z%", or that there is no baseline.
fn versus_today(today: Option<Pence>, cost: Pence) -> String {
    match today {
        Some(t) => format!(
            "today {t}: saving {} = {:.1}%",
            t - cost,
            percent(t - cost, t)
        ),
        None => "no saving shown: no current_routes.csv to compare with".into(),
    }
}

/// `schoolrun plan`'s summary.
pub fn plan(sc: &Scenario, plan: &Plan, json: bool) {
    let today = baseline(sc);
    let failed = plan
        .unrouted
        .iter()
        .filter(|u| !u.reason.is_arrangement())
        .count();
    let arranged = plan.unrouted.len() - failed;
    if json {
        println!(
            "{}",
            serde_json::json!({"vehicles": plan.routes.len(), "cost_per_year": plan.cost_per_year.pounds(), "current_cost_per_year": today.map(Pence::pounds), "saving_pct": today.map(|t| percent(t - plan.cost_per_year, t)), "routed": plan.routed(), "unrouted": failed, "other_arrangements": arranged, "split_pupils": plan.split_pupils, "chained_half_days": plan.chained_halves, "stopped_by_time": plan.stopped_by_time, "feasible": true})
        );
    } else {
        println!(
            "{} vehicles, {} a year for both halves of the day ({}); {} pupils routed, {} not routed, {} by other arrangements; {} half-days chain runs; checker: ok{}",
            plan.routes.len(),
            plan.cost_per_year,
            versus_today(today, plan.cost_per_year),
            plan.routed(),
            failed,
            arranged,
            plan.chained_halves,
            if plan.stopped_by_time {
                " (the time limit stopped the search before its iterations)"
            } else {
                ""
            }
        );
        for u in plan.unrouted.iter().filter(|u| !u.reason.is_arrangement()) {
            println!(
                "  {}: {} {}",
                sc.pupils[u.pupil].id,
                u.reason.code(),
                u.detail
            );
        }
    }
}

/// `schoolrun plan --from current`'s summary.
pub fn replan(sc: &Scenario, r: &workflow::Replanning, json: bool) {
    let plan = &r.plan;
    let current = sc.current_cost_per_day() * sc.policy.school_days as i64;
    let checks = &r.repaired.checks;
    let broken = checks.iter().filter(|c| !c.violations.is_empty()).count();
    if json {
        println!(
            "{}",
            serde_json::json!({
                "vehicles": plan.routes.len(),
                "cost_per_year": plan.cost_per_year.pounds(),
                "current_cost_per_year": current.pounds(),
                "moved": r.moved,
                "starters": r.repaired.starters.len(),
                "forced_moves": r.repaired.forced_moves.len(),
                "broken_routes": broken,
                "repair_seconds": r.repair_seconds,
                "tradeoff": r.table.iter().map(|t| serde_json::json!({"max_changes": t.max_changes, "moved": t.moved, "cost_per_year": t.cost_per_year.pounds()})).collect::<Vec<_>>(),
                "feasible": true,
                "cut_short": r.cut_short,
            })
        );
        return;
    }
    println!(
        "today: {} routes, {broken} break a rule; {} starter(s) placed and {} pupil(s) moved off broken routes in {:.3} s (repaired: {} a year)",
        checks.len(),
        r.repaired.starters.len(),
        r.repaired.forced_moves.len(),
        r.repair_seconds,
        r.repaired_cost
    );
    println!("saving against pupils moved (reference prices, both halves of the day, a year):");
    for t in &r.table {
        println!(
            "  at most {:>9}: {:>3} moved, {} ({} saved)",
            t.max_changes
                .map_or("unlimited".to_string(), |b| b.to_string()),
            t.moved,
            t.cost_per_year,
            r.repaired_cost - t.cost_per_year
        );
    }
    println!(
        "plan: {} vehicles, {} a year; {} pupil(s) change vehicle; checker: ok",
        plan.routes.len(),
        plan.cost_per_year,
        r.moved,
    );
    for c in &r.cut_short {
        println!("  cut short: {c}");
    }
}

/// `schoolrun validate`'s report.
pub fn validation(dir: &std::path::Path, v: &workflow::Validation, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::json!({"valid": v.errors.is_empty(), "errors": v.errors, "warnings": v.warnings, "summary": v.summary})
        );
        return;
    }
    for e in &v.errors {
        println!("error: {e}");
    }
    for w in &v.warnings {
        println!("warning: {w}");
    }
    println!(
        "{}: {} error(s), {} warning(s)",
        dir.display(),
        v.errors.len(),
        v.warnings.len()
    );
    let s = &v.summary;
    println!(
        "  {} schools; {} pupils ({} to route, {} on PTB, {} on ITT, {} other); of those routed {} wheelchair users, {} need an assistant, {} solo",
        s.schools,
        s.pupils,
        s.routed,
        s.on_ptb,
        s.on_itt,
        s.other,
        s.wheelchair,
        s.needs_assistant,
        s.solo
    );
    println!(
        "  {} vehicle types, {} operators, {} current routes carrying {} pupils",
        s.vehicle_types, s.operators, s.current_routes, s.current_route_pupils
    );
    if s.current_routes > 0 {
        println!(
            "  as-is cost: £{:.2} per day, £{:.0} per year, £{:.0} per pupil per year",
            s.as_is_per_day, s.as_is_per_year, s.as_is_per_pupil_year
        );
    }
}

/// Prints the chain's steps as they finish (numbered lines), or gathers the figures for
/// one JSON line.
#[derive(Default)]
pub struct ChainPrinter {
    /// Print one JSON line at the end instead of the step lines.
    pub json: bool,
    /// The figures of the JSON line.
    pub summary: serde_json::Map<String, serde_json::Value>,
    days: i64,
    current: Pence,
    caseloads: (u32, u32),
    vehicles_today: usize,
}

impl ChainPrinter {
    /// A printer of step lines, or of one JSON line when `json`.
    pub fn new(json: bool) -> Self {
        ChainPrinter {
            json,
            ..Default::default()
        }
    }

    fn say(&self, line: String) {
        if !self.json {
            println!("{line}");
        }
    }

    /// Prints (or records) one step.
    pub fn step(&mut self, step: Step) {
        match step {
            Step::Prepared(p) => self.prepared(p),
            Step::Planned(plan, _) => {
                let saving = self.current - plan.cost_per_year;
                self.summary
                    .insert("vehicles".into(), plan.routes.len().into());
                self.say(format!(
                    "4. optimised routes: {} vehicles (today {}), {} a year vs {} today: saving {saving} ({:.1}%); checker: every rule holds; {} iterations in {:.1} s",
                    plan.routes.len(),
                    self.vehicles_today,
                    plan.cost_per_year,
                    self.current,
                    percent(saving, self.current),
                    plan.iterations,
                    plan.seconds
                ));
            }
            Step::Tendered(tr) => {
                if !self.json {
                    print!("5. retender: ");
                    tender(self.days, tr, false);
                }
            }
            Step::Savings(sr) => {
                let s = &sr.savings;
                self.say(format!(
                    "6. PTB/ITT: {} eligible pupils ({} would free a vehicle, {} save nothing), {} pairs, in {:.1} s; {} offers chosen (caseload {} PTB, {} ITT): expected {} in year 1, {} over 3 years",
                    s.pupils.len(),
                    s.pupils.iter().filter(|p| p.frees_vehicle).count(),
                    s.pupils.iter().filter(|p| p.marginal_per_year.0 == 0).count(),
                    s.pairs.len(),
                    sr.seconds,
                    sr.targets.len(),
                    self.caseloads.0,
                    self.caseloads.1,
                    sr.year1(),
                    sr.projection.total
                ));
                for (p, fast, full) in &sr.checks {
                    self.say(format!(
                        "   check pupil #{p}: fast estimate {fast} a year, full re-solve {full}"
                    ));
                }
                self.summary
                    .insert("ptb_itt_year1".into(), sr.year1().pounds().into());
                self.summary.insert(
                    "ptb_itt_3_years".into(),
                    sr.projection.total.pounds().into(),
                );
                self.summary
                    .insert("targets".into(), sr.targets.len().into());
            }
            Step::Finished(b) => {
                let today = if self.vehicles_today > 0 {
                    format!(
                        "today {} (today's contract prices), optimised routes {}, retendered {}, with PTB/ITT {} ({:.1}% below today)",
                        b.current,
                        b.optimised,
                        b.retendered,
                        b.with_ptb_itt,
                        percent(b.current - b.with_ptb_itt, b.current)
                    )
                } else {
                    format!(
                        "optimised routes {}, retendered {}, with PTB/ITT {} (no current_routes.csv: no saving against today)",
                        b.optimised, b.retendered, b.with_ptb_itt
                    )
                };
                self.say(format!("7. budget a year: {today}"));
                for (k, v) in [
                    ("current_per_year", b.current),
                    ("optimised_per_year", b.optimised),
                    ("retendered_per_year", b.retendered),
                    ("with_ptb_itt_per_year", b.with_ptb_itt),
                ] {
                    self.summary.insert(k.into(), v.pounds().into());
                }
            }
        }
    }

    fn prepared(&mut self, p: &workflow::Prepared) {
        let (sc, report) = (&p.scenario, &p.network_report);
        self.days = sc.policy.school_days as i64;
        self.current = sc.current_cost_per_day() * self.days;
        self.caseloads = (sc.policy.ptb_caseload, sc.policy.itt_caseload);
        self.vehicles_today = sc.current_routes.len();
        let s = p.network.roads().summary();
        self.say(format!(
            "1. road network: {} junctions, {} directed edges, {:.1} km of road ({})",
            s.nodes,
            s.edges,
            s.road_km,
            if report.from_cache {
                format!("from cache in {:.2} s", report.cache_load_seconds)
            } else {
                format!(
                    "built in {:.2} s",
                    report.build_seconds + report.prepare_seconds
                )
            }
        ));
        let sm = sc.summary();
        self.say(format!(
            "2. scenario '{}': {} schools, {} pupils ({} to route: {} wheelchair users, {} need an assistant, {} solo); valid, {} warning(s)",
            sc.name,
            sm.schools,
            sm.pupils,
            sm.routed,
            sm.wheelchair,
            sm.needs_assistant,
            sm.solo,
            p.warnings.len()
        ));
        self.say(format!(
            "   today's routes: {} vehicles carrying {} pupils; as-is £{:.0} a day, £{:.0} a year, £{:.0} per pupil per year",
            sm.current_routes,
            sm.current_route_pupils,
            sm.as_is_per_day,
            sm.as_is_per_year,
            sm.as_is_per_pupil_year
        ));
        self.say(format!(
            "3. travel matrix: {} × {} points in {:.3} s",
            p.coords.len(),
            p.coords.len(),
            p.matrix_seconds
        ));
    }
}
