//! Unit newtypes used across crate boundaries, so that metres never pass for seconds.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, Mul, Sub};

macro_rules! unit {
    ($(#[$doc:meta])* $name:ident, $suffix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub f64);

        impl $name {
            /// The bare value, for arithmetic that crosses units.
            pub const fn get(self) -> f64 {
                self.0
            }
        }

        impl From<f64> for $name {
            fn from(v: f64) -> Self {
                Self(v)
            }
        }

        impl Add for $name {
            type Output = Self;
            fn add(self, rhs: Self) -> Self {
                Self(self.0 + rhs.0)
            }
        }

        impl AddAssign for $name {
            fn add_assign(&mut self, rhs: Self) {
                self.0 += rhs.0;
            }
        }

        impl Sub for $name {
            type Output = Self;
            fn sub(self, rhs: Self) -> Self {
                Self(self.0 - rhs.0)
            }
        }

        impl Mul<f64> for $name {
            type Output = Self;
            fn mul(self, rhs: f64) -> Self {
                Self(self.0 * rhs)
            }
        }

        impl Sum for $name {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                Self(iter.map(|v| v.0).sum())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match f.precision() {
                    Some(p) => write!(f, "{:.*} {}", p, self.0, $suffix),
                    None => write!(f, "{} {}", self.0, $suffix),
                }
            }
        }
    };
}

unit!(
    /// A length or a distance in metres.
    Metres,
    "m"
);
unit!(
    /// A duration in seconds.
    Seconds,
    "s"
);
unit!(
    /// A mass in kilograms.
    Kg,
    "kg"
);
unit!(
    /// A volume in litres.
    Litres,
    "L"
);
unit!(
    /// An energy in kilojoules (net metabolic).
    Kilojoules,
    "kJ"
);
unit!(
    /// A speed in metres per second.
    MetresPerSecond,
    "m/s"
);

impl MetresPerSecond {
    /// A speed given in km/h, as vehicle standards state it.
    pub fn from_km_per_hour(kmh: f64) -> Self {
        Self(kmh / 3.6)
    }
}

impl Div<MetresPerSecond> for Metres {
    type Output = Seconds;
    fn div(self, speed: MetresPerSecond) -> Seconds {
        Seconds(self.0 / speed.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_over_speed_is_time() {
        let t = Metres(600.0) / MetresPerSecond::from_km_per_hour(6.0);
        assert!((t.get() - 360.0).abs() < 1e-9);
    }

    #[test]
    fn display_honours_precision() {
        assert_eq!(format!("{:.1}", Metres(2.25)), "2.2 m");
        assert_eq!(format!("{}", Kg(3.0)), "3 kg");
    }
}
