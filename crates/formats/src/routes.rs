//! Routes GeoJSON: each trip and outing as a LineString that follows the lanes.

use lastmetre_area::Area;
use lastmetre_model::{Instance, Plan};
use petgraph::graph::NodeIndex;
use serde_json::{Value, json};

/// Colours for routes, one per tricycle or porter (simplestyle `stroke`, shown by geojson.io).
const PALETTE: &[&str] =
    &["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];

fn round(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// The plan's routes over the area's lanes. Legs are drawn along shortest routes; a leg with
/// no route in the graph (which a checked plan never has) is drawn straight.
pub fn routes_geojson(area: &Area, instance: &Instance, plan: &Plan) -> Value {
    let station_node = |s: usize| area.sites.iter().find(|x| x.id == instance.stations[s].id).map(|x| x.node);
    let door_node = |w: usize| area.stairwells.iter().find(|x| x.id == instance.stairwells[w].id).map(|x| x.door);
    let gate = area.gates.first().map(|g| g.node);
    let line = |stops: &[Option<NodeIndex>], tricycle: bool| -> Value {
        let mut points: Vec<[f64; 2]> = Vec::new();
        for pair in stops.windows(2) {
            let (Some(a), Some(b)) = (pair[0], pair[1]) else { continue };
            let leg = area.course(a, b, tricycle).unwrap_or_else(|| vec![area.graph[a].at, area.graph[b].at]);
            let skip = usize::from(!points.is_empty());
            points.extend(leg.into_iter().skip(skip));
        }
        let coordinates: Vec<Value> = points
            .iter()
            .map(|p| {
                let ll = area.frame.to_lon_lat(*p);
                json!([round(ll.lon), round(ll.lat)])
            })
            .collect();
        json!({ "type": "LineString", "coordinates": coordinates })
    };
    let mut features = Vec::new();
    for (n, trip) in plan.trips.iter().enumerate() {
        let mut stops = vec![gate];
        stops.extend(trip.stops.iter().map(|s| station_node(s.station)));
        stops.push(gate);
        let stations: Vec<&str> = trip.stops.iter().map(|s| instance.stations[s.station].id.as_str()).collect();
        features.push(json!({
            "type": "Feature",
            "geometry": line(&stops, true),
            "properties": {
                "kind": "trip",
                "trip": n + 1,
                "tricycle": trip.tricycle + 1,
                "stations": stations.join(" → "),
                "start_s": trip.start_s,
                "end_s": trip.end_s,
                "stroke": PALETTE[trip.tricycle % PALETTE.len()],
                "stroke-width": 4,
            },
        }));
    }
    for (n, outing) in plan.outings.iter().enumerate() {
        let mut stops = vec![station_node(outing.station)];
        stops.extend(outing.climbs.iter().map(|c| door_node(c.stairwell)));
        stops.push(station_node(outing.station));
        let stairwells: Vec<&str> =
            outing.climbs.iter().map(|c| instance.stairwells[c.stairwell].label.as_str()).collect();
        features.push(json!({
            "type": "Feature",
            "geometry": line(&stops, false),
            "properties": {
                "kind": "outing",
                "outing": n + 1,
                "porter": outing.porter + 1,
                "station": instance.stations[outing.station].id,
                "stairwells": stairwells.join(" → "),
                "start_s": outing.start_s,
                "end_s": outing.end_s,
                "stroke": PALETTE[outing.porter % PALETTE.len()],
                "stroke-width": 2,
            },
        }));
    }
    json!({ "type": "FeatureCollection", "features": features })
}
