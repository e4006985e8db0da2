//! The shared vocabulary of lastmetre: unit newtypes, orders, the fleet and its parameters,
//! the abstract planning [`Instance`] and the [`Plan`], with the defaults of `DOMAIN.md`.
//!
//! This crate knows no I/O and no geometry. Every other crate depends on it, so it stays small.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod demand;
mod fleet;
mod instance;
mod order;
mod params;
pub mod plan;
pub mod seed;
mod units;

pub use demand::{DemandProfile, Peak};
pub use fleet::{Effort, Fleet, OrderLimits, Porters, Shift, StationSetting, Tricycles, Weights};
pub use instance::{Announced, FleetState, Hold, Instance, Job, PorterState, Stairwell, Station, Stock, Table};
pub use order::{Bag, Order, Priority};
pub use params::{AreaParams, TRICYCLE_TOP_SPEED};
pub use plan::{Metrics, Plan};
pub use units::{Kg, Kilojoules, Litres, Metres, MetresPerSecond, Seconds};
