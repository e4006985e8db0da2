//! `building=*` outlines → buildings, their stairwells and households.

use crate::boundary::Boundary;
use crate::lanes::Lanes;
use crate::params::{HOUSES, ImportParams, RESIDENTIAL};
use crate::xml::{OsmData, Tags};
use crate::{Estimate, Import, values};
use geo::{Area, Centroid, Contains, LineString, Polygon};
use lastmetre_area::{BuildingSpec, HouseholdSpec, LocalFrame, LonLat, StairwellSpec};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// `entrance` values that lead to flats.
const DOORS: [&str; 4] = ["staircase", "main", "yes", "home"];

/// A building outline found in the file.
struct Outline<'a> {
    id: String,
    osm: String,
    tags: &'a Tags,
    /// Node ids around the ring, first not repeated at the end.
    nodes: Vec<i64>,
    /// Nodes of the ring the file lacks, of how many.
    missing: Option<(usize, usize)>,
}

/// Joins a multipolygon's outer ways into rings of node ids; none if a ring does not close
/// or a node is missing.
fn outer_rings(data: &OsmData, members: &[Vec<i64>]) -> Option<Vec<Vec<i64>>> {
    let mut pieces: Vec<Vec<i64>> = members.iter().filter(|m| m.len() >= 2).cloned().collect();
    let mut rings = Vec::new();
    while let Some(mut ring) = pieces.pop() {
        while ring.first() != ring.last() {
            let end = *ring.last()?;
            let next = pieces.iter().position(|p| p.first() == Some(&end) || p.last() == Some(&end))?;
            let mut piece = pieces.swap_remove(next);
            if piece.first() != Some(&end) {
                piece.reverse();
            }
            ring.extend_from_slice(&piece[1..]);
        }
        if ring.len() < 4 || !ring.iter().all(|n| data.nodes.contains_key(n)) {
            return None;
        }
        rings.push(ring);
    }
    (!rings.is_empty()).then_some(rings)
}

/// Twice the area of a ring of node ids, in square degrees: for choosing the largest ring.
fn ring_size(data: &OsmData, ring: &[i64]) -> f64 {
    ring.windows(2)
        .map(|w| {
            let (a, b) = (data.nodes[&w[0]].at, data.nodes[&w[1]].at);
            a.lon * b.lat - b.lon * a.lat
        })
        .sum::<f64>()
        .abs()
}

fn outlines<'a>(data: &'a OsmData, boundary: Option<&Boundary>, import: &mut Import) -> Vec<Outline<'a>> {
    // A broken outline counts as left out only where it would have held households: a
    // residential kind, with a node the file has inside the boundary.
    let in_scope = |tags: &Tags, nodes: &[i64]| {
        let kind = tags.get("building").unwrap_or("yes");
        let residential = (kind == "yes" || RESIDENTIAL.contains(&kind)) && tags.get("amenity").is_none();
        residential && nodes.iter().filter_map(|n| data.nodes.get(n)).any(|n| boundary.is_none_or(|b| b.contains(n.at)))
    };
    let is_building = |tags: &Tags| tags.get("building").is_some_and(|b| b != "no");
    let mut found = Vec::new();
    let mut broken = Vec::new();
    let mut partial = Vec::new();
    for way in data.ways.iter().filter(|w| is_building(&w.tags)) {
        let closed = way.refs.len() >= 4 && way.refs.first() == way.refs.last();
        // An extract cut at its box lacks some nodes of the outlines it cuts: what is left
        // draws the building well enough while at least three corners and half the nodes are.
        let ring = if closed { &way.refs[..way.refs.len() - 1] } else { &way.refs[..] };
        let mut nodes: Vec<i64> = ring.iter().copied().filter(|r| data.nodes.contains_key(r)).collect();
        nodes.dedup();
        let missing = ring.len() - nodes.len();
        let usable = nodes.len() >= 3 && 2 * nodes.len() >= ring.len();
        if !usable || !closed {
            if in_scope(&way.tags, &nodes) {
                broken.push(format!("way/{}", way.id));
            }
            continue;
        }
        let missing = (missing > 0).then_some((missing, ring.len()));
        if missing.is_some() {
            partial.push(format!("way/{}", way.id));
        }
        found.push(Outline {
            id: format!("w{}", way.id),
            osm: format!("way/{}", way.id),
            tags: &way.tags,
            nodes,
            missing,
        });
    }
    if !partial.is_empty() {
        import.warnings.push(format!(
            "{} building outline(s) lack some nodes in the file; drawn through the nodes that are there (marked): {}",
            partial.len(),
            list(&partial)
        ));
    }
    let mut extra_rings = Vec::new();
    for relation in data.relations.iter().filter(|r| r.tags.is("type", "multipolygon") && is_building(&r.tags)) {
        let outer: Vec<&crate::xml::Member> =
            relation.members.iter().filter(|m| m.is_way && (m.role == "outer" || m.role.is_empty())).collect();
        let ways: Vec<&crate::xml::Way> =
            outer.iter().filter_map(|m| data.way_index.get(&m.id).map(|at| &data.ways[*at])).collect();
        if ways.iter().any(|w| is_building(&w.tags)) {
            // Old-style tagging: the outer way is a building itself and was imported as one.
            continue;
        }
        let rings = if ways.len() == outer.len() {
            outer_rings(data, &ways.iter().map(|w| w.refs.clone()).collect::<Vec<_>>())
        } else {
            None
        };
        let Some(mut rings) = rings else {
            let nodes: Vec<i64> = ways.iter().flat_map(|w| w.refs.iter().copied()).collect();
            if in_scope(&relation.tags, &nodes) {
                broken.push(format!("relation/{}", relation.id));
            }
            continue;
        };
        rings.sort_by(|a, b| ring_size(data, b).total_cmp(&ring_size(data, a)));
        if rings.len() > 1 {
            extra_rings.push(format!("relation/{}", relation.id));
        }
        let ring = &rings[0];
        found.push(Outline {
            id: format!("r{}", relation.id),
            osm: format!("relation/{}", relation.id),
            tags: &relation.tags,
            nodes: ring[..ring.len() - 1].to_vec(),
            missing: None,
        });
    }
    if !extra_rings.is_empty() {
        import.warnings.push(format!(
            "{} multipolygon building(s) have several outer rings; only the largest of each was imported: {}",
            extra_rings.len(),
            list(&extra_rings)
        ));
    }
    if !broken.is_empty() {
        let mut examples = broken.clone();
        examples.truncate(5);
        import.dropped.push(crate::Dropped {
            reason: crate::DropReason::BrokenOutline,
            households: 0,
            buildings: broken.len(),
            stairwells: 0,
            at: None,
            examples,
        });
        import.warnings.push(format!(
            "{} building outline(s) are not closed or lack ways or nodes in the file and were left out: {}",
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

/// A building outline inside the boundary, measured.
struct Footprint<'a> {
    outline: Outline<'a>,
    ring: Vec<LonLat>,
    local: Vec<[f64; 2]>,
    area_m2: f64,
    centre: [f64; 2],
}

/// Floors as the map gives them: `building:levels`, else `height`.
fn mapped_levels(tags: &Tags, params: &ImportParams) -> Option<i64> {
    tags.get("building:levels").and_then(values::levels).or_else(|| {
        tags.get("height").and_then(values::metres).map(|h| ((h / params.level_height).round() as i64).clamp(1, 200))
    })
}

/// Buildings of a kind that is one household per building.
fn is_house(kind: &str) -> bool {
    HOUSES.contains(&kind) || matches!(kind, "terrace" | "semidetached_house")
}

/// Floors of nearby buildings of the same sort (houses or not) that map theirs: the median
/// of up to [`NEIGHBOURS`] within `neighbour_levels_m`, when at least two do.
struct NeighbourLevels {
    houses: RTree<GeomWithData<[f64; 2], i64>>,
    others: RTree<GeomWithData<[f64; 2], i64>>,
}

/// How many neighbours a guessed level count is taken from.
const NEIGHBOURS: usize = 5;

impl NeighbourLevels {
    fn new(footprints: &[Footprint], params: &ImportParams) -> Self {
        let (mut houses, mut others) = (Vec::new(), Vec::new());
        for f in footprints {
            let Some(levels) = mapped_levels(f.outline.tags, params) else { continue };
            let kind = f.outline.tags.get("building").unwrap_or("yes");
            let into = if is_house(kind) { &mut houses } else { &mut others };
            into.push(GeomWithData::new(f.centre, levels));
        }
        Self { houses: RTree::bulk_load(houses), others: RTree::bulk_load(others) }
    }

    fn guess(&self, at: [f64; 2], house: bool, params: &ImportParams) -> Option<(i64, usize, f64)> {
        let tree = if house { &self.houses } else { &self.others };
        let radius = params.neighbour_levels_m;
        let near: Vec<(i64, f64)> = tree
            .nearest_neighbor_iter(&at)
            .take(NEIGHBOURS)
            .map(|p| (p.data, (p.geom()[0] - at[0]).hypot(p.geom()[1] - at[1])))
            .filter(|(_, d)| *d <= radius)
            .collect();
        if near.len() < 2 {
            return None;
        }
        let mut levels: Vec<i64> = near.iter().map(|n| n.0).collect();
        levels.sort_unstable();
        let farthest = near.iter().map(|n| n.1).fold(0.0, f64::max);
        Some((levels[levels.len() / 2], near.len(), farthest))
    }
}

/// Entrance nodes that are on no building's outline, by the footprint they stand at (within
/// `entrance_snap_m` of its outline), so that they can be its doors.
fn free_entrances(
    data: &OsmData,
    footprints: &[Footprint],
    frame: &LocalFrame,
    params: &ImportParams,
) -> Vec<Vec<i64>> {
    let mut on_outline = std::collections::HashSet::new();
    for way in data.ways.iter().filter(|w| w.tags.get("building").is_some()) {
        on_outline.extend(way.refs.iter().copied());
    }
    for f in footprints {
        on_outline.extend(f.outline.nodes.iter().copied());
    }
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = footprints
        .iter()
        .enumerate()
        .map(|(k, f)| GeomWithData::new(Rectangle::from_aabb(AABB::from_points(f.local.iter())), k))
        .collect();
    let index = RTree::bulk_load(boxes);
    let mut doors = vec![Vec::new(); footprints.len()];
    let reach = params.entrance_snap_m;
    let mut ids: Vec<&i64> = data.nodes.keys().collect();
    ids.sort_unstable();
    for id in ids {
        let node = &data.nodes[id];
        if on_outline.contains(id) || !node.tags.get("entrance").is_some_and(|e| DOORS.contains(&e)) {
            continue;
        }
        let at = frame.to_local(node.at);
        let envelope = AABB::from_corners([at[0] - reach, at[1] - reach], [at[0] + reach, at[1] + reach]);
        let nearest = index
            .locate_in_envelope_intersecting(&envelope)
            .map(|b| (b.data, ring_distance(&footprints[b.data].local, at)))
            .filter(|(_, d)| *d <= reach)
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        if let Some((k, _)) = nearest {
            doors[k].push(*id);
        }
    }
    doors
}

/// The point of a closed ring nearest `at`, and its distance.
fn nearest_on_ring(ring: &[[f64; 2]], at: [f64; 2]) -> ([f64; 2], f64) {
    let n = ring.len();
    let mut best = (ring[0], f64::INFINITY);
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        let p = rstar::primitives::Line::new(a, b).nearest_point(&at);
        let d = (p[0] - at[0]).hypot(p[1] - at[1]);
        if d < best.1 {
            best = (p, d);
        }
    }
    best
}

fn ring_distance(ring: &[[f64; 2]], at: [f64; 2]) -> f64 {
    let inside = Polygon::new(LineString::from(ring.to_vec()), vec![]).contains(&geo::Point::new(at[0], at[1]));
    if inside { 0.0 } else { nearest_on_ring(ring, at).1 }
}

/// The building outlines whose centre lies inside the boundary, in local metres; and how many
/// lie outside.
fn footprints<'a>(
    data: &'a OsmData,
    boundary: Option<&Boundary>,
    lanes: &Lanes,
    import: &mut Import,
) -> (Vec<Footprint<'a>>, usize) {
    let mut outside = 0usize;
    let mut footprints = Vec::new();
    for outline in outlines(data, boundary, import) {
        let ring: Vec<LonLat> = outline.nodes.iter().map(|n| data.nodes[n].at).collect();
        let local: Vec<[f64; 2]> = ring.iter().map(|p| lanes.frame.to_local(*p)).collect();
        let polygon = Polygon::new(LineString::from(local.clone()), vec![]);
        let area_m2 = polygon.unsigned_area();
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
        let centre = polygon.centroid().map_or(local[0], |c| [c.x(), c.y()]);
        footprints.push(Footprint { outline, ring, local, area_m2, centre });
    }
    (footprints, outside)
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
    let mut sheds = 0usize;
    let mut capped = Vec::new();
    let (kept, outside) = footprints(data, boundary, lanes, import);
    let neighbours = NeighbourLevels::new(&kept, params);
    let loose_doors = free_entrances(data, &kept, &lanes.frame, params);
    for (footprint, loose) in kept.into_iter().zip(loose_doors) {
        let Footprint { outline, ring, local, area_m2: footprint, centre } = footprint;
        let tags = outline.tags;
        let kind = tags.get("building").unwrap_or("yes");
        let flats_tag = tags.get("building:flats").and_then(values::count);
        let residential = (kind == "yes" || RESIDENTIAL.contains(&kind)) && tags.get("amenity").is_none();
        if !residential || flats_tag == Some(0) || footprint <= 0.0 {
            non_residential += 1;
            continue;
        }
        if kind == "yes" && flats_tag.is_none() && footprint < params.min_guessed_footprint_m2 {
            sheds += 1;
            continue;
        }
        let mut outline = outline;
        if import.features.contains_key(&outline.id) {
            // The same way is a lane too: ids must stay unique.
            outline.id.push_str("-building");
        }
        let id = outline.id.clone();
        import.source(&id, outline.osm.clone());
        if let Some((missing, of)) = outline.missing {
            let why = format!("{missing} of {of} nodes are not in the file; outline drawn through the rest");
            import.mark(&id, Estimate::Outline, "geometry", why);
        }
        if kind == "yes" {
            import.mark(&id, Estimate::BuildingUse, "building", "building=yes taken as residential");
        }
        let house = is_house(kind);
        let levels = match tags.get("building:levels").and_then(values::levels) {
            Some(l) => l,
            None => {
                let from_height = tags.get("height").and_then(values::metres).map(|h| {
                    let l = ((h / params.level_height).round() as i64).clamp(1, 200);
                    (l, format!("height {h} m ÷ {} m per floor", params.level_height))
                });
                let from_neighbours = || {
                    neighbours.guess(centre, house, params).map(|(l, n, d)| {
                        (l, format!("median of the {n} nearest buildings that map their levels (within {d:.0} m)"))
                    })
                };
                let (l, mut why) = from_height.or_else(from_neighbours).unwrap_or_else(|| {
                    let l = if house { params.house_levels } else { params.default_levels };
                    (l, format!("default for building={kind}"))
                });
                // Attic floors (`roof:levels`) are lived in; `building:levels` leaves them out.
                let roof = tags.get("roof:levels").and_then(values::count).unwrap_or(0).min(5);
                let l = (l + roof).clamp(1, 200);
                if roof > 0 {
                    why = format!("{why}, plus roof:levels={roof}");
                }
                if let Some(raw) = tags.get("building:levels") {
                    why = format!("building:levels '{raw}' unreadable or not 1–200; {why}");
                }
                import.mark(&id, Estimate::Levels, "building:levels", why);
                l
            }
        };
        let name = tags.get("name").or_else(|| tags.get("addr:housenumber")).map(str::to_owned);
        import.spec.buildings.push(BuildingSpec { id: id.clone(), outline: ring, levels, storey_height: None, name });
        let doors = stairwells(data, &outline, &loose, &local, lanes, params, import);

        // No more than one flat per 10 m² of floor: a value beyond that is a typo.
        let most = ((footprint * levels as f64 / 10.0).ceil() as i64).clamp(1, 5000);
        let by_door: Option<Vec<i64>> = doors.iter().map(|d| d.flats).collect();
        let (counts, how) = match by_door.filter(|c| c.iter().sum::<i64>() <= most) {
            Some(counts) => (counts, "flats as addr:flats on each door".to_owned()),
            None => {
                let flats = match flats_tag {
                    Some(f) if f <= most => f,
                    Some(f) => {
                        capped.push(id.clone());
                        let why = format!("building:flats={f} is more than one flat per 10 m² of floor; capped");
                        import.mark(&id, Estimate::Households, "building:flats", why);
                        most
                    }
                    None if HOUSES.contains(&kind) => {
                        let why = format!("one household per building={kind}");
                        import.mark(&id, Estimate::Households, "building:flats", why);
                        1
                    }
                    None => {
                        let f = ((footprint * levels as f64 / params.flat_area_m2).round() as i64).clamp(1, most);
                        let why = format!(
                            "footprint {footprint:.0} m² × {levels} floors ÷ {} m² per flat",
                            params.flat_area_m2
                        );
                        import.mark(&id, Estimate::Households, "building:flats", why);
                        f
                    }
                };
                let n = doors.len() as i64;
                let counts = (0..n).map(|k| flats / n + i64::from(k < flats % n)).collect();
                (counts, format!("flats spread evenly over {n} stairwell(s)"))
            }
        };
        place_households(&id, &doors, &counts, levels, &how, import);
    }
    if sheds > 0 {
        import.warnings.push(format!(
            "{sheds} building=yes outline(s) under {} m² (sheds, kiosks, garages) were taken as non-residential",
            params.min_guessed_footprint_m2
        ));
    }
    if !capped.is_empty() {
        import.warnings.push(format!(
            "{} building(s) give more flats than one per 10 m² of floor; capped (check them): {}",
            capped.len(),
            list(&capped)
        ));
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
    loose: &[i64],
    local: &[[f64; 2]],
    lanes: &Lanes,
    params: &ImportParams,
    import: &mut Import,
) -> Vec<Door> {
    let mut doors = Vec::new();
    for node_id in outline.nodes.iter().chain(loose) {
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
        if loose.contains(node_id) {
            let why = format!(
                "entrance node on no outline, within {} m of this building's: taken as its door",
                params.entrance_snap_m
            );
            import.mark(&id, Estimate::Stairwell, "building", why);
        }
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
    let to_lane = |p: [f64; 2]| lanes.nearest(p).map_or(f64::INFINITY, |(_, d)| d);
    let sides = sides(local);
    let longest = sides.iter().map(|s| s.2).fold(0.0, f64::max);
    let n = ((longest / params.stairwell_spacing_m).round() as usize).clamp(1, 50);
    let (points, why) = if n == 1 {
        // One door: where the outline comes nearest a way (sampled every metre).
        let ring_len = local.len();
        let mut best = (local[0], f64::INFINITY);
        for i in 0..ring_len {
            let (a, b) = (local[i], local[(i + 1) % ring_len]);
            let steps = ((a[0] - b[0]).hypot(a[1] - b[1]).ceil() as usize).clamp(1, 500);
            for k in 0..=steps {
                let t = k as f64 / steps as f64;
                let p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
                let d = to_lane(p);
                if d < best.1 {
                    best = (p, d);
                }
            }
        }
        (vec![best.0], "one door, at the point of the outline nearest a way".to_owned())
    } else {
        let side = sides
            .iter()
            .filter(|s| s.2 >= 0.8 * longest)
            .min_by(|a, b| {
                let mid = |s: &([f64; 2], [f64; 2], f64)| [(s.0[0] + s.1[0]) / 2.0, (s.0[1] + s.1[1]) / 2.0];
                to_lane(mid(a)).total_cmp(&to_lane(mid(b)))
            })
            .copied()
            .unwrap_or(sides[0]);
        // Even along the side, then onto the outline itself (a curved wall's side is a chord).
        let points = (0..n)
            .map(|k| {
                let t = (k as f64 + 0.5) / n as f64;
                let at = [side.0[0] + t * (side.1[0] - side.0[0]), side.0[1] + t * (side.1[1] - side.0[1])];
                nearest_on_ring(local, at).0
            })
            .collect();
        let why = format!(
            "{n} per {longest:.0} m longest side (one per {} m), on the side nearest a way",
            params.stairwell_spacing_m
        );
        (points, why)
    };
    for (k, at) in points.into_iter().enumerate() {
        let id = format!("{}-s{}", outline.id, k + 1);
        import.mark(&id, Estimate::Stairwell, "geometry", why.clone());
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

/// Places each stairwell's flats over its floors evenly, and numbers them as residents do
/// (`301`).
fn place_households(building: &str, doors: &[Door], counts: &[i64], levels: i64, how: &str, import: &mut Import) {
    let why = format!("building {building}: {how}, and over {levels} floor(s) evenly");
    for (door, &count) in doors.iter().zip(counts) {
        let mut on_floor = vec![0i64; levels as usize + 1];
        for k in 0..count {
            let floor = 1 + k * levels / count.max(1);
            on_floor[floor as usize] += 1;
            // Door numbers as residents say them: 301, 302; past 99 on a floor, 3-100.
            let unit = match on_floor[floor as usize] {
                n if n < 100 => format!("{floor}{n:02}"),
                n => format!("{floor}-{n}"),
            };
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
