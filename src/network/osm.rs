//! Reading an OpenStreetMap `.osm.pbf` extract: the car road ways and the schools.
//!
//! Reading uses osmpbf's parallel blob decoder. Blobs arrive in no fixed order, so every
//! collected list is sorted by OSM id before use: the same file always gives the same graph.

use super::tags::{WayProfile, way_profile};
use crate::error::{Error, ErrorKind, Result};
use osmpbf::{Element, ElementReader, RelMemberType};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// The car-usable ways of an extract with the coordinates of the nodes they use.
#[derive(Debug, Clone, Default)]
pub struct RawRoads {
    /// `[lat, lon]` of every node used by a way, indexed by the compact ids in `ways`.
    pub coords: Vec<[f64; 2]>,
    /// Car-usable ways as lists of compact node ids.
    pub ways: Vec<RawWay>,
}

/// One road way.
#[derive(Debug, Clone)]
pub struct RawWay {
    /// Compact node ids along the way, in OSM order.
    pub nodes: Vec<u32>,
    /// Direction, speed and snapping rules from the way's tags.
    pub profile: WayProfile,
}

/// A school found in the extract (`amenity=school` node, closed way or multipolygon).
#[derive(Debug, Clone, PartialEq)]
pub struct OsmSchool {
    /// `n123`, `w123` or `r123`.
    pub osm_id: String,
    /// The `name` tag, or empty.
    pub name: String,
    /// Latitude of the node or the outline's centroid.
    pub lat: f64,
    /// Longitude of the node or the outline's centroid.
    pub lon: f64,
}

fn reader(path: &Path) -> Result<ElementReader<BufReader<File>>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(ElementReader::new(BufReader::new(file)))
}

fn format_error(path: &Path, e: osmpbf::Error) -> Error {
    Error::new(ErrorKind::OsmFormat {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

type WayRecord = (i64, Vec<i64>, WayProfile);

/// Reads every car-usable way and the coordinates of its nodes.
pub fn read_roads(path: &Path) -> Result<RawRoads> {
    let mut ways: Vec<WayRecord> = reader(path)?
        .par_map_reduce(
            |el| match el {
                Element::Way(w) => {
                    let tags: Vec<(&str, &str)> = w.tags().collect();
                    let profile =
                        way_profile(|k| tags.iter().find(|(key, _)| *key == k).map(|(_, v)| *v));
                    match profile {
                        Some(p) => vec![(w.id(), w.refs().collect(), p)],
                        None => Vec::new(),
                    }
                }
                _ => Vec::new(),
            },
            Vec::new,
            |mut a, mut b| {
                a.append(&mut b);
                a
            },
        )
        .map_err(|e| format_error(path, e))?;
    ways.sort_by_key(|w| w.0);
    let mut needed: Vec<i64> = ways.iter().flat_map(|w| w.1.iter().copied()).collect();
    needed.sort_unstable();
    needed.dedup();
    let coords = read_node_coords(path, &needed)?;
    Ok(assemble(&needed, &coords, ways))
}

/// Coordinates of the requested node ids (sorted ids in, `(id, [lat, lon])` sorted out).
fn read_node_coords(path: &Path, needed: &[i64]) -> Result<Vec<(i64, [f64; 2])>> {
    let mut found: Vec<(i64, [f64; 2])> = reader(path)?
        .par_map_reduce(
            |el| {
                let (id, lat, lon) = match el {
                    Element::Node(n) => (n.id(), n.lat(), n.lon()),
                    Element::DenseNode(n) => (n.id(), n.lat(), n.lon()),
                    _ => return Vec::new(),
                };
                if needed.binary_search(&id).is_ok() {
                    vec![(id, [lat, lon])]
                } else {
                    Vec::new()
                }
            },
            Vec::new,
            |mut a, mut b| {
                a.append(&mut b);
                a
            },
        )
        .map_err(|e| format_error(path, e))?;
    found.sort_by_key(|n| n.0);
    found.dedup_by_key(|n| n.0);
    Ok(found)
}

/// Gives nodes compact ids and splits ways where a node is missing from the extract (ways
/// cut at the extract's boundary reference nodes that are not in the file).
fn assemble(_needed: &[i64], coords: &[(i64, [f64; 2])], ways: Vec<WayRecord>) -> RawRoads {
    let mut out = RawRoads {
        coords: coords.iter().map(|c| c.1).collect(),
        ways: Vec::with_capacity(ways.len()),
    };
    for (_, refs, profile) in ways {
        let mut piece: Vec<u32> = Vec::new();
        for r in refs {
            match coords.binary_search_by_key(&r, |c| c.0) {
                Ok(i) => piece.push(i as u32),
                Err(_) => {
                    if piece.len() >= 2 {
                        out.ways.push(RawWay {
                            nodes: std::mem::take(&mut piece),
                            profile,
                        });
                    }
                    piece.clear();
                }
            }
        }
        if piece.len() >= 2 {
            out.ways.push(RawWay {
                nodes: piece,
                profile,
            });
        }
    }
    out
}

enum SchoolPart {
    Node(OsmSchool),
    Way(i64, String, Vec<i64>),
    Relation(i64, String, Vec<i64>),
}

/// Every `amenity=school` in the extract, as nodes, closed ways (centroid of the outline)
/// and multipolygon relations (centroid of the outer ways), sorted by OSM id.
pub fn read_schools(path: &Path) -> Result<Vec<OsmSchool>> {
    let parts: Vec<SchoolPart> = reader(path)?
        .par_map_reduce(
            |el| {
                let is_school = |tags: &mut dyn Iterator<Item = (&str, &str)>| {
                    let mut school = false;
                    let mut name = String::new();
                    for (k, v) in tags {
                        if k == "amenity" && v == "school" {
                            school = true;
                        } else if k == "name" {
                            name = v.to_string();
                        }
                    }
                    school.then_some(name)
                };
                let part = match el {
                    Element::Node(n) => is_school(&mut n.tags()).map(|name| {
                        SchoolPart::Node(OsmSchool {
                            osm_id: format!("n{}", n.id()),
                            name,
                            lat: n.lat(),
                            lon: n.lon(),
                        })
                    }),
                    Element::DenseNode(n) => is_school(&mut n.tags()).map(|name| {
                        SchoolPart::Node(OsmSchool {
                            osm_id: format!("n{}", n.id()),
                            name,
                            lat: n.lat(),
                            lon: n.lon(),
                        })
                    }),
                    Element::Way(w) => is_school(&mut w.tags())
                        .map(|name| SchoolPart::Way(w.id(), name, w.refs().collect())),
                    Element::Relation(r) => {
                        let tags: Vec<(&str, &str)> = r.tags().collect();
                        let multipolygon = tags.contains(&("type", "multipolygon"));
                        let name = is_school(&mut tags.iter().copied());
                        match (multipolygon, name) {
                            (true, Some(name)) => {
                                let outer: Vec<i64> = r
                                    .members()
                                    .filter(|m| {
                                        m.member_type == RelMemberType::Way
                                            && matches!(m.role(), Ok("outer" | ""))
                                    })
                                    .map(|m| m.member_id)
                                    .collect();
                                Some(SchoolPart::Relation(r.id(), name, outer))
                            }
                            _ => None,
                        }
                    }
                };
                part.into_iter().collect::<Vec<_>>()
            },
            Vec::new,
            |mut a, mut b| {
                a.append(&mut b);
                a
            },
        )
        .map_err(|e| format_error(path, e))?;

    let mut schools = Vec::new();
    let mut way_outlines: Vec<(i64, String, Vec<i64>)> = Vec::new();
    let mut relations: Vec<(i64, String, Vec<i64>)> = Vec::new();
    for p in parts {
        match p {
            SchoolPart::Node(s) => schools.push(s),
            SchoolPart::Way(id, name, refs) => way_outlines.push((id, name, refs)),
            SchoolPart::Relation(id, name, members) => relations.push((id, name, members)),
        }
    }
    // Outer member ways of school relations are usually untagged; fetch their node lists.
    let mut member_ids: Vec<i64> = relations.iter().flat_map(|r| r.2.iter().copied()).collect();
    member_ids.sort_unstable();
    member_ids.dedup();
    let mut members: Vec<(i64, Vec<i64>)> = if member_ids.is_empty() {
        Vec::new()
    } else {
        reader(path)?
            .par_map_reduce(
                |el| match el {
                    Element::Way(w) if member_ids.binary_search(&w.id()).is_ok() => {
                        vec![(w.id(), w.refs().collect::<Vec<i64>>())]
                    }
                    _ => Vec::new(),
                },
                Vec::new,
                |mut a, mut b| {
                    a.append(&mut b);
                    a
                },
            )
            .map_err(|e| format_error(path, e))?
    };
    members.sort_by_key(|m| m.0);

    let mut needed: Vec<i64> = way_outlines
        .iter()
        .flat_map(|w| w.2.iter().copied())
        .chain(members.iter().flat_map(|m| m.1.iter().copied()))
        .collect();
    needed.sort_unstable();
    needed.dedup();
    let coords = read_node_coords(path, &needed)?;
    let centroid = |refs: &mut dyn Iterator<Item = i64>| -> Option<(f64, f64)> {
        let (mut la, mut lo, mut k) = (0.0, 0.0, 0usize);
        let mut first: Option<i64> = None;
        for r in refs {
            // A closed outline repeats its first node last; count it once.
            if first == Some(r) {
                continue;
            }
            first.get_or_insert(r);
            if let Ok(i) = coords.binary_search_by_key(&r, |c| c.0) {
                la += coords[i].1[0];
                lo += coords[i].1[1];
                k += 1;
            }
        }
        (k > 0).then(|| (la / k as f64, lo / k as f64))
    };
    for (id, name, refs) in way_outlines {
        if let Some((lat, lon)) = centroid(&mut refs.into_iter()) {
            schools.push(OsmSchool {
                osm_id: format!("w{id}"),
                name,
                lat,
                lon,
            });
        }
    }
    for (id, name, outer) in relations {
        let mut refs = outer.iter().flat_map(|w| {
            members
                .binary_search_by_key(w, |m| m.0)
                .map(|i| members[i].1.clone())
                .unwrap_or_default()
        });
        if let Some((lat, lon)) = centroid(&mut refs) {
            schools.push(OsmSchool {
                osm_id: format!("r{id}"),
                name,
                lat,
                lon,
            });
        }
    }
    schools.sort_by(|a, b| a.osm_id.cmp(&b.osm_id));
    Ok(schools)
}
