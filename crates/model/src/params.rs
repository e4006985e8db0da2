//! Engineering defaults from `DOMAIN.md` that shape the area graph. Every value is a parameter.

use crate::{Metres, MetresPerSecond};
use serde::{Deserialize, Serialize};

/// Legal top speed of an express e-tricycle (YZ/T 0136-2014: 15 km/h). No planned tricycle
/// time may be shorter than the straight line at this speed.
pub const TRICYCLE_TOP_SPEED: MetresPerSecond = MetresPerSecond(15.0 / 3.6);

/// Rules and speeds used to turn a traced plan into a routable graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AreaParams {
    /// Body width of the electric tricycle.
    pub tricycle_width: Metres,
    /// Free space needed beside the tricycle: a lane is passable when its width is at least
    /// `tricycle_width + tricycle_clearance`.
    pub tricycle_clearance: Metres,
    /// Steepest slope, in percent, that a loaded tricycle climbs.
    pub tricycle_max_slope_pct: f64,
    /// Planned tricycle speed inside a sealed area (5–8 km/h).
    pub tricycle_speed: MetresPerSecond,
    /// Porter walking speed in lanes.
    pub walk_speed: MetresPerSecond,
    /// Storey height where a building does not give its own (GB 50096).
    pub storey_height: Metres,
    /// Farthest a gate, station site or stairwell door may sit from a lane.
    pub snap_tolerance: Metres,
    /// Lane ends closer than this to another lane are joined to it (with a warning).
    pub join_tolerance: Metres,
}

impl Default for AreaParams {
    fn default() -> Self {
        Self {
            tricycle_width: Metres(1.1),
            tricycle_clearance: Metres(0.5),
            tricycle_max_slope_pct: 12.0,
            tricycle_speed: MetresPerSecond::from_km_per_hour(6.0),
            walk_speed: MetresPerSecond(1.2),
            storey_height: Metres(2.8),
            snap_tolerance: Metres(25.0),
            join_tolerance: Metres(2.0),
        }
    }
}

impl AreaParams {
    /// The narrowest lane a tricycle can use.
    pub fn tricycle_min_width(&self) -> Metres {
        self.tricycle_width + self.tricycle_clearance
    }
}
