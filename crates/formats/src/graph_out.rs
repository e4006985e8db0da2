//! The built graph as GeoJSON, for checking the import in QGIS: lanes with their passability,
//! and the connectors that snapped gates, sites and doors onto lanes.

use lastmetre_area::{Area, EdgeKind, NodeKind};
use serde_json::{Value, json};

fn round(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// Lane pieces and connectors as LineStrings, gates, sites, doors and junctions as Points.
/// Stair flights are not drawn: they stand above their door.
pub fn graph_geojson(area: &Area) -> Value {
    let g = &area.graph;
    let position = |xy: [f64; 2]| {
        let p = area.frame.to_lon_lat(xy);
        json!([round(p.lon), round(p.lat)])
    };
    let mut features = Vec::new();
    for e in g.edge_indices() {
        let edge = &g[e];
        let (kind, lane) = match edge.kind {
            EdgeKind::Lane(l) => ("lane", Some(&area.lanes[l])),
            EdgeKind::Connector => ("connector", None),
            EdgeKind::Stairs => continue,
        };
        let (a, b) = g.edge_endpoints(e).expect("edge exists");
        features.push(json!({
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": edge.path.iter().map(|p| position(*p)).collect::<Vec<_>>(),
            },
            "properties": {
                "kind": kind,
                "lane_id": lane.map(|l| l.id.as_str()),
                "class": lane.map(|l| l.class.as_str()),
                "width": lane.and_then(|l| l.width).map(|w| w.get()),
                "tricycle": edge.tricycle,
                "foot": edge.foot,
                "length_m": (edge.length.get() * 100.0).round() / 100.0,
                "from": a.index(),
                "to": b.index(),
            },
        }));
    }
    for n in g.node_indices() {
        let node = &g[n];
        let (kind, id, extra): (&str, Option<&str>, Value) = match node.kind {
            NodeKind::Junction => ("junction", None, Value::Null),
            NodeKind::Snap => ("snap", None, Value::Null),
            NodeKind::Gate(i) => ("gate", Some(&area.gates[i].id), Value::Null),
            NodeKind::Site(i) => {
                let site = &area.sites[i];
                ("station_site", Some(&site.id), json!({ "open": site.open }))
            }
            NodeKind::Door(i) => {
                let s = &area.stairwells[i];
                ("door", Some(&s.id), json!({ "top_floor": s.top_floor, "households": s.households.len() }))
            }
            NodeKind::Floor { .. } => continue,
        };
        let mut props = json!({ "kind": kind, "ref": id, "node": n.index() });
        if let (Value::Object(p), Value::Object(x)) = (&mut props, extra) {
            p.extend(x);
        }
        features.push(json!({
            "type": "Feature",
            "geometry": { "type": "Point", "coordinates": position(node.at) },
            "properties": props,
        }));
    }
    json!({ "type": "FeatureCollection", "features": features })
}
