//! Load generator for `lastmetre serve`: sustained order submissions at a fixed rate while
//! re-plans run, then a check that every acknowledged order is there.
//!
//! ```sh
//! LASTMETRE_TOKENS=dispatcher:load-test-token-0123456789 \
//!   target/release/lastmetre serve --area data/niuxie/area.geojson --db /tmp/load.db &
//! cargo run --release -p lastmetre-serve --example load -- http://127.0.0.1:8080 load-test-token-0123456789 \
//!   --rate 600 --seconds 20 --replan-every 2
//! ```
//!
//! Latency is measured from when each request was due (open loop, so a stalled server cannot
//! hide its queue), and reported as p50 / p90 / p99 / max over the whole run.
//!
//! `--district` drives every area of a many-area service (`GET /areas`): orders go to the
//! areas in turn, and each re-plan is a tick that plans every area at once; the tick's wall
//! time is when the last area's plan came back. `--preload F` first gives each area a
//! cycle's batch of F orders per household.

use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Args {
    url: String,
    token: String,
    rate: f64,
    seconds: f64,
    replan_every: f64,
    workers: usize,
    district: bool,
    preload: f64,
}

fn args() -> Args {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: f64| -> f64 {
        all.iter().position(|a| a == name).and_then(|i| all.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
    };
    let positional: Vec<&String> = all.iter().take_while(|a| !a.starts_with("--")).collect();
    if positional.len() < 2 {
        eprintln!(
            "usage: load URL TOKEN [--rate 600] [--seconds 20] [--replan-every 2] [--workers 48] [--district] [--preload 0.07]"
        );
        std::process::exit(2);
    }
    Args {
        url: positional[0].trim_end_matches('/').to_owned(),
        token: positional[1].clone(),
        rate: flag("--rate", 600.0),
        seconds: flag("--seconds", 20.0),
        replan_every: flag("--replan-every", 2.0),
        workers: flag("--workers", 48.0) as usize,
        district: all.iter().any(|a| a == "--district"),
        preload: flag("--preload", 0.0),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let a = args();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let auth = format!("Bearer {}", a.token);
    let get = |url: &str| -> Value {
        agent
            .get(url)
            .header("Authorization", &auth)
            .call()
            .expect("the server answers")
            .body_mut()
            .read_json()
            .expect("JSON")
    };
    // Where each area's routes are: the top for one area, /areas/{id} for each of many.
    let bases: Vec<String> = if a.district {
        let listed = get(&format!("{}/areas", a.url));
        let running = listed["areas"].as_array().into_iter().flatten().filter(|x| x["state"] == "running");
        running.filter_map(|x| x["id"].as_str()).map(|id| format!("{}/areas/{id}", a.url)).collect()
    } else {
        vec![a.url.clone()]
    };
    assert!(!bases.is_empty(), "no area is running");
    let households: Vec<Vec<String>> = bases
        .iter()
        .map(|base| {
            let area = get(&format!("{base}/area"));
            let ids: Vec<String> = area["features"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["properties"]["kind"] == "household")
                .filter_map(|f| f["id"].as_str().map(str::to_owned))
                .collect();
            assert!(!ids.is_empty(), "no households visible at {base}: use a dispatcher token");
            ids
        })
        .collect();
    let run = format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis());
    let total = (a.rate * a.seconds) as usize;
    // A cycle's batch in every area before the run, so that the ticks plan a real backlog.
    for (base, ids) in bases.iter().zip(&households) {
        let n = (a.preload * ids.len() as f64).round() as usize;
        if n == 0 {
            continue;
        }
        let batch: Vec<Value> = (0..n)
            .map(|k| {
                json!({"id": format!("pre-{run}-{k:05}"), "household": ids[(k * 7919) % ids.len()],
                "placed_at": "11:00", "bags": [{"kg": 2.5}]})
            })
            .collect();
        let r = agent
            .post(&format!("{base}/orders"))
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(json!(batch).to_string())
            .expect("the server answers");
        assert_eq!(r.status().as_u16(), 201, "preload at {base}");
    }
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let acknowledged = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let failures = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut threads = Vec::new();
    for _ in 0..a.workers {
        let (agent, auth, bases, households, run) =
            (agent.clone(), auth.clone(), bases.clone(), households.clone(), run.clone());
        let (next, latencies, acknowledged, failures) =
            (next.clone(), latencies.clone(), acknowledged.clone(), failures.clone());
        let rate = a.rate;
        threads.push(std::thread::spawn(move || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let due = Duration::from_secs_f64(i as f64 / rate);
                if let Some(wait) = due.checked_sub(start.elapsed()) {
                    std::thread::sleep(wait);
                }
                let id = format!("load-{run}-{i:07}");
                let (b, k) = (i % bases.len(), i / bases.len());
                let order = json!({"id": id, "household": households[b][k % households[b].len()], "placed_at": "11:00",
                    "bags": [{"kg": 2.5, "label": "vegetables"}]});
                let sent = agent
                    .post(&format!("{}/orders", bases[b]))
                    .header("Authorization", &auth)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", &id)
                    .send(order.to_string());
                let latency = (start.elapsed() - due).as_secs_f64() * 1000.0;
                match sent {
                    Ok(r) if r.status().as_u16() == 201 => {
                        latencies.lock().unwrap().push(latency);
                        acknowledged.lock().unwrap().push((b, id));
                    }
                    _ => {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    // Re-plans while the orders come in: each tick plans every area at once.
    let done = Arc::new(AtomicBool::new(false));
    let planner = {
        let (agent, auth, bases, done) = (agent.clone(), auth.clone(), bases.clone(), done.clone());
        let every = a.replan_every;
        std::thread::spawn(move || {
            let (mut ticks, mut plans) = (Vec::new(), Vec::new());
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_secs_f64(every));
                let tick = Instant::now();
                let each: Vec<_> = bases
                    .iter()
                    .map(|base| {
                        let (agent, auth, url) = (agent.clone(), auth.clone(), format!("{base}/plan"));
                        std::thread::spawn(move || {
                            let t = Instant::now();
                            let r = agent
                                .post(&url)
                                .header("Authorization", &auth)
                                .header("Content-Type", "application/json")
                                .send("{}");
                            matches!(r, Ok(ref r) if r.status().as_u16() == 201).then(|| t.elapsed().as_secs_f64())
                        })
                    })
                    .collect();
                let answered: Vec<Option<f64>> = each.into_iter().map(|h| h.join().unwrap()).collect();
                if answered.iter().all(Option::is_some) {
                    ticks.push(tick.elapsed().as_secs_f64());
                }
                plans.extend(answered.into_iter().flatten());
            }
            (ticks, plans)
        })
    };
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let (ticks, plans) = planner.join().unwrap();

    let mut l = latencies.lock().unwrap().clone();
    l.sort_by(f64::total_cmp);
    let acknowledged = acknowledged.lock().unwrap().clone();
    println!(
        "submitted   {total} orders in {elapsed:.1} s: {} acknowledged, {} failed",
        acknowledged.len(),
        failures.load(Ordering::Relaxed)
    );
    println!(
        "throughput  {:.0} acknowledged orders/s (target rate {:.0}/s)",
        acknowledged.len() as f64 / elapsed,
        a.rate
    );
    println!(
        "latency     p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&l, 0.5),
        percentile(&l, 0.9),
        percentile(&l, 0.99),
        l.last().copied().unwrap_or(f64::NAN)
    );
    let mut p = plans.clone();
    p.sort_by(f64::total_cmp);
    println!(
        "re-plans    {} during the run, median {:.2} s, longest {:.2} s",
        p.len(),
        percentile(&p, 0.5),
        p.last().copied().unwrap_or(0.0)
    );
    let mut t = ticks.clone();
    t.sort_by(f64::total_cmp);
    println!(
        "ticks       {} of {} area(s) each, every area planned in: median {:.2} s, longest {:.2} s",
        t.len(),
        bases.len(),
        percentile(&t, 0.5),
        t.last().copied().unwrap_or(0.0)
    );
    // Every acknowledged order must be there.
    let lost = acknowledged
        .iter()
        .filter(|(b, id)| {
            agent
                .get(&format!("{}/orders/{id}", bases[*b]))
                .header("Authorization", &auth)
                .call()
                .map_or(true, |r| r.status().as_u16() != 200)
        })
        .count();
    println!("lost        {lost} of {} acknowledged orders", acknowledged.len());
    // Restart the server and run `--verify` style checks by hand for durability across a
    // restart; the crash test (crates/cli/tests/serve.rs) does that 20 times.
    if lost > 0 || failures.load(Ordering::Relaxed) > 0 {
        std::process::exit(1);
    }
}
