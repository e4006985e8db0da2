//! Small instances for the solver's unit tests: the gate, stations and stairwell doors as
//! points on a line, every distance measured along it.

use lastmetre_model::{Bag, Fleet, Instance, Job, Kg, Litres, Metres, Priority, Seconds, Stairwell, Station, Table};

/// Where everything stands on the line, metres.
pub(crate) struct Line<'a> {
    pub gate_x: f64,
    pub stations_x: &'a [f64],
    pub stairwells_x: &'a [f64],
    /// Added to every walk from a station to a door.
    pub door_m: f64,
    /// Added to every walk between two different doors.
    pub between_doors_m: f64,
}

impl Line<'_> {
    /// The instance of these places with `jobs` and `fleet`.
    pub fn instance(&self, name: &str, jobs: Vec<Job>, fleet: Fleet) -> Instance {
        let (stations, doors) = (self.stations_x, self.stairwells_x);
        let (s, n) = (stations.len(), doors.len());
        let x = |i: usize| if i == 0 { self.gate_x } else { stations[i - 1] };
        Instance {
            name: name.into(),
            stations: (0..s).map(|i| Station { id: format!("s{i}"), storage_kg: None, handling_per_kg: 0.0 }).collect(),
            stairwells: (0..n)
                .map(|w| Stairwell { id: format!("w{w}"), label: format!("w{w}"), storey_height: Metres(2.8) })
                .collect(),
            jobs,
            ride: Table::from_fn(s + 1, s + 1, |a, b| Some((x(a) - x(b)).abs())),
            walk_station_stairwell: Table::from_fn(s, n, |a, w| Some((stations[a] - doors[w]).abs() + self.door_m)),
            walk_stairwell_stairwell: Table::from_fn(n, n, |a, b| {
                Some(if a == b { 0.0 } else { (doors[a] - doors[b]).abs() + self.between_doors_m })
            }),
            walk_station_station: Table::from_fn(s, s, |a, b| Some((stations[a] - stations[b]).abs())),
            fleet,
            state: Default::default(),
        }
    }
}

/// A normal order `id` for the household on `floor` of stairwell `stairwell`, one bag per
/// weight (1.2 L per kg), placed at midnight.
pub(crate) fn job(id: String, stairwell: usize, floor: u32, kgs: &[f64]) -> Job {
    Job {
        id,
        household: format!("h{stairwell}-{floor}"),
        unit: None,
        stairwell,
        floor,
        bags: kgs.iter().map(|kg| Bag { kg: Kg(*kg), litres: Litres(kg * 1.2), label: None }).collect(),
        priority: Priority::Normal,
        placed_at: Seconds(0.0),
        pinned_station: None,
        stocked: None,
        announced: None,
        waited_cycles: 0,
        hold: None,
    }
}
