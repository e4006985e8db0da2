//! Planning end to end on the bundled area: every plan goes through the checker.

use lastmetre::synth::demand::{BatchOptions, batch};
use lastmetre::{AreaParams, load_area};
use lastmetre_model::Fleet;
use std::path::Path;

#[test]
fn noon_batch_plans_and_checks() {
    let built =
        load_area(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/niuxie/area.geojson"), &AreaParams::default())
            .unwrap();
    let area = built.area;
    let ids: Vec<&str> = area.households.iter().map(|h| h.id.as_str()).collect();
    let orders = batch(&ids, &BatchOptions::noon(1));
    let m = area.matrices();
    let instance = lastmetre::area::instance(&area, &m, &orders, &Fleet::default(), "noon").unwrap();
    let t = std::time::Instant::now();
    let plan = lastmetre_solver::solve(&instance, &lastmetre_solver::Budget::iterations(2000), 1, 1);
    eprintln!("solve {:?}", t.elapsed());
    let report = lastmetre_check::check(&instance, &plan);
    assert!(report.is_ok(), "{:#?}", report.violations);
    let manual = lastmetre_solver::manual(&instance);
    let report = lastmetre_check::check(&instance, &manual);
    assert!(report.is_ok(), "{:#?}", report.violations);
    let show = |m: &lastmetre_model::Metrics| {
        format!(
            "obj {:.0} energy {:.0} max {:.0} climbs {} outings {} trips {} km {:.2} vert {:.0} walk {:.2} last {:.0} delivered {}",
            m.objective,
            m.porter_energy_kj,
            m.porter_energy_kj_max,
            m.stair_climbs,
            m.porter_outings,
            m.tricycle_trips,
            m.tricycle_km,
            m.vertical_m,
            m.porter_walk_km,
            m.last_delivery_s,
            m.orders_delivered
        )
    };
    let mut per: std::collections::HashMap<usize, f64> = Default::default();
    for j in &instance.jobs {
        *per.entry(j.stairwell).or_default() += j.kg();
    }
    eprintln!("climb LB {}", per.values().map(|k| (k / 15.0).ceil() as usize).sum::<usize>());
    eprintln!("lm     {}\nmanual {}", show(&plan.metrics), show(&manual.metrics));
}
