//! Solver tests on tiny instances: the search finds the optimum that exhaustive enumeration
//! finds, is deterministic, and never gets worse when an order is removed. Every plan goes
//! through the independent checker.

use crate::assemble::{TripPolicy, assemble};
use crate::outing::{Outing, Stop};
use crate::parcel::parcels;
use crate::{Budget, manual, solve};
use lastmetre_model::{Fleet, Instance, Job, Metres, Plan, Priority, Seconds, Stairwell, Table};

/// Stations at 0 and 120 m along a lane; stairwells spread between them. The first order
/// is medicine.
fn tiny(orders: &[(usize, u32, &[f64])], stations: usize) -> Instance {
    let jobs = orders
        .iter()
        .enumerate()
        .map(|(i, (w, floor, kgs))| Job {
            priority: if i == 0 { Priority::Medicine } else { Priority::Normal },
            placed_at: Seconds(40_000.0 + i as f64),
            ..crate::fixture::job(format!("o{i}"), *w, *floor, kgs)
        })
        .collect();
    let line = crate::fixture::Line {
        gate_x: -200.0,
        stations_x: &[0.0, 120.0][..stations],
        stairwells_x: &[20.0, 45.0, 70.0, 110.0],
        door_m: 5.0,
        between_doors_m: 10.0,
    };
    line.instance("tiny", jobs, Fleet::default())
}

fn checked(instance: &Instance, plan: Plan) -> Plan {
    let report = lastmetre_check::check(instance, &plan);
    assert!(report.is_ok(), "{:#?}", report.violations);
    plan
}

/// Every assignment of parcels to outings, stations and stop orders, assembled as the solver
/// assembles; the least objective.
fn exhaustive(instance: &Instance) -> f64 {
    let parcels = parcels(instance);
    let n = parcels.len();
    let limit = instance.fleet.porters.max_carry_kg.get() + 1e-9;
    let mut best = f64::INFINITY;
    // Set partitions by restricted growth strings.
    let mut labels = vec![0usize; n];
    loop {
        let groups = labels.iter().max().map_or(0, |m| m + 1);
        let mut outings: Vec<Vec<usize>> = vec![Vec::new(); groups];
        for (p, g) in labels.iter().enumerate() {
            outings[*g].push(p);
        }
        let fits = outings.iter().all(|o| o.iter().map(|p| parcels[*p].kg).sum::<f64>() <= limit);
        if fits {
            // Each outing: a station and an order of its stairwells.
            let options: Vec<Vec<Outing>> = outings
                .iter()
                .map(|o| {
                    let mut stairwells: Vec<usize> = o.iter().map(|p| parcels[*p].stairwell).collect();
                    stairwells.sort_unstable();
                    stairwells.dedup();
                    let mut routes = Vec::new();
                    for station in 0..instance.stations.len() {
                        for order in permutations(&stairwells) {
                            let stops = order
                                .iter()
                                .map(|w| Stop {
                                    stairwell: *w,
                                    parcels: o.iter().copied().filter(|p| parcels[*p].stairwell == *w).collect(),
                                })
                                .collect();
                            routes.push(Outing { station, stops });
                        }
                    }
                    routes
                })
                .collect();
            let mut pick = vec![0usize; options.len()];
            loop {
                let routes: Vec<Outing> = pick.iter().zip(&options).map(|(i, o)| o[*i].clone()).collect();
                let plan = assemble(instance, &parcels, &routes, &[], TripPolicy::Packed);
                best = best.min(plan.metrics.objective);
                // Next combination.
                let mut k = 0;
                while k < pick.len() {
                    pick[k] += 1;
                    if pick[k] < options[k].len() {
                        break;
                    }
                    pick[k] = 0;
                    k += 1;
                }
                if k == pick.len() {
                    break;
                }
            }
        }
        // Next restricted growth string.
        let mut i = n;
        loop {
            if i == 0 {
                return best;
            }
            i -= 1;
            let max_before = labels[..i].iter().max().copied().map_or(0, |m| m + 1);
            if i > 0 && labels[i] < max_before {
                labels[i] += 1;
                for l in labels.iter_mut().skip(i + 1) {
                    *l = 0;
                }
                break;
            }
        }
    }
}

fn permutations(items: &[usize]) -> Vec<Vec<usize>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, first);
            out.push(p);
        }
    }
    out
}

/// Tiny instances: ≤ 6 households, 1–2 stations.
fn cases() -> Vec<Instance> {
    vec![
        tiny(&[(0, 3, &[5.0]), (0, 5, &[4.0]), (1, 2, &[6.0])], 1),
        tiny(&[(0, 4, &[10.0]), (0, 2, &[6.0]), (1, 6, &[3.0]), (3, 1, &[2.0])], 2),
        tiny(&[(0, 6, &[8.0, 5.0]), (1, 3, &[7.0]), (2, 5, &[4.0]), (3, 2, &[9.0]), (3, 4, &[1.0])], 2),
        tiny(&[(1, 7, &[2.0]), (1, 1, &[12.0]), (2, 4, &[3.0]), (2, 6, &[3.0]), (0, 3, &[5.0]), (3, 5, &[6.0])], 1),
    ]
}

#[test]
fn finds_the_exhaustive_optimum_on_tiny_instances() {
    for (k, instance) in cases().iter().enumerate() {
        let plan = checked(instance, solve(instance, &Budget::iterations(400), 3, 1));
        let optimum = exhaustive(instance);
        assert!(
            (plan.metrics.objective - optimum).abs() <= 1e-6 * optimum,
            "case {k}: solver {} vs exhaustive {optimum}",
            plan.metrics.objective
        );
    }
}

/// A station's handling cost and a cost per outing are objective terms like any other: the
/// search still meets the exhaustive optimum, and the dearer station serves only what its
/// nearness is worth.
#[test]
fn handling_and_outing_costs_steer_to_the_exhaustive_optimum() {
    for (k, plain) in cases().iter().enumerate().filter(|(_, i)| i.stations.len() == 2) {
        let mut instance = plain.clone();
        instance.stations[0].handling_per_kg = 4.0;
        instance.fleet.weights.porter_outing = 25.0;
        let plan = checked(&instance, solve(&instance, &Budget::iterations(400), 3, 1));
        let optimum = exhaustive(&instance);
        assert!(
            (plan.metrics.objective - optimum).abs() <= 1e-6 * optimum,
            "case {k}: solver {} vs exhaustive {optimum}",
            plan.metrics.objective
        );
        let plain = checked(plain, solve(plain, &Budget::iterations(400), 3, 1));
        let from_first = |p: &Plan| p.outings.iter().filter(|o| o.station == 0).map(|o| o.kg).sum::<f64>();
        assert!(from_first(&plan) < from_first(&plain), "case {k}: the dear station still serves as much");
    }
}

#[test]
fn removing_an_order_never_makes_the_objective_worse() {
    for (k, instance) in cases().iter().enumerate() {
        let full = checked(instance, solve(instance, &Budget::iterations(400), 5, 1)).metrics.objective;
        for drop in 0..instance.jobs.len() {
            let mut smaller = instance.clone();
            smaller.jobs.remove(drop);
            let less = checked(&smaller, solve(&smaller, &Budget::iterations(400), 5, 1)).metrics.objective;
            assert!(less <= full + 1e-9, "case {k} without order {drop}: {less} > {full}");
        }
    }
}

#[test]
fn same_seed_and_threads_give_the_same_plan() {
    let instance = &cases()[3];
    for threads in [1, 2] {
        let a = solve(instance, &Budget::iterations(600), 11, threads);
        let b = solve(instance, &Budget::iterations(600), 11, threads);
        assert_eq!(a, b, "threads {threads}");
        checked(instance, a);
    }
}

#[test]
fn manual_practice_is_feasible_and_serves_by_nearest_station() {
    let instance = &cases()[2];
    let plan = checked(instance, manual(instance));
    assert_eq!(plan.metrics.orders_delivered, instance.jobs.len());
    for outing in &plan.outings {
        assert_eq!(outing.climbs.len(), 1, "one stairwell per outing");
        let w = outing.climbs[0].stairwell;
        let nearest = (0..instance.stations.len())
            .min_by(|a, b| {
                let d = |s: usize| instance.walk_station_stairwell.get(s, w).unwrap().get();
                d(*a).total_cmp(&d(*b))
            })
            .unwrap();
        assert_eq!(outing.station, nearest);
    }
}

#[test]
fn an_order_heavier_than_one_carry_is_split_across_climbs() {
    let instance = tiny(&[(0, 5, &[10.0, 9.0, 8.0])], 1);
    let plan = checked(&instance, solve(&instance, &Budget::iterations(100), 1, 1));
    assert_eq!(plan.metrics.orders_delivered, 1);
    assert!(plan.metrics.stair_climbs >= 2);
}

#[test]
fn unreachable_households_are_reported_with_a_reason() {
    let mut instance = tiny(&[(0, 3, &[5.0]), (1, 2, &[3.0])], 1);
    instance.walk_station_stairwell = Table::from_fn(1, 4, |_, w| (w != 1).then_some(30.0));
    let plan = checked(&instance, solve(&instance, &Budget::iterations(100), 1, 1));
    assert_eq!(plan.unassigned.len(), 1);
    assert_eq!(plan.unassigned[0].reason, lastmetre_model::plan::Reason::NoStationReaches);
    assert_eq!(instance.jobs[plan.unassigned[0].job].id, "o1");
}

#[test]
fn out_of_energy_porters_leave_orders_out_whole() {
    let mut instance = tiny(&[(0, 6, &[12.0]), (1, 6, &[12.0]), (2, 6, &[12.0])], 1);
    instance.fleet.porters.count = 1;
    instance.fleet.porters.shift_energy = lastmetre_model::Kilojoules(90.0);
    let plan = checked(&instance, solve(&instance, &Budget::iterations(100), 1, 1));
    assert!(plan.metrics.orders_unassigned >= 1);
    assert!(plan.unassigned.iter().all(|u| u.reason == lastmetre_model::plan::Reason::PorterEnergy));
    assert!(plan.metrics.porter_energy_kj_max <= 90.0);
}

#[test]
fn orders_the_fleet_limits_leave_out_say_so() {
    // Two 12-kg orders need two outings; one porter may make one.
    let mut instance = tiny(&[(0, 3, &[12.0]), (3, 3, &[12.0])], 1);
    instance.fleet.porters.count = 1;
    instance.fleet.porters.outings_each = Some(1);
    let plan = checked(&instance, solve(&instance, &Budget::iterations(200), 1, 1));
    assert_eq!(plan.metrics.orders_delivered, 1);
    assert_eq!(plan.unassigned.len(), 1);
    assert_eq!(plan.unassigned[0].reason, lastmetre_model::plan::Reason::FleetLimit);
}

#[test]
fn carrying_other_stairwells_bags_up_costs_more() {
    let mut instance = tiny(&[(0, 5, &[3.0]), (1, 4, &[6.0])], 1);
    let parcels = parcels(&instance);
    let route = Outing {
        station: 0,
        stops: vec![
            Stop { stairwell: 0, parcels: smallvec::smallvec![0] },
            Stop { stairwell: 1, parcels: smallvec::smallvec![1] },
        ],
    };
    let left = crate::outing::evaluate(&instance, &parcels, &route).unwrap().energy_kj;
    instance.fleet.porters.leave_bags_at_entrance = false;
    let carried = crate::outing::evaluate(&instance, &parcels, &route).unwrap().energy_kj;
    // 6 kg up and down 11.2 m: (40 + 12) · 1.3 · 6 · 11.2 J.
    assert!((carried - left - 52.0 * 1.3 * 6.0 * 11.2 / 1000.0).abs() < 1e-9, "{left} {carried}");
    let plan = checked(&instance, solve(&instance, &Budget::iterations(100), 1, 1));
    assert_eq!(plan.metrics.orders_delivered, 2);
}

/// Long outings, in a plane, with asymmetric walks (a slope): insertions and 2-opt are priced
/// from the legs, and in debug builds every priced move is checked against a full evaluation.
#[test]
fn long_outings_are_priced_from_their_legs_as_evaluated() {
    let n = 14;
    let at = |w: usize| ((w * 37 % 23) as f64 * 9.0, (w * 11 % 17) as f64 * 7.0);
    let dist = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1) + 0.2 * (b.1 - a.1).max(0.0);
    let mut instance = tiny(&[], 1);
    instance.stairwells =
        (0..n).map(|w| Stairwell { id: format!("w{w}"), label: format!("w{w}"), storey_height: Metres(2.8) }).collect();
    instance.walk_station_stairwell = Table::from_fn(1, n, |_, w| Some(dist((60.0, 60.0), at(w))));
    instance.walk_stairwell_stairwell = Table::from_fn(n, n, |a, b| Some(dist(at(a), at(b))));
    instance.jobs = (0..n)
        .map(|w| {
            let floor = if w % 4 == 0 { 3 } else { 1 };
            let mut job = tiny(&[(0, floor, &[0.3 + 0.05 * w as f64])], 1).jobs.remove(0);
            job.id = format!("o{w}");
            job.household = format!("h{w}");
            job.stairwell = w;
            job
        })
        .collect();
    // One porter's balance does not matter here: long outings are wanted.
    instance.fleet.weights.max_porter_energy_kj = 0.0;
    let plan = checked(&instance, solve(&instance, &Budget::iterations(300), 3, 1));
    assert_eq!(plan.metrics.orders_delivered, n);
    // Light bags, mostly on the ground floor: long outings, so 2-opt ran.
    assert!(
        plan.outings.iter().any(|o| o.climbs.len() > 6),
        "{:?}",
        plan.outings.iter().map(|o| o.climbs.len()).collect::<Vec<_>>()
    );
}

#[test]
fn a_whole_outing_moves_to_another_station_that_serves_it() {
    use crate::search::{Context, Solution, reroot};
    use rand::SeedableRng;
    let mut instance = tiny(&[(1, 3, &[5.0]), (2, 4, &[4.0])], 2);
    let parcels = parcels(&instance);
    let route = Outing {
        station: 0,
        stops: vec![
            Stop { stairwell: 1, parcels: smallvec::smallvec![0] },
            Stop { stairwell: 2, parcels: smallvec::smallvec![1] },
        ],
    };
    let mut sol = Solution { outings: vec![route.clone()], ..Solution::default() };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let ctx = Context::new(&instance, &parcels);
    assert_eq!(reroot(&ctx, &mut sol, &mut rng), vec![0]);
    assert_eq!(sol.outings[0].station, 1);
    assert_eq!(sol.outings[0].stops, route.stops, "stops move with the outing");
    // An order pinned to station 0 keeps its outing there.
    instance.jobs[1].pinned_station = Some(0);
    let ctx = Context::new(&instance, &parcels);
    let mut sol = Solution { outings: vec![route], ..Solution::default() };
    assert_eq!(reroot(&ctx, &mut sol, &mut rng), Vec::<usize>::new());
    assert_eq!(sol.outings[0].station, 0);
}

#[test]
fn a_station_s_whole_share_sometimes_moves_at_once() {
    use crate::search::{Context, Solution, reroot};
    use rand::SeedableRng;
    let instance = tiny(&[(1, 3, &[5.0]), (2, 4, &[4.0])], 2);
    let parcels = parcels(&instance);
    let outing =
        |w: usize, p: usize| Outing { station: 0, stops: vec![Stop { stairwell: w, parcels: smallvec::smallvec![p] }] };
    let ctx = Context::new(&instance, &parcels);
    let mut sizes = Vec::new();
    for seed in 0..20 {
        let mut sol = Solution { outings: vec![outing(1, 0), outing(2, 1)], ..Solution::default() };
        let moved = reroot(&ctx, &mut sol, &mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        let at_one: Vec<usize> = (0..2).filter(|o| sol.outings[*o].station == 1).collect();
        assert_eq!(moved, at_one, "seed {seed}: the outings reported moved are those at the other station");
        sizes.push(moved.len());
    }
    assert!(sizes.contains(&1) && sizes.contains(&2), "{sizes:?}");
}

/// `n` doors 10 m apart along a line from a station at 0, a ground-floor order of `kg` at each.
fn ground_floors_on_a_line(n: usize, kg: f64) -> Instance {
    let doors: Vec<f64> = (1..=n).map(|w| 10.0 * w as f64).collect();
    let line = crate::fixture::Line {
        gate_x: -50.0,
        stations_x: &[0.0],
        stairwells_x: &doors,
        door_m: 0.0,
        between_doors_m: 0.0,
    };
    let jobs = (0..n).map(|w| crate::fixture::job(format!("o{w}"), w, 1, &[kg])).collect();
    line.instance("line", jobs, Fleet::default())
}

/// Granular 2-opt on a long outing along a line, station at one end: it takes out every
/// detour (out and back, 2 × 300 m), though it tries only reversals that join a stairwell to
/// one of its nearest or to the station, and turns an outing walked backwards around.
#[test]
fn granular_two_opt_takes_out_the_detours_of_a_long_outing() {
    use crate::search::{Context, improve_order};
    let n = 30;
    let instance = ground_floors_on_a_line(n, 1.0);
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    assert!(ctx.walk_price.is_some(), "ground-floor stops: only walking depends on the order");
    let stop = |w: usize| Stop { stairwell: w, parcels: smallvec::smallvec![w] };
    for step in [7, 11, 13, 29] {
        let mut route = Outing { station: 0, stops: (0..n).map(|k| stop(k * step % n)).collect() };
        let before = crate::outing::evaluate(&instance, &parcels, &route).expect("reachable");
        improve_order(&ctx, &mut route);
        let after = crate::outing::evaluate(&instance, &parcels, &route).expect("reachable");
        assert!((after.walk_m - 600.0).abs() < 1e-9, "step {step}: {} m -> {} m", before.walk_m, after.walk_m);
        assert!(after.points < before.points, "step {step}");
    }
    // Walked backwards, bags carried the whole way: one reversal, the whole outing.
    let mut route = Outing { station: 0, stops: (0..n).rev().map(stop).collect() };
    improve_order(&ctx, &mut route);
    assert_eq!(route.stops.iter().map(|s| s.stairwell).collect::<Vec<_>>(), (0..n).collect::<Vec<_>>());
}

#[test]
fn savings_join_neighbours_into_full_outings_that_pass_the_checker() {
    use crate::search::Context;
    let n = 30;
    let instance = ground_floors_on_a_line(n, 4.0);
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    let cost = crate::search::CostEvaluator::new(&ctx);
    let sol = crate::savings::savings(&cost).expect("no station storage limit");
    let mut seen: Vec<usize> =
        sol.outings.iter().flat_map(|r| r.stops.iter().flat_map(|s| s.parcels.clone())).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..n).collect::<Vec<_>>(), "every parcel on exactly one outing");
    assert!(sol.unserved.is_empty());
    let carry = instance.fleet.porters.max_carry_kg.get();
    let per_outing = (carry / 4.0).floor() as usize;
    assert!(sol.costs.iter().all(|c| c.kg <= carry + 1e-9));
    // Neighbours share outings: as few outings as the carry limit allows.
    assert_eq!(sol.outings.len(), n.div_ceil(per_outing), "{:?}", sol.costs.iter().map(|c| c.kg).collect::<Vec<_>>());
    let greedy = {
        let mut g = crate::search::Solution::default();
        g.outings = (0..n)
            .map(|w| Outing { station: 0, stops: vec![Stop { stairwell: w, parcels: smallvec::smallvec![w] }] })
            .collect();
        g.costs =
            g.outings.iter().map(|r| crate::outing::evaluate(&instance, &parcels, r).expect("reachable")).collect();
        g.recompute_estimate(&cost);
        g
    };
    assert!(sol.estimate < greedy.estimate, "savings beat one outing per parcel");
    checked(&instance, assemble(&instance, &parcels, &sol.outings, &sol.unserved, TripPolicy::Packed));
}

/// Forty doors along a line, one 15 kg order each (one outing per door, the carry limit
/// being 20 kg), with a CVRP's objective: no tricycle costs, no workload-balance term, no
/// fleet limit. Its objective is a sum over outings, so two threads split the outings.
fn separable_line() -> Instance {
    let xs: Vec<f64> = (0..40).map(|w| 10.0 + 7.0 * w as f64).collect();
    let jobs = (0..40).map(|w| crate::fixture::job(format!("o{w}"), w, 1 + (w % 5) as u32, &[15.0])).collect();
    let line = crate::fixture::Line {
        gate_x: -50.0,
        stations_x: &[0.0],
        stairwells_x: &xs,
        door_m: 3.0,
        between_doors_m: 2.0,
    };
    let mut fleet = Fleet::default();
    fleet.weights.tricycle_trip = 0.0;
    fleet.weights.tricycle_km = 0.0;
    fleet.weights.max_porter_energy_kj = 0.0;
    fleet.tricycles.trips_each = None;
    fleet.porters.outings_each = None;
    line.instance("separable", jobs, fleet)
}

#[test]
fn two_threads_split_the_outings_into_neighbouring_halves_and_join_them_whole() {
    use crate::search::{Context, CostEvaluator, construct, join, split, splits};
    use rand::SeedableRng;
    let instance = separable_line();
    let parcels = parcels(&instance);
    let ctx = Context::new(&instance, &parcels);
    let cost = CostEvaluator::new(&ctx);
    let sol = construct(&cost);
    assert_eq!(sol.outings.len(), 40, "one outing per door");
    assert!(splits(&cost, &sol, 2));
    assert!(!splits(&cost, &sol, 11), "fewer than four outings a part");
    // A station's storage limit is shared by all its outings: no split.
    let mut stored = instance.clone();
    stored.stations[0].storage_kg = Some(1000.0);
    let stored_ctx = Context::new(&stored, &parcels);
    assert!(!splits(&CostEvaluator::new(&stored_ctx), &sol, 2));
    for seed in 0..4 {
        let parts = split(&cost, &sol, 2, &mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        assert_eq!(parts.iter().map(|p| p.outings.len()).collect::<Vec<_>>(), vec![20, 20], "seed {seed}");
        // Neighbours together: on a line, one part's doors all lie on one side of the other's.
        let mut spans: Vec<(usize, usize)> = parts
            .iter()
            .map(|p| {
                let doors: Vec<usize> = p.outings.iter().flat_map(|o| o.stops.iter().map(|s| s.stairwell)).collect();
                (*doors.iter().min().unwrap(), *doors.iter().max().unwrap())
            })
            .collect();
        spans.sort_unstable();
        assert!(spans[0].1 < spans[1].0, "seed {seed}: {spans:?}");
        let whole = join(&cost, &parts);
        let mut carried: Vec<usize> =
            whole.outings.iter().flat_map(|o| o.stops.iter().flat_map(|s| s.parcels.iter().copied())).collect();
        carried.sort_unstable();
        assert_eq!(carried, (0..parcels.len()).collect::<Vec<_>>(), "seed {seed}: every parcel once");
        assert!((whole.estimate - sol.estimate).abs() < 1e-6 * sol.estimate, "seed {seed}: a sum over outings");
        let parts_sum: f64 = parts.iter().map(|p| p.estimate).sum();
        assert!((parts_sum - sol.estimate).abs() < 1e-6 * sol.estimate, "seed {seed}: the parts add up");
    }
}

#[test]
fn a_split_search_on_two_threads_repeats_and_passes_the_checker() {
    let instance = separable_line();
    let a = checked(&instance, solve(&instance, &Budget::iterations(1500), 5, 2));
    let b = solve(&instance, &Budget::iterations(1500), 5, 2);
    assert_eq!(a, b, "same seed and threads, same plan");
    assert_eq!(a.metrics.orders_delivered, 40);
}
