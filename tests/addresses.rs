//! Orders that name households as people write them: building, unit and door, in Chinese or
//! English headers (issue "The people in the field, on their phones, in Chinese").

use lastmetre::area::AddressBook;
use lastmetre::formats::{read_orders_csv_in, read_orders_json_in};
use lastmetre::{AreaParams, Code, PlanOptions, load_area};
use std::path::Path;

fn niuxie() -> lastmetre::Area {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/niuxie/area.geojson");
    load_area(&path, &AreaParams::default()).expect("the bundled area is valid").area
}

/// The id of the household at building `b`, unit `u`, door `d` as the area names them.
fn household_at(area: &lastmetre::Area, b: &str, u: &str, d: &str) -> String {
    area.households
        .iter()
        .find(|h| {
            let w = &area.stairwells[h.stairwell];
            area.buildings[w.building].name.as_deref() == Some(b)
                && w.name.as_deref() == Some(u)
                && h.unit.as_deref() == Some(d)
        })
        .unwrap_or_else(|| panic!("{b} {u} {d} is in the area"))
        .id
        .clone()
}

#[test]
fn a_list_with_chinese_headers_names_households_by_building_unit_and_door() {
    let engine = lastmetre::Engine::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("data/niuxie/area.geojson"),
        &AreaParams::default(),
    )
    .unwrap();
    let area = &engine.area;
    let book = AddressBook::new(area);
    let csv = "订单号,楼号,单元,门牌,优先级,下单时间,重量,物品\n\
               A-1,4号楼,1单元,502,普通,11:05,5,大米\n\
               A-1,4号楼,1单元,502,普通,11:05,2,鸡蛋\n\
               A-2,７号楼,２单元,３０１,药品,11:10,0.3,药\n";
    let (orders, problems) = read_orders_csv_in(csv.as_bytes(), Some(&book));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0].household, household_at(area, "4号楼", "1单元", "502"));
    assert_eq!(orders[0].bags.len(), 2);
    assert_eq!(orders[1].household, household_at(area, "7号楼", "2单元", "301"));
    assert_eq!(orders[1].priority, lastmetre::model::Priority::Medicine);
    // Planned and checked like any orders.
    let options = PlanOptions { iterations: 100, ..PlanOptions::default() };
    let planned = engine.plan(&orders, &lastmetre::Fleet::default(), &options).expect("plans");
    assert!(lastmetre::check::check(&planned.instance, &planned.plan).is_ok());
    assert_eq!(planned.plan.metrics.orders_delivered, 2);
}

#[test]
fn addresses_written_in_one_line_or_in_english_find_the_same_household() {
    let area = niuxie();
    let book = AddressBook::new(&area);
    let want = household_at(&area, "4号楼", "1单元", "502");
    for written in
        ["4号楼 1单元 502", "4号楼1单元502室", "４栋　１单元　５０２", "4-1-502", "Building 4, Unit 1, Room 502"]
    {
        assert_eq!(book.resolve(written), Ok(want.clone()), "{written}");
    }
    // A household id passes as it is.
    assert_eq!(book.resolve(&want), Ok(want.clone()));
    // A unit with no building is no address: never another building's door.
    assert!(book.resolve("1单元 502").is_err() && book.resolve("1单元502").is_err());
    // Door numbers with a leading zero, and a blank row in a list.
    assert_eq!(book.resolve("4号楼 1单元 0502"), Ok(want.clone()));
    let csv = "order_id,address,placed_at,kg\nE-1,4号楼 1单元 502,11:00,2\n,,,\nE-2,4号楼 1单元 502,11:00,1\n";
    let (orders, problems) = read_orders_csv_in(csv.as_bytes(), Some(&book));
    assert!(problems.is_empty() && orders.len() == 2, "{problems:?}");
    let json = format!(
        r#"{{"orders": [{{"id": "J-1", "address": "4号楼 1单元 502", "placed_at": "11:00", "bags": [{{"kg": 2}}]}},
                        {{"id": "J-2", "building": "4号楼", "unit": "1单元", "door": "502", "placed_at": "11:00", "bags": [{{"kg": 2}}]}},
                        {{"id": "J-3", "household": "{want}", "placed_at": "11:00", "bags": [{{"kg": 2}}]}}]}}"#
    );
    let (orders, problems) = read_orders_json_in(json.as_bytes(), Some(&book));
    assert!(problems.is_empty(), "{problems:?}");
    assert!(orders.iter().all(|o| o.household == want));
}

#[test]
fn every_address_that_finds_nobody_is_listed_with_its_line_and_the_closest_and_nothing_is_taken() {
    let book = AddressBook::new(&niuxie());
    let csv = "order_id,building,unit,door,placed_at,kg\n\
               B-1,4号楼,1单元,502,11:00,2\n\
               B-2,99号楼,1单元,502,11:00,2\n\
               B-3,4号楼,1单元,5020,11:00,2\n\
               B-4,4号楼,,502,11:00,2\n";
    let (orders, problems) = read_orders_csv_in(csv.as_bytes(), Some(&book));
    assert_eq!(problems.len(), 3, "{problems:#?}");
    for (p, (order, line)) in problems.iter().zip([("B-2", "line 3"), ("B-3", "line 4"), ("B-4", "line 5")]) {
        assert_eq!(p.code, Code::UnknownAddress);
        assert_eq!(p.feature.as_deref(), Some(order));
        assert!(p.message.contains(line) && p.message.contains("the closest: "), "{}", p.message);
    }
    let closest = |p: &lastmetre::Problem| p.message.split("the closest: ").nth(1).unwrap_or_default().to_owned();
    assert!(closest(&problems[0]).contains("9号楼 1单元 502"), "{}", problems[0].message);
    assert!(closest(&problems[1]).contains("4号楼 1单元 502"), "{}", problems[1].message);
    // A reader gives back what it read; a list with problems is refused whole by its callers.
    assert_eq!(orders.len(), 1);
    // Naming the household twice is refused too.
    let twice = "order_id,household,address,placed_at,kg\nC-1,B4-S1-502,4号楼 1单元 502,11:00,2\n";
    let (_, problems) = read_orders_csv_in(twice.as_bytes(), Some(&book));
    assert_eq!(problems[0].code, Code::MalformedOrder, "{problems:?}");
}

#[test]
fn an_address_two_households_share_is_refused_naming_both() {
    // The example area with door 101 written twice in 1号楼 1单元 (a tracing slip).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples/tiny.geojson");
    let mut area: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for f in area["features"].as_array_mut().unwrap() {
        if f["id"] == "h-301" {
            f["properties"]["unit"] = "101".into();
        }
    }
    let copy = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tiny-door-twice.geojson");
    std::fs::write(&copy, area.to_string()).unwrap();
    let area = load_area(&copy, &AreaParams::default()).expect("still a valid area").area;
    let book = AddressBook::new(&area);
    let csv = "订单号,地址,下单时间,重量\nD-1,1号楼 1单元 101,11:00,2\nD-2,1号楼 2单元 201,11:00,2\n";
    let (orders, problems) = read_orders_csv_in(csv.as_bytes(), Some(&book));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].code, problems[0].feature.as_deref()), (Code::AmbiguousAddress, Some("D-1")));
    assert!(problems[0].message.contains("h-101") && problems[0].message.contains("h-301"), "{}", problems[0].message);
    assert_eq!(orders.iter().map(|o| o.household.as_str()).collect::<Vec<_>>(), ["h-201"]);
}
