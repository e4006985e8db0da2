//! Travel matrices: tricycle time between gates and sites, porter walking distance from sites
//! to stairwell doors and between doors.
//!
//! One Dijkstra per source, sources spread over threads with rayon. petgraph's `dijkstra`
//! returns a `HashMap` per source; at tens of thousands of sources the hashing dominates, so
//! the search here runs on a compact adjacency array with reusable buffers.

use crate::graph::{Area, EdgeKind};
use lastmetre_model::{Metres, Seconds};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::marker::PhantomData;

/// A dense matrix of travel values. A pair with no route holds `None`, never a large number.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix<U> {
    rows: usize,
    cols: usize,
    /// Row-major; `f32::INFINITY` marks "no route" and never leaves this type.
    cells: Vec<f32>,
    unit: PhantomData<U>,
}

impl<U: From<f64>> Matrix<U> {
    /// Number of rows (sources).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (targets).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The value from `row` to `col`, or `None` when no route exists.
    ///
    /// # Panics
    /// When `row` or `col` is out of range, like slice indexing.
    pub fn get(&self, row: usize, col: usize) -> Option<U> {
        assert!(row < self.rows && col < self.cols, "matrix index out of range");
        let v = self.cells[row * self.cols + col];
        v.is_finite().then(|| U::from(f64::from(v)))
    }
}

/// The travel matrices of an area.
#[derive(Clone, Debug, PartialEq)]
pub struct TravelMatrices {
    /// Tricycle time among depots, at the area's planned tricycle speed: rows and columns
    /// are the gates, then the sites, in [`Area`] order (see [`TravelMatrices::site_depot`]).
    pub tricycle_time: Matrix<Seconds>,
    /// Tricycle distance among the same depots.
    pub tricycle_distance: Matrix<Metres>,
    /// Walking distance between sites.
    pub walk_site_to_site: Matrix<Metres>,
    /// Walking distance from each site (rows) to each stairwell door (columns).
    pub walk_site_to_door: Matrix<Metres>,
    /// Walking distance between stairwell doors.
    pub walk_door_to_door: Matrix<Metres>,
    gates: usize,
}

impl TravelMatrices {
    /// Row or column of site `site` in [`TravelMatrices::tricycle_time`].
    pub fn site_depot(&self, site: usize) -> usize {
        self.gates + site
    }
}

/// Adjacency in compressed-row form over the edges a mode may use.
struct Adjacency {
    offsets: Vec<u32>,
    targets: Vec<u32>,
    lengths: Vec<f64>,
}

impl Adjacency {
    fn new(area: &Area, usable: impl Fn(&crate::graph::Edge) -> bool) -> Self {
        let g = &area.graph;
        let mut degree = vec![0u32; g.node_count() + 1];
        let edges: Vec<(u32, u32, f64)> = g
            .edge_references()
            .filter(|e| usable(e.weight()))
            .map(|e| (e.source().index() as u32, e.target().index() as u32, e.weight().length.get()))
            .collect();
        for (a, b, _) in &edges {
            degree[*a as usize + 1] += 1;
            degree[*b as usize + 1] += 1;
        }
        for i in 1..degree.len() {
            degree[i] += degree[i - 1];
        }
        let offsets = degree;
        let mut fill = offsets.clone();
        let mut targets = vec![0; edges.len() * 2];
        let mut lengths = vec![0.0; edges.len() * 2];
        for (a, b, len) in edges {
            for (from, to) in [(a, b), (b, a)] {
                let slot = fill[from as usize] as usize;
                targets[slot] = to;
                lengths[slot] = len;
                fill[from as usize] += 1;
            }
        }
        Adjacency { offsets, targets, lengths }
    }

    /// Shortest distances from `source` into `dist` (reset by the caller to infinity).
    fn shortest(&self, source: NodeIndex, dist: &mut [f64], heap: &mut BinaryHeap<Reverse<(Key, u32)>>) {
        heap.clear();
        dist[source.index()] = 0.0;
        heap.push(Reverse((Key(0.0), source.index() as u32)));
        while let Some(Reverse((Key(d), n))) = heap.pop() {
            if d > dist[n as usize] {
                continue;
            }
            let (lo, hi) = (self.offsets[n as usize] as usize, self.offsets[n as usize + 1] as usize);
            for slot in lo..hi {
                let next = self.targets[slot] as usize;
                let nd = d + self.lengths[slot];
                if nd < dist[next] {
                    dist[next] = nd;
                    heap.push(Reverse((Key(nd), next as u32)));
                }
            }
        }
    }

    /// Fills one row per source with the distances to `targets`, scaled by `scale`.
    fn rows(&self, sources: &[NodeIndex], targets: &[NodeIndex], scale: f64) -> Vec<f32> {
        let n = self.offsets.len() - 1;
        let mut cells = vec![f32::INFINITY; sources.len() * targets.len()];
        if targets.is_empty() {
            return cells;
        }
        cells.par_chunks_mut(targets.len()).zip(sources).for_each_init(
            || (vec![f64::INFINITY; n], BinaryHeap::new()),
            |(dist, heap), (row, source)| {
                dist.fill(f64::INFINITY);
                self.shortest(*source, dist, heap);
                for (cell, t) in row.iter_mut().zip(targets) {
                    *cell = (dist[t.index()] * scale) as f32;
                }
            },
        );
        cells
    }
}

/// A distance that orders totally, for the heap.
#[derive(Clone, Copy, PartialEq)]
struct Key(f64);
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

fn matrix<U>(rows: usize, cols: usize, cells: Vec<f32>) -> Matrix<U> {
    Matrix { rows, cols, cells, unit: PhantomData }
}

impl Area {
    /// Computes all travel matrices, in parallel on rayon's pool.
    pub fn matrices(&self) -> TravelMatrices {
        self.matrices_without(&[])
    }

    /// The travel matrices with some lanes closed (indices into [`Area::lanes`]), as during a
    /// PCR test round: nobody rides or walks them.
    pub fn matrices_without(&self, closed: &[usize]) -> TravelMatrices {
        let open = |e: &crate::graph::Edge| !matches!(e.kind, EdgeKind::Lane(l) if closed.contains(&l));
        let ride = Adjacency::new(self, |e| e.tricycle && open(e));
        let walk = Adjacency::new(self, |e| e.foot && e.kind != EdgeKind::Stairs && open(e));
        let depots: Vec<NodeIndex> =
            self.gates.iter().map(|g| g.node).chain(self.sites.iter().map(|s| s.node)).collect();
        let sites: Vec<NodeIndex> = self.sites.iter().map(|s| s.node).collect();
        let doors: Vec<NodeIndex> = self.stairwells.iter().map(|s| s.door).collect();
        let ride_m = ride.rows(&depots, &depots, 1.0);
        let seconds_per_metre = 1.0 / self.params.tricycle_speed.get();
        let ride_s = ride_m.iter().map(|m| (f64::from(*m) * seconds_per_metre) as f32).collect();
        TravelMatrices {
            tricycle_time: matrix(depots.len(), depots.len(), ride_s),
            tricycle_distance: matrix(depots.len(), depots.len(), ride_m),
            walk_site_to_site: matrix(sites.len(), sites.len(), walk.rows(&sites, &sites, 1.0)),
            walk_site_to_door: matrix(sites.len(), doors.len(), walk.rows(&sites, &doors, 1.0)),
            walk_door_to_door: matrix(doors.len(), doors.len(), walk.rows(&doors, &doors, 1.0)),
            gates: self.gates.len(),
        }
    }
}
