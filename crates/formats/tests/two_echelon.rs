//! Every published 2E-CVRP instance in `../shared/benchmarks/2ecvrp` reads, and agrees with
//! what its name and the folder's README say. Skipped (said so) when the folder is absent:
//! the instances are never committed. CI sets LASTMETRE_BENCHMARKS.

use lastmetre_formats::read_two_echelon;
use std::path::PathBuf;

/// Where LASTMETRE_BENCHMARKS is set, the folder must be there; where unset, the test says
/// it was skipped.
fn folder() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("LASTMETRE_BENCHMARKS")?).join("2ecvrp");
    assert!(dir.is_dir(), "{} is not a folder", dir.display());
    Some(dir)
}

#[test]
fn every_published_instance_reads_as_its_name_says() {
    let Some(dir) = folder() else {
        eprintln!("skipped: set LASTMETRE_BENCHMARKS to the shared benchmarks folder to run this test");
        return;
    };
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("dat") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let i = read_two_echelon(&name, &text).unwrap_or_else(|e| panic!("{name}: {e}"));
        read += 1;
        let total: f64 = i.customers.iter().map(|c| c.1).sum();
        assert!(total <= i.trucks.capacity * i.trucks.count as f64, "{name}: more demand than the trucks carry");
        if let Some(rest) = name.split("E-n").nth(1) {
            // E-nXX-kY-sA-B(-C-D): XX nodes with the depot; satellites at customers A, B, …
            let nodes: usize = rest.split('-').next().unwrap().parse().unwrap();
            assert_eq!(i.customers.len(), nodes - 1, "{name}");
            let at: Vec<usize> = rest.split("-s").nth(1).unwrap().split('-').map(|a| a.parse().unwrap()).collect();
            assert_eq!(i.satellites.len(), at.len(), "{name}");
            // The convention holds for Set 2a and 2b; 2c moves the satellites (its own
            // variant), and six Set 3 files number them otherwise (the README's traps).
            if name.starts_with("Set2a") || name.starts_with("Set2b") {
                for (s, a) in i.satellites.iter().zip(&at) {
                    assert_eq!(s.at, i.customers[a - 1].0, "{name}: satellite at customer {a}");
                }
            }
            assert_eq!(i.scale, 1.0);
        } else {
            let k: usize = name.rsplit('-').next().unwrap().parse().unwrap();
            assert_eq!(i.customers.len(), 50, "{name}");
            let satellites = match k {
                1..=18 => 2,
                19..=36 => 3,
                _ => 5,
            };
            assert_eq!(i.satellites.len(), satellites, "{name}");
            assert_eq!(i.scale, 100.0, "{name}: Set 4 files hold 100 × the coordinates");
            if name.starts_with("Set4b") {
                assert_eq!(i.freighters.per_satellite, i.freighters.count, "{name}: 4b has no per-satellite limit");
            } else {
                assert!(i.freighters.per_satellite < i.freighters.count, "{name}: 4a limits each satellite");
            }
        }
    }
    assert_eq!(read, 162, "the README lists 162 instance files");
}
