//! `.osm.pbf` (city and province extracts) through the `osmpbf` crate, clipped while it
//! streams so that memory follows the area, not the file.
//!
//! Two passes over the file. The first keeps the nodes inside the clip box, the ways with a
//! node inside it, and the relations with such a way among their members. The second fetches
//! the positions of the nodes those ways need outside the box, so that every kept way is
//! complete, as `osmium extract --strategy complete_ways` would give it. Without a clip box
//! everything is kept, as for OSM XML.

use crate::ImportError;
use crate::xml::{Member, Node, OsmData, Relation, Tags, Way};
use lastmetre_area::LonLat;
use osmpbf::{BlobDecode, BlobReader, Element, RelMemberType};
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn tags<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Tags {
    Tags::from_pairs(pairs.map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
}

/// A position from PBF's 100-nanodegree units. Dividing (rather than multiplying by 1e-7)
/// rounds correctly, so the position is the same `f64` that OSM XML's 7 decimals parse to.
fn degrees(lon: i32, lat: i32) -> LonLat {
    LonLat::new(f64::from(lon) / 1e7, f64::from(lat) / 1e7)
}

fn pbf_error(path: &Path, e: osmpbf::Error) -> ImportError {
    ImportError::Pbf(format!("{}: {e}", path.display()))
}

/// Every element of the file, block by block, with the header's box once.
fn each(
    path: &Path,
    mut header: impl FnMut([f64; 4]),
    mut element: impl FnMut(Element<'_>),
) -> Result<(), ImportError> {
    let reader = BlobReader::from_path(path).map_err(|e| pbf_error(path, e))?;
    for blob in reader {
        let blob = blob.map_err(|e| pbf_error(path, e))?;
        match blob.decode().map_err(|e| pbf_error(path, e))? {
            BlobDecode::OsmHeader(h) => {
                if let Some(b) = h.bbox() {
                    // Nanodegrees; to 7 decimals, as OSM XML's <bounds> gives them.
                    let round = |x: f64| (x * 1e7).round() / 1e7;
                    header([round(b.left), round(b.bottom), round(b.right), round(b.top)]);
                }
            }
            BlobDecode::OsmData(block) => block.for_each_element(&mut element),
            BlobDecode::Unknown(_) => {}
        }
    }
    Ok(())
}

/// Reads a `.osm.pbf` file, keeping what lies in or crosses `clip` (west, south, east,
/// north), or everything when it is none.
pub(crate) fn read(path: &Path, clip: Option<[f64; 4]>) -> Result<OsmData, ImportError> {
    let inside = |at: LonLat| clip.is_none_or(|[w, s, e, n]| at.lon >= w && at.lon <= e && at.lat >= s && at.lat <= n);
    let mut data = OsmData::default();
    let mut bad_position = None;
    let mut keep_node = |data: &mut OsmData, id: i64, at: LonLat, t: Tags| {
        if !at.is_lon_lat() {
            bad_position.get_or_insert(id);
        } else if inside(at) && data.nodes.insert(id, Node { at, tags: t }).is_some() {
            data.duplicates += 1;
        }
    };
    let mut relations = Vec::new();
    let mut ways = Vec::new();
    let mut bounds = Vec::new();
    let mut kept: HashSet<i64> = HashSet::new();
    each(
        path,
        |b| bounds.push(b),
        |element| match element {
            Element::Node(n) => {
                keep_node(&mut data, n.id(), degrees(n.decimicro_lon(), n.decimicro_lat()), tags(n.tags()));
            }
            Element::DenseNode(n) => {
                keep_node(&mut data, n.id(), degrees(n.decimicro_lon(), n.decimicro_lat()), tags(n.tags()));
            }
            Element::Way(w) => {
                let refs: Vec<i64> = w.refs().collect();
                if clip.is_none() || refs.iter().any(|r| data.nodes.contains_key(r)) {
                    kept.insert(w.id());
                    ways.push(Way { id: w.id(), refs, tags: tags(w.tags()) });
                }
            }
            Element::Relation(r) => {
                // Ways come before relations in a PBF: a relation none of whose ways were kept
                // is dropped as it streams.
                let uses_kept = r.members().any(|m| m.member_type == RelMemberType::Way && kept.contains(&m.member_id));
                if clip.is_some() && !uses_kept {
                    return;
                }
                let members: Vec<Member> = r
                    .members()
                    .map(|m| Member {
                        is_way: m.member_type == RelMemberType::Way,
                        id: m.member_id,
                        role: m.role().unwrap_or_default().to_owned(),
                    })
                    .collect();
                relations.push(Relation { id: r.id(), members, tags: tags(r.tags()) });
            }
        },
    )?;
    if let Some(id) = bad_position {
        return Err(ImportError::Pbf(format!(
            "{}: node {id} is not at a WGS-84 position; extract the file again",
            path.display()
        )));
    }
    if let Some(clip) = clip {
        relations.retain(|r| r.members.iter().any(|m| m.is_way && kept.contains(&m.id)));
        // The nodes the kept ways need outside the box: a second pass.
        let wanted: HashSet<i64> =
            ways.iter().flat_map(|w| w.refs.iter().copied()).filter(|r| !data.nodes.contains_key(r)).collect();
        if !wanted.is_empty() {
            let mut outside: HashMap<i64, Node> = HashMap::new();
            each(
                path,
                |_| {},
                |element| {
                    let (id, at, t) = match element {
                        Element::Node(n) if wanted.contains(&n.id()) => {
                            (n.id(), degrees(n.decimicro_lon(), n.decimicro_lat()), tags(n.tags()))
                        }
                        Element::DenseNode(n) if wanted.contains(&n.id()) => {
                            (n.id(), degrees(n.decimicro_lon(), n.decimicro_lat()), tags(n.tags()))
                        }
                        _ => return,
                    };
                    outside.insert(id, Node { at, tags: t });
                },
            )?;
            data.nodes.extend(outside);
        }
        // Without a box of its own, the file's box is the clip box.
        bounds = vec![clip];
    }
    data.bounds = bounds;
    for way in ways {
        data.add_way(way);
    }
    data.relations = relations;
    Ok(data)
}
