//! `AreaSpec`: the traced plan as plain data, before any check.
//!
//! A reader (GeoJSON, OSM, a generator, or a library caller) fills it in; [`crate::build`]
//! validates it. Fields hold what was written, even when it is wrong (a negative width, a
//! floor of 0), so that validation can name the culprit instead of the reader guessing.

use lastmetre_model::{Kg, Metres};
use serde::{Deserialize, Serialize};

/// A WGS-84 position, longitude first as in RFC 7946.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LonLat {
    /// Degrees east.
    pub lon: f64,
    /// Degrees north.
    pub lat: f64,
}

impl LonLat {
    /// A position from longitude and latitude in degrees.
    pub const fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }

    /// True when both values are finite and within WGS-84 longitude/latitude ranges.
    pub fn is_lon_lat(&self) -> bool {
        self.lon.is_finite()
            && self.lat.is_finite()
            && (-180.0..=180.0).contains(&self.lon)
            && (-90.0..=90.0).contains(&self.lat)
    }
}

/// The whole traced plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AreaSpec {
    /// Where goods enter the area: the tricycles' depot.
    pub gates: Vec<GateSpec>,
    /// Lane centrelines: streets, alleys, steps.
    pub lanes: Vec<LaneSpec>,
    /// Building outlines.
    pub buildings: Vec<BuildingSpec>,
    /// Stairwell doors (单元 entrances) of walk-up buildings.
    pub stairwells: Vec<StairwellSpec>,
    /// Households, each behind one stairwell on one floor.
    pub households: Vec<HouseholdSpec>,
    /// Places where a transfer station can stand; some are open.
    pub sites: Vec<SiteSpec>,
}

/// A gate of the sealed area.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GateSpec {
    /// Feature id.
    pub id: String,
    /// Position of the gate.
    pub at: LonLat,
    /// Optional display name.
    pub name: Option<String>,
}

/// Lane class, after OSM `highway=*`. Only `Steps` changes behaviour: never passable by
/// tricycle. The others are kept for display and import.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaneClass {
    /// `highway=steps`.
    Steps,
    /// `highway=footway|path|pedestrian` or `service=alley` / `footway=alley`.
    Alley,
    /// Any other `highway` value: residential, service, living_street, track, …
    Street(String),
    /// No `highway` tag given.
    Unspecified,
}

impl LaneClass {
    /// The class's name as written in area files.
    pub fn as_str(&self) -> &str {
        match self {
            LaneClass::Steps => "steps",
            LaneClass::Alley => "alley",
            LaneClass::Street(s) => s,
            LaneClass::Unspecified => "unspecified",
        }
    }
}

/// A lane centreline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaneSpec {
    /// Feature id.
    pub id: String,
    /// Centreline, at least two distinct positions.
    pub path: Vec<LonLat>,
    /// Usable width (OSM `width`).
    pub width: Option<Metres>,
    /// Lane class.
    pub class: LaneClass,
    /// Slope in percent, sign ignored (OSM `incline`).
    pub incline_pct: Option<f64>,
    /// Per-lane override of tricycle passability (`tricycle=yes|no`).
    pub tricycle: Option<bool>,
    /// False when the lane may not be walked either (`foot=no`).
    pub foot: bool,
    /// OSM `layer`: lanes on different layers cross without meeting (bridges, underpasses).
    pub layer: i32,
}

/// A building outline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuildingSpec {
    /// Feature id.
    pub id: String,
    /// Outer ring.
    pub outline: Vec<LonLat>,
    /// Floors above ground (OSM `building:levels`); must be at least 1.
    pub levels: i64,
    /// Height of one storey; the area default when absent.
    pub storey_height: Option<Metres>,
    /// Display name or number, e.g. "10号楼".
    pub name: Option<String>,
}

/// A stairwell, placed at its door.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StairwellSpec {
    /// Feature id.
    pub id: String,
    /// Position of the door.
    pub at: LonLat,
    /// Id of the building the stairwell belongs to.
    pub building: String,
    /// Highest floor this stairwell serves; the building's levels when absent.
    pub top_floor: Option<i64>,
    /// Unit number as residents say it, e.g. "2单元".
    pub name: Option<String>,
}

/// A household. It carries no personal data: no names, no phone numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HouseholdSpec {
    /// Feature id.
    pub id: String,
    /// Id of the stairwell that leads to the household's door.
    pub stairwell: String,
    /// Floor, counted from 1 as residents do (1楼 = ground floor).
    pub floor: i64,
    /// Number of residents, when known.
    pub residents: Option<i64>,
    /// Door number within the stairwell, e.g. "302".
    pub unit: Option<String>,
}

/// A place where a transfer station can stand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteSpec {
    /// Feature id.
    pub id: String,
    /// Position of the site.
    pub at: LonLat,
    /// True when a station operates here now.
    pub open: bool,
    /// Storage capacity, when known.
    pub capacity: Option<Kg>,
    /// Optional display name.
    pub name: Option<String>,
}
