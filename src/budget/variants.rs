//! The variants file of `schoolrun budget`: named variants of one scenario, and sweeps
//! that expand one key over several values. Every key is checked against the scenario
//! (its vehicle types and operators) and against `scenario.toml`'s own key table, so an
//! unknown key, a bad value or a duplicate name is an error at its line and column, all
//! in one pass. The format is documented in `docs/budget.md`.

use crate::error::{Code, Problem};
use crate::scenario::Scenario;
use crate::scenario::settings::{self, Kind, Value, did_you_mean, shown, toml_problem};
use toml::de::{DeTable, DeValue};

/// A count of vehicles in a variant: an absolute number, or a change to the scenario's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Count {
    /// This many vehicles.
    Set(u32),
    /// The scenario's number plus (or minus) this many.
    Add(i64),
    /// No limit (vehicles only: `available` left empty).
    Unlimited,
}

impl Count {
    /// The count applied to `base` (`None` = unlimited).
    pub fn apply(self, base: Option<u32>) -> Option<u32> {
        match self {
            Count::Set(n) => Some(n),
            Count::Add(d) => base.map(|b| (b as i64 + d).max(0) as u32),
            Count::Unlimited => None,
        }
    }
}

/// One named variant of the scenario.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Variant {
    /// Its name, unique in the file.
    pub name: String,
    /// Line of its `[[variant]]` (or `[[sweep]]`) header.
    pub line: usize,
    /// Pupils added, as a percentage of the scenario's cohort.
    pub growth_pct: f64,
    /// Pupils leaving, as a percentage of the scenario's cohort.
    pub leavers_pct: f64,
    /// Uplift on every price: reference rates, operators' rate cards, bids, today's
    /// contracts and the passenger-assistant day cost.
    pub price_uplift_pct: f64,
    /// Further uplift per operator id (rate cards, bids, today's contracts).
    pub operator_uplift_pct: Vec<(usize, f64)>,
    /// Further uplift per vehicle type (reference rates, rate cards, today's contracts).
    pub vehicle_uplift_pct: Vec<(usize, f64)>,
    /// `scenario.toml` keys set (dotted paths such as `policy.ptb_rate_per_mile`).
    pub settings: Vec<(String, Value)>,
    /// Vehicles available per vehicle type.
    pub fleet: Vec<(usize, Count)>,
    /// In-house vehicles per vehicle type.
    pub in_house: Vec<(usize, Count)>,
    /// The swept key and value, for a variant a `[[sweep]]` made.
    pub sweep: Option<(String, f64)>,
}

impl Variant {
    fn named(name: String, line: usize) -> Self {
        Variant {
            name,
            line,
            growth_pct: 0.0,
            leavers_pct: 0.0,
            price_uplift_pct: 0.0,
            operator_uplift_pct: Vec::new(),
            vehicle_uplift_pct: Vec::new(),
            settings: Vec::new(),
            fleet: Vec::new(),
            in_house: Vec::new(),
            sweep: None,
        }
    }

    /// Whether the variant changes the cohort (its demand samples then differ).
    pub fn changes_demand(&self) -> bool {
        self.growth_pct > 0.0 || self.leavers_pct > 0.0
    }
}

/// Keys a variant accepts besides `scenario.toml`'s own.
const VARIANT_KEYS: &[&str] = &[
    "name",
    "growth_pct",
    "leavers_pct",
    "price_uplift_pct",
    "operator_uplift_pct.<operator id>",
    "vehicle_uplift_pct.<vehicle type>",
    "fleet.<vehicle type>",
    "in_house.<vehicle type>",
];

/// Sections of `scenario.toml` a variant may change.
const SETTING_SECTIONS: &[&str] = &["policy", "solver", "tender"];

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    sc: &'a Scenario,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn fail(&mut self, at: usize, code: Code, key: &str, value: String, expected: String) {
        let p = toml_problem(self.file, self.text, at, code, key, value, expected);
        self.problems.push(p);
    }

    fn number(&mut self, at: usize, key: &str, v: &DeValue, kind: Kind) -> Option<f64> {
        match settings::check_value(kind, v) {
            Ok(Value::Int(i)) => Some(i as f64),
            Ok(Value::Num(x)) => Some(x),
            Ok(_) => None,
            Err((code, shown)) => {
                self.fail(at, code, key, shown, kind.expected());
                None
            }
        }
    }

    fn vehicle(&mut self, at: usize, key: &str, id: &str) -> Option<usize> {
        let found = self.sc.vehicles.iter().position(|v| v.id == id);
        if found.is_none() {
            let ids: Vec<&str> = self.sc.vehicles.iter().map(|v| v.id.as_str()).collect();
            let expected = format!("a vehicle type of vehicles.csv ({})", ids.join(", "));
            self.fail(at, Code::UnknownId, key, id.to_string(), expected);
        }
        found
    }

    fn operator(&mut self, at: usize, key: &str, id: &str) -> Option<usize> {
        let found = self.sc.operators.iter().position(|o| o.id == id);
        if found.is_none() {
            let ids: Vec<&str> = self.sc.operators.iter().map(|o| o.id.as_str()).collect();
            let expected = format!("an operator of operators.csv ({})", ids.join(", "));
            self.fail(at, Code::UnknownId, key, id.to_string(), expected);
        }
        found
    }

    fn count(&mut self, at: usize, key: &str, v: &DeValue, unlimited: bool) -> Option<Count> {
        let expected = if unlimited {
            "a whole number of vehicles, a change such as \"+2\" or \"-1\", or \"unlimited\""
        } else {
            "a whole number of vehicles, or a change such as \"+2\" or \"-1\""
        };
        let parsed = match v {
            DeValue::String(s) if unlimited && s.as_ref() == "unlimited" => Some(Count::Unlimited),
            DeValue::String(s) if s.starts_with('+') || s.starts_with('-') => s
                .parse::<i64>()
                .ok()
                .filter(|d| d.abs() <= 100_000)
                .map(Count::Add),
            _ => match settings::check_value(Kind::Int(0.0, 100_000.0), v) {
                Ok(Value::Int(i)) => Some(Count::Set(i as u32)),
                _ => None,
            },
        };
        if parsed.is_none() {
            let code = match v {
                DeValue::String(_) | DeValue::Integer(_) | DeValue::Float(_) => Code::OutOfRange,
                _ => Code::WrongType,
            };
            self.fail(at, code, key, shown(v), expected.into());
        }
        parsed
    }

    /// Sets one dotted key of a variant; false when the key is not one a variant knows
    /// (the caller reports it).
    fn set(&mut self, variant: &mut Variant, key: &str, at: usize, v: &DeValue) -> bool {
        let pct = |r: &mut Self, lo: f64, hi: f64| r.number(at, key, v, Kind::Num(lo, hi));
        match key {
            "growth_pct" => variant.growth_pct = pct(self, 0.0, 500.0).unwrap_or(0.0),
            "leavers_pct" => variant.leavers_pct = pct(self, 0.0, 90.0).unwrap_or(0.0),
            "price_uplift_pct" => variant.price_uplift_pct = pct(self, -90.0, 500.0).unwrap_or(0.0),
            _ => {
                let (section, id) = key.split_once('.').unwrap_or((key, ""));
                match section {
                    "operator_uplift_pct" if !id.is_empty() => {
                        let o = self.operator(at, key, id);
                        if let (Some(o), Some(x)) = (o, pct(self, -90.0, 500.0)) {
                            variant.operator_uplift_pct.push((o, x));
                        }
                    }
                    "vehicle_uplift_pct" if !id.is_empty() => {
                        let t = self.vehicle(at, key, id);
                        if let (Some(t), Some(x)) = (t, pct(self, -90.0, 500.0)) {
                            variant.vehicle_uplift_pct.push((t, x));
                        }
                    }
                    "fleet" if !id.is_empty() => {
                        let t = self.vehicle(at, key, id);
                        if let (Some(t), Some(c)) = (t, self.count(at, key, v, true)) {
                            variant.fleet.push((t, c));
                        }
                    }
                    "in_house" if !id.is_empty() => {
                        let t = self.vehicle(at, key, id);
                        if let (Some(t), Some(c)) = (t, self.count(at, key, v, false)) {
                            variant.in_house.push((t, c));
                        }
                    }
                    _ => {
                        let allowed = SETTING_SECTIONS.contains(&section) || key == "school_days";
                        let Some(k) = settings::KEYS.iter().find(|k| k.path == key && allowed)
                        else {
                            return false;
                        };
                        match settings::check_value(k.kind, v) {
                            Ok(value) => variant.settings.push((key.to_string(), value)),
                            Err((code, shown)) => {
                                self.fail(at, code, key, shown, k.kind.expected())
                            }
                        }
                    }
                }
            }
        }
        true
    }

    fn unknown_key(&mut self, at: usize, key: &str) {
        let hint = did_you_mean(key)
            .filter(|m| SETTING_SECTIONS.iter().any(|s| m.starts_with(s)))
            .map(|m| format!("; did you mean {m}?"))
            .unwrap_or_default();
        let expected = format!(
            "a key a variant knows ({}, or a [policy], [solver] or [tender] key of scenario.toml{hint})",
            VARIANT_KEYS.join(", ")
        );
        self.fail(at, Code::UnknownKey, key, key.to_string(), expected);
    }

    /// Visits every key of a variant table (sections flattened to dotted paths).
    fn variant_table(&mut self, table: &DeTable, prefix: &str, variant: &mut Variant) {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (k, v) in entries {
            let key = if prefix.is_empty() {
                k.get_ref().to_string()
            } else {
                format!("{prefix}.{}", k.get_ref())
            };
            let at = k.span().start;
            if key == "name" {
                continue;
            }
            let is_section = [
                "policy",
                "policy.ptb_uptake",
                "policy.itt_uptake",
                "solver",
                "tender",
                "operator_uplift_pct",
                "vehicle_uplift_pct",
                "fleet",
                "in_house",
            ]
            .contains(&key.as_str());
            match v.get_ref() {
                DeValue::Table(t) if is_section => self.variant_table(t, &key, variant),
                _ if is_section => self.fail(
                    at,
                    Code::WrongType,
                    &key,
                    shown(v.get_ref()),
                    format!("a [variant.{key}] table"),
                ),
                value => {
                    if !self.set(variant, &key, at, value) {
                        self.unknown_key(at, &key);
                    }
                }
            }
        }
    }

    fn name(&mut self, table: &DeTable, at: usize, what: &str) -> Option<(String, usize)> {
        match table.get("name").map(|v| (v.span().start, v.get_ref())) {
            Some((at, DeValue::String(s))) if !s.trim().is_empty() => Some((s.to_string(), at)),
            Some((at, other)) => {
                self.fail(
                    at,
                    Code::MissingValue,
                    "name",
                    shown(other),
                    format!("a non-empty name for the {what}"),
                );
                None
            }
            None => {
                self.fail(
                    at,
                    Code::MissingValue,
                    "name",
                    String::new(),
                    format!("name = \"…\" in every [[{what}]]"),
                );
                None
            }
        }
    }

    fn sweep(&mut self, table: &DeTable, at: usize, out: &mut Vec<(Variant, usize)>) {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (k, _) in &entries {
            if !["key", "values", "name"].contains(&k.get_ref().as_ref()) {
                self.fail(
                    k.span().start,
                    Code::UnknownKey,
                    k.get_ref(),
                    k.get_ref().to_string(),
                    "a key a sweep knows (key, values, name)".into(),
                );
            }
        }
        let key = match table.get("key").map(|v| (v.span().start, v.get_ref())) {
            Some((at, DeValue::String(s))) => Some((s.to_string(), at)),
            Some((at, other)) => {
                self.fail(
                    at,
                    Code::WrongType,
                    "key",
                    shown(other),
                    "the dotted key to sweep, in quotes".into(),
                );
                None
            }
            None => {
                self.fail(
                    at,
                    Code::MissingValue,
                    "key",
                    String::new(),
                    "key = \"policy.…\" in every [[sweep]]".into(),
                );
                None
            }
        };
        let values = match table.get("values").map(|v| (v.span().start, v.get_ref())) {
            Some((_, DeValue::Array(a))) if !a.is_empty() => Some(a),
            Some((at, other)) => {
                self.fail(
                    at,
                    Code::WrongType,
                    "values",
                    shown(other),
                    "a non-empty array of values, e.g. [60, 75, 90]".into(),
                );
                None
            }
            None => {
                self.fail(
                    at,
                    Code::MissingValue,
                    "values",
                    String::new(),
                    "values = [...] in every [[sweep]]".into(),
                );
                None
            }
        };
        let label = match table.get("name") {
            Some(_) => self.name(table, at, "sweep").map(|n| n.0),
            None => None,
        };
        let (Some((key, key_at)), Some(values)) = (key, values) else {
            return;
        };
        for v in values.iter() {
            let vat = v.span().start;
            let number = match v.get_ref() {
                DeValue::Integer(i) => i.as_str().replace('_', "").parse::<f64>().ok(),
                DeValue::Float(x) => x.as_str().replace('_', "").parse::<f64>().ok(),
                _ => None,
            };
            let Some(number) = number else {
                self.fail(
                    vat,
                    Code::WrongType,
                    &key,
                    shown(v.get_ref()),
                    "a number (a sweep's values are numbers, so each has a cost)".into(),
                );
                continue;
            };
            let name = format!(
                "{} = {}",
                label.clone().unwrap_or_else(|| key.clone()),
                shown(v.get_ref())
            );
            let mut variant = Variant::named(name, settings::position(self.text, at).0);
            variant.sweep = Some((key.clone(), number));
            let before = self.problems.len();
            if !self.set(&mut variant, &key, vat, v.get_ref()) {
                self.unknown_key(key_at, &key);
                return;
            }
            if self.problems.len() == before {
                out.push((variant, vat));
            }
        }
    }
}

/// Reads a variants file's text (`file` names it in problems) against the scenario it
/// varies: the variants in file order, sweeps expanded in place; or every problem.
pub fn parse(file: &str, text: &str, sc: &Scenario) -> Result<Vec<Variant>, Vec<Problem>> {
    let mut r = Reader {
        file,
        text,
        sc,
        problems: Vec::new(),
    };
    let doc = match DeTable::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            let expected = format!("valid TOML ({})", e.message());
            r.fail(at, Code::TomlSyntax, "", String::new(), expected);
            return Err(r.problems);
        }
    };
    let mut found: Vec<(Variant, usize)> = Vec::new();
    let mut top: Vec<_> = doc.get_ref().iter().collect();
    top.sort_by_key(|(k, _)| k.span().start);
    for (k, v) in top {
        let at = k.span().start;
        let what = k.get_ref().as_ref();
        let tables: Vec<(usize, &DeTable)> = match v.get_ref() {
            DeValue::Array(a) if what == "variant" || what == "sweep" => a
                .iter()
                .filter_map(|t| match t.get_ref() {
                    DeValue::Table(t) => Some((at.max(t.span_start(at)), t)),
                    _ => None,
                })
                .collect(),
            _ => {
                let expected = "[[variant]] or [[sweep]] tables only".to_string();
                r.fail(at, Code::UnknownKey, what, what.to_string(), expected);
                continue;
            }
        };
        let given = match v.get_ref() {
            DeValue::Array(a) => a.len(),
            _ => 0,
        };
        if tables.len() != given {
            let expected = format!("[[{what}]] tables");
            r.fail(at, Code::WrongType, what, shown(v.get_ref()), expected);
        }
        for (tat, t) in tables {
            if what == "variant" {
                let Some((name, name_at)) = r.name(t, tat, "variant") else {
                    continue;
                };
                let mut variant = Variant::named(name, settings::position(text, name_at).0);
                r.variant_table(t, "", &mut variant);
                found.push((variant, name_at));
            } else {
                r.sweep(t, tat, &mut found);
            }
        }
    }
    if found.is_empty() && r.problems.is_empty() {
        r.fail(
            0,
            Code::NoRows,
            "variant",
            String::new(),
            "at least one [[variant]] or [[sweep]]".into(),
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut duplicates = Vec::new();
    for (v, at) in &found {
        if seen.contains(&v.name.as_str()) {
            duplicates.push((*at, v.name.clone()));
        }
        seen.push(&v.name);
    }
    for (at, name) in duplicates {
        let expected = "a name no other variant has".to_string();
        r.fail(
            at,
            Code::DuplicateId,
            "name",
            format!("\"{name}\""),
            expected,
        );
    }
    if r.problems.is_empty() {
        Ok(found.into_iter().map(|(v, _)| v).collect())
    } else {
        Err(r.problems)
    }
}

/// The helper `span_start` gives a table's first key's offset, so a problem about the
/// table points inside it.
trait SpanStart {
    fn span_start(&self, default: usize) -> usize;
}

impl SpanStart for DeTable<'_> {
    fn span_start(&self, default: usize) -> usize {
        self.iter()
            .map(|(k, _)| k.span().start)
            .min()
            .unwrap_or(default)
    }
}
