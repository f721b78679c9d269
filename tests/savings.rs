//! PTB/ITT savings: marginal savings on a constructed case, targeting, the projection,
//! and the report produced by `schoolrun savings`.

use crate::common::{bin, data};
use crate::day::{plan_with, pupil, scenario, school, vehicle};
use schoolrun::plan::{self, Locations};
use schoolrun::savings::{self, Offer};
use schoolrun::units::Pence;

/// School at 0 km. A and B live at the same spot 10 km out and share a taxi; C, 30 km
/// out, must travel alone. Boarding takes no time, so B leaving saves nothing (A is
/// still collected from the same place), while C leaving frees a whole vehicle.
fn case() -> (schoolrun::scenario::Scenario, schoolrun::matrix::Matrix) {
    let mut a = pupil("A", 0, 10.0);
    let mut b = pupil("B", 0, 10.0);
    let mut c = pupil("C", 0, 30.0);
    c.0.solo = true;
    for p in [&mut a, &mut b, &mut c] {
        p.0.ptb_eligible = true;
        p.0.itt_eligible = true;
        p.0.values_mode = schoolrun::scenario::ValuesMode::Prospector;
    }
    let (mut sc, m) = scenario(
        vec![a, b, c],
        vec![school("S", 0.0, (9, 0))],
        vec![vehicle("taxi", 4, 0, 40.0)],
    );
    sc.policy.boarding_min = 0;
    (sc, m)
}

#[test]
fn exact_savings_known_by_construction() {
    let (sc, m) = case();
    let loc = Locations::standard(&sc);
    let travel = plan::travel(&m);
    let base = plan_with(&sc, &m, 300);
    assert_eq!(base.routes.len(), 2, "A+B share, C alone");
    let s = savings::estimate(
        &sc,
        &travel,
        &loc,
        &base,
        &savings::Settings::default(),
        &|_, _| {},
    );
    assert!(s.anomalies.is_empty(), "{:?}", s.anomalies);
    let by_id = |id: &str| s.pupils.iter().find(|p| p.pupil_id == id).unwrap();
    let days = sc.policy.school_days as i64;
    // C travels alone: exactly the vehicle's day, £40 plus 30 km and 50 minutes each way
    // (£1/km, £0.20/min); lower and upper bounds meet.
    let c = by_id("C");
    let vehicle_day = Pence::from_pounds(40.0 + 2.0 * (30.0 + 10.0)) * days;
    assert!(c.frees_vehicle && c.exact);
    assert_eq!(
        (c.lower_per_year, c.marginal_per_year, c.upper_per_year),
        (vehicle_day, vehicle_day, vehicle_day)
    );
    // Proven too: the ceiling (a vehicle-day of their own) is that same day.
    assert_eq!(c.ceiling_per_year, Some(vehicle_day));
    // B: nothing, exactly (A is still collected from the same place), although B's
    // average share of the shared taxi is half its cost. Likewise A.
    for id in ["A", "B"] {
        let p = by_id(id);
        assert_eq!(
            (p.lower_per_year, p.marginal_per_year, p.upper_per_year),
            (Pence(0), Pence(0), Pence(0)),
            "{id}"
        );
        assert!(!p.frees_vehicle && p.exact);
        assert!(p.average_per_year > Pence(0));
    }
    // A and B together free the shared taxi: exactly its cost, all of it synergy.
    let pair = s.pairs.iter().find(|p| p.pupils == (0, 1)).unwrap();
    let shared = base.routes.iter().find(|r| r.pupils.len() == 2).unwrap();
    let taxi = shared.cost_per_day * days;
    assert_eq!(
        (
            pair.joint_lower_per_year,
            pair.joint_per_year,
            pair.joint_upper_per_year
        ),
        (taxi, taxi, taxi)
    );
    assert_eq!(pair.synergy_per_year, taxi);
    // The two alone need that taxi: the proven ceiling meets the bounds.
    assert_eq!(pair.joint_ceiling_per_year, Some(taxi));
    // PTB for B costs money and saves none: a negative net, shown as it is; ITT's first
    // year includes training.
    let ptb_b = by_id("B")
        .offers
        .iter()
        .find(|o| o.offer == Offer::Ptb)
        .unwrap();
    assert!(ptb_b.net_first_year < Pence(0));
    let itt_c = c.offers.iter().find(|o| o.offer == Offer::Itt).unwrap();
    assert_eq!(
        itt_c.net_first_year,
        c.marginal_per_year - sc.policy.itt_training_cost - sc.policy.itt_annual_pass
    );
    let targets = savings::target(&sc, &s);
    assert_eq!(targets[0].pupil_id, "C", "{targets:?}");
    assert!(targets[0].reason.contains("frees a whole vehicle"));
    // The thorough re-solves (equal effort with and without each pupil) agree with the
    // exact figures and lie within the bounds.
    let effort = savings::CheckEffort {
        sample: 3,
        search: schoolrun::routing::Settings {
            time_limit: None,
            iterations: Some(300),
            threads: 1,
            seed: 7,
            regret_share: 0.0,
            pricing: false,
        },
    };
    let refs = savings::references(&sc, &travel, &loc, &base, &s, &effort, &|_, _| {});
    assert!(refs.better.is_none(), "the base is optimal");
    let checks = savings::check(&sc, &travel, &loc, &base, &s, &refs);
    assert_eq!(checks.len(), 3);
    for c in &checks {
        assert!(c.inside && c.inside_proven, "{c:?}");
        assert_eq!(c.thorough, c.estimate, "{c:?}");
    }
}

/// The demo scenario, a plan of 2,000 iterations, and its savings estimated with `s`.
fn demo_estimates(
    s: savings::Settings,
) -> (schoolrun::scenario::Scenario, plan::Plan, savings::Savings) {
    let (sc, m) = crate::common::demo();
    let loc = Locations::standard(&sc);
    let base = plan_with(&sc, &m, 2000);
    let est = savings::estimate(&sc, &plan::travel(&m), &loc, &base, &s, &|_, _| {});
    (sc, base, est)
}

/// On the demo: every figure lies within its bounds, no saving is negative, and the
/// searches never end on a base dearer than the plan they started from.
#[test]
fn demo_estimates_keep_their_bounds_and_never_raise_the_best_cost() {
    let (sc, base, s) = demo_estimates(savings::Settings {
        repair_iterations: 100,
        max_pairs: 40,
        ..Default::default()
    });
    assert!(s.anomalies.is_empty(), "{:?}", s.anomalies);
    assert!(s.base_per_year <= base.cost_per_year);
    assert_eq!(s.improved.is_some(), s.improvements > 0);
    if let Some(p) = &s.improved {
        assert_eq!(p.cost_per_year, s.base_per_year);
        assert!(plan::check::check(&sc, p).is_empty());
    }
    for p in &s.pupils {
        assert!(Pence(0) <= p.lower_per_year, "{p:?}");
        assert!(p.lower_per_year <= p.marginal_per_year, "{p:?}");
        assert!(p.marginal_per_year <= p.upper_per_year, "{p:?}");
        assert_eq!(p.exact, p.lower_per_year == p.upper_per_year);
        // Taxis and WAVs have no count limit on the demo: every pupil has a proven
        // ceiling, and no estimate exceeds it.
        let ceiling = p.ceiling_per_year.expect("a ceiling");
        assert!(p.marginal_per_year <= ceiling, "{p:?}");
    }
    for pr in &s.pairs {
        assert!(pr.joint_lower_per_year <= pr.joint_per_year);
        assert!(pr.joint_per_year <= pr.joint_upper_per_year);
        assert!(
            pr.joint_ceiling_per_year
                .is_some_and(|c| pr.joint_per_year <= c)
        );
    }
}

#[test]
fn expected_savings_add_up_in_the_projection() {
    let (sc, m) = case();
    let loc = Locations::standard(&sc);
    let base = plan_with(&sc, &m, 300);
    let s = savings::estimate(
        &sc,
        &plan::travel(&m),
        &loc,
        &base,
        &Default::default(),
        &|_, _| {},
    );
    let targets = savings::target(&sc, &s);
    let pr = savings::project(&sc, &s, &targets, 3);
    assert_eq!(pr.rows.len(), 3);
    let mut sum = Pence(0);
    let mut first = 0.0;
    let mut later = 0.0;
    for t in &targets {
        let v = s
            .pupils
            .iter()
            .find(|p| p.pupil == t.pupil)
            .unwrap()
            .offers
            .iter()
            .find(|o| o.offer == t.offer)
            .unwrap();
        // The projection counts the synergy the targeting counted.
        first += v.uptake * v.net_first_year.0 as f64 + t.synergy_per_year.0 as f64;
        later += v.uptake * v.net_later_years.0 as f64 + t.synergy_per_year.0 as f64;
    }
    for r in &pr.rows {
        assert_eq!(r.total, r.in_year + r.from_earlier);
        assert!((r.in_year.0 as f64 - first).abs() <= 1.0);
        sum += r.total;
    }
    assert_eq!(sum, pr.total);
    // Two years of saving per case: year 1 has no earlier cohort, years 2 and 3 have one.
    assert_eq!(pr.rows[0].from_earlier, Pence(0));
    assert!((pr.rows[1].from_earlier.0 as f64 - later).abs() <= 1.0);
    assert_eq!(pr.rows[2].from_earlier, pr.rows[1].from_earlier);
}

#[test]
fn cli_savings_report_lists_every_route_and_pupil_once() {
    let out = tempfile::tempdir().unwrap();
    let st = bin()
        .args([
            "savings",
            "--iterations",
            "1500",
            "--repair-iterations",
            "60",
            "--seeds",
            "2",
            "--json",
            "--out",
        ])
        .arg(out.path())
        .arg(data("demo"))
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    // Every step of the waterfall names its price basis, and the steps add up.
    let steps = v["waterfall"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["today", "premium", "re-routing", "retendering", "PTB/ITT"]
    );
    let mut level = 0i64;
    for st in steps {
        assert!(st["basis"].as_str().unwrap().contains("prices"), "{st}");
        level += st["change"].as_i64().unwrap();
        if st["step"] == "today" {
            level = st["level"].as_i64().unwrap();
        }
        assert_eq!(level, st["level"].as_i64().unwrap(), "{st}");
    }
    assert_eq!(
        (v["after_per_year"].as_f64().unwrap() * 100.0).round() as i64,
        level
    );
    // Each headline has its spread over the two seeds.
    let h = &v["headlines"];
    assert_eq!(h["seeds"].as_array().unwrap().len(), 2);
    for k in [
        "plan_reference",
        "plan_tender",
        "saving",
        "ptb_itt_projection",
    ] {
        let s = &h[k];
        assert_eq!(s["values"].as_array().unwrap().len(), 2, "{k}");
        assert!(
            s["min"].as_i64() <= s["median"].as_i64() && s["median"].as_i64() <= s["max"].as_i64()
        );
    }
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("savings.json")).unwrap())
            .unwrap();
    assert!(
        saved["basis"]
            .as_str()
            .unwrap()
            .contains("reference prices")
    );
    assert_eq!(saved["anomalies"].as_array().unwrap().len(), 0);
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    // One small inline script (the map's route/school views), nothing loaded.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(
        !html.contains("<script src") && !html.contains("src=\"http") && !html.contains("fetch(")
    );
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("plan.json")).unwrap())
            .unwrap();
    for r in plan["routes"].as_array().unwrap() {
        let id = r["id"].as_str().unwrap();
        // On the map, in its manifest, and in the view picker.
        assert_eq!(
            html.matches(&format!("data-route=\"{id}\"")).count(),
            2,
            "route {id}"
        );
        assert_eq!(
            html.matches(&format!("<option value=\"r:{id}\">")).count(),
            1
        );
    }
    let pupils = std::fs::read_to_string(data("demo/pupils.csv")).unwrap();
    for line in pupils.lines().skip(1) {
        let id = line.split(',').next().unwrap();
        assert_eq!(
            html.matches(&format!("data-pupil=\"{id}\"")).count(),
            1,
            "pupil {id}"
        );
        assert!(!html.contains(&format!("{id},")), "no CSV leaks");
    }
    assert!(html.contains("<svg class=\"map\""));
    // Each pupil's estimate is shown with its range over the two seeds.
    assert!(html.contains("<th class=n>over the seeds</th>"));
    for f in [
        "savings.csv",
        "targets.csv",
        "projection.csv",
        "savings.json",
        "allocation.csv",
    ] {
        assert!(out.path().join(f).exists(), "{f}");
    }
}

/// `savings --plan` estimates the plan given (the one the council runs): every seed starts
/// from it, so the base is the same in each and nothing is planned anew; the estimates
/// keep their bounds, and a plan folder without plan.json is an input error (exit 2).
#[test]
fn cli_savings_of_a_given_plan() {
    let planned = tempfile::tempdir().unwrap();
    crate::common::succeed(
        bin()
            .args(["plan", "--iterations", "1500", "--threads", "1", "--out"])
            .arg(planned.path())
            .arg(data("demo")),
    );
    let given: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(planned.path().join("summary.json")).unwrap(),
    )
    .unwrap();
    let given_cost = given["cost_per_year"].as_f64().unwrap();
    let mut bases = Vec::new();
    for seed in ["1", "2"] {
        let out = tempfile::tempdir().unwrap();
        let st = crate::common::succeed(
            bin()
                .args([
                    "savings",
                    "--repair-iterations",
                    "60",
                    "--seeds",
                    "1",
                    "--seed",
                    seed,
                ])
                .arg("--plan")
                .arg(planned.path())
                .arg("--out")
                .arg(out.path())
                .arg(data("demo")),
        );
        let text = String::from_utf8_lossy(&st.stdout);
        assert!(text.contains("the plan given"), "{text}");
        assert!(!text.contains("iterations in"), "planned anew: {text}");
        let saved: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join("savings.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(saved["anomalies"].as_array().unwrap().len(), 0);
        let summary: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join("summary.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(summary["run"]["plan_given"], true, "{summary}");
        assert!(summary["run"]["iterations"].is_null(), "{summary}");
        let base = saved["base_per_year"].as_f64().unwrap();
        // The searches may improve the plan given, never make it dearer.
        assert!(base <= given_cost + 0.005, "{base} > {given_cost}");
        if saved["improvements"].as_u64() == Some(0) {
            assert!((base - given_cost).abs() < 0.005, "{base} vs {given_cost}");
        }
        bases.push(base);
    }
    let none = tempfile::tempdir().unwrap();
    let st = bin()
        .args(["savings", "--plan"])
        .arg(none.path())
        .arg("--out")
        .arg(none.path().join("out"))
        .arg(data("demo"))
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&st.stderr).contains("plan.json"));
    assert!(!none.path().join("out").exists(), "nothing half-written");
}

/// By default a pupil's leaving re-plans their own vehicle-day alone: the best plan known
/// without them differs from the base without them only on routes carrying their
/// vehicle-mates (the vehicle they leave, re-ordered, retyped or split over spare ones),
/// or on routes the base's own improvements changed.
#[test]
fn a_pupils_leaving_re_plans_their_own_vehicle_only() {
    let (_, base, s) = demo_estimates(savings::Settings {
        repair_iterations: 300,
        max_pairs: 0,
        max_rounds: 1,
        region_neighbours: 0,
        ..Default::default()
    });
    // The plan the estimates end against, and the pupils its improvements (if any)
    // moved: a plan without a pupil found before an improvement may be kept as it was.
    let start = plan::Warm::from_plan(&base);
    let warm = plan::Warm::from_plan(s.improved.as_ref().unwrap_or(&base));
    // The pupils on routes that one plan has and the other has not.
    let moved = |a: &plan::Warm, b: &plan::Warm| -> Vec<usize> {
        a.routes
            .iter()
            .filter(|r| !b.routes.contains(r))
            .chain(b.routes.iter().filter(|r| !a.routes.contains(r)))
            .flat_map(|r| r.1.iter().flatten().map(|&(p, _)| p))
            .collect()
    };
    let improved = moved(&warm, &start);
    let mut re_planned = 0;
    for (k, ps) in s.pupils.iter().enumerate() {
        let i = ps.pupil;
        let mates: Vec<usize> = [&start, &warm]
            .iter()
            .flat_map(|w| w.routes.iter())
            .filter(|r| r.1.iter().flatten().any(|&(p, _)| p == i))
            .flat_map(|r| r.1.iter().flatten().map(|&(p, _)| p))
            .chain(improved.iter().copied())
            .collect();
        for p in moved(&s.withouts[k], &warm.without(&[i])) {
            assert!(mates.contains(&p), "{}: pupil {p} moved", ps.pupil_id);
        }
        if ps.marginal_per_year > ps.lower_per_year {
            re_planned += 1;
        }
    }
    // The own vehicle's re-planning found something for some pupils.
    assert!(re_planned > 0);
}

/// `--check-sample` on a plan far from converged: the thorough re-solves find a cheaper
/// plan with everyone, the estimates are made again on it, and against it every thorough
/// saving is at least the pupil's lower bound (the new base with the pupil taken out is a
/// plan without them that the check knows too).
#[test]
fn check_sample_moves_the_estimates_to_a_cheaper_base_it_finds() {
    let out = tempfile::tempdir().unwrap();
    crate::common::succeed(
        bin()
            .args([
                "savings",
                "--iterations",
                "300",
                "--seeds",
                "1",
                "--repair-iterations",
                "60",
                "--check-sample",
                "4",
                "--check-iterations",
                "3000",
                "--threads",
                "2",
                "--out",
            ])
            .arg(out.path())
            .arg(data("demo")),
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("savings.json")).unwrap())
            .unwrap();
    let checks = &saved["checks_against_thorough_resolves"];
    assert_eq!(checks["checked"], 4, "{checks}");
    let first = &checks["first_base"];
    assert!(
        first.is_object(),
        "3,000-iteration re-solves beat a 300-iteration plan: {checks}"
    );
    let base = saved["base_per_year"].as_f64().unwrap();
    assert!(base < first["base_per_year"].as_f64().unwrap(), "{saved}");
    for c in checks["pupils"].as_array().unwrap() {
        let (lower, thorough) = (
            c["lower_per_year"].as_f64(),
            c["thorough_per_year"].as_f64(),
        );
        assert!(lower.unwrap() <= thorough.unwrap() + 0.005, "{c}");
    }
    assert_eq!(saved["anomalies"].as_array().unwrap().len(), 0);
}
