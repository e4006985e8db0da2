//! Problems found in an area: stable codes, the culprit's feature id, and a hint.
//!
//! The codes are part of the public interface (`docs/area-format.md` lists them). Never reuse a
//! retired code for something else.

use serde::Serialize;
use std::fmt;

/// Whether a problem stops the area from being used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The area cannot be used until this is fixed.
    Error,
    /// The area was built, but something was assumed that a person should check.
    Warning,
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $sev:ident, $hint:literal;)*) => {
        /// Stable problem codes. `E…` codes are errors and `W…` codes warnings.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable code, e.g. `"E006"`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// Whether the code is an error or a warning.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// What to do about it, in general terms.
            pub fn hint(self) -> &'static str {
                match self { $(Code::$variant => $hint,)* }
            }
        }
    };
}

codes! {
    /// The file is not valid JSON.
    MalformedJson = "E001", Error,
        "fix the JSON syntax at the given line and column (a trailing comma or a missing quote is typical)";
    /// The JSON is not a GeoJSON FeatureCollection, or a feature is not a valid GeoJSON Feature.
    NotGeoJson = "E002", Error,
        "export a GeoJSON FeatureCollection (RFC 7946) from QGIS or geojson.io";
    /// The file exceeds a documented size limit.
    TooLarge = "E003", Error,
        "split the area into smaller files, or raise the limit if the machine can take it";
    /// `properties.kind` is missing or not one of the known kinds.
    UnknownKind = "E004", Error,
        "set properties.kind to one of: gate, lane, building, stairwell (or entrance), household, station_site";
    /// A feature has no id.
    MissingId = "E005", Error,
        "give every feature a unique id, as the Feature's \"id\" member or as properties.id";
    /// Two features share an id.
    DuplicateId = "E006", Error,
        "rename one of the features; ids must be unique across the whole file";
    /// The geometry is missing or of the wrong type for the kind.
    WrongGeometry = "E007", Error,
        "gate, stairwell, station_site: Point; lane: LineString; building: Polygon; household: Point or null";
    /// A coordinate is not WGS-84 longitude/latitude.
    NotLonLat = "E008", Error,
        "export in EPSG:4326 (WGS-84 lon/lat, longitude first); do not use projected metres or GCJ-02 offsets";
    /// The file declares a coordinate reference system other than WGS-84.
    BadCrs = "E009", Error,
        "reproject to EPSG:4326 (WGS-84) before export; RFC 7946 allows no other CRS";
    /// A property has a value that cannot be read.
    BadValue = "E010", Error,
        "write the value as a number (or as a numeric string such as \"2.5\"); booleans as true/false or yes/no";
    /// A household carries personal data.
    PersonalData = "E011", Error,
        "remove names, phone numbers and other personal data; households need only stairwell, floor, residents and unit";
    /// A geometry is degenerate: a lane without two distinct points, an outline without area.
    DegenerateGeometry = "E012", Error,
        "redraw the feature: a lane needs two distinct points, an outline at least three";
    /// A required property is missing.
    MissingProperty = "E013", Error,
        "add the property; docs/area-format.md lists what each kind needs";
    /// A household names a stairwell that does not exist.
    DanglingStairwell = "E101", Error,
        "set properties.stairwell_id to the id of an existing stairwell feature";
    /// A stairwell names a building that does not exist.
    DanglingBuilding = "E102", Error,
        "set properties.building_id to the id of an existing building feature";
    /// A floor lies outside the floors its building or stairwell has.
    FloorOutOfRange = "E103", Error,
        "floors count from 1 (1楼 = ground floor) up to building:levels; fix the floor or the levels";
    /// A width, level count, storey height, capacity or resident count is zero or negative.
    NotPositive = "E104", Error,
        "measure the value again; widths and heights are metres above zero, levels at least 1";
    /// The area has no gate.
    NoGate = "E105", Error,
        "add a Point feature with kind=gate where goods enter the area";
    /// Lanes that no path on foot connects to a gate.
    LaneIsland = "E201", Error,
        "connect the lanes to the network (snap the end points in QGIS) or delete them";
    /// A gate, station site or stairwell door is farther than the snap tolerance from any lane.
    TooFarFromLane = "E202", Error,
        "trace the missing lane up to this point, or move the point onto its lane";
    /// A station site or gate that a tricycle cannot reach from a gate.
    NotTricycleReachable = "E203", Error,
        "move the point next to a lane at least tricycle width + clearance wide, or trace the missing lane";
    /// A household that no path on foot reaches from a gate.
    HouseholdUnreachable = "E204", Error,
        "connect the stairwell's door to the lane network, or check the household's stairwell";
    /// An order (or a CSV row of one) cannot be read.
    MalformedOrder = "E301", Error,
        "fix the order as docs/orders-format.md describes; CSV problems give the line";
    /// Two orders share an id.
    DuplicateOrder = "E302", Error,
        "give every order in the batch its own id";
    /// An order names a household that is not in the area.
    UnknownHousehold = "E303", Error,
        "use a household id from the area file (validate the area to list them)";
    /// A bag weighs zero or less, or has a negative volume.
    BadBag = "E304", Error,
        "weigh the bag again: kg above zero, litres zero or more";
    /// A bag is heavier than a porter may carry.
    BagTooHeavy = "E305", Error,
        "split the goods into bags no heavier than the porters' max_carry_kg";
    /// A station named in the fleet or an order is not an open station site of the area.
    UnknownStation = "E306", Error,
        "use the id of a station_site in the area; pinned stations must also be open";
    /// An order has no bags.
    EmptyOrder = "E307", Error,
        "list at least one bag, or cancel the order";
    /// The fleet file cannot be read.
    BadFleet = "E308", Error,
        "fix the fleet file as docs/fleet-format.md describes";
    /// No station is open, so nothing can be planned.
    NoStation = "E309", Error,
        "open at least one station_site (open=true in the area, or stations in the fleet file)";
    /// An order id breaks the id rule: 1 to 64 characters, none of them a control or
    /// direction character, no space at either end.
    BadOrderId = "E310", Error,
        "give the order an id of 1 to 64 printable characters (letters, digits, - _ . / and the like)";
    /// An order is larger than the fleet's order limits allow.
    OrderTooLarge = "E311", Error,
        "split it into several orders, or raise the limit it names in the fleet file's orders section";
    /// A household has placed more orders on one day than the limit allows.
    TooManyOrders = "E312", Error,
        "merge the household's orders, or raise orders.per_household in the fleet file";
    /// An order's address names no household of the area.
    UnknownAddress = "E313", Error,
        "write the address as the area names it (building, unit, door: 4号楼 1单元 502), or give the household id; the closest addresses are listed";
    /// An order's address names several households.
    AmbiguousAddress = "E314", Error,
        "add the unit (单元) to the address, or give the household id";
    /// A building leader's order is for a household outside their buildings.
    OutsideBuildings = "E315", Error,
        "a building leader orders for the households of their own buildings; send it to that building's leader or the dispatcher";
    /// Lane ends that nearly met were joined.
    EndpointsJoined = "W301", Warning,
        "check on the orthophoto that the lanes really meet; snap the end points to silence this";
    /// Lanes that crossed without a shared point were joined at the crossing.
    CrossingJoined = "W302", Warning,
        "add a shared vertex at the crossing, or set different layer values for a bridge or underpass";
    /// A building has no stairwell, so nobody in it can be served.
    BuildingWithoutStairwell = "W303", Warning,
        "add a stairwell (entrance) point at each door, or ignore this for non-residential buildings";
    /// A stairwell serves no household.
    StairwellWithoutHouseholds = "W304", Warning,
        "add the households behind this door, or ignore this for empty stairwells";
    /// A stairwell door lies far from its building's outline.
    DoorFarFromBuilding = "W305", Warning,
        "check that the stairwell names the right building, and that the door sits on its outline";
    /// No station site is open.
    NoOpenStation = "W306", Warning,
        "mark at least one station_site with open=true before planning";
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem, naming its feature. In JSON it reads
/// `{"code":"E101","severity":"error","feature":"h-12","message":…,"hint":…}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Stable code.
    pub code: Code,
    /// Id of the culprit, or a position such as `feature #12` when it has no id.
    pub feature: Option<String>,
    /// Another feature the problem involves, such as the id a dangling reference names.
    pub related: Option<String>,
    /// What is wrong, in this instance.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl Problem {
    /// A problem with the code's general hint.
    pub fn new(code: Code, feature: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            code,
            feature: feature.map(str::to_owned),
            related: None,
            message: message.into(),
            hint: code.hint().to_owned(),
        }
    }

    /// The same problem with a more specific hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    /// The same problem, naming another feature it involves.
    pub fn related_to(mut self, id: &str) -> Self {
        self.related = Some(id.to_owned());
        self
    }

    /// Error or warning.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Problem", 6)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("severity", &self.severity())?;
        s.serialize_field("feature", &self.feature)?;
        s.serialize_field("related", &self.related)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("hint", &self.hint)?;
        s.end()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level} {}", self.code)?;
        if let Some(id) = &self.feature {
            write!(f, " [{id}]")?;
        }
        write!(f, ": {}\n    hint: {}", self.message, self.hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_prefixed_by_severity() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            let prefix = match code.severity() {
                Severity::Error => 'E',
                Severity::Warning => 'W',
            };
            assert!(code.as_str().starts_with(prefix), "{code}");
        }
    }
}
