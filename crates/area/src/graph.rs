//! The built area: a petgraph graph of lane junctions, gates, station sites, stairwell doors
//! and floors, plus the records that name them.

use crate::frame::LocalFrame;
use crate::spec::LaneClass;
use lastmetre_model::{AreaParams, Kg, Metres};
use petgraph::graph::{NodeIndex, UnGraph};

/// The routable graph. Node positions are metres in the area's [`LocalFrame`].
pub type AreaGraph = UnGraph<Node, Edge>;

/// What a graph node stands for. Indices point into the [`Area`]'s record vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A lane end, a lane crossing, or a shared vertex of two lanes.
    Junction,
    /// The point on a lane where a gate, site or door connector meets it.
    Snap,
    /// A gate.
    Gate(usize),
    /// A station site.
    Site(usize),
    /// A stairwell's door at street level.
    Door(usize),
    /// A landing of a stairwell (floor 1 is the ground floor).
    Floor {
        /// Stairwell index.
        stairwell: usize,
        /// Floor, counted from 1.
        floor: u32,
    },
}

/// A graph node.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Metres east and north in the area's local frame.
    pub at: [f64; 2],
}

/// What a graph edge stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// A piece of a traced lane (index into [`Area::lanes`]).
    Lane(usize),
    /// The straight link from a gate, site or door to its snap point on a lane.
    Connector,
    /// One flight of a stairwell, between two landings (or the door and floor 1).
    Stairs,
}

/// A graph edge.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// What it is.
    pub kind: EdgeKind,
    /// Horizontal length.
    pub length: Metres,
    /// Height gained from the lower to the upper end (stairs only).
    pub rise: Metres,
    /// A tricycle may use it.
    pub tricycle: bool,
    /// A porter may walk it.
    pub foot: bool,
    /// The edge's course in the local frame, from its source node to its target node.
    pub path: Vec<[f64; 2]>,
}

/// A gate of the area.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    /// Feature id.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Graph node.
    pub node: NodeIndex,
}

/// A station site.
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    /// Feature id.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// A station operates here now.
    pub open: bool,
    /// Storage capacity, when known.
    pub capacity: Option<Kg>,
    /// Graph node.
    pub node: NodeIndex,
}

/// A traced lane and what the rules made of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    /// Feature id.
    pub id: String,
    /// Class (steps, alley, street).
    pub class: LaneClass,
    /// Width, when traced.
    pub width: Option<Metres>,
    /// Passable by tricycle after the width, steps and slope rules and any override.
    pub tricycle: bool,
    /// Walkable.
    pub foot: bool,
    /// Length of the centreline.
    pub length: Metres,
}

/// A building.
#[derive(Clone, Debug, PartialEq)]
pub struct Building {
    /// Feature id.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Floors above ground.
    pub levels: u32,
    /// Height of one storey.
    pub storey_height: Metres,
    /// Outline in the local frame.
    pub outline: Vec<[f64; 2]>,
    /// Its stairwells (indices into [`Area::stairwells`]).
    pub stairwells: Vec<usize>,
}

/// A stairwell of a walk-up.
#[derive(Clone, Debug, PartialEq)]
pub struct Stairwell {
    /// Feature id.
    pub id: String,
    /// Unit name as residents say it.
    pub name: Option<String>,
    /// Building index.
    pub building: usize,
    /// Highest floor served.
    pub top_floor: u32,
    /// Height of one storey.
    pub storey_height: Metres,
    /// Door node at street level.
    pub door: NodeIndex,
    /// Landing nodes; `floors[f - 1]` is floor `f`.
    pub floors: Vec<NodeIndex>,
    /// Households behind this door (indices into [`Area::households`]).
    pub households: Vec<usize>,
}

impl Stairwell {
    /// Height of floor `floor` above the door (floor 1 is at 0 m).
    pub fn floor_height(&self, floor: u32) -> Metres {
        self.storey_height * f64::from(floor.saturating_sub(1))
    }
}

/// A household.
#[derive(Clone, Debug, PartialEq)]
pub struct Household {
    /// Feature id.
    pub id: String,
    /// Stairwell index.
    pub stairwell: usize,
    /// Floor, counted from 1.
    pub floor: u32,
    /// Residents, when known.
    pub residents: Option<u32>,
    /// Door number.
    pub unit: Option<String>,
}

/// A validated, routable area.
#[derive(Clone, Debug)]
pub struct Area {
    /// The routable graph.
    pub graph: AreaGraph,
    /// Projection between WGS-84 and the graph's metres.
    pub frame: LocalFrame,
    /// The rules the graph was built with.
    pub params: AreaParams,
    /// Gates.
    pub gates: Vec<Gate>,
    /// Station sites, open or not.
    pub sites: Vec<Site>,
    /// Lanes.
    pub lanes: Vec<Lane>,
    /// Buildings.
    pub buildings: Vec<Building>,
    /// Stairwells.
    pub stairwells: Vec<Stairwell>,
    /// Households.
    pub households: Vec<Household>,
}

impl Area {
    /// Indices of the sites where a station operates now.
    pub fn open_sites(&self) -> impl Iterator<Item = usize> + '_ {
        self.sites.iter().enumerate().filter(|(_, s)| s.open).map(|(i, _)| i)
    }
}

impl Area {
    /// The course of the shortest route from `from` to `to`, by tricycle or on foot, as a
    /// polyline in the local frame; `None` when there is none.
    pub fn course(&self, from: NodeIndex, to: NodeIndex, tricycle: bool) -> Option<Vec<[f64; 2]>> {
        use petgraph::visit::EdgeRef;
        let usable = |e: &Edge| if tricycle { e.tricycle } else { e.foot && e.kind != EdgeKind::Stairs };
        let cost = |e: petgraph::graph::EdgeReference<'_, Edge>| {
            if usable(e.weight()) { e.weight().length.get() } else { f64::INFINITY }
        };
        let (total, nodes) = petgraph::algo::astar(&self.graph, from, |n| n == to, cost, |_| 0.0)?;
        if !total.is_finite() {
            return None;
        }
        let mut line = vec![self.graph[from].at];
        for pair in nodes.windows(2) {
            let edge = self
                .graph
                .edges_connecting(pair[0], pair[1])
                .filter(|e| usable(e.weight()))
                .min_by(|a, b| a.weight().length.get().total_cmp(&b.weight().length.get()))?;
            let (source, _) = self.graph.edge_endpoints(edge.id())?;
            let path = &edge.weight().path;
            if source == pair[0] {
                line.extend(path.iter().skip(1));
            } else {
                line.extend(path.iter().rev().skip(1));
            }
        }
        Some(line)
    }
}
