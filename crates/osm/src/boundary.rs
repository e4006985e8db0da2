//! The sealed area's boundary, in WGS-84 degrees: what lies inside is imported.

use crate::ImportError;
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{BoundingRect, Contains, Coord, Distance, Line, LineString, MultiPolygon, Polygon, Rect};
use lastmetre_area::LonLat;
use serde_json::Value;

/// A boundary: one or more polygons in lon/lat degrees.
#[derive(Clone, Debug, PartialEq)]
pub struct Boundary(MultiPolygon<f64>);

impl Boundary {
    /// A box from west, south, east and north edges, as `--bbox W,S,E,N` gives them.
    pub fn bbox(wsen: [f64; 4]) -> Self {
        let [w, s, e, n] = wsen;
        Self(MultiPolygon::new(vec![Rect::new(Coord { x: w, y: s }, Coord { x: e, y: n }).to_polygon()]))
    }

    /// A box, checked: finite, in range, west of east and south of north.
    pub fn checked_bbox(wsen: [f64; 4]) -> Result<Self, ImportError> {
        let [w, s, e, n] = wsen;
        let in_range = LonLat::new(w, s).is_lon_lat() && LonLat::new(e, n).is_lon_lat();
        if !in_range || w >= e || s >= n {
            return Err(ImportError::BadBoundary(format!(
                "--bbox {w},{s},{e},{n} is not west,south,east,north in WGS-84 degrees with west < east and south < north"
            )));
        }
        Ok(Self::bbox(wsen))
    }

    /// One region from possibly overlapping polygons: overlaps and duplicates merged, so that
    /// "inside" means the same to clipping and to point tests.
    fn merged(polygons: Vec<Polygon<f64>>) -> Self {
        Self(geo::unary_union(&polygons))
    }

    /// Distance from a position to the boundary's edge, in degrees (for ranking only).
    pub(crate) fn edge_distance(&self, p: LonLat) -> f64 {
        let point = geo::Point::new(p.lon, p.lat);
        self.0
            .iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .map(|ring| geo::Euclidean.distance(&point, ring))
            .fold(f64::INFINITY, f64::min)
    }

    /// The union of a file's `<bounds>` boxes, each checked.
    pub(crate) fn from_bounds(boxes: &[[f64; 4]]) -> Result<Self, ImportError> {
        let mut polygons = Vec::new();
        for b in boxes {
            let checked = Self::checked_bbox(*b).map_err(|e| {
                ImportError::BadBoundary(format!("the file's <bounds> is not a box ({e}); give --bbox or --boundary"))
            })?;
            polygons.extend(checked.0);
        }
        Ok(Self::merged(polygons))
    }

    /// The box around it: west, south, east, north.
    pub fn bounding_box(&self) -> Option<[f64; 4]> {
        self.0.bounding_rect().map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
    }

    /// True when the position lies inside (or on the edge).
    pub fn contains(&self, p: LonLat) -> bool {
        let point = geo::Point::new(p.lon, p.lat);
        self.0.contains(&point) || self.0.iter().any(|poly| geo::Intersects::intersects(poly.exterior(), &point))
    }

    /// The parts of a line that lie inside, each with at least two positions.
    ///
    /// Written here rather than taken from `geo::BooleanOps::clip`, which drops and moves
    /// vertices by up to a metre: a vertex shared with another way must stay exactly where it
    /// is, or the ways no longer meet. Every original vertex inside is kept as it was; cuts
    /// fall exactly on the boundary.
    pub(crate) fn clip(&self, path: &[LonLat]) -> Vec<Vec<LonLat>> {
        if path.len() < 2 {
            return Vec::new();
        }
        let line = LineString::from(path.iter().map(|p| (p.lon, p.lat)).collect::<Vec<_>>());
        // Whole inside (a segment between two inside vertices may still cross a notch or a
        // hole of a concave boundary, so the line is tested, not its vertices).
        if self.0.contains(&line) {
            return vec![path.to_vec()];
        }
        let edges: Vec<Line<f64>> = self
            .0
            .iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .flat_map(|r| r.lines())
            .collect();
        let mut pieces: Vec<Vec<LonLat>> = Vec::new();
        let mut current: Vec<LonLat> = Vec::new();
        for w in path.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (dx, dy) = (b.lon - a.lon, b.lat - a.lat);
            let length2 = dx * dx + dy * dy;
            if length2 == 0.0 {
                continue;
            }
            let at = |t: f64| match t {
                0.0 => a,
                1.0 => b,
                t => LonLat::new(a.lon + t * dx, a.lat + t * dy),
            };
            let param = |c: Coord<f64>| (((c.x - a.lon) * dx + (c.y - a.lat) * dy) / length2).clamp(0.0, 1.0);
            let segment = Line::new(Coord { x: a.lon, y: a.lat }, Coord { x: b.lon, y: b.lat });
            let mut cuts = vec![0.0, 1.0];
            for edge in &edges {
                match line_intersection(segment, *edge) {
                    Some(LineIntersection::SinglePoint { intersection, .. }) => cuts.push(param(intersection)),
                    Some(LineIntersection::Collinear { intersection }) => {
                        cuts.push(param(intersection.start));
                        cuts.push(param(intersection.end));
                    }
                    None => {}
                }
            }
            cuts.sort_by(f64::total_cmp);
            cuts.dedup_by(|x, y| (*x - *y).abs() < 1e-12);
            for span in cuts.windows(2) {
                let (from, to) = (at(span[0]), at(span[1]));
                if self.contains(at((span[0] + span[1]) / 2.0)) {
                    if current.last() != Some(&from) {
                        if current.len() >= 2 {
                            pieces.push(std::mem::take(&mut current));
                        }
                        current = vec![from];
                    }
                    current.push(to);
                } else if current.len() >= 2 {
                    pieces.push(std::mem::take(&mut current));
                } else {
                    current.clear();
                }
            }
        }
        if current.len() >= 2 {
            pieces.push(current);
        }
        pieces
    }

    /// True when the position lies on the boundary's edge, within about a centimetre.
    pub(crate) fn on_edge(&self, p: LonLat) -> bool {
        self.edge_distance(p) < 1e-7
    }

    /// A short description for messages.
    pub(crate) fn describe(&self) -> String {
        match self.0.bounding_rect() {
            Some(r) => format!("{:.6},{:.6},{:.6},{:.6}", r.min().x, r.min().y, r.max().x, r.max().y),
            None => "empty".into(),
        }
    }
}

/// Reads a boundary from GeoJSON: a Polygon or MultiPolygon, bare, as a Feature, or as every
/// polygon of a FeatureCollection.
pub fn boundary_from_geojson(text: &str) -> Result<Boundary, ImportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ImportError::BadBoundary(format!("not JSON: {e}")))?;
    let mut polygons = Vec::new();
    collect(&value, &mut polygons)?;
    if polygons.is_empty() {
        return Err(ImportError::BadBoundary(
            "the GeoJSON holds no Polygon or MultiPolygon; draw the area's outline as a polygon".into(),
        ));
    }
    Ok(Boundary::merged(polygons))
}

fn collect(value: &Value, out: &mut Vec<Polygon<f64>>) -> Result<(), ImportError> {
    match value.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {
            for f in value.get("features").and_then(Value::as_array).into_iter().flatten() {
                collect(f, out)?;
            }
        }
        Some("Feature") => {
            if let Some(g) = value.get("geometry") {
                collect(g, out)?;
            }
        }
        Some("Polygon") => out.push(polygon(value.get("coordinates"))?),
        Some("MultiPolygon") => {
            for rings in value.get("coordinates").and_then(Value::as_array).into_iter().flatten() {
                out.push(polygon(Some(rings))?);
            }
        }
        _ => {}
    }
    Ok(())
}

fn polygon(rings: Option<&Value>) -> Result<Polygon<f64>, ImportError> {
    let bad = |what: &str| ImportError::BadBoundary(format!("a polygon {what}"));
    let rings = rings.and_then(Value::as_array).ok_or_else(|| bad("has no coordinates"))?;
    let mut parsed = Vec::new();
    for ring in rings {
        let mut coords = Vec::new();
        for position in ring.as_array().ok_or_else(|| bad("ring is not an array"))? {
            let xy = position.as_array().ok_or_else(|| bad("position is not an array"))?;
            let (Some(lon), Some(lat)) = (xy.first().and_then(Value::as_f64), xy.get(1).and_then(Value::as_f64)) else {
                return Err(bad("position is not two numbers"));
            };
            if !LonLat::new(lon, lat).is_lon_lat() {
                return Err(bad(&format!("position [{lon}, {lat}] is not WGS-84 lon/lat; export in EPSG:4326")));
            }
            coords.push(Coord { x: lon, y: lat });
        }
        if coords.len() < 4 {
            return Err(bad("ring has fewer than four positions"));
        }
        parsed.push(LineString::new(coords));
    }
    let mut rings = parsed.into_iter();
    let exterior = rings.next().ok_or_else(|| bad("has no ring"))?;
    Ok(Polygon::new(exterior, rings.collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_a_line_at_the_edge() {
        let b = Boundary::bbox([0.0, 0.0, 1.0, 1.0]);
        let pieces = b.clip(&[LonLat::new(-1.0, 0.5), LonLat::new(0.5, 0.5), LonLat::new(0.5, 2.0)]);
        assert_eq!(pieces.len(), 1);
        let piece = &pieces[0];
        assert!(piece.contains(&LonLat::new(0.5, 0.5)), "a vertex inside is kept exactly: {piece:?}");
        assert!(piece.iter().all(|p| b.contains(*p)));
        assert!(b.on_edge(piece[0]) || b.on_edge(piece[piece.len() - 1]));
    }

    #[test]
    fn reads_geojson_polygons() {
        let text =
            r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}"#;
        let b = boundary_from_geojson(text).unwrap();
        assert!(b.contains(LonLat::new(0.5, 0.5)));
        assert!(!b.contains(LonLat::new(1.5, 0.5)));
        assert!(boundary_from_geojson(r#"{"type":"Point","coordinates":[0,0]}"#).is_err());
        assert!(boundary_from_geojson(r#"{"type":"Polygon","coordinates":[[[0,0],[400000,0],[1,1],[0,0]]]}"#).is_err());
    }
}
