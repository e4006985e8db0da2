//! Where the search stands: outings, their costs and the parcels left out, with the
//! bookkeeping that keeps its estimate current after a move.

use super::cost::CostEvaluator;
use super::improve_order;
use crate::outing::{Outing, OutingCost, evaluate};

/// Where the search stands: outings and the parcels nobody carries.
#[derive(Debug, Default)]
pub(crate) struct Solution {
    /// Outings.
    pub outings: Vec<Outing>,
    /// Their costs, parallel to `outings`.
    pub costs: Vec<OutingCost>,
    /// Parcels left out.
    pub unserved: Vec<usize>,
    /// The search's estimate of the objective, in points: outings, left-out parcels, a bound
    /// of the workload balance and an echelon-1 estimate. The plan's own objective
    /// (`Metrics::objective`, after `assemble`) is what is reported.
    pub estimate: f64,
    /// Energy of all outings, kJ, and of the largest: the workload-balance bound.
    pub energy: f64,
    pub largest: f64,
    /// The echelon-1 estimate of the last assignment priced (see `CostEvaluator::trip_points`).
    pub trips: TripMemo,
}

/// An echelon-1 estimate and the fingerprint of the parcels-to-stations assignment it priced.
#[derive(Debug, Default)]
pub(crate) struct TripMemo {
    pub(super) fingerprint: Vec<u64>,
    pub(super) points: f64,
}

impl Clone for TripMemo {
    fn clone(&self) -> Self {
        TripMemo { fingerprint: self.fingerprint.clone(), points: self.points }
    }

    fn clone_from(&mut self, source: &Self) {
        self.fingerprint.clone_from(&source.fingerprint);
        self.points = source.points;
    }
}

impl Clone for Solution {
    fn clone(&self) -> Self {
        let mut copy = Solution::default();
        copy.clone_from(self);
        copy
    }

    /// Into the allocations `self` already has (its outings' stops among them): the search
    /// copies the current solution into its candidate every iteration, and allocating it
    /// afresh cost more than many ruins.
    fn clone_from(&mut self, source: &Self) {
        self.outings.clone_from(&source.outings);
        self.costs.clone_from(&source.costs);
        self.unserved.clone_from(&source.unserved);
        self.estimate = source.estimate;
        self.energy = source.energy;
        self.largest = source.largest;
        self.trips.clone_from(&source.trips);
    }
}

impl Solution {
    /// Estimates the whole again ([`CostEvaluator::estimate`]).
    pub(crate) fn recompute_estimate(&mut self, cost: &CostEvaluator) {
        cost.estimate(self);
    }

    /// Takes parcel `p` out of outing `r`, where a ruin found it: the outing, or `None` when
    /// it is no longer there (a ruin that picked it twice).
    pub(super) fn remove_parcel_from(&mut self, p: usize, r: usize) -> Option<usize> {
        let route = self.outings.get_mut(r)?;
        for stop in route.stops.iter_mut() {
            if let Some(i) = stop.parcels.iter().position(|x| *x == p) {
                stop.parcels.remove(i);
                route.stops.retain(|s| !s.parcels.is_empty());
                return Some(r);
            }
        }
        None
    }

    /// Becomes `source` again where it may differ: the outings `changed`, the parcels left
    /// out and the figures. Copying the whole solution every iteration was a tenth of an
    /// iteration's time on large instances.
    pub(super) fn copy_changes_from(&mut self, source: &Solution, changed: &[usize]) {
        for &r in changed.iter().filter(|r| **r < source.outings.len()) {
            self.outings[r].clone_from(&source.outings[r]);
            self.costs[r] = source.costs[r];
        }
        self.unserved.clone_from(&source.unserved);
        self.estimate = source.estimate;
        self.energy = source.energy;
        self.largest = source.largest;
        self.trips.clone_from(&source.trips);
    }

    /// After a move: re-orders and re-evaluates the touched outings, drops empty ones and
    /// estimates the whole again; whether any outing was dropped.
    pub(super) fn reorder_and_estimate(&mut self, cost: &CostEvaluator, touched: &[usize]) -> bool {
        let ctx = cost.ctx;
        for &r in touched {
            if r < self.outings.len() {
                improve_order(ctx, &mut self.outings[r]);
                self.costs[r] = evaluate(ctx.instance, ctx.parcels, &self.outings[r]).expect("routes stay reachable");
            }
        }
        let (mut r, mut dropped) = (0, false);
        while r < self.outings.len() {
            if self.outings[r].stops.is_empty() {
                self.outings.swap_remove(r);
                self.costs.swap_remove(r);
                dropped = true;
            } else {
                r += 1;
            }
        }
        self.recompute_estimate(cost);
        dropped
    }
}
