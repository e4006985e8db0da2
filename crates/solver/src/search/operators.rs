//! The operator tables: the named ruins and recreates, drawn by weight, and what each one
//! earned over a search.

use super::Context;
use super::recreate::Recreate;
use super::ruin::Ruin;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// A weighted draw among `arms`: (its index in the operator's `ALL`, the operator).
pub(crate) struct Table<T: Copy> {
    arms: Vec<(usize, T, f64)>,
    total: f64,
}

impl<T: Copy> Table<T> {
    /// The operators of `all` with a positive weight.
    pub(crate) fn new(all: &[T], weight: impl Fn(T) -> f64) -> Self {
        let arms: Vec<(usize, T, f64)> =
            all.iter().enumerate().map(|(i, op)| (i, *op, weight(*op))).filter(|a| a.2 > 0.0).collect();
        let total = arms.iter().map(|a| a.2).sum();
        Table { arms, total }
    }

    /// One operator, each as likely as its weight: (its index in `ALL`, the operator).
    pub(crate) fn draw(&self, rng: &mut ChaCha8Rng) -> (usize, T) {
        let mut x = rng.random_range(0.0..self.total);
        for &(i, op, w) in &self.arms {
            if x < w {
                return (i, op);
            }
            x -= w;
        }
        let (i, op, _) = *self.arms.last().expect("a table has an operator");
        (i, op)
    }
}

/// The ruin table of `ctx`.
pub(crate) fn ruins(ctx: &Context) -> Table<Ruin> {
    Table::new(&Ruin::ALL, |r| r.weight(ctx))
}

/// The recreate table.
pub(crate) fn recreates() -> Table<Recreate> {
    Table::new(&Recreate::ALL, Recreate::weight)
}

/// What one operator did over a search: each iteration counts for its ruin and its recreate.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OperatorStats {
    /// Iterations it took part in.
    pub used: u64,
    /// Of those, the ones whose candidate was better than the solution it came from.
    pub improved: u64,
    /// The ones the annealing accepted (the improved among them).
    pub accepted: u64,
    /// The ones that found a new best of their thread's search (its island, or its part of
    /// the outings).
    pub new_best: u64,
    /// Points gained over the solution each improving candidate came from, summed.
    pub gain: f64,
}

impl OperatorStats {
    fn add(&mut self, other: &OperatorStats) {
        self.used += other.used;
        self.improved += other.improved;
        self.accepted += other.accepted;
        self.new_best += other.new_best;
        self.gain += other.gain;
    }

    /// Counts one iteration: `delta` points against the solution it came from.
    pub(crate) fn count(&mut self, delta: f64, accepted: bool, new_best: bool) {
        self.used += 1;
        if delta < -1e-9 {
            self.improved += 1;
            self.gain -= delta;
        }
        self.accepted += u64::from(accepted);
        self.new_best += u64::from(new_best);
    }
}

/// Every operator's counts, indexed as `Ruin::ALL` and `Recreate::ALL`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Counters {
    pub ruins: [OperatorStats; Ruin::ALL.len()],
    pub recreates: [OperatorStats; Recreate::ALL.len()],
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            ruins: [OperatorStats::default(); Ruin::ALL.len()],
            recreates: [OperatorStats::default(); Recreate::ALL.len()],
        }
    }
}

impl Counters {
    /// Adds another island's counts.
    pub(crate) fn add(&mut self, other: &Counters) {
        self.ruins.iter_mut().zip(&other.ruins).for_each(|(a, b)| a.add(b));
        self.recreates.iter_mut().zip(&other.recreates).for_each(|(a, b)| a.add(b));
    }

    /// (kind, name, counts) of every operator, ruins first.
    pub(crate) fn named(&self) -> Vec<(&'static str, &'static str, OperatorStats)> {
        let ruins = Ruin::ALL.iter().zip(&self.ruins).map(|(r, s)| ("ruin", r.name(), *s));
        let recreates = Recreate::ALL.iter().zip(&self.recreates).map(|(r, s)| ("recreate", r.name(), *s));
        ruins.chain(recreates).collect()
    }
}
