//! `lastmetre simulate`: whole days through the dispatcher, with figures, welfare and a chart.

use crate::{BAD_INPUT, print_problems};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use lastmetre::dispatch::{DispatchError, Policy, Settings};
use lastmetre::sim::{CycleRow, Disturbances, Options, Simulation, Welfare};
use lastmetre::{AreaParams, Error, LoadError};
use plotters::prelude::*;
use std::path::Path;
use std::process::ExitCode;

/// What `simulate` was asked.
pub struct Request<'a> {
    pub area: &'a Path,
    pub orders_stream: Option<&'a Path>,
    pub days: u32,
    pub seed: u64,
    pub demand_scale: f64,
    pub fleet: Option<&'a Path>,
    pub policy: Policy,
    pub iterations: u64,
    pub threads: usize,
    pub calm: bool,
    pub reserve_porters: usize,
    pub out: &'a Path,
}

/// The most `--demand-scale` takes: 5 times DOMAIN.md's demand is 1.75 orders a day per
/// household on average. Households are drawn at random, so at 10 times some would pass the
/// fleet file's 10 orders per household and shift, and the day would be refused.
pub(crate) const MAX_DEMAND_SCALE: f64 = 5.0;

/// What a simulation or a placement runs on.
pub(crate) struct Inputs {
    pub area: lastmetre::Area,
    pub fleet: lastmetre::Fleet,
    pub demand: Vec<lastmetre::Order>,
    /// Days to play: as asked, or every day the orders stream spans.
    pub days: u32,
}

/// Loads the area, the fleet and the demand (a stream, or generated), printing every problem;
/// `Err` is the exit status for bad input.
pub(crate) fn inputs(
    area: &Path,
    fleet: Option<&Path>,
    stream: Option<&Path>,
    days: u32,
    seed: u64,
    demand_scale: f64,
) -> Result<Inputs, ExitCode> {
    if !(demand_scale.is_finite() && demand_scale > 0.0 && demand_scale <= MAX_DEMAND_SCALE) {
        eprintln!("error: --demand-scale {demand_scale} must be above 0 and at most {MAX_DEMAND_SCALE}");
        return Err(ExitCode::from(BAD_INPUT));
    }
    let built = match lastmetre::load_area(area, &AreaParams::default()) {
        Ok(b) => b,
        Err(LoadError::Invalid(mut problems)) => {
            print_problems(&mut problems);
            eprintln!("the area has errors: nothing was done");
            return Err(ExitCode::from(BAD_INPUT));
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Err(ExitCode::from(BAD_INPUT));
        }
    };
    let fleet = fleet.map(lastmetre::read_fleet).transpose().map_err(input_error)?.unwrap_or_default();
    let demand = match stream {
        Some(path) => lastmetre::read_orders_in(path, &built.area).map_err(input_error)?,
        None => lastmetre::sim::generated_demand_scaled(&built.area, &fleet.demand, days, seed, demand_scale),
    };
    let last = demand.iter().map(|o| o.placed_at.get()).fold(0.0, f64::max);
    let days = days.max((last / lastmetre::sim::DAY_S).floor() as u32 + 1);
    Ok(Inputs { area: built.area, fleet, demand, days })
}

pub fn simulate(r: &Request) -> Result<ExitCode> {
    let Inputs { area, fleet, demand, days } =
        match inputs(r.area, r.fleet, r.orders_stream, r.days, r.seed, r.demand_scale) {
            Ok(i) => i,
            Err(code) => return Ok(code),
        };
    let options = Options {
        days,
        seed: r.seed,
        settings: Settings {
            iterations: r.iterations,
            seed: r.seed,
            threads: r.threads,
            policy: r.policy,
            ..Settings::default()
        },
        disturbances: if r.calm { Disturbances::none() } else { Disturbances::default() },
        reserve_porters: r.reserve_porters,
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} cycle {pos}/{len} [{bar:30}] {elapsed_precise}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let outcome = lastmetre::sim::simulate(area, fleet, &demand, &options, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let sim = match outcome {
        Ok(sim) => sim,
        Err(lastmetre::sim::SimError::Dispatch(DispatchError::Problems(mut problems))) => {
            print_problems(&mut problems);
            eprintln!("the demand does not fit the area or the fleet: nothing was simulated");
            return Ok(ExitCode::from(BAD_INPUT));
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    std::fs::create_dir_all(r.out).with_context(|| format!("cannot create {}", r.out.display()))?;
    write_csv(&r.out.join("cycles.csv"), &sim.cycles)?;
    write_csv(&r.out.join("welfare.csv"), &sim.welfare)?;
    let summary = serde_json::json!({
        "area": r.area.display().to_string(),
        "policy": r.policy.name(),
        "seed": r.seed,
        // What the day was played on: an orders stream, or demand generated at this scale.
        "orders_stream": r.orders_stream.map(|p| p.display().to_string()),
        "demand_scale": if r.orders_stream.is_some() { None } else { Some(r.demand_scale) },
        "days": sim.days,
        "welfare": sim.welfare,
        "violations": sim.violations,
    });
    let json = serde_json::to_vec_pretty(&summary)?;
    std::fs::write(r.out.join("summary.json"), json).context("cannot write summary.json")?;
    chart(&r.out.join("chart.svg"), &sim.cycles).map_err(|e| anyhow::anyhow!("cannot draw the chart: {e}"))?;
    print_summary(&sim, seconds);
    println!("wrote cycles.csv, welfare.csv, summary.json and chart.svg to {}", r.out.display());
    if !sim.violations.is_empty() {
        for v in &sim.violations {
            eprintln!("violation {v}");
        }
        eprintln!(
            "the independent checker rejected {} plan figure(s); this is a bug in lastmetre",
            sim.violations.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn input_error(e: Error) -> ExitCode {
    match e {
        Error::Orders(mut problems) | Error::Fleet(mut problems) => print_problems(&mut problems),
        other => eprintln!("error: {other}"),
    }
    ExitCode::from(BAD_INPUT)
}

fn write_csv<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    let mut w = csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    for row in rows {
        w.serialize(row)?;
    }
    w.flush()?;
    Ok(())
}

fn print_summary(sim: &Simulation, seconds: f64) {
    for d in &sim.days {
        println!(
            "day {}: {} orders, {} delivered, {} still open at the end",
            d.day, d.orders, d.delivered, d.backlog_at_end
        );
        println!(
            "  medicine: {} orders, {} delivered in the cycle they arrived ({} first attempted in it; {} door(s) not answered in all)",
            d.medicine, d.medicine_in_cycle, d.medicine_attempted_in_cycle, d.failed_deliveries
        );
        println!(
            "  within two cycles: {} of {} ({:.1} %)",
            d.within_two_cycles,
            d.orders,
            100.0 * d.within_two_cycles_share
        );
        println!(
            "  {} tricycle trips, {} outings, {} stair climbs, {:.0} kJ porter energy",
            d.tricycle_trips, d.porter_outings, d.stair_climbs, d.porter_energy_kj
        );
        println!(
            "  fewest climbs possible: {} if orders may wait one cycle, {} if none waits (arrivals known, every door answered)",
            d.climb_floor, d.climb_floor_without_holding
        );
        println!(
            "  most tired porter {:.0} kJ, most climbed {:.0} m; spread among full-day porters {:.1} %; {} over the shift limits",
            d.max_porter_energy_kj,
            d.max_porter_vertical_m,
            100.0 * d.energy_spread,
            d.porters_over_limit
        );
        if let Some(first) = &d.first_warning {
            println!(
                "  promises at risk or a rush foreseen in {} plan(s), the first at {first}; the most porters asked for: {}",
                d.warned_cycles, d.most_porters_called
            );
        }
        if d.reserve_porters_called > 0 {
            println!("  reserve porters called: {}", d.reserve_porters_called);
        }
        let flagged: Vec<&Welfare> = sim.welfare.iter().filter(|w| w.day == d.day && w.over_limit).collect();
        for w in flagged {
            println!("  porter {} is over the shift limits: {:.0} kJ, {:.0} m", w.porter, w.energy_kj, w.vertical_m);
        }
    }
    println!("simulated in {seconds:.1} s");
}

/// Backlog, tricycle trips, stair climbs and the most tired porter's kJ, per cycle.
fn chart(path: &Path, rows: &[CycleRow]) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (1000, 900)).into_drawing_area();
    root.fill(&WHITE)?;
    let panels = root.split_evenly((4, 1));
    let x = 0..rows.len().max(1);
    type Series = (&'static str, fn(&CycleRow) -> f64, RGBColor);
    let series: [Series; 4] = [
        ("backlog (orders)", |r| r.backlog as f64, RGBColor(31, 119, 180)),
        ("tricycle trips", |r| r.tricycle_trips as f64, RGBColor(255, 127, 14)),
        ("stair climbs", |r| r.stair_climbs as f64, RGBColor(44, 160, 44)),
        ("most tired porter, kJ so far today", |r| r.max_porter_kj, RGBColor(214, 39, 40)),
    ];
    for (panel, (name, value, colour)) in panels.iter().zip(series) {
        let top = rows.iter().map(&value).fold(1.0, f64::max) * 1.1;
        let mut chart = ChartBuilder::on(panel)
            .caption(name, ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(60)
            .build_cartesian_2d(x.clone(), 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("cycle")
            .x_label_formatter(&|i| rows.get(*i).map_or(String::new(), |r| format!("d{} {}", r.day, r.start)))
            .draw()?;
        chart.draw_series(LineSeries::new(rows.iter().enumerate().map(|(i, r)| (i, value(r))), &colour))?;
    }
    root.present()?;
    Ok(())
}
