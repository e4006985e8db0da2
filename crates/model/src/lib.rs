//! The shared vocabulary of lastmetre: unit newtypes and the engineering defaults of
//! `DOMAIN.md`.
//!
//! This crate knows no I/O and no geometry. Every other crate depends on it, so it stays small.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod params;
mod units;

pub use params::{AreaParams, TRICYCLE_TOP_SPEED};
pub use units::{Kg, Metres, MetresPerSecond, Seconds};
