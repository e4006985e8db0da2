//! Joins the pieces of a real map's walking network: a way that stops a few metres short of
//! another, and a part that no way joins to the rest (a fragment cut by the box, a compound
//! mapped without its paths). Every join is a short footway, marked as a guess.

use crate::params::ImportParams;
use crate::{Estimate, Import};
use lastmetre_area::{Area, EdgeKind, LaneClass, LaneSpec, NodeKind, build_with_problems};
use lastmetre_model::Metres;
use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;
use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};

/// A walkable piece of lane: its graph edge's part of the network.
/// The walkable piece of a graph edge: its source node (for its part) and the edge.
type Piece = GeomWithData<Line<[f64; 2]>, (usize, usize)>;

/// The walking network's parts: one label per graph node, over walkable edges.
pub(crate) fn foot_parts(area: &Area) -> UnionFind<usize> {
    let g = &area.graph;
    let mut parts = UnionFind::new(g.node_count());
    for e in g.edge_references().filter(|e| e.weight().foot) {
        parts.union(e.source().index(), e.target().index());
    }
    parts
}

/// Adds the joins to `import.spec.lanes`.
pub(crate) fn join_gaps(params: &ImportParams, import: &mut Import) {
    let (area, _) = build_with_problems(&import.spec, &params.area);
    let g = &area.graph;
    let mut parts = foot_parts(&area);
    let mut pieces = Vec::new();
    for e in g.edge_references() {
        if !(e.weight().foot && matches!(e.weight().kind, EdgeKind::Lane(_))) {
            continue;
        }
        for w in e.weight().path.windows(2) {
            pieces.push(GeomWithData::new(Line::new(w[0], w[1]), (e.source().index(), e.id().index())));
        }
    }
    let index: RTree<Piece> = RTree::bulk_load(pieces);
    let mut joins: Vec<Join> = Vec::new();

    // 1. Ends of ways that stop short of a way of another part.
    let mut dangling = 0usize;
    for n in g.node_indices() {
        let lane_edges: Vec<_> = g.edges(n).filter(|e| matches!(e.weight().kind, EdgeKind::Lane(_))).collect();
        if g[n].kind != NodeKind::Junction || lane_edges.len() != 1 || !lane_edges[0].weight().foot {
            continue;
        }
        let at = g[n].at;
        let nearest = index
            .locate_within_distance(at, params.dangling_join_m * params.dangling_join_m)
            .filter(|p| !parts.equiv(p.data.0, n.index()))
            .map(|p| (p, p.distance_2(&at)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((piece, _)) = nearest {
            let to = piece.geom().nearest_point(&at);
            parts.union(piece.data.0, n.index());
            let EdgeKind::Lane(lane) = lane_edges[0].weight().kind else { continue };
            dangling += 1;
            joins.push(Join {
                id: format!("join-{dangling}"),
                from: at,
                to,
                to_edge: piece.data.1,
                extends: Some(lane),
            });
        }
    }

    // 2. Whole parts that no way joins: to the nearest other part, smallest parts first, until
    // nothing within `part_join_m` is left to join.
    let mut whole = 0usize;
    let radius2 = params.part_join_m * params.part_join_m;
    // Each round joins every part that can be joined, so the parts only get fewer; the cap
    // is a guard, far above what a map needs.
    for _round in 0..64 {
        let labels = parts.clone().into_labeling();
        let mut size = std::collections::HashMap::<usize, f64>::new();
        for e in g.edge_references().filter(|e| e.weight().foot) {
            *size.entry(labels[e.source().index()]).or_default() += e.weight().length.get();
        }
        let Some(&largest) = size.iter().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0))).map(|(k, _)| k) else {
            break;
        };
        let mut order: Vec<(usize, f64)> = size.into_iter().filter(|(k, _)| *k != largest).collect();
        order.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut edges_of = std::collections::HashMap::<usize, Vec<_>>::new();
        for e in g.edge_references().filter(|e| e.weight().foot) {
            edges_of.entry(labels[e.source().index()]).or_default().push(e);
        }
        let mut joined_any = false;
        for (label, _) in order {
            // The part's vertices, and the nearest piece of another part to any of them.
            // From, to, the piece's (part, edge), squared distance.
            type Nearest = ([f64; 2], [f64; 2], (usize, usize), f64);
            let mut best: Option<Nearest> = None;
            for e in edges_of.get(&label).into_iter().flatten() {
                for &at in &e.weight().path {
                    for p in index.locate_within_distance(at, radius2) {
                        if parts.equiv(p.data.0, e.source().index()) {
                            continue;
                        }
                        let d = p.distance_2(&at);
                        if best.is_none_or(|b| d < b.3) {
                            best = Some((at, p.geom().nearest_point(&at), p.data, d));
                        }
                    }
                }
            }
            let Some((at, to, other, _)) = best else { continue };
            if parts.equiv(label, other.0) {
                continue;
            }
            parts.union(label, other.0);
            whole += 1;
            joined_any = true;
            joins.push(Join { id: format!("join-part-{whole}"), from: at, to, to_edge: other.1, extends: None });
        }
        if !joined_any {
            break;
        }
    }

    let footway = params.default_width("footway");
    let lane_of: std::collections::HashMap<String, usize> =
        import.spec.lanes.iter().enumerate().map(|(k, l)| (l.id.clone(), k)).collect();
    let mut pinned = import.spec.lanes.clone();
    let mut new_lanes = Vec::new();
    for Join { id, from, to, to_edge, extends } in joins {
        let length = (from[0] - to[0]).hypot(from[1] - to[1]);
        if length < 0.05 {
            continue;
        }
        let why = match extends {
            Some(l) => format!("lane {} stops {length:.1} m short of a way it does not meet; joined", area.lanes[l].id),
            None => {
                format!("no way joins this part of the network to the rest; joined where they come {length:.0} m apart")
            }
        };
        // Both ends on vertices of the lanes they join, so that they stay joined in the file.
        let on = |k: usize| match g.edge_weight(petgraph::graph::EdgeIndex::new(k)).map(|e| e.kind) {
            Some(EdgeKind::Lane(l)) => lane_of.get(area.lanes[l].id.as_str()).copied(),
            _ => None,
        };
        let Some(target) = on(to_edge) else { continue };
        let to = crate::repair::pin(&mut pinned[target], &area.frame, to);
        let from = match nearest_lane_at(&area, from).and_then(on) {
            Some(source) => crate::repair::pin(&mut pinned[source], &area.frame, from),
            None => area.frame.to_lon_lat(from),
        };
        import.mark(&id, Estimate::GapJoin, "geometry", why);
        import.mark(&id, Estimate::LaneWidth, "width", "default for highway=footway");
        new_lanes.push(LaneSpec {
            id,
            path: vec![from, to],
            width: Some(Metres(footway)),
            class: LaneClass::Alley,
            incline_pct: None,
            tricycle: None,
            foot: true,
            layer: 0,
        });
    }
    // Count the joins drawn (a join of under 5 cm is left to the network's near-miss rule).
    let whole = new_lanes.iter().filter(|l| l.id.starts_with("join-part-")).count();
    let dangling = new_lanes.len() - whole;
    import.spec.lanes = pinned;
    import.spec.lanes.extend(new_lanes);
    if dangling + whole > 0 {
        import.warnings.push(format!(
            "{dangling} way end(s) that stop short of another way, and {whole} part(s) of the network that no way joins, were joined by short footways (marked `join-…`): check them on the ground"
        ));
    }
}

/// A footway to draw between two parts of the network.
struct Join {
    id: String,
    /// Where it starts: a vertex of its own part.
    from: [f64; 2],
    /// Where it ends, on the graph edge `to_edge` of the other part.
    to: [f64; 2],
    to_edge: usize,
    /// The lane whose free end it extends; none for a join between whole parts.
    extends: Option<usize>,
}

/// A walkable lane edge that passes through `at` (a vertex of its path), if any.
fn nearest_lane_at(area: &Area, at: [f64; 2]) -> Option<usize> {
    area.graph
        .edge_references()
        .filter(|e| e.weight().foot && matches!(e.weight().kind, EdgeKind::Lane(_)))
        .find(|e| e.weight().path.iter().any(|p| (p[0] - at[0]).hypot(p[1] - at[1]) < 0.01))
        .map(|e| e.id().index())
}
