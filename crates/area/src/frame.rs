//! A local planar frame: WGS-84 lon/lat to metres east and north of an origin.
//!
//! Sealed areas span at most a few kilometres, where an equirectangular projection around the
//! area's centre is accurate to well under 0.1 %. Working in metres keeps snapping, lengths
//! and the R-tree in plain Euclidean geometry.

use crate::spec::LonLat;
use serde::{Deserialize, Serialize};

/// Mean Earth radius (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Equirectangular projection around an origin.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalFrame {
    origin: LonLat,
    metres_per_degree_lon: f64,
    metres_per_degree_lat: f64,
}

impl LocalFrame {
    /// A frame centred on `origin`.
    pub fn new(origin: LonLat) -> Self {
        let metres_per_degree_lat = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        Self {
            origin,
            metres_per_degree_lon: metres_per_degree_lat * origin.lat.to_radians().cos(),
            metres_per_degree_lat,
        }
    }

    /// A frame centred on the middle of the given positions' bounding box.
    pub fn around(points: impl IntoIterator<Item = LonLat>) -> Self {
        let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in points {
            w = w.min(p.lon);
            e = e.max(p.lon);
            s = s.min(p.lat);
            n = n.max(p.lat);
        }
        if w > e {
            return Self::new(LonLat::new(0.0, 0.0));
        }
        Self::new(LonLat::new((w + e) / 2.0, (s + n) / 2.0))
    }

    /// Metres east and north of the origin.
    pub fn to_local(&self, p: LonLat) -> [f64; 2] {
        [(p.lon - self.origin.lon) * self.metres_per_degree_lon, (p.lat - self.origin.lat) * self.metres_per_degree_lat]
    }

    /// Back to WGS-84.
    pub fn to_lon_lat(&self, xy: [f64; 2]) -> LonLat {
        LonLat::new(
            self.origin.lon + xy[0] / self.metres_per_degree_lon,
            self.origin.lat + xy[1] / self.metres_per_degree_lat,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_scale() {
        let frame = LocalFrame::new(LonLat::new(109.94, 33.87));
        let p = LonLat::new(109.95, 33.88);
        let xy = frame.to_local(p);
        // 0.01° of latitude is about 1112 m; of longitude at 33.87° N about 923 m.
        assert!((xy[1] - 1111.95).abs() < 1.0, "{xy:?}");
        assert!((xy[0] - 923.4).abs() < 1.0, "{xy:?}");
        let back = frame.to_lon_lat(xy);
        assert!((back.lon - p.lon).abs() < 1e-12 && (back.lat - p.lat).abs() < 1e-12);
    }
}
