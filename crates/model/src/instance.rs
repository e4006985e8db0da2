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
    /// Objective points per kg that porters take out of it: the cost of unloading, sorting
    /// and handing out goods there (the 2E-CVRP's satellite handling cost). Zero in areas,
    /// where that work is the same whichever station an order goes through.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub handling_per_kg: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
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
    /// Bags already at a station, or on a tricycle on its way there: they need no trip and
    /// leave from that station. Set by the dispatcher for goods of committed trips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stocked: Option<Stock>,
    /// The porter and station the previous plan announced this order to; moving it costs
    /// [`Weights::moved_order`](crate::Weights::moved_order), so plans stay stable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced: Option<Announced>,
    /// Cycles this order has already waited; leaving it out again costs more with each.
    #[serde(default)]
    pub waited_cycles: u32,
    /// The dispatcher allows holding this order for the next cycle, so that it can share a
    /// climb with orders yet to come, at the price its foresight gave (a fresh, normal order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<Hold>,
}

/// The price of holding an order for the next cycle, from the dispatcher's foresight.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hold {
    /// Leaving the order out this cycle costs this many points: what it is expected to cost
    /// next cycle, less the climb that orders joining it would save, plus the household's
    /// wait and the risk to its promise. The search sends it now when that costs less.
    pub points: f64,
    /// Orders expected at its stairwell before it must go out: the joins it waits for.
    pub expected_joins: f64,
}

/// Where a job's bags already are.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stock {
    /// Station index.
    pub station: usize,
    /// From when the bags are there (seconds from the cycle start; 0 when already unloaded).
    pub ready_s: f64,
}

/// Who a job was announced to in the previous plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announced {
    /// Porter index.
    pub porter: usize,
    /// Station index.
    pub station: usize,
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
    /// Where the porters and tricycles stand when the cycle starts; empty for a fresh start.
    #[serde(default, skip_serializing_if = "FleetState::is_fresh")]
    pub state: FleetState,
}

/// The fleet as the cycle finds it: busy until when, where, and how tired. Empty lists mean
/// a fresh start: everyone free at time 0, porter `i` at station `i mod stations`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FleetState {
    /// Per porter; empty, or one per porter of the fleet.
    #[serde(default)]
    pub porters: Vec<PorterState>,
    /// When each tricycle is back at the gate and free (seconds from the cycle start); empty,
    /// or one per tricycle.
    #[serde(default)]
    pub tricycles_free_s: Vec<f64>,
}

impl FleetState {
    /// True for a fresh start.
    pub fn is_fresh(&self) -> bool {
        self.porters.is_empty() && self.tricycles_free_s.is_empty()
    }
}

/// One porter as the cycle finds them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PorterState {
    /// Takes outings in this cycle.
    pub on_duty: bool,
    /// Free from (seconds from the cycle start; after a committed outing ends).
    pub free_s: f64,
    /// Station index where the porter will be.
    pub station: usize,
    /// Energy already spent in the shift, kJ.
    pub spent_kj: f64,
    /// Vertical metres already climbed in the shift.
    pub climbed_m: f64,
}

impl Instance {
    /// Tricycle distance between two points of echelon 1 (`None` = depot).
    pub fn ride_m(&self, from: Option<usize>, to: Option<usize>) -> Option<f64> {
        let index = |s: Option<usize>| s.map_or(0, |s| s + 1);
        self.ride.get(index(from), index(to)).map(Metres::get)
    }

    /// The state of porter `i` (a fresh start when the instance gives none).
    pub fn porter_state(&self, i: usize) -> PorterState {
        self.state.porters.get(i).cloned().unwrap_or(PorterState {
            on_duty: true,
            free_s: 0.0,
            station: i % self.stations.len().max(1),
            spent_kj: 0.0,
            climbed_m: 0.0,
        })
    }

    /// When tricycle `i` is free at the gate.
    pub fn tricycle_free_s(&self, i: usize) -> f64 {
        self.state.tricycles_free_s.get(i).copied().unwrap_or(0.0)
    }

    /// The cost of leaving job `j` out: its hold price when it may wait for the next cycle;
    /// otherwise its priority's weight, growing with every cycle it has already waited.
    pub fn unserved_cost(&self, j: usize) -> f64 {
        let w = &self.fleet.weights;
        let job = &self.jobs[j];
        if let Some(hold) = job.hold {
            return hold.points;
        }
        w.unserved * w.priority(job.priority) * (1.0 + w.waiting * f64::from(job.waited_cycles))
    }
}
