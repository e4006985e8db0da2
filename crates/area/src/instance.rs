//! Area + orders + fleet → the abstract [`Instance`] the solver and the checker work on.
//!
//! Order problems are reported all at once, each naming its order id.

use crate::graph::Area;
use crate::matrix::TravelMatrices;
use crate::problem::{Code, Problem};
use lastmetre_model::{Fleet, Instance, Job, Order, OrderLimits, Stairwell, Station, Table};
use std::collections::{HashMap, HashSet};

/// The fleet's numbers are usable: speeds and capacities above zero, times and energies not
/// negative, counts within reason, and a tricycle that can carry one porter's load. Every
/// problem is reported, each naming its field.
pub fn check_fleet(f: &Fleet) -> Vec<Problem> {
    let (t, p, e) = (&f.tricycles, &f.porters, &f.effort);
    let positive = [
        ("tricycles.capacity_kg", t.capacity_kg.get()),
        ("tricycles.capacity_litres", t.capacity_litres.get()),
        ("tricycles.speed", t.speed.get()),
        ("porters.max_carry_kg", p.max_carry_kg.get()),
        ("porters.body_mass_kg", p.body_mass_kg.get()),
        ("porters.walk_speed", p.walk_speed.get()),
        ("porters.climb_speed", p.climb_speed.get()),
        ("porters.descend_speed", p.descend_speed.get()),
    ];
    let not_negative = [
        ("tricycles.load_s", t.load_s.get()),
        ("tricycles.unload_s", t.unload_s.get()),
        ("porters.handover_s", p.handover_s.get()),
        ("porters.pick_s", p.pick_s.get()),
        ("porters.shift_energy", p.shift_energy.get()),
        ("effort.level_j_per_kg_m", e.level_j_per_kg_m),
        ("effort.up_j_per_kg_m", e.up_j_per_kg_m),
        ("effort.down_j_per_kg_m", e.down_j_per_kg_m),
        ("effort.hand_carry_factor", e.hand_carry_factor),
    ];
    let mut problems = Vec::new();
    let mut bad = |m: String| problems.push(Problem::new(Code::BadFleet, None, m));
    for (name, v) in positive {
        if !(v.is_finite() && v > 0.0) {
            bad(format!("{name} is {v}; it must be a number above zero"));
        }
    }
    for (name, v) in not_negative {
        if !(v.is_finite() && v >= 0.0) {
            bad(format!("{name} is {v}; it must be a number, zero or more"));
        }
    }
    for (name, n) in [("tricycles.count", t.count), ("porters.count", p.count)] {
        if n > 10_000 {
            bad(format!("{name} is {n}; at most 10000 is accepted"));
        }
    }
    for (name, limit) in [
        ("tricycles.trips_each", t.trips_each),
        ("porters.outings_each", p.outings_each),
        ("porters.per_station", p.per_station),
    ] {
        if limit == Some(0) {
            bad(format!("{name} is 0; leave it out for no limit, or give 1 or more"));
        }
    }
    if let Some(m) = f.demand.problem() {
        bad(m);
    }
    if p.shifts.is_empty() || p.shifts.len() > 4 {
        bad(format!("porters.shifts lists {} shifts; give 1 to 4 (one or two a day is usual)", p.shifts.len()));
    }
    for (k, shift) in p.shifts.iter().enumerate() {
        let (start, end) = (shift.start_h, shift.end_h);
        if !(start.is_finite() && end.is_finite() && (0.0..24.0).contains(&start) && end > start && end <= start + 24.0)
        {
            bad(format!(
                "porters.shifts[{k}] runs from {start} h to {end} h; give start_h from 0 to below 24 and end_h after it, at most 24 h later"
            ));
        }
    }
    // Shifts follow each other and do not overlap, also across midnight.
    let mut spans: Vec<(f64, f64)> = p.shifts.iter().map(|s| (s.start_h, s.end_h)).collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let wrap = spans.first().map(|first| (first.0 + 24.0, first.1 + 24.0));
    let overlap = spans.windows(2).any(|w| w[1].0 < w[0].1)
        || (spans.len() > 1 && spans.last().zip(wrap).is_some_and(|(last, first)| first.0 < last.1));
    if overlap {
        bad("porters.shifts overlap; a shift must end before the next starts (also across midnight)".to_owned());
    }
    let o = &f.orders;
    if !(o.kg_each.get().is_finite() && o.kg_each.get() > 0.0) {
        bad(format!("orders.kg_each is {}; it must be a number above zero", o.kg_each.get()));
    }
    for (name, n) in [("orders.bags_each", o.bags_each), ("orders.per_household", o.per_household)] {
        if n == 0 {
            bad(format!("{name} is 0; it must be 1 or more"));
        }
    }
    if t.capacity_kg.get() < p.max_carry_kg.get() {
        bad(format!(
            "tricycles.capacity_kg ({}) is below porters.max_carry_kg ({}): a porter's load would not fit a tricycle",
            t.capacity_kg.get(),
            p.max_carry_kg.get()
        ));
    }
    problems
}

/// The stations this instance opens: the fleet's list, or else the area's open sites, each
/// with its storage; every one must be a site of the area and in the tricycles' reach.
fn open_stations(
    area: &Area,
    matrices: &TravelMatrices,
    fleet: &Fleet,
    site_index: &HashMap<&str, usize>,
    problems: &mut Vec<Problem>,
) -> Vec<(usize, Option<f64>)> {
    let mut open: Vec<(usize, Option<f64>)> = Vec::new();
    match &fleet.stations {
        Some(settings) => {
            for setting in settings {
                match site_index.get(setting.id.as_str()) {
                    Some(&i) if open.iter().any(|(site, _)| *site == i) => problems.push(Problem::new(
                        Code::UnknownStation,
                        Some(&setting.id),
                        format!("the fleet lists station '{}' twice", setting.id),
                    )),
                    Some(&i) => open.push((i, setting.storage_kg.map(|k| k.get()))),
                    None => problems.push(Problem::new(
                        Code::UnknownStation,
                        Some(&setting.id),
                        format!("the fleet opens station '{}', which is not a station_site of the area", setting.id),
                    )),
                }
            }
        }
        None => open.extend(area.open_sites().map(|i| (i, area.sites[i].capacity.map(|c| c.get())))),
    }
    if open.is_empty() && problems.is_empty() {
        problems.push(Problem::new(Code::NoStation, None, "no station is open"));
    }
    // Tricycles load at the first gate: every open station must be in its reach.
    for (site, _) in &open {
        if matrices.tricycle_distance.get(0, matrices.site_depot(*site)).is_none() {
            let id = &area.sites[*site].id;
            let gate = area.gates.first().map_or("", |g| g.id.as_str());
            problems.push(Problem::new(
                Code::NotTricycleReachable,
                Some(id),
                format!("station '{id}' cannot be reached by tricycle from gate '{gate}', where tricycles load"),
            ));
        }
    }
    open
}

/// The id rule, for order ids wherever they enter: 1 to 64 characters, none of them a
/// control character (a newline would forge a line on a sheet) or a bidirectional-text
/// control (which reorders what a person reads), and no white space at either end.
/// `Err` says what is wrong.
pub fn check_id(id: &str) -> Result<(), &'static str> {
    if id.is_empty() {
        Err("is empty")
    } else if id.chars().count() > MAX_ID_CHARS {
        Err("is longer than 64 characters")
    } else if id.chars().any(forges_text) {
        Err("holds a control character (a line break, a tab, a direction mark)")
    } else if id.trim() != id {
        Err("starts or ends with white space")
    } else {
        Ok(())
    }
}

/// A character that can forge what a person reads: a control character (a line break starts
/// a made-up line) or a bidirectional-text control, or line separator (which reorders or
/// breaks a line).
pub fn forges_text(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Longest id, in characters.
pub const MAX_ID_CHARS: usize = 64;

/// A problem for every order whose id breaks [`check_id`]. Run where orders enter (the
/// engine, the dispatcher, the service), not in [`instance`]: the dispatcher names the parts
/// of a split order itself (`"A (part 2)"`), longer than the id it was given.
pub fn check_order_ids(orders: &[Order]) -> Vec<Problem> {
    orders
        .iter()
        .filter_map(|o| check_id(&o.id).err().map(|why| (o, why)))
        .map(|(o, why)| Problem::new(Code::BadOrderId, None, format!("order id {:?} {why}", o.id)))
        .collect()
}

/// Pushes a problem when the order has more bags or kilograms than `limits` allow.
fn order_within_limits(order: &Order, limits: &OrderLimits, problems: &mut Vec<Problem>) -> bool {
    let id = order.id.as_str();
    let kg: f64 = order.bags.iter().map(|b| b.kg.get()).filter(|k| k.is_finite()).sum();
    let mut ok = true;
    if order.bags.len() > limits.bags_each {
        let (n, most) = (order.bags.len(), limits.bags_each);
        problems.push(Problem::new(
            Code::OrderTooLarge,
            Some(id),
            format!("order '{id}' has {n} bags; orders.bags_each allows {most}"),
        ));
        ok = false;
    }
    if kg > limits.kg_each.get() {
        let most = limits.kg_each.get();
        problems.push(Problem::new(
            Code::OrderTooLarge,
            Some(id),
            format!("order '{id}' weighs {kg:.1} kg; orders.kg_each allows {most} kg"),
        ));
        ok = false;
    }
    ok
}

/// Pushes a problem for every bag of the order that cannot be carried: empty or unreal
/// sizes, too big for the tricycle box, too heavy for a porter. True when all are good.
fn bags_ok(order: &Order, fleet: &Fleet, problems: &mut Vec<Problem>) -> bool {
    let id = order.id.as_str();
    let max_carry = fleet.porters.max_carry_kg.get();
    let mut ok = true;
    if order.bags.is_empty() {
        problems.push(Problem::new(Code::EmptyOrder, Some(id), format!("order '{id}' has no bags")));
        ok = false;
    }
    for (b, bag) in order.bags.iter().enumerate() {
        let (kg, litres) = (bag.kg.get(), bag.litres.get());
        if !(kg > 0.0 && kg.is_finite() && litres >= 0.0 && litres.is_finite()) {
            problems.push(Problem::new(
                Code::BadBag,
                Some(id),
                format!("bag {} of order '{id}' is {kg} kg, {litres} L", b + 1),
            ));
            ok = false;
        } else if litres > fleet.tricycles.capacity_litres.get() {
            problems.push(Problem::new(
                Code::BadBag,
                Some(id),
                format!(
                    "bag {} of order '{id}' is {litres} L; the tricycle box holds {} L",
                    b + 1,
                    fleet.tricycles.capacity_litres.get()
                ),
            ));
            ok = false;
        } else if kg > max_carry {
            problems.push(Problem::new(
                Code::BagTooHeavy,
                Some(id),
                format!("bag {} of order '{id}' weighs {kg} kg; a porter carries at most {max_carry} kg", b + 1),
            ));
            ok = false;
        }
    }
    ok
}

/// Builds the instance for one batch of orders.
///
/// The depot is the area's first gate. Stations are the fleet's, or else the area's open sites.
/// Only stairwells with orders enter the instance.
pub fn instance(
    area: &Area,
    matrices: &TravelMatrices,
    orders: &[Order],
    fleet: &Fleet,
    name: &str,
) -> Result<Instance, Vec<Problem>> {
    let mut problems = Vec::new();
    let site_index: HashMap<&str, usize> = area.sites.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let open = open_stations(area, matrices, fleet, &site_index, &mut problems);
    let station_of_site: HashMap<usize, usize> = open.iter().enumerate().map(|(s, (site, _))| (*site, s)).collect();

    let household_index: HashMap<&str, usize> =
        area.households.iter().enumerate().map(|(i, h)| (h.id.as_str(), i)).collect();
    let mut seen = HashSet::new();
    let mut used_stairwells: Vec<usize> = Vec::new();
    let mut stairwell_slot: HashMap<usize, usize> = HashMap::new();
    let mut jobs = Vec::new();
    for order in orders {
        let id = order.id.as_str();
        let mut ok = true;
        if !seen.insert(id) {
            problems.push(Problem::new(Code::DuplicateOrder, Some(id), format!("order id '{id}' appears twice")));
            continue;
        }
        // An absurd order is refused whole, before its bags are looked at one by one.
        if order_within_limits(order, &fleet.orders, &mut problems) {
            ok &= bags_ok(order, fleet, &mut problems);
        } else {
            ok = false;
        }
        let pinned = match &order.station {
            None => None,
            Some(station) => match site_index.get(station.as_str()).and_then(|site| station_of_site.get(site)) {
                Some(&s) => Some(s),
                None => {
                    problems.push(
                        Problem::new(
                            Code::UnknownStation,
                            Some(id),
                            format!("order '{id}' is pinned to station '{station}', which is not open"),
                        )
                        .related_to(station),
                    );
                    ok = false;
                    None
                }
            },
        };
        let Some(&h) = household_index.get(order.household.as_str()) else {
            problems.push(
                Problem::new(
                    Code::UnknownHousehold,
                    Some(id),
                    format!("order '{id}' is for household '{}', which is not in the area", order.household),
                )
                .related_to(&order.household),
            );
            continue;
        };
        if !ok {
            continue;
        }
        let household = &area.households[h];
        let next = used_stairwells.len();
        let stairwell = *stairwell_slot.entry(household.stairwell).or_insert(next);
        if stairwell == next {
            used_stairwells.push(household.stairwell);
        }
        jobs.push(Job {
            id: order.id.clone(),
            household: order.household.clone(),
            unit: household.unit.clone(),
            stairwell,
            floor: household.floor,
            bags: order.bags.clone(),
            priority: order.priority,
            placed_at: order.placed_at,
            pinned_station: pinned,
            stocked: None,
            announced: None,
            waited_cycles: 0,
            hold: None,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let stations: Vec<Station> = open
        .iter()
        .map(|(site, storage)| Station { id: area.sites[*site].id.clone(), storage_kg: *storage, handling_per_kg: 0.0 })
        .collect();
    let stairwells = used_stairwells
        .iter()
        .map(|&s| {
            let stairwell = &area.stairwells[s];
            let building = &area.buildings[stairwell.building];
            let name = building.name.as_deref().unwrap_or(&building.id);
            let unit = stairwell.name.as_deref().unwrap_or(&stairwell.id);
            Stairwell {
                id: stairwell.id.clone(),
                label: format!("{name} {unit}"),
                storey_height: stairwell.storey_height,
            }
        })
        .collect();
    let depot = |i: usize| if i == 0 { 0 } else { matrices.site_depot(open[i - 1].0) };
    let metres = |m: Option<lastmetre_model::Metres>| m.map(|m| m.get());
    Ok(Instance {
        name: name.to_owned(),
        stations,
        stairwells,
        jobs,
        ride: Table::from_fn(open.len() + 1, open.len() + 1, |a, b| {
            metres(matrices.tricycle_distance.get(depot(a), depot(b)))
        }),
        walk_station_stairwell: Table::from_fn(open.len(), used_stairwells.len(), |s, w| {
            metres(matrices.walk_site_to_door.get(open[s].0, used_stairwells[w]))
        }),
        walk_stairwell_stairwell: Table::from_fn(used_stairwells.len(), used_stairwells.len(), |a, b| {
            metres(matrices.walk_door_to_door.get(used_stairwells[a], used_stairwells[b]))
        }),
        walk_station_station: Table::from_fn(open.len(), open.len(), |a, b| {
            metres(matrices.walk_site_to_site.get(open[a].0, open[b].0))
        }),
        state: Default::default(),
        fleet: fleet.clone(),
    })
}
