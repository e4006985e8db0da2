//! `lastmetre size`: the fewest porters and tricycles with which simulated days meet the
//! welfare limits, written as a fleet file.

use crate::simulate::{Inputs, inputs};
use anyhow::{Context, Result};
use lastmetre::dispatch::Settings;
use lastmetre::sim::{Disturbances, Options, Sizing, Targets, Trial};
use std::path::Path;
use std::process::ExitCode;

/// Search iterations per re-plan while sizing (fewer than `simulate`'s 3000: sizing plays
/// many days). `size --iterations` and `import-osm --fleet-out` both start from it.
pub(crate) const ITERATIONS: u64 = 1000;
/// Most porters tried, as `size --max-porters` defaults.
pub(crate) const MAX_PORTERS: usize = 2000;

/// What `size` was asked.
pub(crate) struct Request<'a> {
    pub area: &'a Path,
    pub orders_stream: Option<&'a Path>,
    pub fleet: Option<&'a Path>,
    pub days: u32,
    pub seed: u64,
    pub demand_scale: f64,
    pub iterations: u64,
    pub max_porters: usize,
    pub out: &'a Path,
}

pub(crate) fn run(r: &Request) -> Result<ExitCode> {
    let Inputs { area, fleet, demand, days } =
        match inputs(r.area, r.fleet, r.orders_stream, r.days, r.seed, r.demand_scale) {
            Ok(i) => i,
            Err(code) => return Ok(code),
        };
    let outcome = size_and_write(&area, &fleet, &demand, days, r.seed, r.iterations, r.max_porters, r.out, false)?;
    Ok(if outcome.found { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Sizes the fleet, prints the table of trials and writes the fleet file.
#[allow(clippy::too_many_arguments)]
pub(crate) fn size_and_write(
    area: &lastmetre::Area,
    base: &lastmetre::Fleet,
    demand: &[lastmetre::Order],
    days: u32,
    seed: u64,
    iterations: u64,
    max_porters: usize,
    out: &Path,
    quiet: bool,
) -> Result<Sizing> {
    // With `quiet`, stdout is someone else's (import-osm --json): everything goes to stderr.
    let say = |line: String| if quiet { eprintln!("{line}") } else { println!("{line}") };
    let options = Options {
        days,
        seed,
        settings: Settings { iterations, seed, ..Settings::default() },
        disturbances: Disturbances::default(),
        reserve_porters: 0,
    };
    let started = std::time::Instant::now();
    eprintln!(
        "sizing for {} orders over {days} day(s) on {} households (each row: one fleet, {days} simulated day(s))",
        demand.len(),
        area.households.len()
    );
    eprintln!("{}", header());
    let sizing = lastmetre::sim::size(area, base, demand, &options, &Targets::default(), max_porters, &mut |t| {
        eprintln!("{}", row(t));
    })?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(out, serde_json::to_string_pretty(&sizing.fleet)? + "\n")
        .with_context(|| format!("cannot write {}", out.display()))?;
    let (p, t) = (sizing.fleet.porters.count, sizing.fleet.tricycles.count);
    let seconds = started.elapsed().as_secs_f64();
    if let Some((stations, share)) = sizing.sample {
        say(format!(
            "the area is large: the trials above ran on its {stations} central stations, which serve {:.1} % of the orders; the fleet is scaled up from theirs (an estimate: check it with `lastmetre simulate --fleet {}`)",
            100.0 * share,
            out.display()
        ));
    }
    if let Some((served, of)) = sizing.noon_batch {
        say(format!("noon batch (the day's orders gathered at 12:00): {served} of {of} planned with this fleet"));
    }
    if sizing.found && !sizing.timely {
        let best = sizing.trials.iter().map(|t| t.within_two_cycles).fold(0.0, f64::max);
        say(format!(
            "{}: {p} porters and {t} tricycles keep every porter within the shift limits and deliver the day's orders, found in {seconds:.1} s",
            out.display()
        ));
        eprintln!(
            "warning: no fleet tried delivers 99 % of orders within 2 cycles and all medicine in its cycle (best {:.1} % within 2 cycles), and more porters stopped helping: the order of the work in the plans, not the fleet, limits it here",
            100.0 * best
        );
    } else if sizing.found {
        say(format!(
            "{}: {p} porters and {t} tricycles meet the limits (99 % within 2 cycles, medicine in its cycle, no porter over the shift limits), found in {seconds:.1} s",
            out.display()
        ));
    } else {
        eprintln!(
            "{}: even {p} porters and {t} tricycles do not meet the limits; the largest fleet tried is written. Check the stations (`lastmetre place`) or raise --max-porters",
            out.display()
        );
    }
    Ok(sizing)
}

fn header() -> String {
    format!(
        "{:>8} {:>9} {:>10} {:>15} {:>9} {:>11} {:>10} {:>9} {:>6} {:>6}",
        "porters",
        "tricycles",
        "delivered",
        "within 2 cycles",
        "medicine",
        "over limit",
        "max kJ",
        "max climb",
        "meets",
        "s"
    )
}

fn row(t: &Trial) -> String {
    format!(
        "{:>8} {:>9} {:>9.1}% {:>14.1}% {:>8.0}% {:>11} {:>10.0} {:>8.0}m {:>6} {:>6.1}",
        t.porters,
        t.tricycles,
        100.0 * t.delivered,
        100.0 * t.within_two_cycles,
        100.0 * t.medicine_in_cycle,
        t.porters_over_limit,
        t.max_porter_energy_kj,
        t.max_porter_vertical_m,
        if t.meets {
            "yes"
        } else if t.welfare_ok {
            "shift"
        } else {
            "no"
        },
        t.seconds
    )
}
