//! `lastmetre place`: where the transfer stations should be, with the routing in the loop.

use crate::BAD_INPUT;
use crate::simulate::{Inputs, inputs};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use lastmetre::dispatch::Settings;
use lastmetre::model::StationSetting;
use lastmetre::place::area::{Constraints, model};
use lastmetre::place::{Method, Options, Progress, place_with};
use lastmetre::sim::{DaySummary, Disturbances, ServiceLevels, Targets};
use plotters::prelude::*;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

pub struct Request<'a> {
    pub area: &'a Path,
    pub orders_stream: Option<&'a Path>,
    pub days: u32,
    pub seed: u64,
    pub demand_scale: f64,
    pub stations: &'a str,
    pub open: Vec<String>,
    pub closed: Vec<String>,
    pub max_walk: Option<f64>,
    pub fleet: Option<&'a Path>,
    pub iterations: u64,
    /// The whole command's time, seconds: sizing, solves and simulated days.
    pub seconds: f64,
    pub out: &'a Path,
}

/// Households one porter of the default fleet serves: the founding case's 713 households
/// over 8 porters (DOMAIN.md). Beyond it, without a fleet file, the fleet is sized.
const HOUSEHOLDS_PER_DEFAULT_PORTER: f64 = 713.0 / 8.0;
/// The least a solve is given, seconds, however short the budget.
const LEAST_SOLVE_S: f64 = 1.0;

/// A placement to judge.
struct Candidate {
    name: String,
    open: Vec<usize>,
    objective: f64,
    bound: f64,
    optimal: bool,
    method: &'static str,
    solve_s: f64,
}

/// One row of the comparison.
#[derive(serde::Serialize)]
struct Row {
    placement: String,
    k: usize,
    sites: String,
    method: &'static str,
    objective_kj_per_day: f64,
    bound: f64,
    gap_pct: f64,
    optimal: bool,
    solve_s: f64,
    tricycle_trips: usize,
    stair_climbs: usize,
    porter_energy_kj: f64,
    porter_walk_km: f64,
    max_porter_energy_kj: f64,
    /// On the worst day, as the next two.
    within_two_cycles_pct: f64,
    /// Medicine taken to its door in its cycle (a closed door counts as taken).
    medicine_in_cycle_pct: f64,
    porters_over_limit: usize,
    /// The promises as `size` judges them: on the worst day 99 % delivered and 99 % within
    /// two cycles, all medicine taken to its door in its cycle, no porter over a limit.
    promises_kept: bool,
    delivered: usize,
    orders: usize,
}

/// The station counts to place: `8`, `4..12`, or `20..40/5` (every fifth).
fn counts(text: &str) -> Option<Vec<usize>> {
    let (span, step) = match text.split_once('/') {
        Some((span, step)) => (span, step.trim().parse().ok().filter(|s: &usize| *s >= 1)?),
        None => (text, 1),
    };
    let (a, b) = match span.split_once("..") {
        Some((a, b)) => (a.trim().parse().ok()?, b.trim().trim_start_matches('=').parse().ok()?),
        None => {
            let k = span.trim().parse().ok()?;
            (k, k)
        }
    };
    (a >= 1 && a <= b).then(|| (a..=b).step_by(step).collect())
}

pub fn run(r: &Request) -> Result<ExitCode> {
    let started = Instant::now();
    let Some(ks) = counts(r.stations) else {
        eprintln!("error: --stations {} is not a count or a range such as 4..12 or 20..40/5", r.stations);
        return Ok(ExitCode::from(BAD_INPUT));
    };
    if !(r.seconds.is_finite() && r.seconds > 0.0) {
        eprintln!("error: --seconds {} must be a positive number of seconds", r.seconds);
        return Ok(ExitCode::from(BAD_INPUT));
    }
    let Inputs { area, fleet, demand, days } =
        match inputs(r.area, r.fleet, r.orders_stream, r.days, r.seed, r.demand_scale) {
            Ok(i) => i,
            Err(code) => return Ok(code),
        };
    let matrices = area.matrices();
    let constraints = Constraints { open: r.open.clone(), closed: r.closed.clone(), max_walk_m: r.max_walk };
    let m = match model(&area, &matrices, &demand, &fleet, &constraints) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    for note in &m.notes {
        eprintln!("note: {note}");
    }
    std::fs::create_dir_all(r.out).with_context(|| format!("cannot create {}", r.out.display()))?;
    let fleet = fitted_fleet(r, &area, fleet, &demand, days)?;
    let bar = ProgressBar::new(2 * ks.len() as u64 + 1);
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed})").expect("template"));
    // The current stations first: their simulated day tells how long the others will take.
    let current: Vec<usize> = match &fleet.stations {
        Some(list) => list.iter().filter_map(|s| area.sites.iter().position(|x| x.id == s.id)).collect(),
        None => area.open_sites().collect(),
    };
    // Priced as the placements are, within the stations' storage when it can be.
    let current_cost = match m.problem.evaluate_within_capacities(&current) {
        Some((cost, _)) => cost,
        None => {
            eprintln!(
                "note: the current stations' storage cannot hold their stairwells' demand of the busiest cycle: their kJ/day is priced without storage"
            );
            m.problem.evaluate(&current).0
        }
    };
    let current = Candidate {
        name: "current".into(),
        open: current,
        objective: current_cost,
        bound: f64::NAN,
        optimal: false,
        method: "current",
        solve_s: 0.0,
    };
    let judge = |c: &Candidate, bar: &ProgressBar| -> Result<Option<Row>, ExitCode> {
        bar.set_message(format!("simulating {}", c.name));
        let row = simulate_placement(r, &area, &fleet, &demand, days, c, bar);
        bar.inc(1);
        row
    };
    let simulated = Instant::now();
    let current_row = match judge(&current, &bar) {
        Ok(row) => row,
        Err(code) => return Ok(code),
    };
    let per_day = simulated.elapsed().as_secs_f64();
    // What is left after the simulated days still to come goes to the solves, evenly.
    let left = r.seconds - started.elapsed().as_secs_f64() - 1.1 * per_day * ks.len() as f64;
    let per_solve = (left / ks.len() as f64).max(LEAST_SOLVE_S);
    if left / (ks.len() as f64) < LEAST_SOLVE_S {
        bar.suspend(|| {
            eprintln!(
                "warning: --seconds {:.0} is short for {} placement(s) and their simulated days (one day takes {per_day:.1} s here): each placement gets {LEAST_SOLVE_S:.0} s, and the command will take longer",
                r.seconds,
                ks.len()
            )
        });
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    for &k in &ks {
        bar.set_message(format!("placing {k} stations"));
        let t = Instant::now();
        let options = Options { seed: r.seed, seconds: Some(per_solve), ..Options::default() };
        let mut shown = |p: Progress| {
            let bound = if p.bound.is_finite() { format!("{:.0}", p.bound) } else { "-".into() };
            bar.set_message(format!("placing {k} stations: best {:.0} kJ/day, bound {bound}", p.incumbent));
        };
        match place_with(&m.problem, k, &options, &mut shown) {
            Ok(p) if !m.problem.feasible(&p.open, &p.assign, k) => {
                eprintln!(
                    "k = {k}: the placement breaks the model's own rules (a site over its storage?); this is a bug in lastmetre"
                );
                return Ok(ExitCode::FAILURE);
            }
            Ok(p) => candidates.push(Candidate {
                name: format!("k={k}"),
                method: match p.method {
                    Method::Milp => "MILP",
                    Method::Heuristic => "heuristic",
                },
                open: p.open,
                objective: p.objective,
                bound: p.bound,
                optimal: p.optimal,
                solve_s: t.elapsed().as_secs_f64(),
            }),
            Err(e) => bar.suspend(|| eprintln!("k = {k}: infeasible: {e}")),
        }
        bar.inc(1);
    }
    // Judge every placement by a simulated day (or days) of the same demand.
    let mut rows = Vec::new();
    for c in &candidates {
        match judge(c, &bar) {
            Ok(row) => rows.extend(row),
            Err(code) => return Ok(code),
        }
    }
    rows.extend(current_row);
    candidates.push(current);
    bar.finish_and_clear();
    let mut w = csv::Writer::from_path(r.out.join("comparison.csv"))?;
    for row in &rows {
        w.serialize(row)?;
    }
    w.flush()?;
    let table = markdown(&rows) + &promises_note(&rows, &fleet);
    std::fs::write(r.out.join("comparison.md"), &table)?;
    print!("{table}");
    std::fs::write(r.out.join("placements.geojson"), geojson(&area, &candidates).to_string())?;
    chart(&r.out.join("chart.svg"), &rows).map_err(|e| anyhow::anyhow!("cannot draw the chart: {e}"))?;
    println!(
        "{} placement(s) solved and simulated in {:.1} s ({:.0} s given; {per_solve:.1} s per solve); wrote comparison.csv, comparison.md, placements.geojson and chart.svg to {}",
        rows.len(),
        started.elapsed().as_secs_f64(),
        r.seconds,
        r.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The fleet the placements are judged with: the fleet file's; else the default fleet while
/// it is large enough for the area (by the founding case's households per porter); else one
/// sized for the area by `size`'s search (at least the founding staffing per household when
/// no fleet keeps the promises), written to `fleet.json` in the outputs.
fn fitted_fleet(
    r: &Request,
    area: &lastmetre::Area,
    fleet: lastmetre::Fleet,
    demand: &[lastmetre::Order],
    days: u32,
) -> Result<lastmetre::Fleet> {
    let fits = area.households.len() as f64 <= HOUSEHOLDS_PER_DEFAULT_PORTER * fleet.porters.count as f64;
    if r.fleet.is_some() || fits {
        return Ok(fleet);
    }
    eprintln!(
        "note: the default fleet ({} porters, {} tricycles) is for about {:.0} households, and the area has {}: sizing a fleet for it first (give one with --fleet to skip this)",
        fleet.porters.count,
        fleet.tricycles.count,
        HOUSEHOLDS_PER_DEFAULT_PORTER * fleet.porters.count as f64,
        area.households.len()
    );
    let options = lastmetre::sim::Options {
        days,
        seed: r.seed,
        settings: Settings { iterations: crate::size::ITERATIONS, seed: r.seed, ..Settings::default() },
        disturbances: Disturbances::default(),
        reserve_porters: 0,
    };
    let sizing = lastmetre::sim::size(
        area,
        &fleet,
        demand,
        &options,
        &Targets::default(),
        crate::size::MAX_PORTERS,
        &mut |_| {},
    )?;
    let mut fitted = sizing.fleet;
    if !sizing.timely {
        // No fleet tried keeps the timeliness promises, and the smallest within the shift
        // limits is then smaller than need be: judge with at least the founding case's
        // staffing per household.
        let households = area.households.len() as f64;
        let porters = (households / HOUSEHOLDS_PER_DEFAULT_PORTER).ceil() as usize;
        let tricycles = (households * fleet.tricycles.count as f64
            / (HOUSEHOLDS_PER_DEFAULT_PORTER * fleet.porters.count as f64))
            .ceil() as usize;
        fitted.porters.count = fitted.porters.count.max(porters);
        fitted.tricycles.count = fitted.tricycles.count.max(tricycles);
    }
    let path = r.out.join("fleet.json");
    std::fs::write(&path, serde_json::to_string_pretty(&fitted)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "note: {} porters and {} tricycles, written to {}{}",
        fitted.porters.count,
        fitted.tricycles.count,
        path.display(),
        if sizing.timely {
            ""
        } else {
            "; no fleet tried keeps the timeliness promises, so the fleet has at least the founding case's staffing per household (see the table)"
        }
    );
    Ok(fitted)
}

/// One placement's simulated day (or days), checked; `Err` with the exit code when the
/// checker rejects a plan.
fn simulate_placement(
    r: &Request,
    area: &lastmetre::Area,
    fleet: &lastmetre::Fleet,
    demand: &[lastmetre::Order],
    days: u32,
    c: &Candidate,
    bar: &ProgressBar,
) -> Result<Option<Row>, ExitCode> {
    let mut f = fleet.clone();
    f.stations = Some(
        c.open
            .iter()
            .map(|s| {
                let id = area.sites[*s].id.clone();
                // The fleet file's storage when it lists the station, else the area's.
                let listed = fleet.stations.iter().flatten().find(|x| x.id == id).map(|x| x.storage_kg);
                StationSetting { storage_kg: listed.unwrap_or(area.sites[*s].capacity), id }
            })
            .collect(),
    );
    let options = lastmetre::sim::Options {
        days,
        seed: r.seed,
        settings: Settings { iterations: r.iterations, seed: r.seed, ..Settings::default() },
        disturbances: Disturbances::default(),
        reserve_porters: 0,
    };
    let sim = match lastmetre::sim::simulate(area.clone(), f, demand, &options, &mut |_, _| {}) {
        Ok(sim) => sim,
        Err(e) => {
            bar.suspend(|| eprintln!("{}: cannot simulate: {e}", c.name));
            return Ok(None);
        }
    };
    if !sim.violations.is_empty() {
        bar.suspend(|| sim.violations.iter().for_each(|v| eprintln!("violation {v}")));
        eprintln!("the independent checker rejected a plan; this is a bug in lastmetre");
        return Err(ExitCode::FAILURE);
    }
    let total = |f: fn(&DaySummary) -> f64| sim.days.iter().map(f).sum::<f64>();
    let count = |f: fn(&DaySummary) -> usize| sim.days.iter().map(f).sum::<usize>();
    // The promises as `size` judges them: the worst day, medicine taken to its door.
    let levels = ServiceLevels::of(&sim);
    Ok(Some(Row {
        placement: c.name.clone(),
        k: c.open.len(),
        sites: c.open.iter().map(|s| area.sites[*s].id.as_str()).collect::<Vec<_>>().join(" "),
        method: c.method,
        objective_kj_per_day: round(c.objective),
        bound: round(c.bound),
        gap_pct: if c.bound.is_finite() && c.objective > 0.0 {
            round(1000.0 * (c.objective - c.bound).max(0.0) / c.objective) / 10.0
        } else {
            f64::NAN
        },
        optimal: c.optimal,
        solve_s: round(c.solve_s * 100.0) / 100.0,
        tricycle_trips: count(|d| d.tricycle_trips),
        stair_climbs: count(|d| d.stair_climbs),
        porter_energy_kj: round(total(|d| d.porter_energy_kj)),
        porter_walk_km: round(total(|d| d.porter_walk_km) * 10.0) / 10.0,
        max_porter_energy_kj: round(sim.days.iter().map(|d| d.max_porter_energy_kj).fold(0.0, f64::max)),
        within_two_cycles_pct: round(1000.0 * levels.within_two_cycles) / 10.0,
        medicine_in_cycle_pct: round(1000.0 * levels.medicine_in_cycle) / 10.0,
        porters_over_limit: levels.porters_over_limit,
        promises_kept: levels.kept(&Targets::default()),
        delivered: count(|d| d.delivered),
        orders: count(|d| d.orders),
    }))
}

/// Below the table: whether the comparison compares anything.
fn promises_note(rows: &[Row], fleet: &lastmetre::Fleet) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let kept = rows.iter().filter(|r| r.promises_kept).count();
    let fleet_text = format!("{} porters and {} tricycles", fleet.porters.count, fleet.tricycles.count);
    if kept == rows.len() {
        format!(
            "\nEvery placement keeps the service promises with {fleet_text} (on the worst day: 99 % delivered and within 2 cycles, medicine in its cycle, no porter over a limit).\n"
        )
    } else if kept == 0 {
        format!(
            "\n**No placement keeps the service promises with {fleet_text}** (on the worst day: 99 % delivered and within 2 cycles, medicine in its cycle, no porter over a limit): the simulated figures compare plans that all fail. Judge by the model's kJ/day, or give a larger fleet with --fleet (`lastmetre size` sizes one).\n"
        )
    } else {
        format!(
            "\n{kept} of {} placements keep the service promises with {fleet_text} (on the worst day: 99 % delivered and within 2 cycles, medicine in its cycle, no porter over a limit); the others (promises kept: no) fail them.\n",
            rows.len()
        )
    }
}

fn round(x: f64) -> f64 {
    if x.is_finite() { x.round() } else { x }
}

fn markdown(rows: &[Row]) -> String {
    let mut s = String::from(
        "| placement | k | method | model kJ/day | bound | gap % | solve s | trips | stair climbs | porter kJ | walk km | max porter kJ | within 2 cycles | medicine in cycle | promises kept | sites |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let bound = if r.bound.is_finite() { format!("{:.0}", r.bound) } else { "-".into() };
        let gap = if r.optimal {
            "0 (optimal)".to_owned()
        } else if r.gap_pct.is_finite() {
            format!("{:.1}", r.gap_pct)
        } else {
            "-".into()
        };
        s += &format!(
            "| {} | {} | {} | {:.0} | {} | {} | {:.2} | {} | {} | {:.0} | {:.1} | {:.0} | {:.1} % | {:.0} % | {} | {} |\n",
            r.placement,
            r.k,
            r.method,
            r.objective_kj_per_day,
            bound,
            gap,
            r.solve_s,
            r.tricycle_trips,
            r.stair_climbs,
            r.porter_energy_kj,
            r.porter_walk_km,
            r.max_porter_energy_kj,
            r.within_two_cycles_pct,
            r.medicine_in_cycle_pct,
            if r.promises_kept { "yes" } else { "no" },
            r.sites
        );
    }
    s
}

/// One point per chosen site and placement, in the area's coordinates.
fn geojson(area: &lastmetre::Area, candidates: &[Candidate]) -> serde_json::Value {
    let frame = &area.frame;
    let features: Vec<serde_json::Value> = candidates
        .iter()
        .flat_map(|c| {
            let (name, k) = (&c.name, c.open.len());
            c.open.iter().map(move |s| {
                let site = &area.sites[*s];
                let at = frame.to_lon_lat(area.graph[site.node].at);
                serde_json::json!({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [at.lon, at.lat]},
                    "properties": {"placement": name, "k": k, "site": site.id, "name": site.name},
                })
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// k against stair climbs, porter kJ, tricycle trips, walking km and the most tired porter.
fn chart(path: &Path, rows: &[Row]) -> Result<(), Box<dyn std::error::Error>> {
    let rows: Vec<&Row> = rows.iter().filter(|r| r.placement != "current").collect();
    let root = SVGBackend::new(path, (900, 1100)).into_drawing_area();
    root.fill(&WHITE)?;
    let panels = root.split_evenly((5, 1));
    type Series = (&'static str, fn(&Row) -> f64, RGBColor);
    let series: [Series; 5] = [
        ("stair climbs", |r| r.stair_climbs as f64, RGBColor(44, 160, 44)),
        ("porter energy, kJ", |r| r.porter_energy_kj, RGBColor(214, 39, 40)),
        ("tricycle trips", |r| r.tricycle_trips as f64, RGBColor(255, 127, 14)),
        ("porter walking, km", |r| r.porter_walk_km, RGBColor(31, 119, 180)),
        ("most tired porter, kJ", |r| r.max_porter_energy_kj, RGBColor(148, 103, 189)),
    ];
    let ks = rows.iter().map(|r| r.k).min().unwrap_or(1)..rows.iter().map(|r| r.k).max().unwrap_or(1) + 1;
    for (panel, (name, value, colour)) in panels.iter().zip(series) {
        let top = rows.iter().map(|r| value(r)).fold(1.0, f64::max) * 1.1;
        let mut chart = ChartBuilder::on(panel)
            .caption(name, ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(60)
            .build_cartesian_2d(ks.clone(), 0.0..top)?;
        chart.configure_mesh().x_desc("stations (k)").draw()?;
        chart.draw_series(LineSeries::new(rows.iter().map(|r| (r.k, value(r))), &colour))?;
        chart.draw_series(rows.iter().map(|r| Circle::new((r.k, value(r)), 3, colour.filled())))?;
    }
    root.present()?;
    Ok(())
}
