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
use lastmetre_model::{Fleet, Order, StationSetting};
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
    /// Share of the day's orders, gathered into one batch at noon (as building leaders
    /// gathered needs in the founding case), that one plan serves (0.95).
    pub noon_batch: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Self { within_two_cycles: 0.99, medicine_in_cycle: 1.0, noon_batch: 0.95 }
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
    /// Orders delivered by the end of the days, worst day.
    pub delivered: f64,
    /// No porter over a shift limit, and at least `within_two_cycles` of the orders
    /// delivered by the end of the days.
    pub welfare_ok: bool,
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
    /// For a large area, the sample the trials ran on: its stations, and the share of the
    /// demand they serve (the counts found on it are scaled up by its inverse).
    pub sample: Option<(usize, f64)>,
    /// Every fleet tried, in the order tried.
    pub trials: Vec<Trial>,
    /// A fleet met the welfare limits; when false, `fleet` is the largest tried.
    pub found: bool,
    /// The noon batch planned with `fleet`: orders served, of how many.
    pub noon_batch: Option<(usize, usize)>,
    /// It meets the timeliness targets too. When false (and `found`), no fleet tried met them
    /// and more porters stopped helping: `fleet` is the fewest the welfare limits allow.
    pub timely: bool,
}

/// Above this many orders a day, trials run on a sample of the area (see [`size`]).
pub const SAMPLE_ORDERS_PER_DAY: f64 = 1200.0;

/// Orders one porter takes in a day, for the first guess only (the founding case's 8
/// porters carried about 230 orders a day with energy to spare).
const GUESS_ORDERS_PER_PORTER: f64 = 30.0;

/// Sizes the fleet for `demand` on `area`. `base` gives everything but the counts; at most
/// `max_porters` porters are tried.
///
/// An area with more than [`SAMPLE_ORDERS_PER_DAY`] orders a day (a district rather than a
/// compound) is sized on a sample, so that the answer comes in minutes: the open stations
/// nearest the middle of the area, grown until they serve that many orders a day, with the
/// orders of the households nearest to them. The fleet found for the sample is scaled up by
/// the area's demand over the sample's. Porters work from their station's neighbourhood, so
/// the work grows with the orders; the scaled fleet is an estimate, and `Sizing::sample`
/// says so.
pub fn size(
    area: &Area,
    base: &Fleet,
    demand: &[Order],
    options: &Options,
    targets: &Targets,
    max_porters: usize,
    progress: &mut dyn FnMut(&Trial),
) -> Result<Sizing, SimError> {
    let original_stations = base.stations.clone();
    let sampled = sample(area, base, demand, options.days.max(1));
    let (base, demand, scale) = match &sampled {
        Some((fleet, orders, share, _)) => (fleet, orders.as_slice(), 1.0 / share),
        None => (base, demand, 1.0),
    };
    let mut sizing = search(area, base, demand, options, targets, max_porters, progress)?;
    if let Some((_, _, share, stations)) = sampled.filter(|_| sizing.found) {
        sizing.fleet.porters.count = (sizing.fleet.porters.count as f64 * scale).ceil() as usize;
        sizing.fleet.tricycles.count = (sizing.fleet.tricycles.count as f64 * scale).ceil() as usize;
        // The whole area's stations again.
        sizing.fleet.stations = original_stations;
        sizing.sample = Some((stations, share));
    }
    if sizing.found {
        noon_batch(area, &mut sizing, options, targets);
    }
    Ok(sizing)
}

/// Rounds of raising the porters until the noon batch plans (each followed by a plan).
const NOON_ROUNDS: usize = 4;

/// Plans the day's orders as one noon batch with the fleet found, and adds porters (in
/// proportion to the orders left out) until the plan serves `targets.noon_batch` of them.
/// Days of small cycles spread the work; one batch gathered at noon must fit too.
fn noon_batch(area: &Area, sizing: &mut Sizing, options: &Options, targets: &Targets) {
    let households: Vec<&str> = area.households.iter().map(|h| h.id.as_str()).collect();
    let orders =
        lastmetre_synth::demand::batch(&households, &lastmetre_synth::demand::BatchOptions::noon(options.seed));
    if orders.is_empty() {
        return;
    }
    let matrices = area.matrices();
    for round in 0..=NOON_ROUNDS {
        let Ok(instance) = lastmetre_area::instance(area, &matrices, &orders, &sizing.fleet, "noon batch") else {
            return;
        };
        let budget = lastmetre_solver::Budget { iterations: options.settings.iterations, elapsed: &|| 0.0 };
        let plan = lastmetre_solver::solve(&instance, &budget, options.seed, 1);
        if !lastmetre_check::check(&instance, &plan).is_ok() {
            return;
        }
        let served = plan.metrics.orders_delivered;
        sizing.noon_batch = Some((served, orders.len()));
        if served as f64 >= targets.noon_batch * orders.len() as f64 || round == NOON_ROUNDS {
            // Met, or the last round: what `noon_batch` reports is this fleet's plan.
            return;
        }
        let porters = sizing.fleet.porters.count as f64;
        let wanted = (porters * targets.noon_batch * orders.len() as f64 / served.max(1) as f64 * 1.05).ceil();
        sizing.fleet.porters.count = (wanted as usize).max(sizing.fleet.porters.count + 1);
    }
}

/// The sample a large area is sized on: the base fleet with the sample's stations, the
/// sample's orders, their share of all orders, and the number of stations.
fn sample(area: &Area, base: &Fleet, demand: &[Order], days: u32) -> Option<(Fleet, Vec<Order>, f64, usize)> {
    if (demand.len() as f64) <= SAMPLE_ORDERS_PER_DAY * f64::from(days) {
        return None;
    }
    let g = &area.graph;
    let open: Vec<usize> = match &base.stations {
        Some(list) => list.iter().filter_map(|s| area.sites.iter().position(|x| x.id == s.id)).collect(),
        None => area.open_sites().collect(),
    };
    if open.len() < 2 {
        return None;
    }
    let distance = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).hypot(a[1] - b[1]);
    let site_at: Vec<[f64; 2]> = open.iter().map(|s| g[area.sites[*s].node].at).collect();
    // Each household's nearest open station, in a straight line.
    let nearest: std::collections::HashMap<&str, usize> = area
        .households
        .iter()
        .map(|h| {
            let door = g[area.stairwells[h.stairwell].door].at;
            let k = (0..open.len()).min_by(|a, b| distance(site_at[*a], door).total_cmp(&distance(site_at[*b], door)));
            (h.id.as_str(), k.unwrap_or(0))
        })
        .collect();
    let mut orders_of = vec![0usize; open.len()];
    for o in demand {
        if let Some(k) = nearest.get(o.household.as_str()) {
            orders_of[*k] += 1;
        }
    }
    let n = site_at.len() as f64;
    let middle = [site_at.iter().map(|p| p[0]).sum::<f64>() / n, site_at.iter().map(|p| p[1]).sum::<f64>() / n];
    let seed =
        (0..open.len()).min_by(|a, b| distance(site_at[*a], middle).total_cmp(&distance(site_at[*b], middle)))?;
    let mut by_distance: Vec<usize> = (0..open.len()).collect();
    by_distance.sort_by(|a, b| distance(site_at[*a], site_at[seed]).total_cmp(&distance(site_at[*b], site_at[seed])));
    let target = SAMPLE_ORDERS_PER_DAY * f64::from(days);
    let mut chosen = Vec::new();
    let mut orders = 0usize;
    for k in by_distance {
        if orders as f64 >= target {
            break;
        }
        chosen.push(k);
        orders += orders_of[k];
    }
    if chosen.len() == open.len() || orders == 0 {
        return None;
    }
    let kept: std::collections::HashSet<usize> = chosen.iter().copied().collect();
    let sample: Vec<Order> = demand
        .iter()
        .filter(|o| nearest.get(o.household.as_str()).is_some_and(|k| kept.contains(k)))
        .cloned()
        .collect();
    let mut fleet = base.clone();
    fleet.stations = Some(
        chosen
            .iter()
            .map(|k| {
                let site = &area.sites[open[*k]];
                let storage = base
                    .stations
                    .as_ref()
                    .and_then(|list| list.iter().find(|s| s.id == site.id))
                    .map_or(site.capacity, |s| s.storage_kg);
                StationSetting { id: site.id.clone(), storage_kg: storage }
            })
            .collect(),
    );
    let share = sample.len() as f64 / demand.len() as f64;
    Some((fleet, sample, share, chosen.len()))
}

/// Which limits a trial must meet.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// No porter over a shift limit, and (nearly) every order delivered within the days.
    Welfare,
    /// Those, and the timeliness targets.
    All,
}

fn search(
    area: &Area,
    base: &Fleet,
    demand: &[Order],
    options: &Options,
    targets: &Targets,
    max_porters: usize,
    progress: &mut dyn FnMut(&Trial),
) -> Result<Sizing, SimError> {
    let mut trials: Vec<Trial> = Vec::new();
    let mut run = |porters: usize, tricycles: usize, trials: &mut Vec<Trial>| -> Result<Trial, SimError> {
        if let Some(t) = trials.iter().find(|t| t.porters == porters && t.tricycles == tricycles) {
            return Ok(t.clone());
        }
        let mut fleet = base.clone();
        fleet.porters.count = porters;
        fleet.tricycles.count = tricycles;
        let started = Instant::now();
        let sim = simulate(area.clone(), fleet, demand, options, &mut |_, _| {})?;
        let trial = judge(&sim, porters, tricycles, targets, started.elapsed().as_secs_f64());
        progress(&trial);
        trials.push(trial.clone());
        Ok(trial)
    };
    let passes = |t: &Trial, level: Level| match level {
        Level::Welfare => t.welfare_ok,
        Level::All => t.meets,
    };
    let max_porters = max_porters.max(1);
    // Tricycles to spare while porters are sized: one for every two porters.
    let spare = |porters: usize| porters.div_ceil(2).max(base.tricycles.count).max(1);
    let per_day = demand.len() as f64 / f64::from(options.days.max(1));
    let guess = ((per_day / GUESS_ORDERS_PER_PORTER).ceil() as usize).clamp(1, max_porters);

    // First the fewest porters the welfare limits allow; then, from there, the fewest that
    // also meet the timeliness targets, unless more porters stop helping (the plans' order
    // of work, not the fleet, then limits timeliness).
    let welfare = smallest(guess, max_porters, &mut |p| Ok(run(p, spare(p), &mut trials)?.welfare_ok))?;
    let Some(welfare) = welfare else {
        let mut fleet = base.clone();
        fleet.porters.count = max_porters;
        fleet.tricycles.count = spare(max_porters);
        return Ok(Sizing { fleet, trials, found: false, timely: false, sample: None, noon_batch: None });
    };
    let mut level = Level::All;
    let mut porters = welfare;
    let first = run(welfare, spare(welfare), &mut trials)?;
    if !first.meets {
        let (mut below, mut best, mut stalled) = (welfare, first.within_two_cycles, 0);
        let mut found = None;
        let mut n = welfare;
        while n < max_porters && stalled < 2 {
            n = (n + n.div_ceil(2)).min(max_porters);
            let t = run(n, spare(n), &mut trials)?;
            if t.meets {
                found = Some(n);
                break;
            }
            below = n;
            stalled = if t.within_two_cycles > best + 0.005 { 0 } else { stalled + 1 };
            best = best.max(t.within_two_cycles);
        }
        match found {
            Some(mut hi) => {
                while hi - below > 1 {
                    let mid = below + (hi - below) / 2;
                    if run(mid, spare(mid), &mut trials)?.meets {
                        hi = mid;
                    } else {
                        below = mid;
                    }
                }
                porters = hi;
            }
            None => level = Level::Welfare,
        }
    }
    let most = spare(porters);
    let tricycle_guess = porters.div_ceil(4).clamp(1, most);
    let tricycles =
        smallest(tricycle_guess, most, &mut |t| Ok(passes(&run(porters, t, &mut trials)?, level)))?.unwrap_or(most);
    let mut fleet = base.clone();
    fleet.porters.count = porters;
    fleet.tricycles.count = tricycles;
    Ok(Sizing { fleet, trials, found: true, timely: level == Level::All, sample: None, noon_batch: None })
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

/// The service levels of simulated days, each on the worst day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServiceLevels {
    /// Share of orders delivered within two cycles.
    pub within_two_cycles: f64,
    /// Share of medicine taken to its door in its cycle (a closed door counts as taken).
    pub medicine_in_cycle: f64,
    /// Share of orders delivered.
    pub delivered: f64,
    /// Porter-days over a shift limit, all days.
    pub porters_over_limit: usize,
    /// The independent checker found nothing.
    pub checked: bool,
}

impl ServiceLevels {
    /// The levels of `sim`.
    pub fn of(sim: &Simulation) -> Self {
        let worst = |f: &dyn Fn(&crate::DaySummary) -> f64| sim.days.iter().map(f).fold(1.0, f64::min);
        Self {
            within_two_cycles: worst(&|d| if d.orders == 0 { 1.0 } else { d.within_two_cycles_share }),
            medicine_in_cycle: worst(&|d| {
                if d.medicine == 0 { 1.0 } else { d.medicine_attempted_in_cycle as f64 / d.medicine as f64 }
            }),
            delivered: worst(&|d| if d.orders == 0 { 1.0 } else { d.delivered as f64 / d.orders as f64 }),
            porters_over_limit: sim.days.iter().map(|d| d.porters_over_limit).sum(),
            checked: sim.violations.is_empty(),
        }
    }

    /// No porter over a limit, the day's orders delivered, every plan checked.
    pub fn welfare_ok(&self, targets: &Targets) -> bool {
        self.porters_over_limit == 0 && self.delivered >= targets.within_two_cycles && self.checked
    }

    /// The welfare limits and the timeliness promises, all kept.
    pub fn kept(&self, targets: &Targets) -> bool {
        self.welfare_ok(targets)
            && self.within_two_cycles >= targets.within_two_cycles
            && self.medicine_in_cycle >= targets.medicine_in_cycle
    }
}

fn judge(sim: &Simulation, porters: usize, tricycles: usize, targets: &Targets, seconds: f64) -> Trial {
    let levels = ServiceLevels::of(sim);
    let ServiceLevels { within_two_cycles, medicine_in_cycle, delivered, porters_over_limit, .. } = levels;
    let welfare_ok = levels.welfare_ok(targets);
    let meets = levels.kept(targets);
    Trial {
        porters,
        tricycles,
        within_two_cycles,
        medicine_in_cycle,
        porters_over_limit,
        max_porter_energy_kj: sim.days.iter().map(|d| d.max_porter_energy_kj).fold(0.0, f64::max),
        max_porter_vertical_m: sim.days.iter().map(|d| d.max_porter_vertical_m).fold(0.0, f64::max),
        tricycle_trips: sim.days.iter().map(|d| d.tricycle_trips).sum(),
        delivered,
        welfare_ok,
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
