//! The gate: given, or the gate node that best joins the area to roads outside it.

use crate::boundary::Boundary;
use crate::lanes::{Lanes, WayInfo};
use crate::params::ImportParams;
use crate::xml::OsmData;
use crate::{Estimate, GateChoice, Import, ImportError};
use lastmetre_area::{GateSpec, LonLat};
use std::cmp::Reverse;
use std::collections::HashMap;

/// Better roads sort first: leaving the boundary, usable by tricycle, bigger class.
fn merit(info: &WayInfo) -> (bool, bool, Reverse<usize>) {
    (info.leaves, info.tricycle, Reverse(info.rank))
}

fn describe(info: &WayInfo, way: i64) -> String {
    let mut s = format!("way/{way}");
    if info.leaves {
        s.push_str(", which continues outside the boundary");
    }
    if !info.tricycle {
        s.push_str(" (too narrow for a tricycle)");
    }
    s
}

/// Puts the gate into `import.spec.gates`.
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
            GateSpec { id: gate_id, at: node.at, name: node.tags.get("name").map(str::to_owned) }
        }
        Some(GateChoice::At(at)) => GateSpec { id: "gate".into(), at: *at, name: None },
        None => guess(data, boundary, lanes, import),
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

fn guess(data: &OsmData, boundary: Option<&Boundary>, lanes: &Lanes, import: &mut Import) -> GateSpec {
    // Gate nodes on imported ways, with the best way through each.
    let mut on_ways: HashMap<i64, (WayInfo, i64)> = HashMap::new();
    for way in data.ways.iter() {
        let Some(info) = lanes.ways.get(&way.id) else { continue };
        for r in &way.refs {
            let Some(node) = data.nodes.get(r) else { continue };
            let gate_like = node.tags.is("barrier", "gate") || node.tags.is("entrance", "main");
            if !gate_like || boundary.is_some_and(|b| !b.contains(node.at)) {
                continue;
            }
            let best = on_ways.entry(*r).or_insert((*info, way.id));
            if merit(info) > merit(&best.0) {
                *best = (*info, way.id);
            }
        }
    }
    // Among equals, the gate nearest the boundary: the entrance, not a gate further along.
    let edge = |id: &i64| boundary.map_or(0.0, |b| b.edge_distance(data.nodes[id].at));
    let best_node = on_ways.iter().max_by(|a, b| {
        let key = |(id, (info, _)): &(&i64, &(WayInfo, i64))| (merit(info), data.nodes[*id].tags.is("barrier", "gate"));
        key(a).cmp(&key(b)).then(edge(b.0).total_cmp(&edge(a.0))).then(b.0.cmp(a.0))
    });
    if let Some((node_id, (info, way))) = best_node {
        let node = &data.nodes[node_id];
        let id = format!("gate-n{node_id}");
        import.source(&id, format!("node/{node_id}"));
        let tag = if node.tags.is("barrier", "gate") { "barrier=gate" } else { "entrance=main" };
        import.mark(
            &id,
            Estimate::Gate,
            "geometry",
            format!("{tag} node on {}; give --gate to choose", describe(info, *way)),
        );
        return GateSpec { id, at: node.at, name: node.tags.get("name").map(str::to_owned) };
    }
    let best_crossing = lanes
        .crossings
        .iter()
        .filter_map(|(at, way)| lanes.ways.get(way).map(|i| (at, way, i)))
        .max_by(|a, b| (merit(a.2), Reverse(a.1)).cmp(&(merit(b.2), Reverse(b.1))));
    let (at, why): (LonLat, String) = match best_crossing {
        Some((at, way, info)) => {
            (*at, format!("no gate node in the map: where {} crosses the boundary", describe(info, *way)))
        }
        None => {
            // Nothing crosses the boundary: the start of the best road.
            let best = (0..import.spec.lanes.len())
                .filter_map(|i| lanes.ways.get(&lanes.lane_way[i]).map(|info| (i, info)))
                .max_by_key(|(i, info)| (merit(info), Reverse(*i)));
            match best {
                Some((i, info)) => (
                    import.spec.lanes[i].path[0],
                    format!(
                        "no gate node and no way crossing the boundary: the start of {}",
                        describe(info, lanes.lane_way[i])
                    ),
                ),
                None => (LonLat::new(0.0, 0.0), "no lane".into()),
            }
        }
    };
    let id = "gate".to_owned();
    import.mark(&id, Estimate::Gate, "geometry", format!("{why}; give --gate to choose"));
    GateSpec { id, at, name: None }
}
