//! `lastmetre serve`: the dispatcher service.

use crate::BAD_INPUT;
use anyhow::Result;
use lastmetre::dispatch::Settings;
use lastmetre_serve::{Config, Tokens};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// What `serve` was asked.
pub(crate) struct Request {
    pub area: PathBuf,
    pub fleet: Option<PathBuf>,
    pub db: PathBuf,
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
    let config = Config {
        area: request.area,
        fleet: request.fleet,
        db: request.db,
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
