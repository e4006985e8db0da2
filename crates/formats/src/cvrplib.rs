//! CVRPLIB instances (TSPLIB 95 `.vrp`, `EUC_2D`) as an abstract [`Instance`], and solutions in
//! the CVRPLIB `.sol` format.
//!
//! The mapping: the depot is the only station; every customer is a stairwell with one order
//! of one bag on floor 1 (no stairs); a vehicle is a porter whose carry limit is the capacity.
//! The fleet is unlimited (the X set's convention) unless the file gives its size, by
//! `VEHICLES` or in Augerat's comment "No of trucks: K"; then K vehicles make one route each,
//! as in the proven optima of sets A and B (with more routes, B-n51-k7 goes below its
//! optimum). Distances are Euclidean rounded to the nearest integer (CVRPLIB's
//! convention) and the objective is their sum: every weight is zero but walking, at one point
//! per metre.

use lastmetre_model::{
    Bag, Fleet, Instance, Job, Kg, Kilojoules, Litres, Metres, MetresPerSecond, Plan, Priority, Seconds, Stairwell,
    Station, Table, Weights,
};

/// An instance that cannot be read, with the line at fault.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CvrpError {
    /// Line number, from 1 (0 for the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn error(line: usize, message: impl Into<String>) -> CvrpError {
    CvrpError { line, message: message.into() }
}

/// Reads a `.vrp` file. Only `EUC_2D` with a node coordinate section is supported.
pub fn read_cvrp(name: &str, text: &str) -> Result<Instance, CvrpError> {
    let mut dimension = None;
    let mut capacity = None;
    let mut coords: Vec<Option<(f64, f64)>> = Vec::new();
    let mut demands: Vec<Option<f64>> = Vec::new();
    let mut depot = None;
    // A fleet size, where the file gives one: `VEHICLES`, or Augerat's "No of trucks: K".
    let mut vehicles: Option<(usize, usize)> = None;
    let mut section = "";
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            let (key, value) = (key.trim(), value.trim());
            match key {
                "DIMENSION" => {
                    let d: usize = value.parse().map_err(|_| error(line_no, "DIMENSION is not a number"))?;
                    // Distances are a dense table: 10,000 nodes is 800 MB of it.
                    if !(2..=10_000).contains(&d) {
                        return Err(error(line_no, format!("DIMENSION {d} is outside 2..=10000")));
                    }
                    dimension = Some(d);
                    coords = vec![None; d];
                    demands = vec![None; d];
                }
                "CAPACITY" => {
                    capacity = Some(value.parse::<f64>().map_err(|_| error(line_no, "CAPACITY is not a number"))?)
                }
                "EDGE_WEIGHT_TYPE" if value != "EUC_2D" => {
                    return Err(error(line_no, format!("EDGE_WEIGHT_TYPE {value} is not supported; only EUC_2D")));
                }
                "TYPE" if value != "CVRP" => return Err(error(line_no, format!("TYPE {value} is not CVRP"))),
                "VEHICLES" => {
                    let k = value.parse().map_err(|_| error(line_no, "VEHICLES is not a whole number"))?;
                    vehicles = Some((k, line_no));
                }
                "COMMENT" => {
                    if let Some(k) = value.split("No of trucks:").nth(1) {
                        let digits: String = k.trim_start().chars().take_while(char::is_ascii_digit).collect();
                        let k = digits
                            .parse()
                            .map_err(|_| error(line_no, "'No of trucks:' is not followed by a number"))?;
                        vehicles = vehicles.or(Some((k, line_no)));
                    }
                }
                _ => {}
            }
            section = "";
            continue;
        }
        match line {
            "NODE_COORD_SECTION" | "DEMAND_SECTION" | "DEPOT_SECTION" => {
                section = line;
                continue;
            }
            "EOF" => break,
            _ => {}
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let number = |i: usize| -> Result<f64, CvrpError> {
            fields.get(i).and_then(|f| f.parse::<f64>().ok()).ok_or_else(|| error(line_no, "expected a number"))
        };
        let node = |v: f64| -> Result<usize, CvrpError> {
            let d = dimension.ok_or_else(|| error(line_no, "a section comes before DIMENSION"))?;
            let k = v as usize;
            if v.fract() != 0.0 || k < 1 || k > d {
                return Err(error(line_no, format!("node {v} is outside 1..={d}")));
            }
            Ok(k - 1)
        };
        match section {
            "NODE_COORD_SECTION" => {
                let k = node(number(0)?)?;
                coords[k] = Some((number(1)?, number(2)?));
            }
            "DEMAND_SECTION" => {
                let k = node(number(0)?)?;
                demands[k] = Some(number(1)?);
            }
            "DEPOT_SECTION" => {
                let v = number(0)?;
                if v >= 0.0 && depot.is_none() {
                    depot = Some(node(v)?);
                }
            }
            _ => return Err(error(line_no, format!("unexpected line '{line}'"))),
        }
    }
    let dimension = dimension.ok_or_else(|| error(0, "no DIMENSION"))?;
    let capacity = capacity.filter(|c| *c > 0.0).ok_or_else(|| error(0, "no positive CAPACITY"))?;
    let depot = depot.unwrap_or(0);
    let coords: Vec<(f64, f64)> = coords
        .into_iter()
        .enumerate()
        .map(|(k, c)| c.ok_or_else(|| error(0, format!("node {} has no coordinates", k + 1))))
        .collect::<Result<_, _>>()?;
    let customers: Vec<usize> = (0..dimension).filter(|k| *k != depot).collect();
    if let Some((k, line)) = vehicles
        && !(1..=customers.len()).contains(&k)
    {
        return Err(error(line, format!("{k} vehicles; expected 1 to {} (one per customer at most)", customers.len())));
    }
    let mut jobs = Vec::new();
    for (w, &k) in customers.iter().enumerate() {
        let demand = demands[k].ok_or_else(|| error(0, format!("node {} has no demand", k + 1)))?;
        if !(demand > 0.0 && demand <= capacity) {
            return Err(error(0, format!("node {} has demand {demand}; expected 0 < demand <= {capacity}", k + 1)));
        }
        jobs.push(customer_job(k + 1, w, demand));
    }
    let nint = |a: usize, b: usize| {
        let (p, q) = (coords[a], coords[b]);
        ((p.0 - q.0).hypot(p.1 - q.1)).round()
    };
    let n = customers.len();
    Ok(Instance {
        name: name.to_owned(),
        stations: vec![Station { id: "depot".into(), storage_kg: None, handling_per_kg: 0.0 }],
        stairwells: customers
            .iter()
            .map(|k| Stairwell {
                id: (k + 1).to_string(),
                label: format!("customer {}", k + 1),
                storey_height: Metres(0.0),
            })
            .collect(),
        jobs,
        ride: Table::new(2, 2, vec![0.0; 4]),
        walk_station_stairwell: Table::from_fn(1, n, |_, w| Some(nint(depot, customers[w]))),
        walk_stairwell_stairwell: Table::from_fn(n, n, |a, b| Some(nint(customers[a], customers[b]))),
        walk_station_station: Table::new(1, 1, vec![0.0]),
        fleet: match vehicles {
            Some((k, _)) => {
                let mut fleet = distance_only_fleet(capacity, k);
                fleet.porters.outings_each = Some(1);
                fleet
            }
            None => distance_only_fleet(capacity, n),
        },
        state: Default::default(),
    })
}

/// A benchmark customer: order and household `number`, one bag of `demand` on the ground
/// floor of stairwell `stairwell`.
pub(crate) fn customer_job(number: usize, stairwell: usize, demand: f64) -> Job {
    Job {
        id: number.to_string(),
        household: number.to_string(),
        unit: None,
        stairwell,
        floor: 1,
        bags: vec![Bag { kg: Kg(demand), litres: Litres(0.0), label: None }],
        priority: Priority::Normal,
        placed_at: Seconds(0.0),
        pinned_station: None,
        stocked: None,
        announced: None,
        waited_cycles: 0,
        hold: None,
    }
}

/// A fleet for benchmarks: `vehicles` vehicles of `capacity`, no time or energy limits, and an
/// objective of plain walking distance.
pub fn distance_only_fleet(capacity: f64, vehicles: usize) -> Fleet {
    let mut fleet = Fleet::default();
    fleet.porters.count = vehicles.max(1);
    fleet.porters.max_carry_kg = Kg(capacity);
    fleet.porters.shift_energy = Kilojoules(f64::MAX / 4.0);
    fleet.porters.shift_climb = lastmetre_model::Metres(f64::MAX / 4.0);
    fleet.porters.walk_speed = MetresPerSecond(1.0);
    fleet.porters.handover_s = Seconds(0.0);
    fleet.porters.pick_s = Seconds(0.0);
    fleet.tricycles.count = 1;
    fleet.tricycles.capacity_kg = Kg(f64::MAX / 4.0);
    fleet.tricycles.capacity_litres = Litres(f64::MAX / 4.0);
    fleet.tricycles.load_s = Seconds(0.0);
    fleet.tricycles.unload_s = Seconds(0.0);
    fleet.weights = Weights {
        unserved: 1e9,
        priority_factor: [1.0, 1.0, 1.0],
        tricycle_trip: 0.0,
        tricycle_km: 0.0,
        stair_climb: 0.0,
        energy_kj: 0.0,
        max_porter_energy_kj: 0.0,
        walk_km: 1000.0,
        porter_outing: 0.0,
        moved_order: 0.0,
        waiting: 0.0,
        hold: 0.0,
        broken_promise: 0.0,
    };
    fleet
}

/// A plan's routes in the CVRPLIB `.sol` format: customers numbered as in the file's node
/// list minus one (the depot is node 1), then the cost.
pub fn write_cvrp_solution(instance: &Instance, plan: &Plan) -> String {
    let mut out = String::new();
    for (r, outing) in plan.outings.iter().enumerate() {
        let customers: Vec<String> = outing
            .climbs
            .iter()
            .map(|c| {
                let node: usize = instance.stairwells[c.stairwell].id.parse().unwrap_or(0);
                node.saturating_sub(1).to_string()
            })
            .collect();
        out.push_str(&format!("Route #{}: {}\n", r + 1, customers.join(" ")));
    }
    out.push_str(&format!("Cost {}\n", (plan.metrics.porter_walk_km * 1000.0).round()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "NAME : t\nTYPE : CVRP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 10\n\
        NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n4 0 5\nDEMAND_SECTION\n1 0\n2 4\n3 5\n4 9\nDEPOT_SECTION\n 1\n -1\nEOF\n";

    #[test]
    fn reads_a_small_instance() {
        let i = read_cvrp("t", TINY).unwrap();
        assert_eq!(i.jobs.len(), 3);
        assert_eq!(i.walk_station_stairwell.get(0, 0), Some(Metres(5.0)));
        assert_eq!(i.walk_stairwell_stairwell.get(0, 1), Some(Metres(5.0)));
        assert_eq!(i.fleet.porters.max_carry_kg, Kg(10.0));
        assert_eq!(i.fleet.porters.outings_each, None);
        // A fleet size given in Augerat's comment, or by VEHICLES, is kept.
        let given = TINY.replace("NAME : t", "NAME : t\nCOMMENT : (Augerat et al, No of trucks: 2, Optimal value: 9)");
        let i = read_cvrp("t", &given).unwrap();
        assert_eq!((i.fleet.porters.count, i.fleet.porters.outings_each), (2, Some(1)));
        let i = read_cvrp("t", &TINY.replace("NAME : t", "NAME : t\nVEHICLES : 3")).unwrap();
        assert_eq!((i.fleet.porters.count, i.fleet.porters.outings_each), (3, Some(1)));
        assert_eq!(read_cvrp("t", &TINY.replace("NAME : t", "NAME : t\nVEHICLES : 4")).unwrap_err().line, 2);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(read_cvrp("t", &TINY.replace("EUC_2D", "GEO")).unwrap_err().line, 4);
        assert!(read_cvrp("t", &TINY.replace("4 9", "4 11")).is_err());
        assert!(read_cvrp("t", &TINY.replace("3 6 8", "7 6 8")).is_err());
        assert!(read_cvrp("t", "DIMENSION : x").is_err());
    }
}
