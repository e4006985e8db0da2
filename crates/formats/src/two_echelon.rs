//! Two-echelon CVRP instances in the unified format of Sets 2–7 (Breunig et al. 2016, as
//! distributed in `ncabrera10/2E-VRP`): trucks from a depot to satellites, city freighters
//! from the satellites to customers. The format and its traps are described in
//! `../shared/benchmarks/2ecvrp/README.md`.
//!
//! [`read_two_echelon`] gives the instance as published, with the scale of its coordinates;
//! [`two_echelon_instance`] maps it onto the planner's [`Instance`]: the depot is the gate,
//! satellites are stations, trucks are tricycles making one trip each, city freighters are
//! porters making one outing each (at most `per_satellite` from one station), customers are
//! ground-floor stairwells (no stairs), and the objective is the distance of both echelons,
//! Euclidean, unrounded, on the literature's scale. [`write_two_echelon_solution`] writes a
//! plan so that it can be verified by hand (format in `docs/benchmarks.md`).
//!
//! One difference from the literature: a satellite's goods may be split over several trucks
//! there in any quantity; here a trip carries whole customers' demands (bags), which is as
//! fine a split as the planner makes.

/// The first echelon's fleet.
#[derive(Clone, Debug, PartialEq)]
pub struct Trucks {
    /// Trucks available (each makes one route).
    pub count: usize,
    /// Capacity of one truck.
    pub capacity: f64,
    /// Cost per unit of distance.
    pub cost_per_distance: f64,
    /// Fixed cost per truck used.
    pub fixed_cost: f64,
}

/// The second echelon's fleet.
#[derive(Clone, Debug, PartialEq)]
pub struct CityFreighters {
    /// Most city freighters based at one satellite.
    pub per_satellite: usize,
    /// City freighters in all (each makes one route).
    pub count: usize,
    /// Capacity of one city freighter.
    pub capacity: f64,
    /// Cost per unit of distance.
    pub cost_per_distance: f64,
    /// Fixed cost per city freighter used.
    pub fixed_cost: f64,
}

/// A 2E-CVRP instance as published.
#[derive(Clone, Debug, PartialEq)]
pub struct TwoEchelon {
    /// Instance name (the file name without `.dat`).
    pub name: String,
    /// Where the trucks start and end.
    pub depot: [f64; 2],
    /// Satellites, in file order (satellite 1, 2, …).
    pub satellites: Vec<[f64; 2]>,
    /// Customers: position and demand, in file order.
    pub customers: Vec<([f64; 2], f64)>,
    /// First echelon.
    pub trucks: Trucks,
    /// Second echelon.
    pub freighters: CityFreighters,
    /// Distances on these coordinates divided by this give the literature's scale: 100 for
    /// Set 4, whose files hold 100 × the original coordinates + 1000; else 1.
    pub scale: f64,
}

impl TwoEchelon {
    /// Euclidean distance, unrounded, on the literature's scale.
    pub fn distance(&self, a: [f64; 2], b: [f64; 2]) -> f64 {
        (a[0] - b[0]).hypot(a[1] - b[1]) / self.scale
    }
}

/// An instance that cannot be read, with the line at fault.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct TwoEchelonError {
    /// Line number, from 1 (0 for the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

use crate::cvrplib::{customer_job, distance_only_fleet};
use lastmetre_model::{Instance, Kg, Metres, MetresPerSecond, Plan, Stairwell, Station, Table};

fn numbers(line: usize, entry: &str, want: usize) -> Result<Vec<f64>, TwoEchelonError> {
    let values: Vec<f64> = entry
        .split(',')
        .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(|| TwoEchelonError { line, message: format!("'{entry}' is not {want} numbers") })?;
    if values.len() != want {
        return Err(TwoEchelonError { line, message: format!("'{entry}' has {} values, not {want}", values.len()) });
    }
    Ok(values)
}

fn whole(line: usize, value: f64, what: &str) -> Result<usize, TwoEchelonError> {
    if value >= 0.0 && value.fract() == 0.0 && value <= 1e6 {
        Ok(value as usize)
    } else {
        Err(TwoEchelonError { line, message: format!("{what} {value} is not a whole number") })
    }
}

/// Reads an instance. `name` is the file name without `.dat`; names starting with `Set4` are
/// on the ×100 scale.
pub fn read_two_echelon(name: &str, text: &str) -> Result<TwoEchelon, TwoEchelonError> {
    let data: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('!'))
        .collect();
    if data.len() != 4 {
        return Err(TwoEchelonError {
            line: 0,
            message: format!("{} data lines; expected 4 (trucks, city freighters, stores, customers)", data.len()),
        });
    }
    let (tl, trucks) = data[0];
    let t = numbers(tl, trucks, 4)?;
    let (fl, freighters) = data[1];
    let f = numbers(fl, freighters, 5)?;
    let (sl, stores) = data[2];
    let stores: Vec<[f64; 2]> =
        stores.split_whitespace().map(|e| numbers(sl, e, 2).map(|v| [v[0], v[1]])).collect::<Result<_, _>>()?;
    if stores.len() < 2 {
        return Err(TwoEchelonError {
            line: sl,
            message: "the stores line needs the depot and at least one satellite".into(),
        });
    }
    let (cl, customers) = data[3];
    let customers: Vec<([f64; 2], f64)> = customers
        .split_whitespace()
        .map(|e| numbers(cl, e, 3).map(|v| ([v[0], v[1]], v[2])))
        .collect::<Result<_, _>>()?;
    if customers.is_empty() {
        return Err(TwoEchelonError { line: cl, message: "no customers".into() });
    }
    if let Some((_, d)) = customers.iter().find(|(_, d)| *d < 0.0) {
        return Err(TwoEchelonError { line: cl, message: format!("a customer's demand is {d}, below zero") });
    }
    let (truck_cap, freighter_cap) = (t[1], f[2]);
    if truck_cap <= 0.0 || freighter_cap <= 0.0 {
        return Err(TwoEchelonError { line: tl, message: "capacities must be above zero".into() });
    }
    if let Some((_, d)) = customers.iter().find(|(_, d)| *d > freighter_cap) {
        return Err(TwoEchelonError {
            line: cl,
            message: format!("a customer's demand {d} exceeds the city freighters' capacity {freighter_cap}"),
        });
    }
    Ok(TwoEchelon {
        name: name.to_owned(),
        depot: stores[0],
        satellites: stores[1..].to_vec(),
        customers,
        trucks: Trucks {
            count: whole(tl, t[0], "the truck count")?,
            capacity: truck_cap,
            cost_per_distance: t[2],
            fixed_cost: t[3],
        },
        freighters: CityFreighters {
            per_satellite: whole(fl, f[0], "the city freighters per satellite")?,
            count: whole(fl, f[1], "the city freighter count")?,
            capacity: freighter_cap,
            cost_per_distance: f[3],
            fixed_cost: f[4],
        },
        scale: if name.starts_with("Set4") { 100.0 } else { 1.0 },
    })
}

/// The planner's instance for `t`. Refused: fixed vehicle costs (the planner has none),
/// negative costs, empty fleets, and trucks smaller than a city freighter.
pub fn two_echelon_instance(t: &TwoEchelon) -> Result<Instance, TwoEchelonError> {
    let refuse = |message: String| Err(TwoEchelonError { line: 0, message });
    if t.trucks.fixed_cost != 0.0 || t.freighters.fixed_cost != 0.0 {
        return refuse("fixed vehicle costs are not modelled; only costs per distance are".into());
    }
    if !(t.trucks.cost_per_distance >= 0.0 && t.freighters.cost_per_distance >= 0.0) {
        return refuse("costs per distance must be zero or more".into());
    }
    if t.freighters.count == 0 || t.trucks.count == 0 || t.freighters.per_satellite == 0 {
        return refuse("the fleets must have at least one truck and one city freighter per satellite".into());
    }
    if t.trucks.capacity < t.freighters.capacity {
        return refuse(format!(
            "a truck carries {}, less than a city freighter's {}; the planner needs trucks at least as large",
            t.trucks.capacity, t.freighters.capacity
        ));
    }
    let (sats, n) = (t.satellites.len(), t.customers.len());
    let stores: Vec<[f64; 2]> = std::iter::once(t.depot).chain(t.satellites.iter().copied()).collect();
    let customer = |c: usize| t.customers[c].0;
    let jobs = t.customers.iter().enumerate().map(|(c, (_, demand))| customer_job(c + 1, c, *demand)).collect();
    let mut fleet = distance_only_fleet(t.freighters.capacity, t.freighters.count);
    fleet.porters.outings_each = Some(1);
    fleet.porters.per_station = Some(t.freighters.per_satellite);
    fleet.tricycles.count = t.trucks.count;
    fleet.tricycles.capacity_kg = Kg(t.trucks.capacity);
    fleet.tricycles.speed = MetresPerSecond(1.0);
    fleet.tricycles.trips_each = Some(1);
    fleet.weights.walk_km = 1000.0 * t.freighters.cost_per_distance;
    fleet.weights.tricycle_km = 1000.0 * t.trucks.cost_per_distance;
    Ok(Instance {
        name: t.name.clone(),
        stations: (1..=sats).map(|s| Station { id: format!("S{s}"), storage_kg: None }).collect(),
        stairwells: (1..=n)
            .map(|c| Stairwell { id: c.to_string(), label: format!("customer {c}"), storey_height: Metres(0.0) })
            .collect(),
        jobs,
        ride: Table::from_fn(sats + 1, sats + 1, |a, b| Some(t.distance(stores[a], stores[b]))),
        walk_station_stairwell: Table::from_fn(sats, n, |s, c| Some(t.distance(t.satellites[s], customer(c)))),
        walk_stairwell_stairwell: Table::from_fn(n, n, |a, b| Some(t.distance(customer(a), customer(b)))),
        // A city freighter is based where it works: no walking between satellites.
        walk_station_station: Table::from_fn(sats, sats, |_, _| Some(0.0)),
        fleet,
        state: Default::default(),
    })
}

/// The cost of a plan of a 2E-CVRP instance: distance of both echelons, weighted by their
/// costs per distance, on the literature's scale.
pub fn two_echelon_cost(t: &TwoEchelon, plan: &Plan) -> f64 {
    1000.0
        * (t.trucks.cost_per_distance * plan.metrics.tricycle_km
            + t.freighters.cost_per_distance * plan.metrics.porter_walk_km)
}

/// A plan as a 2E-CVRP solution, in the spirit of CVRPLIB's `.sol`: satellites `S1…`,
/// customers by their 1-based place in the file, the depot `D`; each truck route with what
/// it leaves at each satellite; each city freighter route from its satellite; the cost with
/// two decimals.
///
/// ```text
/// Truck #1: D S2 (2400) S1 (3100) D
/// Freighter #1: S1 7 3 12 S1
/// Cost 417.07
/// ```
pub fn write_two_echelon_solution(t: &TwoEchelon, instance: &Instance, plan: &Plan) -> String {
    let mut out = String::new();
    for (k, trip) in plan.trips.iter().enumerate() {
        let stops: Vec<String> = trip
            .stops
            .iter()
            .map(|s| {
                let q: f64 = s.bags.iter().map(|b| instance.jobs[b.job].bags[b.bag].kg.get()).sum();
                format!("{} ({q})", instance.stations[s.station].id)
            })
            .collect();
        out.push_str(&format!("Truck #{}: D {} D\n", k + 1, stops.join(" ")));
    }
    for (k, outing) in plan.outings.iter().enumerate() {
        let station = &instance.stations[outing.station].id;
        let customers: Vec<&str> = outing.climbs.iter().map(|c| instance.stairwells[c.stairwell].id.as_str()).collect();
        out.push_str(&format!("Freighter #{}: {station} {} {station}\n", k + 1, customers.join(" ")));
    }
    out.push_str(&format!("Cost {:.2}\n", two_echelon_cost(t, plan)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const E22: &str = "!----\n!Trucks: (total #, capacity, cost per distance, fixcost)\n3,15000,1,0\n!----\n\
        !CityFreighters: (max cf/sat, total #, cap, cost/dist, fixcost)\n4,4,6000,1,0\n!----\n\
        !Stores: (first: depot x,y; then: satellites x,y)\n145,215   146,246   147,193\n!----\n\
        !Customers: (x,y,demand)\n151,264,1100   159,261,700   146,246,400\n";

    #[test]
    fn reads_the_unified_format() {
        let i = read_two_echelon("Set2a_E-n22-k4-s6-17", E22).unwrap();
        assert_eq!(i.depot, [145.0, 215.0]);
        assert_eq!(i.satellites, vec![[146.0, 246.0], [147.0, 193.0]]);
        assert_eq!(i.customers.len(), 3);
        assert_eq!(i.customers[2], ([146.0, 246.0], 400.0));
        assert_eq!((i.trucks.count, i.trucks.capacity), (3, 15000.0));
        assert_eq!((i.freighters.per_satellite, i.freighters.count, i.freighters.capacity), (4, 4, 6000.0));
        assert_eq!(i.scale, 1.0);
        assert!((i.distance(i.depot, i.satellites[0]) - 31.016).abs() < 1e-3);
        let set4 = read_two_echelon("Set4a_Instance50-1", E22).unwrap();
        assert!((set4.distance(set4.depot, set4.satellites[0]) - 0.31016).abs() < 1e-5);
    }

    #[test]
    fn maps_onto_the_planner() {
        let published = read_two_echelon("Set2a_E-n22-k4-s6-17", E22).unwrap();
        let i = two_echelon_instance(&published).unwrap();
        assert_eq!((i.stations.len(), i.stairwells.len(), i.jobs.len()), (2, 3, 3));
        assert_eq!(i.jobs[0].kg(), 1100.0);
        assert_eq!((i.fleet.tricycles.count, i.fleet.tricycles.trips_each), (3, Some(1)));
        assert_eq!(i.fleet.tricycles.capacity_kg, Kg(15000.0));
        assert_eq!(i.fleet.porters.count, 4);
        assert_eq!((i.fleet.porters.outings_each, i.fleet.porters.per_station), (Some(1), Some(4)));
        assert_eq!(i.fleet.porters.max_carry_kg, Kg(6000.0));
        // Unrounded distances: depot to satellite 1 is √(1² + 31²).
        assert!((i.ride_m(None, Some(0)).unwrap() - 962f64.sqrt()).abs() < 1e-9);
        // Customer 3 stands on satellite 1.
        assert_eq!(i.walk_station_stairwell.get(0, 2), Some(Metres(0.0)));
        let fixed = read_two_echelon("x", &E22.replace("4,4,6000,1,0", "4,4,6000,1,50")).unwrap();
        assert!(two_echelon_instance(&fixed).unwrap_err().message.contains("fixed"));
    }

    #[test]
    fn bad_files_name_the_line() {
        let e = read_two_echelon("x", "3,15000,1,0\n").unwrap_err();
        assert_eq!(e.line, 0);
        let e = read_two_echelon("x", &E22.replace("151,264,1100", "151,264")).unwrap_err();
        assert_eq!(e.line, 12);
        let e = read_two_echelon("x", &E22.replace("4,4,6000", "4,4,600")).unwrap_err();
        assert!(e.message.contains("exceeds"), "{e}");
        let e = read_two_echelon("x", &E22.replace("3,15000", "2.5,15000")).unwrap_err();
        assert_eq!(e.line, 3);
    }
}
