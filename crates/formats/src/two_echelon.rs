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
//! The format has three forms of a store entry, all read: `x,y` (Sets 2–4), `x,y,handling`
//! (the depot and satellites of Set 5 and later sets: a cost per unit of freight that passes
//! through a satellite), and `x,y,handling,capacity,fixed` (a satellite's throughput limit and
//! its cost of being used). Handling costs become the stations' points per kg, capacities their
//! storage, truck fixed costs the points per tricycle trip and city freighter fixed costs the
//! points per porter outing. A satellite's fixed cost (choosing which satellites to open, a
//! location-routing decision) is not modelled and is refused by name.
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

/// A satellite as published.
#[derive(Clone, Debug, PartialEq)]
pub struct Satellite {
    /// Position.
    pub at: [f64; 2],
    /// Cost per unit of freight handled there (0 where the file gives none).
    pub handling_cost: f64,
    /// Most freight that may pass through it; unlimited where the file gives none.
    pub capacity: Option<f64>,
    /// Cost of using it at all (0 where the file gives none).
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
    pub satellites: Vec<Satellite>,
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
    let values = any_numbers(line, entry)?;
    if values.len() != want {
        return Err(TwoEchelonError { line, message: format!("'{entry}' has {} values, not {want}", values.len()) });
    }
    Ok(values)
}

fn any_numbers(line: usize, entry: &str) -> Result<Vec<f64>, TwoEchelonError> {
    entry
        .split(',')
        .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(|| TwoEchelonError { line, message: format!("'{entry}' is not a list of numbers") })
}

/// A store entry: `x,y`, `x,y,handling` or `x,y,handling,capacity,fixed`.
fn store(line: usize, entry: &str) -> Result<Satellite, TwoEchelonError> {
    let v = any_numbers(line, entry)?;
    if !matches!(v.len(), 2 | 3 | 5) {
        return Err(TwoEchelonError {
            line,
            message: format!(
                "store '{entry}' has {} values; expected x,y or x,y,handling cost or x,y,handling cost,capacity,fixed cost",
                v.len()
            ),
        });
    }
    if v[2..].iter().any(|x| *x < 0.0) {
        return Err(TwoEchelonError { line, message: format!("store '{entry}' has a cost or capacity below zero") });
    }
    Ok(Satellite {
        at: [v[0], v[1]],
        handling_cost: v.get(2).copied().unwrap_or(0.0),
        capacity: v.get(3).copied(),
        fixed_cost: v.get(4).copied().unwrap_or(0.0),
    })
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
    let mut stores: Vec<Satellite> = stores.split_whitespace().map(|e| store(sl, e)).collect::<Result<_, _>>()?;
    if stores.len() < 2 {
        return Err(TwoEchelonError {
            line: sl,
            message: "the stores line needs the depot and at least one satellite".into(),
        });
    }
    let depot = stores.remove(0);
    if depot.handling_cost != 0.0 || depot.capacity.is_some() || depot.fixed_cost != 0.0 {
        return Err(TwoEchelonError {
            line: sl,
            message: "the depot (the first store) has a handling cost, capacity or fixed cost; only satellites can"
                .into(),
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
        depot: depot.at,
        satellites: stores,
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

/// The planner's instance for `t`. Refused: satellites' fixed costs (which satellites to
/// open is not the planner's choice), negative costs, empty fleets, and trucks smaller than a
/// city freighter.
pub fn two_echelon_instance(t: &TwoEchelon) -> Result<Instance, TwoEchelonError> {
    let refuse = |message: String| Err(TwoEchelonError { line: 0, message });
    if let Some(s) = t.satellites.iter().position(|s| s.fixed_cost != 0.0) {
        return refuse(format!(
            "satellite {} has a fixed cost of {}: choosing which satellites to open is not modelled; \
             set it to 0 to plan with every satellite open",
            s + 1,
            t.satellites[s].fixed_cost
        ));
    }
    let (trucks, freighters) = (&t.trucks, &t.freighters);
    let costs = [trucks.cost_per_distance, trucks.fixed_cost, freighters.cost_per_distance, freighters.fixed_cost];
    if !costs.iter().all(|c| *c >= 0.0) {
        return refuse("vehicle costs must be zero or more".into());
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
    let stores: Vec<[f64; 2]> = std::iter::once(t.depot).chain(t.satellites.iter().map(|s| s.at)).collect();
    let total: f64 = t.customers.iter().map(|c| c.1).sum();
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
    // One trip per truck and one outing per city freighter: their fixed costs are per trip
    // and per outing.
    fleet.weights.tricycle_trip = t.trucks.fixed_cost;
    fleet.weights.porter_outing = t.freighters.fixed_cost;
    let stations = t.satellites.iter().enumerate().map(|(s, sat)| Station {
        id: format!("S{}", s + 1),
        // A limit that all the demand fits within cannot bind; left out, it leaves the search
        // its faster paths.
        storage_kg: sat.capacity.filter(|c| *c < total),
        handling_per_kg: sat.handling_cost,
    });
    Ok(Instance {
        name: t.name.clone(),
        stations: stations.collect(),
        stairwells: (1..=n)
            .map(|c| Stairwell { id: c.to_string(), label: format!("customer {c}"), storey_height: Metres(0.0) })
            .collect(),
        jobs,
        ride: Table::from_fn(sats + 1, sats + 1, |a, b| Some(t.distance(stores[a], stores[b]))),
        walk_station_stairwell: Table::from_fn(sats, n, |s, c| Some(t.distance(t.satellites[s].at, customer(c)))),
        walk_stairwell_stairwell: Table::from_fn(n, n, |a, b| Some(t.distance(customer(a), customer(b)))),
        // A city freighter is based where it works: no walking between satellites.
        walk_station_station: Table::from_fn(sats, sats, |_, _| Some(0.0)),
        fleet,
        state: Default::default(),
    })
}

/// The cost of a plan of a 2E-CVRP instance, on the literature's scale: distance of both
/// echelons weighted by their costs per distance, the fixed costs of the trucks and city
/// freighters used, and the handling cost of the freight through each satellite.
pub fn two_echelon_cost(t: &TwoEchelon, plan: &Plan) -> f64 {
    let handling: f64 = plan.outings.iter().map(|o| t.satellites[o.station].handling_cost * o.kg).sum();
    1000.0
        * (t.trucks.cost_per_distance * plan.metrics.tricycle_km
            + t.freighters.cost_per_distance * plan.metrics.porter_walk_km)
        + t.trucks.fixed_cost * plan.trips.len() as f64
        + t.freighters.fixed_cost * plan.outings.len() as f64
        + handling
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
        let at: Vec<[f64; 2]> = i.satellites.iter().map(|s| s.at).collect();
        assert_eq!(at, vec![[146.0, 246.0], [147.0, 193.0]]);
        assert!(i.satellites.iter().all(|s| s.handling_cost == 0.0 && s.capacity.is_none() && s.fixed_cost == 0.0));
        assert_eq!(i.customers.len(), 3);
        assert_eq!(i.customers[2], ([146.0, 246.0], 400.0));
        assert_eq!((i.trucks.count, i.trucks.capacity), (3, 15000.0));
        assert_eq!((i.freighters.per_satellite, i.freighters.count, i.freighters.capacity), (4, 4, 6000.0));
        assert_eq!(i.scale, 1.0);
        assert!((i.distance(i.depot, i.satellites[0].at) - 31.016).abs() < 1e-3);
        let set4 = read_two_echelon("Set4a_Instance50-1", E22).unwrap();
        assert!((set4.distance(set4.depot, set4.satellites[0].at) - 0.31016).abs() < 1e-5);
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
        // Vehicle fixed costs are points per trip and per outing.
        let fixed = read_two_echelon("x", &E22.replace("4,4,6000,1,0", "4,4,6000,1,50")).unwrap();
        let i = two_echelon_instance(&fixed).unwrap();
        assert_eq!((i.fleet.weights.porter_outing, i.fleet.weights.tricycle_trip), (50.0, 0.0));
    }

    #[test]
    fn reads_handling_costs_capacities_and_fixed_costs_of_later_sets() {
        // Set 5 style: a third value on every store, the depot's zero.
        let set5 = E22.replace("145,215   146,246   147,193", "145,215,0.0   146,246,2.5   147,193,0.0");
        let i = read_two_echelon("Set5_x", &set5).unwrap();
        assert_eq!(i.depot, [145.0, 215.0]);
        assert_eq!(i.satellites[0].handling_cost, 2.5);
        assert_eq!(i.satellites[1].capacity, None);
        let planned = two_echelon_instance(&i).unwrap();
        assert_eq!(planned.stations[0].handling_per_kg, 2.5);
        // Five values: handling, capacity, fixed cost. A capacity below the total demand
        // (2,200) is a storage limit; one above it binds nothing.
        let five = E22.replace("145,215   146,246   147,193", "145,215   146,246,0.5,2000,0   147,193,0,9000,0");
        let i = read_two_echelon("x", &five).unwrap();
        assert_eq!(i.satellites[0].capacity, Some(2000.0));
        let planned = two_echelon_instance(&i).unwrap();
        assert_eq!(planned.stations[0].storage_kg, Some(2000.0));
        assert_eq!(planned.stations[1].storage_kg, None);
        // Refused, by name: a satellite's fixed cost, a depot with costs, four values.
        let opened = read_two_echelon("x", &five.replace("0,9000,0", "0,9000,75")).unwrap();
        let e = two_echelon_instance(&opened).unwrap_err();
        assert!(e.message.contains("satellite 2 has a fixed cost of 75"), "{e}");
        let e = read_two_echelon("x", &set5.replace("145,215,0.0", "145,215,1.0")).unwrap_err();
        assert!(e.line == 9 && e.message.contains("depot"), "{e}");
        let e = read_two_echelon("x", &five.replace("0.5,2000,0", "0.5,2000")).unwrap_err();
        assert!(e.line == 9 && e.message.contains("4 values"), "{e}");
        let e = read_two_echelon("x", &set5.replace("2.5", "-2.5")).unwrap_err();
        assert!(e.message.contains("below zero"), "{e}");
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
