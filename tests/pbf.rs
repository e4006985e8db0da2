//! `.osm.pbf` input: a PBF made from a real extract by Debian's osmium-tool imports exactly as
//! the XML it was made from, whole and clipped to a box.
//!
//! Needs `osmium` and the real extracts (`LASTMETRE_REAL_OSM`, default `../shared/real-osm`);
//! without them the test says so and passes, unless `LASTMETRE_REQUIRE_REAL_OSM=1` (as
//! `.ci/run` sets, after installing osmium-tool).

use lastmetre::osm::{Boundary, Options, import, import_pbf};
use std::path::PathBuf;
use std::process::Command;

fn required() -> bool {
    std::env::var_os("LASTMETRE_REQUIRE_REAL_OSM").is_some()
}

fn features(i: &lastmetre::osm::Import) -> serde_json::Value {
    lastmetre::osm_area_geojson(i, "same name")["features"].clone()
}

#[test]
fn a_pbf_imports_as_the_xml_it_was_made_from() {
    let dir = std::env::var_os("LASTMETRE_REAL_OSM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/real-osm")));
    let xml = dir.join("moscow-ostankino.osm");
    let xml = if xml.is_file() {
        xml
    } else {
        // Any extract of the folder will do.
        match std::fs::read_dir(&dir).ok().and_then(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path())).find(|p| p.extension().is_some_and(|x| x == "osm"))
        }) {
            Some(p) => p,
            None => {
                assert!(!required(), "no real OSM extract in {}", dir.display());
                eprintln!("skipped: no real OSM extract in {} (set LASTMETRE_REAL_OSM)", dir.display());
                return;
            }
        }
    };
    let out = std::env::temp_dir().join(format!("lastmetre-pbf-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let pbf = out.join("extract.osm.pbf");
    let made = Command::new("osmium").arg("cat").arg(&xml).arg("-o").arg(&pbf).arg("-O").status();
    match made {
        Ok(status) => assert!(status.success(), "osmium cat failed"),
        Err(e) => {
            assert!(!required(), "osmium is needed (apt-get install osmium-tool): {e}");
            eprintln!("skipped: osmium-tool is not installed ({e})");
            return;
        }
    }
    let text = std::fs::read_to_string(&xml).unwrap();
    let from_xml = import(&text, &Options::default()).expect("the XML imports");
    let from_pbf = import_pbf(&pbf, &Options::default()).expect("the PBF imports");
    assert!(from_pbf.is_valid());
    assert_eq!(features(&from_pbf), features(&from_xml), "{}", xml.display());
    assert_eq!(from_pbf.warnings, from_xml.warnings);

    // Clipped to the middle of the extract: the PBF is cut while it streams, with complete ways.
    let [w, s, e, n] = from_xml
        .spec
        .buildings
        .iter()
        .flat_map(|b| b.outline.iter())
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |[w, s, e, n], p| {
            [w.min(p.lon), s.min(p.lat), e.max(p.lon), n.max(p.lat)]
        });
    let (dx, dy) = ((e - w) / 4.0, (n - s) / 4.0);
    let middle = Options { boundary: Some(Boundary::bbox([w + dx, s + dy, e - dx, n - dy])), ..Options::default() };
    match (import(&text, &middle), import_pbf(&pbf, &middle)) {
        (Ok(a), Ok(b)) => {
            assert_eq!(features(&b), features(&a));
            assert_eq!(b.dropped, a.dropped);
            assert!(b.households_kept() > 0);
        }
        (Err(a), Err(b)) => panic!("the middle of the extract imports neither from XML ({a}) nor from PBF ({b})"),
        (a, b) => {
            panic!("XML and PBF disagree: {:?} / {:?}", a.map(|i| i.households_kept()), b.map(|i| i.households_kept()))
        }
    }
    let _ = std::fs::remove_dir_all(&out);
}
