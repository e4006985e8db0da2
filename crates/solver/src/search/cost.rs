//! Every term of the search's objective in one place, as PyVRP's `CostEvaluator` keeps its
//! penalties: the outings' points, the left-out parcels' penalties, the workload-balance
//! bound, the echelon-1 estimate and the fleet penalty for outings beyond the fleet's limits.
//! The fleet penalty is the one weight that changes during a solve (it doubles while the best
//! still crosses a limit); it lives here so that [`Context`] stays fixed.

use super::Context;
use super::solution::{Solution, TripMemo};
use crate::outing::{Outing, OutingCost};
use crate::trips::{Load, form_trips};

/// A well-spread 64-bit image of `x`, so that sums of images tell sets apart.
fn mix(x: u64) -> u64 {
    lastmetre_model::seed::scramble(x.wrapping_add(lastmetre_model::seed::GOLDEN))
}

/// The search's objective over the facts of `ctx`, with its current fleet penalty.
#[derive(Clone, Copy)]
pub(crate) struct CostEvaluator<'c, 'a> {
    pub ctx: &'c Context<'a>,
    /// Points per outing beyond the fleet's limits. The limits are soft during the search,
    /// so that it can pass through a tight packing of outings instead of being stuck in the
    /// first; the plan itself never exceeds them (the schedule leaves such outings out).
    pub fleet_penalty: f64,
}

impl<'c, 'a> CostEvaluator<'c, 'a> {
    /// The objective of `ctx` with no fleet penalty.
    pub(crate) fn new(ctx: &'c Context<'a>) -> Self {
        CostEvaluator { ctx, fleet_penalty: 0.0 }
    }

    /// Outing points, unserved penalties, a lower bound of the workload-balance term (the
    /// most tired porter spends at least the largest outing and at least the average), the
    /// echelon-1 estimate and the fleet penalty: `sol`'s estimate, its energy figures with it.
    pub(crate) fn estimate(&self, sol: &mut Solution) {
        let w = &self.ctx.instance.fleet.weights;
        sol.energy = sol.costs.iter().map(|c| c.energy_kj).sum();
        sol.largest = sol.costs.iter().map(|c| c.energy_kj).fold(0.0, f64::max);
        sol.estimate = sol.costs.iter().map(|c| c.points).sum::<f64>()
            + sol.unserved.iter().map(|p| self.ctx.penalty[*p]).sum::<f64>()
            + w.max_porter_energy_kj * self.balance(sol.largest, sol.energy)
            + self.trip_points(&sol.outings, &mut sol.trips)
            + self.fleet_penalty * self.excess_outings(&sol.outings) as f64;
    }

    /// The bound on the most tired porter's energy over the shift: at least what anyone has
    /// already spent, at least the least tired porter plus the largest outing, at least the
    /// average.
    fn balance(&self, largest: f64, energy: f64) -> f64 {
        let (most, least, spent, n) = self.ctx.shift;
        most.max(least + largest).max((spent + energy) / n)
    }

    /// Extra points for an outing going from `old` to `new` (cost of the change included).
    pub(crate) fn delta(&self, sol: &Solution, old: Option<&OutingCost>, new: &OutingCost) -> f64 {
        let (old_points, old_energy) = old.map_or((0.0, 0.0), |c| (c.points, c.energy_kj));
        let before = self.balance(sol.largest, sol.energy);
        let after = self.balance(sol.largest.max(new.energy_kj), sol.energy - old_energy + new.energy_kj);
        new.points - old_points + self.ctx.instance.fleet.weights.max_porter_energy_kj * (after - before)
    }

    /// The least points for leaving a parcel out.
    pub(crate) fn least_penalty(&self) -> f64 {
        self.ctx.penalty.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// Points for one more outing from `station`: the penalty when it exceeds a fleet limit.
    pub(crate) fn new_outing_points(&self, routes: &[Outing], station: usize) -> f64 {
        let over = self.ctx.outing_limit.is_some_and(|most| routes.len() >= most)
            || self
                .ctx
                .station_outing_limit
                .is_some_and(|most| routes.iter().filter(|r| r.station == station).count() >= most);
        if over { self.fleet_penalty } else { 0.0 }
    }

    /// Outings beyond the fleet's limits, in all and per station.
    pub(crate) fn excess_outings(&self, routes: &[Outing]) -> usize {
        let total = self.ctx.outing_limit.map_or(0, |most| routes.len().saturating_sub(most));
        let per_station = self.ctx.station_outing_limit.map_or(0, |most| {
            (0..self.ctx.instance.stations.len())
                .map(|s| routes.iter().filter(|r| r.station == s).count().saturating_sub(most))
                .sum()
        });
        total.max(per_station)
    }

    /// Points of echelon 1 for these outings: the trips the plan will form (`trips.rs`),
    /// with each station's goods in the tricycles' loop order, then by parcel, so that the
    /// figure depends only on which parcels leave from which station. `memo` keeps the last
    /// figure with that assignment's fingerprint: most iterations move parcels within their
    /// station, and forming the trips anew is a good part of an iteration's time.
    fn trip_points(&self, routes: &[Outing], memo: &mut TripMemo) -> f64 {
        let i = self.ctx.instance;
        let (t, w) = (&i.fleet.tricycles, &i.fleet.weights);
        if w.tricycle_trip == 0.0 && w.tricycle_km == 0.0 && t.trips_each.is_none() {
            return 0.0;
        }
        let carried = || {
            routes
                .iter()
                .flat_map(|r| r.stops.iter().flat_map(|s| &s.parcels).map(move |p| (r.station, *p)))
                .filter(|(_, p)| i.jobs[self.ctx.parcels[*p].job].stocked.is_none())
        };
        let mut fingerprint = vec![0u64; i.stations.len()];
        for (station, p) in carried() {
            fingerprint[station] = fingerprint[station].wrapping_add(mix(p as u64));
        }
        if memo.fingerprint == fingerprint {
            return memo.points;
        }
        let mut carried: Vec<(usize, usize)> = carried().collect();
        carried.sort_by_key(|&(station, p)| (self.ctx.loop_position[station], p));
        let loads: Vec<Load> = carried
            .into_iter()
            .map(|(station, p)| Load {
                station,
                kg: self.ctx.parcels[p].kg,
                litres: self.ctx.parcels[p].litres,
                rank: self.ctx.loop_position[station],
            })
            .collect();
        let points = form_trips(i, &self.ctx.loop_position, &loads).points;
        *memo = TripMemo { fingerprint, points };
        points
    }
}
