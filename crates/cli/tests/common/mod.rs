//! The service under test: `lastmetre serve` on loopback, and plain HTTP calls to it.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const DISPATCHER: &str = "dispatcher-token-for-tests-0001";
pub const VIEWER: &str = "viewer-token-for-tests-000001";

pub fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path).display().to_string()
}

pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

/// The path of a scratch file, left as it is (a ledger a running server uses).
pub fn scratch_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve").join(name)
}

/// A running `lastmetre serve`, killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Server {
    pub fn start(db: &Path) -> Server {
        Server::start_with(db, &[])
    }

    /// With more arguments (`--fleet F`, say).
    pub fn start_with(db: &Path, more: &[&str]) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_lastmetre"))
            .args(["serve", "--area", &repo("data/niuxie/area.geojson"), "--db"])
            .arg(db)
            .args(more)
            .args(["--listen", "127.0.0.1:0", "--iterations", "300"])
            .args(if more.contains(&"--max-body-kb") { &[][..] } else { &["--max-body-kb", "64"][..] })
            .env("LASTMETRE_TOKENS", format!("dispatcher:{DISPATCHER},viewer:{VIEWER}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts");
        Server::listening(child)
    }

    /// `lastmetre serve` with exactly these arguments (areas, ledger, tokens file), on a
    /// free port.
    pub fn spawn(args: &[&str]) -> Server {
        Server::spawn_at(args, "127.0.0.1:0")
    }

    /// [`Server::spawn`] at an address of the caller's (the same port again after a kill).
    pub fn spawn_at(args: &[&str], listen: &str) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_lastmetre"))
            .arg("serve")
            .args(args)
            .args(["--listen", listen, "--iterations", "200"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts");
        Server::listening(child)
    }

    /// The server once it says where it listens (its first line on stdout).
    fn listening(mut child: Child) -> Server {
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url =
            line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("no address in {line:?}")).to_owned();
        Server { child, url }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// Status and body (JSON when it parses, else a JSON string).
pub fn call(method: &str, url: &str, token: Option<&str>, body: Option<&str>, key: Option<&str>) -> (u16, Value) {
    try_call(method, url, token, body, key).expect("the server answers")
}

/// [`call`], or `None` when the server does not answer (it was killed).
pub fn try_call(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
    key: Option<&str>,
) -> Option<(u16, Value)> {
    let agent = agent();
    let mut response = match (method, body) {
        ("GET", _) => {
            let mut r = agent.get(url);
            if let Some(t) = token {
                r = r.header("Authorization", &format!("Bearer {t}"));
            }
            r.call()
        }
        (_, body) => {
            let mut r = agent.post(url).header("Content-Type", "application/json");
            if let Some(t) = token {
                r = r.header("Authorization", &format!("Bearer {t}"));
            }
            if let Some(k) = key {
                r = r.header("Idempotency-Key", k);
            }
            r.send(body.unwrap_or(""))
        }
    }
    .ok()?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().ok()?;
    Some((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

pub fn get(s: &Server, path: &str, token: Option<&str>) -> (u16, Value) {
    call("GET", &format!("{}{path}", s.url), token, None, None)
}

pub fn post(s: &Server, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    call("POST", &format!("{}{path}", s.url), token, Some(&body.to_string()), None)
}

/// A generated area of `households` households in `dir`, as `ID.geojson`.
pub fn generated_area(dir: &Path, id: &str, households: usize, seed: u64) -> PathBuf {
    let out = dir.join(format!("{id}.geojson"));
    let status = Command::new(env!("CARGO_BIN_EXE_lastmetre"))
        .args(["generate", "--households", &households.to_string(), "--seed", &seed.to_string(), "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "generate {id}");
    out
}

pub fn noon_orders() -> Vec<Value> {
    let text = std::fs::read_to_string(repo("data/niuxie/orders-noon.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["orders"].as_array().unwrap().clone()
}

pub fn has_key(v: &Value, key: &str) -> bool {
    match v {
        Value::Object(m) => m.contains_key(key) || m.values().any(|x| has_key(x, key)),
        Value::Array(a) => a.iter().any(|x| has_key(x, key)),
        _ => false,
    }
}

/// Debian's Chromium, if installed.
pub fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].iter().map(PathBuf::from).find(|p| p.exists())
}

/// Headless Chromium with the flags this machine's closed network needs, a profile of its
/// own, and a virtual-time budget in ms; the caller adds the window, what to do and the URL.
pub fn headless(browser: &Path, profile: &Path, budget_ms: u32) -> Command {
    let mut command = Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--virtual-time-budget={budget_ms}"))
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// The exit code of `lastmetre ledger check --db DB`.
pub fn ledger_check(db: &Path) -> Option<i32> {
    Command::new(env!("CARGO_BIN_EXE_lastmetre"))
        .args(["ledger", "check", "--db"])
        .arg(db)
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .code()
}
