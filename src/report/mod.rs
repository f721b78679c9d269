//! Writing outputs. Every file is written to a temporary name and renamed into place, so
//! a failure never leaves a half-written output behind.

use crate::error::{Error, Result};
use crate::matrix::Matrix;
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

/// Writes a matrix as CSV, one row per ordered pair: `from,to,seconds,metres`.
/// Seconds have one decimal; unreachable pairs have empty values.
pub fn write_matrix_csv(path: &Path, ids: &[String], m: &Matrix) -> Result<()> {
    write_atomic(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(["from", "to", "seconds", "metres"])?;
        for (i, from) in ids.iter().enumerate() {
            for (j, to) in ids.iter().enumerate() {
                match (m.time_ms(i, j), m.distance_m(i, j)) {
                    (Some(t), Some(d)) => {
                        let ds = (t + 50) / 100;
                        let secs = format!("{}.{}", ds / 10, ds % 10);
                        out.write_record([from.as_str(), to.as_str(), &secs, &d.to_string()])?
                    }
                    _ => out.write_record([from.as_str(), to.as_str(), "", ""])?,
                }
            }
        }
        out.flush()?;
        Ok(())
    })
}
