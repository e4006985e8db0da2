//! `building=*` outlines → buildings, their stairwells and households.

use crate::boundary::Boundary;
use crate::lanes::Lanes;
use crate::params::{HOUSES, ImportParams, RESIDENTIAL};
use crate::xml::{OsmData, Tags};
use crate::{Estimate, Import, values};
use geo::{Area, Centroid, LineString, Polygon};
use lastmetre_area::{BuildingSpec, HouseholdSpec, LonLat, StairwellSpec};

/// `entrance` values that lead to flats.
const DOORS: [&str; 4] = ["staircase", "main", "yes", "home"];

/// A building outline found in the file.
struct Outline<'a> {
    id: String,
    osm: String,
    tags: &'a Tags,
    /// Node ids around the ring, first not repeated at the end.
    nodes: Vec<i64>,
}

/// Joins a multipolygon's outer ways into one ring of node ids.
fn outer_ring(data: &OsmData, members: &[Vec<i64>]) -> Option<Vec<i64>> {
    let mut pieces: Vec<Vec<i64>> = members.to_vec();
    let mut ring = pieces.pop()?;
    while ring.first() != ring.last() || ring.len() < 4 {
        let end = *ring.last()?;
        let next = pieces.iter().position(|p| p.first() == Some(&end) || p.last() == Some(&end))?;
        let mut piece = pieces.swap_remove(next);
        if piece.first() != Some(&end) {
            piece.reverse();
        }
        ring.extend_from_slice(&piece[1..]);
    }
    ring.iter().all(|n| data.nodes.contains_key(n)).then_some(ring)
}

fn outlines<'a>(data: &'a OsmData, import: &mut Import) -> Vec<Outline<'a>> {
    let is_building = |tags: &Tags| tags.get("building").is_some_and(|b| b != "no");
    let mut found = Vec::new();
    let mut broken = Vec::new();
    for way in data.ways.iter().filter(|w| is_building(&w.tags)) {
        let closed = way.refs.len() >= 4 && way.refs.first() == way.refs.last();
        if !closed || way.refs.iter().any(|r| !data.nodes.contains_key(r)) {
            broken.push(format!("way/{}", way.id));
            continue;
        }
        found.push(Outline {
            id: format!("w{}", way.id),
            osm: format!("way/{}", way.id),
            tags: &way.tags,
            nodes: way.refs[..way.refs.len() - 1].to_vec(),
        });
    }
    for relation in data.relations.iter().filter(|r| r.tags.is("type", "multipolygon") && is_building(&r.tags)) {
        let members: Vec<Vec<i64>> = relation
            .members
            .iter()
            .filter(|m| m.is_way && m.role == "outer")
            .filter_map(|m| data.ways.iter().find(|w| w.id == m.id).map(|w| w.refs.clone()))
            .collect();
        match outer_ring(data, &members) {
            Some(ring) => found.push(Outline {
                id: format!("r{}", relation.id),
                osm: format!("relation/{}", relation.id),
                tags: &relation.tags,
                nodes: ring[..ring.len() - 1].to_vec(),
            }),
            None => broken.push(format!("relation/{}", relation.id)),
        }
    }
    if !broken.is_empty() {
        import.warnings.push(format!(
            "{} building outline(s) are not closed or lack nodes in the file and were left out: {}",
            broken.len(),
            list(&broken)
        ));
    }
    found
}

/// Up to five names, then how many more.
pub(crate) fn list(items: &[String]) -> String {
    let shown = items.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    match items.len() {
        n if n > 5 => format!("{shown} and {} more", n - 5),
        _ => shown,
    }
}

/// Imports buildings, stairwells and households into `import.spec`.
pub(crate) fn import(
    data: &OsmData,
    boundary: Option<&Boundary>,
    lanes: &Lanes,
    params: &ImportParams,
    import: &mut Import,
) {
    let mut non_residential = 0usize;
    let mut outside = 0usize;
    for outline in outlines(data, import) {
        let ring: Vec<LonLat> = outline.nodes.iter().map(|n| data.nodes[n].at).collect();
        let local: Vec<[f64; 2]> = ring.iter().map(|p| lanes.frame.to_local(*p)).collect();
        let polygon = Polygon::new(LineString::from(local.clone()), vec![]);
        let footprint = polygon.unsigned_area();
        let lonlat = Polygon::new(LineString::from(ring.iter().map(|p| (p.lon, p.lat)).collect::<Vec<_>>()), vec![]);
        let inside = match (boundary, lonlat.centroid()) {
            (Some(b), Some(c)) => b.contains(LonLat::new(c.x(), c.y())),
            (None, _) => true,
            (Some(_), None) => false,
        };
        if !inside {
            outside += 1;
            continue;
        }
        let tags = outline.tags;
        let kind = tags.get("building").unwrap_or("yes");
        let flats_tag = tags.get("building:flats").and_then(values::count);
        let residential = (kind == "yes" || RESIDENTIAL.contains(&kind)) && tags.get("amenity").is_none();
        if !residential || flats_tag == Some(0) || footprint <= 0.0 {
            non_residential += 1;
            continue;
        }
        let mut outline = outline;
        if import.features.contains_key(&outline.id) {
            // The same way is a lane too: ids must stay unique.
            outline.id.push_str("-building");
        }
        let id = outline.id.clone();
        import.source(&id, outline.osm.clone());
        if kind == "yes" {
            import.mark(&id, Estimate::BuildingUse, "building", "building=yes taken as residential");
        }
        let house = HOUSES.contains(&kind) || matches!(kind, "terrace" | "semidetached_house");
        let levels = match tags.get("building:levels").and_then(values::levels) {
            Some(l) => l,
            None => {
                let from_height = tags.get("height").and_then(values::metres).map(|h| {
                    let l = ((h / params.level_height).round() as i64).clamp(1, 200);
                    (l, format!("height {h} m ÷ {} m per floor", params.level_height))
                });
                let (l, why) = from_height.unwrap_or_else(|| {
                    let l = if house { params.house_levels } else { params.default_levels };
                    (l, format!("default for building={kind}"))
                });
                import.mark(&id, Estimate::Levels, "building:levels", why);
                l
            }
        };
        let households = match flats_tag {
            Some(f) => f,
            None if HOUSES.contains(&kind) => {
                import.mark(&id, Estimate::Households, "building:flats", format!("one household per building={kind}"));
                1
            }
            None => {
                let f = ((footprint * levels as f64 / params.flat_area_m2).round() as i64).max(1);
                let why =
                    format!("footprint {footprint:.0} m² × {levels} floors ÷ {} m² per flat", params.flat_area_m2);
                import.mark(&id, Estimate::Households, "building:flats", why);
                f
            }
        };
        let name = tags.get("name").or_else(|| tags.get("addr:housenumber")).map(str::to_owned);
        import.spec.buildings.push(BuildingSpec { id: id.clone(), outline: ring, levels, storey_height: None, name });

        let doors = stairwells(data, &outline, &local, lanes, params, import);
        place_households(&id, &doors, households, levels, import);
    }
    if non_residential > 0 {
        import.warnings.push(format!(
            "{non_residential} non-residential building(s) (school, commercial, amenity=*, building:flats=0, …) hold no households and were left out"
        ));
    }
    if outside > 0 && boundary.is_some() {
        import.warnings.push(format!("{outside} building(s) outside the boundary were left out"));
    }
}

/// The outline's sides: runs of edges that keep their direction (within 10°), so that a
/// wall mapped in several pieces (a node for a door, say) counts as one side.
fn sides(ring: &[[f64; 2]]) -> Vec<([f64; 2], [f64; 2], f64)> {
    let n = ring.len();
    let edge = |i: usize| (ring[i % n], ring[(i + 1) % n]);
    let heading = |i: usize| {
        let (a, b) = edge(i);
        (b[1] - a[1]).atan2(b[0] - a[0])
    };
    let turns = |i: usize| {
        let d = (heading(i) - heading(i + n - 1)).rem_euclid(std::f64::consts::TAU);
        d.min(std::f64::consts::TAU - d) > 10f64.to_radians()
    };
    // Start where the direction changes; a ring that never turns is degenerate anyway.
    let start = (0..n).find(|i| turns(*i)).unwrap_or(0);
    let mut sides = Vec::new();
    let mut from = start;
    for k in 1..=n {
        let i = start + k;
        if k == n || turns(i) {
            let (a, b) = (ring[from % n], ring[i % n]);
            sides.push((a, b, (b[0] - a[0]).hypot(b[1] - a[1])));
            from = i;
        }
    }
    sides
}

/// A stairwell of the building and how many flats its door says it has, if any.
struct Door {
    id: String,
    flats: Option<i64>,
}

/// Stairwells from entrance nodes on the outline, or one per `stairwell_spacing_m` of the
/// longest side, on the side nearest a walkable way.
fn stairwells(
    data: &OsmData,
    outline: &Outline,
    local: &[[f64; 2]],
    lanes: &Lanes,
    params: &ImportParams,
    import: &mut Import,
) -> Vec<Door> {
    let mut doors = Vec::new();
    for node_id in &outline.nodes {
        let node = &data.nodes[node_id];
        if !node.tags.get("entrance").is_some_and(|e| DOORS.contains(&e)) {
            continue;
        }
        let id = format!("n{node_id}");
        if import.features.contains_key(&id) {
            // Already a door of a neighbouring building that shares this wall.
            continue;
        }
        import.source(&id, format!("node/{node_id}"));
        import.spec.stairwells.push(StairwellSpec {
            id: id.clone(),
            at: node.at,
            building: outline.id.clone(),
            top_floor: None,
            name: node.tags.get("ref").or_else(|| node.tags.get("addr:unit")).map(str::to_owned),
        });
        doors.push(Door { id, flats: node.tags.get("addr:flats").and_then(values::flats) });
    }
    if !doors.is_empty() {
        return doors;
    }
    let sides = sides(local);
    let longest = sides.iter().map(|s| s.2).fold(0.0, f64::max);
    let to_lane = |s: &([f64; 2], [f64; 2], f64)| {
        let mid = [(s.0[0] + s.1[0]) / 2.0, (s.0[1] + s.1[1]) / 2.0];
        lanes.nearest(mid).map_or(f64::INFINITY, |(_, d)| d)
    };
    let side = sides
        .iter()
        .filter(|s| s.2 >= 0.8 * longest)
        .min_by(|a, b| to_lane(a).total_cmp(&to_lane(b)))
        .copied()
        .unwrap_or(sides[0]);
    let n = ((longest / params.stairwell_spacing_m).round() as usize).max(1);
    for k in 0..n {
        let t = (k as f64 + 0.5) / n as f64;
        let at = [side.0[0] + t * (side.1[0] - side.0[0]), side.0[1] + t * (side.1[1] - side.0[1])];
        let id = format!("{}-s{}", outline.id, k + 1);
        let why = format!(
            "{n} per {longest:.0} m longest side (one per {} m), on the side nearest a way",
            params.stairwell_spacing_m
        );
        import.mark(&id, Estimate::Stairwell, "geometry", why);
        import.spec.stairwells.push(StairwellSpec {
            id: id.clone(),
            at: lanes.frame.to_lon_lat(at),
            building: outline.id.clone(),
            top_floor: None,
            name: None,
        });
        doors.push(Door { id, flats: None });
    }
    doors
}

/// Spreads a building's flats over its stairwells (by their `addr:flats` when every door has
/// one, else evenly) and over the floors of each, and numbers them as residents do (`301`).
fn place_households(building: &str, doors: &[Door], flats: i64, levels: i64, import: &mut Import) {
    let counts: Vec<i64> = if doors.iter().all(|d| d.flats.is_some()) {
        doors.iter().map(|d| d.flats.unwrap_or(0)).collect()
    } else {
        let n = doors.len() as i64;
        (0..n).map(|k| flats / n + i64::from(k < flats % n)).collect()
    };
    let why =
        format!("building {building}: flats spread evenly over {} stairwell(s) and {levels} floor(s)", doors.len());
    for (door, count) in doors.iter().zip(counts) {
        let mut on_floor = vec![0i64; levels as usize + 1];
        for k in 0..count {
            let floor = 1 + k * levels / count.max(1);
            on_floor[floor as usize] += 1;
            let unit = format!("{floor}{:02}", on_floor[floor as usize]);
            let id = format!("{}-{unit}", door.id);
            import.mark(&id, Estimate::HouseholdPlacement, "floor", why.clone());
            import.spec.households.push(HouseholdSpec {
                id,
                stairwell: door.id.clone(),
                floor,
                residents: None,
                unit: Some(unit),
            });
        }
    }
}
