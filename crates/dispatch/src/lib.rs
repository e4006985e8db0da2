//! Rolling re-planning: the dispatcher's state across 30-minute cycles.
//!
//! Orders arrive over time and may be cancelled; the field reports events (a trip left, bags
//! delivered or not, a porter off duty, a lane closed). Every cycle, [`Dispatcher::next_plan`]
//! returns the plan for the coming cycle:
//!
//! - work already under way is frozen: a tricycle trip whose loading has begun (or that was
//!   reported departed) and a porter outing that has started stay exactly as planned;
//! - the goods of frozen trips are *stocked* at their station and leave from there;
//! - undelivered orders carry over, and leaving them out costs more every cycle they wait;
//! - the search starts warm from the previous plan, and an order already announced to a
//!   porter moves to another only when that pays more than the stability weight.
//!
//! Times are seconds since midnight of the first day (`now`, event times); a plan's own times
//! are seconds from its cycle start, as everywhere in lastmetre. The crate does no I/O and
//! reads no clock.
//!
//! ```
//! # use lastmetre_dispatch::*;
//! # use lastmetre_model::*;
//! # let spec = lastmetre_synth::village(&lastmetre_synth::VillageOptions::new(60, 1)).unwrap();
//! # let area = lastmetre_area::build(&spec, &AreaParams::default()).unwrap().area;
//! # let household = area.households[10].id.clone();
//! let mut dispatcher = Dispatcher::new(area, Fleet::default(), Settings::default())?;
//! dispatcher.add_orders(&[Order {
//!     id: "o1".into(),
//!     household,
//!     bags: vec![Bag { kg: Kg(5.0), litres: Litres(6.0), label: None }],
//!     priority: Priority::Need,
//!     placed_at: Seconds(11.9 * 3600.0),
//!     station: None,
//! }])?;
//! let cycle = dispatcher.next_plan(Seconds(12.0 * 3600.0))?;
//! assert_eq!(cycle.plan.metrics.orders_delivered, 1);
//! // The porter reports the hand-over; the order is done and never planned again.
//! let at = Seconds(cycle.outings[0].drops[0].at_s);
//! dispatcher.report(at, Event::Delivered { order: "o1".into(), bags: vec![] })?;
//! assert!(matches!(dispatcher.status("o1"), Some(OrderStatus::Delivered { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod foresight;
mod promise;
mod records;
mod state;

pub use lastmetre_solver::{Budget, Policy};
pub use promise::{PromiseWarning, RushWarning, promise_cycles};
pub use records::{DropRecord, OutingRecord, StopRecord, TripRecord};
pub use state::{CyclePlan, Dispatcher, OrderCheck, PorterDay};

use serde::{Deserialize, Serialize};

/// How the dispatcher plans.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Length of a cycle, seconds (1800 in the founding case).
    pub cycle_s: f64,
    /// Search iterations per re-plan.
    pub iterations: u64,
    /// Seed of the search; each cycle mixes in its number.
    pub seed: u64,
    /// Threads of the search.
    pub threads: usize,
    /// Planner or the manual practice.
    pub policy: Policy,
    /// Let fresh normal orders wait one cycle when orders expected to join them would save a
    /// climb worth more than the wait and the risk to their promise
    /// ([`Weights::hold`](lastmetre_model::Weights::hold),
    /// [`Weights::broken_promise`](lastmetre_model::Weights::broken_promise)). Medicine and
    /// special needs never wait.
    pub consolidate: bool,
    /// The share of orders to deliver within their promise (two cycles for normal orders):
    /// holding stops for the day when its holds' doors not answered could break more.
    pub on_time_share: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            cycle_s: 1800.0,
            iterations: 3000,
            seed: 1,
            threads: 1,
            policy: Policy::Lastmetre,
            consolidate: true,
            on_time_share: 0.99,
        }
    }
}

/// A trip of a given cycle's plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TripRef {
    /// Cycle number (0 for the first plan).
    pub cycle: u32,
    /// Trip index in that cycle's plan.
    pub trip: usize,
}

/// Serde for people: an index from 0 in code, a number from 1 in files and the service, as
/// on the sheets (`porter-1`, `tricycle-1`). Number 0 is refused, saying so.
pub mod numbered_from_one {
    use serde::{Deserialize, Deserializer, Serializer, de};

    /// Writes index `i` as number `i + 1`.
    pub fn serialize<S: Serializer>(i: &usize, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(*i as u64 + 1)
    }

    /// Reads number `n` (1 or more) as index `n - 1`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
        match u64::deserialize(d)? {
            0 => Err(de::Error::custom("people are numbered from 1, as on the sheets (porter-1, tricycle-1)")),
            n => usize::try_from(n - 1).map_err(de::Error::custom),
        }
    }
}

/// Why a door was not answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// Nobody opened.
    NobodyHome,
    /// The resident is isolated and cannot take the goods now.
    Isolated,
    /// The porter could not get to the door (a locked gate, a closed stairwell).
    CannotReach,
}

/// What the field reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// A tricycle left the gate: the trip is frozen from now on.
    TripDeparted {
        /// Which trip.
        trip: TripRef,
    },
    /// A trip's bags are at a station.
    BagsUnloaded {
        /// Which trip.
        trip: TripRef,
        /// Station id.
        station: String,
    },
    /// Bags handed over at the door.
    Delivered {
        /// Order id.
        order: String,
        /// Bag numbers from 0; empty for all the order's bags out with a porter.
        #[serde(default)]
        bags: Vec<usize>,
    },
    /// Nobody took the bags; the porter brings them back to the station.
    DeliveryFailed {
        /// Order id.
        order: String,
        /// Bag numbers from 0; empty for all the order's bags out with a porter.
        #[serde(default)]
        bags: Vec<usize>,
        /// Why.
        reason: Failure,
    },
    /// A porter stops for the day (after the outing under way).
    PorterOffDuty {
        /// Porter index from 0 in code; in JSON the porter's number from 1, as on the sheets.
        #[serde(with = "numbered_from_one")]
        porter: usize,
    },
    /// A porter is back.
    PorterOnDuty {
        /// Porter index from 0 in code; in JSON the porter's number from 1, as on the sheets.
        #[serde(with = "numbered_from_one")]
        porter: usize,
    },
    /// A lane is closed (a PCR test round): nobody rides or walks it.
    LaneClosed {
        /// Lane feature id.
        lane: String,
    },
    /// A closed lane is open again.
    LaneReopened {
        /// Lane feature id.
        lane: String,
    },
    /// A station stops operating; its goods go back to the gate.
    StationClosed {
        /// Station site id.
        station: String,
    },
}

/// Where an order stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OrderStatus {
    /// At the gate, waiting for a tricycle.
    Waiting,
    /// On a departed tricycle or at a station, waiting for a porter.
    AtStation {
        /// Station id.
        station: String,
    },
    /// A porter is carrying it.
    OutForDelivery {
        /// Porter index (in JSON the porter's number from 1).
        #[serde(with = "numbered_from_one")]
        porter: usize,
    },
    /// Every bag handed over.
    Delivered {
        /// When the last bag was handed over.
        at_s: f64,
    },
    /// Cancelled before it went out.
    Cancelled,
}

/// What the dispatcher refuses.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    /// Orders or the fleet do not fit the area; each problem names its culprit.
    #[error("{} problem(s): {}", .0.len(), .0.first().map(|p| p.message.clone()).unwrap_or_default())]
    Problems(Vec<lastmetre_area::Problem>),
    /// An event or a cancellation names an order the dispatcher does not know.
    #[error("unknown order '{0}'; add it before reporting on it")]
    UnknownOrder(String),
    /// An event names a trip that is not in a recent plan.
    #[error("unknown trip {0:?}; only trips of the latest plan can depart")]
    UnknownTrip(TripRef),
    /// An event names a porter the fleet does not have (index from 0; shown from 1).
    #[error("unknown porter {}; the fleet has porters 1 to {}", .0 + 1, .1)]
    UnknownPorter(usize, usize),
    /// An event names a lane or station the area does not have.
    #[error("unknown {0} '{1}' in the area")]
    UnknownFeature(&'static str, String),
    /// The order cannot be cancelled any more.
    #[error("order '{0}' is already out for delivery or delivered; it cannot be cancelled")]
    TooLateToCancel(String),
    /// Times must not go backwards.
    #[error("time {0:.0} s is before the latest plan at {1:.0} s")]
    TimeWentBack(f64, f64),
    /// An event older than a cycle before the latest plan.
    #[error(
        "time {0:.0} s is more than a cycle before the latest plan (the earliest accepted is {1:.0} s); check the clock"
    )]
    EventTooOld(f64, f64),
    /// A delivery or failure names a bag the order does not have.
    #[error("order '{0}' has no bag {1}; its bags are 0 to {2}")]
    UnknownBag(String, usize, usize),
    /// A delivery repeats one already reported.
    #[error("order '{0}' is already delivered; a delivery is reported once")]
    AlreadyDelivered(String),
    /// A delivery or failure for an order no plan has given to a porter yet.
    #[error("order '{0}' has not been planned yet; report its delivery after the plan that sends it out")]
    NotPlanned(String),
    /// A checkpoint that cannot be read back (damaged, another format or another fleet).
    #[error("the checkpoint cannot be read: {0}; start from the full journal")]
    BadCheckpoint(String),
    /// Bags unloaded from a trip that has not left the gate.
    #[error("trip {0:?} has not departed; report trip_departed first")]
    NotDeparted(TripRef),
    /// A station is named that is closed already.
    #[error("station '{0}' is already closed")]
    StationAlreadyClosed(String),
}
