//! Budget runs: variants reproduce the base when they change nothing, price uplifts are
//! exact, demand samples differ only when demand changes, shards merge into the same
//! comparison as one run, a rerun reuses finished jobs, and a bad variants file is
//! refused with file, line and column.

use super::common::{bin, data, prepared_demo};
use schoolrun::budget::{self, Variant};
use schoolrun::progress::Progress;
use schoolrun::rng::Rng;
use schoolrun::workflow::budget::{BudgetOptions, merge, run};
use schoolrun::workflow::chain::{ChainOptions, run_seed};
use std::path::{Path, PathBuf};

fn options(samples: usize) -> BudgetOptions {
    BudgetOptions {
        prepare: schoolrun::workflow::PrepareOptions {
            cache_dir: Some(std::env::temp_dir().join("schoolrun-test-cache")),
            max_snap_m: schoolrun::workflow::DEFAULT_MAX_SNAP_M,
        },
        samples,
        years: 3,
        shard: None,
        threads: 2,
        iterations: 1_500,
        repair_iterations: 40,
        max_rounds: 1,
        region_neighbours: schoolrun::savings::REGION_NEIGHBOURS,
    }
}

fn variants_file(dir: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("variants.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn fresh(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("schoolrun-budget-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn parse(text: &str) -> Vec<Variant> {
    budget::variants::parse("v.toml", text, &prepared_demo().scenario).expect("variants parse")
}

#[test]
fn a_variant_identical_to_the_base_reproduces_the_base() {
    let p = prepared_demo();
    let dir = fresh("identical");
    let ride = p.scenario.policy.secondary_max_ride_min;
    let file = variants_file(
        &dir,
        &format!(
            "[[variant]]\nname = \"base\"\n[[variant]]\nname = \"same\"\nprice_uplift_pct = 0\ngrowth_pct = 0\n[variant.policy]\nsecondary_max_ride_min = {ride}\n"
        ),
    );
    let o = options(2);
    let r = run(
        &data("demo"),
        &file,
        &dir.join("out"),
        &o,
        &Progress::hidden(),
    )
    .unwrap();
    assert!(r.complete() && r.figures.len() == 4 && r.ran == 4);
    for k in 0..2 {
        let base = r
            .figures
            .iter()
            .find(|f| f.variant == "base" && f.sample == k)
            .unwrap();
        let same = r
            .figures
            .iter()
            .find(|f| f.variant == "same" && f.sample == k)
            .unwrap();
        assert!(base.failed.is_none(), "{:?}", base.failed);
        assert_eq!(
            (
                base.plan_reference,
                base.plan_tender,
                base.ptb_itt_year1,
                base.vehicles
            ),
            (
                same.plan_reference,
                same.plan_tender,
                same.ptb_itt_year1,
                same.vehicles
            )
        );
        // And the same as `schoolrun savings`' k-th seed with the same effort.
        let chain = ChainOptions {
            prepare: o.prepare.clone(),
            iterations: o.iterations,
            threads: Some(1),
            seed: None,
            seeds: 1,
            repair_iterations: o.repair_iterations,
            check_sample: 0,
            check_iterations: 0,
            max_rounds: o.max_rounds,
            region_neighbours: schoolrun::savings::REGION_NEIGHBOURS,
            years: o.years,
            plan_from: None,
        };
        let seed = p.scenario.solver.seed + k as u64;
        let direct = run_seed(p, seed, &chain, &Progress::hidden(), &mut |_| {}).unwrap();
        assert_eq!(base.plan_reference, direct.waterfall.plan_reference);
        assert_eq!(base.plan_tender, direct.waterfall.plan_tender);
        assert_eq!(base.ptb_itt_year1, direct.waterfall.ptb_itt_year1);
    }
    let same = r.rows.iter().find(|row| row.variant == "same").unwrap();
    assert_eq!((same.vs_first.min, same.vs_first.max), (0.0, 0.0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_price_uplift_raises_a_fixed_plans_cost_by_exactly_that_percentage() {
    let p = prepared_demo();
    let o = schoolrun::workflow::PlanOptions {
        iterations: Some(500),
        threads: Some(1),
        seed: Some(1),
        ..Default::default()
    };
    let (plan, _) = schoolrun::workflow::plan::plan(p, &o, &|_, _| {}).unwrap();
    let v = &parse("[[variant]]\nname = \"+20%\"\nprice_uplift_pct = 20\n")[0];
    let never = |lat, lon, _: &mut Rng| (lat, lon);
    let (up, _) = budget::apply(&p.scenario, v, 1, &never);
    // Every rate is exactly 20% higher (the demo's rates are whole pence at +20%).
    for (a, b) in p.scenario.vehicles.iter().zip(&up.vehicles) {
        assert_eq!(b.day_rate.0 * 5, a.day_rate.0 * 6);
        assert_eq!(b.per_km.0 * 5, a.per_km.0 * 6);
        assert_eq!(b.per_min.0 * 5, a.per_min.0 * 6);
    }
    assert_eq!(
        up.policy.assistant_day_cost.0 * 5,
        p.scenario.policy.assistant_day_cost.0 * 6
    );
    // The fixed plan's price: each route's within the penny rounding of its two
    // half-day charges (at most 1.1p each) of exactly 20% more.
    let cost = |sc: &schoolrun::scenario::Scenario| -> Vec<i64> {
        plan.routes
            .iter()
            .map(|r| schoolrun::plan::pricing::planned_route_cost(sc, r).0)
            .collect()
    };
    let (before, after) = (cost(&p.scenario), cost(&up));
    for (b, a) in before.iter().zip(&after) {
        assert!((a * 5 - b * 6).abs() <= 11, "route {b}p became {a}p");
    }
    let (b, a): (i64, i64) = (before.iter().sum(), after.iter().sum());
    assert!(
        (a * 5 - b * 6).abs() <= 11 * before.len() as i64,
        "{b} → {a}"
    );
    assert!(((a as f64) / (b as f64) - 1.2).abs() < 1e-4, "{b} → {a}");
    // Today's contracts: each price 20% more, to the penny.
    for (x, y) in p.scenario.current_routes.iter().zip(&up.current_routes) {
        assert!((y.price_per_day.0 * 5 - x.price_per_day.0 * 6).abs() <= 3);
    }
}

#[test]
fn demand_samples_differ_only_when_demand_changes() {
    let p = prepared_demo();
    let base = &p.scenario;
    let vs = parse(
        "[[variant]]\nname = \"prices\"\ngrowth_pct = 0\nprice_uplift_pct = 3\n[[variant]]\nname = \"+4%\"\ngrowth_pct = 4\n[[variant]]\nname = \"+8%\"\ngrowth_pct = 8\n[[variant]]\nname = \"leavers\"\nleavers_pct = 10\n",
    );
    let place = |lat: f64, lon: f64, rng: &mut Rng| {
        (
            lat + 0.001 * (rng.unit() - 0.5),
            lon + 0.001 * (rng.unit() - 0.5),
        )
    };
    let cohort = |sc: &schoolrun::scenario::Scenario| -> Vec<(String, f64, f64, usize)> {
        sc.pupils
            .iter()
            .map(|x| (x.id.clone(), x.lat, x.lon, x.school))
            .collect()
    };
    // growth_pct = 0: every sample has the scenario's own cohort.
    for k in 0..3 {
        let (sc, d) = budget::apply(base, &vs[0], budget::demand_seed(1, k), &place);
        assert_eq!(cohort(&sc), cohort(base));
        assert_eq!((d.added, d.left), (0, 0));
    }
    let grown = |v: &Variant, k| budget::apply(base, v, budget::demand_seed(1, k), &place).0;
    let (a0, a1) = (grown(&vs[2], 0), grown(&vs[2], 1));
    let n = base.pupils.len();
    let added = (n as f64 * 0.08).round() as usize;
    assert_eq!(a0.pupils.len(), n + added);
    assert_ne!(
        cohort(&a0)[n..],
        cohort(&a1)[n..],
        "two samples draw different pupils"
    );
    // A smaller growth's new pupils are the first of a larger one's.
    let small = grown(&vs[1], 0);
    assert_eq!(cohort(&small)[n..], cohort(&a0)[n..small.pupils.len()]);
    // New pupils copy a cohort pupil's needs and school and live near them.
    let mut ids: Vec<&str> = a0.pupils.iter().map(|x| x.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), a0.pupils.len(), "ids stay unique");
    for x in &a0.pupils[n..] {
        assert!(base.pupils.iter().any(|b| b.school == x.school
            && b.wheelchair == x.wheelchair
            && b.needs_assistant == x.needs_assistant
            && b.solo == x.solo
            && (b.lat - x.lat).abs() < 0.001
            && (b.lon - x.lon).abs() < 0.001));
        assert!(x.incompatible_with.is_empty());
    }
    // Leavers: 10% gone, references renumbered, today's routes keep only who stays.
    let (l, d) = budget::apply(base, &vs[3], budget::demand_seed(1, 0), &place);
    assert_eq!(d.left, (n as f64 * 0.1).round() as usize);
    assert_eq!(l.pupils.len(), n - d.left);
    for r in &l.current_routes {
        assert!(!r.pupils.is_empty() && r.pupils.iter().all(|&i| i < l.pupils.len()));
    }
    for x in &l.pupils {
        assert!(x.incompatible_with.iter().all(|&i| i < l.pupils.len()));
    }
}

#[test]
fn shards_merged_equal_one_run_and_a_rerun_reuses_finished_jobs() {
    let dir = fresh("shards");
    let file = variants_file(
        &dir,
        "[[variant]]\nname = \"base\"\n[[variant]]\nname = \"operators +5%\"\nprice_uplift_pct = 5\n[[variant]]\nname = \"demand +8%\"\ngrowth_pct = 8\n",
    );
    let scenario = data("demo");
    let o = options(2);
    let whole = dir.join("whole");
    let one = run(&scenario, &file, &whole, &o, &Progress::hidden()).unwrap();
    assert!(one.complete() && one.ran == 6);
    let demand = one.rows.iter().find(|r| r.variant == "demand +8%").unwrap();
    assert!(demand.pupils.median > one.rows[0].pupils.median);
    // A rerun finds every job finished.
    let again = run(&scenario, &file, &whole, &o, &Progress::hidden()).unwrap();
    assert_eq!((again.ran, again.reused), (0, 6));
    // Two shards, then merge.
    let mut parts = Vec::new();
    for k in 1..=2 {
        let part = dir.join(format!("shard-{k}"));
        let r = run(
            &scenario,
            &file,
            &part,
            &BudgetOptions {
                shard: Some((k, 2)),
                ..o.clone()
            },
            &Progress::hidden(),
        )
        .unwrap();
        assert_eq!(r.ran, 3);
        assert!(!r.complete() && !part.join("budget.csv").exists());
        parts.push(part);
    }
    let merged_dir = dir.join("merged");
    let merged = merge(&parts, &merged_dir).unwrap();
    assert!(merged.complete());
    for f in ["budget.csv", "forecast.csv"] {
        assert_eq!(
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(merged_dir.join(f)).unwrap(),
            "{f} differs between one run and merged shards"
        );
    }
    // Merging one shard alone names what is missing.
    let e = merge(&parts[..1], &dir.join("half"))
        .err()
        .expect("incomplete merge fails");
    assert!(
        e.is_input_error() && e.to_string().contains("3 of 6 jobs"),
        "{e}"
    );
    let html = std::fs::read_to_string(whole.join("budget.html")).unwrap();
    assert!(html.contains("<svg") && !html.contains("http://") && !html.contains("https://"));
    // A wider savings region is other effort: recorded, and no job of the run is reused.
    let wide = BudgetOptions {
        region_neighbours: 3,
        ..o.clone()
    };
    let r = run(&scenario, &file, &whole, &wide, &Progress::hidden()).unwrap();
    assert_eq!((r.ran, r.reused), (6, 0));
    let spec = std::fs::read_to_string(whole.join("budget-run.json")).unwrap();
    assert!(spec.contains("\"region_neighbours\": 3"), "{spec}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_variants_files_exit_2_with_file_line_and_column() {
    let dir = fresh("bad");
    let file = variants_file(
        &dir,
        "[[variant]]\nname = \"base\"\n\n[[variant]]\nname = \"base\"\ngrowht_pct = 8\n\n[[variant]]\nname = \"x\"\n[variant.policy]\nptb_rate_per_mile = \"cheap\"\n[variant.fleet]\nspaceship = 2\n\n[[sweep]]\nkey = \"policy.secondary_max_ride_minutes\"\nvalues = [60, 75]\n",
    );
    let out = bin()
        .args(["budget"])
        .arg(data("demo"))
        .arg("--variants")
        .arg(&file)
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let f = file.display().to_string();
    for expected in [
        format!("{f}:5:8 key 'name': [E-DUPLICATE-ID]"),
        format!("{f}:6:1 key 'growht_pct': [E-UNKNOWN-KEY]"),
        format!("{f}:11:1 key 'policy.ptb_rate_per_mile': [E-WRONG-TYPE]"),
        format!("{f}:13:1 key 'fleet.spaceship': [E-UNKNOWN-ID]"),
        format!("{f}:16:7 key 'policy.secondary_max_ride_minutes': [E-UNKNOWN-KEY]"),
    ] {
        assert!(err.contains(&expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!dir.join("out").exists(), "nothing is written");
    let _ = std::fs::remove_dir_all(&dir);
}
