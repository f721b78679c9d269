//! Budget-setting runs: many variants of one scenario (demand, prices, policy, fleet),
//! each planned, tendered and given its PTB/ITT savings over several demand samples, then
//! compared with bands and forecast over several years. No I/O here: the variants file is
//! read from text (`variants`), a variant is applied in memory (`apply`), and this module
//! turns the jobs' figures into the comparison and the forecast. `workflow::budget` runs
//! the jobs, in parallel, sharded and resumable.
//!
//! Seeds. Job (variant v, sample k) plans with search seed `scenario seed + k`, the seed
//! `schoolrun savings` gives its k-th seed, so a variant that changes nothing reproduces
//! the base's figures exactly, and every variant's sample k shares its search seed and its
//! demand draw (common random numbers): the difference between two variants in the same
//! sample is not blurred by the search's own noise more than it must be.

pub mod apply;
pub mod variants;

pub use apply::{Demand, apply};
pub use variants::{Count, Variant};

use crate::units::Pence;
use serde::{Deserialize, Serialize};

/// One job: a variant and a demand sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// Position in the run's job list (variant-major).
    pub index: usize,
    /// Variant index.
    pub variant: usize,
    /// Sample (0-based).
    pub sample: usize,
}

/// Every job of `variants` × `samples`, variant by variant.
pub fn jobs(variants: usize, samples: usize) -> Vec<Job> {
    (0..variants)
        .flat_map(|v| (0..samples).map(move |k| (v, k)))
        .enumerate()
        .map(|(index, (variant, sample))| Job {
            index,
            variant,
            sample,
        })
        .collect()
}

/// Whether shard `k` of `n` (1-based) runs `job`: every n-th job, so each shard gets a
/// mix of variants.
pub fn in_shard(job: &Job, shard: Option<(usize, usize)>) -> bool {
    shard.is_none_or(|(k, n)| job.index % n == k - 1)
}

/// The search seed of sample `k`: the one `schoolrun savings` gives its k-th seed.
pub fn search_seed(scenario_seed: u64, sample: usize) -> u64 {
    scenario_seed + sample as u64
}

/// The demand seed of sample `k` (the same in every variant).
pub fn demand_seed(scenario_seed: u64, sample: usize) -> u64 {
    crate::rng::derive(scenario_seed, &[0xB0D6E7, sample as u64])
}

/// The folder name of a variant: its name in lower-case letters, digits and dashes, with
/// its position so two names that read alike never share a folder.
pub fn slug(index: usize, name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-');
    let s: String = s.chars().take(40).collect();
    format!(
        "{:02}-{}",
        index + 1,
        if s.is_empty() { "variant" } else { &s }
    )
}

/// What one job found (written to its folder as `job.json`, read back on resume and by
/// `budget merge`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobFigures {
    /// Variant name.
    pub variant: String,
    /// Sample (0-based).
    pub sample: usize,
    /// Identifies the job's inputs and effort: a finished job is reused only when it
    /// matches.
    pub key: String,
    /// Search seed.
    pub seed: u64,
    /// Pupils in the variant's cohort.
    pub pupils: usize,
    /// The demand sample.
    pub demand: Demand,
    /// `None` when the job finished; otherwise why it could not be planned or tendered.
    pub failed: Option<String>,
    /// Pupils routed.
    pub routed: usize,
    /// Pupils left unrouted for a reason other than their arrangement.
    pub unrouted: usize,
    /// Vehicles of the plan.
    pub vehicles: usize,
    /// The plan's yearly cost at reference prices (`vehicles.csv`), both halves of the day.
    pub plan_reference: Pence,
    /// The plan's yearly cost at the tender's prices.
    pub plan_tender: Pence,
    /// Today's contracts a year (the variant's prices), when there are any.
    pub today_contract: Option<Pence>,
    /// Expected first-year PTB/ITT saving, at the tender's price basis.
    pub ptb_itt_year1: Pence,
    /// `plan_tender − ptb_itt_year1`: what the budget must hold in year 1.
    pub after: Pence,
    /// Each projection year's expected net PTB/ITT saving (reference basis) with the
    /// expected moves: (total, PTB moved, ITT moved).
    pub projection: Vec<(Pence, f64, f64)>,
    /// Seconds the job took.
    pub seconds: f64,
}

/// Median and the 10th and 90th percentiles of some values (linear interpolation
/// between order statistics; with 3 samples P10 and P90 lie between the extremes and the
/// median).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub median: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
}

impl Band {
    /// The band of `values` (all zero when there are none).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Band {
        let mut v: Vec<f64> = values.into_iter().collect();
        v.sort_by(f64::total_cmp);
        let q = |p: f64| -> f64 {
            if v.is_empty() {
                return 0.0;
            }
            let x = p * (v.len() - 1) as f64;
            let (lo, hi) = (x.floor() as usize, x.ceil() as usize);
            v[lo] + (v[hi] - v[lo]) * (x - lo as f64)
        };
        Band {
            p10: q(0.1),
            median: q(0.5),
            p90: q(0.9),
            min: v.first().copied().unwrap_or(0.0),
            max: v.last().copied().unwrap_or(0.0),
        }
    }

    /// A band of money figures (pence) given in pence.
    pub fn of_pence(values: impl IntoIterator<Item = Pence>) -> Band {
        Band::of(values.into_iter().map(|p| p.0 as f64))
    }

    /// The P10–P90 width as a percentage of the median.
    pub fn width_pct(&self) -> f64 {
        if self.median == 0.0 {
            0.0
        } else {
            100.0 * (self.p90 - self.p10) / self.median.abs()
        }
    }
}

/// One variant's comparison row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantRow {
    /// Variant name.
    pub variant: String,
    /// The swept key and value, for a sweep's variant.
    pub sweep: Option<(String, f64)>,
    /// Samples finished.
    pub samples: usize,
    /// Samples that could not be planned or tendered, with the first reason.
    pub failed: usize,
    /// Why (the first failure).
    pub failure: Option<String>,
    /// Pupils in the cohort.
    pub pupils: Band,
    /// Pupils unrouted for a reason other than their arrangement.
    pub unrouted: Band,
    /// Vehicles.
    pub vehicles: Band,
    /// Plan at reference prices, a year (pence).
    pub plan_reference: Band,
    /// Plan at tender prices, a year (pence).
    pub plan_tender: Band,
    /// Expected first-year PTB/ITT saving at tender prices (pence).
    pub ptb_itt_year1: Band,
    /// Year-1 budget: tender cost less PTB/ITT saving (pence).
    pub after: Band,
    /// `after` minus the first variant's `after`, sample by sample (pence): the variant's
    /// effect, compared on common random numbers.
    pub vs_first: Band,
    /// Today's contracts a year at this variant's prices (pence; the median).
    pub today_contract: Option<f64>,
}

/// The comparison: one row per variant, in the variants file's order. `figures` may hold
/// jobs in any order; `variants` gives the names in order.
pub fn compare(variants: &[Variant], figures: &[JobFigures]) -> Vec<VariantRow> {
    let ok = |name: &str| -> Vec<&JobFigures> {
        let mut v: Vec<&JobFigures> = figures
            .iter()
            .filter(|f| f.variant == name && f.failed.is_none())
            .collect();
        v.sort_by_key(|f| f.sample);
        v
    };
    let first: Vec<&JobFigures> = variants.first().map(|v| ok(&v.name)).unwrap_or_default();
    variants
        .iter()
        .map(|v| {
            let done = ok(&v.name);
            let failures: Vec<&JobFigures> = figures
                .iter()
                .filter(|f| f.variant == v.name && f.failed.is_some())
                .collect();
            let band = |g: &dyn Fn(&JobFigures) -> f64| Band::of(done.iter().map(|f| g(f)));
            let paired = done.iter().filter_map(|f| {
                first
                    .iter()
                    .find(|b| b.sample == f.sample)
                    .map(|b| (f.after - b.after).0 as f64)
            });
            VariantRow {
                variant: v.name.clone(),
                sweep: v.sweep.clone(),
                samples: done.len(),
                failed: failures.len(),
                failure: failures.first().and_then(|f| f.failed.clone()),
                pupils: band(&|f| f.pupils as f64),
                unrouted: band(&|f| f.unrouted as f64),
                vehicles: band(&|f| f.vehicles as f64),
                plan_reference: band(&|f| f.plan_reference.0 as f64),
                plan_tender: band(&|f| f.plan_tender.0 as f64),
                ptb_itt_year1: band(&|f| f.ptb_itt_year1.0 as f64),
                after: band(&|f| f.after.0 as f64),
                vs_first: Band::of(paired),
                today_contract: done
                    .iter()
                    .filter_map(|f| f.today_contract)
                    .map(|p| p.0 as f64)
                    .next(),
            }
        })
        .collect()
}

/// One year of one variant's forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastRow {
    /// Variant name.
    pub variant: String,
    /// Year (1 = the year the variant describes).
    pub year: u32,
    /// Transport at tender prices before PTB/ITT (pence).
    pub transport: Band,
    /// PTB/ITT net saving that year, at the tender's price basis (pence).
    pub ptb_itt: Band,
    /// What the budget must hold: transport less PTB/ITT (pence).
    pub net: Band,
    /// Expected pupils moving to PTB that year (median).
    pub ptb_moved: f64,
    /// Expected pupils moving to ITT that year (median).
    pub itt_moved: f64,
}

/// The multi-year forecast of each variant. Year 1 is the variant as planned. Later
/// years are not planned again: transport grows with the cohort, compounded
/// (`(1 + growth)(1 − leavers)` a year, cost taken as proportional to pupils), and with the
/// all-prices uplift, compounded; the PTB/ITT programme's saving follows the savings
/// projection year by year (the same offers each year, each case saving for the policy's
/// `years_of_saving`), put on the tender's price basis by the ratio of year 1's two
/// figures. Bands are over the samples.
pub fn forecast(variants: &[Variant], figures: &[JobFigures], years: u32) -> Vec<ForecastRow> {
    let mut rows = Vec::new();
    for v in variants {
        let done: Vec<&JobFigures> = figures
            .iter()
            .filter(|f| f.variant == v.name && f.failed.is_none())
            .collect();
        if done.is_empty() {
            continue;
        }
        let demand = (1.0 + v.growth_pct / 100.0) * (1.0 - v.leavers_pct / 100.0);
        let prices = 1.0 + v.price_uplift_pct / 100.0;
        for y in 1..=years {
            let grow = (demand * prices).powi(y as i32 - 1);
            let per = |f: &JobFigures| -> (f64, f64, f64, f64) {
                let transport = f.plan_tender.0 as f64 * grow;
                let year1 = f.projection.first().map_or(0, |r| r.0.0) as f64;
                let basis = if year1 != 0.0 {
                    f.ptb_itt_year1.0 as f64 / year1
                } else {
                    0.0
                };
                let row = f.projection.get(y as usize - 1).or(f.projection.last());
                let saving = row.map_or(0.0, |r| r.0.0 as f64 * basis);
                let (ptb, itt) = row.map_or((0.0, 0.0), |r| (r.1, r.2));
                (transport, saving, ptb, itt)
            };
            let vals: Vec<(f64, f64, f64, f64)> = done.iter().map(|f| per(f)).collect();
            rows.push(ForecastRow {
                variant: v.name.clone(),
                year: y,
                transport: Band::of(vals.iter().map(|x| x.0)),
                ptb_itt: Band::of(vals.iter().map(|x| x.1)),
                net: Band::of(vals.iter().map(|x| x.0 - x.1)),
                ptb_moved: Band::of(vals.iter().map(|x| x.2)).median,
                itt_moved: Band::of(vals.iter().map(|x| x.3)).median,
            });
        }
    }
    rows
}

/// What a budget run is: written to `OUT/budget-run.json`, so a rerun, a shard and a
/// merge can tell that they belong to the same run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// Scenario folder as given.
    pub scenario: String,
    /// Digest of every file of the scenario folder.
    pub scenario_digest: String,
    /// Variants file as given.
    pub variants_file: String,
    /// The variants, sweeps expanded.
    pub variants: Vec<Variant>,
    /// Demand samples per variant.
    pub samples: usize,
    /// Years of the forecast.
    pub years: u32,
    /// Plan iterations per job.
    pub iterations: u64,
    /// Repair iterations per job.
    pub repair_iterations: u64,
    /// Rounds of searches against an improved base.
    pub max_rounds: usize,
    /// Nearest pupils re-planned with a leaving pupil's vehicle (0 in runs written
    /// before the setting existed).
    #[serde(default)]
    pub region_neighbours: usize,
    /// The scenario's solver seed (sample k searches with seed + k).
    pub seed: u64,
    /// schoolrun's version.
    pub version: String,
}

impl RunSpec {
    /// The identity of one job's inputs and effort.
    pub fn job_key(&self, job: &Job) -> String {
        let v = serde_json::to_string(&self.variants[job.variant]).unwrap_or_default();
        // Only a non-default region enters the key, so jobs written before the setting
        // existed are still found finished.
        let region = match self.region_neighbours {
            0 => String::new(),
            n => format!("|region {n}"),
        };
        crate::files::fnv(
            format!(
                "{}|{v}|{}|{}|{}|{}|{}|{}|{}{region}",
                self.scenario_digest,
                job.sample,
                self.years,
                self.iterations,
                self.repair_iterations,
                self.max_rounds,
                self.seed,
                self.version
            )
            .as_bytes(),
        )
    }

    /// Whether two runs' jobs are interchangeable (shards of one run).
    pub fn same_run(&self, other: &RunSpec) -> bool {
        RunSpec {
            scenario: String::new(),
            variants_file: String::new(),
            ..self.clone()
        } == RunSpec {
            scenario: String::new(),
            variants_file: String::new(),
            ..other.clone()
        }
    }

    /// The folder of a job under the output folder `out`.
    pub fn job_dir(&self, out: &std::path::Path, job: &Job) -> std::path::PathBuf {
        let v = &self.variants[job.variant];
        out.join("jobs")
            .join(slug(job.variant, &v.name))
            .join(format!("sample-{}", job.sample + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_interpolate_between_order_statistics() {
        let b = Band::of([3.0, 1.0, 2.0]);
        assert_eq!((b.min, b.median, b.max), (1.0, 2.0, 3.0));
        assert!((b.p10 - 1.2).abs() < 1e-9 && (b.p90 - 2.8).abs() < 1e-9);
        let one = Band::of([5.0]);
        assert_eq!((one.p10, one.median, one.p90), (5.0, 5.0, 5.0));
        assert_eq!(Band::of([7.0, 7.0, 7.0]).width_pct(), 0.0);
    }

    #[test]
    fn shards_cover_every_job_once() {
        let all = jobs(7, 3);
        assert_eq!(all.len(), 21);
        for n in 1..5 {
            let mut seen = vec![0; all.len()];
            for k in 1..=n {
                for j in all.iter().filter(|j| in_shard(j, Some((k, n)))) {
                    seen[j.index] += 1;
                }
            }
            assert!(seen.iter().all(|&c| c == 1), "{n} shards: {seen:?}");
        }
    }

    #[test]
    fn slugs_are_safe_folder_names() {
        assert_eq!(slug(0, "demand +8%"), "01-demand-8");
        assert_eq!(
            slug(11, "policy.secondary_max_ride_min = 60"),
            "12-policy-secondary-max-ride-min-60"
        );
        assert_eq!(slug(2, "../.."), "03-variant");
    }
}
