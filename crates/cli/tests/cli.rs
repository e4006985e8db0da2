//! End-to-end: the `lastmetre` binary on the bundled area, a broken one, and generated ones.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn lastmetre(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lastmetre")).args(args).output().expect("runs")
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path).display().to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn validate_bundled_area_prints_the_summary() {
    let out = lastmetre(&["validate", &repo("data/niuxie/area.geojson")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for line in ["households      713", "residents       1681", "stations        8 open of", "gates           1"] {
        assert!(stdout.contains(line), "missing {line:?} in\n{stdout}");
    }
    assert!(stdout.contains("km by tricycle") && stdout.contains("km on foot only"));
    assert!(stdout.contains("highest floor"));
}

#[test]
fn validate_broken_area_lists_every_problem_and_exits_2() {
    let out = lastmetre(&["validate", &repo("data/examples/broken.geojson")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    for needle in [
        "E011 [h-402]",
        "E004 [tree-1]",
        "E006 [site-2]",
        "E104 [alley-1]",
        "E103 [h-501]",
        "E101 [h-201]",
        "E202 [site-far]",
        "E201 [island-1]",
        "hint:",
        "invalid, 8 error(s)",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in\n{stderr}");
    }
}

#[test]
fn validate_json_report_is_machine_readable() {
    let out = lastmetre(&["validate", "--json", &repo("data/examples/broken.geojson")]);
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["valid"], false);
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 8);
    assert!(problems.iter().any(|p| p["code"] == "E011" && p["feature"] == "h-402"));
    assert!(problems.iter().all(|p| p["feature"].is_string() && p["hint"].is_string()));
}

#[test]
fn missing_and_non_json_files_are_bad_input() {
    let out = lastmetre(&["validate", "/nonexistent/area.geojson"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /nonexistent/area.geojson"));
    let junk = scratch("junk.geojson");
    std::fs::write(&junk, "not json at all").unwrap();
    let out = lastmetre(&["validate", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("E001"), "{}", text(&out.stderr));
}

#[test]
fn graph_out_writes_lanes_with_passability_and_connectors() {
    let graph = scratch("graph.geojson");
    let out = lastmetre(&["validate", &repo("data/examples/tiny.geojson"), "--graph-out", graph.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&graph).unwrap()).unwrap();
    assert_eq!(v["type"], "FeatureCollection");
    let features = v["features"].as_array().unwrap();
    let of_kind = |k: &str| features.iter().filter(|f| f["properties"]["kind"] == k).collect::<Vec<_>>();
    // gate, two sites, two doors: five connectors.
    assert_eq!(of_kind("connector").len(), 5);
    let lanes = of_kind("lane");
    assert!(lanes.iter().any(|f| f["properties"]["lane_id"] == "street-1" && f["properties"]["tricycle"] == true));
    assert!(lanes.iter().any(|f| f["properties"]["lane_id"] == "steps-1" && f["properties"]["tricycle"] == false));
    assert_eq!(of_kind("door").len(), 2);
    assert_eq!(of_kind("gate").len(), 1);
}

#[test]
fn generate_then_validate_round_trips() {
    let area = scratch("generated.geojson");
    let area_arg = area.to_str().unwrap();
    let out = lastmetre(&["generate", "--households", "333", "--seed", "9", "--out", area_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let first = std::fs::read(&area).unwrap();
    let out = lastmetre(&["validate", area_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("households      333"));
    // Same seed, same file.
    lastmetre(&["generate", "--households", "333", "--seed", "9", "--out", area_arg]);
    assert_eq!(first, std::fs::read(&area).unwrap());
}

#[test]
fn generate_refuses_impossible_requests() {
    let area = scratch("refused.geojson");
    let out = lastmetre(&["generate", "--households", "0", "--out", area.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot generate 0 households"));
}
