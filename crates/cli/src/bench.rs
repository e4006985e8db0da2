//! `lastmetre bench`: solution quality on published instances against best-known values.

use crate::BAD_INPUT;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use lastmetre::formats::{read_cvrp, write_cvrp_solution};
use lastmetre::solver::{Budget, solve};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

pub struct Options<'a> {
    pub dir: &'a Path,
    pub only: Option<&'a str>,
    pub bks: Option<&'a Path>,
    pub seconds: f64,
    pub threads: usize,
    pub seed: u64,
    pub csv: Option<&'a Path>,
    pub solutions: Option<&'a Path>,
}

/// `.vrp` files in `dir` and one level down, by name.
fn instances(dir: &Path, only: Option<&str>) -> Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_owned()];
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            folders.push(path);
        }
    }
    for folder in folders {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "vrp") {
                let name = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
                if only.is_none_or(|p| name.starts_with(p)) {
                    found.push((name, path));
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `instance,bks,…` rows with a value.
fn best_known(path: &Path) -> Result<BTreeMap<String, f64>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = BTreeMap::new();
    for row in reader.records() {
        let row = row.with_context(|| format!("bad row in {}", path.display()))?;
        if let (Some(name), Some(Ok(bks))) = (row.get(0), row.get(1).map(|v| v.trim().parse::<f64>())) {
            out.insert(name.to_owned(), bks);
        }
    }
    Ok(out)
}

pub fn cvrp(o: &Options) -> Result<ExitCode> {
    if o.seconds.is_nan() || o.seconds <= 0.0 {
        eprintln!("error: --seconds must be above zero");
        return Ok(ExitCode::from(BAD_INPUT));
    }
    let list = instances(o.dir, o.only)?;
    if list.is_empty() {
        eprintln!("error: no .vrp instances in {}", o.dir.display());
        return Ok(ExitCode::from(BAD_INPUT));
    }
    let bks_path = o.bks.map(Path::to_owned).unwrap_or_else(|| o.dir.join("bks.csv"));
    let bks = if bks_path.exists() { best_known(&bks_path)? } else { BTreeMap::new() };
    if let Some(dir) = o.solutions {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let bar = ProgressBar::new(list.len() as u64);
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed})").expect("template"));
    let mut rows = Vec::new();
    let mut all_feasible = true;
    println!("{:<24} {:>10} {:>10} {:>8} {:>8} {:>9}", "instance", "cost", "bks", "gap %", "seconds", "feasible");
    for (name, path) in &list {
        bar.set_message(name.clone());
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let instance = match read_cvrp(name, &text) {
            Ok(i) => i,
            Err(e) => {
                bar.suspend(|| eprintln!("error: {}: {e}", path.display()));
                return Ok(ExitCode::from(BAD_INPUT));
            }
        };
        let started = Instant::now();
        let seconds = o.seconds;
        let elapsed = move || started.elapsed().as_secs_f64() / seconds;
        let plan = solve(&instance, &Budget { iterations: u64::MAX, elapsed: &elapsed }, o.seed, o.threads);
        let took = started.elapsed().as_secs_f64();
        let report = lastmetre::check::check(&instance, &plan);
        let feasible = report.is_ok() && plan.unassigned.is_empty();
        all_feasible &= feasible;
        let cost = (plan.metrics.porter_walk_km * 1000.0).round();
        let best = bks.get(name).copied();
        let gap = best.map(|b| (cost - b) / b * 100.0);
        if let Some(dir) = o.solutions {
            let sol = dir.join(format!("{name}.sol"));
            std::fs::write(&sol, write_cvrp_solution(&instance, &plan))
                .with_context(|| format!("cannot write {}", sol.display()))?;
        }
        let show = |v: Option<f64>, d: usize| v.map_or("-".to_owned(), |v| format!("{v:.d$}"));
        bar.suspend(|| {
            println!(
                "{name:<24} {cost:>10.0} {:>10} {:>8} {took:>8.1} {:>9}",
                show(best, 0),
                show(gap, 2),
                if feasible { "yes" } else { "NO" }
            );
            for v in &report.violations {
                eprintln!("  violation {v}");
            }
        });
        rows.push((name.clone(), cost, best, gap, took, feasible));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let gaps: Vec<f64> = rows.iter().filter_map(|r| r.3).collect();
    if !gaps.is_empty() {
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let max = gaps.iter().copied().fold(f64::MIN, f64::max);
        let close = gaps.iter().filter(|g| **g <= 0.05).count();
        println!(
            "{} instances, {} with a BKS: mean gap {mean:.2} %, max gap {max:.2} %, {close} within 0.05 % of the BKS",
            rows.len(),
            gaps.len()
        );
    }
    if let Some(path) = o.csv {
        let mut w = csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
        w.write_record(["instance", "cost", "bks", "gap_pct", "seconds", "feasible"])?;
        for (name, cost, best, gap, took, feasible) in &rows {
            let opt = |v: &Option<f64>, d: usize| v.map_or(String::new(), |v| format!("{v:.d$}"));
            w.write_record([
                name.clone(),
                format!("{cost:.0}"),
                opt(best, 0),
                opt(gap, 3),
                format!("{took:.2}"),
                feasible.to_string(),
            ])?;
        }
        w.flush()?;
    }
    Ok(if all_feasible { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
