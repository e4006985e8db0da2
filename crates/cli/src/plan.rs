//! `lastmetre plan`, `check` and `demand`.

use crate::{BAD_INPUT, print_problems};
use anyhow::{Context, Result};
use lastmetre::formats::{format_clock, parse_time, plan_file, read_plan, routes_geojson, sheets, write_orders_json};
use lastmetre::{AreaParams, Engine, Error, Fleet, LoadError, Metrics, Order, PlanOptions, Policy, read_fleet};
use std::path::Path;
use std::process::ExitCode;

/// Where `plan` writes.
pub struct Outputs<'a> {
    pub out: &'a Path,
    pub routes: Option<&'a Path>,
    pub sheets: Option<&'a Path>,
    /// What people read is in this language; the area's own when absent.
    pub lang: Option<lastmetre::text::Lang>,
}

/// Prints an error for a person and gives the exit status: 2 for input to fix, 1 otherwise.
fn fail(error: Error) -> ExitCode {
    match error {
        Error::Area(LoadError::Invalid(mut problems)) | Error::Orders(mut problems) | Error::Fleet(mut problems) => {
            print_problems(&mut problems);
            let errors = problems.iter().filter(|p| p.is_error()).count();
            eprintln!("{errors} error(s): nothing was planned");
            ExitCode::from(BAD_INPUT)
        }
        Error::Rejected(violations) => {
            for v in &violations {
                eprintln!("violation {v}");
            }
            eprintln!("the independent checker rejected the plan; this is a bug in lastmetre, please report it");
            ExitCode::FAILURE
        }
        other => {
            eprintln!("error: {other}");
            ExitCode::from(BAD_INPUT)
        }
    }
}

macro_rules! or_fail {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Ok(fail(e.into())),
        }
    };
}

fn load(area: &Path, orders: &Path, fleet: Option<&Path>) -> Result<(Engine, Vec<Order>, Fleet), Error> {
    let engine = Engine::load(area, &AreaParams::default())?;
    let orders = lastmetre::read_orders_in(orders, &engine.area)?;
    let fleet = match fleet {
        Some(f) => read_fleet(f)?,
        None => Fleet::default(),
    };
    Ok((engine, orders, fleet))
}

/// The clock time of second 0: `--start`, or the last order's time, to the next minute.
fn cycle_start(start: Option<&str>, orders: &[Order]) -> Result<f64, String> {
    match start {
        Some(s) => parse_time(s).map(|t| t.get()).ok_or_else(|| format!("--start {s} is not a time such as 12:00")),
        None => Ok((orders.iter().map(|o| o.placed_at.get()).fold(0.0, f64::max) / 60.0).ceil() * 60.0),
    }
}

pub fn plan(
    area: &Path,
    orders_path: &Path,
    fleet: Option<&Path>,
    options: &PlanOptions,
    compare: bool,
    start: Option<&str>,
    outputs: &Outputs,
) -> Result<ExitCode> {
    let (engine, orders, fleet) = or_fail!(load(area, orders_path, fleet));
    let start = match cycle_start(start, &orders) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let mut planned = or_fail!(engine.plan(&orders, &fleet, options));
    let name = orders_path.file_stem().map_or("batch".into(), |s| s.to_string_lossy().into_owned());
    planned.instance.name = name;
    let plan = &planned.plan;
    let lang = outputs.lang.unwrap_or_else(|| lastmetre::formats::language_of(&engine.area));
    let file = plan_file(&planned.instance, plan, start, lang);
    write(outputs.out, &serde_json::to_vec_pretty(&file)?)?;
    if let Some(path) = outputs.routes {
        let routes = routes_geojson(&engine.area, &planned.instance, plan);
        write(path, &serde_json::to_vec(&routes)?)?;
    }
    if let Some(dir) = outputs.sheets {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for (name, page) in sheets(&planned.instance, plan, start, lang) {
            write(&dir.join(name), page.as_bytes())?;
        }
    }
    let m = &plan.metrics;
    // In the plan's language, from the message files; numbers as the sheets write them.
    let say = |id: &str, args: &[(&str, String)]| {
        let args: Vec<(&str, lastmetre::text::Arg)> = args.iter().map(|(k, v)| (*k, v.clone().into())).collect();
        println!("{}", lastmetre::text::text(lang, id, &args));
    };
    let by = match options.policy {
        Policy::Lastmetre => "summary-by-lastmetre",
        Policy::Manual => "summary-by-manual",
    };
    say(by, &[("start", format_clock(start))]);
    say(
        "summary-orders",
        &[
            ("delivered", m.orders_delivered.to_string()),
            ("total", m.orders_total.to_string()),
            ("left", m.orders_unassigned.to_string()),
        ],
    );
    for u in &plan.unassigned {
        let job = &planned.instance.jobs[u.job];
        let code = u.reason.code();
        let why = lastmetre::text::text(lang, &format!("reason-{code}"), &[]);
        let action = lastmetre::text::text(lang, &format!("action-{code}"), &[]);
        say("summary-left-out", &[("order", job.id.clone()), ("why", why), ("action", action)]);
    }
    say("summary-tricycles", &[("trips", m.tricycle_trips.to_string()), ("km", format!("{:.2}", m.tricycle_km))]);
    say(
        "summary-porters",
        &[
            ("outings", m.porter_outings.to_string()),
            ("climbs", m.stair_climbs.to_string()),
            ("metres", format!("{:.0}", m.vertical_m)),
            ("km", format!("{:.2}", m.porter_walk_km)),
        ],
    );
    say(
        "summary-energy",
        &[("kj", format!("{:.0}", m.porter_energy_kj)), ("most", format!("{:.0}", m.porter_energy_kj_max))],
    );
    say("summary-last-drop", &[("time", format_clock(start + m.last_delivery_s))]);
    say("summary-written", &[("path", outputs.out.display().to_string())]);
    if compare {
        let other = match options.policy {
            Policy::Lastmetre => Policy::Manual,
            Policy::Manual => Policy::Lastmetre,
        };
        let baseline = or_fail!(engine.plan(&orders, &fleet, &PlanOptions { policy: other, ..options.clone() }));
        let (ours, theirs) = match options.policy {
            Policy::Lastmetre => (m, &baseline.plan.metrics),
            Policy::Manual => (&baseline.plan.metrics, m),
        };
        println!();
        print_comparison(ours, theirs);
    }
    Ok(ExitCode::SUCCESS)
}

/// Both policies' metrics side by side, with the relative change.
pub fn print_comparison(ours: &Metrics, manual: &Metrics) {
    let rows: [(&str, f64, f64, usize); 11] = [
        ("orders_delivered", ours.orders_delivered as f64, manual.orders_delivered as f64, 0),
        ("tricycle_trips", ours.tricycle_trips as f64, manual.tricycle_trips as f64, 0),
        ("tricycle_km", ours.tricycle_km, manual.tricycle_km, 2),
        ("porter_outings", ours.porter_outings as f64, manual.porter_outings as f64, 0),
        ("stair_climbs", ours.stair_climbs as f64, manual.stair_climbs as f64, 0),
        ("vertical_m", ours.vertical_m, manual.vertical_m, 0),
        ("porter_energy_kj", ours.porter_energy_kj, manual.porter_energy_kj, 0),
        ("porter_energy_kj_max", ours.porter_energy_kj_max, manual.porter_energy_kj_max, 0),
        ("porter_walk_km", ours.porter_walk_km, manual.porter_walk_km, 2),
        ("last_delivery_min", ours.last_delivery_s / 60.0, manual.last_delivery_s / 60.0, 0),
        ("objective", ours.objective, manual.objective, 0),
    ];
    println!("{:<22} {:>12} {:>12} {:>9}", "metric", "lastmetre", "manual", "change");
    for (name, a, b, digits) in rows {
        let change = if b.abs() > 1e-12 { format!("{:+.1}%", (a - b) / b * 100.0) } else { "n/a".to_owned() };
        println!("{name:<22} {a:>12.digits$} {b:>12.digits$} {change:>9}");
    }
}

pub fn check(area: &Path, orders_path: &Path, fleet: Option<&Path>, plan_path: &Path) -> Result<ExitCode> {
    let (engine, orders, fleet) = or_fail!(load(area, orders_path, fleet));
    let instance = or_fail!(engine.instance(&orders, &fleet, "batch"));
    let bytes = match std::fs::read(plan_path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", plan_path.display());
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let plan = match read_plan(&instance, &bytes) {
        Ok(p) => p,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {}: {e}", plan_path.display());
            }
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let report = lastmetre::check::check(&instance, &plan);
    if report.is_ok() {
        let m = &report.metrics;
        println!(
            "{}: feasible; metrics match ({} orders delivered, {} trips, {} climbs, {:.0} kJ)",
            plan_path.display(),
            m.orders_delivered,
            m.tricycle_trips,
            m.stair_climbs,
            m.porter_energy_kj
        );
        return Ok(ExitCode::SUCCESS);
    }
    for v in &report.violations {
        println!("violation {v}");
    }
    println!("{}: {} violation(s)", plan_path.display(), report.violations.len());
    Ok(ExitCode::FAILURE)
}

pub fn demand(area: &Path, at: &str, seed: u64, orders: Option<usize>, out: &Path) -> Result<ExitCode> {
    let Some(at) = parse_time(at) else {
        eprintln!("error: --at {at} is not a time such as 12:00");
        return Ok(ExitCode::from(BAD_INPUT));
    };
    let built = or_fail!(lastmetre::load_area(area, &AreaParams::default()));
    let households: Vec<&str> = built.area.households.iter().map(|h| h.id.as_str()).collect();
    let mut options = lastmetre::synth::demand::BatchOptions::noon(seed);
    options.at = at;
    options.orders = orders;
    let batch = lastmetre::synth::demand::batch(&households, &options);
    write(out, &serde_json::to_vec_pretty(&write_orders_json(&batch))?)?;
    let kg: f64 = batch.iter().map(|o| o.kg().get()).sum();
    let medicine = batch.iter().filter(|o| o.priority == lastmetre::model::Priority::Medicine).count();
    println!("{}: {} orders, {kg:.0} kg, {medicine} medicine", out.display(), batch.len());
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
