//! lastmetre plans last-metre delivery inside a sealed residential area: goods come in at a
//! gate, electric tricycles shuttle them to transfer stations, and porters carry them through
//! alleys and up the stairs of walk-up buildings.
//!
//! This crate is the library API other services call. It re-exports the workspace's crates
//! and adds one-call helpers.
//!
//! ```no_run
//! use lastmetre::{AreaParams, load_area};
//!
//! let built = load_area("data/niuxie/area.geojson".as_ref(), &AreaParams::default())?;
//! println!("{}", built.area.summary());
//! let matrices = built.area.matrices();
//! # Ok::<(), lastmetre::LoadError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::HashSet;
use std::path::Path;

pub use lastmetre_area as area;
pub use lastmetre_formats as formats;
pub use lastmetre_model as model;
pub use lastmetre_synth as synth;

pub use lastmetre_area::{Area, AreaSpec, Built, Code, Problem, Severity, Summary, TravelMatrices};
pub use lastmetre_formats::Limits;
pub use lastmetre_model::{AreaParams, Kg, Metres, MetresPerSecond, Seconds};

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
