//! Parcels: the units the search moves. A parcel is the bags of one order that travel
//! together; an order heavier than one carry is split into several parcels up front
//! (first fit by decreasing weight), so every parcel fits in one climb.

use lastmetre_model::Instance;

/// Bags of one job carried together.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Parcel {
    /// Job index.
    pub job: usize,
    /// Bag indices within the job.
    pub bags: Vec<usize>,
    /// Weight.
    pub kg: f64,
    /// Volume.
    pub litres: f64,
    /// Stairwell index.
    pub stairwell: usize,
    /// Floor.
    pub floor: u32,
    /// Height of the floor above the door, metres.
    pub height: f64,
}

/// Splits every job into parcels no heavier than the carry limit.
pub(crate) fn parcels(instance: &Instance) -> Vec<Parcel> {
    let limit = instance.fleet.porters.max_carry_kg.get();
    let mut out = Vec::new();
    for (j, job) in instance.jobs.iter().enumerate() {
        let mut order: Vec<usize> = (0..job.bags.len()).collect();
        order.sort_by(|a, b| job.bags[*b].kg.get().total_cmp(&job.bags[*a].kg.get()).then(a.cmp(b)));
        let mut bins: Vec<(f64, Vec<usize>)> = Vec::new();
        for b in order {
            let kg = job.bags[b].kg.get();
            match bins.iter_mut().find(|(load, _)| load + kg <= limit + 1e-9) {
                Some((load, bags)) => {
                    *load += kg;
                    bags.push(b);
                }
                None => bins.push((kg, vec![b])),
            }
        }
        let stairwell = &instance.stairwells[job.stairwell];
        for (kg, mut bags) in bins {
            bags.sort_unstable();
            let litres = bags.iter().map(|b| job.bags[*b].litres.get()).sum();
            out.push(Parcel {
                job: j,
                bags,
                kg,
                litres,
                stairwell: job.stairwell,
                floor: job.floor,
                height: stairwell.height(job.floor).get(),
            });
        }
    }
    out
}
