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

fn plan_args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut args = vec![
        "plan".to_owned(),
        "--area".to_owned(),
        repo("data/niuxie/area.geojson"),
        "--orders".to_owned(),
        repo("data/niuxie/orders-noon.json"),
        "--iterations".to_owned(),
        "300".to_owned(),
        "--out".to_owned(),
        out.to_owned(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn run(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lastmetre")).args(args).output().expect("runs")
}

/// `lastmetre check` of a plan for the bundled area and noon batch.
fn check_bundled(plan: &Path) -> Output {
    lastmetre(&[
        "check",
        "--area",
        &repo("data/niuxie/area.geojson"),
        "--orders",
        &repo("data/niuxie/orders-noon.json"),
        "--plan",
        plan.to_str().unwrap(),
    ])
}

#[test]
fn plan_writes_plan_routes_and_sheets_and_check_accepts_them() {
    let plan = scratch("plan.json");
    let routes = scratch("routes.geojson");
    let sheets = scratch("sheets");
    let out = run(&plan_args(
        plan.to_str().unwrap(),
        &["--routes", routes.to_str().unwrap(), "--sheets", sheets.to_str().unwrap(), "--compare"],
    ));
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    // In the area's language: Chinese for an area in China.
    assert!(stdout.contains("订单        送达 250 / 250（0 个未派送）"), "{stdout}");
    assert!(stdout.contains("上楼") && !stdout.contains("stair climbs,"), "{stdout}");
    for row in ["stair_climbs", "porter_energy_kj", "tricycle_trips", "lastmetre", "manual", "%"] {
        assert!(stdout.contains(row), "comparison lacks {row}:\n{stdout}");
    }
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    assert_eq!(file["schema_version"], 1);
    for key in [
        "orders_total",
        "orders_delivered",
        "orders_unassigned",
        "tricycle_trips",
        "tricycle_km",
        "porter_outings",
        "stair_climbs",
        "vertical_m",
        "porter_energy_kj",
        "porter_energy_kj_max",
        "porter_walk_km",
        "last_delivery_s",
    ] {
        assert!(file["metrics"][key].is_number(), "metrics.{key} missing");
    }
    // Routes follow the lanes: more points than stops.
    let routes: serde_json::Value = serde_json::from_slice(&std::fs::read(&routes).unwrap()).unwrap();
    let features = routes["features"].as_array().unwrap();
    let trips = features.iter().filter(|f| f["properties"]["kind"] == "trip").count();
    assert_eq!(trips, file["trips"].as_array().unwrap().len());
    let first = &features[0];
    let stops = first["properties"]["stations"].as_str().unwrap().split(" → ").count() + 2;
    assert!(first["geometry"]["coordinates"].as_array().unwrap().len() > stops);
    // A sheet per porter, readable line by line, in Chinese for an area in China: floors and
    // doors as people say them, and no English word.
    let porter = std::fs::read_to_string(sheets.join("porter-1.md")).unwrap();
    assert!(porter.contains("搬运员 1") && porter.contains("站：取") && porter.contains("：上楼；"), "{porter}");
    assert!(porter.contains("楼 送 O-") && porter.contains("室）"), "{porter}");
    let words: Vec<&str> = porter
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() > 1 && !["orders", "noon"].contains(w))
        .collect();
    assert!(words.is_empty(), "English on a Chinese sheet: {words:?}\n{porter}");
    assert!(sheets.join("tricycle-2.md").exists());
    // The same in English on request.
    let english = scratch("sheets-en");
    let out = run(&plan_args(
        scratch("plan-en.json").to_str().unwrap(),
        &["--sheets", english.to_str().unwrap(), "--lang", "en"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let porter = std::fs::read_to_string(english.join("porter-1.md")).unwrap();
    assert!(porter.contains("Station") && porter.contains("climb;") && porter.contains("F drop O-"), "{porter}");

    let out = check_bundled(&plan);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("feasible; metrics match"));
}

#[test]
fn check_lists_violations_of_a_tampered_plan_and_exits_1() {
    let plan = scratch("tampered.json");
    assert_eq!(run(&plan_args(plan.to_str().unwrap(), &[])).status.code(), Some(0));
    let mut file: serde_json::Value = serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    file["metrics"]["stair_climbs"] = serde_json::json!(1);
    file["outings"][0]["climbs"][0]["drops"][0]["floor"] = serde_json::json!(99);
    std::fs::write(&plan, serde_json::to_vec(&file).unwrap()).unwrap();
    let out = check_bundled(&plan);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("WrongDoor") && stdout.contains("Metric: stair_climbs"), "{stdout}");
}

#[test]
fn bad_orders_exit_2_naming_the_order() {
    let orders = scratch("bad-orders.json");
    std::fs::write(
        &orders,
        r#"{"orders": [
            {"id": "A", "household": "nobody", "placed_at": "11:00", "bags": [{"kg": 2}]},
            {"id": "B", "household": "B1-S1-101", "placed_at": "11:00", "bags": [{"kg": 40}]},
            {"id": "C", "household": "B1-S1-101", "placed_at": "11:00", "bags": [{"kg": -1}]},
            {"id": "C", "household": "B1-S1-101", "placed_at": "11:00", "bags": [{"kg": 1}]}
        ]}"#,
    )
    .unwrap();
    let plan = scratch("never.json");
    let out = lastmetre(&[
        "plan",
        "--area",
        &repo("data/niuxie/area.geojson"),
        "--orders",
        orders.to_str().unwrap(),
        "--out",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    for needle in ["E303 [A]", "E305 [B]", "E304 [C]", "E302 [C]", "nothing was planned"] {
        assert!(stderr.contains(needle), "missing {needle:?} in\n{stderr}");
    }
}

#[test]
fn manual_policy_and_demand_work() {
    let orders = scratch("drill.json");
    let out = lastmetre(&[
        "demand",
        "--area",
        &repo("data/examples/tiny.geojson"),
        "--at",
        "18:00",
        "--orders",
        "6",
        "--out",
        orders.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan = scratch("manual.json");
    let out = lastmetre(&[
        "plan",
        "--area",
        &repo("data/examples/tiny.geojson"),
        "--orders",
        orders.to_str().unwrap(),
        "--policy",
        "manual",
        "--out",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("人工做法的计划"), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("订单        送达 6 / 6"));
}

/// The published instances beside the project (`.ci/run` sets LASTMETRE_BENCHMARKS). Where
/// the variable is set, a missing folder fails; where unset, the test says it was skipped.
fn benchmarks() -> Option<PathBuf> {
    match std::env::var_os("LASTMETRE_BENCHMARKS") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(dir.is_dir(), "LASTMETRE_BENCHMARKS={} is not a folder", dir.display());
            Some(dir)
        }
        None => {
            eprintln!("skipped: set LASTMETRE_BENCHMARKS to the shared benchmarks folder to run this test");
            None
        }
    }
}

#[test]
fn bench_cvrp_solves_and_checks_small_instances() {
    let Some(dir) = benchmarks() else { return };
    let csv = scratch("bench.csv");
    let sols = scratch("solutions");
    let out = lastmetre(&[
        "bench",
        "cvrp",
        dir.join("cvrp-augerat").to_str().unwrap(),
        "--only",
        "A-n33",
        "--seconds",
        "0.5",
        "--csv",
        csv.to_str().unwrap(),
        "--solutions",
        sols.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("A-n33-k5") && stdout.contains("A-n33-k6") && stdout.contains("mean gap"), "{stdout}");
    let table = std::fs::read_to_string(&csv).unwrap();
    assert!(table.starts_with("instance,cost,bks,gap_pct,seconds,feasible,error\n"), "{table}");
    assert_eq!(table.lines().filter(|l| l.ends_with(",true,")).count(), 2, "{table}");
    let sol = std::fs::read_to_string(sols.join("A-n33-k5.sol")).unwrap();
    assert!(sol.starts_with("Route #1: ") && sol.contains("\nCost "), "{sol}");
    // Every customer once.
    let mut seen: Vec<usize> = sol
        .lines()
        .filter(|l| l.starts_with("Route"))
        .flat_map(|l| l.split(':').nth(1).unwrap().split_whitespace().map(|c| c.parse::<usize>().unwrap()))
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (1..=32).collect::<Vec<_>>());
}

/// `--iterations` ends the search by its count, not the clock: two runs give the same
/// solution, long before the seconds run out, and the checker passes it. `--operators`
/// writes what each named operator did: one row per ruin and recreate, each kind's uses
/// adding up to the iterations run.
#[test]
fn bench_cvrp_with_an_iteration_budget_repeats_exactly_and_reports_its_operators() {
    let Some(dir) = benchmarks() else { return };
    let run = |name: &str| {
        let (csv, ops) = (scratch(&format!("{name}.csv")), scratch(&format!("{name}-operators.csv")));
        let out = lastmetre(&[
            "bench",
            "cvrp",
            dir.join("cvrp-augerat").to_str().unwrap(),
            "--only",
            "A-n33-k5",
            "--seconds",
            "120",
            "--iterations",
            "400",
            "--seed",
            "3",
            "--csv",
            csv.to_str().unwrap(),
            "--operators",
            ops.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
        let table = std::fs::read_to_string(&csv).unwrap();
        let row: Vec<String> = table.lines().nth(1).unwrap().split(',').map(str::to_owned).collect();
        assert_eq!(row[5], "true", "feasible by the checker: {table}");
        assert!(row[4].parse::<f64>().unwrap() < 60.0, "ended by iterations, not seconds: {table}");
        (row[1].clone(), std::fs::read_to_string(&ops).unwrap())
    };
    let (cost, operators) = run("iterations-1");
    assert_eq!(run("iterations-2").0, cost);
    let mut lines = operators.lines();
    assert_eq!(lines.next(), Some("instance,kind,operator,used,improved,accepted,new_best,gain"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let names: Vec<&str> = rows.iter().map(|r| r[2]).collect();
    let all = ["random", "related", "outings", "lightest", "worst", "strings", "reroot"].into_iter().chain([
        "regret",
        "random_order",
        "farthest_first",
        "heaviest_first",
    ]);
    for name in all {
        assert!(names.contains(&name), "{name}: {operators}");
    }
    for kind in ["ruin", "recreate"] {
        let used: u64 =
            rows.iter().filter(|r| r[0] == "A-n33-k5" && r[1] == kind).map(|r| r[3].parse::<u64>().unwrap()).sum();
        assert_eq!(used, 400, "{kind}: {operators}");
    }
    // One depot: the search never moves outings to another.
    assert!(rows.iter().any(|r| r[2] == "reroot" && r[3] == "0"), "{operators}");
}

/// A 2E-CVRP instance small enough to solve by hand: the depot between two satellites,
/// two customers at each, one city freighter per satellite. Both satellites' goods do not
/// fit one truck, so the best plan rides each satellite directly.
const TWO_ECHELON: &str = "!Trucks: (total #, capacity, cost per distance, fixcost)\n2,10,1,0\n\
    !CityFreighters: (max cf/sat, total #, cap, cost/dist, fixcost)\n1,2,6,1,0\n\
    !Stores: (first: depot x,y; then: satellites x,y)\n0,0   -20,0   30,0\n\
    !Customers: (x,y,demand)\n-20,3,3   -20,-3,3   30,4,2   33,0,4\n";

#[test]
fn bench_2ecvrp_solves_checks_and_writes_verifiable_solutions() {
    let dir = scratch("2e");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Tiny_E-n5.dat"), TWO_ECHELON).unwrap();
    std::fs::write(dir.join("bks.csv"), "instance,bks,source\nTiny_E-n5,124.00,by hand\n").unwrap();
    let (csv, sols) = (dir.join("out.csv"), dir.join("sols"));
    let out = lastmetre(&[
        "bench",
        "2ecvrp",
        dir.to_str().unwrap(),
        "--seconds",
        "0.3",
        "--csv",
        csv.to_str().unwrap(),
        "--solutions",
        sols.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    // Trucks: 2 × 20 + 2 × 30 = 100. Freighters: 2 × 3 + 6 = 12 at the first satellite;
    // 4 + 5 + 3 = 12 at the second. 124 in all.
    assert!(stdout.contains("Tiny_E-n5") && stdout.contains("124.00"), "{stdout}");
    assert!(stdout.contains("1 within 0.05 % of the BKS"), "{stdout}");
    let table = std::fs::read_to_string(&csv).unwrap();
    let row = table.lines().nth(1).unwrap_or_default();
    assert!(row.starts_with("Tiny_E-n5,124.00,124.00,0.000,") && row.ends_with(",true,"), "{table}");
    let sol = std::fs::read_to_string(sols.join("Tiny_E-n5.sol")).unwrap();
    // Routes without their numbers, customers sorted (either direction costs the same).
    let mut routes: Vec<String> = sol
        .lines()
        .map(|l| {
            let (kind, rest) = l.split_once(": ").unwrap_or((l, ""));
            let kind = kind.split(" #").next().unwrap();
            let mut words: Vec<&str> = rest.split_whitespace().collect();
            let last = words.len().saturating_sub(1);
            if kind == "Freighter" {
                words[1..last].sort_unstable();
            }
            format!("{kind}: {}", words.join(" "))
        })
        .collect();
    routes.sort_unstable();
    assert_eq!(
        routes,
        ["Cost 124.00: ", "Freighter: S1 1 2 S1", "Freighter: S2 3 4 S2", "Truck: D S1 (6) D", "Truck: D S2 (6) D"],
        "{sol}"
    );
}

#[test]
fn bench_2ecvrp_meets_the_proven_optima_of_small_published_instances() {
    let Some(dir) = benchmarks() else { return };
    let csv = scratch("bench-2e.csv");
    let out = lastmetre(&[
        "bench",
        "2ecvrp",
        dir.join("2ecvrp").to_str().unwrap(),
        "--only",
        "Set2a_E-n22-k4-s1",
        "--seconds",
        "1",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let table = std::fs::read_to_string(&csv).unwrap();
    // s10-14, s11-12 and s12-16: every solution feasible and no better than its proven
    // optimum (a cost below it would be a wrong cost).
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{table}");
    for row in rows {
        let cells: Vec<&str> = row.split(',').collect();
        let (cost, bks): (f64, f64) = (cells[1].parse().unwrap(), cells[2].parse().unwrap());
        assert!(cost >= bks - 0.01, "below a proven optimum: {row}");
        assert_eq!(cells[5], "true", "{row}");
    }
}

/// The later sets' store entries: `x,y,handling` and `x,y,handling,capacity,fixed`, with
/// vehicle fixed costs.
#[test]
fn bench_2ecvrp_reads_handling_costs_and_fixed_costs_into_the_objective() {
    let dir = scratch("2e-costs");
    std::fs::create_dir_all(&dir).unwrap();
    // The tiny instance with a handling cost of 1 per unit at both satellites (capacities
    // that bind nothing), trucks at 5 and freighters at 2 per vehicle used. Two trucks and
    // two freighters are needed whatever the plan: 124 + 12 units handled + 2 × 5 + 2 × 2.
    let costly = TWO_ECHELON
        .replace("2,10,1,0", "2,10,1,5")
        .replace("1,2,6,1,0", "1,2,6,1,2")
        .replace("-20,0   30,0", "-20,0,1.0,12,0   30,0,1.0,12,0");
    std::fs::write(dir.join("Costly.dat"), costly).unwrap();
    // One customer midway between two satellites: the one with the lower handling cost
    // serves it. Trucks 2 × 10, freighter 2 × √125, handling 1 × 1.
    let steered = "!Trucks\n1,10,1,0\n!CityFreighters\n1,1,10,1,0\n!Stores\n0,0,0.0   -10,0,3.0   10,0,1.0\n\
        !Customers\n0,5,1\n";
    std::fs::write(dir.join("Steered.dat"), steered).unwrap();
    let halfway = 20.0 + 2.0 * 125f64.sqrt() + 1.0;
    std::fs::write(
        dir.join("bks.csv"),
        format!("instance,bks,source\nCostly,150.00,by hand\nSteered,{halfway:.2},by hand\n"),
    )
    .unwrap();
    let (csv, sols) = (dir.join("out.csv"), dir.join("sols"));
    let out = lastmetre(&[
        "bench",
        "2ecvrp",
        dir.to_str().unwrap(),
        "--seconds",
        "0.3",
        "--csv",
        csv.to_str().unwrap(),
        "--solutions",
        sols.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let table = std::fs::read_to_string(&csv).unwrap();
    assert!(table.lines().any(|l| l.starts_with("Costly,150.00,150.00,0.000,") && l.ends_with(",true,")), "{table}");
    let steered_row = format!("Steered,{halfway:.2},{halfway:.2},");
    assert!(table.lines().any(|l| l.starts_with(&steered_row) && l.ends_with(",true,")), "{table}");
    let sol = std::fs::read_to_string(sols.join("Steered.sol")).unwrap();
    assert!(sol.contains(": S2 1 S2") && sol.contains(": D S2 (1) D"), "{sol}");
    // A satellite's fixed cost (which satellites to open) is refused by name.
    std::fs::write(dir.join("Costly.dat"), TWO_ECHELON.replace("30,0", "30,0,0,12,40")).unwrap();
    let out = lastmetre(&["bench", "2ecvrp", dir.to_str().unwrap(), "--seconds", "0.1", "--only", "Costly"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("satellite 2 has a fixed cost of 40"), "{}", text(&out.stderr));
}

#[test]
fn bench_2ecvrp_names_the_file_and_line_of_bad_input_and_goes_on() {
    let dir = scratch("2e-bad");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Bad.dat"), TWO_ECHELON.replace("33,0,4", "33,0")).unwrap();
    std::fs::write(dir.join("Good.dat"), TWO_ECHELON).unwrap();
    let csv = dir.join("table.csv");
    let out =
        lastmetre(&["bench", "2ecvrp", dir.to_str().unwrap(), "--seconds", "0.1", "--csv", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "an unreadable file is bad input");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Bad.dat") && stderr.contains("line 8"), "{stderr}");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("1 of 2 files unreadable") && stdout.contains("Bad"), "{stdout}");
    // The good file was solved all the same, and the bad one is a row with its error.
    let table = std::fs::read_to_string(&csv).unwrap();
    assert!(table.starts_with("instance,cost,bks,gap_pct,seconds,feasible,error\n"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("Good,") && l.ends_with(",true,")), "{table}");
    assert!(table.lines().any(|l| l.starts_with("Bad,,,,,,") && l.contains("line 8")), "{table}");
}

#[test]
fn validate_matrices_and_params() {
    let out = lastmetre(&["validate", &repo("data/niuxie/area.geojson"), "--matrices"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout.contains("matrices        20×20 tricycle, 19×47 site→door, 47×47 door→door"), "{stdout}");
    assert!(stdout.contains("farthest door"), "{stdout}");
    // A narrower tricycle opens the 1.2 m alley of the example to tricycles.
    let params = scratch("params.json");
    std::fs::write(&params, r#"{"tricycle_width": 0.6}"#).unwrap();
    let out = lastmetre(&["validate", &repo("data/examples/tiny.geojson"), "--params", params.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("0.11 km by tricycle"), "{}", text(&out.stdout));
    std::fs::write(&params, r#"{"tricycle_widht": 0.6}"#).unwrap();
    let out = lastmetre(&["validate", &repo("data/examples/tiny.geojson"), "--params", params.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("tricycle_widht"), "{}", text(&out.stderr));
}

#[test]
fn plan_start_sets_the_clock_and_threads_are_accepted() {
    let plan = scratch("start.json");
    let out = run(&plan_args(plan.to_str().unwrap(), &["--start", "13:30", "--threads", "2"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("本轮从 13:30 开始"), "{}", text(&out.stdout));
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    assert_eq!(file["cycle_start"], "13:30:00");
    let out = run(&plan_args(plan.to_str().unwrap(), &["--start", "half past one"]));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn simulate_plays_the_bundled_day_and_writes_its_outputs() {
    let dir = scratch("sim");
    let _ = std::fs::remove_dir_all(&dir);
    let area = repo("data/niuxie/area.geojson");
    let args = ["simulate", "--area", &area, "--generate-demand", "--seed", "4", "--iterations", "300"];
    let out = lastmetre(&[&args[..], &["--out", &dir.display().to_string()]].concat());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("day 1:") && stdout.contains("within two cycles"), "{stdout}");
    let cycles = std::fs::read_to_string(dir.join("cycles.csv")).unwrap();
    assert!(cycles.starts_with("day,cycle,start,new_orders,backlog,"));
    assert_eq!(cycles.lines().count(), 49, "a header and 48 cycles");
    let welfare = std::fs::read_to_string(dir.join("welfare.csv")).unwrap();
    assert_eq!(welfare.lines().count(), 9, "a header and 8 porters");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["violations"].as_array().map(Vec::len), Some(0));
    assert!(summary["days"][0]["orders"].as_u64().unwrap() > 150);
    let svg = std::fs::read_to_string(dir.join("chart.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("stair climbs") && svg.contains("<polyline"));
    // The same seed, the same day.
    let again = scratch("sim-again");
    let out = lastmetre(&[&args[..], &["--out", &again.display().to_string()]].concat());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(again.join("cycles.csv")).unwrap(), cycles.as_bytes());
}

#[test]
fn simulate_refuses_a_bad_orders_stream_naming_the_order() {
    let orders = scratch("stream.json");
    std::fs::write(&orders, r#"{"orders":[{"id":"X-1","household":"nobody","placed_at":"11:00","bags":[{"kg":3}]}]}"#)
        .unwrap();
    let area = repo("data/niuxie/area.geojson");
    let out = lastmetre(&[
        "simulate",
        "--area",
        &area,
        "--orders-stream",
        &orders.display().to_string(),
        "--out",
        &scratch("sim-bad").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("X-1"), "{}", text(&out.stderr));
}

#[test]
fn simulate_plays_the_rush_at_three_times_the_demand() {
    let area = repo("data/niuxie/area.geojson");
    let orders = |scale: &str| {
        let dir = scratch(&format!("sim-rush-{scale}"));
        let args = ["simulate", "--area", &area, "--generate-demand", "--seed", "5", "--iterations", "100"];
        let out = lastmetre(&[&args[..], &["--demand-scale", scale, "--out", &dir.display().to_string()]].concat());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary["violations"].as_array().map(Vec::len), Some(0), "every plan passes the checker");
        assert_eq!(summary["demand_scale"].as_f64(), scale.parse().ok(), "the summary says how it was played");
        summary["days"][0]["orders"].as_u64().unwrap() as f64
    };
    let (normal, rush) = (orders("1"), orders("3"));
    assert!((2.6..3.4).contains(&(rush / normal)), "{rush} orders at 3x against {normal}");
    for bad in ["0", "-1", "nan", "6"] {
        let out = lastmetre(&["simulate", "--area", &area, "--generate-demand", "--demand-scale", bad, "--out", "x"]);
        assert_eq!(out.status.code(), Some(2), "--demand-scale {bad}: {}", text(&out.stderr));
    }
}

#[test]
fn bench_pmed_and_cpmp_reach_the_proven_optima_of_small_instances() {
    let Some(dir) = benchmarks() else { return };
    for (family, folder, only, value) in
        [("pmed", "pmed", "pmed4", "3034"), ("pmed", "pmed", "pmed5", "1355"), ("cpmp", "cpmp", "pmedcap1(2)", "740")]
    {
        let csv = scratch(&format!("bench-{only}.csv"));
        let out = lastmetre(&[
            "bench",
            family,
            dir.join(folder).to_str().unwrap(),
            "--only",
            only,
            "--seconds",
            "30",
            "--csv",
            csv.to_str().unwrap(),
        ]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
        assert!(stdout.contains("optimal"), "{stdout}");
        let table = std::fs::read_to_string(&csv).unwrap();
        let row = table.lines().nth(1).unwrap();
        assert!(row.starts_with(&format!("{only},{value},{value},0.000,")) && row.ends_with(",true,"), "{row}");
    }
}

#[test]
fn place_keeps_its_time_and_says_when_no_placement_keeps_the_promises() {
    let dir = scratch("place-promises");
    let area = repo("data/niuxie/area.geojson");
    // One porter and one tricycle cannot serve 713 households in time.
    let fleet = dir.join("fleet.json");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&fleet, r#"{"porters": {"count": 1}, "tricycles": {"count": 1}}"#).unwrap();
    let started = std::time::Instant::now();
    let out = lastmetre(&[
        "place",
        "--area",
        &area,
        "--generate-demand",
        "--fleet",
        fleet.to_str().unwrap(),
        "--stations",
        "4..8/2",
        "--seconds",
        "30",
        "--iterations",
        "100",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let took = started.elapsed().as_secs_f64();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut reader = csv::Reader::from_path(dir.join("comparison.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name} column"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let names: Vec<&str> = rows.iter().map(|r| &r[column("placement")]).collect();
    assert_eq!(names, ["k=4", "k=6", "k=8", "current"], "every second count, then the current stations");
    assert!(rows.iter().all(|r| &r[column("promises_kept")] == "false"), "one porter keeps no promise");
    for r in &rows[..3] {
        assert!(r[column("solve_s")].parse::<f64>().unwrap() <= 30.0);
        assert!(
            r[column("bound")].parse::<f64>().unwrap() <= r[column("objective_kj_per_day")].parse::<f64>().unwrap()
        );
        assert!(["MILP", "heuristic"].contains(&&r[column("method")]), "{:?}", r);
    }
    let table = std::fs::read_to_string(dir.join("comparison.md")).unwrap();
    assert!(table.contains("No placement keeps the service promises with 1 porters and 1 tricycles"), "{table}");
    // The debug build simulates slowly: the budget is checked loosely here, and measured in
    // docs/placement.md.
    assert!(took < 300.0, "took {took:.0} s");
    let out = lastmetre(&[
        "place",
        "--area",
        &area,
        "--generate-demand",
        "--stations",
        "4..8/0",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "a step of 0 is bad input: {}", text(&out.stderr));
}

#[test]
fn place_sweeps_the_bundled_area_and_judges_each_placement_by_simulation() {
    let dir = scratch("place");
    let area = repo("data/niuxie/area.geojson");
    let out = lastmetre(&[
        "place",
        "--area",
        &area,
        "--generate-demand",
        "--seed",
        "3",
        "--stations",
        "7..8",
        "--open",
        "T3",
        "--iterations",
        "200",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let table = std::fs::read_to_string(dir.join("comparison.csv")).unwrap();
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "k = 7, 8 and the current stations\n{table}");
    assert!(rows[0].starts_with("k=7,7,") && rows[2].starts_with("current,8,"), "{table}");
    // The forced site is in every placement the model chose.
    assert!(rows[..2].iter().all(|r| r.split(',').nth(2).unwrap().split(' ').any(|s| s == "T3")), "{table}");
    let geo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("placements.geojson")).unwrap()).unwrap();
    assert_eq!(geo["features"].as_array().unwrap().len(), 7 + 8 + 8);
    assert!(std::fs::read_to_string(dir.join("chart.svg")).unwrap().contains("stair climbs"));
    assert!(std::fs::read_to_string(dir.join("comparison.md")).unwrap().starts_with("| placement |"));
    // Bad requests are bad input.
    for args in [&["--stations", "9..4"][..], &["--stations", "4", "--open", "NOPE"][..]] {
        let out = lastmetre(
            &[&["place", "--area", &area, "--generate-demand", "--out", dir.to_str().unwrap()][..], args].concat(),
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
    }
}

#[test]
fn import_osm_then_validate_plan_and_check() {
    let (osm, area, orders, plan) =
        (scratch("village.osm"), scratch("osm-area.geojson"), scratch("osm-noon.json"), scratch("osm-plan.json"));
    let (osm, area, orders, plan) =
        (osm.to_str().unwrap(), area.to_str().unwrap(), orders.to_str().unwrap(), plan.to_str().unwrap());
    let out = lastmetre(&["generate", "--households", "900", "--seed", "5", "--osm", "sparse", "--out", osm]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::read_to_string(osm).unwrap().starts_with("<?xml"));

    let out = lastmetre(&["import-osm", osm, "--out", area]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for part in [
        "households",
        "estimated:",
        "lane widths",
        "building levels",
        "stairwells",
        "© OpenStreetMap contributors",
        "valid",
    ] {
        assert!(stdout.contains(part), "missing {part:?} in\n{stdout}");
    }
    let written = std::fs::read_to_string(area).unwrap();
    assert!(written.contains("\"attribution\":\"© OpenStreetMap contributors\"") && written.contains("ODbL"));

    assert_eq!(lastmetre(&["validate", area]).status.code(), Some(0));
    assert_eq!(lastmetre(&["demand", "--area", area, "--out", orders]).status.code(), Some(0));
    let out = lastmetre(&["plan", "--area", area, "--orders", orders, "--iterations", "300", "--out", plan]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = lastmetre(&["check", "--area", area, "--orders", orders, "--plan", plan]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("feasible"));
}

#[test]
fn import_osm_refuses_bad_input_with_exit_2() {
    let osm = scratch("refuse.osm");
    let osm = osm.to_str().unwrap();
    assert_eq!(lastmetre(&["generate", "--households", "200", "--osm", "full", "--out", osm]).status.code(), Some(0));
    let out_file = scratch("refused.geojson");
    let out_file = out_file.to_str().unwrap();
    let geojson = repo("data/niuxie/area.geojson");
    let not_pbf = scratch("not-really.osm.pbf");
    std::fs::write(&not_pbf, "this is not a PBF file").unwrap();
    let not_pbf = not_pbf.to_str().unwrap();
    let cases: [(Vec<&str>, &str); 7] = [
        (vec![geojson.as_str()], "not an OSM XML file"),
        (vec![osm, "--gate", "424242"], "gate node 424242 is not in the file"),
        (vec![osm, "--gate", "north"], "--gate 'north'"),
        (vec![osm, "--bbox", "1,2,3"], "--bbox '1,2,3'"),
        (vec![osm, "--bbox", "0,0,1,1"], "no walkable way"),
        (vec!["area.osm.pbf"], "cannot read the PBF file: area.osm.pbf"),
        (vec![not_pbf], "cannot read the PBF file"),
    ];
    for (args, says) in cases {
        let mut full = vec!["import-osm"];
        full.extend(args.iter().copied());
        full.extend(["--out", out_file]);
        let out = lastmetre(&full);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{full:?}: {stderr}");
        assert!(stderr.contains(says), "{full:?} should say {says:?}, said: {stderr}");
    }
}

#[test]
fn import_osm_json_and_fleet_out_then_plan_with_the_sized_fleet_and_check() {
    let osm = scratch("sized.osm");
    let osm = osm.to_str().unwrap();
    assert_eq!(lastmetre(&["generate", "--households", "300", "--osm", "sparse", "--out", osm]).status.code(), Some(0));
    let area = scratch("sized.geojson");
    let area = area.to_str().unwrap();
    let fleet = scratch("sized-fleet.json");
    let fleet = fleet.to_str().unwrap();
    let out = lastmetre(&["import-osm", osm, "--out", area, "--json", "--fleet-out", fleet]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // stdout is the report alone, even while the fleet is sized.
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json prints one JSON object");
    assert!(report["households_kept"].as_u64().unwrap() > 0);
    assert!(report["stations_open"].as_u64().unwrap() >= 1);
    assert!(report["gate"]["why"].as_str().is_some_and(|w| w.contains("households")));
    assert!(text(&out.stderr).contains("porters"), "the sizing table goes to stderr");

    // `size` alone writes the same kind of file.
    let fleet2 = scratch("sized-fleet-2.json");
    let fleet2 = fleet2.to_str().unwrap();
    let out = lastmetre(&["size", "--area", area, "--out", fleet2]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("porters and"), "{}", text(&out.stdout));
    let sized: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fleet2).unwrap()).unwrap();
    assert!(sized["porters"]["count"].as_u64().unwrap() >= 1);

    let orders = scratch("sized-noon.json");
    let orders = orders.to_str().unwrap();
    assert_eq!(lastmetre(&["demand", "--area", area, "--out", orders]).status.code(), Some(0));
    let plan = scratch("sized-plan.json");
    let plan = plan.to_str().unwrap();
    let out = lastmetre(&["plan", "--area", area, "--orders", orders, "--fleet", fleet, "--out", plan]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = lastmetre(&["check", "--area", area, "--orders", orders, "--fleet", fleet, "--plan", plan]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("feasible"));
}
