//! The whole chain on one scenario, as `schoolrun savings` and `schoolrun demo` run it:
//! prepare, search a plan for each seed, then for each seed estimate the PTB/ITT savings
//! against the cheapest of those plans (the best plan known, which the savings searches
//! may improve further), retender that plan, and price every step of the waterfall on
//! its own basis; the outputs come from the seed with the cheapest plan and every
//! headline carries its spread over the seeds.

use super::plan::{PlanOptions, plan_with_spinner};
use super::prepare::{PrepareOptions, Prepared, prepare};
use super::savings::{SavingsOptions, SavingsRun, savings};
use super::tender::{TenderOptions, TenderRun, tender};
use crate::error::Result;
use crate::plan::Plan;
use crate::progress::Progress;
use crate::report;
use crate::routing;
use crate::units::Pence;
use std::path::Path;

/// Effort settings of the whole chain.
#[derive(Debug, Clone)]
pub struct ChainOptions {
    /// The network cache and snap limit.
    pub prepare: PrepareOptions,
    /// Search iterations per worker for the plan (fixed, so figures do not depend on
    /// machine speed).
    pub iterations: u64,
    /// Worker threads (default: the scenario's).
    pub threads: Option<usize>,
    /// First random seed (default: the scenario's); seed k of K is this plus k.
    pub seed: Option<u64>,
    /// Seeds to run (K ≥ 1): each headline is reported with its spread over them.
    pub seeds: usize,
    /// Search iterations for each plan with and without a pupil.
    pub repair_iterations: u64,
    /// Pupils re-solved thoroughly to check the savings estimates.
    pub check_sample: usize,
    /// Iterations of each thorough re-solve.
    pub check_iterations: u64,
    /// Most rounds of searches against an improved base (see `savings::Settings`).
    pub max_rounds: usize,
    /// Nearest pupils whose vehicles join a pupil's re-planned region (see
    /// `savings::Settings`).
    pub region_neighbours: usize,
    /// Years of the PTB/ITT projection.
    pub years: u32,
    /// The output folder of a `schoolrun plan` run: its plan.json (the plan the council
    /// runs) is every seed's plan instead of a new one, so the seeds differ only in the
    /// savings searches.
    pub plan_from: Option<std::path::PathBuf>,
}

pub use crate::savings::waterfall::{Headlines, Spread, WaterStep, Waterfall};

/// A step of the chain, reported as it finishes.
pub enum Step<'a> {
    /// The scenario is loaded, on the road network, with its matrix.
    Prepared(&'a Prepared),
    /// A seed's routes are planned.
    Planned(&'a Plan, &'a routing::Settings),
    /// A seed starts from the plan given (`plan_from`).
    Given(&'a Plan, &'a routing::Settings),
    /// The seeds' savings start from this seed's plan, the cheapest searched.
    Base(u64, &'a Plan),
    /// A seed's PTB/ITT savings are estimated (against the plan they may have improved).
    Savings(u64, &'a SavingsRun),
    /// A seed's plan is retendered.
    Tendered(&'a TenderRun),
    /// A seed's waterfall.
    Priced(&'a Waterfall),
    /// Everything is written.
    Finished(&'a Waterfall, &'a Headlines),
}

/// One seed's run of the chain.
pub struct SeedRun {
    /// Its seed.
    pub seed: u64,
    /// The cost a year its own plan search reached (reference prices), or the given
    /// plan's.
    pub searched: Pence,
    /// The plan its savings start from, improved by the savings searches when they beat
    /// it.
    pub plan: Plan,
    /// The search settings of the plan.
    pub settings: routing::Settings,
    /// Whether the plan was given (`plan_from`) rather than planned.
    pub given: bool,
    /// The PTB/ITT savings.
    pub savings: SavingsRun,
    /// The retender of the plan.
    pub tender: TenderRun,
    /// Every step priced on its own basis.
    pub waterfall: Waterfall,
}

/// Runs the whole chain on the scenario in `dir`, writing every output to `out`.
/// `on_step` hears of each step as it finishes (the CLI prints them).
pub fn run(
    dir: &Path,
    out: &Path,
    o: &ChainOptions,
    progress: &Progress,
    on_step: &mut dyn FnMut(Step),
) -> Result<(Waterfall, Headlines)> {
    let p = prepare(dir, &o.prepare, progress)?;
    on_step(Step::Prepared(&p));
    let first = o.seed.unwrap_or(p.scenario.solver.seed);
    let given = match &o.plan_from {
        Some(d) => Some(report::read_plan(d, &p.scenario, &p.fingerprint)?),
        None => None,
    };
    let seeds: Vec<u64> = (0..o.seeds.max(1) as u64).map(|k| first + k).collect();
    let mut runs: Vec<SeedRun> = Vec::new();
    match given {
        Some(plan) => {
            for &seed in &seeds {
                let start = Start::Given(&plan);
                runs.push(run_seed_from(&p, seed, o, start, progress, on_step)?);
            }
        }
        None => {
            // Every seed searches a plan; the savings of every seed then start from the
            // cheapest of them (the plan the council would run), so the seeds' savings
            // differ only in their paired searches, not in the plan they are about.
            let mut searched: Vec<(Plan, routing::Settings)> = Vec::new();
            for &seed in &seeds {
                let (plan, settings) = search_plan(&p, seed, o, progress)?;
                on_step(Step::Planned(&plan, &settings));
                searched.push((plan, settings));
            }
            let best = searched
                .iter()
                .enumerate()
                .min_by_key(|(k, (plan, _))| (plan.cost_per_year, *k))
                .map_or(0, |(k, _)| k);
            on_step(Step::Base(seeds[best], &searched[best].0));
            for (&seed, (plan, settings)) in seeds.iter().zip(&searched) {
                let start = Start::Searched {
                    plan: &searched[best].0,
                    settings,
                    searched: plan.cost_per_year,
                };
                runs.push(run_seed_from(&p, seed, o, start, progress, on_step)?);
            }
        }
    }
    let (waterfall, headlines) = write_outputs(&p, &runs, o.iterations, out)?;
    on_step(Step::Finished(&waterfall, &headlines));
    Ok((waterfall, headlines))
}

/// One seed of the chain on a prepared scenario: plan, savings (which may improve the
/// plan), retender, and the waterfall.
pub fn run_seed(
    p: &Prepared,
    seed: u64,
    o: &ChainOptions,
    progress: &Progress,
    on_step: &mut dyn FnMut(Step),
) -> Result<SeedRun> {
    let (plan, settings) = search_plan(p, seed, o, progress)?;
    on_step(Step::Planned(&plan, &settings));
    let start = Start::Searched {
        plan: &plan,
        settings: &settings,
        searched: plan.cost_per_year,
    };
    run_seed_from(p, seed, o, start, progress, on_step)
}

/// Where a seed's savings start.
enum Start<'a> {
    /// From the plan given (`plan_from`).
    Given(&'a Plan),
    /// From a searched plan: the seed's own, or the cheapest of the seeds'; `settings`
    /// and `searched` are this seed's own search and the cost it reached.
    Searched {
        plan: &'a Plan,
        settings: &'a routing::Settings,
        searched: Pence,
    },
}

/// The plan options of the chain for `seed`. A fixed iteration budget keeps the plan
/// identical on every machine. No route recombination: under fixed iterations its MIP
/// stops after a number of nodes, so it would not break that, but it adds 10–25 s to each
/// of the demo's plans (BENCHMARKS.md, "Recombination under fixed iterations"), which
/// the demo's minute has no room for.
fn plan_options(p: &Prepared, seed: u64, o: &ChainOptions) -> PlanOptions {
    PlanOptions {
        time_limit_s: None,
        iterations: Some(o.iterations),
        threads: Some(o.threads.unwrap_or(p.scenario.solver.threads)),
        seed: Some(seed),
        recombine: false,
        regret_share: 0.0,
        price: false,
    }
}

/// Searches `seed`'s plan.
fn search_plan(
    p: &Prepared,
    seed: u64,
    o: &ChainOptions,
    progress: &Progress,
) -> Result<(Plan, routing::Settings)> {
    plan_with_spinner(p, &plan_options(p, seed, o), progress)
}

/// The rest of [`run_seed`] once it is known where the seed's savings `start`.
fn run_seed_from(
    p: &Prepared,
    seed: u64,
    o: &ChainOptions,
    start: Start,
    progress: &Progress,
    on_step: &mut dyn FnMut(Step),
) -> Result<SeedRun> {
    let sc = &p.scenario;
    let days = sc.policy.school_days as i64;
    let today_reference = (!sc.current_routes.is_empty())
        .then(|| crate::plan::today_at_reference(sc, &p.travel, &p.locations) * days);
    let today_contract = (!sc.current_routes.is_empty()).then(|| sc.current_cost_per_day() * days);
    let (given, mut settings, searched) = match start {
        Start::Given(plan) => {
            let settings = plan_options(p, seed, o).settings(sc)?;
            on_step(Step::Given(plan, &settings));
            (plan.clone(), settings, plan.cost_per_year)
        }
        Start::Searched {
            plan,
            settings,
            searched,
        } => (plan.clone(), settings.clone(), searched),
    };
    let from_file = matches!(start, Start::Given(_));
    settings.time_limit = None;
    let bar = progress.bar(0, "PTB/ITT savings");
    let sr = savings(
        p,
        &given,
        &settings,
        &SavingsOptions {
            repair_iterations: o.repair_iterations,
            seed,
            check_sample: o.check_sample,
            check_iterations: o.check_iterations,
            max_rounds: o.max_rounds,
            region_neighbours: o.region_neighbours,
            years: o.years,
        },
        &|stage, done, total| {
            bar.set_message(stage.to_string());
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    );
    bar.finish_and_clear();
    on_step(Step::Savings(seed, &sr));
    let plan = sr.plan(&given).clone();
    let tr = tender(sc, &plan, "plan.json", &TenderOptions::default(), progress)?;
    on_step(Step::Tendered(&tr));
    let plan_tender = tr.comparisons.total.new_per_day * days;
    let ratio = if plan.cost_per_year.0 > 0 {
        plan_tender.0 as f64 / plan.cost_per_year.0 as f64
    } else {
        1.0
    };
    let ptb_itt_year1 = sr.year1_at(ratio);
    let waterfall = Waterfall {
        today_contract,
        today_reference,
        plan_reference: plan.cost_per_year,
        plan_tender,
        tender_ratio: ratio,
        ptb_itt_year1,
        after: plan_tender - ptb_itt_year1,
    };
    on_step(Step::Priced(&waterfall));
    Ok(SeedRun {
        seed,
        searched,
        plan,
        settings,
        given: from_file,
        savings: sr,
        tender: tr,
        waterfall,
    })
}

/// Each eligible pupil's route saving over the seeds, by pupil id.
fn pupil_estimates(runs: &[SeedRun]) -> std::collections::BTreeMap<String, Spread> {
    let mut by: std::collections::BTreeMap<String, Vec<Pence>> = Default::default();
    for r in runs {
        for p in &r.savings.savings.pupils {
            by.entry(p.pupil_id.clone())
                .or_default()
                .push(p.marginal_per_year);
        }
    }
    by.into_iter().map(|(k, v)| (k, Spread::of(v))).collect()
}

/// Writes the outputs of the seed with the cheapest plan (the first on a tie) to `out`,
/// with every headline's spread over `runs`.
pub fn write_outputs(
    p: &Prepared,
    runs: &[SeedRun],
    iterations: u64,
    out: &Path,
) -> Result<(Waterfall, Headlines)> {
    let sc = &p.scenario;
    let today_contract = runs.first().and_then(|r| r.waterfall.today_contract);
    let spread = |f: &dyn Fn(&SeedRun) -> Pence| Spread::of(runs.iter().map(f).collect());
    let headlines = Headlines {
        seeds: runs.iter().map(|r| r.seed).collect(),
        chosen_seed: 0,
        plan_search: spread(&|r| r.searched),
        plan_reference: spread(&|r| r.waterfall.plan_reference),
        plan_tender: spread(&|r| r.waterfall.plan_tender),
        saving: today_contract.map(|_| spread(&|r| r.waterfall.saving().unwrap_or_default())),
        ptb_itt_projection: spread(&|r| r.savings.projection.total),
        pupil_estimates: pupil_estimates(runs),
    };
    // The outputs of the cheapest plan (the first seed on a tie).
    let best = runs
        .iter()
        .enumerate()
        .min_by_key(|(k, r)| (r.plan.cost_per_year, *k))
        .map_or(0, |(k, _)| k);
    let run = &runs[best];
    let headlines = Headlines {
        chosen_seed: run.seed,
        ..headlines
    };
    let mut set = crate::files::OutputSet::new(out, "savings", &p.fingerprint);
    let lines = super::prepare::road_lines(p, &[&run.plan]);
    report::plan_files(
        &mut set,
        sc,
        &run.plan,
        &p.coords,
        &lines,
        serde_json::json!({"seed": run.seed, "threads": run.settings.threads,
            "iterations": (!run.given).then_some(iterations), "plan_given": run.given,
            "savings_improved_the_plan": run.savings.savings.improved.is_some()}),
    )?;
    run.tender.add_files(&mut set, sc.policy.school_days)?;
    let award = run.tender.award_by_route();
    set.add(
        "route_sheets.html",
        report::sheets::route_sheets(sc, &run.plan, &p.coords, &lines, Some(&award)),
    );
    let data = report::html::ReportData {
        sc,
        plan: &run.plan,
        coords: &p.coords,
        lines: &lines,
        roads: p.network.roads().roads().collect(),
        award,
        waterfall: run.waterfall,
        headlines: &headlines,
        savings: &run.savings.savings,
        targets: &run.savings.targets,
        projection: &run.savings.projection,
    };
    report::savings_files(
        &mut set,
        sc,
        report::SavingsFigures {
            savings: &run.savings.savings,
            targets: &run.savings.targets,
            projection: &run.savings.projection,
            checks: &run.savings.checks,
            first_checks: run.savings.first_checks.as_ref(),
        },
        &run.waterfall,
        &headlines,
        &report::html::render(&data),
    )?;
    set.commit()?;
    Ok((run.waterfall, headlines))
}
