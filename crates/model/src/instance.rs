//! The abstract planning instance: locations, distances, jobs and fleets, with no geometry
//! and no files. The area model builds one from an area and orders; benchmark readers build
//! one from published instances.

use crate::{Bag, Fleet, Metres, Priority, Seconds};
use serde::{Deserialize, Serialize};

/// A dense table of distances. Pairs with no route hold `None`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    rows: usize,
    cols: usize,
    cells: Vec<f64>,
}

impl Table {
    /// A table from row-major cells; non-finite cells mean "no route".
    ///
    /// # Panics
    /// When `cells.len() != rows * cols`.
    pub fn new(rows: usize, cols: usize, cells: Vec<f64>) -> Self {
        assert_eq!(cells.len(), rows * cols, "table shape");
        Self { rows, cols, cells }
    }

    /// A table filled by `f(row, col)`.
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> Option<f64>) -> Self {
        let mut cells = Vec::with_capacity(rows * cols);
        for r in 0..rows {
            for c in 0..cols {
                cells.push(f(r, c).unwrap_or(f64::INFINITY));
            }
        }
        Self { rows, cols, cells }
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The value, or `None` when no route exists.
    pub fn get(&self, row: usize, col: usize) -> Option<Metres> {
        let v = self.cells[row * self.cols + col];
        v.is_finite().then_some(Metres(v))
    }
}

/// A transfer station open for this plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Station {
    /// Site id.
    pub id: String,
    /// Most it holds at once; unlimited when `None`.
    pub storage_kg: Option<f64>,
}

/// A stairwell that orders go to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stairwell {
    /// Stairwell id.
    pub id: String,
    /// What a porter reads on the sheet, e.g. "5号楼 1单元".
    pub label: String,
    /// Height of one storey.
    pub storey_height: Metres,
}

impl Stairwell {
    /// Height of `floor` above the door; floor 1 is at the door.
    pub fn height(&self, floor: u32) -> Metres {
        self.storey_height * f64::from(floor.saturating_sub(1))
    }
}

/// An order as the solver sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Order id.
    pub id: String,
    /// Household id.
    pub household: String,
    /// Door number, for the sheets.
    pub unit: Option<String>,
    /// Stairwell index.
    pub stairwell: usize,
    /// Floor, from 1.
    pub floor: u32,
    /// Bags.
    pub bags: Vec<Bag>,
    /// Urgency.
    pub priority: Priority,
    /// When it was placed (seconds since local midnight).
    pub placed_at: Seconds,
    /// Station the dispatcher pinned it to.
    pub pinned_station: Option<usize>,
}

impl Job {
    /// Total weight.
    pub fn kg(&self) -> f64 {
        self.bags.iter().map(|b| b.kg.get()).sum()
    }
}

/// Everything a plan is made from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// A name for reports.
    pub name: String,
    /// Open stations.
    pub stations: Vec<Station>,
    /// Stairwells orders go to (only those with orders need be present).
    pub stairwells: Vec<Stairwell>,
    /// The orders.
    pub jobs: Vec<Job>,
    /// Tricycle distance among the depot (index 0) and the stations (index 1 + s).
    pub ride: Table,
    /// Walking distance from stations (rows) to stairwell doors (columns).
    pub walk_station_stairwell: Table,
    /// Walking distance between stairwell doors.
    pub walk_stairwell_stairwell: Table,
    /// Walking distance between stations.
    pub walk_station_station: Table,
    /// Fleet, effort model and weights.
    pub fleet: Fleet,
}

impl Instance {
    /// Tricycle distance between two points of echelon 1 (`None` = depot).
    pub fn ride_m(&self, from: Option<usize>, to: Option<usize>) -> Option<f64> {
        let index = |s: Option<usize>| s.map_or(0, |s| s + 1);
        self.ride.get(index(from), index(to)).map(Metres::get)
    }
}
