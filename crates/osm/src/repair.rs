//! Makes the imported plan routable: doors far from any way get a footway to the nearest one,
//! and what the gate cannot reach on foot is left out (and listed).

use crate::buildings::list;
use crate::lanes::Lanes;
use crate::params::ImportParams;
use crate::{DropReason, Dropped, Estimate, Import, ImportError};
use lastmetre_area::{Area, Edge, EdgeKind, LaneClass, LaneSpec, LonLat, build_with_problems};
use lastmetre_model::Metres;
use petgraph::graph::NodeIndex;
use petgraph::visit::{Bfs, EdgeFiltered, EdgeRef};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

/// Doors too far from a way are reported in squares of this side, metres.
const GROUP_CELL_M: f64 = 250.0;

/// Draws a straight footway from every door beyond the snap tolerance to its nearest walkable
/// way, or leaves the stairwell out when that is farther than `door_link_max_m`.
pub(crate) fn link_doors(lanes: &Lanes, params: &ImportParams, import: &mut Import) {
    let tolerance = params.area.snap_tolerance.get();
    let mut too_far = HashSet::new();
    let mut links = Vec::new();
    let mut pinned = import.spec.lanes.clone();
    for s in &import.spec.stairwells {
        let at = lanes.frame.to_local(s.at);
        let Some((segment, d)) = lanes.nearest(at) else { continue };
        if d <= tolerance {
            continue;
        }
        if d > params.door_link_max_m {
            too_far.insert(s.id.clone());
            continue;
        }
        let to = segment.geom().nearest_point(&at);
        let to = pin(&mut pinned[segment.data], &lanes.frame, to);
        links.push((
            s.id.clone(),
            LaneSpec {
                id: format!("link-{}", s.id),
                path: vec![s.at, to],
                width: Some(Metres(params.default_width("footway"))),
                class: LaneClass::Alley,
                incline_pct: None,
                tricycle: None,
                foot: true,
                layer: 0,
            },
            d,
        ));
    }
    import.spec.lanes = pinned;
    for (stairwell, lane, d) in links {
        let why =
            format!("no way within {tolerance} m of door {stairwell}: straight footway of {d:.0} m to the nearest");
        import.mark(&lane.id, Estimate::DoorLink, "geometry", why);
        import.mark(&lane.id, Estimate::LaneWidth, "width", "default for highway=footway");
        import.spec.lanes.push(lane);
    }
    if !too_far.is_empty() {
        let mut names: Vec<String> = too_far.iter().cloned().collect();
        names.sort();
        import.warnings.push(format!(
            "{} stairwell(s) more than {} m from any walkable way were left out with their households: {}",
            names.len(),
            params.door_link_max_m,
            list(&names)
        ));
        // One group per square of the map, so that each says where to look.
        let mut cells: std::collections::BTreeMap<(i64, i64), HashSet<String>> = std::collections::BTreeMap::new();
        for s in import.spec.stairwells.iter().filter(|s| too_far.contains(&s.id)) {
            let [x, y] = lanes.frame.to_local(s.at);
            let cell = ((x / GROUP_CELL_M).floor() as i64, (y / GROUP_CELL_M).floor() as i64);
            cells.entry(cell).or_default().insert(s.id.clone());
        }
        drop_groups(cells.into_values().map(|g| (DropReason::DoorTooFar, g)).collect(), import);
    }
}

/// Leaves out the stairwells of every group, their households and the buildings left
/// without a door, and reports each group. One pass over the area for all the groups: a
/// district can have dozens.
fn drop_groups(groups: Vec<(DropReason, HashSet<String>)>, import: &mut Import) {
    let groups: Vec<(DropReason, HashSet<String>)> = groups.into_iter().filter(|(_, g)| !g.is_empty()).collect();
    if groups.is_empty() {
        return;
    }
    let group_of: HashMap<&str, usize> =
        groups.iter().enumerate().flat_map(|(k, (_, g))| g.iter().map(move |id| (id.as_str(), k))).collect();
    let spec = &import.spec;
    let mut households = vec![0usize; groups.len()];
    for h in &spec.households {
        if let Some(k) = group_of.get(h.stairwell.as_str()) {
            households[*k] += 1;
        }
    }
    let mut doors: Vec<Vec<LonLat>> = vec![Vec::new(); groups.len()];
    let mut keeps_a_door: HashSet<&str> = HashSet::new();
    let mut group_of_building: HashMap<&str, usize> = HashMap::new();
    for s in &spec.stairwells {
        match group_of.get(s.id.as_str()) {
            Some(&k) => {
                doors[k].push(s.at);
                group_of_building.entry(s.building.as_str()).or_insert(k);
            }
            None => {
                keeps_a_door.insert(s.building.as_str());
            }
        }
    }
    let mut buildings = vec![0usize; groups.len()];
    for b in &spec.buildings {
        if let (false, Some(k)) = (keeps_a_door.contains(b.id.as_str()), group_of_building.get(b.id.as_str())) {
            buildings[*k] += 1;
        }
    }
    let gone: HashSet<String> = group_of.keys().map(|id| (*id).to_owned()).collect();
    let spec = &mut import.spec;
    spec.stairwells.retain(|s| !gone.contains(&s.id));
    spec.households.retain(|h| !gone.contains(&h.stairwell));
    let with_doors: HashSet<&str> = spec.stairwells.iter().map(|s| s.building.as_str()).collect();
    spec.buildings.retain(|b| with_doors.contains(b.id.as_str()));
    let kept: HashSet<&str> = spec
        .lanes
        .iter()
        .map(|l| l.id.as_str())
        .chain(spec.buildings.iter().map(|b| b.id.as_str()))
        .chain(spec.stairwells.iter().map(|s| s.id.as_str()))
        .chain(spec.households.iter().map(|h| h.id.as_str()))
        .chain(spec.gates.iter().map(|g| g.id.as_str()))
        .collect();
    import.features.retain(|id, _| kept.contains(id.as_str()));
    for (k, (reason, group)) in groups.into_iter().enumerate() {
        let n = doors[k].len() as f64;
        let at = (n > 0.0).then(|| {
            LonLat::new(
                doors[k].iter().map(|d| d.lon).sum::<f64>() / n,
                doors[k].iter().map(|d| d.lat).sum::<f64>() / n,
            )
        });
        let mut examples: Vec<String> = group.iter().cloned().collect();
        examples.sort();
        examples.truncate(5);
        import.dropped.push(Dropped {
            reason,
            households: households[k],
            buildings: buildings[k],
            stairwells: group.len(),
            at,
            examples,
        });
    }
}

/// Which nodes a walk (or ride) from `start` reaches over the edges `usable` allows.
pub(crate) fn reach(g: &lastmetre_area::AreaGraph, start: NodeIndex, usable: impl Fn(&Edge) -> bool) -> Vec<bool> {
    let filtered = EdgeFiltered::from_fn(g, |e| usable(e.weight()));
    let mut seen = vec![false; g.node_count()];
    let mut bfs = Bfs::new(&filtered, start);
    while let Some(n) = bfs.next(&filtered) {
        seen[n.index()] = true;
    }
    seen
}

/// Puts a vertex into `lane` at the point of it nearest `at` (metres in `frame`), and returns
/// that vertex. A line drawn to it then shares the vertex exactly, also once written to a file
/// and read back: a point merely near a lane's middle can round away from it.
pub(crate) fn pin(lane: &mut LaneSpec, frame: &lastmetre_area::LocalFrame, at: [f64; 2]) -> LonLat {
    let local: Vec<[f64; 2]> = lane.path.iter().map(|p| frame.to_local(*p)).collect();
    let mut best = (0usize, local[0], f64::INFINITY);
    for (k, w) in local.windows(2).enumerate() {
        let p = rstar::primitives::Line::new(w[0], w[1]).nearest_point(&at);
        let d = (p[0] - at[0]).hypot(p[1] - at[1]);
        if d < best.2 {
            best = (k, p, d);
        }
    }
    let (k, p, _) = best;
    for v in [k, k + 1] {
        if (local[v][0] - p[0]).hypot(local[v][1] - p[1]) < 0.05 {
            return lane.path[v];
        }
    }
    let vertex = frame.to_lon_lat(p);
    lane.path.insert(k + 1, vertex);
    vertex
}

/// Walking distance, on the level (stairs are not a way through), from the nearest of
/// `sources` to every node within `limit` metres.
pub(crate) fn walk_within(area: &Area, sources: &[NodeIndex], limit: f64) -> HashMap<NodeIndex, f64> {
    let g = &area.graph;
    let mut best: HashMap<NodeIndex, f64> = sources.iter().map(|s| (*s, 0.0)).collect();
    let mut heap: BinaryHeap<(Reverse<Distance>, NodeIndex)> =
        sources.iter().map(|s| (Reverse(Distance(0.0)), *s)).collect();
    while let Some((Reverse(Distance(d)), n)) = heap.pop() {
        if best.get(&n).is_some_and(|b| d > *b) {
            continue;
        }
        for e in g.edges(n).filter(|e| e.weight().foot && e.weight().kind != EdgeKind::Stairs) {
            let m = if e.target() == n { e.source() } else { e.target() };
            let next = d + e.weight().length.get();
            if next <= limit && best.get(&m).is_none_or(|b| next < *b) {
                best.insert(m, next);
                heap.push((Reverse(Distance(next)), m));
            }
        }
    }
    best
}

/// Metres that sort, for the heap.
#[derive(Clone, Copy, PartialEq)]
struct Distance(f64);
impl Eq for Distance {}
impl PartialOrd for Distance {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Distance {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Builds the plan as it stands and leaves out the lanes and stairwells that no path on foot
/// joins to the gate. Returns the built (partial) area, for laying out station sites.
pub(crate) fn prune(params: &ImportParams, import: &mut Import) -> Result<Area, ImportError> {
    let (area, _) = build_with_problems(&import.spec, &params.area);
    let Some(gate) = import.spec.gates.first() else {
        return Err(ImportError::GateUnreachable {
            at: "nowhere".into(),
            why: "no gate candidate lies next to a lane; give --gate on a way inside the area".into(),
        });
    };
    let at = format!("{:.7},{:.7}", gate.at.lon, gate.at.lat);
    let Some(start) = area.gates.first().map(|g| g.node) else {
        return Err(ImportError::GateUnreachable { at, why: "it is not next to any usable way".into() });
    };
    let g = &area.graph;
    if !g.edges(start).any(|e| e.weight().tricycle) {
        let why = format!(
            "no lane a tricycle can use passes within {} m of it; give --gate on a street, or check the lane widths (docs/osm-import.md)",
            params.area.snap_tolerance.get()
        );
        return Err(ImportError::GateUnreachable { at, why });
    }
    let seen = reach(g, start, |e| e.foot);
    let reached_lanes: HashSet<&str> = g
        .edge_references()
        .filter_map(|e| match e.weight().kind {
            // By its source end, as `validate` judges islands (E201): a `foot=no` lane that only
            // touches the walking network at one end would fail it.
            EdgeKind::Lane(l) if seen[e.source().index()] => Some(area.lanes[l].id.as_str()),
            _ => None,
        })
        .collect();
    let dropped: Vec<String> =
        import.spec.lanes.iter().filter(|l| !reached_lanes.contains(l.id.as_str())).map(|l| l.id.clone()).collect();
    if !dropped.is_empty() {
        import.warnings.push(format!(
            "{} lane(s) not joined to the gate on foot were left out: {}",
            dropped.len(),
            list(&dropped)
        ));
        import.spec.lanes.retain(|l| reached_lanes.contains(l.id.as_str()));
        let gone: HashSet<&str> = dropped.iter().map(String::as_str).collect();
        import.features.retain(|id, _| !gone.contains(id.as_str()));
    }
    let reached_doors: HashSet<&str> =
        area.stairwells.iter().filter(|s| seen[s.door.index()]).map(|s| s.id.as_str()).collect();
    let cut_off: Vec<&lastmetre_area::Stairwell> =
        area.stairwells.iter().filter(|s| !reached_doors.contains(s.id.as_str())).collect();
    // Stairwells the graph could not attach at all are cut off too.
    let attached: HashSet<&str> = area.stairwells.iter().map(|s| s.id.as_str()).collect();
    let unattached: HashSet<String> =
        import.spec.stairwells.iter().filter(|s| !attached.contains(s.id.as_str())).map(|s| s.id.clone()).collect();
    if !cut_off.is_empty() || !unattached.is_empty() {
        let households = cut_off.iter().map(|s| s.households.len()).sum::<usize>()
            + import.spec.households.iter().filter(|h| unattached.contains(&h.stairwell)).count();
        let mut names: Vec<String> = cut_off.iter().map(|s| s.id.clone()).chain(unattached.iter().cloned()).collect();
        names.sort();
        import.warnings.push(format!(
            "{} stairwell(s) with {households} household(s) that no path on foot joins to the gate were left out: {}",
            names.len(),
            list(&names)
        ));
    }
    // One group per part of the network, so that the report says where each lies.
    let parts = crate::connect::foot_parts(&area);
    let mut groups: std::collections::BTreeMap<usize, HashSet<String>> = std::collections::BTreeMap::new();
    for s in &cut_off {
        groups.entry(parts.find(s.door.index())).or_default().insert(s.id.clone());
    }
    let mut all: Vec<(DropReason, HashSet<String>)> =
        groups.into_values().map(|g| (DropReason::NotJoined, g)).collect();
    all.push((DropReason::Refused, unattached));
    drop_groups(all, import);
    import.dropped.sort_by(|a, b| b.households.cmp(&a.households).then(a.reason.cmp(&b.reason)));
    if import.spec.households.is_empty() {
        return Err(ImportError::GateUnreachable {
            at,
            why: "no path on foot leads from it to any building; give --gate on a way that leads into the area".into(),
        });
    }
    Ok(area)
}
