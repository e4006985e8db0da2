//! Two-echelon CVRP instances in the unified format of Sets 2–7 (Breunig et al. 2016, as
//! distributed in `ncabrera10/2E-VRP`): trucks from a depot to satellites, city freighters
//! from the satellites to customers. The format and its traps are described in
//! `../shared/benchmarks/2ecvrp/README.md`.
//!
//! This is the reader only: it gives the instance as published, with the scale of its
//! coordinates. Mapping it onto the planner's `Instance` (trucks as tricycles, satellites as
//! stations, city freighters as porters, no stairs, distance as the objective) is not built
//! yet (issue 4).

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
