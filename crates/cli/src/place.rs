//! `lastmetre place`: where the transfer stations should be, with the routing in the loop.

use crate::BAD_INPUT;
use crate::simulate::{Inputs, inputs};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use lastmetre::dispatch::Settings;
use lastmetre::model::StationSetting;
use lastmetre::place::area::{Constraints, model};
use lastmetre::place::{Options, place};
use lastmetre::sim::{DaySummary, Disturbances};
use plotters::prelude::*;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

pub struct Request<'a> {
    pub area: &'a Path,
    pub orders_stream: Option<&'a Path>,
    pub days: u32,
    pub seed: u64,
    pub stations: &'a str,
    pub open: Vec<String>,
    pub closed: Vec<String>,
    pub max_walk: Option<f64>,
    pub fleet: Option<&'a Path>,
    pub iterations: u64,
    pub out: &'a Path,
}

/// A placement to judge.
struct Candidate {
    name: String,
    open: Vec<usize>,
    objective: f64,
    bound: f64,
    optimal: bool,
    solve_s: f64,
}

/// One row of the comparison.
#[derive(serde::Serialize)]
struct Row {
    placement: String,
    k: usize,
    sites: String,
    objective_kj_per_day: f64,
    bound: f64,
    optimal: bool,
    solve_s: f64,
    tricycle_trips: usize,
    stair_climbs: usize,
    porter_energy_kj: f64,
    porter_walk_km: f64,
    max_porter_energy_kj: f64,
    within_two_cycles_pct: f64,
    delivered: usize,
    orders: usize,
}

fn range(text: &str) -> Option<(usize, usize)> {
    match text.split_once("..") {
        Some((a, b)) => {
            let (a, b) = (a.trim().parse().ok()?, b.trim().trim_start_matches('=').parse().ok()?);
            (a >= 1 && a <= b).then_some((a, b))
        }
        None => text.trim().parse().ok().filter(|k| *k >= 1).map(|k| (k, k)),
    }
}

pub fn run(r: &Request) -> Result<ExitCode> {
    let Some((from, to)) = range(r.stations) else {
        eprintln!("error: --stations {} is not a count or a range such as 4..12", r.stations);
        return Ok(ExitCode::from(BAD_INPUT));
    };
    let Inputs { area, fleet, demand, days } = match inputs(r.area, r.fleet, r.orders_stream, r.days, r.seed) {
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
    let started = Instant::now();
    let bar = ProgressBar::new((to - from + 2) as u64);
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed})").expect("template"));
    let mut candidates: Vec<Candidate> = Vec::new();
    for k in from..=to {
        bar.set_message(format!("placing {k} stations"));
        let t = Instant::now();
        match place(&m.problem, k, &Options { seed: r.seed, ..Options::default() }) {
            Ok(p) => candidates.push(Candidate {
                name: format!("k={k}"),
                open: p.open,
                objective: p.objective,
                bound: p.bound,
                optimal: p.optimal,
                solve_s: t.elapsed().as_secs_f64(),
            }),
            Err(e) => bar.suspend(|| eprintln!("k = {k}: infeasible: {e}")),
        }
    }
    let current: Vec<usize> = match &fleet.stations {
        Some(list) => list.iter().filter_map(|s| area.sites.iter().position(|x| x.id == s.id)).collect(),
        None => area.open_sites().collect(),
    };
    let (current_cost, _) = m.problem.evaluate(&current);
    candidates.push(Candidate {
        name: "current".into(),
        open: current,
        objective: current_cost,
        bound: f64::NAN,
        optimal: false,
        solve_s: 0.0,
    });
    // Judge every placement by a simulated day (or days) of the same demand.
    let mut rows = Vec::new();
    for Candidate { name, open, objective, bound, optimal, solve_s } in &candidates {
        let k = &open.len();
        bar.set_message(format!("simulating {name}"));
        let mut f = fleet.clone();
        f.stations = Some(
            open.iter()
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
        };
        let sim = match lastmetre::sim::simulate(area.clone(), f, &demand, &options, &mut |_, _| {}) {
            Ok(sim) => sim,
            Err(e) => {
                bar.suspend(|| eprintln!("{name}: cannot simulate: {e}"));
                continue;
            }
        };
        if !sim.violations.is_empty() {
            bar.suspend(|| sim.violations.iter().for_each(|v| eprintln!("violation {v}")));
            eprintln!("the independent checker rejected a plan; this is a bug in lastmetre");
            return Ok(ExitCode::FAILURE);
        }
        let total = |f: fn(&DaySummary) -> f64| sim.days.iter().map(f).sum::<f64>();
        let orders = sim.days.iter().map(|d| d.orders).sum::<usize>();
        let two = sim.days.iter().map(|d| d.within_two_cycles).sum::<usize>();
        rows.push(Row {
            placement: name.clone(),
            k: *k,
            sites: open.iter().map(|s| area.sites[*s].id.as_str()).collect::<Vec<_>>().join(" "),
            objective_kj_per_day: round(*objective),
            bound: round(*bound),
            optimal: *optimal,
            solve_s: round(*solve_s * 100.0) / 100.0,
            tricycle_trips: sim.days.iter().map(|d| d.tricycle_trips).sum(),
            stair_climbs: sim.days.iter().map(|d| d.stair_climbs).sum(),
            porter_energy_kj: round(total(|d| d.porter_energy_kj)),
            porter_walk_km: round(total(|d| d.porter_walk_km) * 10.0) / 10.0,
            max_porter_energy_kj: round(sim.days.iter().map(|d| d.max_porter_energy_kj).fold(0.0, f64::max)),
            within_two_cycles_pct: round(1000.0 * two as f64 / orders.max(1) as f64) / 10.0,
            delivered: sim.days.iter().map(|d| d.delivered).sum(),
            orders,
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    std::fs::create_dir_all(r.out).with_context(|| format!("cannot create {}", r.out.display()))?;
    let mut w = csv::Writer::from_path(r.out.join("comparison.csv"))?;
    for row in &rows {
        w.serialize(row)?;
    }
    w.flush()?;
    let table = markdown(&rows);
    std::fs::write(r.out.join("comparison.md"), &table)?;
    print!("{table}");
    std::fs::write(r.out.join("placements.geojson"), geojson(&area, &candidates).to_string())?;
    chart(&r.out.join("chart.svg"), &rows).map_err(|e| anyhow::anyhow!("cannot draw the chart: {e}"))?;
    println!(
        "{} placement(s) solved and simulated in {:.1} s; wrote comparison.csv, comparison.md, placements.geojson and chart.svg to {}",
        rows.len(),
        started.elapsed().as_secs_f64(),
        r.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn round(x: f64) -> f64 {
    if x.is_finite() { x.round() } else { x }
}

fn markdown(rows: &[Row]) -> String {
    let mut s = String::from(
        "| placement | k | model kJ/day | bound | optimal | solve s | trips | stair climbs | porter kJ | walk km | max porter kJ | within 2 cycles | sites |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let bound = if r.bound.is_finite() { format!("{:.0}", r.bound) } else { "-".into() };
        s += &format!(
            "| {} | {} | {:.0} | {} | {} | {:.2} | {} | {} | {:.0} | {:.1} | {:.0} | {:.1} % | {} |\n",
            r.placement,
            r.k,
            r.objective_kj_per_day,
            bound,
            if r.optimal { "yes" } else { "no" },
            r.solve_s,
            r.tricycle_trips,
            r.stair_climbs,
            r.porter_energy_kj,
            r.porter_walk_km,
            r.max_porter_energy_kj,
            r.within_two_cycles_pct,
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
