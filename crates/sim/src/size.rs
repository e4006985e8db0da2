//! The fleet an area needs: the fewest porters, then the fewest tricycles, with which
//! simulated days meet DOMAIN.md's welfare limits.
//!
//! Each trial plays the same days, with the disturbances `options` gives (`simulate`'s
//! realistic troubles by default: doors not answered, a lane closed, a porter leaving at
//! noon), with one fleet. Porters are sized first with tricycles to spare, then tricycles for
//! those porters. Both searches start from a guess from the demand, widen until a fleet meets
//! the limits, and halve the gap to the largest fleet that does not. The search assumes that
//! more people never do worse; a run that contradicts it shows in the table of trials.

use crate::{Options, SimError, Simulation, simulate};
use lastmetre_area::Area;
use lastmetre_model::{Fleet, Order};
use std::time::Instant;

/// What every simulated day must meet (DOMAIN.md): no porter over the carry, energy or
/// vertical limits of the shift, `within_two_cycles` of the orders delivered within two cycles,
/// and `medicine_in_cycle` of the medicine taken to its door in the cycle it arrived (a door
/// nobody answers is no fleet's fault).
#[derive(Clone, Debug, PartialEq)]
pub struct Targets {
    /// Share of orders delivered within two cycles (0.99).
    pub within_two_cycles: f64,
    /// Share of medicine delivered in its cycle (1.0).
    pub medicine_in_cycle: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Self { within_two_cycles: 0.99, medicine_in_cycle: 1.0 }
    }
}

/// One fleet tried, and what its days gave (the worst day of each figure).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Trial {
    /// Porters.
    pub porters: usize,
    /// Tricycles.
    pub tricycles: usize,
    /// Orders delivered within two cycles, worst day.
    pub within_two_cycles: f64,
    /// Medicine taken to its door in its cycle, worst day (1 on a day without medicine).
    pub medicine_in_cycle: f64,
    /// Porter-days over a shift limit.
    pub porters_over_limit: usize,
    /// The most tired porter's energy, kJ.
    pub max_porter_energy_kj: f64,
    /// The most climbed porter's vertical metres.
    pub max_porter_vertical_m: f64,
    /// Tricycle trips over the days.
    pub tricycle_trips: usize,
    /// It meets every target.
    pub meets: bool,
    /// Seconds the trial took.
    pub seconds: f64,
}

/// The outcome of sizing.
#[derive(Clone, Debug, PartialEq)]
pub struct Sizing {
    /// The base fleet with the counts found.
    pub fleet: Fleet,
    /// Every fleet tried, in the order tried.
    pub trials: Vec<Trial>,
    /// A fleet met the targets; when false, `fleet` is the largest tried.
    pub found: bool,
}

/// Orders one porter takes in a day, for the first guess only (the founding case's 8
/// porters carried about 230 orders a day with energy to spare).
const GUESS_ORDERS_PER_PORTER: f64 = 30.0;

/// Sizes the fleet for `demand` on `area`. `base` gives everything but the counts; at most
/// `max_porters` porters are tried.
pub fn size(
    area: &Area,
    base: &Fleet,
    demand: &[Order],
    options: &Options,
    targets: &Targets,
    max_porters: usize,
    progress: &mut dyn FnMut(&Trial),
) -> Result<Sizing, SimError> {
    let mut trials: Vec<Trial> = Vec::new();
    let mut run = |porters: usize, tricycles: usize, trials: &mut Vec<Trial>| -> Result<bool, SimError> {
        if let Some(t) = trials.iter().find(|t| t.porters == porters && t.tricycles == tricycles) {
            return Ok(t.meets);
        }
        let mut fleet = base.clone();
        fleet.porters.count = porters;
        fleet.tricycles.count = tricycles;
        let started = Instant::now();
        let sim = simulate(area.clone(), fleet, demand, options, &mut |_, _| {})?;
        let trial = judge(&sim, porters, tricycles, targets, started.elapsed().as_secs_f64());
        progress(&trial);
        let meets = trial.meets;
        trials.push(trial);
        Ok(meets)
    };
    let max_porters = max_porters.max(1);
    // Tricycles to spare while porters are sized: one for every two porters.
    let spare = |porters: usize| porters.div_ceil(2).max(base.tricycles.count).max(1);
    let per_day = demand.len() as f64 / f64::from(options.days.max(1));
    let guess = ((per_day / GUESS_ORDERS_PER_PORTER).ceil() as usize).clamp(1, max_porters);

    let Some(porters) = smallest(guess, max_porters, &mut |p| run(p, spare(p), &mut trials))? else {
        let mut fleet = base.clone();
        fleet.porters.count = max_porters;
        fleet.tricycles.count = spare(max_porters);
        return Ok(Sizing { fleet, trials, found: false });
    };
    let most = spare(porters);
    let tricycle_guess = porters.div_ceil(4).clamp(1, most);
    let tricycles = smallest(tricycle_guess, most, &mut |t| run(porters, t, &mut trials))?.unwrap_or(most);
    let mut fleet = base.clone();
    fleet.porters.count = porters;
    fleet.tricycles.count = tricycles;
    Ok(Sizing { fleet, trials, found: true })
}

/// The smallest `n` in 1..=`most` for which `meets(n)`, searched from `guess` on: up by half
/// again until one meets, then halving the gap. None when even `most` does not.
fn smallest(
    guess: usize,
    most: usize,
    meets: &mut dyn FnMut(usize) -> Result<bool, SimError>,
) -> Result<Option<usize>, SimError> {
    let (mut fails, mut works) = (0usize, None);
    let mut n = guess.clamp(1, most);
    // Widen: from the guess, down while it meets, or up while it does not.
    if meets(n)? {
        works = Some(n);
        while n > 1 {
            let lower = (n * 2 / 3).max(1).min(n - 1);
            if meets(lower)? {
                works = Some(lower);
                n = lower;
            } else {
                fails = lower;
                break;
            }
        }
    } else {
        fails = n;
        while n < most {
            n = (n + n.div_ceil(2)).min(most);
            if meets(n)? {
                works = Some(n);
                break;
            }
            fails = n;
        }
    }
    let Some(mut hi) = works else { return Ok(None) };
    // Narrow: `fails` does not meet, `hi` does.
    while hi - fails > 1 {
        let mid = fails + (hi - fails) / 2;
        if meets(mid)? {
            hi = mid;
        } else {
            fails = mid;
        }
    }
    Ok(Some(hi))
}

fn judge(sim: &Simulation, porters: usize, tricycles: usize, targets: &Targets, seconds: f64) -> Trial {
    let worst = |f: &dyn Fn(&crate::DaySummary) -> f64| sim.days.iter().map(f).fold(1.0, f64::min);
    let within_two_cycles = worst(&|d| if d.orders == 0 { 1.0 } else { d.within_two_cycles_share });
    let medicine_in_cycle =
        worst(&|d| if d.medicine == 0 { 1.0 } else { d.medicine_attempted_in_cycle as f64 / d.medicine as f64 });
    let porters_over_limit = sim.days.iter().map(|d| d.porters_over_limit).sum();
    let meets = porters_over_limit == 0
        && within_two_cycles >= targets.within_two_cycles
        && medicine_in_cycle >= targets.medicine_in_cycle
        && sim.violations.is_empty();
    Trial {
        porters,
        tricycles,
        within_two_cycles,
        medicine_in_cycle,
        porters_over_limit,
        max_porter_energy_kj: sim.days.iter().map(|d| d.max_porter_energy_kj).fold(0.0, f64::max),
        max_porter_vertical_m: sim.days.iter().map(|d| d.max_porter_vertical_m).fold(0.0, f64::max),
        tricycle_trips: sim.days.iter().map(|d| d.tricycle_trips).sum(),
        meets,
        seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::smallest;

    #[test]
    fn the_search_finds_the_threshold_from_any_guess() {
        for threshold in 1..=40 {
            for guess in 1..=50 {
                let mut calls = 0;
                let found = smallest(guess, 50, &mut |n| {
                    calls += 1;
                    Ok(n >= threshold)
                })
                .unwrap();
                assert_eq!(found, Some(threshold), "guess {guess}");
                assert!(calls <= 16, "{calls} trials for threshold {threshold} from {guess}");
            }
        }
        assert_eq!(smallest(3, 10, &mut |_| Ok(false)).unwrap(), None);
    }
}
