//! One test per search operator, on twelve stairwells along a line, 15 m apart, served by
//! three outings of four stops (one 4 kg parcel each) from a station at one end: each ruin
//! takes out what its name says and leaves the rest as it was; each recreate puts every
//! parcel back, into a plan the independent checker accepts; the tables draw by weight.

use super::operators;
use super::recreate::Recreate;
use super::ruin::Ruin;
use super::{Context, CostEvaluator, Solution};
use crate::assemble::{TripPolicy, assemble};
use crate::outing::{Outing, Stop, evaluate};
use crate::parcel::{Parcel, parcels};
use lastmetre_model::{Fleet, Instance};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

const STAIRWELLS: usize = 12;

/// One 4 kg parcel per stairwell, stairwells 15 m apart, `stations` at 0 (and 200 m).
fn line(stations: usize) -> Instance {
    let xs: Vec<f64> = (0..STAIRWELLS).map(|w| 20.0 + 15.0 * w as f64).collect();
    let jobs = (0..STAIRWELLS).map(|w| crate::fixture::job(format!("o{w}"), w, 2 + (w % 4) as u32, &[4.0])).collect();
    let line = crate::fixture::Line {
        gate_x: -100.0,
        stations_x: &[0.0, 200.0][..stations],
        stairwells_x: &xs,
        door_m: 5.0,
        between_doors_m: 0.0,
    };
    line.instance("line", jobs, Fleet::default())
}

/// Outings of stairwells 0-3, 4-7 and 8-11 from station 0, costed and estimated.
fn three_outings(ctx: &Context) -> Solution {
    let outing = |first: usize| Outing {
        station: 0,
        stops: (first..first + 4)
            .map(|w| Stop { stairwell: w, parcels: smallvec::smallvec![parcel_at(ctx.parcels, w)] })
            .collect(),
    };
    let outings: Vec<Outing> = [0, 4, 8].into_iter().map(outing).collect();
    let costs = outings.iter().map(|o| evaluate(ctx.instance, ctx.parcels, o).expect("reachable")).collect();
    let mut sol = Solution { outings, costs, ..Solution::default() };
    sol.recompute_estimate(&CostEvaluator::new(ctx));
    sol
}

fn parcel_at(parcels: &[Parcel], stairwell: usize) -> usize {
    parcels.iter().position(|p| p.stairwell == stairwell).expect("a parcel per stairwell")
}

fn served(sol: &Solution) -> BTreeSet<usize> {
    sol.outings.iter().flat_map(|o| o.stops.iter().flat_map(|s| s.parcels.iter().copied())).collect()
}

/// Runs `ruin` with `q` from `seed`; checks what every ruin must keep true and returns the
/// parcels taken, the outings touched and the solution before and after.
fn ruined(ruin: Ruin, q: usize, seed: u64, ctx: &Context) -> (Vec<usize>, Vec<usize>, Solution, Solution) {
    let before = three_outings(ctx);
    let mut after = before.clone();
    let mut touched = Vec::new();
    let taken = ruin.apply(ctx, &mut after, q, &mut ChaCha8Rng::seed_from_u64(seed), &mut touched);
    let left = served(&after);
    let taken_set: BTreeSet<usize> = taken.iter().copied().collect();
    assert_eq!(taken_set.len(), taken.len(), "{ruin:?} takes each parcel once: {taken:?}");
    assert!(taken.iter().all(|p| !left.contains(p)), "{ruin:?}: a parcel taken is in no outing");
    assert_eq!(left.len() + taken.len(), STAIRWELLS, "{ruin:?}: every other parcel stays");
    for (r, outing) in after.outings.iter().enumerate() {
        if !touched.contains(&r) {
            assert_eq!(outing, &before.outings[r], "{ruin:?}: an outing not touched is as it was");
        } else if !outing.stops.is_empty() {
            let cost = evaluate(ctx.instance, ctx.parcels, outing).expect("reachable");
            assert_eq!(cost, after.costs[r], "{ruin:?}: a touched outing's cost is current");
        }
    }
    (taken, touched, before, after)
}

fn stairwells_of(ctx: &Context, taken: &[usize]) -> Vec<usize> {
    let mut w: Vec<usize> = taken.iter().map(|p| ctx.parcels[*p].stairwell).collect();
    w.sort_unstable();
    w
}

#[test]
fn random_takes_q_parcels_and_differs_by_seed() {
    let instance = line(1);
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    let draws: BTreeSet<Vec<usize>> = (0..8)
        .map(|seed| {
            let (taken, ..) = ruined(Ruin::Random, 3, seed, &ctx);
            assert_eq!(taken.len(), 3);
            stairwells_of(&ctx, &taken)
        })
        .collect();
    assert!(draws.len() > 1, "{draws:?}");
}

#[test]
fn related_takes_a_stairwell_and_its_nearest_neighbours() {
    let instance = line(1);
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    for seed in 0..8 {
        let (taken, ..) = ruined(Ruin::Related, 4, seed, &ctx);
        let w = stairwells_of(&ctx, &taken);
        assert_eq!(w.len(), 4, "seed {seed}");
        assert_eq!(w[3] - w[0], 3, "seed {seed}: four neighbours in a row on the line: {w:?}");
    }
}

#[test]
fn outings_takes_whole_outings_with_a_neighbouring_one() {
    let instance = line(1);
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    for seed in 0..8 {
        let (taken, touched, _, after) = ruined(Ruin::Outings, 3, seed, &ctx);
        assert!(taken.len() == 4 || taken.len() == 8, "seed {seed}: one or two whole outings: {taken:?}");
        assert!(touched.iter().all(|r| after.outings[*r].stops.is_empty()), "seed {seed}: emptied whole");
    }
    let pairs: BTreeSet<Vec<usize>> =
        (0..16).map(|seed| stairwells_of(&ctx, &ruined(Ruin::Outings, 3, seed, &ctx).0)).collect();
    assert!(pairs.iter().any(|w| w.len() == 8), "an outing goes with its neighbour: {pairs:?}");
}

#[test]
fn lightest_takes_the_lightest_outing() {
    let instance = line(1);
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    let mut sol = three_outings(&ctx);
    // The middle outing gives its last stop to the first: it is the lightest.
    let moved = sol.outings[1].stops.pop().expect("four stops");
    sol.outings[0].stops.push(moved);
    for r in 0..2 {
        sol.costs[r] = evaluate(ctx.instance, ctx.parcels, &sol.outings[r]).expect("reachable");
    }
    let middle: BTreeSet<usize> = sol.outings[1].stops.iter().flat_map(|s| s.parcels.iter().copied()).collect();
    let mut touched = Vec::new();
    let taken = Ruin::Lightest.apply(&ctx, &mut sol, 5, &mut ChaCha8Rng::seed_from_u64(1), &mut touched);
    assert_eq!(taken.into_iter().collect::<BTreeSet<_>>(), middle);
    touched.dedup();
    assert_eq!(touched, vec![1], "only the lightest outing changed");
}

#[test]
fn worst_takes_parcels_of_the_costliest_outing_per_kg() {
    let instance = line(1);
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    let sol = three_outings(&ctx);
    let costliest = (0..3).max_by(|a, b| (sol.costs[*a].points).total_cmp(&sol.costs[*b].points)).expect("three");
    let far: BTreeSet<usize> = sol.outings[costliest].stops.iter().flat_map(|s| s.parcels.iter().copied()).collect();
    for seed in 0..8 {
        let (taken, ..) = ruined(Ruin::Worst, 3, seed, &ctx);
        assert!(!taken.is_empty() && taken.len() <= 3, "seed {seed}: {taken:?}");
        assert!(taken.iter().any(|p| far.contains(p)), "seed {seed}: {taken:?} from the costliest outing {far:?}");
    }
}

#[test]
fn strings_take_runs_of_consecutive_stops() {
    let instance = line(1);
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    for seed in 0..8 {
        let (taken, touched, before, _) = ruined(Ruin::Strings, 6, seed, &ctx);
        assert!(!taken.is_empty() && taken.len() <= 6, "seed {seed}");
        for r in touched {
            let positions: Vec<usize> = before.outings[r]
                .stops
                .iter()
                .enumerate()
                .filter(|(_, s)| s.parcels.iter().any(|p| taken.contains(p)))
                .map(|(i, _)| i)
                .collect();
            assert_eq!(positions.last().unwrap() - positions[0] + 1, positions.len(), "seed {seed}: a run");
        }
    }
}

#[test]
fn reroot_takes_no_parcel_and_is_never_drawn_with_one_station() {
    let instance = line(2);
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    let (taken, touched, _, after) = ruined(Ruin::Reroot, 3, 1, &ctx);
    assert!(taken.is_empty());
    assert!(!touched.is_empty() && touched.iter().all(|r| after.outings[*r].station == 1), "{touched:?}");
    let one = line(1);
    let parcels = crate::parcel::parcels(&one);
    let ctx = Context::new(&one, &parcels);
    let table = operators::ruins(&ctx);
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    assert!((0..2000).all(|_| table.draw(&mut rng).1 != Ruin::Reroot));
}

#[test]
fn the_tables_draw_each_operator_as_often_as_its_weight() {
    let instance = line(2);
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    let (ruins, recreates) = (operators::ruins(&ctx), operators::recreates());
    let total: f64 = Ruin::ALL.iter().map(|r| r.weight(&ctx)).sum();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let draws = 40_000;
    let mut seen = [0usize; Ruin::ALL.len()];
    let mut rebuilt = [0usize; Recreate::ALL.len()];
    for _ in 0..draws {
        let (i, ruin) = ruins.draw(&mut rng);
        assert_eq!(Ruin::ALL[i], ruin);
        seen[i] += 1;
        rebuilt[recreates.draw(&mut rng).0] += 1;
    }
    for (i, ruin) in Ruin::ALL.iter().enumerate() {
        let share = seen[i] as f64 / draws as f64;
        let expected = ruin.weight(&ctx) / total;
        assert!((share - expected).abs() < 0.01, "{ruin:?}: drawn {share:.3}, weight {expected:.3}");
    }
    assert!(rebuilt.iter().all(|n| (*n as f64 / draws as f64 - 0.25).abs() < 0.01), "{rebuilt:?}");
}

#[test]
fn every_recreate_puts_every_parcel_back_into_a_plan_the_checker_accepts() {
    let instance = line(2);
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    for recreate in Recreate::ALL {
        let mut sol = Solution::default();
        let cost = CostEvaluator::new(&ctx);
        sol.recompute_estimate(&cost);
        let mut pending: Vec<usize> = (0..parcels.len()).collect();
        let mut touched = Vec::new();
        recreate.apply(&cost, &mut sol, &mut pending, &mut ChaCha8Rng::seed_from_u64(4), &mut touched);
        assert!(sol.unserved.is_empty(), "{recreate:?}: {:?}", sol.unserved);
        let carried: usize = sol.outings.iter().flat_map(|o| &o.stops).map(|s| s.parcels.len()).sum();
        assert_eq!(carried, parcels.len(), "{recreate:?}: each parcel once");
        assert_eq!(served(&sol).len(), parcels.len(), "{recreate:?}: every parcel");
        assert!(sol.costs.iter().all(|c| c.kg <= ctx.max_carry), "{recreate:?}");
        let plan = assemble(&instance, &parcels, &sol.outings, &sol.unserved, TripPolicy::Packed);
        let report = lastmetre_check::check(&instance, &plan);
        assert!(report.is_ok(), "{recreate:?}: {:#?}", report.violations);
        assert_eq!(plan.metrics.orders_delivered, STAIRWELLS, "{recreate:?}");
    }
}

#[test]
fn a_search_counts_every_iteration_once_for_its_ruin_and_its_recreate() {
    let instance = line(2);
    let budget = crate::Budget::iterations(600);
    let (plan, report) = crate::solve_reporting(&instance, &budget, 3, 1, &[]);
    let check = lastmetre_check::check(&instance, &plan);
    assert!(check.is_ok(), "{:#?}", check.violations);
    assert_eq!(report.iterations, 600);
    let used = |kind: &str| report.operators.iter().filter(|o| o.0 == kind).map(|o| o.2.used).sum::<u64>();
    assert_eq!((used("ruin"), used("recreate")), (600, 600));
    for (kind, name, s) in &report.operators {
        assert!(s.improved <= s.used && s.new_best <= s.accepted && s.accepted <= s.used, "{kind} {name}: {s:?}");
        assert!(s.gain >= 0.0 && (s.gain > 0.0) == (s.improved > 0), "{kind} {name}: {s:?}");
    }
    assert!(report.operators.iter().map(|o| o.2.accepted).sum::<u64>() > 0, "the annealing accepted moves");
}
