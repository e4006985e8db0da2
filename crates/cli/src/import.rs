//! `lastmetre import-osm`: an OpenStreetMap extract becomes an area file.

use crate::{BAD_INPUT, print_problems};
use anyhow::{Context, Result};
use lastmetre::osm::{Boundary, GateChoice, ImportParams, LonLat, Options, boundary_from_geojson, import};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Largest extract read: far beyond a sealed area (a 1 km² export is about 2 MB).
const MAX_BYTES: u64 = 512 << 20;

/// What `import-osm` was asked.
pub(crate) struct Request<'a> {
    pub file: &'a Path,
    pub out: &'a Path,
    pub boundary: Option<&'a Path>,
    pub bbox: Option<&'a str>,
    pub gate: Option<&'a str>,
    pub params: Option<&'a Path>,
    /// Print the report as JSON on stdout instead of the summary.
    pub json: bool,
    /// Size the fleet for the imported area and write it here.
    pub fleet_out: Option<&'a Path>,
}

/// Something the user must fix, said once, with exit status 2.
fn refuse(message: impl std::fmt::Display) -> Result<ExitCode> {
    eprintln!("error: {message}");
    Ok(ExitCode::from(BAD_INPUT))
}

fn parse_gate(raw: &str) -> Option<GateChoice> {
    match raw.split_once(',') {
        Some((lon, lat)) => {
            let at = LonLat::new(lon.trim().parse().ok()?, lat.trim().parse().ok()?);
            at.is_lon_lat().then_some(GateChoice::At(at))
        }
        None => raw.trim().parse().ok().map(GateChoice::Node),
    }
}

fn parse_bbox(raw: &str) -> Option<[f64; 4]> {
    let v: Vec<f64> = raw.split(',').map(|x| x.trim().parse().ok()).collect::<Option<_>>()?;
    v.try_into().ok()
}

pub(crate) fn run(request: &Request) -> Result<ExitCode> {
    let started = Instant::now();
    let name = request.file.display().to_string();
    let params = match request.params {
        None => ImportParams::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            match serde_json::from_str(&text) {
                Ok(p) => p,
                Err(e) => return refuse(format!("bad parameters file {}: {e}", path.display())),
            }
        }
    };
    let boundary = match (request.boundary, request.bbox) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            match boundary_from_geojson(&text) {
                Ok(b) => Some(b),
                Err(e) => return refuse(format!("{}: {e}", path.display())),
            }
        }
        (None, Some(raw)) => match parse_bbox(raw).map(Boundary::checked_bbox) {
            Some(Ok(b)) => Some(b),
            Some(Err(e)) => return refuse(e),
            None => return refuse(format!("--bbox '{raw}' is not four numbers W,S,E,N")),
        },
        (None, None) => None,
    };
    let gate = match request.gate {
        None => None,
        Some(raw) => match parse_gate(raw) {
            Some(g) => Some(g),
            None => return refuse(format!("--gate '{raw}' is neither an OSM node id nor LON,LAT in WGS-84 degrees")),
        },
    };
    let area_params = params.area.clone();
    let options = Options { boundary, gate, params };
    let imported = if name.ends_with(".pbf") {
        // Streamed and clipped to the boundary's box as it is read: no size limit.
        match lastmetre::osm::import_pbf(request.file, &options) {
            Ok(i) => i,
            Err(e) => return refuse(format!("{name}: {e}")),
        }
    } else {
        let size = std::fs::metadata(request.file).with_context(|| format!("cannot read {name}"))?.len();
        if size > MAX_BYTES {
            return refuse(format!(
                "{name} is {size} bytes, more than {MAX_BYTES}; cut the extract to the area first, or give it as .osm.pbf with --bbox"
            ));
        }
        let bytes = std::fs::read(request.file).with_context(|| format!("cannot read {name}"))?;
        let Ok(text) = String::from_utf8(bytes) else {
            return refuse(format!("{name}: not an OSM XML file (not UTF-8 text); export from openstreetmap.org"));
        };
        match import(&text, &options) {
            Ok(i) => i,
            Err(e) => return refuse(format!("{name}: {e}")),
        }
    };
    let source = request.file.file_name().map_or(name.clone(), |f| f.to_string_lossy().into_owned());
    let geojson = lastmetre::osm_area_geojson(&imported, &source);
    if let Some(dir) = request.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let out = request.out.display();
    let file = std::fs::File::create(request.out).with_context(|| format!("cannot write {out}"))?;
    let mut writer = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut writer, &geojson).with_context(|| format!("cannot write {out}"))?;
    writeln!(writer).and_then(|()| writer.flush()).with_context(|| format!("cannot write {out}"))?;
    // A district's area is a tree of a million JSON values; the process ends soon, and
    // freeing them one by one would take a sixth of the import.
    std::mem::forget(geojson);

    let elapsed = started.elapsed().as_secs_f64();
    if request.json {
        println!("{}", serde_json::to_string_pretty(&imported.report())?);
    } else {
        print_summary(&imported, &out.to_string(), elapsed);
    }
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    if !request.json {
        println!("© OpenStreetMap contributors, ODbL: the attribution and licence are kept in the file's properties");
    }
    let mut problems = imported.problems.clone();
    if request.json {
        // The problems are in the report's `valid`; list them on stderr only when it fails.
        if !imported.is_valid() {
            print_problems(&mut problems);
        }
    } else {
        print_problems(&mut problems);
    }
    if !imported.is_valid() {
        eprintln!("{out}: written, but it does not validate; fix the errors above (docs/area-format.md)");
        return Ok(ExitCode::from(BAD_INPUT));
    }
    if !request.json {
        println!("{out}: valid, {} warning(s); next: lastmetre validate {out}", problems.len());
    }
    if let Some(fleet_out) = request.fleet_out {
        let built = match lastmetre::load_area(request.out, &area_params) {
            Ok(b) => b,
            Err(e) => return refuse(format!("{out}: {e}")),
        };
        let demand = lastmetre::sim::generated_demand(&built.area, 1, 1);
        let fleet = lastmetre::Fleet::default();
        let sized = crate::size::size_and_write(
            &built.area,
            &fleet,
            &demand,
            1,
            1,
            crate::size::ITERATIONS,
            crate::size::MAX_PORTERS,
            fleet_out,
            request.json,
        )?;
        if !sized.found {
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The human summary: what was kept, the gate and its rivals, what was left out and guessed.
fn print_summary(imported: &lastmetre::osm::Import, out: &str, seconds: f64) {
    let spec = &imported.spec;
    let estimated_total = imported.households_kept() + imported.households_dropped();
    println!(
        "{out}: {} households ({:.1} % of the {estimated_total} estimated inside the boundary), {} stairwells, {} buildings, {} lanes, {} gate(s), {} station sites ({} open), in {seconds:.2} s",
        spec.households.len(),
        if estimated_total > 0 { 100.0 * imported.households_kept() as f64 / estimated_total as f64 } else { 100.0 },
        spec.stairwells.len(),
        spec.buildings.len(),
        spec.lanes.len(),
        spec.gates.len(),
        spec.sites.len(),
        spec.sites.iter().filter(|s| s.open).count(),
    );
    if let Some(share) = imported.station_reach {
        println!("stations: {:.1} % of households have an open station within the walk target on foot", 100.0 * share);
    }
    println!("gate: {}", imported.gate_why);
    if imported.gate_candidates.len() > 1 {
        println!("gate candidates (pass one with --gate NODE_ID or --gate LON,LAT):");
        for c in &imported.gate_candidates {
            println!(
                "  {} {:<16} {:<16} at {:.7},{:.7}: {} households on foot, {} near its {:.1} km of tricycle lanes",
                if c.chosen { "*" } else { " " },
                c.osm,
                c.kind,
                c.at.lon,
                c.at.lat,
                c.households_on_foot,
                c.households_by_tricycle,
                c.tricycle_lane_m / 1000.0
            );
        }
    }
    /// Groups printed; `--json` has them all.
    const GROUPS_SHOWN: usize = 10;
    for d in imported.dropped.iter().take(GROUPS_SHOWN) {
        let at = d.at.map_or(String::new(), |p| format!(" around {:.6},{:.6}", p.lon, p.lat));
        println!(
            "left out ({}){at}: {} households, {} stairwells, {} buildings, e.g. {}; {}",
            d.reason.as_str(),
            d.households,
            d.stairwells,
            d.buildings,
            d.examples.join(", "),
            d.reason.fix()
        );
    }
    if let Some(more) = imported.dropped.len().checked_sub(GROUPS_SHOWN).filter(|n| *n > 0) {
        let households: usize = imported.dropped.iter().skip(GROUPS_SHOWN).map(|d| d.households).sum();
        println!("left out: {more} smaller group(s) more, {households} households in all (every group is in --json)");
    }
    let estimated = imported.estimated();
    if estimated.is_empty() {
        println!("estimated: nothing");
    } else {
        let counts: Vec<String> = estimated.iter().map(|(k, n)| format!("{n} {k}")).collect();
        println!(
            "estimated: {} (marked `estimated` in each feature's properties: check them on the ground)",
            counts.join(", ")
        );
    }
}

/// `--osm` of `generate`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OsmDetail {
    /// Every width, level count, flat count and entrance.
    Full,
    /// As a typical OSM map: some widths, levels, flats and entrances missing.
    Sparse,
}

/// The generated village as OSM XML, for trying the importer without real data.
pub(crate) fn write_generated(spec: &lastmetre::AreaSpec, detail: OsmDetail, out: &Path) -> Result<()> {
    let detail = match detail {
        OsmDetail::Full => lastmetre::osm::export::Detail::Full,
        OsmDetail::Sparse => lastmetre::osm::export::Detail::Sparse,
    };
    let xml = lastmetre::osm::export::to_osm_xml(spec, detail);
    std::fs::write(out, xml).with_context(|| format!("cannot write {}", out.display()))
}
