//! CSV tables read with positions kept, so every problem can name file, line and column.

use crate::error::Code;
use crate::error::Problem;
use std::path::Path;

/// A CSV file held as strings, with the line number of every record.
pub struct Table {
    /// File name as shown in messages.
    pub file: String,
    headers: Vec<String>,
    raw_headers: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
    /// False when records were lost to broken CSV (an unclosed quote, bad bytes): ids
    /// missing from the file are then not reported where other files use them.
    complete: bool,
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
        if schema.located {
            // `lat, lon` or `easting, northing`: the reader checks that one pair is there.
            let required: Vec<&str> = schema
                .required
                .iter()
                .copied()
                .filter(|c| *c != "lat" && *c != "lon")
                .collect();
            optional.extend(["lat", "lon"]);
            optional.extend(super::schema::GRID);
            optional.extend(super::schema::ADDRESS);
            return Self::read(&dir.join(schema.file), &required, &optional, f);
        }
        Self::read(&dir.join(schema.file), schema.required, &optional, f)
    }

    /// Reads a CSV file. Missing required columns, malformed rows and unreadable files
    /// become errors; unknown columns become warnings. Returns `None` only when nothing
    /// of the file can be used. Only regular files are read (a pipe or device could block
    /// forever).
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
        let bytes = match read_regular(path) {
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

    /// Parses CSV content (see [`Table::read`]). Text that is not UTF-8 (UTF-16, or a
    /// Windows code page) is one error naming the encoding, and is still read so that no
    /// other error follows from it; so is a trailing comma on every row, or an unclosed
    /// quote that swallows the rows after it.
    pub fn parse(
        file: &str,
        bytes: &[u8],
        required: &[&str],
        optional: &[&str],
        f: &mut Findings,
    ) -> Option<Table> {
        let text = decode(file, bytes, f);
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let raw_headers: Vec<String> = match rdr.headers() {
            Ok(h) => h
                .iter()
                .map(|s| s.trim().trim_start_matches('\u{feff}').to_string())
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
        let mut headers: Vec<String> = raw_headers.iter().map(|h| h.to_ascii_lowercase()).collect();
        // A trailing comma on the header row adds an empty column: ignore it.
        let trailing_header = headers.len() > 1 && headers.last().is_some_and(String::is_empty);
        if trailing_header {
            headers.pop();
        }
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
        let n = headers.len();
        let mut rows = Vec::new();
        let mut trailing: Vec<usize> = Vec::new();
        let mut complete = true;
        let mut rec = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {
                    let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
                    if rec.iter().all(|v| v.is_empty()) {
                        continue;
                    }
                    // A quote opened and never closed swallows the following lines into
                    // one field: one error here, and the record is dropped.
                    if let Some(k) = rec.iter().position(|v| v.contains('\n')) {
                        let swallowed = rec.get(k).map_or(0, |v| v.matches('\n').count());
                        f.error(
                            Code::CsvMalformed,
                            file,
                            line,
                            headers.get(k).map_or("", String::as_str),
                            "\"",
                            format!(
                                "a closed quote: a quote opened on this line is never closed, and swallows the next {swallowed} line(s)"
                            ),
                        );
                        complete = false;
                        continue;
                    }
                    let mut fields: Vec<String> = rec.iter().map(str::to_string).collect();
                    if fields.len() == n + 1 && fields.last().is_some_and(String::is_empty) {
                        fields.pop();
                        trailing.push(line);
                    }
                    if fields.len() != n {
                        f.error(
                            Code::FieldCount,
                            file,
                            line,
                            "",
                            &format!("{} fields", fields.len()),
                            format!("{n} fields, one per header column"),
                        );
                        continue;
                    }
                    rows.push((line, fields));
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
                    complete = false;
                    break;
                }
            }
        }
        // Rows ending in an extra empty field (a trailing comma) are one defect, reported
        // once, unless the header row has one too (then the file is consistent).
        if !trailing.is_empty() && !trailing_header {
            f.error(
                Code::FieldCount,
                file,
                trailing[0],
                "",
                &format!("{} row(s) with a trailing comma", trailing.len()),
                format!(
                    "{n} fields, one per header column (remove the comma at the end of the rows)"
                ),
            );
        }
        if missing {
            return None;
        }
        Some(Table {
            file: file.to_string(),
            headers,
            raw_headers,
            rows,
            complete,
        })
    }

    /// Whether every record of the file could be read (see [`Table`]'s `complete`).
    pub fn complete(&self) -> bool {
        self.complete
    }

    /// The header names as written (the matching of known columns ignores case).
    pub fn raw_headers(&self) -> &[String] {
        &self.raw_headers
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

    /// A required `HH:MM` time (one or two digits for the hour, two for the minutes), in
    /// minutes after midnight.
    pub fn time(&self, f: &mut Findings, column: &str) -> Option<u32> {
        let v = self.text(f, column)?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let parsed = v.split_once(':').and_then(|(h, m)| {
            if !(digits(h) && h.len() <= 2 && digits(m) && m.len() == 2) {
                return None;
            }
            let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
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

/// Reads a file if it is a regular file (not a pipe, socket or device, which could block
/// forever or never end).
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    std::fs::read(path)
}

/// Windows-1252 characters of bytes 0x80 to 0x9F (the rest of the upper half is Latin-1).
const CP1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The text of a CSV file: UTF-8 as it should be; UTF-16 (by its byte-order mark, or by
/// its NUL bytes) or a Windows code page decoded, with one error naming the encoding.
fn decode(file: &str, bytes: &[u8], f: &mut Findings) -> String {
    let utf16 = |le: bool, body: &[u8]| -> String {
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    let nuls = bytes.iter().take(4096).filter(|&&b| b == 0).count();
    let sample = bytes.len().min(4096);
    let (text, encoding) = if bytes.starts_with(&[0xFF, 0xFE]) {
        (utf16(true, &bytes[2..]), Some("UTF-16 (little-endian)"))
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        (utf16(false, &bytes[2..]), Some("UTF-16 (big-endian)"))
    } else if sample > 8 && nuls * 4 > sample {
        // Without a byte-order mark: the NULs are the high bytes of ASCII characters.
        let le = bytes.get(1) == Some(&0);
        (utf16(le, bytes), Some("UTF-16"))
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), None),
            Err(_) => (
                bytes
                    .iter()
                    .map(|&b| match b {
                        0x80..=0x9F => CP1252[(b - 0x80) as usize],
                        _ => b as char,
                    })
                    .collect(),
                Some("Windows-1252 or Latin-1"),
            ),
        }
    };
    if let Some(encoding) = encoding {
        let line = match std::str::from_utf8(bytes) {
            Err(e) => {
                bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1
            }
            Ok(_) => 1,
        };
        f.error(
            Code::NotUtf8,
            file,
            line,
            "",
            encoding,
            format!(
                "UTF-8 text: the file is {encoding}; save it as UTF-8 (in Excel, \"CSV UTF-8\")"
            ),
        );
    }
    text
}
