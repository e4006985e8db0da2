//! The fleet and the planning parameters. Every default comes from `DOMAIN.md`, so a fleet
//! file may be omitted or give only what differs.

use crate::{DemandProfile, Kg, Kilojoules, Litres, Metres, MetresPerSecond, Seconds};
use serde::{Deserialize, Serialize};

/// Everything a plan needs besides the area and the orders.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fleet {
    /// The electric tricycles.
    pub tricycles: Tricycles,
    /// The porters.
    pub porters: Porters,
    /// Which stations are open and what they hold; the area's open sites when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stations: Option<Vec<StationSetting>>,
    /// The porter effort model.
    pub effort: Effort,
    /// Objective weights.
    pub weights: Weights,
    /// What one order may be, so that a typing slip (10,000 bags) cannot stall the planner.
    #[serde(skip_serializing_if = "OrderLimits::is_default")]
    pub orders: OrderLimits,
    /// The area's expected demand: the dispatcher's prior for holding orders (DOMAIN.md's
    /// founding case when absent).
    #[serde(skip_serializing_if = "is_default_demand")]
    pub demand: DemandProfile,
}

fn is_default_demand(d: &DemandProfile) -> bool {
    *d == DemandProfile::default()
}

/// The largest order the planner takes. Bags are limited by the porters' `max_carry_kg`
/// (DOMAIN.md: 15 kg). The defaults leave room far above DOMAIN.md's figures (about 2.2 kg
/// per order, 0.35 orders per household a day) and far below what stalls a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrderLimits {
    /// Bags in one order (20: more than a week of staples for a family).
    pub bags_each: usize,
    /// Kilograms in one order (60: four full carries).
    pub kg_each: Kg,
    /// Orders one household places in one shift (day); 10 is about 30 times the usual rate.
    pub per_household: usize,
}

impl Default for OrderLimits {
    fn default() -> Self {
        Self { bags_each: 20, kg_each: Kg(60.0), per_household: 10 }
    }
}

impl OrderLimits {
    /// True for the defaults (left out of files that carry a fleet).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// The tricycle fleet (echelon 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tricycles {
    /// Number of tricycles.
    pub count: usize,
    /// Payload (express e-tricycles carry 150–500 kg).
    pub capacity_kg: Kg,
    /// Box volume (1–2 m³ typical; 1000 L by default).
    pub capacity_litres: Litres,
    /// Planned speed inside the sealed area (5–8 km/h).
    pub speed: MetresPerSecond,
    /// Loading at the gate before each trip.
    pub load_s: Seconds,
    /// Unloading at each station stop (1–2 min).
    pub unload_s: Seconds,
    /// Most trips one tricycle makes in a plan; as many as time allows when absent. A
    /// benchmark's trucks make one route each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trips_each: Option<usize>,
}

impl Default for Tricycles {
    fn default() -> Self {
        Self {
            count: 2,
            capacity_kg: Kg(250.0),
            capacity_litres: Litres(1000.0),
            speed: MetresPerSecond::from_km_per_hour(6.0),
            load_s: Seconds(120.0),
            unload_s: Seconds(90.0),
            trips_each: None,
        }
    }
}

/// The porters (echelon 2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Porters {
    /// Number of porters.
    pub count: usize,
    /// Most a porter carries at once (GB 12330-90: 15 kg for men by hand).
    pub max_carry_kg: Kg,
    /// Body mass of a porter.
    pub body_mass_kg: Kg,
    /// Level walking speed in lanes.
    pub walk_speed: MetresPerSecond,
    /// Vertical speed climbing stairs (sustained 0.17 m/s).
    pub climb_speed: MetresPerSecond,
    /// Vertical speed descending stairs.
    pub descend_speed: MetresPerSecond,
    /// Handing bags over at a door.
    pub handover_s: Seconds,
    /// Picking one bag at the station.
    pub pick_s: Seconds,
    /// Net energy a porter may spend in the shift.
    pub shift_energy: Kilojoules,
    /// Vertical metres a porter may climb in the shift.
    pub shift_climb: Metres,
    /// Bags for the outing's other stairwells wait at the entrance during a climb (true), or
    /// are carried up and down with it (false).
    pub leave_bags_at_entrance: bool,
    /// Most outings one porter makes in a plan; as many as the shift allows when absent. A
    /// benchmark's city freighters make one route each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outings_each: Option<usize>,
    /// Most porters working from one station in a plan; any number when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_station: Option<usize>,
    /// The shifts of a day, in the area's clock: at each start the porters' energy and
    /// climbing budgets begin anew. Outside every shift the porters are off duty, and only
    /// medicine goes out, with a porter reported on duty. One shift of the whole day when
    /// absent.
    #[serde(skip_serializing_if = "is_whole_day")]
    pub shifts: Vec<Shift>,
}

/// One shift of a day, hours of the area's clock (`start_h` 6, `end_h` 14: 06:00–14:00). A
/// shift may run past midnight (`end_h` 30: until 06:00 the next day).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    /// Start, hours after midnight, 0 to 24.
    pub start_h: f64,
    /// End, hours after the start's midnight: above `start_h`, at most `start_h` + 24.
    pub end_h: f64,
}

impl Shift {
    /// The whole day, from midnight to midnight: the default.
    pub const WHOLE_DAY: Shift = Shift { start_h: 0.0, end_h: 24.0 };
}

fn is_whole_day(shifts: &Vec<Shift>) -> bool {
    *shifts == [Shift::WHOLE_DAY]
}

impl Default for Porters {
    fn default() -> Self {
        Self {
            count: 8,
            max_carry_kg: Kg(15.0),
            body_mass_kg: Kg(65.0),
            walk_speed: MetresPerSecond(1.2),
            climb_speed: MetresPerSecond(0.17),
            descend_speed: MetresPerSecond(0.26),
            handover_s: Seconds(30.0),
            pick_s: Seconds(10.0),
            shift_energy: Kilojoules(5000.0),
            shift_climb: Metres(1200.0),
            leave_bags_at_entrance: true,
            outings_each: None,
            per_station: None,
            shifts: vec![Shift::WHOLE_DAY],
        }
    }
}

/// An open station and its storage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationSetting {
    /// Station site id from the area file.
    pub id: String,
    /// Most the station holds at once; unlimited when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_kg: Option<Kg>,
}

/// Net metabolic cost of moving, per kg of effective mass (DOMAIN.md): energy of a leg is
/// `c · (body mass + hand_carry_factor · load) · distance`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Effort {
    /// Level walking, J/(kg·m).
    pub level_j_per_kg_m: f64,
    /// Climbing, per vertical metre, J/(kg·m).
    pub up_j_per_kg_m: f64,
    /// Descending, per vertical metre, J/(kg·m).
    pub down_j_per_kg_m: f64,
    /// Factor on the load for carrying by hand (1.0 for a backpack).
    pub hand_carry_factor: f64,
}

impl Default for Effort {
    fn default() -> Self {
        Self { level_j_per_kg_m: 2.0, up_j_per_kg_m: 40.0, down_j_per_kg_m: 12.0, hand_carry_factor: 1.3 }
    }
}

/// Objective weights, in cost points. Unserved orders come first (their weight dwarfs the
/// rest); then tricycle trips and stair climbs, energy and workload balance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Per unserved order, times its priority factor.
    pub unserved: f64,
    /// Priority factors of unserved orders: medicine, need, normal.
    pub priority_factor: [f64; 3],
    /// Per tricycle trip.
    pub tricycle_trip: f64,
    /// Per tricycle kilometre.
    pub tricycle_km: f64,
    /// Per stair climb (one climb of one stairwell).
    pub stair_climb: f64,
    /// Per kJ of porter energy, all porters.
    pub energy_kj: f64,
    /// Per kJ of the most tired porter's energy: workload balance.
    pub max_porter_energy_kj: f64,
    /// Per porter walking kilometre (energy already counts walking; this adds time).
    pub walk_km: f64,
    /// Per porter outing: what sending a porter out costs beyond the walk and the climbs
    /// (the fixed cost of a city freighter in the 2E-CVRP).
    pub porter_outing: f64,
    /// Per order announced to one porter in the previous plan and now given to another (or
    /// left out): the price of changing what a porter was told.
    pub moved_order: f64,
    /// How much an unserved order's cost grows per cycle it has already waited.
    pub waiting: f64,
    /// Per order held for the next cycle: the household's wait of one cycle. The dispatcher
    /// holds a fresh normal order only when the climb that orders expected to join it would
    /// save is worth more than this and the risk to its promise.
    pub hold: f64,
    /// Per order delivered after its promise (two cycles for normal orders): what a held
    /// order risks, times the share of doors not answered (a failure next cycle can no longer
    /// be retried in time).
    pub broken_promise: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            unserved: 1_000_000.0,
            priority_factor: [100.0, 10.0, 1.0],
            tricycle_trip: 100.0,
            tricycle_km: 10.0,
            stair_climb: 10.0,
            energy_kj: 1.0,
            max_porter_energy_kj: 1.0,
            walk_km: 0.0,
            porter_outing: 0.0,
            moved_order: 30.0,
            waiting: 1.0,
            hold: 10.0,
            broken_promise: 300.0,
        }
    }
}

impl Weights {
    /// The factor of one priority.
    pub fn priority(&self, p: crate::Priority) -> f64 {
        match p {
            crate::Priority::Medicine => self.priority_factor[0],
            crate::Priority::Need => self.priority_factor[1],
            crate::Priority::Normal => self.priority_factor[2],
        }
    }
}
