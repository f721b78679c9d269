//! `scenario.toml`: the name, the extract, policy, solver and tender settings. Every key
//! is declared once in [`KEYS`] with its kind and range, so an unknown key (with a "did you
//! mean" for a near miss), a value of the wrong kind or out of range is an error at its
//! line and column. The same table applies overrides from a budget variants file.

use super::model::{Continuity, Policy, SolverSettings, TenderPolicy};
use super::table::Findings;
use crate::error::{Code, Problem};
use crate::units::Pence;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// What `scenario.toml` holds; the in-house fleet is resolved once vehicle types are known.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Scenario name.
    pub name: String,
    /// The extract, resolved against the scenario folder.
    pub osm: PathBuf,
    /// Policy values.
    pub policy: Policy,
    /// Solver settings.
    pub solver: SolverSettings,
    /// Procurement policy (in-house fleet still empty).
    pub tender: TenderPolicy,
    /// `[tender.in_house]`: (vehicle type id, vehicles, line).
    pub in_house: Vec<(String, u32, usize)>,
}

/// A value read from TOML, already checked against its key's kind and range.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Value {
    /// A whole number.
    Int(i64),
    /// A number (money in pounds, shares, percentages).
    Num(f64),
    /// true or false.
    Bool(bool),
    /// Text.
    Text(String),
}

impl Value {
    fn num(&self) -> f64 {
        match self {
            Value::Int(i) => *i as f64,
            Value::Num(x) => *x,
            _ => 0.0,
        }
    }
    fn int(&self) -> u32 {
        self.num() as u32
    }
    fn pence(&self) -> Pence {
        Pence::from_pounds(self.num())
    }
}

/// The kind and range a key accepts.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A whole number within the range.
    Int(f64, f64),
    /// A number within the range (inclusive).
    Num(f64, f64),
    /// A number above the first bound and at most the second.
    NumAbove(f64, f64),
    /// true or false.
    Bool,
    /// Text, one of the listed words when the list is not empty.
    Text(&'static [&'static str]),
}

impl Kind {
    /// What the kind accepts, in words (for problems).
    pub fn expected(&self) -> String {
        match self {
            Kind::Int(lo, hi) => format!("a whole number from {lo} to {hi}"),
            Kind::Num(lo, hi) => format!("a number from {lo} to {hi}"),
            Kind::NumAbove(lo, hi) => format!("a number above {lo} and at most {hi}"),
            Kind::Bool => "true or false".into(),
            Kind::Text([]) => "text in quotes".into(),
            Kind::Text(words) => format!("one of \"{}\"", words.join("\", \"")),
        }
    }
}

/// One key of `scenario.toml`.
pub struct Key {
    /// Dotted path, e.g. `policy.ptb_rate_per_mile`.
    pub path: &'static str,
    /// What it accepts.
    pub kind: Kind,
    set: fn(&mut Settings, &Value),
}

macro_rules! key {
    ($path:literal, $kind:expr, |$s:ident, $v:ident| $body:expr) => {
        Key {
            path: $path,
            kind: $kind,
            set: |$s: &mut Settings, $v: &Value| $body,
        }
    };
}

const MONEY: Kind = Kind::Num(0.0, 100_000.0);
const SHARE: Kind = Kind::Num(0.0, 1.0);

/// Every key `scenario.toml` accepts (besides `tender.in_house.<vehicle type>`).
pub const KEYS: &[Key] = &[
    key!("name", Kind::Text(&[]), |s, v| if let Value::Text(t) = v {
        s.name = t.clone()
    }),
    key!("osm", Kind::Text(&[]), |s, v| if let Value::Text(t) = v {
        s.osm = PathBuf::from(t)
    }),
    key!("school_days", Kind::Int(1.0, 366.0), |s, v| s
        .policy
        .school_days =
        v.int()),
    key!("policy.ptb_rate_per_mile", Kind::Num(0.0, 10.0), |s, v| s
        .policy
        .ptb_rate_per_mile =
        v.pence()),
    key!("policy.ptb_legs_per_day", Kind::Int(1.0, 8.0), |s, v| s
        .policy
        .ptb_legs_per_day =
        v.int()),
    key!("policy.ptb_cap_at_cost", Kind::Bool, |s, v| s
        .policy
        .ptb_cap_at_cost =
        *v == Value::Bool(true)),
    key!("policy.itt_training_cost", MONEY, |s, v| s
        .policy
        .itt_training_cost =
        v.pence()),
    key!("policy.itt_annual_pass", MONEY, |s, v| s
        .policy
        .itt_annual_pass =
        v.pence()),
    key!(
        "policy.assistant_day_cost",
        Kind::Num(0.0, 10_000.0),
        |s, v| s.policy.assistant_day_cost = v.pence()
    ),
    key!(
        "policy.primary_max_ride_min",
        Kind::Int(1.0, 300.0),
        |s, v| s.policy.primary_max_ride_min = v.int()
    ),
    key!(
        "policy.secondary_max_ride_min",
        Kind::Int(1.0, 300.0),
        |s, v| s.policy.secondary_max_ride_min = v.int()
    ),
    key!("policy.boarding_min", Kind::Int(0.0, 30.0), |s, v| s
        .policy
        .boarding_min =
        v.int()),
    key!(
        "policy.wheelchair_boarding_min",
        Kind::Int(0.0, 30.0),
        |s, v| s.policy.wheelchair_boarding_min = v.int()
    ),
    key!("policy.years_of_saving", Kind::Int(1.0, 20.0), |s, v| s
        .policy
        .years_of_saving =
        v.int()),
    key!("policy.ptb_caseload", Kind::Int(0.0, 100_000.0), |s, v| s
        .policy
        .ptb_caseload =
        v.int()),
    key!("policy.itt_caseload", Kind::Int(0.0, 100_000.0), |s, v| s
        .policy
        .itt_caseload =
        v.int()),
    key!("policy.stability_cost_per_move", MONEY, |s, v| s
        .policy
        .stability_cost_per_move =
        v.pence()),
    key!("policy.stability_cost_per_minute", MONEY, |s, v| s
        .policy
        .stability_cost_per_minute =
        v.pence()),
    key!(
        "policy.continuity",
        Kind::Text(&["same_vehicle", "cost", "free"]),
        |s, v| {
            if let Value::Text(t) = v {
                s.policy.continuity = Continuity::from_word(t).unwrap_or_default()
            }
        }
    ),
    key!("policy.continuity_cost_per_pupil", MONEY, |s, v| s
        .policy
        .continuity_cost_per_pupil =
        v.pence()),
    key!("policy.ptb_uptake.settler", SHARE, |s, v| s
        .policy
        .ptb_uptake
        .settler =
        v.num()),
    key!("policy.ptb_uptake.prospector", SHARE, |s, v| s
        .policy
        .ptb_uptake
        .prospector =
        v.num()),
    key!("policy.ptb_uptake.pioneer", SHARE, |s, v| s
        .policy
        .ptb_uptake
        .pioneer =
        v.num()),
    key!("policy.ptb_uptake.unknown", SHARE, |s, v| s
        .policy
        .ptb_uptake
        .unknown =
        v.num()),
    key!("policy.itt_uptake.settler", SHARE, |s, v| s
        .policy
        .itt_uptake
        .settler =
        v.num()),
    key!("policy.itt_uptake.prospector", SHARE, |s, v| s
        .policy
        .itt_uptake
        .prospector =
        v.num()),
    key!("policy.itt_uptake.pioneer", SHARE, |s, v| s
        .policy
        .itt_uptake
        .pioneer =
        v.num()),
    key!("policy.itt_uptake.unknown", SHARE, |s, v| s
        .policy
        .itt_uptake
        .unknown =
        v.num()),
    key!("solver.time_limit_s", Kind::Num(0.0, 86_400.0), |s, v| s
        .solver
        .time_limit_s =
        v.num()),
    key!("solver.threads", Kind::Int(1.0, 256.0), |s, v| s
        .solver
        .threads =
        v.int() as usize),
    key!("solver.seed", Kind::Int(0.0, 1e15), |s, v| s.solver.seed =
        v.num() as u64),
    key!("tender.max_share", Kind::NumAbove(0.0, 1.0), |s, v| s
        .tender
        .max_share =
        v.num()),
    key!("tender.min_operators", Kind::Int(0.0, 1000.0), |s, v| s
        .tender
        .min_operators =
        v.int()),
    key!(
        "tender.in_house_overhead_pct",
        Kind::Num(0.0, 1000.0),
        |s, v| s.tender.in_house_overhead_pct = v.num()
    ),
];

/// Sections (tables) that may appear.
const SECTIONS: &[&str] = &[
    "policy",
    "policy.ptb_uptake",
    "policy.itt_uptake",
    "solver",
    "tender",
    "tender.in_house",
];

/// Edit distance between two short strings (for "did you mean").
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The known key or section nearest to `path`, if it is a near miss.
pub fn did_you_mean(path: &str) -> Option<&'static str> {
    let last = |p: &str| p.rsplit('.').next().unwrap_or(p).to_string();
    let (section, name) = path.rsplit_once('.').unwrap_or(("", path));
    KEYS.iter()
        .map(|k| k.path)
        .chain(SECTIONS.iter().copied())
        .map(|k| {
            let ks = k.rsplit_once('.').map_or("", |x| x.0);
            // A near miss in the same section counts fully; the same name in another
            // section (a key put in the wrong table) too.
            let d = distance(name, &last(k));
            let penalty = usize::from(ks != section && d > 0);
            (d + penalty, k)
        })
        .filter(|(d, k)| *d <= (last(k).len() / 3).max(2))
        .min()
        .map(|(_, k)| k)
}

/// Line and character column (1-based) of byte offset `at` in `text`.
pub fn position(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A problem at byte offset `at` of a TOML file.
pub fn toml_problem(
    file: &str,
    text: &str,
    at: usize,
    code: Code,
    key: &str,
    value: String,
    expected: String,
) -> Problem {
    let (line, col) = position(text, at);
    Problem {
        code,
        file: file.to_string(),
        line,
        col,
        column: key.to_string(),
        value,
        expected,
    }
}

/// A TOML value as a problem shows it.
pub fn shown(value: &DeValue) -> String {
    match value {
        DeValue::String(s) => format!("\"{s}\""),
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(x) => x.as_str().to_string(),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::Datetime(d) => d.to_string(),
        DeValue::Array(_) => "an array".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

/// Checks `value` against `kind`: the value, or what was wrong with it.
pub fn check_value(kind: Kind, value: &DeValue) -> Result<Value, (Code, String)> {
    let shown = || shown(value);
    let number = match value {
        DeValue::Integer(i) => i
            .as_str()
            .replace('_', "")
            .parse::<i64>()
            .ok()
            .map(|i| i as f64),
        DeValue::Float(x) => x.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    };
    let in_range = |x: f64, lo: f64, hi: f64, above: bool| {
        x.is_finite() && x <= hi && if above { x > lo } else { x >= lo }
    };
    match kind {
        Kind::Int(lo, hi) => match number {
            Some(x) if x.fract() != 0.0 => Err((Code::NotAnInteger, shown())),
            Some(x) if in_range(x, lo, hi, false) => Ok(Value::Int(x as i64)),
            Some(_) => Err((Code::OutOfRange, shown())),
            None => Err((Code::WrongType, shown())),
        },
        Kind::Num(lo, hi) | Kind::NumAbove(lo, hi) => {
            let above = matches!(kind, Kind::NumAbove(..));
            match number {
                Some(x) if in_range(x, lo, hi, above) => Ok(Value::Num(x)),
                Some(_) => Err((Code::OutOfRange, shown())),
                None => Err((Code::WrongType, shown())),
            }
        }
        Kind::Bool => match value {
            DeValue::Boolean(b) => Ok(Value::Bool(*b)),
            _ => Err((Code::WrongType, shown())),
        },
        Kind::Text(words) => match value {
            DeValue::String(s) if words.is_empty() || words.contains(&s.as_ref()) => {
                Ok(Value::Text(s.to_string()))
            }
            DeValue::String(_) => Err((Code::UnknownValue, shown())),
            _ => Err((Code::WrongType, shown())),
        },
    }
}

/// Sets the key at `path` to a checked value.
pub fn apply(settings: &mut Settings, path: &str, value: &Value) -> bool {
    match KEYS.iter().find(|k| k.path == path) {
        Some(k) => {
            (k.set)(settings, value);
            true
        }
        None => false,
    }
}

/// Reads `scenario.toml` in `dir`. Problems go to `f`; what could not be read keeps its
/// default.
pub fn read(dir: &Path, f: &mut Findings) -> Settings {
    const FILE: &str = "scenario.toml";
    let mut s = Settings::default();
    let path = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            f.push(Problem::file(
                Code::FileUnreadable,
                FILE,
                path.display().to_string(),
                format!("a readable scenario.toml ({e})"),
            ));
            return s;
        }
    };
    let doc = match DeTable::parse(&text) {
        Ok(d) => d,
        Err(e) => {
            let at = e.span().map_or(0, |r| r.start);
            f.push(toml_problem(
                FILE,
                &text,
                at,
                Code::TomlSyntax,
                "",
                String::new(),
                format!("valid TOML ({})", e.message()),
            ));
            return s;
        }
    };
    let mut osm_at = None;
    walk(
        doc.get_ref(),
        "",
        &text,
        FILE,
        f,
        &mut |key, at, value, f| {
            let fail = |f: &mut Findings, code, shown: String, expected: String| {
                f.push(toml_problem(FILE, &text, at, code, key, shown, expected))
            };
            if let Some(vt) = key.strip_prefix("tender.in_house.") {
                match check_value(Kind::Int(0.0, 100_000.0), value) {
                    Ok(v) => s
                        .in_house
                        .push((vt.to_string(), v.int(), position(&text, at).0)),
                    Err((code, shown)) => fail(
                        f,
                        code,
                        shown,
                        "a whole number of vehicles from 0 to 100000".into(),
                    ),
                }
                return;
            }
            let Some(k) = KEYS.iter().find(|k| k.path == key) else {
                let hint = did_you_mean(key)
                    .map(|m| format!(" (did you mean {m}?)"))
                    .unwrap_or_default();
                let expected = format!("a key scenario.toml knows{hint}");
                fail(f, Code::UnknownKey, key.to_string(), expected);
                return;
            };
            match check_value(k.kind, value) {
                Ok(v) => {
                    if key == "osm" {
                        osm_at = Some(at);
                    }
                    (k.set)(&mut s, &v)
                }
                Err((code, shown)) => fail(f, code, shown, k.kind.expected()),
            }
        },
    );
    match osm_at {
        Some(at) => {
            let given = s.osm.clone();
            s.osm = dir.join(&given);
            if !s.osm.is_file() {
                f.push(toml_problem(
                    FILE,
                    &text,
                    at,
                    Code::FileMissing,
                    "osm",
                    given.display().to_string(),
                    "the path of an existing .osm.pbf file, relative to the scenario folder".into(),
                ));
            }
        }
        None => f.push(Problem {
            column: "osm".into(),
            ..Problem::file(
                Code::MissingValue,
                FILE,
                "",
                "osm = \"path/to/extract.osm.pbf\"",
            )
        }),
    }
    s
}

/// Calls `visit(path, offset, value)` for every key that is not a known section, in file
/// order; a known section that holds a non-table value is reported.
pub fn walk(
    table: &DeTable,
    prefix: &str,
    text: &str,
    file: &str,
    f: &mut Findings,
    visit: &mut dyn FnMut(&str, usize, &DeValue, &mut Findings),
) {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (k, v) in entries {
        let path = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        let is_section = SECTIONS.contains(&path.as_str());
        match v.get_ref() {
            DeValue::Table(t) if is_section => walk(t, &path, text, file, f, visit),
            _ if is_section => f.push(toml_problem(
                file,
                text,
                k.span().start,
                Code::WrongType,
                &path,
                path.clone(),
                format!("a [{path}] table"),
            )),
            other => visit(&path, k.span().start, other, f),
        }
    }
}
