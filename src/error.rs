//! Typed library errors, and the one registry of stable error codes: every failure says
//! what went wrong with which input, under a code a council's IT team can look up
//! (`docs/error-codes.md`, generated from [`Code::ALL`]).

use std::fmt;
use std::path::PathBuf;

macro_rules! codes {
    ($( $name:ident = $s:literal, $meaning:literal; )*) => {
        /// A stable, machine-readable code for every kind of input problem, warning and
        /// failure. The strings never change meaning once published.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( #[doc = $meaning] $name, )*
        }
        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$name),*];
            /// The code as printed, e.g. `E-DUPLICATE-ID`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $s,)* }
            }
            /// What the code means, in one line.
            pub fn meaning(self) -> &'static str {
                match self { $(Code::$name => $meaning,)* }
            }
        }
    };
}

codes! {
    // Files and folders.
    NotAFolder = "E-NOT-A-FOLDER", "The path given as a scenario folder is not a folder.";
    FileUnreadable = "E-FILE-UNREADABLE", "A file exists but cannot be opened or read.";
    FileMissing = "E-FILE-MISSING", "A file the command needs is not there (or a path in scenario.toml names no file).";
    Io = "E-IO", "The operating system refused to read or write a file (permissions, disk full).";
    // CSV structure.
    CsvEmpty = "E-CSV-EMPTY", "A CSV file has no header row.";
    CsvMalformed = "E-CSV-MALFORMED", "A CSV file cannot be parsed (for example an unclosed quote).";
    MissingColumn = "E-MISSING-COLUMN", "A required column is missing from a CSV header.";
    DuplicateColumn = "E-DUPLICATE-COLUMN", "A column appears twice in a CSV header.";
    FieldCount = "E-FIELD-COUNT", "A CSV row has more or fewer fields than the header.";
    NotUtf8 = "E-NOT-UTF8", "Text is not UTF-8 (the message names the encoding it looks like).";
    NoRows = "E-NO-ROWS", "A file that must list something lists nothing.";
    // Values.
    MissingValue = "E-MISSING-VALUE", "A required value is empty.";
    NotANumber = "E-NOT-A-NUMBER", "A value that must be a number is not one.";
    NotAnInteger = "E-NOT-AN-INTEGER", "A value that must be a whole number has a fraction.";
    Negative = "E-NEGATIVE", "A value that cannot be negative is negative.";
    OutOfRange = "E-OUT-OF-RANGE", "A number lies outside the range the field allows.";
    NotABoolean = "E-NOT-A-BOOLEAN", "A value that must be true/false, yes/no or 1/0 is none of them.";
    NotATime = "E-NOT-A-TIME", "A value that must be a time of day (HH:MM) is not one.";
    UnknownValue = "E-UNKNOWN-VALUE", "A value is not one of the words the field allows.";
    BadId = "E-BAD-ID", "An id contains a character that makes it unusable (such as ';' in a list).";
    // Ids and references.
    DuplicateId = "E-DUPLICATE-ID", "An id is used twice where it must be unique.";
    UnknownId = "E-UNKNOWN-ID", "A reference names an id (pupil, school, vehicle type, operator, route) that is not defined.";
    SelfReference = "E-SELF-REFERENCE", "A pupil is listed as incompatible with themselves.";
    // Rules of the scenario.
    EmptyWindow = "E-EMPTY-WINDOW", "A school's times are in the wrong order (window ends before it starts).";
    NoCapacity = "E-NO-CAPACITY", "A vehicle type has neither seats nor wheelchair spaces.";
    NoVehicleFits = "E-NO-VEHICLE-FITS", "A pupil's needs fit no vehicle type.";
    BundleScope = "E-BUNDLE-SCOPE", "A bundle must name either route ids or a school, not both or neither.";
    SoloShared = "E-SOLO-SHARED", "A pupil who must travel alone shares one of today's routes.";
    PupilInTwoRoutes = "E-PUPIL-IN-TWO-ROUTES", "A pupil is listed on two of today's routes.";
    NothingToPlan = "E-NOTHING-TO-PLAN", "The scenario has nobody to route, or no vehicle type to route them in.";
    TooLarge = "E-TOO-LARGE", "The problem would need more memory than this machine has.";
    // scenario.toml.
    TomlSyntax = "E-TOML-SYNTAX", "scenario.toml (or a variants file) is not valid TOML.";
    UnknownKey = "E-UNKNOWN-KEY", "A key in a TOML file is not one the program knows (often a misspelling).";
    WrongType = "E-WRONG-TYPE", "A key in a TOML file holds the wrong kind of value (text for a number, say).";
    // Locations and the road network.
    OutsideNetwork = "E-OUTSIDE-NETWORK", "A home or school lies outside the area of the road network.";
    TooFarFromRoad = "E-TOO-FAR-FROM-ROAD", "A home or school is farther from a usable road than the snap limit.";
    OsmUnreadable = "E-OSM-UNREADABLE", "The OpenStreetMap extract cannot be decoded (truncated, corrupt or not .osm.pbf).";
    OsmNoRoads = "E-OSM-NO-ROADS", "The OpenStreetMap extract holds no car-accessible roads.";
    // Outputs read back by later commands.
    PlanFile = "E-PLAN-FILE", "A plan output folder is missing plan.json, or it is damaged or incomplete.";
    PlanMismatch = "E-PLAN-MISMATCH", "A plan was made from a different scenario than the one given.";
    // Procurement.
    TenderInfeasible = "E-TENDER-INFEASIBLE", "No allocation of routes to operators meets the fleet, route and policy limits.";
    // Command line and instance files.
    BadArgument = "E-BAD-ARGUMENT", "A command-line option has a value it cannot take.";
    InstanceFormat = "E-INSTANCE-FORMAT", "A routing instance (.vrp, Solomon or Li & Lim .txt, or JSON problem) breaks its format.";
    // Failures that are not the user's input.
    Internal = "E-INTERNAL", "An internal failure (a solver error or a bug): exit code 1; please report it.";
    // Warnings: the input is usable, but something looks off.
    ExtraColumn = "W-EXTRA-COLUMN", "A CSV column the program does not use; it is ignored.";
    UnusualValue = "W-UNUSUAL-VALUE", "A value is allowed but unusual (for example a ride limit over two hours).";
    OverCapacity = "W-OVER-CAPACITY", "One of today's routes carries more than its vehicle type holds.";
    NoAssistant = "W-NO-ASSISTANT", "One of today's routes carries a pupil who needs an assistant but has none.";
    ModeMismatch = "W-MODE-MISMATCH", "A pupil on one of today's routes is not marked mode=route.";
    IncompatibleShared = "W-INCOMPATIBLE-SHARED", "Two incompatible pupils share one of today's routes; the planner separates them.";
}

impl Code {
    /// True for warnings (`W-…`): the input can still be used.
    pub fn is_warning(self) -> bool {
        self.as_str().starts_with('W')
    }

    /// The registry as a Markdown page (what `docs/error-codes.md` holds).
    pub fn registry_markdown() -> String {
        let mut s = String::from(
            "# Error and warning codes\n\n\
             Every problem schoolrun reports carries one of these codes, with the file, line,\n\
             column, the value found and what was expected. Codes are stable: a code keeps its\n\
             meaning in every release. `E-…` codes are errors (nothing is written; exit code 2,\n\
             or 1 for `E-INTERNAL`); `W-…` codes are warnings (the run goes on).\n\n\
             This page is generated from `src/error.rs` (a test keeps it in step).\n\n\
             | code | meaning |\n|---|---|\n",
        );
        for c in Code::ALL {
            s.push_str(&format!("| `{}` | {} |\n", c.as_str(), c.meaning()));
        }
        s
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem found in an input, located precisely enough for a planner to fix it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Stable code from the registry.
    pub code: Code,
    /// File the problem is in (as given by the user), or `command line`.
    pub file: String,
    /// 1-based line number; 0 when the problem is about the whole file.
    pub line: usize,
    /// 1-based character position in the line, where known (TOML files); 0 otherwise.
    pub col: usize,
    /// Column name (CSV header), key or option; empty when not applicable.
    pub column: String,
    /// The offending value as written.
    pub value: String,
    /// What was expected instead.
    pub expected: String,
}

impl Problem {
    /// A problem with a command-line option.
    pub fn argument(option: &str, value: impl Into<String>, expected: impl Into<String>) -> Self {
        Problem {
            code: Code::BadArgument,
            file: "command line".into(),
            line: 0,
            col: 0,
            column: option.into(),
            value: value.into(),
            expected: expected.into(),
        }
    }

    /// A problem with a whole file (no line or column).
    pub fn file(
        code: Code,
        file: impl Into<String>,
        value: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Problem {
            code,
            file: file.into(),
            line: 0,
            col: 0,
            column: String::new(),
            value: value.into(),
            expected: expected.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.col > 0 {
                write!(f, ":{}", self.col)?;
            }
        }
        if !self.column.is_empty() {
            let what = match self.code {
                Code::BadArgument => "option",
                _ if self.file.ends_with(".toml") => "key",
                _ => "column",
            };
            write!(f, " {what} '{}'", self.column)?;
        }
        write!(f, ": [{}] ", self.code)?;
        if !self.value.is_empty() {
            write!(f, "value '{}': ", self.value)?;
        }
        write!(f, "expected {}", self.expected)
    }
}

/// The input problems of an `Invalid` error, one per line.
#[derive(Debug)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} problem(s) in the input:", self.0.len())?;
        for p in &self.0 {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// What kind of failure occurred.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be opened, read or written.
    #[error("{}: {cause}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        cause: std::io::Error,
    },
    /// An OpenStreetMap extract could not be decoded (truncated, corrupt or not a `.pbf`).
    #[error(
        "{}: [E-OSM-UNREADABLE] not a readable OpenStreetMap .osm.pbf extract ({detail}); expected a complete .osm.pbf file",
        path.display()
    )]
    OsmFormat {
        /// The extract.
        path: PathBuf,
        /// The decoder's description of the problem.
        detail: String,
    },
    /// The extract holds no usable car road network.
    #[error(
        "{}: [E-OSM-NO-ROADS] no car-accessible roads found; expected an extract containing highway=* ways",
        path.display()
    )]
    EmptyNetwork {
        /// The extract.
        path: PathBuf,
    },
    /// One or more problems in user input, all reported together.
    #[error("{}", Problems(.0.clone()))]
    Invalid(Vec<Problem>),
    /// A cached file is unusable; callers normally rebuild instead of reporting this.
    #[error("cache: {0}")]
    Cache(String),
    /// A routing or optimisation model cannot be built or solved as asked (not the
    /// user's input: a solver failure or a bug).
    #[error("[E-INTERNAL] {0}")]
    Model(String),
}

/// The library's error type.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error {
    kind: Box<ErrorKind>,
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error {
            kind: Box::new(kind),
        }
    }
}

impl Error {
    /// Wraps an error kind.
    pub fn new(kind: ErrorKind) -> Self {
        kind.into()
    }

    /// The kind of failure.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The registry code of this error (for `Invalid`, the first problem's).
    pub fn code(&self) -> Code {
        match self.kind() {
            ErrorKind::Io { .. } => Code::Io,
            ErrorKind::OsmFormat { .. } => Code::OsmUnreadable,
            ErrorKind::EmptyNetwork { .. } => Code::OsmNoRoads,
            ErrorKind::Invalid(p) => p.first().map_or(Code::Internal, |p| p.code),
            ErrorKind::Cache(_) | ErrorKind::Model(_) => Code::Internal,
        }
    }

    /// True when the failure was caused by bad user input (exit code 2 at the CLI).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Io { .. }
                | ErrorKind::OsmFormat { .. }
                | ErrorKind::EmptyNetwork { .. }
                | ErrorKind::Invalid(_)
        )
    }

    /// An I/O error on a path.
    pub fn io(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        ErrorKind::Io {
            path: path.into(),
            cause,
        }
        .into()
    }

    /// A list of input problems.
    pub fn invalid(problems: Vec<Problem>) -> Self {
        ErrorKind::Invalid(problems).into()
    }

    /// One input problem.
    pub fn problem(problem: Problem) -> Self {
        Self::invalid(vec![problem])
    }

    /// A model or solver failure (not the user's input).
    pub fn model(msg: impl Into<String>) -> Self {
        ErrorKind::Model(msg.into()).into()
    }

    /// The input problems carried by this error, if it is an `Invalid` error.
    pub fn problems(&self) -> &[Problem] {
        match self.kind() {
            ErrorKind::Invalid(p) => p,
            _ => &[],
        }
    }
}

/// Library result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{} twice", c.as_str());
            let s = c.as_str();
            assert!(s.starts_with("E-") || s.starts_with("W-"), "{s}");
            assert!(
                s[2..]
                    .chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '-')
            );
            assert!(c.meaning().ends_with('.'), "{s}: one sentence");
        }
    }

    #[test]
    fn the_doc_page_lists_the_registry() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/error-codes.md");
        let generated = Code::registry_markdown();
        if std::env::var_os("SCHOOLRUN_BLESS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let page = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            page == generated,
            "docs/error-codes.md is out of date: run SCHOOLRUN_BLESS=1 cargo test --lib error"
        );
    }
}
