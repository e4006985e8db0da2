//! The area model: a drone-traced plan becomes a routable lane-and-stairwell graph.
//!
//! ```text
//! AreaSpec ──build──▶ Area (petgraph) ──matrices──▶ TravelMatrices
//!    │                   │
//!    └── every problem ──┴── Problem { code, feature, message, hint }
//! ```
//!
//! * [`AreaSpec`] is the plan as plain data; any reader may fill it.
//! * [`build`] checks it and returns every problem, or an [`Area`] and its warnings.
//! * [`Area::matrices`] gives tricycle times and walking distances, computed in parallel.
//!
//! This crate reads no files and knows no GeoJSON: `lastmetre-formats` does that.
//!
//! ```
//! use lastmetre_area::{build, AreaSpec, GateSpec, LaneSpec, LaneClass, LonLat, SiteSpec};
//! use lastmetre_model::{AreaParams, Metres};
//!
//! let lane = LaneSpec {
//!     id: "main".into(),
//!     path: vec![LonLat::new(109.9400, 33.8700), LonLat::new(109.9410, 33.8700)],
//!     width: Some(Metres(3.0)),
//!     class: LaneClass::Street("residential".into()),
//!     incline_pct: None,
//!     tricycle: None,
//!     foot: true,
//!     layer: 0,
//! };
//! let spec = AreaSpec {
//!     gates: vec![GateSpec { id: "gate".into(), at: LonLat::new(109.9400, 33.8700), name: None }],
//!     lanes: vec![lane],
//!     sites: vec![SiteSpec {
//!         id: "s1".into(),
//!         at: LonLat::new(109.9410, 33.8701),
//!         open: true,
//!         capacity: None,
//!         name: None,
//!     }],
//!     ..AreaSpec::default()
//! };
//! let built = build(&spec, &AreaParams::default()).expect("a valid area");
//! let m = built.area.matrices();
//! let seconds = m.tricycle_time.get(0, m.site_depot(0)).expect("reachable").get();
//! // 92 m of lane and an 11 m connector to the site, at 6 km/h.
//! assert!((seconds - 62.0).abs() < 1.0, "{seconds}");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod address;
mod build;
mod frame;
mod graph;
mod instance;
mod matrix;
mod network;
mod problem;
mod records;
mod spec;
mod summary;

pub use address::{AddressBook, AddressError, PART_SEPARATOR};
pub use build::{Built, build, build_with_problems, tricycle_passable};
pub use frame::LocalFrame;
pub use graph::{Area, AreaGraph, Building, Edge, EdgeKind, Gate, Household, Lane, Node, NodeKind, Site, Stairwell};
pub use instance::{MAX_ID_CHARS, check_fleet, check_id, check_order_ids, forges_text, instance};
pub use matrix::{Matrix, TravelMatrices};
pub use problem::{Code, Problem, Severity};
pub use spec::{AreaSpec, BuildingSpec, GateSpec, HouseholdSpec, LaneClass, LaneSpec, LonLat, SiteSpec, StairwellSpec};
pub use summary::Summary;
