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
const FORMAT_VERSION: u32 = 2;

/// Identity of an extract's content: (length in bytes, 64-bit content hash).
pub type Fingerprint = (u64, u64);

/// The running hash of [`fingerprint`] over `bytes`, from state `h`.
fn mix(mut h: u64, bytes: &[u8]) -> u64 {
    for chunk in bytes.chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    h
}

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
        h = mix(h, &buf[..k]);
    }
    Ok((len, h))
}

/// Where cache files go: `$SCHOOLRUN_CACHE_DIR`, else `$XDG_CACHE_HOME/schoolrun`, else
/// `~/.cache/schoolrun`, else the system temporary directory.
pub fn default_cache_dir() -> PathBuf {
    // An empty variable counts as unset (it would mean the current folder).
    let set = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = set("SCHOOLRUN_CACHE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = set("XDG_CACHE_HOME") {
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

/// What reading a cache file found.
pub enum Cached {
    /// No usable file for this extract and format version.
    Missing,
    /// The file is there but damaged (its body does not match its checksum).
    Damaged,
    /// The prepared network.
    Found(Box<(RoadNetwork, ContractionHierarchy)>),
}

/// Bytes before the body: magic, format version, extract fingerprint, body length and
/// body checksum.
const HEAD: usize = 8 + 4 + 16 + 16;

/// The header of a cache file holding `body`, built from the extract `fp`.
fn header(fp: Fingerprint, body: &[u8]) -> Vec<u8> {
    let mut h = Vec::with_capacity(HEAD);
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    h.extend_from_slice(&fp.0.to_le_bytes());
    h.extend_from_slice(&fp.1.to_le_bytes());
    h.extend_from_slice(&(body.len() as u64).to_le_bytes());
    h.extend_from_slice(&mix(0xcbf2_9ce4_8422_2325, body).to_le_bytes());
    h
}

/// A whole cache file for `body` (the readers' fuzz target frames arbitrary bodies so
/// that they reach the decoder).
pub fn framed(fp: Fingerprint, body: &[u8]) -> Vec<u8> {
    let mut out = header(fp, body);
    out.extend_from_slice(body);
    out
}

/// Loads a cache file if it exists, has this format version, was built from an extract
/// with this fingerprint, and its whole body matches the checksum in its header.
pub(super) fn load(file: &Path, fp: Fingerprint) -> Cached {
    match crate::scenario::table::read_regular(file) {
        Ok(bytes) => parse(&bytes, fp),
        Err(_) => Cached::Missing,
    }
}

/// Reads the bytes of a cache file (see [`load`]): never panics, whatever the bytes.
pub fn parse(bytes: &[u8], fp: Fingerprint) -> Cached {
    if bytes.len() < HEAD
        || &bytes[..8] != MAGIC
        || bytes[8..12] != FORMAT_VERSION.to_le_bytes()
        || bytes[12..20] != fp.0.to_le_bytes()
        || bytes[20..28] != fp.1.to_le_bytes()
    {
        return Cached::Missing;
    }
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
    let (body_len, body_hash) = (word(28), word(36));
    let body = &bytes[HEAD..];
    if body.len() as u64 != body_len || mix(0xcbf2_9ce4_8422_2325, body) != body_hash {
        return Cached::Damaged;
    }
    match bincode::deserialize(body) {
        Ok(v) => Cached::Found(Box::new(v)),
        Err(_) => Cached::Damaged,
    }
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
        let body = bincode::serialize(&(roads, ch)).map_err(std::io::Error::other)?;
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        w.write_all(&header(fp, &body))?;
        w.write_all(&body)?;
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
