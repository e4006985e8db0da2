//! The shape of a day's demand: how many orders a household places in a day, and when.
//!
//! One description serves both sides: the generator draws simulated days from it, and the
//! dispatcher's foresight uses it as its prior before it has seen days of its own.

use serde::{Deserialize, Serialize};

/// Orders per household per day in the founding case (3000 deliveries / 664 households /
/// 13 days).
pub const ORDERS_PER_HOUSEHOLD_DAY: f64 = 0.35;

/// Seconds in an hour.
const HOUR_S: f64 = 3600.0;

/// A day's demand: a rate per household and a mixture of meal-time peaks and a flat spread
/// over the waking hours. The default is DOMAIN.md's founding case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemandProfile {
    /// Orders per household per day.
    pub per_household_day: f64,
    /// Peaks around the collections of the day.
    pub peaks: Vec<Peak>,
    /// The rest, spread evenly over these hours of the day.
    pub spread_hours: (f64, f64),
}

/// Orders gathered around one time of day (a building leader's collection before a batch).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peak {
    /// Hour of the day at the peak's centre.
    pub hour: f64,
    /// Share of the day's orders in this peak.
    pub share: f64,
    /// Standard deviation, hours.
    pub sigma_hours: f64,
}

impl Default for DemandProfile {
    /// 40 % around 11:30 and 40 % around 17:30 (σ 45 min: the collections before the 12:00
    /// and 18:00 batches), 20 % spread over 07:00–21:00.
    fn default() -> Self {
        Self {
            per_household_day: ORDERS_PER_HOUSEHOLD_DAY,
            peaks: vec![
                Peak { hour: 11.5, share: 0.4, sigma_hours: 0.75 },
                Peak { hour: 17.5, share: 0.4, sigma_hours: 0.75 },
            ],
            spread_hours: (7.0, 21.0),
        }
    }
}

impl DemandProfile {
    /// The share of the day's orders spread evenly (what the peaks leave).
    pub fn spread_share(&self) -> f64 {
        (1.0 - self.peaks.iter().map(|p| p.share).sum::<f64>()).max(0.0)
    }

    /// Problems that make the profile unusable, in words, or none.
    pub fn problem(&self) -> Option<String> {
        let shares: f64 = self.peaks.iter().map(|p| p.share).sum();
        let (from, to) = self.spread_hours;
        if !(self.per_household_day.is_finite() && self.per_household_day >= 0.0) {
            Some(format!("demand.per_household_day must be 0 or more, not {}", self.per_household_day))
        } else if self.peaks.iter().any(|p| {
            !(p.share >= 0.0 && p.sigma_hours > 0.0 && p.sigma_hours <= 12.0 && (0.0..=24.0).contains(&p.hour))
        }) {
            Some(
                "every demand peak needs a share ≥ 0, a sigma_hours above 0 and at most 12, and an hour from 0 to 24"
                    .to_owned(),
            )
        } else if shares > 1.0 + 1e-9 {
            Some(format!("the demand peaks' shares add up to {shares:.2}, more than 1"))
        } else if !(0.0..=24.0).contains(&from) || !(0.0..=24.0).contains(&to) || from >= to {
            Some(format!(
                "demand.spread_hours must be two hours of the day, the first before the second, not ({from}, {to})"
            ))
        } else {
            None
        }
    }

    /// The expected share of a day's orders placed between `from_s` and `to_s`, seconds since
    /// midnight of day 1 (any day: the profile repeats daily).
    pub fn share_between(&self, from_s: f64, to_s: f64) -> f64 {
        if to_s <= from_s {
            return 0.0;
        }
        let cumulative = |t: f64| {
            let days = (t / (24.0 * HOUR_S)).floor();
            days + self.share_before(t / HOUR_S - 24.0 * days)
        };
        (cumulative(to_s) - cumulative(from_s)).max(0.0)
    }

    /// The share of one day's orders placed before `hour` (0–24) of that day.
    fn share_before(&self, hour: f64) -> f64 {
        let (from, to) = self.spread_hours;
        let spread = self.spread_share() * ((hour.clamp(from, to) - from) / (to - from));
        // A peak's tails beyond midnight are folded into its own day.
        let peaks: f64 = self
            .peaks
            .iter()
            .map(|p| {
                let at = |h: f64| normal_cdf((h - p.hour) / p.sigma_hours);
                let day = at(24.0) - at(0.0);
                if day > 0.0 { p.share * (at(hour) - at(0.0)) / day } else { 0.0 }
            })
            .sum();
        spread + peaks
    }
}

/// The standard normal distribution function, by the error function's approximation 7.1.26
/// of Abramowitz and Stegun (absolute error below 1.5e-7): plenty for a forecast.
fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly =
        t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 { 0.5 * (1.0 + erf) } else { 0.5 * (1.0 - erf) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_day_holds_every_order_and_the_peaks_hold_their_share() {
        let p = DemandProfile::default();
        assert!((p.share_between(0.0, 24.0 * HOUR_S) - 1.0).abs() < 1e-6);
        assert!((p.share_between(24.0 * HOUR_S, 48.0 * HOUR_S) - 1.0).abs() < 1e-6);
        // Within two sigmas of 11:30: 95 % of its 40 %, plus the spread's 3 hours of 14.
        let noon = p.share_between(10.0 * HOUR_S, 13.0 * HOUR_S);
        assert!((noon - (0.4 * 0.9545 + 0.2 * 3.0 / 14.0)).abs() < 1e-3, "{noon}");
        assert_eq!(p.share_between(2.0 * HOUR_S, 3.0 * HOUR_S), p.share_between(26.0 * HOUR_S, 27.0 * HOUR_S));
        assert!(p.share_between(2.0 * HOUR_S, 3.0 * HOUR_S) < 1e-9);
        assert!(p.problem().is_none());
    }

    #[test]
    fn shares_above_one_are_refused_with_the_figure() {
        let mut p = DemandProfile::default();
        p.peaks[0].share = 0.9;
        assert!(p.problem().unwrap().contains("1.30"));
        let mut late = DemandProfile::default();
        late.peaks[0].hour = 40.0;
        assert!(late.problem().unwrap().contains("hour from 0 to 24"));
    }
}
