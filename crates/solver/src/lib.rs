//! The two-echelon solver: tricycle trips from the gate to stations, porter outings from the
//! stations up the stairwells, over an abstract [`Instance`] (no geometry, no files).
//!
//! 1. Orders become *parcels* no heavier than one carry (`parcel.rs`).
//! 2. Echelon 2 is searched: parcels into outings, the serving station chosen per parcel
//!    (construction, then large neighbourhood search, `search/`). With more threads,
//!    where the objective is a sum over outings (CVRP-like), each thread searches a part of
//!    the outings, a new split every epoch (`search/decompose.rs`); elsewhere each thread is
//!    an island, the islands sharing their best at fixed points. Either way a (seed, threads)
//!    pair always gives the same plan when the iteration budget is what stops the search.
//! 3. Echelon 1 and the schedule follow from the outings (`assemble.rs`).
//!
//! [`manual`] plays the careful manual practice of the founding case, as a baseline.
//!
//! ```
//! # use lastmetre_model::*;
//! # let instance = Instance {
//! #     name: "one order".into(),
//! #     stations: vec![Station { id: "s".into(), storage_kg: None, handling_per_kg: 0.0 }],
//! #     stairwells: vec![Stairwell { id: "w".into(), label: "1号楼 1单元".into(), storey_height: Metres(2.8) }],
//! #     jobs: vec![Job { id: "o1".into(), household: "h".into(), unit: None, stairwell: 0, floor: 3,
//! #         bags: vec![Bag { kg: Kg(5.0), litres: Litres(5.0), label: None }],
//! #         priority: Priority::Normal, placed_at: Seconds(0.0), pinned_station: None,
//! #         stocked: None, announced: None, waited_cycles: 0, hold: None }],
//! #     ride: Table::new(2, 2, vec![0.0, 300.0, 300.0, 0.0]),
//! #     walk_station_stairwell: Table::new(1, 1, vec![40.0]),
//! #     walk_stairwell_stairwell: Table::new(1, 1, vec![0.0]),
//! #     walk_station_station: Table::new(1, 1, vec![0.0]),
//! #     fleet: Fleet::default(),
//! #     state: FleetState::default(),
//! # };
//! use lastmetre_solver::{Budget, solve};
//!
//! let plan = solve(&instance, &Budget::iterations(200), 7, 1);
//! assert_eq!(plan.metrics.orders_delivered, 1);
//! assert_eq!(plan.metrics.stair_climbs, 1);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod assemble;
#[cfg(test)]
mod fixture;
mod outing;
mod parcel;
mod savings;
mod search;
mod trips;

use assemble::{TripPolicy, assemble};
use lastmetre_model::{Instance, Plan};
use outing::{Outing, Stop};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
pub use search::OperatorStats;
use search::{Context, CostEvaluator, Counters, Run, Solution, construct, construct_from, improve};

/// How long to search. The solver reads no clock itself: `elapsed` is the caller's.
pub struct Budget<'a> {
    /// Iterations per thread.
    pub iterations: u64,
    /// Share of the caller's time budget used so far: 0 at the start, 1 or more to stop with
    /// the best plan so far. The search also cools by it, so a time-bound run anneals fully.
    pub elapsed: &'a (dyn Fn() -> f64 + Sync),
}

impl Budget<'static> {
    /// A budget of `iterations` per island and no time limit.
    pub fn iterations(iterations: u64) -> Self {
        Budget { iterations, elapsed: &|| 0.0 }
    }
}

/// Iterations between the islands' reports of their best solution, at least; an epoch
/// has at least a quarter of an iteration per parcel, because each report assembles a
/// whole plan (18 % of the time on 6,000 customers with epochs of 250).
const EPOCH: u64 = 250;

/// Epochs between restarts of the islands that are behind from the best solution (with
/// more than one island).
const SHARE: u64 = 8;

/// An outing of a previous plan, to start the search from: its station and its jobs in
/// visiting order (indices into the new instance).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WarmOuting {
    /// Station index.
    pub station: usize,
    /// Job indices.
    pub jobs: Vec<usize>,
}

/// Who makes the plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// lastmetre's search.
    #[default]
    Lastmetre,
    /// The careful manual practice of the founding case, as a baseline ([`manual`]).
    Manual,
}

impl Policy {
    /// The name files and the command line use: `lastmetre` or `manual`.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Lastmetre => "lastmetre",
            Policy::Manual => "manual",
        }
    }
}

/// Plans one cycle by `policy`: the search within `budget` (warm from `warm`, which may be
/// empty), or the manual practice, which ignores the budget, seed and warm start.
pub fn plan_by(
    policy: Policy,
    instance: &Instance,
    budget: &Budget,
    seed: u64,
    threads: usize,
    warm: &[WarmOuting],
) -> Plan {
    match policy {
        Policy::Lastmetre => solve_from(instance, budget, seed, threads, warm),
        Policy::Manual => manual(instance),
    }
}

/// Plans one cycle: the best plan found within the budget. Deterministic for a given
/// (`seed`, `threads`) when the iteration budget ends the search.
pub fn solve(instance: &Instance, budget: &Budget, seed: u64, threads: usize) -> Plan {
    solve_from(instance, budget, seed, threads, &[])
}

/// Like [`solve`], starting warm from `warm` (the previous plan's outings, re-indexed): the
/// search begins from those outings, new jobs inserted greedily, so a re-plan needs few
/// iterations and keeps what still fits.
pub fn solve_from(instance: &Instance, budget: &Budget, seed: u64, threads: usize, warm: &[WarmOuting]) -> Plan {
    solve_reporting(instance, budget, seed, threads, warm).0
}

/// What a search did, beside its plan: its iterations and what each named operator earned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchReport {
    /// Iterations run, over all threads.
    pub iterations: u64,
    /// Every operator: its kind (`ruin` or `recreate`), its name and its counts.
    pub operators: Vec<(&'static str, &'static str, OperatorStats)>,
}

/// Like [`solve_from`], with a report of what the search did.
pub fn solve_reporting(
    instance: &Instance,
    budget: &Budget,
    seed: u64,
    threads: usize,
    warm: &[WarmOuting],
) -> (Plan, SearchReport) {
    let parcels = parcel::parcels(instance);
    let ctx = Context::new(instance, &parcels);
    let mut cost = CostEvaluator::new(&ctx);
    if ctx.outing_limit.is_some() || ctx.station_outing_limit.is_some() {
        // Fleet limits are crossed during the search at the price of an average outing, a
        // price that doubles after every epoch whose best solution still crosses them.
        cost.fleet_penalty = search::mean_outing_points(&construct(&cost));
    }
    let mut best = if warm.is_empty() { construct(&cost) } else { construct_from(&cost, warm) };
    let mut best_plan = assemble(instance, &parcels, &best.outings, &best.unserved, TripPolicy::Packed);
    let threads = threads.max(1);
    let t0 = search::start_temperature(&best);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    let mut done = 0;
    let mut epoch = 0u64;
    // Unless the outings are split between the threads (below), each island anneals on
    // from where it stood; every SHARE epochs the islands behind restart from the best of
    // all. A lone island never goes back to its own best: that cost diversity (Set 2b at
    // 4 s, seeds 1-4: mean gap 0.46 % with, 0.16 % without; X at 10 s, seeds 1-2: 1.25 %
    // either way).
    let mut currents: Vec<Solution> = vec![best.clone(); threads];
    let mut counters = Counters::default();
    let epoch_length = EPOCH.max(parcels.len() as u64 / 4);
    while done < budget.iterations && (budget.elapsed)() < 1.0 {
        let n = epoch_length.min(budget.iterations - done);
        // Where the objective is a sum over outings, the threads share one solution, each
        // searching a part of its outings (`decompose.rs`), a new split every epoch.
        let decomposed = search::splits(&cost, &currents[0], threads);
        if decomposed {
            // After island epochs (or from one chain: all equal), the islands' best current.
            let from = currents.iter().min_by(|a, b| a.estimate.total_cmp(&b.estimate)).expect("a thread");
            let mut rng = ChaCha8Rng::seed_from_u64(island_seed(seed, epoch, threads as u64));
            currents = search::split(&cost, from, threads, &mut rng);
        } else if threads > 1 && epoch.is_multiple_of(SHARE) {
            for current in currents.iter_mut().filter(|c| c.estimate > best.estimate + 1e-9) {
                *current = best.clone();
            }
        }
        let island = |i: usize| {
            let run = Run {
                iterations: n,
                seed: island_seed(seed, epoch, i as u64),
                first: done,
                total: budget.iterations,
                t0,
                elapsed: budget.elapsed,
            };
            improve(&cost, currents[i].clone(), &run)
        };
        let results: Vec<(Solution, Solution, Counters)> = match &pool {
            Ok(pool) if threads > 1 => pool.install(|| (0..threads).into_par_iter().map(island).collect()),
            _ => (0..threads).map(island).collect(),
        };
        // The plan is judged by its full objective (trips, schedule, balance), which the
        // search only estimates; keep the best plan by that too.
        let mut keep = |r: Solution| {
            let plan = assemble(instance, &parcels, &r.outings, &r.unserved, TripPolicy::Packed);
            if plan.metrics.objective < best_plan.metrics.objective - 1e-9 {
                best_plan = plan;
            }
            if r.estimate < best.estimate - 1e-9 {
                best = r;
            }
        };
        if decomposed {
            // The parts together again: their bests make the epoch's best, their currents
            // the solution the next epoch splits.
            for (_, _, island_counters) in &results {
                counters.add(island_counters);
            }
            currents = vec![search::join(&cost, results.iter().map(|r| &r.1)); threads];
            keep(search::join(&cost, results.iter().map(|r| &r.0)));
        } else {
            for (i, (r, current, island_counters)) in results.into_iter().enumerate() {
                currents[i] = current;
                counters.add(&island_counters);
                keep(r);
            }
        }
        done += n;
        epoch += 1;
        // The best still needs more outings than the fleet has: crossing costs more from now.
        // Never above a twentieth of leaving an order out: an outing too many is still better
        // than an order nobody carries.
        if cost.excess_outings(&best.outings) > 0 && cost.fleet_penalty < cost.least_penalty() / 20.0 {
            cost.fleet_penalty *= 2.0;
            best.recompute_estimate(&cost);
            currents.iter_mut().for_each(|c| c.recompute_estimate(&cost));
        }
    }
    let operators = counters.named();
    let iterations = operators.iter().filter(|o| o.0 == "ruin").map(|o| o.2.used).sum();
    (best_plan, SearchReport { iterations, operators })
}

/// A seed for island `i` in epoch `e`, well mixed (lastmetre_model::seed).
fn island_seed(seed: u64, e: u64, i: u64) -> u64 {
    lastmetre_model::seed::scramble(lastmetre_model::seed::stream(seed, e) ^ i.wrapping_mul(0xBF58_476D_1CE4_E5B9))
}

/// The careful manual practice: each household served by its nearest station; orders taken
/// in arrival order and grouped per stairwell into climbs up to the carry limit, one
/// stairwell per outing; tricycles looping through all stations every 30 minutes.
pub fn manual(instance: &Instance) -> Plan {
    let parcels = parcel::parcels(instance);
    let mut order: Vec<usize> = (0..parcels.len()).collect();
    let placed = |p: usize| instance.jobs[parcels[p].job].placed_at.get();
    order.sort_by(|a, b| placed(*a).total_cmp(&placed(*b)).then(a.cmp(b)));
    let limit = instance.fleet.porters.max_carry_kg.get() + 1e-9;
    let mut routes: Vec<(Outing, f64)> = Vec::new();
    let mut unserved = Vec::new();
    // Goods already stocked at a station take room whether or not they go out.
    let mut held = vec![0.0; instance.stations.len()];
    for job in &instance.jobs {
        if let Some(stock) = job.stocked {
            held[stock.station] += job.kg();
        }
    }
    for p in order {
        let parcel = &parcels[p];
        let job = &instance.jobs[parcel.job];
        let nearest = match job.stocked.map(|s| s.station).or(job.pinned_station) {
            Some(s) => instance.walk_station_stairwell.get(s, parcel.stairwell).map(|_| s),
            None => (0..instance.stations.len())
                .filter_map(|s| instance.walk_station_stairwell.get(s, parcel.stairwell).map(|d| (d.get(), s)))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .map(|(_, s)| s),
        };
        let Some(station) = nearest else {
            unserved.push(p);
            continue;
        };
        // A full station takes nothing more; the order waits (left out with its reason).
        let adds = if job.stocked.is_some() { 0.0 } else { parcel.kg };
        if let Some(limit) = instance.stations[station].storage_kg
            && held[station] + adds > limit + 1e-9
        {
            unserved.push(p);
            continue;
        }
        held[station] += adds;
        // Next fit: the stairwell's latest climb takes the order if it fits; otherwise that
        // climb goes out as it is and a new one starts.
        let open = routes
            .iter_mut()
            .rev()
            .find(|(r, _)| r.station == station && r.stops[0].stairwell == parcel.stairwell)
            .filter(|(_, kg)| kg + parcel.kg <= limit);
        match open {
            Some((route, kg)) => {
                route.stops[0].parcels.push(p);
                *kg += parcel.kg;
            }
            None => routes.push((
                Outing { station, stops: vec![Stop { stairwell: parcel.stairwell, parcels: smallvec::smallvec![p] }] },
                parcel.kg,
            )),
        }
    }
    let routes: Vec<Outing> = routes.into_iter().map(|(r, _)| r).collect();
    assemble(instance, &parcels, &routes, &unserved, TripPolicy::FixedLoop { interval_s: 1800.0 })
}

#[cfg(test)]
mod tests;
