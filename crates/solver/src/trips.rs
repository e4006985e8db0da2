//! Which goods ride which tricycle trip (echelon 1), shared by the search's estimate and the
//! plan, so that the search optimises the trips the plan will make.
//!
//! Two ways to fill trips are tried and the cheaper in points is kept:
//! - **in a row**: goods in order of urgency and of the tricycles' loop, each trip filled
//!   before the next starts, a station's goods split over two trips where they do not fit;
//!   as few trips as capacity allows;
//! - **by station**: each station's goods fill trips of their own while they are a full
//!   load; what is left of each station is packed whole, largest first, into as few trips as
//!   it fits; shorter rides when stations lie apart (split-delivery routing's classic
//!   "full loads direct, remainders combined").

use lastmetre_model::Instance;

/// Goods to carry to one station: a parcel, or what is left of a station's load.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Load {
    pub station: usize,
    pub kg: f64,
    pub litres: f64,
    /// Lower rides earlier (urgency, then the loop).
    pub rank: usize,
}

/// Trips as lists of indices into the loads, in the order they should leave.
pub(crate) struct Formed {
    pub trips: Vec<Vec<usize>>,
    /// Trips, riding (each trip's stations in loop order) and trips beyond the fleet, in points.
    pub points: f64,
}

/// The cheaper of the two ways for `loads`; `position[s]` is station `s`'s place in the loop.
pub(crate) fn form_trips(instance: &Instance, position: &[usize], loads: &[Load]) -> Formed {
    let in_row = in_a_row(instance, loads);
    let by_station = by_station(instance, position, loads);
    let a = Formed { points: points(instance, position, loads, &in_row), trips: in_row };
    let b = Formed { points: points(instance, position, loads, &by_station), trips: by_station };
    if b.points < a.points - 1e-9 { b } else { a }
}

fn fits(instance: &Instance, kg: f64, litres: f64) -> bool {
    let t = &instance.fleet.tricycles;
    kg <= t.capacity_kg.get() + 1e-9 && litres <= t.capacity_litres.get() + 1e-9
}

fn in_a_row(instance: &Instance, loads: &[Load]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..loads.len()).collect();
    order.sort_by_key(|i| (loads[*i].rank, *i));
    let mut trips: Vec<(Vec<usize>, f64, f64)> = Vec::new();
    for i in order {
        let l = &loads[i];
        match trips.last_mut() {
            Some(t) if fits(instance, t.1 + l.kg, t.2 + l.litres) => {
                t.0.push(i);
                t.1 += l.kg;
                t.2 += l.litres;
            }
            _ => trips.push((vec![i], l.kg, l.litres)),
        }
    }
    trips.into_iter().map(|t| t.0).collect()
}

fn by_station(instance: &Instance, position: &[usize], loads: &[Load]) -> Vec<Vec<usize>> {
    let mut stations: Vec<usize> = loads.iter().map(|l| l.station).collect();
    stations.sort_by_key(|s| (position[*s], *s));
    stations.dedup();
    // (indices, kg, litres, full): a station's loads cut into trip-sized chunks in rank order.
    let mut full: Vec<Vec<usize>> = Vec::new();
    let mut rest: Vec<(Vec<usize>, f64, f64)> = Vec::new();
    for s in stations {
        let mut mine: Vec<usize> = (0..loads.len()).filter(|i| loads[*i].station == s).collect();
        mine.sort_by_key(|i| (loads[*i].rank, *i));
        let mut chunk: (Vec<usize>, f64, f64) = (Vec::new(), 0.0, 0.0);
        for i in mine {
            let l = &loads[i];
            if !chunk.0.is_empty() && !fits(instance, chunk.1 + l.kg, chunk.2 + l.litres) {
                full.push(std::mem::take(&mut chunk.0));
                chunk = (Vec::new(), 0.0, 0.0);
            }
            chunk.0.push(i);
            chunk.1 += l.kg;
            chunk.2 += l.litres;
        }
        rest.push(chunk);
    }
    // First fit decreasing of the remainders.
    rest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut packed: Vec<(Vec<usize>, f64, f64)> = Vec::new();
    for (items, kg, litres) in rest {
        match packed.iter_mut().find(|t| fits(instance, t.1 + kg, t.2 + litres)) {
            Some(t) => {
                t.0.extend(items);
                t.1 += kg;
                t.2 += litres;
            }
            None => packed.push((items, kg, litres)),
        }
    }
    let mut trips: Vec<Vec<usize>> = full.into_iter().chain(packed.into_iter().map(|t| t.0)).collect();
    let first = |t: &Vec<usize>| t.iter().map(|i| loads[*i].rank).min().unwrap_or(usize::MAX);
    trips.sort_by_key(|t| (first(t), t.first().copied()));
    trips
}

fn points(instance: &Instance, position: &[usize], loads: &[Load], trips: &[Vec<usize>]) -> f64 {
    let (t, w) = (&instance.fleet.tricycles, &instance.fleet.weights);
    let ride = |a: Option<usize>, b: Option<usize>| instance.ride_m(a, b).unwrap_or(0.0);
    let mut metres = 0.0;
    let mut stations = Vec::new();
    for trip in trips {
        stations.clear();
        stations.extend(trip.iter().map(|i| loads[*i].station));
        stations.sort_by_key(|s| (position[*s], *s));
        stations.dedup();
        let mut at = None;
        for &s in &stations {
            metres += ride(at, Some(s));
            at = Some(s);
        }
        metres += ride(at, None);
    }
    let allowed = t.trips_each.map_or(usize::MAX, |n| n.saturating_mul(t.count));
    w.tricycle_trip * trips.len() as f64
        + w.tricycle_km * metres / 1000.0
        + w.unserved * trips.len().saturating_sub(allowed) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use lastmetre_model::{Fleet, Kg};

    /// Gate at 0, stations at −20, +30 and +40 on a line; tricycles of 10 kg.
    fn line(trip_points: f64) -> Instance {
        let x = [0.0, -20.0, 30.0, 40.0];
        let mut fleet = Fleet::default();
        fleet.tricycles.capacity_kg = Kg(10.0);
        fleet.weights.tricycle_trip = trip_points;
        fleet.weights.tricycle_km = 1000.0;
        let line = crate::fixture::Line {
            gate_x: 0.0,
            stations_x: &x[1..],
            stairwells_x: &[],
            door_m: 0.0,
            between_doors_m: 0.0,
        };
        line.instance("line", vec![], fleet)
    }

    fn goods(kg: &[(usize, f64)]) -> Vec<Load> {
        kg.iter().enumerate().map(|(rank, &(station, kg))| Load { station, kg, litres: 0.0, rank }).collect()
    }

    #[test]
    fn stations_apart_get_trips_of_their_own() {
        // 6 kg at each station: in a row, 10 + 2 kg ride 100 m + 60 m; by station 40 m + 60 m.
        let formed = form_trips(&line(0.0), &[0, 1, 2], &goods(&[(0, 3.0), (0, 3.0), (1, 2.0), (1, 4.0)]));
        assert_eq!(formed.trips, vec![vec![0, 1], vec![2, 3]]);
        assert!((formed.points - 100.0).abs() < 1e-9, "{}", formed.points);
    }

    #[test]
    fn costly_trips_are_filled_in_a_row() {
        // 6 kg at each of three stations: by station three trips, in a row two (a station's
        // goods split over both).
        let six = goods(&[(0, 3.0), (0, 3.0), (1, 3.0), (1, 3.0), (2, 3.0), (2, 3.0)]);
        let formed = form_trips(&line(1000.0), &[0, 1, 2], &six);
        assert_eq!(formed.trips, vec![vec![0, 1, 2], vec![3, 4, 5]]);
    }
}
