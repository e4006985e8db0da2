//! Checks on the records themselves, before any geometry: ids, references, ranges,
//! coordinates. Every problem is reported; records with errors are left out of the graph so
//! that later checks do not repeat them.

use crate::problem::{Code, Problem};
use crate::spec::{AreaSpec, LonLat};
use std::collections::HashMap;

/// Which records survived the checks, and the floors each stairwell serves.
pub(crate) struct Usable {
    pub gates: Vec<bool>,
    pub lanes: Vec<bool>,
    pub buildings: Vec<bool>,
    pub sites: Vec<bool>,
    /// Building index and top floor of each usable stairwell.
    pub stairwells: Vec<Option<(usize, u32)>>,
    /// Stairwell index of each usable household.
    pub households: Vec<Option<usize>>,
}

fn check_position(id: &str, what: &str, p: LonLat, out: &mut Vec<Problem>) -> bool {
    if p.is_lon_lat() {
        return true;
    }
    let looks_projected = p.lon.abs() > 180.0 || p.lat.abs() > 90.0;
    let mut problem = Problem::new(
        Code::NotLonLat,
        Some(id),
        format!("{what} has position [{}, {}], which is not WGS-84 lon/lat", p.lon, p.lat),
    );
    if looks_projected && p.lon.abs() <= 90.0 && p.lat.abs() <= 180.0 {
        problem = problem.with_hint("latitude and longitude look swapped: GeoJSON puts longitude first");
    } else if looks_projected {
        problem = problem.with_hint("these look like projected metres; export the layer in EPSG:4326 (WGS-84 lon/lat)");
    }
    out.push(problem);
    false
}

fn all_positions(id: &str, what: &str, ps: &[LonLat], out: &mut Vec<Problem>) -> bool {
    // One problem per feature is enough to find it.
    ps.iter().all(|p| check_position(id, what, *p, out))
}

fn positive(id: &str, what: &str, value: f64, out: &mut Vec<Problem>) -> bool {
    if value > 0.0 && value.is_finite() {
        return true;
    }
    out.push(Problem::new(Code::NotPositive, Some(id), format!("{what} is {value}; it must be above zero")));
    false
}

pub(crate) fn check(spec: &AreaSpec, out: &mut Vec<Problem>) -> Usable {
    check_ids(spec, out);
    if spec.gates.is_empty() {
        out.push(Problem::new(Code::NoGate, None, "the area has no gate"));
    }

    let gates = spec.gates.iter().map(|g| check_position(&g.id, "gate", g.at, out)).collect();
    let sites = spec
        .sites
        .iter()
        .map(|s| {
            let at = check_position(&s.id, "station site", s.at, out);
            let cap = s.capacity.is_none_or(|c| positive(&s.id, "capacity_kg", c.get(), out));
            at && cap
        })
        .collect();
    let lanes = spec
        .lanes
        .iter()
        .map(|l| {
            let at = all_positions(&l.id, "lane", &l.path, out);
            let width = l.width.is_none_or(|w| positive(&l.id, "width", w.get(), out));
            let shape = l.path.len() >= 2 || degenerate(&l.id, "a lane needs at least two positions", out);
            at && width && shape
        })
        .collect();
    let buildings: Vec<bool> = spec
        .buildings
        .iter()
        .map(|b| {
            let at = all_positions(&b.id, "building outline", &b.outline, out);
            let levels = positive(&b.id, "building:levels", b.levels as f64, out)
                && at_most(&b.id, "building:levels", b.levels, MAX_LEVELS, out);
            let storey = b.storey_height.is_none_or(|h| positive(&b.id, "storey_height", h.get(), out));
            let shape = b.outline.len() >= 3 || degenerate(&b.id, "an outline needs at least three positions", out);
            at && levels && storey && shape
        })
        .collect();

    let building_index: HashMap<&str, usize> =
        spec.buildings.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
    let stairwells: Vec<Option<(usize, u32)>> = spec
        .stairwells
        .iter()
        .map(|s| {
            let at = check_position(&s.id, "stairwell", s.at, out);
            let Some(&b) = building_index.get(s.building.as_str()) else {
                out.push(
                    Problem::new(
                        Code::DanglingBuilding,
                        Some(&s.id),
                        format!("stairwell '{}' names building '{}', which does not exist", s.id, s.building),
                    )
                    .related_to(&s.building),
                );
                return None;
            };
            if !buildings[b] {
                return None;
            }
            let levels = spec.buildings[b].levels;
            let top = s.top_floor.unwrap_or(levels);
            if !(1..=levels).contains(&top) {
                out.push(Problem::new(
                    Code::FloorOutOfRange,
                    Some(&s.id),
                    format!(
                        "stairwell '{}' has top_floor {top}, but building '{}' has floors 1..={levels}",
                        s.id, s.building
                    ),
                ));
                return None;
            }
            at.then_some((b, top as u32))
        })
        .collect();

    let stairwell_index: HashMap<&str, usize> =
        spec.stairwells.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let households = spec
        .households
        .iter()
        .map(|h| {
            let residents_ok = match h.residents {
                Some(r) if r < 0 => {
                    out.push(Problem::new(
                        Code::NotPositive,
                        Some(&h.id),
                        format!("residents is {r}; it must be zero or more"),
                    ));
                    false
                }
                Some(r) => at_most(&h.id, "residents", r, MAX_RESIDENTS, out),
                None => true,
            };
            let Some(&s) = stairwell_index.get(h.stairwell.as_str()) else {
                out.push(
                    Problem::new(
                        Code::DanglingStairwell,
                        Some(&h.id),
                        format!("household '{}' names stairwell '{}', which does not exist", h.id, h.stairwell),
                    )
                    .related_to(&h.stairwell),
                );
                return None;
            };
            let (_, top) = stairwells[s]?;
            if !(1..=i64::from(top)).contains(&h.floor) {
                out.push(Problem::new(
                    Code::FloorOutOfRange,
                    Some(&h.id),
                    format!(
                        "household '{}' is on floor {}, but stairwell '{}' serves floors 1..={top}",
                        h.id, h.floor, h.stairwell
                    ),
                ));
                return None;
            }
            residents_ok.then_some(s)
        })
        .collect();

    Usable { gates, lanes, buildings, sites, stairwells, households }
}

/// More floors than any building has: a typo, or a hostile file.
pub(crate) const MAX_LEVELS: i64 = 200;
/// More residents than one household can hold.
pub(crate) const MAX_RESIDENTS: i64 = 1000;

fn at_most(id: &str, what: &str, value: i64, max: i64, out: &mut Vec<Problem>) -> bool {
    if value <= max {
        return true;
    }
    out.push(Problem::new(Code::BadValue, Some(id), format!("{what} is {value}; at most {max} is accepted")));
    false
}

fn degenerate(id: &str, message: &str, out: &mut Vec<Problem>) -> bool {
    out.push(Problem::new(Code::DegenerateGeometry, Some(id), message));
    false
}

fn check_ids(spec: &AreaSpec, out: &mut Vec<Problem>) {
    let ids = spec
        .gates
        .iter()
        .map(|g| (&g.id, "gate"))
        .chain(spec.lanes.iter().map(|l| (&l.id, "lane")))
        .chain(spec.buildings.iter().map(|b| (&b.id, "building")))
        .chain(spec.stairwells.iter().map(|s| (&s.id, "stairwell")))
        .chain(spec.households.iter().map(|h| (&h.id, "household")))
        .chain(spec.sites.iter().map(|s| (&s.id, "station_site")));
    let mut first: HashMap<&str, &str> = HashMap::new();
    for (id, kind) in ids {
        if id.trim().is_empty() {
            out.push(Problem::new(Code::MissingId, None, format!("a {kind} has an empty id")));
        } else if let Some(earlier) = first.insert(id, kind) {
            first.insert(id, earlier);
            out.push(Problem::new(
                Code::DuplicateId,
                Some(id),
                format!("id '{id}' is used by a {earlier} and again by a {kind}"),
            ));
        }
    }
}
