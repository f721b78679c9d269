//! Writing files so that a failure never leaves a half-written output: each file is
//! written under a temporary name and renamed into place.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes a file atomically: `write` fills a buffered temporary file that is renamed to
/// `path` only when everything succeeded.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
        write(&mut w)?;
        w.flush()?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// A CSV file built in memory. Every cell that a spreadsheet would run as a formula (text
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return, and not a number) is
/// written with a leading `'`, as OWASP advises against CSV injection: ids come from a
/// council's own files and end up opened in Excel.
pub struct Csv {
    w: csv::Writer<Vec<u8>>,
}

impl Default for Csv {
    fn default() -> Self {
        Self::new()
    }
}

/// A cell made safe to open in a spreadsheet.
pub fn safe_cell(v: &str) -> std::borrow::Cow<'_, str> {
    let risky = v.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && v.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{v}"))
    } else {
        std::borrow::Cow::Borrowed(v)
    }
}

impl Csv {
    /// An empty CSV.
    pub fn new() -> Self {
        Csv {
            w: csv::Writer::from_writer(Vec::new()),
        }
    }

    /// Appends a record (header or row), every cell made safe.
    pub fn write_record<I, T>(&mut self, record: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let cells: Vec<String> = record
            .into_iter()
            .map(|c| safe_cell(c.as_ref()).into_owned())
            .collect();
        self.w.write_record(&cells).map_err(std::io::Error::other)
    }

    /// The CSV's bytes.
    pub fn into_inner(self) -> std::result::Result<Vec<u8>, String> {
        self.w.into_inner().map_err(|e| e.to_string())
    }
}

/// The 64-bit FNV-1a hash of some bytes, as hex (manifests, fingerprints).
pub fn fnv(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The manifest of an output folder: for each file written by schoolrun, the run that
/// wrote it, its content hash and the scenario it came from.
pub const MANIFEST: &str = "manifest.json";

/// One file of a manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// The run (one command) that wrote the file.
    pub run_id: String,
    /// The command.
    pub command: String,
    /// FNV-1a hash of the file's bytes.
    pub hash: String,
    /// Fingerprint of the scenario folder the file was made from.
    pub scenario: String,
}

/// A set of output files written as a unit: each is written under a temporary name, then
/// all are renamed into place, then the manifest records them. A reader that checks the
/// manifest never mixes files of different runs or scenarios, and a failed command writes
/// nothing.
pub struct OutputSet {
    dir: std::path::PathBuf,
    command: String,
    run_id: String,
    scenario: String,
    files: Vec<(String, Vec<u8>)>,
}

/// A run id: the time and the process, unique on a machine.
pub fn new_run_id() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("{ms:x}-{}", std::process::id())
}

impl OutputSet {
    /// An empty set for `dir`, written by `command` from the scenario with fingerprint
    /// `scenario`.
    pub fn new(dir: &Path, command: &str, scenario: &str) -> Self {
        OutputSet {
            dir: dir.to_path_buf(),
            command: command.into(),
            run_id: new_run_id(),
            scenario: scenario.into(),
            files: Vec::new(),
        }
    }

    /// This run's id (written into JSON outputs and the report).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Adds a file (replacing one of the same name).
    pub fn add(&mut self, name: &str, bytes: impl Into<Vec<u8>>) {
        self.files.retain(|(n, _)| n != name);
        self.files.push((name.to_string(), bytes.into()));
    }

    /// Writes every file, then the manifest. Stale temporary files of killed runs are
    /// removed first.
    pub fn commit(self) -> Result<()> {
        let dir = &self.dir;
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') && name.contains(".tmp") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let tmp = |name: &str| dir.join(format!(".{name}.tmp-{}", self.run_id));
        for (name, bytes) in &self.files {
            let t = tmp(name);
            if let Err(e) = std::fs::write(&t, bytes) {
                for (n, _) in &self.files {
                    let _ = std::fs::remove_file(tmp(n));
                }
                return Err(Error::io(dir.join(name), e));
            }
        }
        let mut manifest = read_manifest(dir);
        for (name, bytes) in &self.files {
            std::fs::rename(tmp(name), dir.join(name)).map_err(|e| Error::io(dir.join(name), e))?;
            manifest.insert(
                name.clone(),
                Entry {
                    run_id: self.run_id.clone(),
                    command: self.command.clone(),
                    hash: fnv(bytes),
                    scenario: self.scenario.clone(),
                },
            );
        }
        let text =
            serde_json::to_string_pretty(&manifest).map_err(|e| Error::model(e.to_string()))?;
        write_atomic(&dir.join(MANIFEST), |w| w.write_all(text.as_bytes()))
    }
}

/// The manifest of an output folder (empty when there is none or it is unreadable).
pub fn read_manifest(dir: &Path) -> std::collections::BTreeMap<String, Entry> {
    std::fs::read_to_string(dir.join(MANIFEST))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Why an output file cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Untrusted {
    /// No manifest entry: not written by schoolrun, or its run did not finish.
    #[error(
        "it is not in the folder's manifest.json (its run did not finish, or schoolrun did not write it)"
    )]
    NotListed,
    /// Its content differs from what its run wrote (a later run was killed while writing).
    #[error("its content is not what run {0} wrote (a later run stopped part way?)")]
    Changed(String),
    /// It was made from another scenario.
    #[error("it was made from another scenario (or the scenario's files changed since)")]
    OtherScenario,
    /// Another file of its set is missing or was changed since.
    #[error("its output set is incomplete: {0}, written by the same run, is missing or changed")]
    Incomplete(String),
}

/// The bytes of output file `name` in `dir`, checked against the manifest: written by a
/// finished run, unchanged since, made from the scenario with fingerprint `scenario`, and
/// with every other file of its run present and unchanged.
pub fn read_checked(
    dir: &Path,
    name: &str,
    scenario: &str,
) -> std::result::Result<Vec<u8>, Untrusted> {
    let manifest = read_manifest(dir);
    let entry = manifest.get(name).ok_or(Untrusted::NotListed)?;
    let bytes = std::fs::read(dir.join(name)).map_err(|_| Untrusted::NotListed)?;
    if fnv(&bytes) != entry.hash {
        return Err(Untrusted::Changed(entry.run_id.clone()));
    }
    if entry.scenario != scenario {
        return Err(Untrusted::OtherScenario);
    }
    // The rest of its set must be whole too: every file the same run wrote, unchanged.
    for (other, e) in &manifest {
        if other != name && e.run_id == entry.run_id {
            let same = std::fs::read(dir.join(other)).is_ok_and(|b| fnv(&b) == e.hash);
            if !same {
                return Err(Untrusted::Incomplete(other.clone()));
            }
        }
    }
    Ok(bytes)
}
