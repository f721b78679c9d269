//! Typed library errors: every failure says what went wrong with which input.

use std::fmt;
use std::path::PathBuf;

/// One problem found in an input file, located precisely enough for a planner to fix it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Stable machine-readable code, e.g. `E-DUPLICATE-ID`.
    pub code: &'static str,
    /// File the problem is in (as given by the user).
    pub file: String,
    /// 1-based line number; 0 when the problem is about the whole file.
    pub line: usize,
    /// Column name (CSV header) or key; empty when not applicable.
    pub column: String,
    /// The offending value as written.
    pub value: String,
    /// What was expected instead.
    pub expected: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if !self.column.is_empty() {
            write!(f, " column '{}'", self.column)?;
        }
        write!(f, ": [{}] ", self.code)?;
        if !self.value.is_empty() {
            write!(f, "value '{}': ", self.value)?;
        }
        write!(f, "expected {}", self.expected)
    }
}

/// What kind of failure occurred.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be opened, read or written.
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// An OpenStreetMap extract could not be decoded (truncated, corrupt or not a `.pbf`).
    OsmFormat {
        /// The extract.
        path: PathBuf,
        /// The decoder's description of the problem.
        detail: String,
    },
    /// The extract holds no usable car road network.
    EmptyNetwork {
        /// The extract.
        path: PathBuf,
    },
    /// One or more problems in user input files, all reported together.
    Invalid(Vec<Problem>),
    /// A cached file is unusable; callers normally rebuild instead of reporting this.
    Cache(String),
    /// A routing or optimisation model cannot be built or solved as asked.
    Model(String),
}

/// The library's error type.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

impl Error {
    /// Wraps an error kind.
    pub fn new(kind: ErrorKind) -> Self {
        Error { kind }
    }

    /// The kind of failure.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// True when the failure was caused by bad user input (exit code 2 at the CLI).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Io { .. }
                | ErrorKind::OsmFormat { .. }
                | ErrorKind::EmptyNetwork { .. }
                | ErrorKind::Invalid(_)
        )
    }

    /// Convenience constructor for an I/O error on a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::new(ErrorKind::Io {
            path: path.into(),
            source,
        })
    }

    /// Convenience constructor for a list of input problems.
    pub fn invalid(problems: Vec<Problem>) -> Self {
        Error::new(ErrorKind::Invalid(problems))
    }

    /// Convenience constructor for a model error.
    pub fn model(msg: impl Into<String>) -> Self {
        Error::new(ErrorKind::Model(msg.into()))
    }

    /// The input problems carried by this error, if it is an `Invalid` error.
    pub fn problems(&self) -> &[Problem] {
        match &self.kind {
            ErrorKind::Invalid(p) => p,
            _ => &[],
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Io { path, source } => {
                write!(f, "{}: {}", path.display(), source)
            }
            ErrorKind::OsmFormat { path, detail } => write!(
                f,
                "{}: not a readable OpenStreetMap .osm.pbf extract ({}); expected a complete .osm.pbf file",
                path.display(),
                detail
            ),
            ErrorKind::EmptyNetwork { path } => write!(
                f,
                "{}: no car-accessible roads found; expected an extract containing highway=* ways",
                path.display()
            ),
            ErrorKind::Invalid(problems) => {
                write!(f, "{} problem(s) in the input:", problems.len())?;
                for p in problems {
                    write!(f, "\n  {p}")?;
                }
                Ok(())
            }
            ErrorKind::Cache(msg) => write!(f, "cache: {msg}"),
            ErrorKind::Model(msg) => write!(f, "{msg}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The I/O cause is already part of this error's message.
        None
    }
}

/// Library result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
