//! The defaults the importer guesses with. Every one is a parameter (`--params FILE`), and
//! every value guessed with one is marked in the output.

use lastmetre_model::AreaParams;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `highway` values imported as lanes, with the width assumed when a way has none (metres).
///
/// Conservative on purpose: an alley without a width is too narrow for a tricycle until
/// someone measures it, and a street class is wide enough.
///
/// Through roads (`tertiary` … `primary` and their links) are walkable and wide: real
/// residential areas hang off them, and an extract's lanes join only through them.
/// `motorway` and `trunk` stay out: nobody walks there.
pub const LANE_CLASSES: [(&str, f64); 17] = [
    ("footway", 1.5),
    ("path", 1.2),
    ("pedestrian", 3.0),
    ("steps", 1.5),
    ("service", 3.0),
    ("living_street", 3.5),
    ("residential", 4.5),
    ("unclassified", 4.5),
    ("track", 2.5),
    ("road", 4.0),
    ("tertiary", 7.0),
    ("tertiary_link", 5.0),
    ("secondary", 9.0),
    ("secondary_link", 5.0),
    ("primary", 12.0),
    ("primary_link", 6.0),
    ("busway", 6.0),
];

/// `building` values that hold households. `yes` (the most common value) is taken as
/// residential too, and marked as a guess.
pub const RESIDENTIAL: [&str; 10] = [
    "residential",
    "apartments",
    "dormitory",
    "house",
    "detached",
    "semidetached_house",
    "terrace",
    "bungalow",
    "cabin",
    "farm",
];

/// Building types that are one household per building unless `building:flats` says otherwise.
pub const HOUSES: [&str; 5] = ["house", "detached", "bungalow", "cabin", "farm"];

/// Import defaults; `--params FILE` overrides any of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportParams {
    /// Width assumed per `highway` class when a way gives none; see [`LANE_CLASSES`].
    pub lane_width: BTreeMap<String, f64>,
    /// Width assumed for `service=alley` and `footway=alley` ways without one.
    pub alley_width: f64,
    /// Floors assumed for a building with neither `building:levels` nor `height`: a walk-up.
    pub default_levels: i64,
    /// Floors assumed for a house-type building ([`HOUSES`], `terrace`, `semidetached_house`).
    pub house_levels: i64,
    /// A `building=yes` outline smaller than this (m²) is a shed, kiosk or garage: no flats.
    pub min_guessed_footprint_m2: f64,
    /// Metres per floor when levels come from `height`.
    pub level_height: f64,
    /// Gross floor area per flat, m², when households come from the footprint.
    pub flat_area_m2: f64,
    /// One stairwell per this many metres of a building's longest side, when the map has no
    /// entrances (a Chinese walk-up unit is 12–15 m wide).
    pub stairwell_spacing_m: f64,
    /// An entrance node on no outline becomes a door of the building whose outline is within
    /// this many metres of it.
    pub entrance_snap_m: f64,
    /// Levels of a building that maps none are the median of its neighbours' within this
    /// many metres (when two or more map theirs).
    pub neighbour_levels_m: f64,
    /// A way that ends within this many metres of another, without meeting it, is joined to
    /// it by a short footway (marked).
    pub dangling_join_m: f64,
    /// A part of the network that no way joins to the rest is joined by a footway to the
    /// nearest other part within this many metres (marked); beyond it, it is left out.
    pub part_join_m: f64,
    /// Open stations until this share of households has one within `station_walk_m`.
    pub station_walk_share: f64,
    /// The walk from a door to its nearest open station that most doors should stay within, m.
    pub station_walk_m: f64,
    /// A door farther than the snap tolerance from any walkable way gets a straight footway
    /// to the nearest one, up to this length; beyond it, the building is left out.
    pub door_link_max_m: f64,
    /// Candidate station sites to lay out; one per 30 households (4–300) when absent.
    pub sites: Option<usize>,
    /// Candidate sites are at least this far apart.
    pub site_spacing_m: f64,
    /// Candidate sites are at least this far from a gate.
    pub site_gate_clearance_m: f64,
    /// One open station per this many households (8 for the founding case's 713); at least a
    /// third of the candidates stay closed.
    pub households_per_station: f64,
    /// Area rules (tricycle width, snap tolerance, …), as for `validate --params`.
    pub area: AreaParams,
}

impl Default for ImportParams {
    fn default() -> Self {
        Self {
            lane_width: LANE_CLASSES.iter().map(|(k, w)| ((*k).to_owned(), *w)).collect(),
            alley_width: 1.5,
            default_levels: 5,
            house_levels: 2,
            min_guessed_footprint_m2: 30.0,
            level_height: 3.0,
            flat_area_m2: 60.0,
            stairwell_spacing_m: 15.0,
            entrance_snap_m: 10.0,
            neighbour_levels_m: 200.0,
            dangling_join_m: 12.0,
            part_join_m: 60.0,
            station_walk_share: 0.9,
            station_walk_m: 250.0,
            door_link_max_m: 100.0,
            sites: None,
            site_spacing_m: 25.0,
            site_gate_clearance_m: 40.0,
            households_per_station: 90.0,
            area: AreaParams::default(),
        }
    }
}

impl ImportParams {
    /// The width assumed for a way of class `highway` that gives none.
    pub fn default_width(&self, highway: &str) -> f64 {
        self.lane_width
            .get(highway)
            .copied()
            .or_else(|| LANE_CLASSES.iter().find(|(c, _)| *c == highway).map(|(_, w)| *w))
            .unwrap_or(self.alley_width)
    }

    /// What is wrong with these parameters, if anything.
    pub fn check(&self) -> Result<(), String> {
        let mut positive = vec![
            ("alley_width", self.alley_width),
            ("level_height", self.level_height),
            ("flat_area_m2", self.flat_area_m2),
            ("stairwell_spacing_m", self.stairwell_spacing_m),
            ("site_spacing_m", self.site_spacing_m),
            ("households_per_station", self.households_per_station),
            ("station_walk_m", self.station_walk_m),
        ];
        positive.extend(self.lane_width.iter().map(|(k, v)| (k.as_str(), *v)));
        for (name, value) in positive {
            if !(value.is_finite() && value > 0.0) {
                return Err(format!("{name} must be a number above zero, not {value}"));
            }
        }
        for (name, value) in [
            ("door_link_max_m", self.door_link_max_m),
            ("site_gate_clearance_m", self.site_gate_clearance_m),
            ("entrance_snap_m", self.entrance_snap_m),
            ("neighbour_levels_m", self.neighbour_levels_m),
            ("dangling_join_m", self.dangling_join_m),
            ("part_join_m", self.part_join_m),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(format!("{name} must be zero or more, not {value}"));
            }
        }
        if !(self.station_walk_share.is_finite() && (0.0..=1.0).contains(&self.station_walk_share)) {
            return Err(format!("station_walk_share must be 0–1, not {}", self.station_walk_share));
        }
        for (name, value) in [("default_levels", self.default_levels), ("house_levels", self.house_levels)] {
            if !(1..=200).contains(&value) {
                return Err(format!("{name} must be 1–200, not {value}"));
            }
        }
        if let Some(unknown) = self.lane_width.keys().find(|k| !LANE_CLASSES.iter().any(|(c, _)| c == k)) {
            return Err(format!("lane_width names '{unknown}', which is not an imported highway class"));
        }
        Ok(())
    }
}
