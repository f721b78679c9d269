//! The ids a file defines, and the one helper that resolves a reference to them, so that
//! every unknown id is reported once, with what would have been valid.

use super::table::{Findings, Row};
use crate::error::Code;
use std::collections::BTreeMap;

/// What a reference to an id found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The id names a usable record: its index.
    Found(usize),
    /// The id is defined, but its record was rejected (already reported), or the file
    /// defining the ids could not be read: the reference is not reported again.
    Invalid,
    /// No such id.
    Unknown,
}

/// Ids defined by one file.
#[derive(Debug, Clone)]
pub struct Ids {
    /// Id → (index of the record if it was usable, line).
    map: BTreeMap<String, (Option<usize>, usize)>,
    /// False when the defining file could not be read: unknown references are then not
    /// reported (the missing file already is).
    complete: bool,
}

impl Ids {
    /// An empty set of ids; `complete` says whether the defining file was read.
    pub fn new(complete: bool) -> Self {
        Ids {
            map: BTreeMap::new(),
            complete,
        }
    }

    /// Defines `id` at `row` (with `index` when its record is usable). A duplicate is
    /// reported and returns false.
    pub fn define(
        &mut self,
        row: &Row,
        f: &mut Findings,
        col: &str,
        id: &str,
        index: Option<usize>,
    ) -> bool {
        if id.contains(';') || id.chars().any(char::is_control) {
            row.problem(
                f,
                Code::BadId,
                col,
                id,
                "an id without ';' (it separates ids in lists) or control characters",
            );
            self.map.entry(id.to_string()).or_insert((None, row.line));
            return false;
        }
        if let Some(&(_, line)) = self.map.get(id) {
            row.problem(
                f,
                Code::DuplicateId,
                col,
                id,
                format!("a unique id (first used on line {line})"),
            );
            false
        } else {
            self.map.insert(id.to_string(), (index, row.line));
            true
        }
    }

    /// What `id` refers to.
    pub fn lookup(&self, id: &str) -> Lookup {
        match self.map.get(id) {
            Some((Some(i), _)) => Lookup::Found(*i),
            Some((None, _)) => Lookup::Invalid,
            None if !self.complete => Lookup::Invalid,
            None => Lookup::Unknown,
        }
    }

    /// Up to eight defined ids, for messages.
    pub fn names(&self) -> String {
        let v: Vec<&str> = self.map.keys().map(String::as_str).take(8).collect();
        let more = if self.map.len() > 8 { ", …" } else { "" };
        format!("{}{more}", v.join(", "))
    }

    /// Resolves the reference `value` found in column `col` of `row`: the index, or
    /// `None` (an unknown id is reported as `E-UNKNOWN-ID`, expecting `what`).
    pub fn resolve(
        &self,
        row: &Row,
        f: &mut Findings,
        col: &str,
        value: &str,
        what: &str,
    ) -> Option<usize> {
        match self.lookup(value) {
            Lookup::Found(i) => Some(i),
            Lookup::Invalid => None,
            Lookup::Unknown => {
                row.problem(f, Code::UnknownId, col, value, what.to_string());
                None
            }
        }
    }

    /// Reads the required id in column `col` of `row` and resolves it (see
    /// [`Ids::resolve`]); `what` names the file, e.g. `"an operator_id from
    /// operators.csv"`, and the known ids are listed after it.
    pub fn reference(&self, row: &Row, f: &mut Findings, col: &str, what: &str) -> Option<usize> {
        let v = row.text(f, col)?;
        self.resolve(row, f, col, v, &format!("{what} ({})", self.names()))
    }
}

/// Splits a `;`-separated list of ids, trimming blanks.
pub fn id_list(v: &str) -> Vec<&str> {
    v.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}
