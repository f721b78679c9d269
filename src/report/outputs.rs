//! Reading a plan back, and writing the outputs of tender, savings and re-planning.

use crate::contracts::{Award, Comparison, Comparisons, Sensitivity, Tender};
use crate::error::{Error, Result};
use crate::files::OutputSet;
use crate::units::{Pence, percent};

fn money(p: crate::units::Pence) -> String {
    p.decimal()
}

fn comparison_csv(rows: &[Comparison], total: Option<&Comparison>, count: &str) -> Vec<u8> {
    let mut w = crate::files::Csv::new();
    let _ = w.write_record([
        "id",
        &format!("current_{count}"),
        &format!("new_{count}"),
        "current_per_day",
        "new_per_day",
        "saving_per_day",
        "saving_pct",
    ]);
    for c in rows.iter().chain(total) {
        let saving = c.current_per_day - c.new_per_day;
        let pct = if c.current_per_day.0 > 0 {
            format!("{:.1}", percent(saving, c.current_per_day))
        } else {
            String::new()
        };
        let _ = w.write_record([
            c.key.clone(),
            c.current_count.to_string(),
            c.new_count.to_string(),
            money(c.current_per_day),
            money(c.new_per_day),
            money(saving),
            pct,
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// What a tender's outputs are written from.
pub struct TenderFigures<'a> {
    /// The tender solved.
    pub tender: &'a Tender,
    /// Its award.
    pub award: &'a Award,
    /// The award against today, per route and in total.
    pub comparisons: &'a Comparisons,
    /// What each relaxed constraint would save.
    pub sensitivity: &'a [Sensitivity],
    /// Warnings about the input.
    pub warnings: &'a [String],
}

/// What the savings outputs are written from.
pub struct SavingsFigures<'a> {
    /// Per pupil and per pair.
    pub savings: &'a crate::savings::Savings,
    /// The offers to make, in order.
    pub targets: &'a [crate::savings::Target],
    /// The multi-year projection.
    pub projection: &'a crate::savings::Projection,
    /// Checks against thorough re-solves.
    pub checks: &'a [crate::savings::Check],
    /// When the re-solves found a cheaper base: the checks against the first estimates,
    /// and the first base's cost a year.
    pub first_checks: Option<&'a (Vec<crate::savings::Check>, crate::units::Pence)>,
}

/// Writes a tender's outputs: `tender.json` (totals, bounds, gap, sensitivity, warnings),
/// `allocation.csv` (one row per route), `by_school.csv`, `by_operator.csv` and
/// `sensitivity.csv`. Every file is prepared before any is written.
pub fn tender_files(
    set: &mut OutputSet,
    school_days: u32,
    f: TenderFigures,
    extra: serde_json::Value,
) -> Result<()> {
    let TenderFigures {
        tender: t,
        award,
        comparisons: cmp,
        sensitivity: sens,
        warnings,
    } = f;
    let days = school_days as i64;
    let mut alloc = crate::files::Csv::new();
    let _ = alloc.write_record([
        "route",
        "supplier",
        "vehicle_type",
        "price_source",
        "offer_per_day",
        "bundle",
        "price_per_day",
        "assistant",
        "cost_per_day",
        "current_cost_of_its_pupils_per_day",
        "pupils",
    ]);
    for (r, route) in t.routes.iter().enumerate() {
        let o = &t.offers[award.choice[r]];
        let c = &cmp.routes[r];
        let _ = alloc.write_record([
            route.id.clone(),
            t.suppliers[o.supplier].id.clone(),
            t.vehicle_ids[o.vehicle].clone(),
            serde_json::to_value(o.source)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            money(o.price),
            award.bundle[r]
                .map(|b| t.bundles[b].id.clone())
                .unwrap_or_default(),
            money(award.price[r]),
            route.assistant.to_string(),
            money(c.new_per_day),
            money(c.current_per_day),
            route.pupils.len().to_string(),
        ]);
    }
    let alloc = alloc.into_inner().unwrap_or_default();
    let schools = comparison_csv(&cmp.schools, Some(&cmp.total), "pupils");
    let operators = comparison_csv(&cmp.operators, Some(&cmp.total), "routes");
    let mut sw = crate::files::Csv::new();
    let _ = sw.write_record([
        "change",
        "cost_per_day",
        "saving_per_day",
        "saving_per_year",
    ]);
    for s in sens {
        let _ = sw.write_record([
            s.change.clone(),
            money(s.cost_per_day),
            money(s.saving_per_day),
            money(s.saving_per_day * days),
        ]);
    }
    let sens_csv = sw.into_inner().unwrap_or_default();
    let saving = cmp.total.current_per_day - cmp.total.new_per_day;
    let summary = serde_json::json!({
        "routes": t.routes.len(),
        "suppliers": t.suppliers.len(),
        "offers": t.offers.len(),
        "bundles_offered": t.bundles.len(),
        "bundles_won": award.bundles_won.iter().map(|&b| &t.bundles[b].id).collect::<Vec<_>>(),
        "award_per_day": award.cost_per_day.pounds(),
        "award_per_year": (award.cost_per_day * days).pounds(),
        "with_assistants_per_year": (cmp.total.new_per_day * days).pounds(),
        "current_per_year": (cmp.total.current_per_day * days).pounds(),
        "saving_per_year": (saving * days).pounds(),
        "saving_pct": percent(saving, cmp.total.current_per_day),
        "optimal": award.optimal,
        "objective_per_day": award.objective,
        "mip_bound_per_day": award.mip_bound,
        "lp_bound_per_day": award.lp_bound,
        "gap": award.gap,
        "variables": award.size.0,
        "constraints": award.size.1,
        "binding": award.binding.iter().map(|l| l.describe(t)).collect::<Vec<_>>(),
        "mip_seconds": award.seconds,
        "by_operator": cmp.operators,
        "sensitivity": sens,
        "warnings": warnings,
        "run": extra,
        "run_id": set.run_id(),
    });
    let summary =
        serde_json::to_string_pretty(&summary).map_err(|e| Error::model(e.to_string()))?;
    set.add("allocation.csv", alloc);
    set.add("by_school.csv", schools);
    set.add("by_operator.csv", operators);
    set.add("sensitivity.csv", sens_csv);
    set.add("tender.json", summary);
    Ok(())
}

/// Writes the savings outputs: `savings.csv` (one row per eligible pupil and offer),
/// `targets.csv`, `projection.csv`, `savings.json` and `report.html`. Everything is
/// prepared before any file is written.
pub fn savings_files(
    set: &mut OutputSet,
    sc: &crate::scenario::Scenario,
    f: SavingsFigures,
    waterfall: &crate::savings::waterfall::Waterfall,
    headlines: &crate::savings::waterfall::Headlines,
    html: &str,
) -> Result<()> {
    let SavingsFigures {
        savings,
        targets,
        projection,
        checks,
        first_checks,
    } = f;
    let mut w = crate::files::Csv::new();
    let _ = w.write_record([
        "pupil",
        "route",
        "route_saving_per_year",
        "lower_bound_per_year",
        "upper_bound_per_year",
        "proven_ceiling_per_year",
        "exact",
        "frees_vehicle",
        "route_saving_min_over_seeds",
        "route_saving_max_over_seeds",
        "average_cost_per_year",
        "home_school_km",
        "offer",
        "cost_first_year",
        "cost_later_years",
        "net_first_year",
        "net_later_years",
        "net_per_case",
        "uptake",
        "expected_per_case",
    ]);
    let over_seeds = |p: &crate::savings::PupilSaving| {
        headlines
            .pupil_estimates
            .get(&p.pupil_id)
            .map_or((p.marginal_per_year, p.marginal_per_year), |s| {
                (s.min, s.max)
            })
    };
    let over_seeds_json = |p: &crate::savings::PupilSaving| {
        let (lo, hi) = over_seeds(p);
        serde_json::json!({"min": lo.pounds(), "max": hi.pounds()})
    };
    for p in &savings.pupils {
        let (lo, hi) = over_seeds(p);
        for o in &p.offers {
            let _ = w.write_record([
                p.pupil_id.clone(),
                p.route.clone(),
                money(p.marginal_per_year),
                money(p.lower_per_year),
                money(p.upper_per_year),
                p.ceiling_per_year.map(money).unwrap_or_default(),
                p.exact.to_string(),
                p.frees_vehicle.to_string(),
                money(lo),
                money(hi),
                money(p.average_per_year),
                format!("{:.2}", p.distance_m as f64 / 1000.0),
                o.offer.name().to_string(),
                money(o.cost_first_year),
                money(o.cost_later_years),
                money(o.net_first_year),
                money(o.net_later_years),
                money(o.net_per_case),
                format!("{:.2}", o.uptake),
                money(o.expected_per_case),
            ]);
        }
    }
    let savings_csv = w.into_inner().unwrap_or_default();
    let mut w = crate::files::Csv::new();
    let _ = w.write_record([
        "priority",
        "pupil",
        "offer",
        "uptake",
        "net_first_year",
        "expected_per_case",
        "reason",
    ]);
    for t in targets {
        let _ = w.write_record([
            t.priority.to_string(),
            t.pupil_id.clone(),
            t.offer.name().to_string(),
            format!("{:.2}", t.uptake),
            money(t.net_first_year),
            money(t.expected_per_case),
            t.reason.clone(),
        ]);
    }
    let targets_csv = w.into_inner().unwrap_or_default();
    let mut w = crate::files::Csv::new();
    let _ = w.write_record([
        "year",
        "ptb_moved",
        "itt_moved",
        "in_year_saving",
        "from_earlier_years",
        "total",
    ]);
    for r in &projection.rows {
        let _ = w.write_record([
            r.year.to_string(),
            format!("{:.1}", r.ptb_moved),
            format!("{:.1}", r.itt_moved),
            money(r.in_year),
            money(r.from_earlier),
            money(r.total),
        ]);
    }
    let _ = w.write_record(["total", "", "", "", "", &money(projection.total)]);
    let projection_csv = w.into_inner().unwrap_or_default();
    let inside = checks.iter().filter(|c| c.inside).count();
    let json = serde_json::json!({
        "basis": "reference prices (vehicles.csv), both halves of the day, against the best plan known",
        "base_per_year": savings.base_per_year.pounds(),
        "plan_improved_by_the_searches": savings.improved.is_some(),
        "rounds": savings.rounds,
        "improvements": savings.improvements,
        "converged": savings.converged,
        "search_iterations": savings.iterations,
        "re_planned_without_a_pupil": re_planned(savings.region_neighbours),
        "eligible": savings.pupils.len(),
        "exact": savings.pupils.iter().filter(|p| p.exact).count(),
        "frees_vehicle": savings.pupils.iter().filter(|p| p.frees_vehicle).count(),
        "no_route_saving": savings.pupils.iter().filter(|p| p.marginal_per_year.0 == 0).count(),
        "anomalies": savings.anomalies,
        "pupils": savings.pupils.iter().map(|p| serde_json::json!({
            "pupil": p.pupil_id, "route": p.route,
            "lower_per_year": p.lower_per_year.pounds(), "estimate_per_year": p.marginal_per_year.pounds(),
            "upper_per_year": p.upper_per_year.pounds(),
            "proven_ceiling_per_year": p.ceiling_per_year.map(|c| c.pounds()),
            "exact": p.exact, "frees_vehicle": p.frees_vehicle,
            "estimate_over_seeds_per_year": over_seeds_json(p),
        })).collect::<Vec<_>>(),
        "pairs": savings.pairs.iter().map(|p| serde_json::json!({
            "pupils": [sc.pupils[p.pupils.0].id, sc.pupils[p.pupils.1].id],
            "joint_per_year": p.joint_per_year.pounds(),
            "joint_lower_per_year": p.joint_lower_per_year.pounds(),
            "joint_upper_per_year": p.joint_upper_per_year.pounds(),
            "joint_proven_ceiling_per_year": p.joint_ceiling_per_year.map(|c| c.pounds()),
            "synergy_per_year": p.synergy_per_year.pounds(),
        })).collect::<Vec<_>>(),
        "targets": targets,
        "projection": projection,
        "ptb_caseload": sc.policy.ptb_caseload,
        "itt_caseload": sc.policy.itt_caseload,
        "waterfall": waterfall.steps(),
        "headlines": headlines,
        "run_id": set.run_id(),
        "checks_against_thorough_resolves": {
            "inside_bounds": inside,
            "inside_proven_bounds": checks.iter().filter(|c| c.inside_proven).count(),
            "checked": checks.len(),
            "first_base": first_checks.map(|(first, cost)| serde_json::json!({
                "note": "the re-solves found a plan cheaper than the estimates' first base; the estimates were made again on it",
                "base_per_year": cost.pounds(),
                "inside_bounds": first.iter().filter(|c| c.inside).count(),
                "inside_proven_bounds": first.iter().filter(|c| c.inside_proven).count(),
            })),
            "pupils": checks.iter().map(|c| serde_json::json!({
                "pupil": sc.pupils[c.pupil].id, "lower_per_year": c.lower.pounds(),
                "estimate_per_year": c.estimate.pounds(), "upper_per_year": c.upper.pounds(),
                "proven_ceiling_per_year": c.ceiling.map(|x| x.pounds()),
                "thorough_per_year": c.thorough.pounds(), "inside": c.inside,
                "inside_proven": c.inside_proven})).collect::<Vec<_>>(),
        },
    });
    let json = serde_json::to_string_pretty(&json).map_err(|e| Error::model(e.to_string()))?;
    set.add("savings.csv", savings_csv);
    set.add("targets.csv", targets_csv);
    set.add("projection.csv", projection_csv);
    set.add("savings.json", json);
    set.add("report.html", stamp_report(html, set.run_id()));
    Ok(())
}

/// Writes the re-planning outputs: `diff.csv` (one row per pupil), `diff_by_route.csv`,
/// `diff_by_school.csv`, `tradeoff.csv`, `current_checks.csv` (today's routes under
/// today's rules) and `report.html`.
#[allow(clippy::too_many_arguments)]
pub fn replan_files(
    set: &mut OutputSet,
    sc: &crate::scenario::Scenario,
    checks: &[crate::replan::RouteCheck],
    table: &[(Option<u32>, usize, Pence)],
    changes: &[crate::replan::Change],
    repaired: Pence,
    map: Option<&super::html::ChangeMap<'_>>,
) -> Result<()> {
    let mut w = crate::files::Csv::new();
    let _ = w.write_record([
        "pupil",
        "school",
        "old_route",
        "new_route",
        "vehicle_changed",
        "old_assistant",
        "new_assistant",
        "old_pickup",
        "new_pickup",
        "pickup_change_min",
    ]);
    for c in changes {
        let _ = w.write_record([
            c.pupil.clone(),
            c.school.clone(),
            c.old_route.clone(),
            c.new_route.clone(),
            c.vehicle_changed.to_string(),
            c.old_assistant.to_string(),
            c.new_assistant.to_string(),
            c.old_pickup.clone(),
            c.new_pickup.clone(),
            c.pickup_change_min
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ]);
    }
    let diff = w.into_inner().unwrap_or_default();
    let mut w = crate::files::Csv::new();
    let _ = w.write_record(["max_changes", "moved", "cost_per_year", "saving_per_year"]);
    for (b, n, c) in table {
        let _ = w.write_record([
            b.map_or("unlimited".to_string(), |b| b.to_string()),
            n.to_string(),
            money(*c),
            money(repaired - *c),
        ]);
    }
    let tradeoff = w.into_inner().unwrap_or_default();
    let mut w = crate::files::Csv::new();
    let _ = w.write_record([
        "route",
        "pupils",
        "contract_per_day",
        "violations",
        "taken_off",
        "leavers",
    ]);
    for c in checks {
        let _ = w.write_record([
            c.id.clone(),
            c.pupils.to_string(),
            money(c.contract_per_day),
            c.violations.join("; "),
            c.taken_off.join(";"),
            c.leavers.join(";"),
        ]);
    }
    let checks_csv = w.into_inner().unwrap_or_default();
    let group = |key: &dyn Fn(&crate::replan::Change) -> String| {
        let mut m: std::collections::BTreeMap<String, [usize; 4]> = Default::default();
        for c in changes {
            let e = m.entry(key(c)).or_default();
            e[0] += 1;
            e[1] += usize::from(c.vehicle_changed);
            e[2] += usize::from(c.old_assistant != c.new_assistant);
            e[3] += usize::from(c.pickup_change_min.is_some_and(|x| x != 0));
        }
        let mut w = crate::files::Csv::new();
        let _ = w.write_record([
            "id",
            "pupils",
            "vehicle_changed",
            "assistant_changed",
            "pickup_time_changed",
        ]);
        for (k, v) in m {
            let _ = w.write_record([
                k,
                v[0].to_string(),
                v[1].to_string(),
                v[2].to_string(),
                v[3].to_string(),
            ]);
        }
        w.into_inner().unwrap_or_default()
    };
    let by_route = group(&|c| {
        if c.new_route.is_empty() {
            "(not routed)".to_string()
        } else {
            c.new_route.clone()
        }
    });
    let by_school = group(&|c| c.school.clone());
    let html = super::html::render_changes(sc, checks, table, changes, repaired, map);
    set.add("diff.csv", diff);
    set.add("tradeoff.csv", tradeoff);
    set.add("diff_by_route.csv", by_route);
    set.add("diff_by_school.csv", by_school);
    set.add("current_checks.csv", checks_csv);
    set.add("report.html", stamp_report(&html, set.run_id()));
    Ok(())
}

/// The report with the run that wrote it, in a meta tag (the report and the other outputs
/// of one run carry the same id).
pub(crate) fn stamp_report(html: &str, run_id: &str) -> String {
    html.replacen(
        "<head>",
        &format!("<head><meta name=\"schoolrun-run\" content=\"{run_id}\">"),
        1,
    )
}

/// What is re-planned when a pupil leaves, in words (savings.json and the report).
pub(crate) fn re_planned(neighbours: usize) -> String {
    match neighbours {
        0 => "the vehicle-day they leave (its runs re-ordered, a smaller vehicle, or its pupils moved to spare vehicles)".into(),
        n => format!(
            "the vehicle-day they leave and the vehicle-days of their {n} nearest neighbours"
        ),
    }
}
