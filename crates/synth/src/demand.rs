//! Seeded demand: batches of orders shaped like the lockdown figures of DOMAIN.md: about 0.35
//! orders per household per day, staples dominating, about 5 % medicine.

use lastmetre_model::{Bag, DemandProfile, Kg, Litres, Order, Priority, Seconds};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use lastmetre_model::demand::ORDERS_PER_HOUSEHOLD_DAY;

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchOptions {
    /// Seed.
    pub seed: u64,
    /// Collection time of the batch, seconds since midnight (12:00 and 18:00 in the case).
    pub at: Seconds,
    /// Orders in the batch; a day's worth (0.35 per household) when absent.
    pub orders: Option<usize>,
    /// Share of medicine orders.
    pub medicine_share: f64,
    /// Share of orders for infants, the elderly or other needs.
    pub need_share: f64,
}

impl BatchOptions {
    /// A noon batch from `seed`.
    pub fn noon(seed: u64) -> Self {
        Self { seed, at: Seconds(12.0 * 3600.0), orders: None, medicine_share: 0.05, need_share: 0.08 }
    }
}

/// A day of demand.
#[derive(Clone, Debug, PartialEq)]
pub struct DayOptions {
    /// Seed.
    pub seed: u64,
    /// Day number from 1, for the order ids.
    pub day: u32,
    /// Orders per household per day.
    pub rate: f64,
    /// When in the day orders are placed (its own rate is not used: `rate` is).
    pub profile: DemandProfile,
    /// Share of medicine orders.
    pub medicine_share: f64,
    /// Share of orders for infants, the elderly or other needs.
    pub need_share: f64,
}

impl DayOptions {
    /// DOMAIN.md's figures for day `day` from `seed`.
    pub fn new(seed: u64, day: u32) -> Self {
        let profile = DemandProfile::default();
        Self { seed, day, rate: profile.per_household_day, profile, medicine_share: 0.05, need_share: 0.08 }
    }
}

/// A day of orders, placed over the day as the profile says (by default DOMAIN.md's: 40 %
/// around 11:30 and 40 % around 17:30, within about an hour, 20 % spread from 07:00 to
/// 21:00). Order ids are `D<day>-<number>`.
pub fn day(households: &[&str], options: &DayOptions) -> Vec<Order> {
    if households.is_empty() {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(lastmetre_model::seed::stream(options.seed, u64::from(options.day)));
    let mean = households.len() as f64 * options.rate;
    // Day-to-day variation of about ±10 %.
    let n = (mean * rng.random_range(0.9..1.1)).round() as usize;
    let mut orders: Vec<Order> = (0..n)
        .map(|_| {
            let roll: f64 = rng.random_range(0.0..1.0);
            // Irwin–Hall: the sum of 12 uniforms less 6 is close to a standard normal.
            let normal = (0..12).map(|_| rng.random_range(0.0..1.0)).sum::<f64>() - 6.0;
            let mut below = 0.0;
            let peak = options.profile.peaks.iter().find(|p| {
                below += p.share;
                roll < below
            });
            let hour = match peak {
                Some(p) => p.hour + p.sigma_hours * normal,
                None => {
                    let (from, to) = options.profile.spread_hours;
                    if from < to { rng.random_range(from..to) } else { from }
                }
            };
            let placed_at = Seconds((hour.clamp(6.0, 22.0) * 3600.0).round());
            let household = households[rng.random_range(0..households.len())].to_owned();
            let (priority, bags) = goods(&mut rng, options.medicine_share, options.need_share);
            Order { id: String::new(), household, bags, priority, placed_at, station: None }
        })
        .collect();
    orders.sort_by(|a, b| a.placed_at.get().total_cmp(&b.placed_at.get()));
    for (k, o) in orders.iter_mut().enumerate() {
        o.id = format!("D{}-{:04}", options.day, k + 1);
    }
    orders
}

/// Goods as registered at the gate: label, kg, litres, relative frequency.
const GOODS: &[(&str, f64, f64, f64)] = &[
    ("rice 10 kg", 10.0, 12.0, 0.10),
    ("rice 5 kg", 5.0, 6.5, 0.12),
    ("flour 5 kg", 5.0, 6.0, 0.10),
    ("cooking oil 5 L", 4.6, 5.5, 0.10),
    ("vegetables", 3.0, 8.0, 0.25),
    ("eggs 30", 1.8, 4.0, 0.12),
    ("fruit", 3.0, 5.0, 0.08),
    ("toilet paper", 1.5, 15.0, 0.08),
    ("salt and seasoning", 0.8, 1.0, 0.05),
];

fn pick<'a>(rng: &mut ChaCha8Rng) -> &'a (&'static str, f64, f64, f64) {
    let total: f64 = GOODS.iter().map(|g| g.3).sum();
    let mut u = rng.random_range(0.0..total);
    for g in GOODS {
        if u < g.3 {
            return g;
        }
        u -= g.3;
    }
    &GOODS[GOODS.len() - 1]
}

/// One batch of orders for the given households.
pub fn batch(households: &[&str], options: &BatchOptions) -> Vec<Order> {
    if households.is_empty() {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let n = options.orders.unwrap_or_else(|| (households.len() as f64 * ORDERS_PER_HOUSEHOLD_DAY).round() as usize);
    let mut orders: Vec<Order> = (0..n)
        .map(|k| {
            let household = households[rng.random_range(0..households.len())].to_owned();
            // Collected over the three hours before the batch time.
            let placed_at = Seconds((options.at.get() - rng.random_range(0.0..3.0 * 3600.0)).max(0.0).round());
            let (priority, bags) = goods(&mut rng, options.medicine_share, options.need_share);
            Order { id: format!("O-{:04}", k + 1), household, bags, priority, placed_at, station: None }
        })
        .collect();
    orders.sort_by(|a, b| a.placed_at.get().total_cmp(&b.placed_at.get()).then(a.id.cmp(&b.id)));
    orders
}

/// One order's priority and bags.
fn goods(rng: &mut ChaCha8Rng, medicine_share: f64, need_share: f64) -> (Priority, Vec<Bag>) {
    let roll: f64 = rng.random_range(0.0..1.0);
    if roll < medicine_share {
        let bag = Bag { kg: Kg(0.3), litres: Litres(1.0), label: Some("medicine".into()) };
        return (Priority::Medicine, vec![bag]);
    }
    let priority = if roll < medicine_share + need_share { Priority::Need } else { Priority::Normal };
    let count = match rng.random_range(0.0..1.0) {
        u if u < 0.45 => 1,
        u if u < 0.80 => 2,
        _ => 3,
    };
    let bags = (0..count)
        .map(|_| {
            let (label, kg, litres, _) = *pick(rng);
            Bag { kg: Kg(kg), litres: Litres(litres), label: Some(label.to_owned()) }
        })
        .collect();
    (priority, bags)
}
