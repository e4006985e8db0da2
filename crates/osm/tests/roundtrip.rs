//! A generated village written as OSM XML imports into an area that validates and plans.

use lastmetre_osm::export::{Detail, to_osm_xml};
use lastmetre_osm::{Options, import};
use lastmetre_synth::{VillageOptions, village};

#[test]
fn generated_village_round_trips() {
    let spec = village(&VillageOptions::new(713, 7)).unwrap();
    for detail in [Detail::Full, Detail::Sparse] {
        let xml = to_osm_xml(&spec, detail);
        let started = std::time::Instant::now();
        let imported = import(&xml, &Options::default()).unwrap();
        eprintln!("{detail:?}: {} bytes, {:?}", xml.len(), started.elapsed());
        eprintln!("{:?}", imported.estimated());
        for w in &imported.warnings {
            eprintln!("warning: {w}");
        }
        for p in &imported.problems {
            eprintln!("{p}");
        }
        eprintln!("households {} vs {}", imported.spec.households.len(), spec.households.len());
        assert!(imported.is_valid());
    }
}
