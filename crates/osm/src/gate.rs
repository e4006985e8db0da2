//! The gate: given, or the candidate that reaches the most households.
//!
//! Candidates are the `barrier=gate`, `entrance=main` and `entrance=service` nodes on the
//! imported ways, and the places where ways cross the boundary (or run out of the extract).
//! Each is attached to the network as `validate` attaches a gate, and ranked by the households
//! that stations fed from it can serve (doors within `station_walk_m` on foot of a lane a
//! tricycle reaches from it), then by the households a path on foot joins to it, then by the
//! tricycle lanes it reaches (room for stations). A dead end at the edge of the box reaches
//! little and ranks low whatever its road; among equals a mapped gate beats a crossing.

use crate::boundary::Boundary;
use crate::connect::foot_parts;
use crate::lanes::{Lanes, WayInfo};
use crate::params::ImportParams;
use crate::xml::OsmData;
use crate::{Estimate, GateCandidate, GateChoice, Import, ImportError};
use lastmetre_area::{Area, AreaSpec, GateSpec, LonLat, build_with_problems};
use petgraph::graph::NodeIndex;
use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;
use std::cmp::Reverse;
use std::collections::HashMap;

/// Candidates closer than this to a better one are the same place.
const SAME_PLACE_M: f64 = 30.0;
/// Candidates kept in the report.
const REPORTED: usize = 5;

/// Puts the gate (or gates) into `import.spec.gates`.
pub(crate) fn choose(
    data: &OsmData,
    boundary: Option<&Boundary>,
    choice: Option<&GateChoice>,
    lanes: &Lanes,
    params: &ImportParams,
    import: &mut Import,
) -> Result<(), ImportError> {
    let gate = match choice {
        Some(GateChoice::Node(id)) => {
            let node = data.nodes.get(id).ok_or(ImportError::GateNodeMissing(*id))?;
            let gate_id = format!("gate-n{id}");
            import.source(&gate_id, format!("node/{id}"));
            import.gate_why = format!("node/{id}, given with --gate");
            GateSpec { id: gate_id, at: node.at, name: node.tags.get("name").map(str::to_owned) }
        }
        Some(GateChoice::At(at)) => {
            import.gate_why = "given with --gate".into();
            GateSpec { id: "gate".into(), at: *at, name: None }
        }
        None => {
            let gates = rank(data, boundary, lanes, params, import);
            import.spec.gates = gates;
            return Ok(());
        }
    };
    let (nearest, tolerance) = (lanes.nearest(lanes.frame.to_local(gate.at)), params.area.snap_tolerance.get());
    match nearest {
        Some((_, d)) if d <= tolerance => {}
        other => {
            let why = match other {
                Some((_, d)) => {
                    format!("the nearest walkable way is {d:.0} m away, beyond the snap tolerance of {tolerance} m")
                }
                None => "there is no walkable way".to_owned(),
            };
            return Err(ImportError::GateUnreachable {
                at: format!("{:.7},{:.7}", gate.at.lon, gate.at.lat),
                why: format!("{why}; give --gate on or next to a way inside the area"),
            });
        }
    }
    import.spec.gates.push(gate);
    Ok(())
}

/// A candidate before it is ranked.
struct Place {
    osm: String,
    at: LonLat,
    kind: &'static str,
    /// A mapped gate or entrance, which stays a gate of the area when it reaches as much.
    mapped: bool,
    /// Its road, for the tie-break and the explanation.
    road: Option<(WayInfo, i64)>,
    name: Option<String>,
}

fn places(data: &OsmData, boundary: Option<&Boundary>, lanes: &Lanes, import: &Import) -> Vec<Place> {
    // An entrance on a building's outline is that building's door (a footway often ends on
    // it), not a way into the area.
    let on_buildings: std::collections::HashSet<i64> =
        data.ways.iter().filter(|w| w.tags.get("building").is_some()).flat_map(|w| w.refs.iter().copied()).collect();
    let mut found: HashMap<i64, Place> = HashMap::new();
    for way in &data.ways {
        let Some(info) = lanes.ways.get(&way.id) else { continue };
        for r in &way.refs {
            let Some(node) = data.nodes.get(r) else { continue };
            let kind = if node.tags.is("barrier", "gate") {
                "barrier=gate"
            } else if on_buildings.contains(r) {
                continue;
            } else if node.tags.is("entrance", "main") {
                "entrance=main"
            } else if node.tags.is("entrance", "service") {
                "entrance=service"
            } else {
                continue;
            };
            if boundary.is_some_and(|b| !b.contains(node.at)) {
                continue;
            }
            let place = found.entry(*r).or_insert_with(|| Place {
                osm: format!("node/{r}"),
                at: node.at,
                kind,
                mapped: true,
                road: None,
                name: node.tags.get("name").map(str::to_owned),
            });
            if place.road.is_none_or(|(best, _)| merit(info) > merit(&best)) {
                place.road = Some((*info, way.id));
            }
        }
    }
    let mut places: Vec<Place> = found.into_values().collect();
    places.sort_by_key(|p| p.osm.clone());
    let mut crossings: Vec<&(LonLat, i64)> = lanes.crossings.iter().collect();
    crossings.sort_by_key(|(_, way)| (lanes.ways.get(way).map(|i| Reverse(merit(i))), *way));
    for (at, way) in crossings {
        places.push(Place {
            osm: format!("way/{way}"),
            at: *at,
            kind: "crossing",
            mapped: false,
            road: lanes.ways.get(way).map(|i| (*i, *way)),
            name: None,
        });
    }
    if places.is_empty() {
        // Nothing marks a way in: the start of the best road.
        let best = (0..import.spec.lanes.len().min(lanes.lane_way.len()))
            .filter_map(|i| lanes.ways.get(&lanes.lane_way[i]).map(|info| (i, info)))
            .max_by_key(|(i, info)| (merit(info), Reverse(*i)));
        if let Some((i, info)) = best {
            let way = lanes.lane_way[i];
            places.push(Place {
                osm: format!("way/{way}"),
                at: import.spec.lanes[i].path[0],
                kind: "road_start",
                mapped: false,
                road: Some((*info, way)),
                name: None,
            });
        }
    }
    places
}

/// Better roads sort first: leaving the boundary, usable by tricycle, bigger class.
fn merit(info: &WayInfo) -> (bool, bool, Reverse<usize>) {
    (info.leaves, info.tricycle, Reverse(info.rank))
}

/// What each candidate reaches in `area`, whose gates are the candidates in order.
fn reach(area: &Area, params: &ImportParams) -> Vec<Option<(usize, usize, f64)>> {
    let g = &area.graph;
    let foot = foot_parts(area);
    let mut tricycle = UnionFind::new(g.node_count());
    for e in g.edge_references().filter(|e| e.weight().tricycle) {
        tricycle.union(e.source().index(), e.target().index());
    }
    let door_households: Vec<(NodeIndex, usize)> =
        area.stairwells.iter().map(|s| (s.door, s.households.len())).collect();
    let mut on_foot: HashMap<usize, usize> = HashMap::new();
    for (door, n) in &door_households {
        *on_foot.entry(foot.find(door.index())).or_default() += n;
    }
    let mut by_tricycle: HashMap<usize, (usize, f64)> = HashMap::new();
    area.gates
        .iter()
        .map(|gate| {
            let start = gate.node;
            if !g.edges(start).any(|e| e.weight().tricycle) {
                return None;
            }
            let label = tricycle.find(start.index());
            let (served, lane_m) = *by_tricycle.entry(label).or_insert_with(|| {
                let sources: Vec<NodeIndex> = g.node_indices().filter(|n| tricycle.find(n.index()) == label).collect();
                let lane_m: f64 = g
                    .edge_references()
                    .filter(|e| e.weight().tricycle && tricycle.find(e.source().index()) == label)
                    .map(|e| e.weight().length.get())
                    .sum();
                let near = crate::repair::walk_within(area, &sources, params.station_walk_m);
                let served = door_households.iter().filter(|(d, _)| near.contains_key(d)).map(|(_, n)| n).sum();
                (served, lane_m)
            });
            let walkers = on_foot.get(&foot.find(start.index())).copied().unwrap_or(0);
            Some((served, walkers, lane_m))
        })
        .collect()
}

fn metres(lanes: &Lanes, a: LonLat, b: LonLat) -> f64 {
    let (p, q) = (lanes.frame.to_local(a), lanes.frame.to_local(b));
    (p[0] - q[0]).hypot(p[1] - q[1])
}

/// Ranks the candidates, fills `import.gate_candidates`, and returns the gates: the best
/// first, then every other `barrier=gate` on the same tricycle network that reaches the same,
/// at least [`SAME_PLACE_M`] away.
fn rank(
    data: &OsmData,
    boundary: Option<&Boundary>,
    lanes: &Lanes,
    params: &ImportParams,
    import: &mut Import,
) -> Vec<GateSpec> {
    let places = places(data, boundary, lanes, import);
    let trial = AreaSpec {
        gates: places
            .iter()
            .enumerate()
            .map(|(k, p)| GateSpec { id: format!("candidate-{k}"), at: p.at, name: None })
            .collect(),
        sites: Vec::new(),
        ..import.spec.clone()
    };
    let (area, _) = build_with_problems(&trial, &params.area);
    let by_id: HashMap<&str, usize> = area.gates.iter().enumerate().map(|(k, g)| (g.id.as_str(), k)).collect();
    let reached = reach(&area, params);
    let edge = |p: &Place| boundary.map_or(0.0, |b| b.edge_distance(p.at));
    let mut scored: Vec<(usize, (usize, usize, f64))> = places
        .iter()
        .enumerate()
        .filter_map(|(k, _)| by_id.get(format!("candidate-{k}").as_str()).and_then(|g| reached[*g]).map(|r| (k, r)))
        .collect();
    scored.sort_by(|(a, ra), (b, rb)| {
        let (pa, pb) = (&places[*a], &places[*b]);
        // Room for stations: metres of tricycle lane, to the 50 m.
        let room = |r: &(usize, usize, f64)| (r.2 / 50.0).round() as i64;
        (rb.0, rb.1, room(rb))
            .cmp(&(ra.0, ra.1, room(ra)))
            .then(pb.mapped.cmp(&pa.mapped))
            .then(pb.road.map(|r| merit(&r.0)).cmp(&pa.road.map(|r| merit(&r.0))))
            .then(edge(pa).total_cmp(&edge(pb)))
            .then(a.cmp(b))
    });
    // One candidate per place.
    let mut distinct: Vec<(usize, (usize, usize, f64))> = Vec::new();
    for (k, r) in scored {
        if distinct.iter().all(|(j, _)| metres(lanes, places[*j].at, places[k].at) >= SAME_PLACE_M) {
            distinct.push((k, r));
        }
    }
    let Some(&(best, best_reach)) = distinct.first() else {
        // Nothing a tricycle reaches: the first candidate, so that the error names a place.
        import.gate_why = "no candidate lies within the snap tolerance of a lane a tricycle can use".into();
        return places.first().map(|p| GateSpec { id: "gate".into(), at: p.at, name: None }).into_iter().collect();
    };
    let mut gates = Vec::new();
    let mut chosen = Vec::new();
    for &(k, r) in &distinct {
        let p = &places[k];
        // The same tricycle network: the same lanes reached, to the centimetre.
        let same_network = r.0 == best_reach.0 && r.1 == best_reach.1 && (r.2 - best_reach.2).abs() < 0.01;
        if k == best || (p.mapped && same_network && p.kind == "barrier=gate") {
            let id = match p.osm.strip_prefix("node/") {
                Some(n) => format!("gate-n{n}"),
                None if gates.is_empty() => "gate".to_owned(),
                None => format!("gate-{}", gates.len() + 1),
            };
            import.source(&id, p.osm.clone());
            let why = describe(p, r);
            if k == best {
                import.gate_why = format!("{why}: the candidate that reaches the most households");
                import.mark(
                    &id,
                    Estimate::Gate,
                    "geometry",
                    format!("{why}, the most of any candidate; give --gate to choose"),
                );
            } else {
                import.mark(&id, Estimate::Gate, "geometry", format!("{why}; a further gate of the area"));
            }
            gates.push(GateSpec { id, at: p.at, name: p.name.clone() });
            chosen.push(k);
        }
    }
    import.gate_candidates = distinct
        .iter()
        .enumerate()
        .filter(|(rank, (k, _))| *rank < REPORTED || chosen.contains(k))
        .map(|(_, &(k, r))| GateCandidate {
            osm: places[k].osm.clone(),
            at: places[k].at,
            kind: places[k].kind,
            households_by_tricycle: r.0,
            households_on_foot: r.1,
            tricycle_lane_m: r.2,
            chosen: chosen.contains(&k),
        })
        .collect();
    gates
}

fn describe(p: &Place, (by_tricycle, on_foot, lane_m): (usize, usize, f64)) -> String {
    let mut s = match p.kind {
        "crossing" => format!("where {} crosses the boundary", p.osm),
        "road_start" => format!("the start of {}", p.osm),
        kind => format!("{kind} {}", p.osm),
    };
    if let Some((info, way)) = p.road.filter(|_| p.mapped) {
        s.push_str(&format!(" on way/{way}"));
        if info.leaves {
            s.push_str(", which continues outside the boundary");
        }
    }
    s.push_str(&format!(
        "; reaches {on_foot} households on foot, {by_tricycle} of them near its {:.1} km of tricycle lanes",
        lane_m / 1000.0
    ));
    s
}
