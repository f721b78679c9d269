//! The on-disk cache of a prepared network: a versioned binary file keyed by the content
//! of the extract it was built from, so a changed extract is always rebuilt.

use super::RoadNetwork;
use crate::error::{Error, ErrorKind, Result};
use crate::matrix::ContractionHierarchy;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"SRNET\r\n\x1a";
/// Bump whenever the graph model, tag rules or serialized layout change.
const FORMAT_VERSION: u32 = 1;

/// Identity of an extract's content: (length in bytes, 64-bit content hash).
pub type Fingerprint = (u64, u64);

/// Hashes the whole file (8-byte words, multiply-rotate mix): fast, stable across
/// platforms and Rust versions, and sensitive to any change.
pub fn fingerprint(path: &Path) -> Result<Fingerprint> {
    let mut f =
        BufReader::with_capacity(1 << 20, File::open(path).map_err(|e| Error::io(path, e))?);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut len = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if k == 0 {
            break;
        }
        len += k as u64;
        for chunk in buf[..k].chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    Ok((len, h))
}

/// Where cache files go: `$SCHOOLRUN_CACHE_DIR`, else `$XDG_CACHE_HOME/schoolrun`, else
/// `~/.cache/schoolrun`, else the system temporary directory.
pub fn default_cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SCHOOLRUN_CACHE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("schoolrun");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h).join(".cache").join("schoolrun");
    }
    std::env::temp_dir().join("schoolrun-cache")
}

pub(super) fn file_for(dir: &Path, osm: &Path, fp: Fingerprint) -> PathBuf {
    let stem = osm
        .file_name()
        .and_then(|s| s.to_str())
        .map(|s| s.split('.').next().unwrap_or("network"))
        .unwrap_or("network");
    dir.join(format!("{stem}-{:016x}-v{FORMAT_VERSION}.srnet", fp.1))
}

/// Loads a cache file if it exists, has this format version and was built from an
/// extract with this fingerprint; `None` otherwise (including when it is damaged).
pub(super) fn load(file: &Path, fp: Fingerprint) -> Option<(RoadNetwork, ContractionHierarchy)> {
    let mut r = BufReader::with_capacity(1 << 20, File::open(file).ok()?);
    let mut head = [0u8; 8 + 4 + 16];
    r.read_exact(&mut head).ok()?;
    if &head[..8] != MAGIC
        || u32::from_le_bytes(head[8..12].try_into().ok()?) != FORMAT_VERSION
        || u64::from_le_bytes(head[12..20].try_into().ok()?) != fp.0
        || u64::from_le_bytes(head[20..28].try_into().ok()?) != fp.1
    {
        return None;
    }
    bincode::deserialize_from(r).ok()
}

/// Writes a cache file atomically (temporary file, then rename).
pub(super) fn store(
    file: &Path,
    fp: Fingerprint,
    roads: &RoadNetwork,
    ch: &ContractionHierarchy,
) -> Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        w.write_all(MAGIC)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes())?;
        w.write_all(&fp.0.to_le_bytes())?;
        w.write_all(&fp.1.to_le_bytes())?;
        bincode::serialize_into(&mut w, &(roads, ch)).map_err(std::io::Error::other)?;
        w.flush()?;
        Ok(())
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(file, e));
    }
    std::fs::rename(&tmp, file).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::new(ErrorKind::Cache(format!("{}: {e}", file.display())))
    })
}
