//! Imports an OpenStreetMap extract as a lastmetre area, and marks every value it had to guess.
//!
//! ```text
//! OSM XML ──xml──▶ or .osm.pbf ──pbf──▶ nodes, ways, relations (a PBF cut to the box as it streams)
//!   ──lanes──▶ highway ways clipped to the boundary and cut where nodes are missing, widths
//!   ──buildings──▶ outlines, levels (tags, neighbours, defaults), households, stairwells
//!   ──repair──▶ doors linked to their nearest way
//!   ──connect──▶ ways that stop short, and parts no way joins, joined by marked footways
//!   ──gate──▶ --gate, or the candidate that reaches the most households
//!   ──repair──▶ what the gate cannot reach dropped, in groups
//!   ──sites──▶ candidate stations on the tricycle lanes, opened until doors are near one
//!   ──▶ AreaSpec + provenance of every feature + report + the validation of the result
//! ```
//!
//! The result is an ordinary area: `lastmetre_area::build` validates it and everything else
//! plans on it. What was estimated, and from what, is in [`Import::features`], so that people
//! know what to check on the ground. The data stays © OpenStreetMap contributors under the
//! ODbL: [`ATTRIBUTION`] and [`LICENSE`] travel with every output.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod boundary;
mod buildings;
mod connect;
pub mod export;
mod gate;
mod lanes;
mod params;
mod pbf;
mod repair;
mod sites;
mod values;
mod xml;

pub use boundary::{Boundary, boundary_from_geojson};
pub use params::{HOUSES, ImportParams, LANE_CLASSES, RESIDENTIAL};

pub use lastmetre_area::LonLat;
use lastmetre_area::{AreaSpec, Problem};
use std::collections::BTreeMap;
use std::fmt;

/// Attribution that every area imported from OpenStreetMap must keep.
pub const ATTRIBUTION: &str = "© OpenStreetMap contributors";
/// The licence of OpenStreetMap data, which an imported area inherits.
pub const LICENSE: &str = "Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/; \
     see https://www.openstreetmap.org/copyright";

/// Where the gate is.
#[derive(Clone, Debug, PartialEq)]
pub enum GateChoice {
    /// An OSM node of the file, by id.
    Node(i64),
    /// A position.
    At(LonLat),
}

/// What to import.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Keep only what lies inside; the file's `<bounds>` when absent, else everything.
    pub boundary: Option<Boundary>,
    /// The gate; chosen from the map when absent.
    pub gate: Option<GateChoice>,
    /// Defaults for the guesses.
    pub params: ImportParams,
}

/// A kind of guessed value, counted in the import summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Estimate {
    /// A lane width from `est_width` or the class default.
    LaneWidth,
    /// An `access=private` way taken as usable by the area's own people.
    Access,
    /// A short footway drawn where a way stops short of another, or joins a cut-off part.
    GapJoin,
    /// `building=yes` taken as residential.
    BuildingUse,
    /// A building outline drawn without the nodes the file lacks.
    Outline,
    /// Floors from `height`, the neighbours or the default.
    Levels,
    /// A building's household count from its footprint, or one per house.
    Households,
    /// Households placed on floors and stairwells evenly.
    HouseholdPlacement,
    /// A stairwell placed along the longest side.
    Stairwell,
    /// A footway drawn from a door to its nearest way.
    DoorLink,
    /// The gate, where no `--gate` was given.
    Gate,
    /// A candidate station site.
    StationSite,
    /// A site opened as a station.
    OpenStation,
}

impl Estimate {
    /// The name used in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Estimate::LaneWidth => "lane widths",
            Estimate::Access => "private ways used",
            Estimate::GapJoin => "gap joins",
            Estimate::BuildingUse => "building uses",
            Estimate::Outline => "building outlines",
            Estimate::Levels => "building levels",
            Estimate::Households => "household counts",
            Estimate::HouseholdPlacement => "household floors",
            Estimate::Stairwell => "stairwells",
            Estimate::DoorLink => "door links",
            Estimate::Gate => "gates",
            Estimate::StationSite => "station sites",
            Estimate::OpenStation => "open stations",
        }
    }
}

/// A guessed value: what kind of guess, and how it was made.
#[derive(Clone, Debug, PartialEq)]
pub struct Guess {
    /// The kind, for counting.
    pub kind: Estimate,
    /// How the value was guessed, for people checking it on the ground.
    pub why: String,
}

/// Where a feature came from and what in it was guessed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Provenance {
    /// The OSM element, `way/123` or `node/45`; none for features the importer made up.
    pub osm: Option<String>,
    /// Property → how its value was guessed.
    pub estimated: BTreeMap<String, Guess>,
}

/// Why households or buildings were left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    /// The outline is not closed, or the file lacks most of its nodes.
    BrokenOutline,
    /// The door is farther than `door_link_max_m` from any walkable way.
    DoorTooFar,
    /// No path on foot joins it to the gate, not even through a guessed join.
    NotJoined,
    /// The area's rules refused the building or its door (a self-crossing outline, say), so
    /// the graph has no place for it.
    Refused,
}

impl DropReason {
    /// A short name, for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::BrokenOutline => "broken_outline",
            DropReason::DoorTooFar => "door_too_far",
            DropReason::NotJoined => "not_joined",
            DropReason::Refused => "refused",
        }
    }

    /// What to do about it.
    pub fn fix(self) -> &'static str {
        match self {
            DropReason::BrokenOutline => {
                "export with complete ways (openstreetmap.org Export, or Overpass with `(._;>;)`), or trace the outline"
            }
            DropReason::DoorTooFar => {
                "map the path to the door, or raise door_link_max_m in --params (docs/osm-import.md)"
            }
            DropReason::NotJoined => {
                "map the path that leads there, raise part_join_m in --params, or import that part as its own area with --gate near it"
            }
            DropReason::Refused => {
                "fix the building's outline or door (add them back and run `lastmetre validate` to see the problem)"
            }
        }
    }
}

/// A group of what was left out for one reason, in one place.
#[derive(Clone, Debug, PartialEq)]
pub struct Dropped {
    /// Why.
    pub reason: DropReason,
    /// Households left out (as the importer estimated them).
    pub households: usize,
    /// Buildings left out whole.
    pub buildings: usize,
    /// Stairwells left out.
    pub stairwells: usize,
    /// Roughly where: the middle of the group's doors or outlines.
    pub at: Option<LonLat>,
    /// Up to five feature or OSM ids of the group.
    pub examples: Vec<String>,
}

/// A place the gate could be, and what it reaches.
#[derive(Clone, Debug, PartialEq)]
pub struct GateCandidate {
    /// The OSM node (`node/123`) or the way crossing the boundary (`way/45`).
    pub osm: String,
    /// Where.
    pub at: LonLat,
    /// What it is: `barrier=gate`, `entrance=main`, `entrance=service`, `crossing`, `road_start`.
    pub kind: &'static str,
    /// Households whose door a path on foot joins to it.
    pub households_on_foot: usize,
    /// Households whose door is within `station_walk_m` on foot of a lane a tricycle reaches
    /// from it: what stations fed from this gate can serve.
    pub households_by_tricycle: usize,
    /// Metres of lane a tricycle reaches from it.
    pub tricycle_lane_m: f64,
    /// It is the gate (or one of the gates) of the imported area.
    pub chosen: bool,
}

/// A successful import.
#[derive(Clone, Debug)]
pub struct Import {
    /// Where the gate could be, best first (empty when `--gate` was given).
    pub gate_candidates: Vec<GateCandidate>,
    /// Why the first gate was chosen.
    pub gate_why: String,
    /// What was left out, in groups.
    pub dropped: Vec<Dropped>,
    /// Share of households with an open station within `station_walk_m` on foot, once sites
    /// are laid out.
    pub station_reach: Option<f64>,
    /// The area, ready to write or build.
    pub spec: AreaSpec,
    /// Provenance per feature id.
    pub features: BTreeMap<String, Provenance>,
    /// What was left out or looks odd, one line each.
    pub warnings: Vec<String>,
    /// The result's validation: warnings only when the area is valid.
    pub problems: Vec<Problem>,
}

impl Import {
    /// Households kept in the area.
    pub fn households_kept(&self) -> usize {
        self.spec.households.len()
    }

    /// Households left out, over every group of [`Import::dropped`].
    pub fn households_dropped(&self) -> usize {
        self.dropped.iter().map(|d| d.households).sum()
    }

    /// Buildings left out whole.
    pub fn buildings_dropped(&self) -> usize {
        self.dropped.iter().map(|d| d.buildings).sum()
    }

    /// The import report as `import-osm --json` prints it: what was kept and left out, the
    /// gate and its rivals, and the count of each kind of guess.
    pub fn report(&self) -> serde_json::Value {
        use serde_json::json;
        let at = |p: &LonLat| json!([p.lon, p.lat]);
        let gate = self.spec.gates.first().map(|g| {
            json!({"id": g.id, "at": at(&g.at), "osm": self.features.get(&g.id).and_then(|f| f.osm.clone()), "why": self.gate_why})
        });
        let candidates: Vec<serde_json::Value> = self
            .gate_candidates
            .iter()
            .map(|c| {
                json!({"osm": c.osm, "at": at(&c.at), "kind": c.kind, "households_on_foot": c.households_on_foot,
                    "households_by_tricycle": c.households_by_tricycle, "tricycle_lane_m": c.tricycle_lane_m.round(),
                    "chosen": c.chosen})
            })
            .collect();
        let dropped: Vec<serde_json::Value> = self
            .dropped
            .iter()
            .map(|d| {
                json!({"reason": d.reason.as_str(), "households": d.households, "buildings": d.buildings,
                    "stairwells": d.stairwells, "at": d.at.as_ref().map(at), "examples": d.examples, "fix": d.reason.fix()})
            })
            .collect();
        let estimated: serde_json::Map<String, serde_json::Value> =
            self.estimated().into_iter().map(|(k, n)| (k.as_str().to_owned(), n.into())).collect();
        json!({
            "households_kept": self.households_kept(),
            "households_dropped": self.households_dropped(),
            "buildings_kept": self.spec.buildings.len(),
            "buildings_dropped": self.buildings_dropped(),
            "stairwells": self.spec.stairwells.len(),
            "lanes": self.spec.lanes.len(),
            "gates": self.spec.gates.len(),
            "stations_open": self.spec.sites.iter().filter(|s| s.open).count(),
            "station_sites": self.spec.sites.len(),
            "station_reach_share": self.station_reach,
            "gate": gate,
            "gate_candidates": candidates,
            "dropped": dropped,
            "estimated": estimated,
            "warnings": self.warnings,
            "valid": self.is_valid(),
        })
    }

    /// True when the imported area validates.
    pub fn is_valid(&self) -> bool {
        !self.problems.iter().any(Problem::is_error)
    }

    /// How many values of each kind were guessed, in the area as imported.
    pub fn estimated(&self) -> BTreeMap<Estimate, usize> {
        let mut counts = BTreeMap::new();
        for guess in self.features.values().flat_map(|f| f.estimated.values()) {
            *counts.entry(guess.kind).or_default() += 1;
        }
        counts
    }

    /// Properties to add to a feature of the written area: `osm_id` and `estimated`
    /// (property → how it was guessed).
    pub fn feature_properties(&self, id: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
        let p = self.features.get(id)?;
        let mut props = serde_json::Map::new();
        if let Some(osm) = &p.osm {
            props.insert("osm_id".into(), osm.clone().into());
        }
        if !p.estimated.is_empty() {
            let guesses = p.estimated.iter().map(|(k, g)| (k.clone(), g.why.clone().into())).collect();
            props.insert("estimated".into(), serde_json::Value::Object(guesses));
        }
        Some(props)
    }

    /// The written area's own properties: attribution and licence (which the ODbL requires to
    /// travel with the data), the source file, and the count of each kind of guess.
    pub fn collection_properties(&self, source: &str) -> serde_json::Map<String, serde_json::Value> {
        let counts: serde_json::Map<String, serde_json::Value> =
            self.estimated().into_iter().map(|(k, n)| (k.as_str().to_owned(), n.into())).collect();
        let mut props = serde_json::Map::new();
        props.insert("attribution".into(), ATTRIBUTION.into());
        props.insert("license".into(), LICENSE.into());
        props.insert("source".into(), format!("OpenStreetMap extract {source}").into());
        props.insert("generator".into(), "lastmetre import-osm".into());
        props.insert("estimated".into(), serde_json::Value::Object(counts));
        props
    }

    pub(crate) fn mark(&mut self, feature: &str, kind: Estimate, property: &str, why: impl Into<String>) {
        let guess = Guess { kind, why: why.into() };
        self.features.entry(feature.to_owned()).or_default().estimated.insert(property.to_owned(), guess);
    }

    pub(crate) fn source(&mut self, feature: &str, osm: String) {
        self.features.entry(feature.to_owned()).or_default().osm = Some(osm);
    }
}

/// Why a file cannot be imported. Each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The document is not OSM XML.
    #[error(
        "not an OSM XML file: it starts with {found}; export from openstreetmap.org or convert with `osmium cat in.pbf -o out.osm`"
    )]
    NotOsm {
        /// What the document starts with.
        found: String,
    },
    /// The document ends in the middle of an element.
    #[error("the OSM file is truncated (it ends inside an element, line {line}); download or export it again")]
    Truncated {
        /// Last line read.
        line: usize,
    },
    /// An Overpass result that the server cut short.
    #[error(
        "the extract is incomplete: the Overpass server stopped with \"{0}\"; run the query again with a larger [timeout:] or [maxsize:], or a smaller area"
    )]
    Incomplete(String),
    /// The document is not well-formed, or an element lacks what OSM requires.
    #[error("line {line}: {message}; fix the file or export it again")]
    Malformed {
        /// Line of the culprit.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A `.osm.pbf` file cannot be read.
    #[error("cannot read the PBF file: {0}; download or extract it again, or convert it with `osmium cat`")]
    Pbf(String),
    /// The boundary cannot be used.
    #[error("bad boundary: {0}")]
    BadBoundary(String),
    /// The parameters cannot be used.
    #[error("bad import parameters: {0}")]
    BadParams(String),
    /// No residential building lies inside the boundary.
    #[error(
        "no residential building inside {0}; check the boundary, or export an extract that has the buildings mapped"
    )]
    NoBuildings(String),
    /// No walkable way lies inside the boundary.
    #[error(
        "no walkable way (highway=footway|path|pedestrian|steps|service|living_street|residential|unclassified|track) inside the boundary; check the boundary or map the lanes"
    )]
    NoWalkableWay,
    /// `--gate NODE_ID` names a node the file does not have.
    #[error("gate node {0} is not in the file; give a node id from the file or --gate LON,LAT")]
    GateNodeMissing(i64),
    /// The gate cannot reach the area.
    #[error("the gate at {at} cannot be reached: {why}")]
    GateUnreachable {
        /// Where the gate is, `lon,lat`.
        at: String,
        /// What is missing.
        why: String,
    },
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Imports an OSM XML document.
///
/// The returned area may still fail validation in ways the importer cannot repair (a gate no
/// tricycle lane reaches, say); [`Import::problems`] then holds the errors, each naming its
/// feature, and the area is still returned so that it can be fixed by hand.
pub fn import(text: &str, options: &Options) -> Result<Import, ImportError> {
    options.params.check().map_err(ImportError::BadParams)?;
    import_data(xml::parse(text)?, options)
}

/// Imports an `.osm.pbf` file, streaming: only what lies in or crosses the boundary's box is
/// kept in memory (with the nodes outside that its ways need), so that a city or province
/// extract is cut down to the area as it is read. The result equals the import of the same
/// data as OSM XML.
pub fn import_pbf(path: &std::path::Path, options: &Options) -> Result<Import, ImportError> {
    options.params.check().map_err(ImportError::BadParams)?;
    // With a margin (about 100 m) for what the import looks at just outside the boundary:
    // entrances beside an outline, ways that leave and come back.
    const MARGIN_DEG: f64 = 0.001;
    let clip = options
        .boundary
        .as_ref()
        .and_then(Boundary::bounding_box)
        .map(|[w, s, e, n]| [w - MARGIN_DEG, s - MARGIN_DEG, e + MARGIN_DEG, n + MARGIN_DEG]);
    import_data(pbf::read(path, clip)?, options)
}

fn import_data(data: xml::OsmData, options: &Options) -> Result<Import, ImportError> {
    let boundary = match &options.boundary {
        Some(b) => Some(b.clone()),
        None if data.bounds.is_empty() => None,
        None => Some(Boundary::from_bounds(&data.bounds)?),
    };
    let mut import = Import {
        spec: AreaSpec::default(),
        features: BTreeMap::new(),
        warnings: Vec::new(),
        problems: Vec::new(),
        gate_candidates: Vec::new(),
        gate_why: String::new(),
        dropped: Vec::new(),
        station_reach: None,
    };
    if data.duplicates > 0 {
        import.warnings.push(format!(
            "{} element(s) appear more than once (merged extracts?); the last of each was kept",
            data.duplicates
        ));
    }
    let lanes = lanes::import(&data, boundary.as_ref(), &options.params, &mut import);
    if lanes.index.size() == 0 {
        return Err(ImportError::NoWalkableWay);
    }
    buildings::import(&data, boundary.as_ref(), &lanes, &options.params, &mut import);
    if import.spec.buildings.is_empty() {
        let inside = match &boundary {
            Some(b) => format!("boundary {}", b.describe()),
            None => "the whole file".to_owned(),
        };
        return Err(ImportError::NoBuildings(inside));
    }
    repair::link_doors(&lanes, &options.params, &mut import);
    connect::join_gaps(&options.params, &mut import);
    gate::choose(&data, boundary.as_ref(), options.gate.as_ref(), &lanes, &options.params, &mut import)?;
    let partial = repair::prune(&options.params, &mut import)?;
    sites::lay_out(&partial, &options.params, &mut import);
    import.problems = match lastmetre_area::build(&import.spec, &options.params.area) {
        Ok(built) => built.warnings,
        Err(problems) => problems,
    };
    Ok(import)
}
