//! `highway=*` ways → lanes, clipped to the boundary, with widths given or assumed.

use crate::boundary::Boundary;
use crate::params::{ImportParams, LANE_CLASSES};
use crate::xml::{OsmData, Way};
use crate::{Estimate, Import, values};
use lastmetre_area::{LaneClass, LaneSpec, LocalFrame, LonLat, tricycle_passable};
use lastmetre_model::Metres;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};
use std::collections::HashMap;

/// A walkable lane segment in the local frame, with the index of its lane in the spec.
pub(crate) type Segment = GeomWithData<Line<[f64; 2]>, usize>;

/// What the later steps need to know about the imported lanes.
pub(crate) struct Lanes {
    /// Metres around the lanes' centre.
    pub frame: LocalFrame,
    /// Walkable segments, for nearest-lane queries.
    pub index: RTree<Segment>,
    /// Per imported way: how good a road it is, for choosing a gate.
    pub ways: HashMap<i64, WayInfo>,
    /// Where imported ways leave the boundary: the lane end on the edge, and its way.
    pub crossings: Vec<(LonLat, i64)>,
    /// The OSM way of each lane in `import.spec.lanes`.
    pub lane_way: Vec<i64>,
}

/// How good a road a way is, for choosing a gate.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WayInfo {
    /// It continues outside the boundary.
    pub leaves: bool,
    /// A tricycle may use it.
    pub tricycle: bool,
    /// Rank of its class: lower is a bigger road.
    pub rank: usize,
}

impl Lanes {
    /// The nearest walkable segment to a local point, and its distance.
    pub fn nearest(&self, at: [f64; 2]) -> Option<(&Segment, f64)> {
        self.index.nearest_neighbor(&at).map(|s| {
            let p = s.geom().nearest_point(&at);
            (s, (p[0] - at[0]).hypot(p[1] - at[1]))
        })
    }
}

/// Rank of a highway class for choosing a gate: streets first, then alleys, steps last.
fn rank(highway: &str) -> usize {
    const ORDER: [&str; 17] = [
        "residential",
        "unclassified",
        "living_street",
        "tertiary",
        "secondary",
        "primary",
        "tertiary_link",
        "secondary_link",
        "primary_link",
        "road",
        "busway",
        "service",
        "track",
        "pedestrian",
        "footway",
        "path",
        "steps",
    ];
    ORDER.iter().position(|c| *c == highway).unwrap_or(ORDER.len())
}

fn class_of(way: &Way, highway: &str) -> LaneClass {
    let alley = way.tags.is("service", "alley") || way.tags.is("footway", "alley");
    match highway {
        "steps" => LaneClass::Steps,
        "footway" | "path" | "pedestrian" => LaneClass::Alley,
        _ if alley => LaneClass::Alley,
        other => LaneClass::Street(other.to_owned()),
    }
}

/// Imports the lanes into `import.spec.lanes`.
pub(crate) fn import(data: &OsmData, boundary: Option<&Boundary>, params: &ImportParams, import: &mut Import) -> Lanes {
    let mut ways = HashMap::new();
    let mut crossings = Vec::new();
    let mut lane_way = Vec::new();
    let mut missing_nodes = 0usize;
    let mut private = 0usize;
    let mut closed = 0usize;
    let mut degenerate = 0usize;
    for way in &data.ways {
        let Some(highway) = way.tags.get("highway").filter(|h| LANE_CLASSES.iter().any(|(c, _)| c == h)) else {
            continue;
        };
        let walkers_allowed = matches!(way.tags.get("foot"), Some("yes" | "designated" | "permissive"));
        if way.tags.is("access", "no") && !walkers_allowed {
            closed += 1;
            continue;
        }
        // A compound's own roads are often access=private: closed to the public, open to the
        // people who work in the sealed area. Kept, and marked so that someone checks.
        let private_way = way.tags.is("access", "private") && !walkers_allowed;
        private += usize::from(private_way);
        // A node missing from the file (an Overpass extract cut at its box) splits the way:
        // joining the nodes on either side would draw a lane that is not there.
        let mut runs: Vec<Vec<LonLat>> = vec![Vec::new()];
        let mut cut_short = false;
        // Positions next to a missing node: where the way leaves what the extract holds.
        let mut cut_ends = Vec::new();
        let mut after_missing = false;
        for r in &way.refs {
            match data.nodes.get(r) {
                Some(node) => {
                    if after_missing {
                        cut_ends.push(node.at);
                        after_missing = false;
                    }
                    runs.last_mut().expect("never empty").push(node.at);
                }
                None => {
                    missing_nodes += 1;
                    cut_short = true;
                    after_missing = true;
                    if let Some(last) = runs.last().and_then(|r| r.last()) {
                        cut_ends.push(*last);
                        runs.push(Vec::new());
                    }
                }
            }
        }
        for run in &mut runs {
            run.dedup_by(|a, b| a.lon == b.lon && a.lat == b.lat);
        }
        runs.retain(|r| r.len() >= 2);
        if runs.is_empty() {
            degenerate += 1;
            continue;
        }
        let mut pieces = Vec::new();
        for run in &runs {
            match boundary {
                Some(b) => pieces.extend(b.clip(run)),
                None => pieces.push(run.clone()),
            }
        }
        if pieces.is_empty() {
            continue;
        }
        // Clipped at all, or missing nodes (which an extract lacks where the way runs on
        // outside its box): the way goes on outside.
        let leaves = cut_short || !(pieces.len() == 1 && pieces[0] == runs[0]);
        let class = class_of(way, highway);
        let alley = class == LaneClass::Alley && !matches!(highway, "footway" | "path" | "pedestrian");
        let (width, guess) = width_of(way, highway, alley, params);
        let layer = match way.tags.get("layer").and_then(values::layer) {
            Some(l) => l,
            None if way.tags.is("bridge", "yes") => 1,
            None if way.tags.is("tunnel", "yes") => -1,
            None => 0,
        };
        let template = LaneSpec {
            id: String::new(),
            path: Vec::new(),
            width: width.map(Metres),
            class,
            incline_pct: way.tags.get("incline").and_then(values::incline),
            tricycle: None,
            foot: !way.tags.is("foot", "no"),
            layer,
        };
        let tricycle = tricycle_passable(&template, &params.area);
        ways.insert(way.id, WayInfo { leaves, tricycle, rank: rank(highway) });
        for (k, piece) in pieces.into_iter().enumerate() {
            for end in [piece[0], piece[piece.len() - 1]] {
                if leaves && (boundary.is_some_and(|b| b.on_edge(end)) || cut_ends.contains(&end)) {
                    crossings.push((end, way.id));
                }
            }
            let id = if k == 0 { format!("w{}", way.id) } else { format!("w{}-{}", way.id, k + 1) };
            import.source(&id, format!("way/{}", way.id));
            if let Some(why) = &guess {
                import.mark(&id, Estimate::LaneWidth, "width", why.clone());
            }
            if private_way {
                import.mark(
                    &id,
                    Estimate::Access,
                    "access",
                    "access=private taken as open to the area's own porters and drivers",
                );
            }
            import.spec.lanes.push(LaneSpec { id, path: piece, ..template.clone() });
            lane_way.push(way.id);
        }
    }
    if missing_nodes > 0 {
        import.warnings.push(format!(
            "{missing_nodes} node reference(s) of lanes are not in the file: the ways were cut there and the parts kept; export with complete ways to keep them whole"
        ));
    }
    if degenerate > 0 {
        import.warnings.push(format!("{degenerate} highway way(s) with fewer than two distinct nodes were left out"));
    }
    if closed > 0 {
        import.warnings.push(format!("{closed} way(s) with access=no (and no foot=yes) were left out"));
    }
    if private > 0 {
        import.warnings.push(format!(
            "{private} way(s) with access=private were kept as the area's own roads (marked); set foot=no or tricycle=no on those the porters may not use"
        ));
    }
    let frame = LocalFrame::around(import.spec.lanes.iter().flat_map(|l| l.path.iter().copied()));
    let mut segments = Vec::new();
    for (i, lane) in import.spec.lanes.iter().enumerate().filter(|(_, l)| l.foot) {
        for w in lane.path.windows(2) {
            let (a, b) = (frame.to_local(w[0]), frame.to_local(w[1]));
            segments.push(GeomWithData::new(Line::new(a, b), i));
        }
    }
    Lanes { frame, index: RTree::bulk_load(segments), ways, crossings, lane_way }
}

/// The lane's width in metres, with the reason when it is a guess: the width tag, else
/// est_width, else the default for alleys or for the highway class.
fn width_of(way: &Way, highway: &str, alley: bool, params: &ImportParams) -> (Option<f64>, Option<String>) {
    match (way.tags.get("width"), way.tags.get("est_width")) {
        (Some(raw), _) if values::metres(raw).is_some() => (values::metres(raw), None),
        (raw, Some(est)) if values::metres(est).is_some() => {
            let why = match raw {
                Some(raw) => format!("width '{raw}' unreadable; est_width tag"),
                None => "est_width tag".to_owned(),
            };
            (values::metres(est), Some(why))
        }
        (raw, _) => {
            let (width, of) = if alley {
                (params.alley_width, "alleys".to_owned())
            } else {
                (params.default_width(highway), format!("highway={highway}"))
            };
            let why = match raw {
                Some(raw) => format!("width '{raw}' unreadable; default for {of}"),
                None => format!("default for {of}"),
            };
            (Some(width), Some(why))
        }
    }
}
