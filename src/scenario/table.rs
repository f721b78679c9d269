//! CSV tables read with positions kept, so every problem can name file, line and column.

use crate::error::Code;
use crate::error::Problem;
use std::path::Path;

/// A CSV file held as strings, with the line number of every record.
pub struct Table {
    /// File name as shown in messages.
    pub file: String,
    headers: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

/// Where problems and warnings found while reading go.
#[derive(Default, Debug)]
pub struct Findings {
    /// Errors: the input cannot be used as it is.
    pub errors: Vec<Problem>,
    /// Warnings: the input is usable but something looks off.
    pub warnings: Vec<Problem>,
}

impl Findings {
    /// Records an error (or, for a `W-` code, a warning) at a file, line and column.
    pub fn error(
        &mut self,
        code: crate::error::Code,
        file: &str,
        line: usize,
        column: &str,
        value: &str,
        expected: impl Into<String>,
    ) {
        self.push(Problem {
            code,
            file: file.to_string(),
            line,
            col: 0,
            column: column.to_string(),
            value: value.to_string(),
            expected: expected.into(),
        });
    }
    /// Records a located problem as an error or a warning, by its code.
    pub fn push(&mut self, p: Problem) {
        if p.code.is_warning() {
            self.warnings.push(p);
        } else {
            self.errors.push(p);
        }
    }
    /// Records a warning (a `W-` code) at a file, line and column.
    pub fn warn(
        &mut self,
        code: crate::error::Code,
        file: &str,
        line: usize,
        column: &str,
        value: &str,
        expected: impl Into<String>,
    ) {
        debug_assert!(code.is_warning());
        self.error(code, file, line, column, value, expected);
    }
}

impl Table {
    /// Reads the file of `schema` in `dir` (see [`Table::read`]); `extra` lists further
    /// optional columns (such as an operator's fleet column per vehicle type).
    pub fn read_schema(
        dir: &Path,
        schema: &super::schema::Schema,
        extra: &[&str],
        f: &mut Findings,
    ) -> Option<Table> {
        let mut optional: Vec<&str> = schema.optional.to_vec();
        optional.extend_from_slice(extra);
        Self::read(&dir.join(schema.file), schema.required, &optional, f)
    }

    /// Reads a CSV file. Missing required columns, malformed rows and unreadable files
    /// become errors; unknown columns become warnings. Returns `None` only when nothing
    /// of the file can be used.
    pub fn read(
        path: &Path,
        required: &[&str],
        optional: &[&str],
        f: &mut Findings,
    ) -> Option<Table> {
        let file = path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                f.error(
                    Code::FileUnreadable,
                    &file,
                    0,
                    "",
                    &path.display().to_string(),
                    format!("a readable CSV file ({e})"),
                );
                return None;
            }
        };
        Self::parse(&file, &bytes, required, optional, f)
    }

    /// Parses CSV content (see [`Table::read`]).
    pub fn parse(
        file: &str,
        bytes: &[u8],
        required: &[&str],
        optional: &[&str],
        f: &mut Findings,
    ) -> Option<Table> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let headers: Vec<String> = match rdr.byte_headers() {
            Ok(h) => h
                .iter()
                .map(|b| {
                    String::from_utf8_lossy(b)
                        .trim()
                        .trim_start_matches('\u{feff}')
                        .to_ascii_lowercase()
                })
                .collect(),
            Err(e) => {
                f.error(
                    Code::CsvMalformed,
                    file,
                    1,
                    "",
                    "",
                    format!("a CSV header row ({e})"),
                );
                return None;
            }
        };
        if headers.iter().all(|h| h.is_empty()) {
            f.error(
                Code::CsvEmpty,
                file,
                1,
                "",
                "",
                format!("a header row with columns {}", required.join(", ")),
            );
            return None;
        }
        let mut missing = false;
        for r in required {
            if !headers.iter().any(|h| h == r) {
                f.error(
                    Code::MissingColumn,
                    file,
                    1,
                    r,
                    "",
                    format!("a column named '{r}'"),
                );
                missing = true;
            }
        }
        for (i, h) in headers.iter().enumerate() {
            if headers[..i].contains(h) {
                f.error(Code::DuplicateColumn, file, 1, h, h, "each column once");
            } else if !required.contains(&h.as_str())
                && !optional.contains(&h.as_str())
                && !h.is_empty()
            {
                f.warn(
                    Code::ExtraColumn,
                    file,
                    1,
                    h,
                    h,
                    "a known column; this one is ignored",
                );
            }
        }
        let mut rows = Vec::new();
        let mut rec = csv::ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {
                    let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
                    if rec.iter().all(|v| v.is_empty()) {
                        continue;
                    }
                    let mut fields = Vec::with_capacity(rec.len());
                    let mut bad = false;
                    for (i, v) in rec.iter().enumerate() {
                        match std::str::from_utf8(v) {
                            Ok(s) => fields.push(s.to_string()),
                            Err(_) => {
                                let col = headers.get(i).map(String::as_str).unwrap_or("");
                                f.error(
                                    Code::NotUtf8,
                                    file,
                                    line,
                                    col,
                                    &String::from_utf8_lossy(v),
                                    "UTF-8 text",
                                );
                                bad = true;
                            }
                        }
                    }
                    if fields.len() != headers.len() && !bad {
                        f.error(
                            Code::FieldCount,
                            file,
                            line,
                            "",
                            &format!("{} fields", fields.len()),
                            format!("{} fields, one per header column", headers.len()),
                        );
                        bad = true;
                    }
                    if !bad {
                        rows.push((line, fields));
                    }
                }
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                    f.error(
                        Code::CsvMalformed,
                        file,
                        line,
                        "",
                        "",
                        format!("well-formed CSV ({e})"),
                    );
                    break;
                }
            }
        }
        if missing {
            return None;
        }
        Some(Table {
            file: file.to_string(),
            headers,
            rows,
        })
    }

    /// The records, each as a [`Row`] accessor.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |(line, fields)| Row {
            table: self,
            line: *line,
            fields,
        })
    }

    /// Whether the file has this column.
    pub fn has(&self, column: &str) -> bool {
        self.headers.iter().any(|h| h == column)
    }
}

/// One record of a [`Table`], with typed accessors that record problems.
pub struct Row<'a> {
    table: &'a Table,
    /// 1-based line number of the record.
    pub line: usize,
    fields: &'a [String],
}

impl<'a> Row<'a> {
    /// The raw value of a column (`None` when the column is absent; may be empty).
    pub fn raw(&self, column: &str) -> Option<&'a str> {
        let i = self.table.headers.iter().position(|h| h == column)?;
        self.fields.get(i).map(String::as_str)
    }

    /// The value, `None` if absent or empty.
    pub fn opt(&self, column: &str) -> Option<&'a str> {
        self.raw(column).filter(|v| !v.is_empty())
    }

    fn err(
        &self,
        f: &mut Findings,
        code: crate::error::Code,
        column: &str,
        value: &str,
        expected: impl Into<String>,
    ) {
        f.error(code, &self.table.file, self.line, column, value, expected);
    }

    /// Records a problem at this row.
    pub fn problem(
        &self,
        f: &mut Findings,
        code: crate::error::Code,
        column: &str,
        value: &str,
        expected: impl Into<String>,
    ) {
        self.err(f, code, column, value, expected);
    }

    /// Records a warning at this row.
    pub fn warning(
        &self,
        f: &mut Findings,
        code: crate::error::Code,
        column: &str,
        value: &str,
        expected: impl Into<String>,
    ) {
        f.warn(code, &self.table.file, self.line, column, value, expected);
    }

    /// A required non-empty text value.
    pub fn text(&self, f: &mut Findings, column: &str) -> Option<&'a str> {
        let v = self.opt(column);
        if v.is_none() {
            self.err(f, Code::MissingValue, column, "", "a value");
        }
        v
    }

    /// A required number within `[lo, hi]`.
    pub fn number(&self, f: &mut Findings, column: &str, lo: f64, hi: f64) -> Option<f64> {
        let v = self.text(f, column)?;
        self.parse_number(f, column, v, lo, hi)
    }

    /// An optional number within `[lo, hi]` (empty = `None`, no problem).
    pub fn opt_number(&self, f: &mut Findings, column: &str, lo: f64, hi: f64) -> Option<f64> {
        let v = self.opt(column)?;
        self.parse_number(f, column, v, lo, hi)
    }

    fn parse_number(
        &self,
        f: &mut Findings,
        column: &str,
        v: &str,
        lo: f64,
        hi: f64,
    ) -> Option<f64> {
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= lo && x <= hi => Some(x),
            Ok(x) if x.is_finite() && x < 0.0 && lo >= 0.0 => {
                self.err(
                    f,
                    Code::Negative,
                    column,
                    v,
                    format!("a number from {lo} to {hi}"),
                );
                None
            }
            Ok(_) => {
                self.err(
                    f,
                    Code::OutOfRange,
                    column,
                    v,
                    format!("a number from {lo} to {hi}"),
                );
                None
            }
            Err(_) => {
                self.err(
                    f,
                    Code::NotANumber,
                    column,
                    v,
                    format!("a number from {lo} to {hi}"),
                );
                None
            }
        }
    }

    /// A boolean (`true/false/yes/no/1/0`, any case); empty gives `default`.
    pub fn boolean(&self, f: &mut Findings, column: &str, default: bool) -> Option<bool> {
        let Some(v) = self.opt(column) else {
            return Some(default);
        };
        match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "y" => Some(true),
            "false" | "no" | "0" | "n" => Some(false),
            _ => {
                self.err(f, Code::NotABoolean, column, v, "true/false, yes/no or 1/0");
                None
            }
        }
    }

    /// A required `HH:MM` time, in minutes after midnight.
    pub fn time(&self, f: &mut Findings, column: &str) -> Option<u32> {
        let v = self.text(f, column)?;
        let parsed = v.split_once(':').and_then(|(h, m)| {
            let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
            (h < 24 && m < 60 && v.len() <= 5).then_some(h * 60 + m)
        });
        if parsed.is_none() {
            self.err(
                f,
                Code::NotATime,
                column,
                v,
                "a time as HH:MM (00:00 to 23:59)",
            );
        }
        parsed
    }

    /// A value from a fixed list of words (case-insensitive); empty gives `default` when
    /// given, else is an error.
    pub fn word<T: super::model::Words>(
        &self,
        f: &mut Findings,
        column: &str,
        default: Option<T>,
    ) -> Option<T> {
        let options = T::WORDS;
        let v = match (self.opt(column), default) {
            (None, Some(d)) => return Some(d),
            (None, None) => {
                self.err(f, Code::MissingValue, column, "", "a value");
                return None;
            }
            (Some(v), _) => v,
        };
        let lower = v.to_ascii_lowercase();
        let found = options
            .iter()
            .find(|(name, _)| *name == lower)
            .map(|(_, t)| *t);
        if found.is_none() {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            self.err(
                f,
                Code::UnknownValue,
                column,
                v,
                format!("one of {}", names.join(", ")),
            );
        }
        found
    }
}
