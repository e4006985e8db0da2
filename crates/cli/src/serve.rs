//! `lastmetre serve`: the dispatcher service.

use crate::BAD_INPUT;
use anyhow::Result;
use lastmetre::dispatch::Settings;
use lastmetre_serve::{AreaSource, Config, Tokens};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `serve` was asked.
pub(crate) struct Request {
    pub area: Vec<String>,
    pub areas: Option<PathBuf>,
    pub fleet: Option<PathBuf>,
    pub db: Option<PathBuf>,
    pub listen: SocketAddr,
    pub tokens: Option<PathBuf>,
    pub utc_offset: Option<String>,
    pub iterations: u64,
    pub max_body_kb: usize,
}

pub(crate) fn run(request: Request) -> Result<ExitCode> {
    // Tokens from the file, else LASTMETRE_TOKENS; never printed.
    let text = match &request.tokens {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read tokens file {}: {e}", path.display());
                return Ok(ExitCode::from(BAD_INPUT));
            }
        },
        None => std::env::var("LASTMETRE_TOKENS").unwrap_or_default(),
    };
    let tokens = match Tokens::parse(&text) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "error: tokens: {e}; give --tokens FILE (lines `dispatcher TOKEN`, `viewer TOKEN`) or LASTMETRE_TOKENS"
            );
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let utc_offset = match request.utc_offset.as_deref().map(lastmetre_serve::clock::parse_offset) {
        None => None,
        Some(Some(offset)) => Some(offset),
        Some(None) => {
            eprintln!(
                "error: --utc-offset {} is not a time zone offset; give +08:00, -05:30 or hours east of UTC",
                request.utc_offset.unwrap_or_default()
            );
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let areas = match area_sources(&request) {
        Ok(areas) => areas,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let config = Config {
        areas,
        listen: request.listen,
        tokens,
        settings: Settings { iterations: request.iterations, ..Settings::default() },
        utc_offset,
        max_body: request.max_body_kb * 1024,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match runtime.block_on(lastmetre_serve::serve(config)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(BAD_INPUT))
        }
    }
}

/// The areas asked for, each with its fleet and ledger.
fn area_sources(request: &Request) -> Result<Vec<AreaSource>, String> {
    let mut named: Vec<(String, PathBuf)> = Vec::new();
    for spec in &request.area {
        let (id, file) = match spec.split_once('=') {
            Some((id, file)) => (id.trim().to_owned(), PathBuf::from(file)),
            None => (stem(Path::new(spec))?, PathBuf::from(spec)),
        };
        named.push((id, file));
    }
    if let Some(dir) = &request.areas {
        let listing = std::fs::read_dir(dir).map_err(|e| format!("--areas {}: {e}", dir.display()))?;
        let mut files: Vec<PathBuf> = listing
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "geojson"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(format!("--areas {}: no *.geojson area files in it", dir.display()));
        }
        for file in files {
            named.push((stem(&file)?, file));
        }
    }
    if named.is_empty() {
        return Err("give the area: --area FILE, --area ID=FILE (repeatable) or --areas DIR".into());
    }
    // A folder of ledgers for --areas or several areas, a file for one --area: decided by
    // how the areas are given, so that a folder of one area stays a folder.
    let many = request.areas.is_some() || named.len() > 1;
    if many && request.db.is_none() && Path::new("lastmetre.db").is_file() {
        return Err(
            "several areas keep their ledgers in a folder (--db DIR, default lastmetre-ledgers), and lastmetre.db is here: \
             give --db, or move lastmetre.db to lastmetre-ledgers/ID.db so that its area keeps its history"
                .into(),
        );
    }
    let db =
        request.db.clone().unwrap_or_else(|| PathBuf::from(if many { "lastmetre-ledgers" } else { "lastmetre.db" }));
    if many {
        if db.is_file() {
            return Err(format!(
                "--db {}: with many areas, --db is a folder of ledgers (ID.db), not a file",
                db.display()
            ));
        }
        std::fs::create_dir_all(&db).map_err(|e| format!("--db {}: {e}", db.display()))?;
    }
    Ok(named
        .into_iter()
        .map(|(id, area)| {
            // An area's own fleet beside its file wins over --fleet.
            let beside = area.with_file_name(format!("{id}.fleet.json"));
            let fleet = if beside.is_file() { Some(beside) } else { request.fleet.clone() };
            let db = if many { db.join(format!("{id}.db")) } else { db.clone() };
            AreaSource { id, area, fleet, db }
        })
        .collect())
}

fn stem(file: &Path) -> Result<String, String> {
    file.file_stem()
        .and_then(|s| s.to_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("{}: no file name to take the area id from; give ID=FILE", file.display()))
}
