//! lastmetre plans last-metre delivery inside a sealed residential area: goods come in at a
//! gate, electric tricycles shuttle them to transfer stations, and porters carry them through
//! alleys and up the stairs of walk-up buildings.
//!
//! This crate is the library API other services call. It re-exports the workspace's crates
//! and adds one-call helpers.
//!
//! One call goes from files to a checked plan:
//!
//! ```
//! use lastmetre::{PlanOptions, plan_files};
//!
//! let planned = plan_files(
//!     "data/niuxie/area.geojson".as_ref(),
//!     "data/niuxie/orders-noon.json".as_ref(),
//!     None, // the fleet of DOMAIN.md: 2 tricycles, 8 porters
//!     &PlanOptions { iterations: 200, ..PlanOptions::default() },
//! )?;
//! assert!(planned.report.is_ok());
//! let m = &planned.plan.metrics;
//! println!("{} of {} orders in {} climbs", m.orders_delivered, m.orders_total, m.stair_climbs);
//! # Ok::<(), lastmetre::Error>(())
//! ```
//!
//! For repeated planning over one area, load an [`Engine`] once and call [`Engine::plan`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::HashSet;
use std::path::Path;

pub use lastmetre_area as area;
pub use lastmetre_formats as formats;
pub use lastmetre_model as model;
pub use lastmetre_synth as synth;
pub use lastmetre_text as text;

pub use lastmetre_area::{Area, AreaSpec, Built, Code, Problem, Severity, Summary, TravelMatrices};
pub use lastmetre_check as check;
pub use lastmetre_dispatch as dispatch;
pub use lastmetre_dispatch::{CyclePlan, Dispatcher, Event};
pub use lastmetre_formats::Limits;
pub use lastmetre_model::{AreaParams, Fleet, Instance, Kg, Metres, MetresPerSecond, Metrics, Order, Plan, Seconds};
pub use lastmetre_osm as osm;
pub use lastmetre_place as place;
pub use lastmetre_sim as sim;
pub use lastmetre_solver as solver;
pub use lastmetre_solver::Policy;

/// Why an area could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] lastmetre_formats::ReadError),
    /// The file was read but the area is not usable; every problem found, warnings included.
    #[error("the area has {} error(s)", .0.iter().filter(|p| p.is_error()).count())]
    Invalid(Vec<Problem>),
}

/// Anything that stops a plan from being made, each naming its culprit.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The area could not be loaded.
    #[error(transparent)]
    Area(#[from] LoadError),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// Orders that cannot be planned; every problem, each naming its order.
    #[error("{} order problem(s)", .0.len())]
    Orders(Vec<Problem>),
    /// The fleet cannot be used; every problem, each naming its field.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Fleet(Vec<Problem>),
    /// The checker rejected the plan: a bug in the planner, never a user error.
    #[error("the independent checker rejected the plan: {}", .0.first().map(|v| v.to_string()).unwrap_or_default())]
    Rejected(Vec<lastmetre_check::Violation>),
}

/// How hard to search.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanOptions {
    /// Search iterations per thread; what makes runs repeatable.
    pub iterations: u64,
    /// Wall-clock cap in seconds; the best plan so far is returned when it is reached.
    pub seconds: Option<f64>,
    /// Seed of the search.
    pub seed: u64,
    /// Threads (one search island each).
    pub threads: usize,
    /// Solver or manual baseline.
    pub policy: Policy,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self { iterations: 8000, seconds: None, seed: 1, threads: 1, policy: Policy::Lastmetre }
    }
}

/// A plan, the instance it serves, and the independent checker's report on it.
#[derive(Clone, Debug)]
pub struct Planned {
    /// The abstract instance built from area, orders and fleet.
    pub instance: Instance,
    /// The plan.
    pub plan: Plan,
    /// The checker's verdict (always clean: a rejected plan is an [`Error::Rejected`]).
    pub report: lastmetre_check::Report,
}

/// An area ready for planning: graph and travel matrices computed once.
#[derive(Clone, Debug)]
pub struct Engine {
    /// The area.
    pub area: Area,
    /// Its travel matrices.
    pub matrices: TravelMatrices,
    /// Warnings from loading the area.
    pub warnings: Vec<Problem>,
}

impl Engine {
    /// Loads an area file and computes its matrices.
    pub fn load(path: &Path, params: &AreaParams) -> Result<Engine, LoadError> {
        Ok(Engine::new(load_area(path, params)?))
    }

    /// An engine over an area already built.
    pub fn new(built: Built) -> Engine {
        let matrices = built.area.matrices();
        Engine { area: built.area, matrices, warnings: built.warnings }
    }

    /// The abstract instance for a batch of orders.
    pub fn instance(&self, orders: &[Order], fleet: &Fleet, name: &str) -> Result<Instance, Error> {
        let problems = lastmetre_area::check_fleet(fleet);
        if !problems.is_empty() {
            return Err(Error::Fleet(problems));
        }
        let bad_ids = lastmetre_area::check_order_ids(orders);
        if !bad_ids.is_empty() {
            return Err(Error::Orders(bad_ids));
        }
        lastmetre_area::instance(&self.area, &self.matrices, orders, fleet, name).map_err(Error::Orders)
    }

    /// Plans a batch and checks the plan independently.
    pub fn plan(&self, orders: &[Order], fleet: &Fleet, options: &PlanOptions) -> Result<Planned, Error> {
        let instance = self.instance(orders, fleet, "batch")?;
        let started = std::time::Instant::now();
        let cap = options.seconds;
        let elapsed = move || cap.map_or(0.0, |s| started.elapsed().as_secs_f64() / s.max(1e-9));
        let budget = lastmetre_solver::Budget { iterations: options.iterations, elapsed: &elapsed };
        let plan = lastmetre_solver::plan_by(options.policy, &instance, &budget, options.seed, options.threads, &[]);
        let report = lastmetre_check::check(&instance, &plan);
        if !report.is_ok() {
            return Err(Error::Rejected(report.violations));
        }
        Ok(Planned { instance, plan, report })
    }
}

/// Reads orders from a `.csv` or `.xlsx` file, or else from JSON; households by id.
pub fn read_orders(path: &Path) -> Result<Vec<Order>, Error> {
    read_orders_with(path, None)
}

/// [`read_orders`], with households named by address ("4号楼 1单元 502", an `address` field,
/// or `building`/`unit`/`door`, in CSV also 地址 or 楼号/单元/门牌) resolved against `area`.
pub fn read_orders_in(path: &Path, area: &Area) -> Result<Vec<Order>, Error> {
    read_orders_with(path, Some(&lastmetre_area::AddressBook::new(area)))
}

/// Orders from JSON, CSV or XLSX (by the extension), addresses resolved through `book`.
fn read_orders_with(path: &Path, book: Option<&lastmetre_area::AddressBook>) -> Result<Vec<Order>, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_owned(), source })?;
    let is = |ext: &str| path.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext));
    let (orders, problems) = if is("csv") {
        lastmetre_formats::read_orders_csv_in(&bytes, book)
    } else if is("xlsx") {
        lastmetre_formats::read_orders_xlsx_in(&bytes, book)
    } else {
        lastmetre_formats::read_orders_json_in(&bytes, book)
    };
    if problems.is_empty() { Ok(orders) } else { Err(Error::Orders(problems)) }
}

/// Reads a fleet file.
pub fn read_fleet(path: &Path) -> Result<Fleet, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_owned(), source })?;
    lastmetre_formats::read_fleet(&bytes).map_err(Error::Fleet)
}

/// From an area file, an orders file and an optional fleet file (DOMAIN.md's defaults when
/// `None`) to a plan the independent checker has passed.
pub fn plan_files(area: &Path, orders: &Path, fleet: Option<&Path>, options: &PlanOptions) -> Result<Planned, Error> {
    let engine = Engine::load(area, &AreaParams::default())?;
    let orders = read_orders_in(orders, &engine.area)?;
    let fleet = match fleet {
        Some(path) => read_fleet(path)?,
        None => Fleet::default(),
    };
    engine.plan(&orders, &fleet, options)
}

/// Reads, validates and builds an area file with the default [`Limits`].
///
/// On success the [`Built`] carries the warnings; on failure [`LoadError::Invalid`] carries
/// every problem, each naming its feature.
pub fn load_area(path: &Path, params: &AreaParams) -> Result<Built, LoadError> {
    let (spec, problems) = lastmetre_formats::read_area_file(path, &Limits::default())?;
    finish_loading(spec, problems, params)
}

/// [`load_area`] for GeoJSON already in memory.
pub fn load_area_bytes(bytes: &[u8], params: &AreaParams) -> Result<Built, LoadError> {
    let (spec, problems) = lastmetre_formats::read_area(bytes, &Limits::default());
    finish_loading(spec, problems, params)
}

fn finish_loading(spec: AreaSpec, mut problems: Vec<Problem>, params: &AreaParams) -> Result<Built, LoadError> {
    if problems.iter().any(Problem::is_error) {
        // Keep reading problems of the parts that did parse, so the user sees them all at once.
        if let Err(more) = lastmetre_area::build(&spec, params) {
            let rejected: HashSet<String> = problems.iter().filter_map(|p| p.feature.clone()).collect();
            problems.extend(more.into_iter().filter(|p| !is_cascade(p, &rejected)));
        }
        return Err(LoadError::Invalid(problems));
    }
    match lastmetre_area::build(&spec, params) {
        Ok(mut built) => {
            problems.append(&mut built.warnings);
            built.warnings = problems;
            Ok(built)
        }
        Err(more) => {
            problems.extend(more);
            Err(LoadError::Invalid(problems))
        }
    }
}

/// An OpenStreetMap import as an area file: the GeoJSON of [`formats::write_area`] with each
/// feature's `osm_id` and `estimated` values, and the collection's attribution, licence and
/// `source` (the extract's name) as its `properties`.
pub fn osm_area_geojson(import: &osm::Import, source: &str) -> serde_json::Value {
    lastmetre_formats::write_area_with(
        &import.spec,
        &|id| import.feature_properties(id),
        import.collection_properties(source),
    )
}

/// A problem that follows from a feature the reader already rejected: the area crate sees
/// only the features that parsed, so a "missing" gate or stairwell may just have bad JSON.
fn is_cascade(p: &Problem, rejected: &HashSet<String>) -> bool {
    match p.code {
        Code::NoGate => true,
        Code::DanglingStairwell | Code::DanglingBuilding => p.related.as_ref().is_some_and(|id| rejected.contains(id)),
        _ => false,
    }
}

/// The README's Rust example, compiled and run as a doc test so that it stays true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
