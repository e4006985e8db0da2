//! File formats of lastmetre.
//!
//! * [`read_area`] / [`read_area_file`]: the GeoJSON area format (`docs/area-format.md`) into
//!   an [`AreaSpec`](lastmetre_area::AreaSpec), reporting every problem with its feature id.
//! * [`write_area`]: an `AreaSpec` back to that format (used by the generator);
//!   [`write_area_with`] adds properties (the OSM importer's provenance and attribution).
//! * [`graph_geojson`]: the built graph as GeoJSON for QGIS.
//! * [`read_two_echelon`]: 2E-CVRP instances (Sets 2–7, unified format), as published;
//!   [`two_echelon_instance`] maps one onto the planner's `Instance`.
//! * Orders (JSON, CSV) and the fleet file in; the plan file out and back in
//!   ([`plan_file`], [`read_plan`]); routes GeoJSON ([`routes_geojson`]); dispatch [`sheets`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod area_in;
mod area_out;
mod cvrplib;
mod graph_out;
mod orders;
mod plan_io;
mod pmedian;
mod routes;
mod sheets;
pub mod strict;
mod two_echelon;

pub use area_in::{Limits, ReadError, read_area, read_area_file};
pub use area_out::{write_area, write_area_with};
pub use cvrplib::{CvrpError, distance_only_fleet, read_cvrp, write_cvrp_solution};
pub use graph_out::graph_geojson;
pub use orders::{
    MAX_ORDERS, format_clock, format_time, parse_time, plain, read_fleet, read_orders_csv, read_orders_csv_in,
    read_orders_json, read_orders_json_in, read_orders_value, read_orders_value_in, read_orders_xlsx_in,
    write_orders_json,
};
pub use plan_io::{PlanFile, SCHEMA_VERSION, plan_file, read_plan};
pub use pmedian::{CapacitatedPMedian, PMedian, read_cpmp, read_pmed};
pub use routes::routes_geojson;
pub use sheets::{language_of, sheets};
pub use two_echelon::{
    CityFreighters, Trucks, TwoEchelon, TwoEchelonError, read_two_echelon, two_echelon_cost, two_echelon_instance,
    write_two_echelon_solution,
};
