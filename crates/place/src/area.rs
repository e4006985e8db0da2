//! A placement model of an area: stairwells with their demand as clients, station sites as
//! candidates, and the porters' expected walking effort as the cost.

use crate::{Client, Problem, Rule, Site};
use lastmetre_area::{Area, TravelMatrices};
use lastmetre_model::{Fleet, Order};
use std::collections::BTreeMap;

/// What the analyst fixes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    /// Site ids forced open.
    pub open: Vec<String>,
    /// Site ids forced closed.
    pub closed: Vec<String>,
    /// Most a porter should walk from a station to a stairwell door, metres.
    pub max_walk_m: Option<f64>,
}

/// The model, with what was decided on the way.
#[derive(Clone, Debug)]
pub struct AreaModel {
    /// The placement problem: site `i` is the area's site `i`, client `j` a stairwell with
    /// orders.
    pub problem: Problem,
    /// Area stairwell index of each client.
    pub stairwells: Vec<usize>,
    /// Notes for the analyst (sites closed because tricycles cannot reach them, …).
    pub notes: Vec<String>,
    /// Days of demand the model averages.
    pub days: f64,
}

/// Why a model cannot be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// `--open` or `--closed` names a site the area lacks.
    #[error("'{0}' is not a station_site of the area")]
    UnknownSite(String),
    /// An order names a household the area lacks.
    #[error("order '{0}' is for household '{1}', which is not in the area")]
    UnknownHousehold(String, String),
    /// A site's rules contradict each other or the area.
    #[error("site '{0}' is {1}")]
    Conflict(String, &'static str),
    /// No demand at all.
    #[error("the demand is empty: nothing to place stations for")]
    NoDemand,
}

/// Builds the model. The cost of serving stairwell `w` from site `s` is the expected level
/// walking energy per day, kJ (DOMAIN.md: `c_h · (body + k · load) · distance` out, `c_h ·
/// body · distance` back, one outing per order): the climbs do not depend on the site. The
/// demand weight used against a site's storage is the stairwell's kg in the busiest 30-minute
/// cycle of the demand.
pub fn model(
    area: &Area,
    matrices: &TravelMatrices,
    orders: &[Order],
    fleet: &Fleet,
    constraints: &Constraints,
) -> Result<AreaModel, ModelError> {
    let household: BTreeMap<&str, usize> =
        area.households.iter().enumerate().map(|(i, h)| (h.id.as_str(), i)).collect();
    let mut per_stairwell: BTreeMap<usize, (f64, f64)> = BTreeMap::new(); // (energy factor, kg)
    let mut per_cycle: BTreeMap<i64, f64> = BTreeMap::new();
    let (body, k, c_h) =
        (fleet.porters.body_mass_kg.get(), fleet.effort.hand_carry_factor, fleet.effort.level_j_per_kg_m);
    for o in orders {
        let h = household
            .get(o.household.as_str())
            .ok_or_else(|| ModelError::UnknownHousehold(o.id.clone(), o.household.clone()))?;
        let kg = o.kg().get();
        let entry = per_stairwell.entry(area.households[*h].stairwell).or_default();
        entry.0 += c_h * (2.0 * body + k * kg) / 1000.0;
        entry.1 += kg;
        *per_cycle.entry((o.placed_at.get() / 1800.0).floor() as i64).or_default() += kg;
    }
    if per_stairwell.is_empty() {
        return Err(ModelError::NoDemand);
    }
    let total_kg: f64 = per_stairwell.values().map(|v| v.1).sum();
    let peak_share = per_cycle.values().copied().fold(0.0, f64::max) / total_kg.max(1e-9);
    let first = orders.iter().map(|o| o.placed_at.get()).fold(f64::INFINITY, f64::min);
    let last = orders.iter().map(|o| o.placed_at.get()).fold(f64::NEG_INFINITY, f64::max);
    let days = ((last / 86_400.0).floor() - (first / 86_400.0).floor() + 1.0).max(1.0);
    let mut notes = Vec::new();
    let find =
        |id: &str| area.sites.iter().position(|s| s.id == id).ok_or_else(|| ModelError::UnknownSite(id.to_owned()));
    let forced_open: Vec<usize> = constraints.open.iter().map(|id| find(id)).collect::<Result<_, _>>()?;
    let forced_closed: Vec<usize> = constraints.closed.iter().map(|id| find(id)).collect::<Result<_, _>>()?;
    for &s in &forced_open {
        let id = &area.sites[s].id;
        if forced_closed.contains(&s) {
            return Err(ModelError::Conflict(id.clone(), "forced both open and closed"));
        }
        if matrices.tricycle_distance.get(0, matrices.site_depot(s)).is_none() {
            return Err(ModelError::Conflict(id.clone(), "forced open but not reachable by tricycle from the gate"));
        }
    }
    let sites: Vec<Site> = area
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let reachable = matrices.tricycle_distance.get(0, matrices.site_depot(i)).is_some();
            let rule = if forced_closed.contains(&i) {
                Rule::Closed
            } else if !reachable {
                notes.push(format!("site {} is not reachable by tricycle from the gate: left closed", s.id));
                Rule::Closed
            } else if forced_open.contains(&i) {
                Rule::Open
            } else {
                Rule::Free
            };
            Site { id: s.id.clone(), capacity: s.capacity.map(|c| c.get()), rule }
        })
        .collect();
    let stairwells: Vec<usize> = per_stairwell.keys().copied().collect();
    let clients: Vec<Client> = per_stairwell
        .iter()
        .map(|(w, (_, kg))| Client { id: area.stairwells[*w].id.clone(), demand: kg * peak_share })
        .collect();
    let factors: Vec<f64> = per_stairwell.values().map(|v| v.0 / days).collect();
    let problem = Problem::new(sites, clients, |s, c| {
        let d = matrices.walk_site_to_door.get(s, stairwells[c])?.get();
        if constraints.max_walk_m.is_some_and(|m| d > m) {
            return None;
        }
        Some(factors[c] * d)
    });
    Ok(AreaModel { problem, stairwells, notes, days })
}
