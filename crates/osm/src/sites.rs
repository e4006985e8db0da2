//! Candidate station sites on the tricycle lanes, spread over the area and away from the
//! gate; a few of them opened, so that the area plans at once. `lastmetre place` chooses
//! properly, on the lane network and the demand.

use crate::params::ImportParams;
use crate::{Estimate, Import};
use lastmetre_area::{Area, EdgeKind, SiteSpec};
use petgraph::visit::EdgeRef;
use std::collections::HashSet;

/// Candidate points are taken every this many metres along the tricycle lanes.
const SAMPLE_M: f64 = 10.0;

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// Points every [`SAMPLE_M`] along the lanes a tricycle reaches from the gate.
fn samples(area: &Area) -> Vec<[f64; 2]> {
    let g = &area.graph;
    let Some(start) = area.gates.first().map(|gate| gate.node) else { return Vec::new() };
    let seen = crate::repair::reach(g, start, |e| e.tricycle);
    let mut points = Vec::new();
    for e in g.edge_references() {
        let edge = e.weight();
        if !(matches!(edge.kind, EdgeKind::Lane(_)) && edge.tricycle && seen[e.source().index()]) {
            continue;
        }
        let mut next_at = SAMPLE_M / 2.0;
        let mut walked = 0.0;
        for w in edge.path.windows(2) {
            let length = distance(w[0], w[1]);
            while next_at <= walked + length && length > 0.0 {
                let t = (next_at - walked) / length;
                points.push([w[0][0] + t * (w[1][0] - w[0][0]), w[0][1] + t * (w[1][1] - w[0][1])]);
                next_at += SAMPLE_M;
            }
            walked += length;
        }
    }
    points
}

/// Adds candidate sites to `import.spec.sites` and opens some of them.
pub(crate) fn lay_out(area: &Area, params: &ImportParams, import: &mut Import) {
    let households = import.spec.households.len();
    let wanted = params.sites.unwrap_or_else(|| households.div_ceil(30).clamp(4, 300));
    let gate = area.gates.first().map(|g| area.graph[g.node].at);
    let mut points = samples(area);
    if let Some(gate) = gate {
        points.retain(|p| distance(*p, gate) >= params.site_gate_clearance_m);
    }
    if points.is_empty() || wanted == 0 {
        import.warnings.push(
            "no lane a tricycle can use leads from the gate far enough into the area: no station site was laid out; \
             check the lane widths, or add station_site features by hand"
                .into(),
        );
        return;
    }
    // Farthest-point sampling, starting from the gate: spread out and away from it.
    let mut nearest: Vec<f64> = points.iter().map(|p| gate.map_or(f64::INFINITY, |g| distance(*p, g))).collect();
    let mut chosen: Vec<[f64; 2]> = Vec::new();
    while chosen.len() < wanted {
        let Some((best, far)) = nearest.iter().copied().enumerate().max_by(|a, b| a.1.total_cmp(&b.1)) else { break };
        if !chosen.is_empty() && far < params.site_spacing_m {
            break;
        }
        let p = points[best];
        chosen.push(p);
        for (d, q) in nearest.iter_mut().zip(&points) {
            *d = d.min(distance(p, *q));
        }
    }

    // Open one per `households_per_station`, greedily nearest (straight line) to the doors.
    let kept: HashSet<&str> = import.spec.stairwells.iter().map(|s| s.id.as_str()).collect();
    let doors: Vec<([f64; 2], f64)> = area
        .stairwells
        .iter()
        .filter(|s| kept.contains(s.id.as_str()))
        .map(|s| (area.graph[s.door].at, s.households.len() as f64))
        .collect();
    // At least a third of the candidates stay closed, as alternatives for `place` (with one
    // or two candidates, they all open).
    let most = (chosen.len() - chosen.len() / 3).max(1);
    let open_count = ((households as f64 / params.households_per_station).ceil() as usize).clamp(1, most);
    let far: Vec<Vec<f64>> = chosen.iter().map(|c| doors.iter().map(|(d, _)| distance(*c, *d)).collect()).collect();
    let mut serving: Vec<f64> = vec![f64::INFINITY; doors.len()];
    let mut open = vec![false; chosen.len()];
    for _ in 0..open_count {
        let cost = |site: usize| -> f64 {
            far[site].iter().zip(&serving).zip(&doors).map(|((d, now), (_, w))| w * now.min(*d)).sum()
        };
        let costs: Vec<(usize, f64)> = (0..chosen.len()).filter(|i| !open[*i]).map(|i| (i, cost(i))).collect();
        let Some(&(best, _)) = costs.iter().min_by(|a, b| a.1.total_cmp(&b.1)) else { break };
        open[best] = true;
        for (now, d) in serving.iter_mut().zip(&far[best]) {
            *now = now.min(*d);
        }
    }
    for (k, (p, open)) in chosen.into_iter().zip(open).enumerate() {
        let id = format!("site-{}", k + 1);
        let why = format!(
            "spread over the tricycle lanes from the gate, ≥ {} m apart and ≥ {} m from the gate; choose with `lastmetre place`",
            params.site_spacing_m, params.site_gate_clearance_m
        );
        import.mark(&id, Estimate::StationSite, "geometry", why);
        if open {
            let why = format!(
                "one station per {} households, nearest to the doors in a straight line; choose with `lastmetre place`",
                params.households_per_station
            );
            import.mark(&id, Estimate::OpenStation, "open", why);
        }
        import.spec.sites.push(SiteSpec { id, at: area.frame.to_lon_lat(p), open, capacity: None, name: None });
    }
}
