//! Writes an `AreaSpec` in the GeoJSON area format (the inverse of the reader).

use lastmetre_area::{AreaSpec, LaneClass, LonLat};
use serde_json::{Map, Value, json};

/// Seven decimals of a degree are about a centimetre: enough for a traced plan.
fn round(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

fn position(p: LonLat) -> Value {
    json!([round(p.lon), round(p.lat)])
}

fn feature(id: &str, geometry: Value, props: Value) -> Value {
    json!({ "type": "Feature", "id": id, "geometry": geometry, "properties": props })
}

fn point(p: LonLat) -> Value {
    json!({ "type": "Point", "coordinates": position(p) })
}

/// Drops `null` properties so that the file carries only what is known.
fn props(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect::<Map<_, _>>()),
        other => other,
    }
}

/// The area as a GeoJSON FeatureCollection, in the documented format.
pub fn write_area(spec: &AreaSpec) -> Value {
    write_area_with(spec, &|_| None, Map::new())
}

/// The area as [`write_area`] writes it, with more properties: `extra(id)` adds to a
/// feature's (an importer's provenance, say), and `collection` becomes the collection's own
/// `properties` member (attribution, licence, source).
pub fn write_area_with(
    spec: &AreaSpec,
    extra: &dyn Fn(&str) -> Option<Map<String, Value>>,
    collection: Map<String, Value>,
) -> Value {
    let mut area = write_plain(spec);
    if let Some(features) = area["features"].as_array_mut() {
        for feature in features {
            let Some(more) = feature["id"].as_str().and_then(extra) else { continue };
            if let Some(props) = feature["properties"].as_object_mut() {
                props.extend(more);
            }
        }
    }
    if !collection.is_empty() {
        area["properties"] = Value::Object(collection);
    }
    area
}

fn write_plain(spec: &AreaSpec) -> Value {
    let mut features = Vec::new();
    for g in &spec.gates {
        features.push(feature(&g.id, point(g.at), props(json!({ "kind": "gate", "name": g.name }))));
    }
    for l in &spec.lanes {
        let coordinates: Vec<Value> = l.path.iter().map(|p| position(*p)).collect();
        let (highway, service) = match &l.class {
            LaneClass::Steps => (Some("steps"), None),
            LaneClass::Alley => (Some("service"), Some("alley")),
            LaneClass::Street(s) => (Some(s.as_str()), None),
            LaneClass::Unspecified => (None, None),
        };
        let tricycle = l.tricycle.map(|t| if t { "yes" } else { "no" });
        features.push(feature(
            &l.id,
            json!({ "type": "LineString", "coordinates": coordinates }),
            props(json!({
                "kind": "lane",
                "highway": highway,
                "service": service,
                "width": l.width.map(|w| round(w.get())),
                "incline": l.incline_pct.map(|s| format!("{s}%")),
                "tricycle": tricycle,
                "foot": (!l.foot).then_some("no"),
                "layer": (l.layer != 0).then_some(l.layer),
            })),
        ));
    }
    for b in &spec.buildings {
        let ring: Vec<Value> = b.outline.iter().map(|p| position(*p)).collect();
        features.push(feature(
            &b.id,
            json!({ "type": "Polygon", "coordinates": [ring] }),
            props(json!({
                "kind": "building",
                "building": "residential",
                "building:levels": b.levels,
                "storey_height": b.storey_height.map(|h| h.get()),
                "name": b.name,
            })),
        ));
    }
    for s in &spec.stairwells {
        features.push(feature(
            &s.id,
            point(s.at),
            props(json!({
                "kind": "stairwell",
                "entrance": "staircase",
                "building_id": s.building,
                "top_floor": s.top_floor,
                "ref": s.name,
            })),
        ));
    }
    for h in &spec.households {
        features.push(feature(
            &h.id,
            Value::Null,
            props(json!({
                "kind": "household",
                "stairwell_id": h.stairwell,
                "floor": h.floor,
                "residents": h.residents,
                "unit": h.unit,
            })),
        ));
    }
    for s in &spec.sites {
        features.push(feature(
            &s.id,
            point(s.at),
            props(json!({
                "kind": "station_site",
                "open": s.open,
                "capacity_kg": s.capacity.map(|c| c.get()),
                "name": s.name,
            })),
        ));
    }
    json!({ "type": "FeatureCollection", "features": features })
}
