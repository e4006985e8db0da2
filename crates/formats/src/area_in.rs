//! GeoJSON area reader. Reads what it can, and reports every problem with the feature's id.

use geojson::{Feature, GeometryValue, Position};
use lastmetre_area::{
    AreaSpec, BuildingSpec, Code, GateSpec, HouseholdSpec, LaneClass, LaneSpec, LonLat, Problem, SiteSpec,
    StairwellSpec,
};
use lastmetre_model::{Kg, Metres};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Limits that keep a huge or hostile file from taking the machine down.
///
/// The defaults take a 100,000-household area with room to spare.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_bytes: u64,
    /// Most features in one file.
    pub max_features: usize,
    /// Most positions in one feature's geometry.
    pub max_positions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_bytes: 256 * 1024 * 1024, max_features: 2_000_000, max_positions: 100_000 }
    }
}

/// A file that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading the file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// Kinds as written in `properties.kind`.
const KINDS: &str = "gate, lane, building, stairwell (or entrance), household, station_site";

/// Keys that would carry personal data on a household.
const PERSONAL_KEYS: &[&str] = &[
    "name",
    "phone",
    "mobile",
    "tel",
    "telephone",
    "contact:phone",
    "contact:mobile",
    "email",
    "contact:email",
    "owner",
    "resident",
    "resident_name",
    "id_card",
    "id_number",
];

/// Reads an area file, refusing files above `limits.max_bytes` before reading them.
pub fn read_area_file(path: &Path, limits: &Limits) -> Result<(AreaSpec, Vec<Problem>), ReadError> {
    let io = |source| ReadError::Io { path: path.to_owned(), source };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > limits.max_bytes {
        let problem = Problem::new(
            Code::TooLarge,
            None,
            format!("{} is {size} bytes; the limit is {} bytes", path.display(), limits.max_bytes),
        );
        return Ok((AreaSpec::default(), vec![problem]));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    Ok(read_area(&bytes, limits))
}

/// Reads an area from GeoJSON bytes. The spec holds every feature that could be read; the
/// problems name every one that could not.
pub fn read_area(bytes: &[u8], limits: &Limits) -> (AreaSpec, Vec<Problem>) {
    let mut spec = AreaSpec::default();
    let mut problems = Vec::new();
    if bytes.len() as u64 > limits.max_bytes {
        problems.push(Problem::new(
            Code::TooLarge,
            None,
            format!("the area is {} bytes; the limit is {} bytes", bytes.len(), limits.max_bytes),
        ));
        return (spec, problems);
    }
    let root: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            problems.push(Problem::new(
                Code::MalformedJson,
                None,
                format!("not valid JSON at line {}, column {}: {e}", e.line(), e.column()),
            ));
            return (spec, problems);
        }
    };
    let Value::Object(mut root) = root else {
        problems.push(Problem::new(Code::NotGeoJson, None, "the file is JSON but not a GeoJSON object"));
        return (spec, problems);
    };
    if root.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        problems.push(Problem::new(
            Code::NotGeoJson,
            None,
            format!("the top-level type is {}, not FeatureCollection", show(root.get("type"))),
        ));
        return (spec, problems);
    }
    if let Some(crs) = root.get("crs") {
        let name = crs.pointer("/properties/name").and_then(Value::as_str).unwrap_or("");
        let wgs84 = ["CRS84", "EPSG:4326", "EPSG::4326"].iter().any(|n| name.ends_with(n));
        if !wgs84 {
            problems.push(Problem::new(
                Code::BadCrs,
                None,
                format!("the file declares the coordinate system {}", show(Some(crs))),
            ));
            return (spec, problems);
        }
    }
    let Some(Value::Array(features)) = root.remove("features") else {
        problems.push(Problem::new(Code::NotGeoJson, None, "the FeatureCollection has no features array"));
        return (spec, problems);
    };
    if features.len() > limits.max_features {
        problems.push(Problem::new(
            Code::TooLarge,
            None,
            format!("the file has {} features; the limit is {}", features.len(), limits.max_features),
        ));
        return (spec, problems);
    }
    for (index, value) in features.into_iter().enumerate() {
        read_feature(index, value, limits, &mut spec, &mut problems);
    }
    (spec, problems)
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "missing".to_owned(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
        }
    }
}

/// The feature's id: the GeoJSON `id` member, else `properties.id`.
fn feature_id(value: &Value) -> Option<String> {
    let as_id = |v: &Value| match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    value.get("id").and_then(as_id).or_else(|| value.pointer("/properties/id").and_then(as_id))
}

fn read_feature(index: usize, value: Value, limits: &Limits, spec: &mut AreaSpec, out: &mut Vec<Problem>) {
    let id = feature_id(&value);
    // Counted from 1, as a person counts features in a file or an attribute table.
    let label = id.clone().unwrap_or_else(|| format!("feature #{}", index + 1));
    let feature: Feature = match serde_json::from_value(value) {
        Ok(f) => f,
        Err(e) => {
            out.push(Problem::new(Code::NotGeoJson, Some(&label), format!("not a valid GeoJSON Feature: {e}")));
            return;
        }
    };
    let Some(id) = id else {
        out.push(Problem::new(Code::MissingId, Some(&label), format!("{label} has no id")));
        return;
    };
    let empty = Map::new();
    let props = feature.properties.as_ref().unwrap_or(&empty);
    let mut f = Reader { id: &id, props, out, limits };
    let geometry = feature.geometry.as_ref().map(|g| &g.value);
    match props.get("kind").and_then(Value::as_str) {
        Some("gate") => {
            if let Some(at) = f.point(geometry) {
                let name = f.text("name");
                spec.gates.push(GateSpec { id, at, name });
            }
        }
        Some("lane") => {
            if let Some(path) = f.line(geometry) {
                spec.lanes.push(f.lane(id.clone(), path));
            }
        }
        Some("building") => {
            let outline = f.polygon(geometry);
            let levels = f.integer("building:levels");
            if levels.is_none() && !props.contains_key("building:levels") {
                f.missing("building:levels", "the number of floors above ground");
            }
            let storey_height = f.number("storey_height").map(Metres);
            let name = f.text("name").or_else(|| f.text("ref"));
            if let (Some(outline), Some(levels)) = (outline, levels) {
                spec.buildings.push(BuildingSpec { id, outline, levels, storey_height, name });
            }
        }
        Some("stairwell" | "entrance") => {
            let at = f.point(geometry);
            let building = f.text("building_id");
            if building.is_none() {
                f.missing("building_id", "the id of the building this door belongs to");
            }
            let top_floor = f.integer("top_floor");
            let name = f.text("ref").or_else(|| f.text("name"));
            if let (Some(at), Some(building)) = (at, building) {
                spec.stairwells.push(StairwellSpec { id, at, building, top_floor, name });
            }
        }
        Some("household") => {
            f.no_personal_data();
            if geometry.is_some_and(|g| !matches!(g, GeometryValue::Point { .. })) {
                f.wrong_geometry(geometry, "Point or null");
            }
            let stairwell = f.text("stairwell_id");
            if stairwell.is_none() {
                f.missing("stairwell_id", "the id of the stairwell that leads to this household");
            }
            let floor = f.floor();
            let residents = f.integer("residents");
            let unit = f.text("unit").or_else(|| f.text("addr:unit"));
            if let (Some(stairwell), Some(floor)) = (stairwell, floor) {
                spec.households.push(HouseholdSpec { id, stairwell, floor, residents, unit });
            }
        }
        Some("station_site") => {
            let at = f.point(geometry);
            let open = f.boolean("open").unwrap_or(false);
            let capacity = f.number("capacity_kg").map(Kg);
            let name = f.text("name");
            if let Some(at) = at {
                spec.sites.push(SiteSpec { id, at, open, capacity, name });
            }
        }
        Some(other) => f.out.push(Problem::new(
            Code::UnknownKind,
            Some(&id),
            format!("unknown kind '{other}'; expected one of: {KINDS}"),
        )),
        None => f.out.push(Problem::new(
            Code::UnknownKind,
            Some(&id),
            format!(
                "{} properties.kind; expected one of: {KINDS}",
                match props.get("kind") {
                    None => "missing".to_owned(),
                    Some(v) => format!("non-text {v} in"),
                }
            ),
        )),
    }
}

/// Reads the properties and geometry of one feature, reporting into `out`.
struct Reader<'a> {
    id: &'a str,
    props: &'a Map<String, Value>,
    out: &'a mut Vec<Problem>,
    limits: &'a Limits,
}

impl Reader<'_> {
    fn bad(&mut self, key: &str, expected: &str) {
        let message = format!("{key} is {}; expected {expected}", show(self.props.get(key)));
        self.out.push(Problem::new(Code::BadValue, Some(self.id), message));
    }

    fn missing(&mut self, key: &str, what: &str) {
        let message = format!("{key} is missing: it gives {what}");
        self.out.push(Problem::new(Code::MissingProperty, Some(self.id), message));
    }

    /// A number, also from a string such as "2.5" or "2.5 m" (OSM tags are strings).
    fn number(&mut self, key: &str) -> Option<f64> {
        let value = self.props.get(key)?;
        let n = match value {
            Value::Null => return None,
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().trim_end_matches('m').trim().parse::<f64>().ok(),
            _ => None,
        };
        match n.filter(|n| n.is_finite()) {
            Some(n) => Some(n),
            None => {
                self.bad(key, "a number");
                None
            }
        }
    }

    fn integer(&mut self, key: &str) -> Option<i64> {
        let n = self.number(key)?;
        if n.fract() != 0.0 || n.abs() > 1e9 {
            self.bad(key, "a whole number");
            return None;
        }
        Some(n as i64)
    }

    fn text(&mut self, key: &str) -> Option<String> {
        match self.props.get(key)? {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.bad(key, "text");
                None
            }
        }
    }

    fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.props.get(key)? {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            Value::String(s) if matches!(s.as_str(), "yes" | "true" | "1") => Some(true),
            Value::String(s) if matches!(s.as_str(), "no" | "false" | "0") => Some(false),
            _ => {
                self.bad(key, "true/false or yes/no");
                None
            }
        }
    }

    /// `floor` (from 1) or OSM `level` (from 0); both must agree when both are given.
    fn floor(&mut self) -> Option<i64> {
        let floor = self.integer("floor");
        let level = self.integer("level").map(|l| l + 1);
        match (floor, level) {
            (Some(f), Some(l)) if f != l => {
                self.out.push(Problem::new(
                    Code::BadValue,
                    Some(self.id),
                    format!("floor {f} and level {} disagree: floor counts from 1, level from 0", l - 1),
                ));
                None
            }
            (Some(f), _) | (None, Some(f)) => Some(f),
            (None, None) => {
                if !self.props.contains_key("floor") && !self.props.contains_key("level") {
                    self.missing("floor", "the floor, counted from 1 (1楼 = ground floor)");
                }
                None
            }
        }
    }

    fn no_personal_data(&mut self) {
        let mut found: Vec<&str> = PERSONAL_KEYS.iter().copied().filter(|k| self.props.contains_key(*k)).collect();
        found.extend(
            self.props.iter().filter(|(_, v)| v.as_str().is_some_and(looks_like_phone_number)).map(|(k, _)| k.as_str()),
        );
        if !found.is_empty() {
            found.sort_unstable();
            found.dedup();
            self.out.push(Problem::new(
                Code::PersonalData,
                Some(self.id),
                format!("the household carries personal data in: {}", found.join(", ")),
            ));
        }
    }

    fn lane(&mut self, id: String, path: Vec<LonLat>) -> LaneSpec {
        let highway = self.text("highway");
        let alley =
            self.text("service").as_deref() == Some("alley") || self.text("footway").as_deref() == Some("alley");
        let class = match highway.as_deref() {
            Some("steps") => LaneClass::Steps,
            Some("footway" | "path" | "pedestrian") => LaneClass::Alley,
            _ if alley => LaneClass::Alley,
            Some(other) => LaneClass::Street(other.to_owned()),
            None => LaneClass::Unspecified,
        };
        let incline_pct = self.incline();
        LaneSpec {
            id,
            path,
            width: self.number("width").map(Metres),
            class,
            incline_pct,
            tricycle: self.boolean("tricycle"),
            foot: self.text("foot").as_deref() != Some("no"),
            layer: self.integer("layer").unwrap_or(0) as i32,
        }
    }

    /// OSM `incline`: "12%", "-8 %", or a plain number of percent; "up"/"down" carry no value.
    fn incline(&mut self) -> Option<f64> {
        match self.props.get("incline")? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if matches!(s.as_str(), "up" | "down" | "yes") => None,
            Value::String(s) => match s.trim().trim_end_matches('%').trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    self.bad("incline", "a slope in percent such as \"8%\"");
                    None
                }
            },
            _ => {
                self.bad("incline", "a slope in percent such as \"8%\"");
                None
            }
        }
    }

    fn wrong_geometry(&mut self, geometry: Option<&GeometryValue>, expected: &str) {
        let kind = self.props.get("kind").and_then(Value::as_str).unwrap_or("?");
        let found = geometry.map_or("no geometry", |g| g.type_name());
        self.out.push(Problem::new(
            Code::WrongGeometry,
            Some(self.id),
            format!("a {kind} needs a {expected} geometry, found {found}"),
        ));
    }

    fn positions(&mut self, ps: &[Position]) -> Option<Vec<LonLat>> {
        if ps.len() > self.limits.max_positions {
            self.out.push(Problem::new(
                Code::TooLarge,
                Some(self.id),
                format!("the geometry has {} positions; the limit is {}", ps.len(), self.limits.max_positions),
            ));
            return None;
        }
        let lon_lats: Option<Vec<LonLat>> = ps.iter().map(lon_lat).collect();
        if lon_lats.is_none() {
            self.short_position();
        }
        lon_lats
    }

    fn short_position(&mut self) {
        self.out.push(Problem::new(
            Code::NotGeoJson,
            Some(self.id),
            "a position has fewer than two numbers; GeoJSON positions are [longitude, latitude]",
        ));
    }

    fn point(&mut self, geometry: Option<&GeometryValue>) -> Option<LonLat> {
        match geometry {
            Some(GeometryValue::Point { coordinates }) => {
                let at = lon_lat(coordinates);
                if at.is_none() {
                    self.short_position();
                }
                at
            }
            other => {
                self.wrong_geometry(other, "Point");
                None
            }
        }
    }

    fn line(&mut self, geometry: Option<&GeometryValue>) -> Option<Vec<LonLat>> {
        match geometry {
            Some(GeometryValue::LineString { coordinates }) => self.positions(coordinates),
            other => {
                self.wrong_geometry(other, "LineString (split MultiLineStrings into one lane per part)");
                None
            }
        }
    }

    fn polygon(&mut self, geometry: Option<&GeometryValue>) -> Option<Vec<LonLat>> {
        match geometry {
            Some(GeometryValue::Polygon { coordinates }) if !coordinates.is_empty() => self.positions(&coordinates[0]),
            other => {
                self.wrong_geometry(other, "Polygon");
                None
            }
        }
    }
}

fn lon_lat(p: &Position) -> Option<LonLat> {
    match p.as_slice() {
        [lon, lat, ..] => Some(LonLat::new(*lon, *lat)),
        _ => None,
    }
}

/// A mainland-China mobile number (11 digits from 1[3-9]) or a long run of digits with `+`.
fn looks_like_phone_number(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let mobile = digits.len() == 11
        && digits.starts_with('1')
        && digits.as_bytes()[1].is_ascii_digit()
        && digits.as_bytes()[1] >= b'3'
        && digits.chars().all(|c| c.is_ascii_digit());
    let international = digits.starts_with('+') && digits.len() >= 9 && digits[1..].chars().all(|c| c.is_ascii_digit());
    mobile || international
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_recognised() {
        assert!(looks_like_phone_number("13912345678"));
        assert!(looks_like_phone_number("139 1234 5678"));
        assert!(looks_like_phone_number("+86 139 1234 5678"));
        assert!(!looks_like_phone_number("302"));
        assert!(!looks_like_phone_number("12345678901"));
    }
}
