//! The `lastmetre` command line.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use lastmetre::{AreaParams, LoadError, PlanOptions, Policy, Problem, load_area};
use plan::Outputs;

mod bench;
mod import;
mod place;
mod plan;
mod serve;
mod simulate;
mod size;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Plans last-metre delivery inside a sealed residential area.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import an area file, build its graph and report: a summary, or every problem.
    ///
    /// Exit status: 0 valid (warnings may be printed), 2 invalid input, 1 other failure.
    Validate {
        /// The area, as GeoJSON (docs/area-format.md).
        area: PathBuf,
        /// Write the built graph as GeoJSON (lanes with passability, snap connectors).
        #[arg(long, value_name = "FILE")]
        graph_out: Option<PathBuf>,
        /// Area rules as JSON (tricycle width, snap tolerance, …); defaults from DOMAIN.md.
        #[arg(long, value_name = "FILE")]
        params: Option<PathBuf>,
        /// Print the summary and problems as one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// Also compute the travel matrices and report their size, coverage and time.
        #[arg(long)]
        matrices: bool,
    },
    /// Plan the next cycle: tricycle trips and porter outings for a batch of orders.
    ///
    /// Exit status: 0 planned (orders left out are listed), 2 bad input, 1 other failure.
    Plan {
        /// The area, as GeoJSON.
        #[arg(long)]
        area: PathBuf,
        /// The orders, as JSON, CSV or XLSX (docs/orders-format.md); households by id or address.
        #[arg(long)]
        orders: PathBuf,
        /// Fleet and parameters as JSON (docs/fleet-format.md); DOMAIN.md defaults if absent.
        #[arg(long)]
        fleet: Option<PathBuf>,
        /// Wall-clock cap on the search, seconds; the best plan so far is kept.
        #[arg(long)]
        seconds: Option<f64>,
        /// Search iterations per thread; with the seed and threads, fixes the plan.
        #[arg(long, default_value_t = 8000)]
        iterations: u64,
        /// Seed of the search.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Threads: each searches a part of the outings where the objective allows, else
        /// the whole as an island of its own.
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Who plans: the solver, or the manual practice of the founding case.
        #[arg(long, value_enum, default_value_t = PolicyArg::Lastmetre)]
        policy: PolicyArg,
        /// Also plan with the other policy and print both side by side.
        #[arg(long)]
        compare: bool,
        /// Clock time of the cycle start (HH:MM); the last order's time when absent.
        #[arg(long)]
        start: Option<String>,
        /// Where to write the plan JSON (docs/plan-format.md).
        #[arg(long)]
        out: PathBuf,
        /// Also write the routes as GeoJSON following the lanes.
        #[arg(long, value_name = "FILE")]
        routes: Option<PathBuf>,
        /// Also write one dispatch sheet per tricycle and porter into this folder.
        #[arg(long, value_name = "DIR")]
        sheets: Option<PathBuf>,
        /// The language of the sheets and of the reasons people read: Chinese for areas in
        /// China, English elsewhere, when absent.
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
    },
    /// Check a plan with the independent checker: feasibility and every metric recomputed.
    ///
    /// Exit status: 0 the plan is right, 1 violations (all listed), 2 bad input.
    Check {
        /// The area, as GeoJSON.
        #[arg(long)]
        area: PathBuf,
        /// The orders the plan serves.
        #[arg(long)]
        orders: PathBuf,
        /// The fleet file the plan was made with.
        #[arg(long)]
        fleet: Option<PathBuf>,
        /// The plan JSON.
        #[arg(long)]
        plan: PathBuf,
    },
    /// Write one realistic batch of orders for an area (DOMAIN.md's demand figures).
    Demand {
        /// The area, as GeoJSON.
        #[arg(long)]
        area: PathBuf,
        /// Collection time of the batch, HH:MM.
        #[arg(long, default_value = "12:00")]
        at: String,
        /// Seed of the generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Orders in the batch; 0.35 per household when absent.
        #[arg(long)]
        orders: Option<usize>,
        /// Where to write the orders JSON.
        #[arg(long)]
        out: PathBuf,
    },
    /// Measure solution quality on published instances against best-known values.
    ///
    /// Each solution goes through the independent checker. An unreadable file is a row with
    /// its error, and the run goes on. Exit status: 0 done (even with gaps), 1 a solution
    /// failed the checker, 2 bad input (an unreadable file, or a bad request).
    Bench {
        /// Benchmark family: `cvrp` (CVRPLIB), `2ecvrp` (2E-CVRP Sets 2–4), `pmed`, `cpmp`.
        #[arg(value_enum)]
        family: Family,
        /// Folder with the instances (searched one level down too).
        dir: PathBuf,
        /// Only instances whose name starts with this.
        #[arg(long)]
        only: Option<String>,
        /// Best-known values, CSV `instance,bks,…`; DIR/bks.csv when absent.
        #[arg(long)]
        bks: Option<PathBuf>,
        /// Seconds per instance.
        #[arg(long)]
        seconds: f64,
        /// Routing only: search iterations per thread, the run ending at whichever of this
        /// and `--seconds` comes first. With seconds to spare, a run is repeatable (the
        /// same seed and threads give the same solution), which time budgets are not.
        #[arg(long)]
        iterations: Option<u64>,
        /// Threads: each searches a part of the outings where the objective allows, else
        /// the whole as an island of its own.
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Seed of the search.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write the table as CSV: instance,cost,bks,gap_pct,seconds,feasible,error (the
        /// error of an unreadable file; its other fields but bks are empty).
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Write each solution here (CVRPLIB `.sol`; 2E-CVRP `.sol` as in docs/benchmarks.md).
        #[arg(long)]
        solutions: Option<PathBuf>,
        /// Routing only: write what each search operator earned as CSV:
        /// instance,kind,operator,used,improved,accepted,new_best,gain.
        #[arg(long, value_name = "FILE")]
        operators: Option<PathBuf>,
    },
    /// Play whole days of 48 cycles through the dispatcher, with realistic disturbances.
    ///
    /// Writes per-cycle figures (cycles.csv), the porters' welfare (welfare.csv), a day
    /// summary (summary.json) and a chart (chart.svg). Exit status: 0 done, 2 bad input,
    /// 1 when the checker rejects a plan.
    Simulate {
        #[command(flatten)]
        input: DayInput,
        /// Who plans each cycle.
        #[arg(long, value_enum, default_value_t = PolicyArg::Lastmetre)]
        policy: PolicyArg,
        /// Search iterations per re-plan.
        #[arg(long, default_value_t = 3000)]
        iterations: u64,
        /// Threads of the search.
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// No disturbances: every door answers, no lane closes, no porter leaves.
        #[arg(long)]
        calm: bool,
        /// Porters on call beyond the fleet's: called when a plan warns of promises at risk
        /// and asks for porters, on duty from the next cycle.
        #[arg(long, default_value_t = 0)]
        reserve_porters: usize,
        /// Folder for the outputs.
        #[arg(long)]
        out: PathBuf,
    },
    /// How many porters and tricycles does this area need? The fewest with which simulated
    /// days (with `simulate`'s disturbances) keep every porter within the shift's carry,
    /// energy and climb limits, and, where more people help, deliver 99 % of orders within two
    /// cycles and medicine within its cycle; the day's orders as one noon batch must plan too.
    ///
    /// Writes the fleet file (`--fleet` gives everything but the counts) and prints every
    /// fleet tried. Exit status: 0 found, 2 bad input, 1 when no fleet up to --max-porters does.
    Size {
        /// The area, as GeoJSON.
        #[arg(long)]
        area: PathBuf,
        /// Orders over the day or days; generated from DOMAIN.md's figures when absent.
        #[arg(long)]
        orders_stream: Option<PathBuf>,
        /// The base fleet and parameters (docs/fleet-format.md); the counts are sized.
        #[arg(long)]
        fleet: Option<PathBuf>,
        /// Days to simulate per fleet tried.
        #[arg(long, default_value_t = 1)]
        days: u32,
        /// Seed of the demand and the searches.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Generated demand times this: 3 sizes for the rush of a lockdown's first days (at
        /// most 5).
        #[arg(long, default_value_t = 1.0, conflicts_with = "orders_stream")]
        demand_scale: f64,
        /// Search iterations per re-plan (fewer than `simulate`'s 3000: sizing runs many days).
        #[arg(long, default_value_t = size::ITERATIONS)]
        iterations: u64,
        /// Most porters tried.
        #[arg(long, default_value_t = size::MAX_PORTERS)]
        max_porters: usize,
        /// Where to write the fleet file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Where should the transfer stations be? Places k = a..b stations over the stairwells'
    /// demand (p-median of the porters' walking effort), then judges every placement, and
    /// the area's current stations, by simulating the same demand through the dispatcher.
    ///
    /// Writes comparison.csv, comparison.md, placements.geojson and chart.svg. Exit status:
    /// 0 done, 2 bad input, 1 when the checker rejects a plan.
    Place {
        #[command(flatten)]
        input: DayInput,
        /// Stations to open: a count (8), a range (4..12) or a range with a step (20..40/5).
        #[arg(long)]
        stations: String,
        /// Site ids forced open, comma-separated.
        #[arg(long, value_delimiter = ',')]
        open: Vec<String>,
        /// Site ids forced closed, comma-separated.
        #[arg(long, value_delimiter = ',')]
        closed: Vec<String>,
        /// Longest walk from a station to a stairwell door, metres.
        #[arg(long)]
        max_walk: Option<f64>,
        /// Search iterations per re-plan in the simulations.
        #[arg(long, default_value_t = 1000)]
        iterations: u64,
        /// Time for the whole command, seconds: the fleet's sizing when needed and every
        /// simulated day take what they take (they have no deadline of their own), and the
        /// solves share what is left, at least 1 s each. Each solve answers its best
        /// placement, with a bound, when its share runs out.
        #[arg(long, default_value_t = 600.0)]
        seconds: f64,
        /// Folder for the outputs.
        #[arg(long)]
        out: PathBuf,
    },
    /// Generate a synthetic urban village, always valid and the same for the same seed.
    Generate {
        /// Households (1 to 200,000).
        #[arg(long)]
        households: usize,
        /// Seed of the generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Residents in all; about 2.36 per household when absent.
        #[arg(long)]
        residents: Option<u64>,
        /// Open stations; one per ~90 households when absent.
        #[arg(long)]
        stations: Option<usize>,
        /// Where to write the area GeoJSON (or OSM XML with --osm).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Write the village as an OSM XML extract instead, to try `import-osm` on.
        #[arg(long, value_enum, value_name = "DETAIL")]
        osm: Option<import::OsmDetail>,
    },
    /// Ledger tools for the command post: an online backup while the service runs, and a
    /// check of a ledger's integrity and of its journal's consistency.
    ///
    /// Exit status: 0 done (the ledger is sound), 1 the check found problems, 2 the ledger
    /// cannot be used (no such file, not a lastmetre ledger, a backup that failed).
    Ledger {
        #[command(subcommand)]
        action: LedgerAction,
    },
    /// Run the dispatcher service: durable order ledger, HTTP API and a live map page.
    ///
    /// Orders and events are in the SQLite ledger before they are acknowledged; the state is
    /// rebuilt from the ledger on start. See docs/service.md.
    Serve {
        /// An area, as GeoJSON: `FILE` (its id the file stem) or `ID=FILE`; repeat for many.
        #[arg(long, value_name = "[ID=]FILE")]
        area: Vec<String>,
        /// Every `*.geojson` of a folder is an area, its id the file stem, with an optional
        /// `ID.fleet.json` beside it.
        #[arg(long, value_name = "DIR")]
        areas: Option<PathBuf>,
        /// Fleet and parameters as JSON, for every area without an `ID.fleet.json` beside its
        /// file; DOMAIN.md defaults if absent.
        #[arg(long)]
        fleet: Option<PathBuf>,
        /// The ledger (SQLite), created if missing: a file for one area (default
        /// lastmetre.db), a folder of `ID.db` for many (default lastmetre-ledgers).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Tokens file: lines `dispatcher TOKEN` or `viewer TOKEN`; else LASTMETRE_TOKENS.
        #[arg(long, value_name = "FILE")]
        tokens: Option<PathBuf>,
        /// The area's time zone, `+08:00` (China Standard Time) or hours east of UTC; else the
        /// area file's `utc_offset` property, else +08:00.
        #[arg(long, allow_hyphen_values = true, value_name = "OFFSET")]
        utc_offset: Option<String>,
        /// Search iterations per re-plan.
        #[arg(long, default_value_t = 3000)]
        iterations: u64,
        /// Largest request body, KiB.
        #[arg(long, default_value_t = 1024)]
        max_body_kb: usize,
    },
    /// Import an OpenStreetMap extract (OSM XML) as an area file, marking every guess.
    ///
    /// Lanes from highway=*, buildings with levels and households, stairwells from entrances,
    /// the gate and candidate station sites; see docs/osm-import.md.
    /// Exit status: 0 imported and valid, 2 bad input or an area that does not validate
    /// (it is still written, to be fixed by hand), 1 other failure.
    ImportOsm {
        /// The extract, as OSM XML (.osm), e.g. from openstreetmap.org's Export.
        file: PathBuf,
        /// Where to write the area GeoJSON.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Keep only what lies inside this GeoJSON polygon (the sealed area's outline).
        #[arg(long, value_name = "FILE", conflicts_with = "bbox")]
        boundary: Option<PathBuf>,
        /// Keep only what lies inside this box; the file's bounds element when neither is given.
        #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true)]
        bbox: Option<String>,
        /// The gate: an OSM node id of the file, or LON,LAT. Chosen from the map if absent.
        #[arg(long, value_name = "NODE_ID|LON,LAT", allow_hyphen_values = true)]
        gate: Option<String>,
        /// Import defaults as JSON (widths per class, default levels, flat size, …).
        #[arg(long, value_name = "FILE")]
        params: Option<PathBuf>,
        /// Print the import report as one JSON object on stdout (docs/osm-import.md).
        #[arg(long)]
        json: bool,
        /// Also size the fleet the area needs, as `lastmetre size` does, and write it here.
        #[arg(long, value_name = "FILE")]
        fleet_out: Option<PathBuf>,
    },
}

/// The area, fleet and demand of `simulate` and `place`.
#[derive(clap::Args)]
struct DayInput {
    /// The area, as GeoJSON.
    #[arg(long)]
    area: PathBuf,
    /// Orders over the day or days (JSON or CSV; each `placed_at` is its arrival).
    #[arg(long, conflicts_with = "generate_demand", required_unless_present = "generate_demand")]
    orders_stream: Option<PathBuf>,
    /// Generate the demand from DOMAIN.md's figures instead.
    #[arg(long)]
    generate_demand: bool,
    /// Days to play (at least every day an orders stream spans).
    #[arg(long, default_value_t = 1)]
    days: u32,
    /// Seed of the demand, the disturbances and the searches.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Generated demand times this: 3 for the rush of a lockdown's first days (at most 5).
    #[arg(long, default_value_t = 1.0, conflicts_with = "orders_stream")]
    demand_scale: f64,
    /// Fleet and parameters as JSON (docs/fleet-format.md); for `place`, its stations are the
    /// "current" placement.
    #[arg(long)]
    fleet: Option<PathBuf>,
}

#[derive(Subcommand)]
enum LedgerAction {
    /// Copy the ledger while the service may be writing to it (SQLite's online backup): a
    /// consistent snapshot, checked, in one file.
    Backup {
        /// The service's ledger.
        #[arg(long)]
        db: PathBuf,
        /// The copy to write; it must not exist.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a ledger: SQLite's integrity check, then the journal against itself.
    Check {
        /// The ledger.
        #[arg(long)]
        db: PathBuf,
    },
    /// A day's orders, deliveries and failed deliveries as CSV (orders.csv, deliveries.csv,
    /// failed.csv), for the district's daily report; may run while the service writes.
    Export {
        /// The ledger.
        #[arg(long)]
        db: PathBuf,
        /// The day, YYYY-MM-DD in the area's time zone.
        #[arg(long)]
        day: String,
        /// Folder to write the three files into (created).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Family {
    /// CVRPLIB instances (`.vrp`, EUC_2D, nearest-integer distances).
    Cvrp,
    /// Two-echelon CVRP (`.dat`, unified format of Breunig et al. 2016, Sets 2–7).
    #[value(name = "2ecvrp")]
    TwoEchelon,
    /// OR-Library uncapacitated p-median (`pmedN.txt`).
    Pmed,
    /// OR-Library capacitated p-median (`pmedcap1(k).txt`).
    Cpmp,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LangArg {
    /// 中文 (Chinese).
    Zh,
    /// English.
    En,
}

impl From<LangArg> for lastmetre::text::Lang {
    fn from(arg: LangArg) -> Self {
        match arg {
            LangArg::Zh => lastmetre::text::Lang::Zh,
            LangArg::En => lastmetre::text::Lang::En,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PolicyArg {
    /// The lastmetre solver.
    Lastmetre,
    /// The manual practice: nearest station, arrival order, tricycles looping every 30 min.
    Manual,
}

/// clap lists the values and their help; the library's [`Policy`] stays free of clap.
impl From<PolicyArg> for Policy {
    fn from(arg: PolicyArg) -> Self {
        match arg {
            PolicyArg::Lastmetre => Policy::Lastmetre,
            PolicyArg::Manual => Policy::Manual,
        }
    }
}

/// Exit status for input the user must fix.
pub(crate) const BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Validate { area, graph_out, params, json, matrices } => {
            validate(&area, graph_out.as_deref(), params.as_deref(), json, matrices)
        }
        Command::Plan {
            area,
            orders,
            fleet,
            seconds,
            iterations,
            seed,
            threads,
            policy,
            compare,
            start,
            out,
            routes,
            sheets,
            lang,
        } => {
            let options = PlanOptions { iterations, seconds, seed, threads, policy: policy.into() };
            let outputs =
                Outputs { out: &out, routes: routes.as_deref(), sheets: sheets.as_deref(), lang: lang.map(Into::into) };
            plan::plan(&area, &orders, fleet.as_deref(), &options, compare, start.as_deref(), &outputs)
        }
        Command::Check { area, orders, fleet, plan } => plan::check(&area, &orders, fleet.as_deref(), &plan),
        Command::Demand { area, at, seed, orders, out } => plan::demand(&area, &at, seed, orders, &out),
        Command::Bench { family, dir, only, bks, seconds, iterations, threads, seed, csv, solutions, operators } => {
            let options = bench::Options {
                dir: &dir,
                only: only.as_deref(),
                bks: bks.as_deref(),
                seconds,
                iterations,
                threads,
                seed,
                csv: csv.as_deref(),
                solutions: solutions.as_deref(),
                operators: operators.as_deref(),
            };
            match family {
                Family::Cvrp => bench::cvrp(&options),
                Family::Pmed => bench::pmed(&options),
                Family::Cpmp => bench::cpmp(&options),
                Family::TwoEchelon => bench::two_echelon(&options),
            }
        }
        Command::Simulate { input, policy, iterations, threads, calm, reserve_porters, out } => {
            simulate::simulate(&simulate::Request {
                area: &input.area,
                orders_stream: input.orders_stream.as_deref(),
                days: input.days,
                seed: input.seed,
                demand_scale: input.demand_scale,
                fleet: input.fleet.as_deref(),
                policy: policy.into(),
                iterations,
                threads,
                calm,
                reserve_porters,
                out: &out,
            })
        }
        Command::Size { area, orders_stream, fleet, days, seed, demand_scale, iterations, max_porters, out } => {
            size::run(&size::Request {
                area: &area,
                orders_stream: orders_stream.as_deref(),
                fleet: fleet.as_deref(),
                days,
                seed,
                demand_scale,
                iterations,
                max_porters,
                out: &out,
            })
        }
        Command::Place { input, stations, open, closed, max_walk, iterations, seconds, out } => {
            place::run(&place::Request {
                area: &input.area,
                orders_stream: input.orders_stream.as_deref(),
                days: input.days,
                seed: input.seed,
                demand_scale: input.demand_scale,
                stations: &stations,
                open,
                closed,
                max_walk,
                fleet: input.fleet.as_deref(),
                iterations,
                seconds,
                out: &out,
            })
        }
        Command::Generate { households, seed, residents, stations, out, osm } => {
            generate(households, seed, residents, stations, &out, osm)
        }
        Command::Ledger { action } => ledger(action),
        Command::Serve { area, areas, fleet, db, listen, tokens, utc_offset, iterations, max_body_kb } => {
            serve::run(serve::Request { area, areas, fleet, db, listen, tokens, utc_offset, iterations, max_body_kb })
        }
        Command::ImportOsm { file, out, boundary, bbox, gate, params, json, fleet_out } => {
            import::run(&import::Request {
                json,
                fleet_out: fleet_out.as_deref(),
                file: &file,
                out: &out,
                boundary: boundary.as_deref(),
                bbox: bbox.as_deref(),
                gate: gate.as_deref(),
                params: params.as_deref(),
            })
        }
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn read_params(path: Option<&Path>) -> Result<Result<AreaParams, String>> {
    let Some(path) = path else {
        return Ok(Ok(AreaParams::default()));
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())))
}

pub(crate) fn print_problems(problems: &mut [Problem]) {
    problems.sort_by_key(|p| p.severity());
    for p in problems.iter() {
        eprintln!("{p}");
    }
}

fn validate(
    path: &Path,
    graph_out: Option<&Path>,
    params: Option<&Path>,
    json: bool,
    matrices: bool,
) -> Result<ExitCode> {
    let params = match read_params(params)? {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: bad parameters file {e}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let (built, mut problems) = match load_area(path, &params) {
        Ok(mut built) => {
            let warnings = std::mem::take(&mut built.warnings);
            (Some(built), warnings)
        }
        Err(LoadError::Invalid(problems)) => (None, problems),
        Err(LoadError::Read(e)) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let warnings = problems.len() - errors;
    if json {
        let report = serde_json::json!({
            "file": path.display().to_string(),
            "valid": built.is_some(),
            "summary": built.as_ref().map(|b| b.area.summary()),
            "problems": problems,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_problems(&mut problems);
    }
    let Some(built) = built else {
        if !json {
            eprintln!("{}: invalid, {errors} error(s), {warnings} warning(s)", path.display());
        }
        return Ok(ExitCode::from(BAD_INPUT));
    };
    if !json {
        println!("{}: valid, {warnings} warning(s)", path.display());
        println!("{}", built.area.summary());
    }
    if matrices {
        let started = Instant::now();
        let m = built.area.matrices();
        let seconds = started.elapsed().as_secs_f64();
        if !json {
            print_matrices(&built.area, &m, seconds);
        }
    }
    if let Some(out) = graph_out {
        let graph = lastmetre::formats::graph_geojson(&built.area);
        std::fs::write(out, serde_json::to_vec(&graph)?).with_context(|| format!("cannot write {}", out.display()))?;
        if !json {
            println!("graph written to {}", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_matrices(area: &lastmetre::Area, m: &lastmetre::TravelMatrices, seconds: f64) {
    let sizes = [&m.walk_site_to_door, &m.walk_door_to_door].map(|x| (x.rows(), x.cols()));
    println!(
        "matrices        {0}×{0} tricycle, {1}×{2} site→door, {3}×{4} door→door, in {seconds:.3} s",
        m.tricycle_time.rows(),
        sizes[0].0,
        sizes[0].1,
        sizes[1].0,
        sizes[1].1,
    );
    // The walk a porter faces from the nearest open station, at its worst.
    let open: Vec<usize> = area.open_sites().collect();
    let worst = (0..area.stairwells.len())
        .filter_map(|d| {
            open.iter().filter_map(|s| m.walk_site_to_door.get(*s, d)).map(|x| x.get()).min_by(f64::total_cmp)
        })
        .max_by(f64::total_cmp);
    if let Some(worst) = worst {
        println!("farthest door   {worst:.0} m from its nearest open station");
    }
}

fn generate(
    households: usize,
    seed: u64,
    residents: Option<u64>,
    stations: Option<usize>,
    out: &Path,
    osm: Option<import::OsmDetail>,
) -> Result<ExitCode> {
    let mut options = lastmetre::synth::VillageOptions::new(households, seed);
    options.residents = residents;
    options.open_stations = stations;
    let spec = match lastmetre::synth::village(&options) {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if let Some(detail) = osm {
        import::write_generated(&spec, detail, out)?;
    } else {
        let text = serde_json::to_string_pretty(&lastmetre::formats::write_area(&spec))?;
        std::fs::write(out, text + "\n").with_context(|| format!("cannot write {}", out.display()))?;
    }
    println!(
        "{}: {} households, {} stairwells, {} buildings, {} lanes, {} station sites ({} open)",
        out.display(),
        spec.households.len(),
        spec.stairwells.len(),
        spec.buildings.len(),
        spec.lanes.len(),
        spec.sites.len(),
        spec.sites.iter().filter(|s| s.open).count()
    );
    Ok(ExitCode::SUCCESS)
}

/// `lastmetre ledger backup|check`.
fn ledger(action: LedgerAction) -> Result<ExitCode> {
    use lastmetre_serve::tools;
    match action {
        LedgerAction::Backup { db, out } => match tools::backup(&db, &out) {
            Ok(copied) => {
                println!(
                    "{}: a checked copy of {} with {} journal entries and {} orders",
                    out.display(),
                    db.display(),
                    copied.entries,
                    copied.orders
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(BAD_INPUT))
            }
        },
        LedgerAction::Export { db, day, out } => match tools::export_day(&db, &day, &out) {
            Ok(n) => {
                println!(
                    "{day}: {} orders, {} deliveries, {} failed deliveries written to {}",
                    n.orders,
                    n.deliveries,
                    n.failed,
                    out.display()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(BAD_INPUT))
            }
        },
        LedgerAction::Check { db } => match tools::check(&db) {
            Ok(health) => {
                for problem in &health.problems {
                    println!("problem: {problem}");
                }
                println!(
                    "{}: {} journal entries, {} orders, {} event answer(s) to give at the next start; {}",
                    db.display(),
                    health.entries,
                    health.orders,
                    health.unanswered,
                    if health.problems.is_empty() {
                        "sound".to_owned()
                    } else {
                        format!("{} problem(s)", health.problems.len())
                    }
                );
                Ok(if health.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(BAD_INPUT))
            }
        },
    }
}
