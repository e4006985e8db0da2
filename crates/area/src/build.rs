//! `AreaSpec` → `Area`: record checks, projection, lane network, snapping, stairwells, and the
//! reachability checks that need the graph.

use crate::frame::LocalFrame;
use crate::graph::{Area, AreaGraph, Building, Edge, EdgeKind, Gate, Household, Lane, Node, NodeKind, Site, Stairwell};
use crate::network::{Attached, LaneInput, Need, Network};
use crate::problem::{Code, Problem};
use crate::records;
use crate::spec::{AreaSpec, LaneClass, LaneSpec};
use geo::{Distance, Euclidean, LineString, Point};
use lastmetre_model::{AreaParams, Metres};
use petgraph::graph::NodeIndex;
use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, VecDeque};

/// A door farther than this from its building's outline earns a warning.
const DOOR_TO_OUTLINE_WARN_M: f64 = 15.0;

/// A built area and the warnings raised while building it.
#[derive(Clone, Debug)]
pub struct Built {
    /// The routable area.
    pub area: Area,
    /// Things that were assumed or look odd; none stops the area from being used.
    pub warnings: Vec<Problem>,
}

/// Whether the rules let a tricycle use this lane.
pub fn tricycle_passable(lane: &LaneSpec, params: &AreaParams) -> bool {
    if let Some(forced) = lane.tricycle {
        return forced;
    }
    if lane.class == LaneClass::Steps {
        return false;
    }
    let wide_enough = match lane.width {
        Some(w) => w.get() >= params.tricycle_min_width().get(),
        // Without a width, only a street class is taken as passable.
        None => matches!(lane.class, LaneClass::Street(_)),
    };
    let gentle = lane.incline_pct.is_none_or(|s| s.abs() <= params.tricycle_max_slope_pct);
    wide_enough && gentle
}

/// Validates `spec` and builds the routable area. On failure, returns every problem found,
/// errors and warnings alike.
pub fn build(spec: &AreaSpec, params: &AreaParams) -> Result<Built, Vec<Problem>> {
    let (area, problems) = build_with_problems(spec, params);
    if problems.iter().any(Problem::is_error) {
        return Err(problems);
    }
    Ok(Built { area, warnings: problems })
}

/// Builds what can be built, leaving out the features that have errors, and returns it with
/// every problem, errors included. For tools that repair a plan (the OSM importer drops lanes
/// the gate cannot reach); planning needs [`build`], which refuses an area with errors.
pub fn build_with_problems(spec: &AreaSpec, params: &AreaParams) -> (Area, Vec<Problem>) {
    let mut problems = Vec::new();
    let usable = records::check(spec, &mut problems);

    let frame = LocalFrame::around(
        spec.gates
            .iter()
            .map(|g| g.at)
            .chain(spec.lanes.iter().flat_map(|l| l.path.iter().copied()))
            .filter(|p| p.is_lon_lat()),
    );

    let (lanes, lane_inputs) = project_lanes(spec, &usable.lanes, &frame, params, &mut problems);
    let mut net = Network::new(lane_inputs, params.join_tolerance);
    let tolerance = params.snap_tolerance.get();
    let mut snap_problems = Vec::new();
    let mut attach = |net: &mut Network, id: &str, what: &str, at, kind, need| match net.attach(
        frame.to_local(at),
        kind,
        need,
        tolerance,
    ) {
        Attached::Linked { node, tricycle } => Some((node, tricycle)),
        Attached::TooFar(nearest) => {
            let how_far = match nearest {
                Some(d) => format!("the nearest lane is {d:.1} m away"),
                None => "there are no lanes".to_owned(),
            };
            snap_problems.push(Problem::new(
                Code::TooFarFromLane,
                Some(id),
                format!("{what} '{id}' is more than {tolerance} m from any usable lane; {how_far}"),
            ));
            None
        }
    };

    let mut gates = Vec::new();
    let mut gate_tricycle = Vec::new();
    for (g, _) in spec.gates.iter().zip(&usable.gates).filter(|(_, ok)| **ok) {
        let kind = NodeKind::Gate(gates.len());
        if let Some((node, tricycle)) = attach(&mut net, &g.id, "gate", g.at, kind, Need::TricycleFirst) {
            gates.push(Gate { id: g.id.clone(), name: g.name.clone(), node });
            gate_tricycle.push(tricycle);
        }
    }
    let mut sites = Vec::new();
    for (s, _) in spec.sites.iter().zip(&usable.sites).filter(|(_, ok)| **ok) {
        let kind = NodeKind::Site(sites.len());
        if let Some((node, _)) = attach(&mut net, &s.id, "station site", s.at, kind, Need::TricycleFirst) {
            sites.push(Site { id: s.id.clone(), name: s.name.clone(), open: s.open, capacity: s.capacity, node });
        }
    }

    let mut building_slot = vec![None; spec.buildings.len()];
    let mut buildings = Vec::new();
    for (i, b) in spec.buildings.iter().enumerate().filter(|(i, _)| usable.buildings[*i]) {
        building_slot[i] = Some(buildings.len());
        buildings.push(Building {
            id: b.id.clone(),
            name: b.name.clone(),
            levels: b.levels as u32,
            storey_height: b.storey_height.unwrap_or(params.storey_height),
            outline: b.outline.iter().map(|p| frame.to_local(*p)).collect(),
            stairwells: Vec::new(),
        });
    }
    let mut door_problems = Vec::new();
    let mut stairwell_slot = vec![None; spec.stairwells.len()];
    let mut stairwells = Vec::new();
    for (i, s) in spec.stairwells.iter().enumerate() {
        let Some((b, top_floor)) = usable.stairwells[i] else {
            continue;
        };
        let b = building_slot[b].expect("usable stairwells have usable buildings");
        let kind = NodeKind::Door(stairwells.len());
        let Some((door, _)) = attach(&mut net, &s.id, "stairwell", s.at, kind, Need::Foot) else {
            continue;
        };
        let building = &mut buildings[b];
        let outline = LineString::from(building.outline.clone());
        let at = frame.to_local(s.at);
        let off = Euclidean.distance(&Point::from(at), &outline);
        if off > DOOR_TO_OUTLINE_WARN_M {
            door_problems.push(Problem::new(
                Code::DoorFarFromBuilding,
                Some(&s.id),
                format!("stairwell '{}' is {off:.0} m from the outline of building '{}'", s.id, building.id),
            ));
        }
        stairwell_slot[i] = Some(stairwells.len());
        building.stairwells.push(stairwells.len());
        stairwells.push(Stairwell {
            id: s.id.clone(),
            name: s.name.clone(),
            building: b,
            top_floor,
            storey_height: building.storey_height,
            door,
            floors: Vec::new(),
            households: Vec::new(),
        });
    }

    problems.extend(snap_problems);
    problems.extend(door_problems);
    let (mut graph, network_problems) = net.finish();
    problems.extend(network_problems);

    add_stairs(&mut graph, &mut stairwells);

    let mut households = Vec::new();
    for (i, h) in spec.households.iter().enumerate() {
        let Some(s) = usable.households[i].and_then(|s| stairwell_slot[s]) else {
            continue;
        };
        stairwells[s].households.push(households.len());
        households.push(Household {
            id: h.id.clone(),
            stairwell: s,
            floor: h.floor as u32,
            residents: h.residents.map(|r| r as u32),
            unit: h.unit.clone(),
        });
    }

    let area = Area { graph, frame, params: params.clone(), gates, sites, lanes, buildings, stairwells, households };
    check_reachability(&area, &gate_tricycle, &mut problems);
    check_completeness(&area, &mut problems);
    (area, problems)
}

/// The usable lanes in local metres, repeated points dropped, with what the network is built
/// from; a lane whose points all coincide is a problem.
fn project_lanes<'a>(
    spec: &'a AreaSpec,
    usable: &[bool],
    frame: &LocalFrame,
    params: &AreaParams,
    problems: &mut Vec<Problem>,
) -> (Vec<Lane>, Vec<LaneInput<'a>>) {
    let mut lanes = Vec::new();
    let mut lane_inputs = Vec::new();
    for (spec_lane, _) in spec.lanes.iter().zip(usable).filter(|(_, ok)| **ok) {
        let mut path: Vec<[f64; 2]> = Vec::with_capacity(spec_lane.path.len());
        for p in &spec_lane.path {
            let xy = frame.to_local(*p);
            if path.last().is_none_or(|q: &[f64; 2]| (q[0] - xy[0]).hypot(q[1] - xy[1]) >= 0.01) {
                path.push(xy);
            }
        }
        if path.len() < 2 {
            problems.push(Problem::new(
                Code::DegenerateGeometry,
                Some(&spec_lane.id),
                "the lane's positions all coincide",
            ));
            continue;
        }
        let tricycle = tricycle_passable(spec_lane, params);
        let length = path.windows(2).map(|w| (w[0][0] - w[1][0]).hypot(w[0][1] - w[1][1])).sum();
        lanes.push(Lane {
            id: spec_lane.id.clone(),
            class: spec_lane.class.clone(),
            width: spec_lane.width,
            tricycle,
            foot: spec_lane.foot,
            length: Metres(length),
        });
        lane_inputs.push(LaneInput { id: &spec_lane.id, path, layer: spec_lane.layer, tricycle, foot: spec_lane.foot });
    }
    (lanes, lane_inputs)
}

/// Each stairwell's flights: a landing node per floor above its door, joined by stairs that
/// rise one storey (none to the first floor, which is at the door).
fn add_stairs(graph: &mut AreaGraph, stairwells: &mut [Stairwell]) {
    for (s, stairwell) in stairwells.iter_mut().enumerate() {
        let at = graph[stairwell.door].at;
        let mut below = stairwell.door;
        for floor in 1..=stairwell.top_floor {
            let landing = graph.add_node(Node { kind: NodeKind::Floor { stairwell: s, floor }, at });
            let rise = if floor == 1 { Metres(0.0) } else { stairwell.storey_height };
            graph.add_edge(
                below,
                landing,
                Edge {
                    kind: EdgeKind::Stairs,
                    length: Metres(0.0),
                    rise,
                    tricycle: false,
                    foot: true,
                    path: vec![at, at],
                },
            );
            stairwell.floors.push(landing);
            below = landing;
        }
    }
}

/// Islands, tricycle reachability of sites and gates, and households on foot.
fn check_reachability(area: &Area, gate_tricycle: &[bool], problems: &mut Vec<Problem>) {
    let g = &area.graph;
    let mut islands = UnionFind::<usize>::new(g.node_count());
    for e in g.edge_references().filter(|e| e.weight().foot) {
        islands.union(e.source().index(), e.target().index());
    }
    let gate_roots: Vec<usize> = area.gates.iter().map(|gate| islands.find(gate.node.index())).collect();
    let reaches_gate = |n: NodeIndex| gate_roots.contains(&islands.find(n.index()));

    // One problem per island, named by its lanes.
    let mut island_lanes: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for e in g.edge_references() {
        if let EdgeKind::Lane(l) = e.weight().kind
            && !reaches_gate(e.source())
        {
            island_lanes.entry(islands.find(e.source().index())).or_default().push(l);
        }
    }
    for mut lanes in island_lanes.into_values() {
        lanes.sort_unstable();
        lanes.dedup();
        let names: Vec<&str> = lanes.iter().take(5).map(|l| area.lanes[*l].id.as_str()).collect();
        let more = if lanes.len() > 5 { format!(" and {} more", lanes.len() - 5) } else { String::new() };
        problems.push(Problem::new(
            Code::LaneIsland,
            Some(names[0]),
            format!("lanes {}{more} are not connected to any gate on foot", names.join(", ")),
        ));
    }

    // Tricycles start at gates whose connector they can use.
    let mut seen = vec![false; g.node_count()];
    let mut queue: VecDeque<NodeIndex> = VecDeque::new();
    for (gate, ok) in area.gates.iter().zip(gate_tricycle) {
        if *ok {
            seen[gate.node.index()] = true;
            queue.push_back(gate.node);
        } else {
            problems.push(Problem::new(
                Code::NotTricycleReachable,
                Some(&gate.id),
                format!("gate '{}' is not next to any lane a tricycle can use", gate.id),
            ));
        }
    }
    while let Some(n) = queue.pop_front() {
        for e in g.edges(n).filter(|e| e.weight().tricycle) {
            let next = if e.source() == n { e.target() } else { e.source() };
            if !std::mem::replace(&mut seen[next.index()], true) {
                queue.push_back(next);
            }
        }
    }
    for site in area.sites.iter().filter(|s| !seen[s.node.index()]) {
        problems.push(Problem::new(
            Code::NotTricycleReachable,
            Some(&site.id),
            format!("no tricycle route leads from a gate to station site '{}'", site.id),
        ));
    }

    for s in area.stairwells.iter().filter(|s| !reaches_gate(s.door)) {
        for h in &s.households {
            let id = &area.households[*h].id;
            problems.push(Problem::new(
                Code::HouseholdUnreachable,
                Some(id),
                format!("household '{id}' behind stairwell '{}' cannot be reached on foot from a gate", s.id),
            ));
        }
    }
}

/// Warnings about things that are legal but likely incomplete.
fn check_completeness(area: &Area, problems: &mut Vec<Problem>) {
    for b in area.buildings.iter().filter(|b| b.stairwells.is_empty()) {
        problems.push(Problem::new(
            Code::BuildingWithoutStairwell,
            Some(&b.id),
            format!("building '{}' has no stairwell", b.id),
        ));
    }
    for s in area.stairwells.iter().filter(|s| s.households.is_empty()) {
        problems.push(Problem::new(
            Code::StairwellWithoutHouseholds,
            Some(&s.id),
            format!("stairwell '{}' serves no household", s.id),
        ));
    }
    if !area.sites.is_empty() && area.open_sites().next().is_none() {
        problems.push(Problem::new(Code::NoOpenStation, None, "no station site is open"));
    }
}
