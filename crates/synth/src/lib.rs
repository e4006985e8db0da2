//! Seeded generators of synthetic urban villages.
//!
//! [`village`] lays out a jittered grid of lanes: every fourth line (and the edge) is a
//! tricycle-wide street, the rest are alleys 1.0–2.4 m wide, some of them steps or too steep
//! for a tricycle. Each cell holds one 4–7-storey walk-up with 1–3 stairwells facing the alley
//! to its south and 2–4 households per floor. A gate road enters from the west; candidate
//! station sites sit beside the streets, and the most spread-out of them are open.
//!
//! The same options and seed always give the same area, and every generated area validates.
//! [`demand`] generates batches of orders for an area's households.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod demand;

use lastmetre_area::{
    AreaSpec, BuildingSpec, GateSpec, HouseholdSpec, LaneClass, LaneSpec, LocalFrame, LonLat, SiteSpec, StairwellSpec,
};
use lastmetre_model::Metres;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Smallest and largest area the generator makes.
pub const HOUSEHOLDS: std::ops::RangeInclusive<usize> = 1..=200_000;

/// Cell size of the lane grid, in metres (east–west, north–south).
const CELL: [f64; 2] = [26.0, 22.0];
/// Every this many grid lines, a tricycle street.
const STREET_EVERY: usize = 4;
/// Clearance between a lane centreline and a building wall.
const SETBACK: f64 = 2.6;

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct VillageOptions {
    /// Households, exactly.
    pub households: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Residents in all, exactly; drawn around 2.36 per household (1681 / 713) when absent.
    pub residents: Option<u64>,
    /// Open stations; one per ~90 households when absent (8 for the founding case's 713).
    pub open_stations: Option<usize>,
    /// Where the area's south-west corner lies.
    pub origin: LonLat,
}

impl VillageOptions {
    /// Options for `households` households from `seed`, with every other value defaulted.
    pub fn new(households: usize, seed: u64) -> Self {
        Self {
            households,
            seed,
            residents: None,
            open_stations: None,
            // Shangzhou district, Shangluo: where the founding case happened.
            origin: LonLat::new(109.935, 33.865),
        }
    }
}

/// Options the generator cannot honour.
#[derive(Debug, PartialEq, Eq)]
pub enum SynthError {
    /// The household count is outside [`HOUSEHOLDS`].
    Households(usize),
    /// Fewer residents than households, or more than six per household.
    Residents {
        /// Residents asked for.
        residents: u64,
        /// Households asked for.
        households: usize,
    },
    /// More open stations than candidate sites.
    Stations {
        /// Open stations asked for.
        open: usize,
        /// Candidate sites laid out.
        sites: usize,
    },
}

impl std::fmt::Display for SynthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SynthError::Households(n) => write!(
                f,
                "cannot generate {n} households; choose between {} and {}",
                HOUSEHOLDS.start(),
                HOUSEHOLDS.end()
            ),
            SynthError::Residents { residents, households } => {
                write!(f, "{residents} residents cannot live in {households} households; give 1 to 6 per household")
            }
            SynthError::Stations { open, sites } => {
                write!(f, "{open} open stations asked for, but only {sites} candidate sites fit")
            }
        }
    }
}

impl std::error::Error for SynthError {}

/// One walk-up before it is placed.
struct Walkup {
    levels: u32,
    stairwells: usize,
    per_floor: usize,
    households: usize,
}

/// Generates a synthetic urban village.
pub fn village(options: &VillageOptions) -> Result<AreaSpec, SynthError> {
    let n = options.households;
    if !HOUSEHOLDS.contains(&n) {
        return Err(SynthError::Households(n));
    }
    if let Some(r) = options.residents
        && (r < n as u64 || r > 6 * n as u64)
    {
        return Err(SynthError::Residents { residents: r, households: n });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);

    let walkups = walkups(n, &mut rng);

    let cols = (walkups.len() as f64).sqrt().ceil() as usize;
    let rows = walkups.len().div_ceil(cols);
    let frame = LocalFrame::new(options.origin);
    let at = |xy: [f64; 2]| frame.to_lon_lat(xy);

    // Jittered grid intersections, (cols + 1) × (rows + 1).
    let mut grid = vec![[0.0; 2]; (cols + 1) * (rows + 1)];
    for j in 0..=rows {
        for i in 0..=cols {
            let jitter = [rng.random_range(-2.0..2.0), rng.random_range(-2.0..2.0)];
            grid[j * (cols + 1) + i] = [i as f64 * CELL[0] + jitter[0], j as f64 * CELL[1] + jitter[1]];
        }
    }
    let node = |i: usize, j: usize| grid[j * (cols + 1) + i];
    let street_col = |i: usize| i.is_multiple_of(STREET_EVERY);
    let street_row = |j: usize| j.is_multiple_of(STREET_EVERY);

    let mut spec = AreaSpec::default();
    // East–west lanes are all kept; some north–south alleys are left out as dead ends would
    // be, which cannot disconnect anything because the streets tie every row together.
    for j in 0..=rows {
        for i in 0..cols {
            random_lane(&mut spec, &mut rng, &frame, node(i, j), node(i + 1, j), street_row(j));
        }
    }
    for i in 0..=cols {
        for j in 0..rows {
            let street = street_col(i);
            if street || rng.random_bool(0.85) {
                random_lane(&mut spec, &mut rng, &frame, node(i, j), node(i, j + 1), street);
            }
        }
    }

    // The gate road enters from the west on the street row nearest the middle.
    let gate_row = (0..=rows).filter(|j| street_row(*j)).min_by_key(|j| j.abs_diff(rows / 2)).unwrap_or(0);
    let entry = node(0, gate_row);
    let gate_at = [entry[0] - 12.0, entry[1]];
    spec.lanes.push(LaneSpec {
        id: "L0-gate-road".into(),
        path: vec![at(gate_at), at(entry)],
        width: Some(Metres(4.0)),
        class: LaneClass::Street("service".into()),
        incline_pct: None,
        tricycle: None,
        foot: true,
        layer: 0,
    });
    spec.gates.push(GateSpec {
        id: "G1".into(),
        at: at([gate_at[0] + 1.0, gate_at[1] + 1.5]),
        name: Some("West gate".into()),
    });

    // Buildings, stairwells and households, cell by cell.
    let mut unit_residents = Vec::new();
    for (k, w) in walkups.iter().enumerate() {
        let (i, j) = (k % cols, k / cols);
        let corners = [node(i, j), node(i + 1, j), node(i, j + 1), node(i + 1, j + 1)];
        house(&mut spec, &mut rng, &frame, k, w, corners, &mut unit_residents);
    }
    if let Some(target) = options.residents {
        match_total(&mut unit_residents, target, &mut rng);
    }
    for (h, r) in spec.households.iter_mut().zip(unit_residents) {
        h.residents = Some(r);
    }

    // Candidate sites beside every street crossing, away from the gate.
    let mut candidates = Vec::new();
    for j in 0..=rows {
        for i in 0..=cols {
            let on_street = street_col(i) || street_row(j);
            let near_gate = i == 0 && j == gate_row;
            if on_street && !near_gate {
                let p = node(i, j);
                let dx = if i == cols { -3.0 } else { 3.0 };
                let dy = if j == rows { -1.9 } else { 1.9 };
                candidates.push([p[0] + dx, p[1] + dy]);
            }
        }
    }
    let open = options.open_stations.unwrap_or_else(|| n.div_ceil(90).max(1));
    if open > candidates.len() {
        return Err(SynthError::Stations { open, sites: candidates.len() });
    }
    let chosen = spread_out(&candidates, open, [cols as f64 * CELL[0] / 2.0, rows as f64 * CELL[1] / 2.0]);
    for (k, p) in candidates.iter().enumerate() {
        spec.sites.push(SiteSpec {
            id: format!("T{}", k + 1),
            at: at(*p),
            open: chosen.contains(&k),
            capacity: None,
            name: None,
        });
    }
    Ok(spec)
}

/// Walk-ups until `n` households are housed; the last one is partly filled.
fn walkups(n: usize, rng: &mut ChaCha8Rng) -> Vec<Walkup> {
    let mut walkups = Vec::new();
    let mut housed = 0;
    while housed < n {
        let levels = rng.random_range(4..=7u32);
        let stairwells = rng.random_range(1..=3usize);
        let per_floor = rng.random_range(2..=4usize);
        let full = levels as usize * stairwells * per_floor;
        let households = full.min(n - housed);
        housed += households;
        walkups.push(Walkup { levels, stairwells, per_floor, households });
    }
    walkups
}

/// A lane from `a` to `b` (local metres), bent in the middle as traced lanes are: a street,
/// or an alley (some steep, some steps) of the widths DOMAIN.md gives.
fn random_lane(spec: &mut AreaSpec, rng: &mut ChaCha8Rng, frame: &LocalFrame, a: [f64; 2], b: [f64; 2], street: bool) {
    let at = |xy: [f64; 2]| frame.to_lon_lat(xy);
    let id = format!("L{}", spec.lanes.len() + 1);
    // A bend in the middle, as traced lanes have.
    let mid = [(a[0] + b[0]) / 2.0 + rng.random_range(-0.8..0.8), (a[1] + b[1]) / 2.0 + rng.random_range(-0.8..0.8)];
    let path = vec![at(a), at(mid), at(b)];
    let spec_lane = if street {
        LaneSpec {
            id,
            path,
            width: Some(Metres(round1(rng.random_range(3.0..3.5)))),
            class: LaneClass::Street("residential".into()),
            incline_pct: None,
            tricycle: None,
            foot: true,
            layer: 0,
        }
    } else {
        let roll: f64 = rng.random_range(0.0..1.0);
        let (class, incline_pct) = if roll < 0.08 {
            (LaneClass::Steps, None)
        } else if roll < 0.14 {
            (LaneClass::Alley, Some(round1(rng.random_range(13.0..20.0))))
        } else {
            (LaneClass::Alley, None)
        };
        let width = if rng.random_bool(0.75) { rng.random_range(1.0..1.5) } else { rng.random_range(1.6..2.4) };
        LaneSpec {
            id,
            path,
            width: Some(Metres(round1(width))),
            class,
            incline_pct,
            tricycle: None,
            foot: true,
            layer: 0,
        }
    };
    spec.lanes.push(spec_lane);
}

/// Walk-up `k` in its cell (corners south-west, south-east, north-west, north-east): its
/// outline, stairwells and households, each household's residents drawn into
/// `unit_residents`.
fn house(
    spec: &mut AreaSpec,
    rng: &mut ChaCha8Rng,
    frame: &LocalFrame,
    k: usize,
    w: &Walkup,
    [sw, se, nw, ne]: [[f64; 2]; 4],
    unit_residents: &mut Vec<i64>,
) {
    let at = |xy: [f64; 2]| frame.to_lon_lat(xy);
    let west = sw[0].max(nw[0]) + SETBACK;
    let east = se[0].min(ne[0]) - SETBACK;
    let south = sw[1].max(se[1]) + SETBACK;
    let north = (nw[1].min(ne[1]) - SETBACK).min(south + rng.random_range(11.0..15.0));
    let b_id = format!("B{}", k + 1);
    let ring = [[west, south], [east, south], [east, north], [west, north], [west, south]];
    // A partly filled last walk-up keeps only the floors and stairwells it uses.
    let floors_used = w.households.div_ceil(w.stairwells * w.per_floor).max(1) as u32;
    spec.buildings.push(BuildingSpec {
        id: b_id.clone(),
        outline: ring.iter().map(|p| at(*p)).collect(),
        levels: i64::from(w.levels.min(floors_used.max(1))),
        storey_height: None,
        name: Some(format!("{}号楼", k + 1)),
    });
    let stairwells_used = w.stairwells.min(w.households.div_ceil(w.per_floor));
    let first = spec.stairwells.len();
    for s in 0..stairwells_used {
        let x = west + (east - west) * (s as f64 + 0.5) / stairwells_used as f64;
        spec.stairwells.push(StairwellSpec {
            id: format!("{b_id}-S{}", s + 1),
            at: at([x, south]),
            building: b_id.clone(),
            top_floor: None,
            name: Some(format!("{}单元", s + 1)),
        });
    }
    let mut left = w.households;
    'fill: for floor in 1..=w.levels {
        for s in 0..stairwells_used {
            for u in 0..w.per_floor {
                if left == 0 {
                    break 'fill;
                }
                left -= 1;
                let stairwell = &spec.stairwells[first + s].id;
                spec.households.push(HouseholdSpec {
                    id: format!("{stairwell}-{floor}0{}", u + 1),
                    stairwell: stairwell.clone(),
                    floor: i64::from(floor),
                    residents: None,
                    unit: Some(format!("{floor}0{}", u + 1)),
                });
                unit_residents.push(draw_residents(rng));
            }
        }
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Residents per household: 1–5, mean about 2.36 as in the founding case (1681 / 713).
fn draw_residents(rng: &mut ChaCha8Rng) -> i64 {
    const CUMULATIVE: [f64; 5] = [0.27, 0.61, 0.82, 0.94, 1.0];
    let u: f64 = rng.random_range(0.0..1.0);
    CUMULATIVE.iter().position(|c| u < *c).unwrap_or(4) as i64 + 1
}

/// Nudges counts one by one until they sum to `target`, each staying within 1..=6.
fn match_total(counts: &mut [i64], target: u64, rng: &mut ChaCha8Rng) {
    let mut total: i64 = counts.iter().sum();
    let target = target as i64;
    while total != target {
        let k = rng.random_range(0..counts.len());
        if total > target && counts[k] > 1 {
            counts[k] -= 1;
            total -= 1;
        } else if total < target && counts[k] < 6 {
            counts[k] += 1;
            total += 1;
        }
    }
}

/// Picks `k` points that spread out: the one nearest `centre` first, then each time the one
/// farthest from those already picked.
fn spread_out(points: &[[f64; 2]], k: usize, centre: [f64; 2]) -> Vec<usize> {
    let d = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).hypot(a[1] - b[1]);
    let mut chosen = Vec::with_capacity(k);
    if k == 0 || points.is_empty() {
        return chosen;
    }
    let first = (0..points.len()).min_by(|a, b| d(points[*a], centre).total_cmp(&d(points[*b], centre)));
    let mut nearest: Vec<f64> = vec![f64::INFINITY; points.len()];
    let mut next = first;
    while let Some(p) = next {
        chosen.push(p);
        if chosen.len() == k {
            break;
        }
        for (q, best) in nearest.iter_mut().enumerate() {
            *best = best.min(d(points[p], points[q]));
        }
        next = (0..points.len()).filter(|q| !chosen.contains(q)).max_by(|a, b| nearest[*a].total_cmp(&nearest[*b]));
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_counts_and_determinism() {
        let mut options = VillageOptions::new(713, 7);
        options.residents = Some(1681);
        let a = village(&options).unwrap();
        assert_eq!(a.households.len(), 713);
        assert_eq!(a.households.iter().filter_map(|h| h.residents).sum::<i64>(), 1681);
        assert_eq!(a.sites.iter().filter(|s| s.open).count(), 8);
        assert_eq!(a, village(&options).unwrap());
        assert_ne!(a, village(&VillageOptions::new(713, 8)).unwrap());
    }

    #[test]
    fn refuses_impossible_options() {
        assert_eq!(village(&VillageOptions::new(0, 1)), Err(SynthError::Households(0)));
        let mut options = VillageOptions::new(10, 1);
        options.residents = Some(5);
        assert!(matches!(village(&options), Err(SynthError::Residents { .. })));
        options.residents = None;
        options.open_stations = Some(1000);
        assert!(matches!(village(&options), Err(SynthError::Stations { .. })));
    }
}
