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
        "{} routes to {} supplier(s): {} a year with assistants ({} vehicles and drivers), today {}: saving {} ({pct:.1}%); {} (gap {:.4}%, LP bound {}/day); {} bundle(s) won",
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
        Pence::from_pounds(award.lp_bound),
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
            "  as-is cost: {} per day, {} per year, {} per pupil per year",
            Pence::from_pounds(s.as_is_per_day),
            Pence::from_pounds(s.as_is_per_year),
            Pence::from_pounds(s.as_is_per_pupil_year)
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
    seed: usize,
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
            Step::Planned(plan, settings) | Step::Given(plan, settings) => {
                self.seed += 1;
                let (given, searched) = match step {
                    Step::Given(..) => ("the plan given, ", String::new()),
                    _ => (
                        "",
                        format!("; {} iterations in {:.1} s", plan.iterations, plan.seconds),
                    ),
                };
                self.say(format!(
                    "{}. seed {}: {given}{} vehicles (today {}), {} a year at reference prices, both halves; checker: every rule holds{searched}",
                    3 + self.seed,
                    settings.seed,
                    plan.routes.len(),
                    self.vehicles_today,
                    plan.cost_per_year,
                ));
            }
            Step::Base(seed, plan) => {
                self.seed += 1;
                self.say(format!(
                    "{}. every seed's savings start from seed {seed}'s plan, the cheapest searched ({} vehicles, {} a year): the plan the council would run",
                    3 + self.seed,
                    plan.routes.len(),
                    plan.cost_per_year,
                ));
            }
            Step::Savings(seed, sr) => {
                let s = &sr.savings;
                let improved = if s.improvements > 0 {
                    format!(
                        "; the searches found a better plan {} time(s), now {} a year",
                        s.improvements, s.base_per_year
                    )
                } else {
                    String::new()
                };
                self.say(format!(
                    "   seed {seed}, PTB/ITT: {} eligible pupils ({} free a vehicle, {} exact, {} save nothing), {} pairs; {} round(s) of paired searches{} ({:.1} s); {} offers (caseload {} PTB, {} ITT): expected {} in year 1, {} over {} years (reference prices)",
                    s.pupils.len(),
                    s.pupils.iter().filter(|p| p.frees_vehicle).count(),
                    s.pupils.iter().filter(|p| p.exact).count(),
                    s.pupils.iter().filter(|p| p.marginal_per_year.0 == 0).count(),
                    s.pairs.len(),
                    s.rounds,
                    improved,
                    sr.seconds,
                    sr.targets.len(),
                    self.caseloads.0,
                    self.caseloads.1,
                    sr.year1(),
                    sr.projection.total,
                    sr.projection.rows.len()
                ));
                for a in &s.anomalies {
                    self.say(format!("   warning: a figure breaks its bounds: {a}"));
                }
                if !sr.checks.is_empty() {
                    let inside = sr.checks.iter().filter(|c| c.inside).count();
                    let proven = sr.checks.iter().filter(|c| c.inside_proven).count();
                    self.say(format!(
                        "   check: {inside} of {} thorough re-solves inside [lower, upper over the plans known]; {proven} inside the proven [lower, ceiling]",
                        sr.checks.len()
                    ));
                    if let Some((first, cost)) = &sr.first_checks {
                        self.say(format!(
                            "   (the re-solves found a plan cheaper than the first base of {cost} a year; \
                             the estimates were made again on it: {} of {} were inside before)",
                            first.iter().filter(|c| c.inside).count(),
                            first.len()
                        ));
                    }
                    for c in &sr.checks {
                        let id = sr.savings.pupils.iter().find(|p| p.pupil == c.pupil);
                        self.say(format!(
                            "     pupil {}: lower {} estimate {} upper {} ceiling {}; thorough {}{}",
                            id.map_or("?", |p| p.pupil_id.as_str()),
                            c.lower,
                            c.estimate,
                            c.upper,
                            c.ceiling.map_or("none".to_string(), |x| x.to_string()),
                            c.thorough,
                            if c.inside {
                                ""
                            } else if c.thorough < c.lower {
                                " (below the lower bound: the check knows a cheaper plan with everyone)"
                            } else {
                                " (above the upper bound: the check knows a cheaper plan without them than the estimates)"
                            }
                        ));
                    }
                }
            }
            Step::Tendered(tr) => {
                if !self.json {
                    print!("   retender: ");
                    tender(self.days, tr, false);
                }
            }
            Step::Priced(w) => {
                let steps: Vec<String> = w
                    .steps()
                    .iter()
                    .enumerate()
                    .map(|(k, st)| {
                        if k == 0 {
                            format!("{} {}", st.step, st.level)
                        } else {
                            format!("{} {}", st.step, signed(st.change))
                        }
                    })
                    .collect();
                self.say(format!(
                    "   a year, step by step: {} = {}",
                    steps.join(" → "),
                    w.after
                ));
            }
            Step::Finished(w, h) => {
                let spread = |s: &workflow::Spread| {
                    if s.values.len() > 1 {
                        format!(
                            "median {} (range {} to {}, {:.1}% of the median, {} seeds)",
                            s.median,
                            s.min,
                            s.max,
                            s.range_pct(),
                            s.values.len()
                        )
                    } else {
                        format!("{} (one seed: no spread measured)", s.median)
                    }
                };
                self.say(format!(
                    "{}. headlines: plan searches {} a year at reference prices; the plan the savings end with {} at reference prices, {} at tender prices",
                    4 + self.seed,
                    spread(&h.plan_search),
                    spread(&h.plan_reference),
                    spread(&h.plan_tender)
                ));
                match &h.saving {
                    Some(s) => self.say(format!(
                        "   saving against today (today's contract prices → the plan at tender prices with PTB/ITT): {} a year",
                        spread(s)
                    )),
                    None => self.say(
                        "   no current_routes.csv: no saving against today is shown".to_string(),
                    ),
                }
                self.say(format!(
                    "   PTB/ITT over {} years (expected, reference prices): {}; outputs from seed {} (the cheapest plan)",
                    3,
                    spread(&h.ptb_itt_projection),
                    h.chosen_seed
                ));
                self.summary.insert(
                    "waterfall".into(),
                    serde_json::to_value(w.steps()).unwrap_or_default(),
                );
                self.summary.insert(
                    "headlines".into(),
                    serde_json::to_value(h).unwrap_or_default(),
                );
                self.summary
                    .insert("after_per_year".into(), w.after.pounds().into());
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
            "   today's routes: {} vehicles carrying {} pupils; as-is {} a day, {} a year, {} per pupil per year",
            sm.current_routes,
            sm.current_route_pupils,
            Pence::from_pounds(sm.as_is_per_day),
            Pence::from_pounds(sm.as_is_per_year),
            Pence::from_pounds(sm.as_is_per_pupil_year)
        ));
        self.say(format!(
            "3. travel matrix: {} × {} points in {:.3} s",
            p.coords.len(),
            p.coords.len(),
            p.matrix_seconds
        ));
    }
}

/// A change of money with its sign (`+£1,234` or `−£1,234`).
fn signed(p: Pence) -> String {
    if p.0 < 0 {
        format!("−{}", Pence(-p.0))
    } else {
        format!("+{p}")
    }
}

/// `schoolrun budget` (and `budget merge`): what ran, then one line per variant.
pub fn budget(r: &workflow::budget::BudgetRun, out: &std::path::Path, json: bool) {
    if json {
        let v = serde_json::json!({
            "jobs": r.jobs,
            "in_shard": r.in_shard,
            "ran": r.ran,
            "reused": r.reused,
            "finished": r.figures.len(),
            "complete": r.complete(),
            "seconds": r.seconds,
            "job_seconds": r.job_seconds,
            "variants": r.rows,
        });
        println!("{v}");
        return;
    }
    println!(
        "budget: {} variant(s) × {} sample(s) = {} jobs; this run: {} run, {} already finished ({:.1} s wall, {:.1} s of jobs)",
        r.spec.variants.len(),
        r.spec.samples,
        r.jobs,
        r.ran,
        r.reused,
        r.seconds,
        r.job_seconds
    );
    if !r.complete() {
        println!(
            "   {} of {} jobs finished in {}; run the other shards, then `schoolrun budget merge --out DIR {} …`",
            r.figures.len(),
            r.jobs,
            out.display(),
            out.display()
        );
        return;
    }
    let p = |x: f64| Pence(x.round() as i64).to_string();
    println!(
        "   {:<36} {:>8} {:>28} {:>14}",
        "variant", "vehicles", "year-1 budget (P10–P90)", "vs first"
    );
    for row in &r.rows {
        if row.samples == 0 {
            println!(
                "   {:<36} failed: {}",
                row.variant,
                row.failure.as_deref().unwrap_or("")
            );
            continue;
        }
        println!(
            "   {:<36} {:>8} {:>28} {:>14}",
            row.variant,
            row.vehicles.median,
            format!(
                "{} ({}–{})",
                p(row.after.median),
                p(row.after.p10),
                p(row.after.p90)
            ),
            p(row.vs_first.median)
        );
    }
    println!(
        "   outputs in {}: budget.csv, forecast.csv, budget.json, budget.html, jobs/",
        out.display()
    );
}
