//! File formats of lastmetre.
//!
//! * [`read_area`] / [`read_area_file`]: the GeoJSON area format (`docs/area-format.md`) into
//!   an [`AreaSpec`](lastmetre_area::AreaSpec), reporting every problem with its feature id.
//! * [`write_area`]: an `AreaSpec` back to that format (used by the generator).
//! * [`graph_geojson`]: the built graph as GeoJSON for QGIS.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod area_in;
mod area_out;
mod graph_out;

pub use area_in::{Limits, ReadError, read_area, read_area_file};
pub use area_out::write_area;
pub use graph_out::graph_geojson;
