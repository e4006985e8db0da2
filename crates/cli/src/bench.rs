//! `lastmetre bench`: solution quality on published instances against best-known values.

use crate::BAD_INPUT;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use lastmetre::formats::{
    read_cpmp, read_cvrp, read_pmed, read_two_echelon, two_echelon_cost, two_echelon_instance, write_cvrp_solution,
    write_two_echelon_solution,
};
use lastmetre::model::{Instance, Plan};
use lastmetre::place::{Client, Options as PlaceOptions, Problem, Rule, Site, place};
use lastmetre::solver::{Budget, SearchReport, solve_reporting};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

pub struct Options<'a> {
    pub dir: &'a Path,
    pub only: Option<&'a str>,
    pub bks: Option<&'a Path>,
    pub seconds: f64,
    /// Routing: iterations per island, when fewer than the seconds allow.
    pub iterations: Option<u64>,
    pub threads: usize,
    pub seed: u64,
    pub csv: Option<&'a Path>,
    pub solutions: Option<&'a Path>,
    /// Routing: where to write what each search operator earned.
    pub operators: Option<&'a Path>,
}

/// Files ending in `.ext` in `dir` and one level down, by name.
fn instances(dir: &Path, only: Option<&str>, ext: &str) -> Result<Vec<(String, PathBuf)>> {
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
            if path.extension().is_some_and(|e| e == ext) {
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

/// One instance's outcome.
struct Row {
    name: String,
    cost: f64,
    best: Option<f64>,
    seconds: f64,
    feasible: bool,
    /// Extra words for the table (e.g. "optimal", "bound gap 0.4 %").
    status: String,
    violations: Vec<String>,
}

/// Solves every instance with `solve_one(name, text)`, printing the table (costs with
/// `decimals`), the summary and the CSV. A file that cannot be read or understood is a row
/// with its error, and the run goes on. Exit 1 when a solution is infeasible, else 2 when a
/// file was unreadable, else 0.
fn run(
    o: &Options,
    ext: &str,
    decimals: usize,
    mut solve_one: impl FnMut(&str, &str) -> Result<Result<Row, String>>,
) -> Result<ExitCode> {
    if o.seconds.is_nan() || o.seconds <= 0.0 {
        eprintln!("error: --seconds must be above zero");
        return Ok(ExitCode::from(BAD_INPUT));
    }
    let list = instances(o.dir, o.only, ext)?;
    if list.is_empty() {
        eprintln!("error: no .{ext} instances in {}", o.dir.display());
        return Ok(ExitCode::from(BAD_INPUT));
    }
    let bks_path = o.bks.map(Path::to_owned).unwrap_or_else(|| o.dir.join("bks.csv"));
    let bks = if bks_path.exists() { best_known(&bks_path)? } else { BTreeMap::new() };
    if let Some(dir) = o.solutions {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let bar = ProgressBar::new(list.len() as u64);
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed})").expect("template"));
    let mut rows: Vec<Row> = Vec::new();
    // Files that could not be read or understood: (instance, why). The run goes on.
    let mut unreadable: Vec<(String, String)> = Vec::new();
    // The files in the order read, for the CSV: `Ok` a row, `Err` an unreadable file.
    let mut order: Vec<Result<usize, usize>> = Vec::new();
    println!("{:<28} {:>10} {:>10} {:>8} {:>8} {:>9}", "instance", "cost", "bks", "gap %", "seconds", "feasible");
    for (name, path) in &list {
        bar.set_message(name.clone());
        let outcome = match std::fs::read_to_string(path) {
            Ok(text) => solve_one(name, &text)?,
            Err(e) => Err(format!("cannot read the file: {e}")),
        };
        let mut row = match outcome {
            Ok(row) => row,
            Err(e) => {
                bar.suspend(|| {
                    println!("{name:<28} {:>10} {:>10} {:>8} {:>8} {:>9} unreadable", "-", "-", "-", "-", "-");
                    eprintln!("error: {}: {e}", path.display());
                });
                order.push(Err(unreadable.len()));
                unreadable.push((name.clone(), e));
                bar.inc(1);
                continue;
            }
        };
        row.best = bks.get(name).copied();
        let gap = row.best.map(|b| (row.cost - b) / b * 100.0);
        let show = |v: Option<f64>, d: usize| v.map_or("-".to_owned(), |v| format!("{v:.d$}"));
        bar.suspend(|| {
            println!(
                "{name:<28} {:>10.decimals$} {:>10} {:>8} {:>8.1} {:>9} {}",
                row.cost,
                show(row.best, decimals),
                show(gap, 2),
                row.seconds,
                if row.feasible { "yes" } else { "NO" },
                row.status
            );
            for v in &row.violations {
                eprintln!("  violation {v}");
            }
        });
        order.push(Ok(rows.len()));
        rows.push(row);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let gap = |r: &Row| r.best.map(|b| (r.cost - b) / b * 100.0);
    // An infeasible solution's cost says nothing: it is left out of the gaps and counted.
    let gaps: Vec<f64> = rows.iter().filter(|r| r.feasible).filter_map(gap).collect();
    let infeasible = rows.iter().filter(|r| !r.feasible).count();
    if infeasible > 0 {
        println!("{infeasible} of {} solutions infeasible (left out of the gaps below)", rows.len());
    }
    if !gaps.is_empty() {
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let max = gaps.iter().copied().fold(f64::MIN, f64::max);
        let close = gaps.iter().filter(|g| g.abs() <= 0.05).count();
        let below = gaps.iter().filter(|g| **g < -0.05).count();
        println!(
            "{} instances, {} feasible with a BKS: mean gap {mean:.2} %, max gap {max:.2} %, {close} within 0.05 % of the BKS, \
             {below} below it",
            rows.len(),
            gaps.len()
        );
    }
    if !unreadable.is_empty() {
        println!(
            "{} of {} files unreadable (their errors are above): {}",
            unreadable.len(),
            list.len(),
            unreadable.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    if let Some(path) = o.csv {
        let mut w = csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
        w.write_record(["instance", "cost", "bks", "gap_pct", "seconds", "feasible", "error"])?;
        let opt = |v: Option<f64>, d: usize| v.map_or(String::new(), |v| format!("{v:.d$}"));
        for place in &order {
            match *place {
                Ok(i) => {
                    let r = &rows[i];
                    w.write_record([
                        r.name.clone(),
                        format!("{:.decimals$}", r.cost),
                        opt(r.best, decimals),
                        opt(gap(r), 3),
                        format!("{:.2}", r.seconds),
                        r.feasible.to_string(),
                        String::new(),
                    ])?;
                }
                Err(i) => {
                    let (name, error) = &unreadable[i];
                    let best = opt(bks.get(name).copied(), decimals);
                    w.write_record([name.as_str(), "", &best, "", "", "", error])?;
                }
            }
        }
        w.flush()?;
    }
    Ok(if !rows.iter().all(|r| r.feasible) {
        ExitCode::FAILURE
    } else if !unreadable.is_empty() {
        ExitCode::from(BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}

/// Solves a routing instance within the time budget and checks the plan with the
/// independent checker: the plan and its row, cost left at zero for the caller.
fn solve_routing(o: &Options, name: &str, instance: &Instance) -> (Plan, Row) {
    let started = Instant::now();
    let (seconds, by_iterations) = (o.seconds, o.iterations.is_some());
    // The search cools by the larger of its iteration and time shares; under an iteration
    // budget the time share stays 0 until the seconds run out, so that the clock cannot
    // shift an acceptance and the run repeats exactly.
    let elapsed = move || {
        let share = started.elapsed().as_secs_f64() / seconds;
        if by_iterations && share < 1.0 { 0.0 } else { share }
    };
    let budget = Budget { iterations: o.iterations.unwrap_or(u64::MAX), elapsed: &elapsed };
    let (plan, search) = solve_reporting(instance, &budget, o.seed, o.threads, &[]);
    let took = started.elapsed().as_secs_f64();
    if let Err(e) = write_operators(o, name, &search) {
        eprintln!("{e:#}");
    }
    let report = lastmetre::check::check(instance, &plan);
    let row = Row {
        name: name.to_owned(),
        cost: 0.0,
        best: None,
        seconds: took,
        feasible: report.is_ok() && plan.unassigned.is_empty(),
        status: String::new(),
        violations: report.violations.iter().map(ToString::to_string).collect(),
    };
    (plan, row)
}

/// The header of the operators' CSV, written when a run starts.
const OPERATORS_HEADER: &str = "instance,kind,operator,used,improved,accepted,new_best,gain\n";

/// Starts the operators' CSV, if asked for.
fn start_operators(o: &Options) -> Result<()> {
    if let Some(path) = o.operators {
        std::fs::write(path, OPERATORS_HEADER).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Adds an instance's rows to the operators' CSV, if asked for.
fn write_operators(o: &Options, name: &str, search: &SearchReport) -> Result<()> {
    let Some(path) = o.operators else { return Ok(()) };
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("cannot write {}", path.display()))?,
    );
    for (kind, operator, s) in &search.operators {
        w.write_record([
            name,
            kind,
            operator,
            &s.used.to_string(),
            &s.improved.to_string(),
            &s.accepted.to_string(),
            &s.new_best.to_string(),
            &format!("{:.3}", s.gain),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_solution(o: &Options, name: &str, text: String) -> Result<()> {
    if let Some(dir) = o.solutions {
        let sol = dir.join(format!("{name}.sol"));
        std::fs::write(&sol, text).with_context(|| format!("cannot write {}", sol.display()))?;
    }
    Ok(())
}

/// CVRPLIB: nearest-integer Euclidean distances, one echelon from the depot.
pub fn cvrp(o: &Options) -> Result<ExitCode> {
    start_operators(o)?;
    run(o, "vrp", 0, |name, text| {
        let instance = match read_cvrp(name, text) {
            Ok(i) => i,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let (plan, mut row) = solve_routing(o, name, &instance);
        write_solution(o, name, write_cvrp_solution(&instance, &plan))?;
        row.cost = (plan.metrics.porter_walk_km * 1000.0).round();
        Ok(Ok(row))
    })
}

/// 2E-CVRP: trucks as tricycles, satellites as stations, city freighters as porters;
/// unrounded distances on the literature's scale (Set 4 divided by 100).
pub fn two_echelon(o: &Options) -> Result<ExitCode> {
    start_operators(o)?;
    run(o, "dat", 2, |name, text| {
        let published = match read_two_echelon(name, text) {
            Ok(i) => i,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let instance = match two_echelon_instance(&published) {
            Ok(i) => i,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let (plan, mut row) = solve_routing(o, name, &instance);
        write_solution(o, name, write_two_echelon_solution(&published, &instance, &plan))?;
        row.cost = two_echelon_cost(&published, &plan);
        Ok(Ok(row))
    })
}

/// OR-Library pmed: uncapacitated p-median against proven optima.
pub fn pmed(o: &Options) -> Result<ExitCode> {
    run(o, "txt", 0, |name, text| {
        let pm = match read_pmed(text) {
            Ok(p) => p,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let n = pm.n;
        let sites = (0..n).map(|i| Site { id: (i + 1).to_string(), capacity: None, rule: Rule::Free }).collect();
        let clients = (0..n).map(|i| Client { id: (i + 1).to_string(), demand: 1.0 }).collect();
        let problem = Problem::new(sites, clients, |s, c| Some(pm.distance[s * n + c]));
        placement_row(o, name, &problem, pm.p)
    })
}

/// OR-Library pmedcap1: capacitated p-median against the published values.
pub fn cpmp(o: &Options) -> Result<ExitCode> {
    run(o, "txt", 0, |name, text| {
        let cp = match read_cpmp(text) {
            Ok(p) => p,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let n = cp.points.len();
        let sites =
            (0..n).map(|i| Site { id: (i + 1).to_string(), capacity: Some(cp.capacity), rule: Rule::Free }).collect();
        let clients =
            cp.points.iter().enumerate().map(|(i, p)| Client { id: (i + 1).to_string(), demand: p.2 }).collect();
        let problem = Problem::new(sites, clients, |s, c| Some(cp.distance(s, c)));
        placement_row(o, name, &problem, cp.p)
    })
}

/// Solves a placement and verifies it on its own terms: `k` open, everyone served by an open
/// site, capacities kept, the objective recomputed.
fn placement_row(o: &Options, name: &str, problem: &Problem, k: usize) -> Result<Result<Row, String>> {
    let started = Instant::now();
    let options =
        PlaceOptions { seed: o.seed, shakes: usize::MAX, seconds: Some(o.seconds), ..PlaceOptions::default() };
    let placed = match place(problem, k, &options) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let took = started.elapsed().as_secs_f64();
    let mut violations = Vec::new();
    if placed.open.len() != k {
        violations.push(format!("{} sites open, {k} asked", placed.open.len()));
    }
    let mut load = vec![0.0; problem.sites.len()];
    let mut total = 0.0;
    for (c, &s) in placed.assign.iter().enumerate() {
        if !placed.open.contains(&s) {
            violations.push(format!("client {} is served by a closed site", problem.clients[c].id));
            continue;
        }
        load[s] += problem.clients[c].demand;
        total += problem.cost(s, c);
    }
    for &s in &placed.open {
        if let Some(cap) = problem.sites[s].capacity
            && load[s] > cap + 1e-6
        {
            violations.push(format!("site {} serves {} over its capacity {cap}", problem.sites[s].id, load[s]));
        }
    }
    if (total - placed.objective).abs() > 1e-6 * total.max(1.0) {
        violations.push(format!("objective {} but the assignment costs {total}", placed.objective));
    }
    let status = match (placed.optimal, placed.method) {
        (true, lastmetre::place::Method::Milp) => format!("optimal (MILP, {})", lastmetre::place::BACKEND),
        (true, _) => "optimal (bound met)".to_owned(),
        (false, _) => format!("bound gap {:.2} %", placed.gap_pct()),
    };
    Ok(Ok(Row {
        name: name.to_owned(),
        cost: placed.objective,
        best: None,
        seconds: took,
        feasible: violations.is_empty(),
        status,
        violations,
    }))
}
