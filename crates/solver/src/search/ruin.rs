//! Ruins: take parcels out of the solution (random, related, whole outings, the lightest
//! outing, worst, strings), or move outings to another station (`reroot`). Each is a named
//! [`Ruin`], drawn from a weighted table, so that a run can count what each one earns.

use super::{Context, Solution};
use crate::outing::{Stop, evaluate};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Every served parcel with its outing, in the outings' order: one pass, so that a ruin
/// knows where each parcel it takes is without another.
fn served_parcels(sol: &Solution) -> Vec<(usize, usize)> {
    sol.outings.iter().enumerate().flat_map(|(r, route)| with_outing(&route.stops, r)).collect()
}

/// A stop's parcels with their outing `r`.
fn with_outing(stops: &[Stop], r: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    stops.iter().flat_map(move |s| s.parcels.iter().map(move |p| (*p, r)))
}

/// Moves a random outing, stops and all, to another station that serves all its parcels
/// and has room to store them; half the time every outing of its station goes along, so
/// that a station's whole share can change station in one step. Returns the outings moved.
/// The tricycles' cost of a station is a step in its load (a trip more or less), which
/// parcels moved one by one rarely cross (their stop order is redone by the
/// `reorder_and_estimate` that follows).
pub(crate) fn reroot(ctx: &Context, sol: &mut Solution, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let r = rng.random_range(0..sol.outings.len());
    let from = sol.outings[r].station;
    let moved: Vec<usize> = if rng.random_bool(0.5) {
        (0..sol.outings.len()).filter(|o| sol.outings[*o].station == from).collect()
    } else {
        vec![r]
    };
    let parcels: Vec<usize> =
        moved.iter().flat_map(|o| sol.outings[*o].stops.iter().flat_map(|s| s.parcels.iter().copied())).collect();
    let options: Vec<usize> = (0..ctx.instance.stations.len())
        .filter(|s| *s != from && ctx.admits(&sol.outings, *s, &parcels, None, 0.0))
        .collect();
    if options.is_empty() {
        return Vec::new();
    }
    let to = options[rng.random_range(0..options.len())];
    for &o in &moved {
        sol.outings[o].station = to;
    }
    moved
}

/// A ruin operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ruin {
    /// Parcels drawn at random.
    Random,
    /// A seed stairwell's parcels and its neighbours' on foot.
    Related,
    /// A whole outing, with an outing of a nearby stairwell.
    Outings,
    /// The lightest outing alone, so that its parcels may fill the others' room and one
    /// outing fewer goes out.
    Lightest,
    /// Parcels whose outings cost most per kg carried.
    Worst,
    /// Runs of consecutive stops from the outings passing near a seed stairwell (string
    /// removal, Christiaens & Vanden Berghe 2020), so that the repair rebuilds those outings'
    /// neighbourhood together.
    Strings,
    /// No parcel out: outings move to another station instead ([`reroot`]).
    Reroot,
}

impl Ruin {
    /// Every ruin, in the order of the table and of reports.
    pub(crate) const ALL: [Ruin; 7] =
        [Ruin::Random, Ruin::Related, Ruin::Outings, Ruin::Lightest, Ruin::Worst, Ruin::Strings, Ruin::Reroot];

    /// The name reports use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Ruin::Random => "random",
            Ruin::Related => "related",
            Ruin::Outings => "outings",
            Ruin::Lightest => "lightest",
            Ruin::Worst => "worst",
            Ruin::Strings => "strings",
            Ruin::Reroot => "reroot",
        }
    }

    /// How often it is drawn, relative to the others. Whole outings go out as often as the
    /// parcel ruins, the lightest a quarter of those times. Rerooting is rare (about 3 % of
    /// iterations, and only where there is another station): porters' outings rarely gain
    /// by it (a tenth cost the noon batch 0.4 % at the default budget), while 3 % keep
    /// 2E-CVRP's gains (Set 3 at 4 s: 0.11-0.15 %, as with a tenth).
    pub(crate) fn weight(self, ctx: &Context) -> f64 {
        match self {
            Ruin::Random | Ruin::Related | Ruin::Worst | Ruin::Strings => 1.0,
            Ruin::Outings => 0.75,
            Ruin::Lightest => 0.25,
            Ruin::Reroot if ctx.instance.stations.len() > 1 => 0.155,
            Ruin::Reroot => 0.0,
        }
    }

    /// Takes up to `q` parcels out of `sol` (or, for `Reroot`, moves outings and takes none):
    /// the parcels taken, the outings changed added to `touched`, their costs current.
    pub(crate) fn apply(
        self,
        ctx: &Context,
        sol: &mut Solution,
        q: usize,
        rng: &mut ChaCha8Rng,
        touched: &mut Vec<usize>,
    ) -> Vec<usize> {
        if sol.outings.is_empty() {
            return Vec::new();
        }
        if self == Ruin::Reroot {
            touched.extend(reroot(ctx, sol, rng));
            reprice_costs(ctx, sol, touched);
            return Vec::new();
        }
        let served = served_parcels(sol);
        // (parcel, its outing) pairs.
        let removed = match self {
            Ruin::Random => random(served, q, rng),
            Ruin::Related => related(ctx, &served, q, rng),
            Ruin::Outings => outings(ctx, sol, rng),
            Ruin::Lightest => lightest(sol),
            Ruin::Worst => worst(sol, q, rng),
            Ruin::Strings => strings(ctx, sol, &served, q, rng),
            Ruin::Reroot => unreachable!("rerooted above"),
        };
        for &(p, r) in &removed {
            if let Some(r) = sol.remove_parcel_from(p, r) {
                touched.push(r);
            }
        }
        reprice_costs(ctx, sol, touched);
        removed.into_iter().map(|(p, _)| p).collect()
    }
}

/// The first `q` of a partial shuffle of the served parcels.
fn random(mut served: Vec<(usize, usize)>, q: usize, rng: &mut ChaCha8Rng) -> Vec<(usize, usize)> {
    let q = q.min(served.len());
    for i in 0..q {
        let j = rng.random_range(i..served.len());
        served.swap(i, j);
    }
    served.truncate(q);
    served
}

/// A seed stairwell's served parcels, then its nearest stairwells', up to `q`.
fn related(ctx: &Context, served: &[(usize, usize)], q: usize, rng: &mut ChaCha8Rng) -> Vec<(usize, usize)> {
    let home = ctx.parcels[served[rng.random_range(0..served.len())].0].stairwell;
    // The served parcels by stairwell, in the order of `served` (a counting sort: one pass,
    // not one per neighbour).
    let mut start = vec![0usize; ctx.stairwells + 1];
    for &(p, _) in served {
        start[ctx.parcels[p].stairwell + 1] += 1;
    }
    for w in 0..ctx.stairwells {
        start[w + 1] += start[w];
    }
    let mut by_stairwell = vec![(0usize, 0usize); served.len()];
    let mut next = start.clone();
    for &(p, r) in served {
        let w = ctx.parcels[p].stairwell;
        by_stairwell[next[w]] = (p, r);
        next[w] += 1;
    }
    let mut removed = Vec::with_capacity(q);
    for &w in &ctx.nearby[home] {
        for &pair in &by_stairwell[start[w]..start[w + 1]] {
            if removed.len() < q {
                removed.push(pair);
            }
        }
        if removed.len() >= q {
            break;
        }
    }
    removed
}

/// A random outing whole, and the first outing that climbs one of the four stairwells
/// nearest its first stop.
fn outings(ctx: &Context, sol: &Solution, rng: &mut ChaCha8Rng) -> Vec<(usize, usize)> {
    let r = rng.random_range(0..sol.outings.len());
    let first = sol.outings[r].stops[0].stairwell;
    let mut removed: Vec<(usize, usize)> = with_outing(&sol.outings[r].stops, r).collect();
    let near = ctx.nearby[first].iter().take(4).copied().collect::<Vec<_>>();
    if let Some(other) =
        sol.outings.iter().position(|o| o.stops.iter().any(|s| near.contains(&s.stairwell) && s.stairwell != first))
    {
        removed.extend(with_outing(&sol.outings[other].stops, other));
    }
    removed.sort_unstable();
    removed.dedup();
    removed
}

/// Every parcel of the lightest outing.
fn lightest(sol: &Solution) -> Vec<(usize, usize)> {
    let lightest = (0..sol.outings.len()).min_by(|a, b| sol.costs[*a].kg.total_cmp(&sol.costs[*b].kg));
    lightest.map(|r| with_outing(&sol.outings[r].stops, r).collect()).unwrap_or_default()
}

/// Up to `q` parcels of the outings that cost most per kg carried, each skipped at random
/// three times in ten so that repeated calls differ.
fn worst(sol: &Solution, q: usize, rng: &mut ChaCha8Rng) -> Vec<(usize, usize)> {
    let mut scored: Vec<(f64, (usize, usize))> = sol
        .outings
        .iter()
        .zip(&sol.costs)
        .enumerate()
        .flat_map(|(k, (r, c))| {
            let per_kg = c.points / c.kg.max(0.1);
            with_outing(&r.stops, k).map(move |pair| (per_kg, pair))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut removed = Vec::with_capacity(q);
    for (_, pair) in scored {
        if removed.len() >= q {
            break;
        }
        if rng.random_bool(0.7) {
            removed.push(pair);
        }
    }
    removed
}

/// From each of up to four outings that climb a seed stairwell's nearest, a run of up to ten
/// consecutive stops through that stairwell, up to `q` parcels in all.
fn strings(
    ctx: &Context,
    sol: &Solution,
    served: &[(usize, usize)],
    q: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<(usize, usize)> {
    let home = ctx.parcels[served[rng.random_range(0..served.len())].0].stairwell;
    let mut route_of = vec![usize::MAX; ctx.stairwells];
    for (r, route) in sol.outings.iter().enumerate() {
        for stop in &route.stops {
            route_of[stop.stairwell] = route_of[stop.stairwell].min(r);
        }
    }
    let (mut removed, mut done) = (Vec::new(), Vec::new());
    for &w in &ctx.nearby[home] {
        let r = route_of[w];
        if removed.len() >= q || done.len() >= 4 {
            break;
        }
        if r == usize::MAX || done.contains(&r) {
            continue;
        }
        done.push(r);
        let stops = &sol.outings[r].stops;
        let at = stops.iter().position(|s| s.stairwell == w).expect("the route visits w");
        let len = rng.random_range(1..=stops.len().min(10).min(q - removed.len()).max(1));
        let first = rng.random_range(at.saturating_sub(len - 1)..=at).min(stops.len() - len);
        removed.extend(with_outing(&stops[first..first + len], r));
    }
    removed
}

/// After a ruin: evaluates the `touched` outings again, in their order, without estimating
/// the whole (insertion deltas are taken against these costs, so they must be current).
fn reprice_costs(ctx: &Context, sol: &mut Solution, touched: &[usize]) {
    for &r in touched {
        let cost = evaluate(ctx.instance, ctx.parcels, &sol.outings[r]).expect("ruins keep routes reachable");
        sol.energy += cost.energy_kj - sol.costs[r].energy_kj;
        sol.costs[r] = cost;
    }
    sol.largest = sol.costs.iter().map(|c| c.energy_kj).fold(0.0, f64::max);
}
