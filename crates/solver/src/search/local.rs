//! Local-search moves inside one outing: the order of its stops (every order of up to six,
//! 2-opt beyond, granular and priced from the legs where only walking depends on order).

use super::Context;
use crate::outing::{Legs, Outing, WalkPrice, evaluate, leg};

/// Orders an outing's stops: every order of up to six stops (porters' outings are short),
/// 2-opt beyond (long vehicle routes of benchmark instances). Where only walking depends on
/// the order ([`WalkPrice`]), orders are priced from the legs alone.
pub(crate) fn improve_order(ctx: &Context, route: &mut Outing) {
    let n = route.stops.len();
    if n < 2 {
        return;
    }
    if n > 6 {
        match ctx.walk_price {
            Some(w) => two_opt_walking(ctx, w, route),
            None => two_opt(ctx, route),
        }
        return;
    }
    let original = route.stops.clone();
    let stairwells: Vec<usize> = original.iter().map(|s| s.stairwell).collect();
    let kg: Vec<f64> = original.iter().map(|s| s.parcels.iter().map(|p| ctx.parcels[*p].kg).sum()).collect();
    let mut candidate = route.clone();
    let mut price = |perm: &[usize]| match ctx.walk_price {
        Some(w) => walking_points(ctx, w, route.station, perm.iter().map(|i| (stairwells[*i], kg[*i]))),
        None => {
            for (slot, &i) in candidate.stops.iter_mut().zip(perm) {
                slot.clone_from(&original[i]);
            }
            evaluate(ctx.instance, ctx.parcels, &candidate).map(|c| c.points)
        }
    };
    let mut perm: Vec<usize> = (0..n).collect();
    let mut best = price(&perm).unwrap_or(f64::INFINITY);
    let mut best_perm = perm.clone();
    while next_permutation(&mut perm) {
        if let Some(c) = price(&perm)
            && c < best - 1e-9
        {
            best = c;
            best_perm.copy_from_slice(&perm);
        }
    }
    route.stops = best_perm.iter().map(|i| original[*i].clone()).collect();
}

/// Points of the walking of an outing from `station` through `stops` (stairwell, kg dropped
/// there) and back.
fn walking_points(
    ctx: &Context,
    price: WalkPrice,
    station: usize,
    stops: impl Iterator<Item = (usize, f64)> + Clone,
) -> Option<f64> {
    let mut load: f64 = stops.clone().map(|s| s.1).sum();
    let (mut metres, mut kg_metres) = (0.0, 0.0);
    let mut last = None;
    for (w, kg) in stops {
        let d = leg(ctx.instance, station, last, w)?;
        metres += d;
        kg_metres += load * d;
        load -= kg;
        last = Some(w);
    }
    if let Some(w) = last {
        metres += leg(ctx.instance, station, None, w)?;
    }
    Some(price.price(metres, kg_metres).0)
}

/// Reverses stretches of the route while that lowers its points (first improvement).
fn two_opt(ctx: &Context, route: &mut Outing) {
    let Some(mut best) = evaluate(ctx.instance, ctx.parcels, route).map(|c| c.points) else { return };
    let n = route.stops.len();
    for _ in 0..n {
        let mut improved = false;
        for i in 0..n - 1 {
            for j in i + 1..n {
                route.stops[i..=j].reverse();
                match evaluate(ctx.instance, ctx.parcels, route) {
                    Some(c) if c.points < best - 1e-9 => {
                        best = c.points;
                        improved = true;
                    }
                    _ => route.stops[i..=j].reverse(),
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// 2-opt priced from the legs: reversing stops `i..=j` changes the leg into the stretch, the
/// legs inside it (walked the other way, each with the load left at that point) and the leg
/// out of it. Growing `j` updates the stretch's sums in constant time, so a pass costs n²;
/// only reversals whose new legs join near stairwells read the matrix.
fn two_opt_walking(ctx: &Context, price: WalkPrice, route: &mut Outing) {
    let (instance, station) = (ctx.instance, route.station);
    let n = route.stops.len();
    let at = |r: &Outing, v: usize| r.stops[v].stairwell;
    let mut moves = 0;
    let (mut legs, mut reversed) = (Legs::default(), Vec::with_capacity(n));
    'pass: while moves < 4 * n {
        if !legs.refill(instance, ctx.parcels, route) {
            return;
        }
        // Each leg walked the other way, `reversed[j]` from stop j to stop j - 1: read once a
        // pass rather than once for every stretch that holds it (the matrix lookups were
        // most of this function's time on long routes).
        reversed.clear();
        reversed.extend(
            (0..n).map(|j| if j == 0 { None } else { leg(instance, station, Some(at(route, j)), at(route, j - 1)) }),
        );
        for i in 0..n - 1 {
            let prev = (i > 0).then(|| at(route, i - 1));
            // The near lists of the two stairwells every new leg from i starts at, copied
            // out of the loop over j.
            let (near_prev, near_i) = (prev.map(|w| ctx.near_row(w)), ctx.near_row(at(route, i)));
            let load_in = legs.load[i];
            // Reversed inside legs: metres, and metres × load of the stop they leave.
            let (mut inside, mut inside_load) = (0.0, 0.0);
            let (mut old_m, mut old_kgm) = (legs.legs[i], legs.load[i] * legs.legs[i]);
            for (j, back) in reversed.iter().enumerate().skip(i + 1) {
                // No way back along this leg: no longer stretch from i reverses either.
                let Some(r) = *back else { break };
                inside += r;
                inside_load += legs.load[j] * r;
                old_m += legs.legs[j];
                old_kgm += legs.load[j] * legs.legs[j];
                // Granular (HGS's neighbour lists, Vidal 2022): one of the two new legs joins
                // a stairwell to one of its nearest, or meets the station; the rest are
                // rarely shorter, and reading their legs was most of a long route's pass.
                let joins_near = match near_prev {
                    Some(row) if j + 1 < n => {
                        row.contains(&(at(route, j) as u32)) || near_i.contains(&(at(route, j + 1) as u32))
                    }
                    _ => true,
                };
                if !joins_near {
                    continue;
                }
                let (old_out, load_out, new_out) = if j + 1 < n {
                    (legs.legs[j + 1], legs.load[j + 1], leg(instance, station, Some(at(route, i)), at(route, j + 1)))
                } else {
                    (legs.back, 0.0, leg(instance, station, None, at(route, i)))
                };
                let (Some(new_in), Some(new_out)) = (leg(instance, station, prev, at(route, j)), new_out) else {
                    continue;
                };
                let new_m = new_in + inside + new_out;
                let new_kgm = load_in * new_in + (load_in + load_out) * inside - inside_load + load_out * new_out;
                let gain = price.price(new_m - old_m - old_out, new_kgm - old_kgm - load_out * old_out).0;
                if gain < -1e-9 {
                    #[cfg(debug_assertions)]
                    let before = evaluate(instance, ctx.parcels, route).map(|c| c.points);
                    route.stops[i..=j].reverse();
                    #[cfg(debug_assertions)]
                    if let (Some(b), Some(a)) = (before, evaluate(instance, ctx.parcels, route).map(|c| c.points)) {
                        debug_assert!(
                            (a - b - gain).abs() < 1e-6 * b.abs().max(1.0),
                            "2-opt gain {gain}, evaluated {}",
                            a - b
                        );
                    }
                    moves += 1;
                    continue 'pass;
                }
            }
        }
        return;
    }
}

fn next_permutation(p: &mut [usize]) -> bool {
    let n = p.len();
    let Some(i) = (0..n.saturating_sub(1)).rev().find(|&i| p[i] < p[i + 1]) else { return false };
    let j = (i + 1..n).rev().find(|&j| p[j] > p[i]).expect("exists");
    p.swap(i, j);
    p[i + 1..].reverse();
    true
}
