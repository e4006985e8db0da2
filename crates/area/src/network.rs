//! Lane centrelines → graph: split lanes where they meet, join near misses, snap points.
//!
//! Lanes meet where they share a vertex (to the centimetre), where one ends on another, and
//! where two on the same `layer` cross. An end that stops short of another lane by less than
//! the join tolerance is joined to it with a warning. Gates, sites and doors are linked to the
//! nearest suitable lane by a straight connector edge.

use crate::graph::{AreaGraph, Edge, EdgeKind, Node, NodeKind};
use crate::problem::{Code, Problem};
use geo::{Coord, Line, LineIntersection, line_intersection::line_intersection};
use lastmetre_model::Metres;
use petgraph::graph::NodeIndex;
use rstar::primitives::{GeomWithData, Line as RLine};
use rstar::{PointDistance, RTree};
use std::collections::HashMap;

/// Positions closer than this are the same point.
const SAME_POINT_M: f64 = 0.01;

/// A lane as the network builder needs it.
pub(crate) struct LaneInput<'a> {
    pub id: &'a str,
    pub path: Vec<[f64; 2]>,
    pub layer: i32,
    pub tricycle: bool,
    pub foot: bool,
}

/// What a point to attach asks of its lane.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// A walkable lane (stairwell doors).
    Foot,
    /// A tricycle lane if one is in reach, else a walkable one (gates, sites).
    TricycleFirst,
}

/// The outcome of attaching a point.
pub(crate) enum Attached {
    /// Linked; the connector is tricycle-passable or not.
    Linked { node: NodeIndex, tricycle: bool },
    /// No suitable lane within the snap tolerance; the distance to the nearest lane, if any.
    TooFar(Option<f64>),
}

type Segment = GeomWithData<RLine<[f64; 2]>, (usize, usize)>;

/// A place along a lane where the lane must be split.
struct Cut {
    /// Distance from the lane's start.
    s: f64,
    at: [f64; 2],
}

/// Incrementally built lane network.
pub(crate) struct Network<'a> {
    pub graph: AreaGraph,
    pub problems: Vec<Problem>,
    lanes: Vec<LaneInput<'a>>,
    /// Cumulative distance at each vertex, per lane.
    chainage: Vec<Vec<f64>>,
    cuts: Vec<Vec<Cut>>,
    tree: RTree<Segment>,
    nodes_at: HashMap<(i64, i64), NodeIndex>,
    /// Extra lane edges that close near-miss gaps: (lane, from, to).
    gap_links: Vec<(usize, [f64; 2], [f64; 2])>,
}

fn key(p: [f64; 2]) -> (i64, i64) {
    ((p[0] / SAME_POINT_M).round() as i64, (p[1] / SAME_POINT_M).round() as i64)
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// Closest point to `p` on segment `a`–`b`, and its fraction along the segment.
fn project(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> ([f64; 2], f64) {
    let d = [b[0] - a[0], b[1] - a[1]];
    let len2 = d[0] * d[0] + d[1] * d[1];
    let t = if len2 == 0.0 { 0.0 } else { (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / len2).clamp(0.0, 1.0) };
    ([a[0] + t * d[0], a[1] + t * d[1]], t)
}

impl<'a> Network<'a> {
    /// Indexes the lanes and finds where they meet. Lanes must have two or more distinct
    /// vertices.
    pub fn new(lanes: Vec<LaneInput<'a>>, join_tolerance: Metres) -> Self {
        let chainage: Vec<Vec<f64>> = lanes
            .iter()
            .map(|lane| {
                let mut acc = 0.0;
                let mut out = Vec::with_capacity(lane.path.len());
                out.push(0.0);
                for w in lane.path.windows(2) {
                    acc += dist(w[0], w[1]);
                    out.push(acc);
                }
                out
            })
            .collect();
        let segments: Vec<Segment> = lanes
            .iter()
            .enumerate()
            .flat_map(|(l, lane)| {
                lane.path.windows(2).enumerate().map(move |(s, w)| GeomWithData::new(RLine::new(w[0], w[1]), (l, s)))
            })
            .collect();
        let mut net = Network {
            graph: AreaGraph::default(),
            problems: Vec::new(),
            cuts: lanes.iter().map(|_| Vec::new()).collect(),
            lanes,
            chainage,
            tree: RTree::bulk_load(segments),
            nodes_at: HashMap::new(),
            gap_links: Vec::new(),
        };
        net.cut_at_shared_vertices();
        net.cut_at_crossings();
        net.join_near_misses(join_tolerance.get());
        net
    }

    fn add_cut(&mut self, lane: usize, seg: usize, t: f64, at: [f64; 2]) {
        let s = self.chainage[lane][seg] + t * (self.chainage[lane][seg + 1] - self.chainage[lane][seg]);
        self.cuts[lane].push(Cut { s, at });
    }

    /// Lane ends always, and interior vertices that another lane (or a loop) also uses.
    fn cut_at_shared_vertices(&mut self) {
        let mut uses: HashMap<(i64, i64), u32> = HashMap::new();
        for lane in &self.lanes {
            for &p in &lane.path {
                *uses.entry(key(p)).or_default() += 1;
            }
        }
        for l in 0..self.lanes.len() {
            let n = self.lanes[l].path.len();
            for i in 0..n {
                let p = self.lanes[l].path[i];
                if i == 0 || i == n - 1 || uses[&key(p)] > 1 {
                    self.cuts[l].push(Cut { s: self.chainage[l][i], at: p });
                }
            }
        }
    }

    /// Segments of different lanes on one layer that touch or cross.
    fn cut_at_crossings(&mut self) {
        let mut found = Vec::new();
        let mut warned = std::collections::HashSet::new();
        for seg in self.tree.iter() {
            let (la, sa) = seg.data;
            let a = seg.geom();
            for other in self.tree.locate_in_envelope_intersecting(&rstar::RTreeObject::envelope(a)) {
                let (lb, sb) = other.data;
                if lb <= la || self.lanes[la].layer != self.lanes[lb].layer {
                    continue;
                }
                let b = other.geom();
                let la_line = Line::new(Coord::from(a.from), Coord::from(a.to));
                let lb_line = Line::new(Coord::from(b.from), Coord::from(b.to));
                if let Some(LineIntersection::SinglePoint { intersection, is_proper }) =
                    line_intersection(la_line, lb_line)
                {
                    let at = [intersection.x, intersection.y];
                    found.push((la, sa, project(at, a.from, a.to).1, at));
                    found.push((lb, sb, project(at, b.from, b.to).1, at));
                    if is_proper && warned.insert((la, lb)) {
                        self.problems.push(Problem::new(
                            Code::CrossingJoined,
                            Some(self.lanes[la].id),
                            format!(
                                "lanes '{}' and '{}' cross without a shared vertex; joined as an at-grade crossing",
                                self.lanes[la].id, self.lanes[lb].id
                            ),
                        ));
                    }
                }
            }
        }
        for (lane, seg, t, at) in found {
            self.add_cut(lane, seg, t, at);
        }
    }

    /// A lane end that no other lane touches, but that stops within `tolerance` of one.
    fn join_near_misses(&mut self, tolerance: f64) {
        let mut touched: HashMap<(i64, i64), u32> = HashMap::new();
        for cuts in &self.cuts {
            let mut keys: Vec<_> = cuts.iter().map(|c| key(c.at)).collect();
            keys.sort_unstable();
            keys.dedup();
            for k in keys {
                *touched.entry(k).or_default() += 1;
            }
        }
        let mut joins = Vec::new();
        for (l, lane) in self.lanes.iter().enumerate() {
            for end in [lane.path[0], lane.path[lane.path.len() - 1]] {
                if touched[&key(end)] > 1 {
                    continue;
                }
                let nearest = self
                    .tree
                    .nearest_neighbor_iter_with_distance_2(&end)
                    .take_while(|(_, d2)| d2.sqrt() <= tolerance)
                    .find(|(s, _)| {
                        let other = s.data.0;
                        other != l && self.lanes[other].layer == lane.layer
                    });
                if let Some((seg, d2)) = nearest {
                    let (to, t) = project(end, seg.geom().from, seg.geom().to);
                    joins.push((l, end, seg.data, t, to, d2.sqrt()));
                }
            }
        }
        for (l, end, (other, seg), t, to, d) in joins {
            self.add_cut(other, seg, t, to);
            self.gap_links.push((l, end, to));
            self.problems.push(Problem::new(
                Code::EndpointsJoined,
                Some(self.lanes[l].id),
                format!("lane '{}' ends {d:.2} m short of lane '{}'; joined", self.lanes[l].id, self.lanes[other].id),
            ));
        }
    }

    fn node_at(&mut self, at: [f64; 2], kind: NodeKind) -> NodeIndex {
        *self.nodes_at.entry(key(at)).or_insert_with(|| self.graph.add_node(Node { kind, at }))
    }

    /// Links a point to the nearest suitable lane within `tolerance` by a connector edge.
    pub fn attach(&mut self, at: [f64; 2], kind: NodeKind, need: Need, tolerance: f64) -> Attached {
        let lanes = &self.lanes;
        let within = |tricycle: bool| {
            self.tree
                .nearest_neighbor_iter_with_distance_2(&at)
                .take_while(|(_, d2)| d2.sqrt() <= tolerance)
                .find(|(s, _)| {
                    let lane = &lanes[s.data.0];
                    lane.foot && (!tricycle || lane.tricycle)
                })
                .map(|(s, _)| (s.data, *s.geom()))
        };
        let hit = match need {
            Need::TricycleFirst => within(true).or_else(|| within(false)),
            Need::Foot => within(false),
        };
        let Some(((lane, seg), line)) = hit else {
            let nearest = self.tree.nearest_neighbor(&at).map(|s| s.distance_2(&at).sqrt());
            return Attached::TooFar(nearest);
        };
        let (snap, t) = project(at, line.from, line.to);
        self.add_cut(lane, seg, t, snap);
        let tricycle = need == Need::TricycleFirst && self.lanes[lane].tricycle;
        let point = self.graph.add_node(Node { kind, at });
        let snap_node = self.node_at(snap, NodeKind::Snap);
        self.graph.add_edge(
            point,
            snap_node,
            Edge {
                kind: EdgeKind::Connector,
                length: Metres(dist(at, snap)),
                rise: Metres(0.0),
                tricycle,
                foot: true,
                path: vec![at, snap],
            },
        );
        Attached::Linked { node: point, tricycle }
    }

    /// Splits every lane at its cuts and adds the pieces as edges. Call after all `attach`.
    pub fn finish(mut self) -> (AreaGraph, Vec<Problem>) {
        for l in 0..self.lanes.len() {
            let mut cuts = std::mem::take(&mut self.cuts[l]);
            cuts.sort_by(|a, b| a.s.total_cmp(&b.s));
            let path = std::mem::take(&mut self.lanes[l].path);
            let chain = std::mem::take(&mut self.chainage[l]);
            for pair in cuts.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                if key(a.at) == key(b.at) {
                    continue;
                }
                let mut piece = vec![a.at];
                piece.extend(
                    chain
                        .iter()
                        .zip(&path)
                        .filter(|(s, _)| **s > a.s && **s < b.s)
                        .map(|(_, p)| *p)
                        .filter(|p| key(*p) != key(a.at) && key(*p) != key(b.at)),
                );
                piece.push(b.at);
                self.add_lane_edge(l, piece);
            }
        }
        for (l, from, to) in std::mem::take(&mut self.gap_links) {
            self.add_lane_edge(l, vec![from, to]);
        }
        (self.graph, self.problems)
    }

    fn add_lane_edge(&mut self, lane: usize, path: Vec<[f64; 2]>) {
        let from = self.node_at(path[0], NodeKind::Junction);
        let to = self.node_at(path[path.len() - 1], NodeKind::Junction);
        if from == to {
            return;
        }
        let length = path.windows(2).map(|w| dist(w[0], w[1])).sum();
        let LaneInput { tricycle, foot, .. } = self.lanes[lane];
        self.graph.add_edge(
            from,
            to,
            Edge { kind: EdgeKind::Lane(lane), length: Metres(length), rise: Metres(0.0), tricycle, foot, path },
        );
    }
}
