//! `schoolrun budget`: the variants of a scenario planned, tendered and given their
//! PTB/ITT savings, each variant × demand sample an independent job in its own folder
//! (`OUT/jobs/<variant>/sample-<k>/`, finished when its `job.json` is written), run in
//! parallel within a thread budget, skipped on a rerun when finished with the same
//! inputs, and split across machines with `--shard K/N`; `merge` joins shards' folders.
//! When every job of the run is present, the comparison and the forecast are written:
//! `budget.csv`, `forecast.csv`, `budget.json`, `budget.html`.

use super::chain::{ChainOptions, run_seed, write_outputs};
use super::prepare::{PrepareOptions, Prepared, prepare, prepare_variant};
use crate::budget::{self, ForecastRow, Job, JobFigures, RunSpec, Variant, VariantRow};
use crate::error::{Code, Error, Problem, Result};
use crate::files::{OutputSet, fnv, write_atomic};
use crate::progress::Progress;
use crate::rng::Rng;
use crate::units::Pence;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// How a budget run plans each job, and which jobs it runs.
#[derive(Debug, Clone)]
pub struct BudgetOptions {
    /// The network cache and snap limit.
    pub prepare: PrepareOptions,
    /// Demand samples per variant (K ≥ 1).
    pub samples: usize,
    /// Years of the forecast.
    pub years: u32,
    /// Run only shard K of N (1-based).
    pub shard: Option<(usize, usize)>,
    /// Jobs run at once (each plans on one thread, so figures do not depend on it).
    pub threads: usize,
    /// Search iterations of each job's plan.
    pub iterations: u64,
    /// Search iterations of each plan with and without a pupil.
    pub repair_iterations: u64,
    /// Most rounds of searches against an improved base.
    pub max_rounds: usize,
    /// Nearest pupils whose vehicles join the region re-planned when a pupil leaves
    /// (0: their own vehicle's day), as `schoolrun savings --region-neighbours`.
    pub region_neighbours: usize,
}

/// Search iterations of a budget job's plan by default: lighter than `schoolrun
/// savings`, so 20 variants × 3 samples of the demo fit in a few minutes on two cores.
pub const BUDGET_ITERATIONS: u64 = 10_000;
/// Repair iterations of a budget job by default.
pub const BUDGET_REPAIR_ITERATIONS: u64 = 100;
/// Rounds of searches against an improved base in a budget job.
pub const BUDGET_MAX_ROUNDS: usize = 1;

/// What a budget run did and found.
pub struct BudgetRun {
    /// The run.
    pub spec: RunSpec,
    /// Jobs of the whole run.
    pub jobs: usize,
    /// Jobs of this shard.
    pub in_shard: usize,
    /// Jobs run now.
    pub ran: usize,
    /// Jobs found finished and reused.
    pub reused: usize,
    /// Every finished job found in the output folder.
    pub figures: Vec<JobFigures>,
    /// The comparison (empty until every job of the run is finished).
    pub rows: Vec<VariantRow>,
    /// The forecast (empty until every job is finished).
    pub forecast: Vec<ForecastRow>,
    /// Wall-clock seconds of this command.
    pub seconds: f64,
    /// Seconds the jobs run now took one by one (their sum).
    pub job_seconds: f64,
}

impl BudgetRun {
    /// Whether every job of the run is finished (the comparison is then written).
    pub fn complete(&self) -> bool {
        self.figures.len() == self.jobs
    }
}

/// Checks the arguments of a budget run.
pub fn check_options(o: &BudgetOptions) -> Result<()> {
    let mut problems = Vec::new();
    if !(1..=1000).contains(&o.samples) {
        problems.push(Problem::argument(
            "--samples",
            o.samples.to_string(),
            "a number of demand samples from 1 to 1000",
        ));
    }
    if !(1..=30).contains(&o.years) {
        problems.push(Problem::argument(
            "--years",
            o.years.to_string(),
            "a number of years from 1 to 30",
        ));
    }
    if !(1..=256).contains(&o.threads) {
        problems.push(Problem::argument(
            "--threads",
            o.threads.to_string(),
            "a number of jobs at once from 1 to 256",
        ));
    }
    if let Some((k, n)) = o.shard
        && !(n >= 1 && (1..=n).contains(&k))
    {
        problems.push(Problem::argument(
            "--shard",
            format!("{k}/{n}"),
            "K/N with 1 ≤ K ≤ N",
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid(problems))
    }
}

/// Parses `--shard K/N`.
pub fn parse_shard(text: &str) -> Result<(usize, usize)> {
    text.split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)))
        .filter(|&(k, n): &(usize, usize)| n >= 1 && (1..=n).contains(&k))
        .ok_or_else(|| {
            Error::problem(Problem::argument(
                "--shard",
                text,
                "K/N with 1 ≤ K ≤ N, e.g. 2/4 for the second of four shards",
            ))
        })
}

/// A digest of every regular file of the scenario folder (names and contents).
fn scenario_digest(dir: &Path) -> String {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut all = Vec::new();
    for p in names {
        if let Ok(bytes) = std::fs::read(&p) {
            all.extend_from_slice(p.file_name().unwrap_or_default().as_encoded_bytes());
            all.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            all.extend_from_slice(&bytes);
        }
    }
    fnv(&all)
}

/// Reads and checks the variants file against the prepared scenario.
pub fn read_variants(path: &Path, sc: &crate::scenario::Scenario) -> Result<Vec<Variant>> {
    let name = path.display().to_string();
    let text = match crate::scenario::table::read_regular(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                return Err(Error::problem(Problem::file(
                    Code::NotUtf8,
                    &name,
                    "",
                    "a UTF-8 text file",
                )));
            }
        },
        Err(e) => {
            return Err(Error::problem(Problem::file(
                Code::FileUnreadable,
                &name,
                path.display().to_string(),
                format!("a readable variants file ({e})"),
            )));
        }
    };
    budget::variants::parse(&name, &text, sc).map_err(Error::invalid)
}

/// A new pupil's home: a point on a road within 1.5 km of the drawn pupil's home (a
/// few tries; their own home when no road is near).
fn near_home(
    p: &Prepared,
    max_snap_m: f64,
) -> impl Fn(f64, f64, &mut Rng) -> (f64, f64) + Sync + '_ {
    move |lat, lon, rng| {
        for _ in 0..8 {
            let r = 1500.0 * rng.unit().sqrt();
            let a = std::f64::consts::TAU * rng.unit();
            let dlat = r * a.cos() / 111_320.0;
            let dlon = r * a.sin() / (111_320.0 * lat.to_radians().cos().max(0.1));
            if let Some(s) = p.network.snap(lat + dlat, lon + dlon)
                && s.distance_m <= max_snap_m.min(250.0)
            {
                return (s.lat, s.lon);
            }
        }
        (lat, lon)
    }
}

/// Runs one job: the variant applied with its demand sample, prepared on the base's
/// network, then one seed of the whole chain, written to its folder.
fn run_job(
    base: &Prepared,
    spec: &RunSpec,
    o: &BudgetOptions,
    job: &Job,
    dir: &Path,
) -> Result<JobFigures> {
    let t = Instant::now();
    let v = &spec.variants[job.variant];
    let place = near_home(base, o.prepare.max_snap_m);
    let (sc, demand) = budget::apply(
        &base.scenario,
        v,
        budget::demand_seed(spec.seed, job.sample),
        &place,
    );
    let key = spec.job_key(job);
    let seed = budget::search_seed(sc.solver.seed, job.sample);
    let mut figures = JobFigures {
        variant: v.name.clone(),
        sample: job.sample,
        key: key.clone(),
        seed,
        pupils: sc.pupils.len(),
        demand,
        failed: None,
        routed: 0,
        unrouted: 0,
        vehicles: 0,
        plan_reference: Pence(0),
        plan_tender: Pence(0),
        today_contract: None,
        ptb_itt_year1: Pence(0),
        after: Pence(0),
        projection: Vec::new(),
        seconds: 0.0,
    };
    let hidden = Progress::hidden();
    let outcome = prepare_variant(base, sc, key, o.prepare.max_snap_m, &hidden).and_then(|p| {
        let chain = ChainOptions {
            prepare: o.prepare.clone(),
            iterations: o.iterations,
            threads: Some(1),
            seed: Some(seed),
            seeds: 1,
            repair_iterations: o.repair_iterations,
            check_sample: 0,
            check_iterations: 0,
            max_rounds: o.max_rounds,
            region_neighbours: o.region_neighbours,
            years: spec.years,
            plan_from: None,
        };
        let run = run_seed(&p, seed, &chain, &hidden, &mut |_| {})?;
        write_outputs(&p, std::slice::from_ref(&run), o.iterations, dir)?;
        Ok(run)
    });
    match outcome {
        Ok(run) => {
            let w = &run.waterfall;
            figures.routed = run.plan.routed();
            figures.unrouted = run
                .plan
                .unrouted
                .iter()
                .filter(|u| !u.reason.is_arrangement())
                .count();
            figures.vehicles = run.plan.routes.len();
            figures.plan_reference = w.plan_reference;
            figures.plan_tender = w.plan_tender;
            figures.today_contract = w.today_contract;
            figures.ptb_itt_year1 = w.ptb_itt_year1;
            figures.after = w.after;
            figures.projection = run
                .savings
                .projection
                .rows
                .iter()
                .map(|r| (r.total, r.ptb_moved, r.itt_moved))
                .collect();
        }
        Err(e) if e.is_input_error() => figures.failed = Some(e.to_string()),
        Err(e) => return Err(e),
    }
    figures.seconds = t.elapsed().as_secs_f64();
    let text = serde_json::to_string_pretty(&figures).map_err(|e| Error::model(e.to_string()))?;
    write_atomic(&dir.join("job.json"), |w| w.write_all(text.as_bytes()))?;
    Ok(figures)
}

/// A finished job in `dir` with the expected key, if there is one.
fn finished(dir: &Path, key: &str) -> Option<JobFigures> {
    let text = std::fs::read_to_string(dir.join("job.json")).ok()?;
    let f: JobFigures = serde_json::from_str(&text).ok()?;
    (f.key == key).then_some(f)
}

/// Every finished job of `spec` in `out`, in job order.
fn collect(spec: &RunSpec, out: &Path) -> Vec<JobFigures> {
    budget::jobs(spec.variants.len(), spec.samples)
        .iter()
        .filter_map(|j| finished(&spec.job_dir(out, j), &spec.job_key(j)))
        .collect()
}

const SPEC_FILE: &str = "budget-run.json";

fn read_spec(out: &Path) -> Result<RunSpec> {
    let path = out.join(SPEC_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::problem(Problem::file(
            Code::FileMissing,
            path.display().to_string(),
            "",
            format!("the {SPEC_FILE} a budget run writes ({e})"),
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::problem(Problem::file(
            Code::PlanFile,
            path.display().to_string(),
            "",
            format!("a {SPEC_FILE} as schoolrun budget writes it ({e})"),
        ))
    })
}

fn write_spec(out: &Path, spec: &RunSpec) -> Result<()> {
    let text = serde_json::to_string_pretty(spec).map_err(|e| Error::model(e.to_string()))?;
    write_atomic(&out.join(SPEC_FILE), |w| w.write_all(text.as_bytes()))
}

/// Runs the budget: every job of this shard not already finished, in parallel, then
/// (when the whole run is finished) the comparison and the forecast.
pub fn run(
    dir: &Path,
    variants_file: &Path,
    out: &Path,
    o: &BudgetOptions,
    progress: &Progress,
) -> Result<BudgetRun> {
    let t = Instant::now();
    check_options(o)?;
    let base = prepare(dir, &o.prepare, progress)?;
    let variants = read_variants(variants_file, &base.scenario)?;
    let spec = RunSpec {
        scenario: dir.display().to_string(),
        scenario_digest: scenario_digest(dir),
        variants_file: variants_file.display().to_string(),
        variants,
        samples: o.samples,
        years: o.years,
        iterations: o.iterations,
        repair_iterations: o.repair_iterations,
        max_rounds: o.max_rounds,
        region_neighbours: o.region_neighbours,
        seed: base.scenario.solver.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    if let Ok(old) = read_spec(out)
        && !old.same_run(&spec)
    {
        progress.warn(&format!(
            "{} held another budget run (other scenario, variants or effort): its jobs are not reused",
            out.display()
        ));
    }
    write_spec(out, &spec)?;
    let all = budget::jobs(spec.variants.len(), spec.samples);
    let mine: Vec<Job> = all
        .iter()
        .filter(|j| budget::in_shard(j, o.shard))
        .copied()
        .collect();
    let pending: Vec<Job> = mine
        .iter()
        .filter(|j| finished(&spec.job_dir(out, j), &spec.job_key(j)).is_none())
        .copied()
        .collect();
    let bar = progress.bar(pending.len() as u64, "budget jobs");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(o.threads)
        .build()
        .map_err(|e| Error::model(e.to_string()))?;
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    let job_seconds = Mutex::new(0.0);
    pool.install(|| {
        use rayon::prelude::*;
        pending.par_iter().for_each(|job| {
            if first_error.lock().map(|e| e.is_some()).unwrap_or(true) {
                return;
            }
            match run_job(&base, &spec, o, job, &spec.job_dir(out, job)) {
                Ok(f) => {
                    if let Ok(mut s) = job_seconds.lock() {
                        *s += f.seconds;
                    }
                }
                Err(e) => {
                    if let Ok(mut slot) = first_error.lock() {
                        slot.get_or_insert(e);
                    }
                }
            }
            bar.inc(1);
        });
    });
    bar.finish_and_clear();
    if let Some(e) = first_error.into_inner().ok().flatten() {
        return Err(e);
    }
    let mut result = summarise(spec, out, all.len())?;
    result.in_shard = mine.len();
    result.ran = pending.len();
    result.reused = mine.len() - pending.len();
    result.job_seconds = job_seconds.into_inner().unwrap_or(0.0);
    result.seconds = t.elapsed().as_secs_f64();
    Ok(result)
}

/// Reads every finished job of the run in `out` and, when all are there, writes the
/// comparison and the forecast.
fn summarise(spec: RunSpec, out: &Path, jobs: usize) -> Result<BudgetRun> {
    let figures = collect(&spec, out);
    let mut result = BudgetRun {
        rows: Vec::new(),
        forecast: Vec::new(),
        jobs,
        in_shard: jobs,
        ran: 0,
        reused: 0,
        figures,
        seconds: 0.0,
        job_seconds: 0.0,
        spec,
    };
    if result.complete() {
        result.rows = budget::compare(&result.spec.variants, &result.figures);
        result.forecast =
            budget::forecast(&result.spec.variants, &result.figures, result.spec.years);
        let mut set = OutputSet::new(out, "budget", &result.spec.scenario_digest);
        crate::report::budget::add_files(&mut set, &result.spec, &result.rows, &result.forecast)?;
        set.commit()?;
    }
    Ok(result)
}

/// Copies a folder's files and subfolders into `to` (existing files replaced).
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| Error::io(to, e))?;
    for e in std::fs::read_dir(from)
        .map_err(|e| Error::io(from, e))?
        .flatten()
    {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).map_err(|err| Error::io(&src, err))?;
        }
    }
    Ok(())
}

/// Joins the output folders of a sharded run into `out`: checks they belong to one run,
/// copies every finished job, and writes the comparison and forecast. Jobs still missing
/// are an error naming them.
pub fn merge(parts: &[PathBuf], out: &Path) -> Result<BudgetRun> {
    let t = Instant::now();
    let Some(first) = parts.first() else {
        return Err(Error::problem(Problem::argument(
            "OUT…",
            "",
            "one or more output folders of budget shards",
        )));
    };
    let spec = read_spec(first)?;
    let mut problems = Vec::new();
    for part in parts {
        let s = read_spec(part)?;
        if !s.same_run(&spec) {
            problems.push(Problem::file(
                Code::PlanMismatch,
                part.join(SPEC_FILE).display().to_string(),
                "",
                format!(
                    "a shard of the same run as {} (same scenario, variants, samples and effort)",
                    first.display()
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let all = budget::jobs(spec.variants.len(), spec.samples);
    for job in &all {
        let key = spec.job_key(job);
        let target = spec.job_dir(out, job);
        if finished(&target, &key).is_some() {
            continue;
        }
        if let Some(src) = parts
            .iter()
            .map(|p| spec.job_dir(p, job))
            .find(|d| finished(d, &key).is_some())
        {
            copy_tree(&src, &target)?;
        }
    }
    write_spec(out, &spec)?;
    let found = collect(&spec, out);
    if found.len() < all.len() {
        let missing: Vec<String> = all
            .iter()
            .filter(|j| finished(&spec.job_dir(out, j), &spec.job_key(j)).is_none())
            .take(10)
            .map(|j| format!("{} sample {}", spec.variants[j.variant].name, j.sample + 1))
            .collect();
        return Err(Error::problem(Problem::file(
            Code::FileMissing,
            out.join("jobs").display().to_string(),
            format!(
                "{} of {} jobs finished; missing: {}",
                found.len(),
                all.len(),
                missing.join(", ")
            ),
            "every shard's output folder (run the missing shards, then merge again)",
        )));
    }
    let mut result = summarise(spec, out, all.len())?;
    result.seconds = t.elapsed().as_secs_f64();
    Ok(result)
}
