//! Candidate station sites on the tricycle lanes, spread over the area and away from the
//! gate; a few of them opened, so that the area plans at once. `lastmetre place` chooses
//! properly, on the lane network and the demand.

use crate::params::ImportParams;
use crate::{Estimate, Import};
use lastmetre_area::{Area, EdgeKind, SiteSpec};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::collections::{HashMap, HashSet};

/// Candidate points are taken every this many metres along the tricycle lanes.
const SAMPLE_M: f64 = 10.0;

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// A point on a tricycle lane: where, and how far along its edge from each end node.
#[derive(Clone, Copy)]
struct Sample {
    at: [f64; 2],
    ends: [(NodeIndex, f64); 2],
}

/// Points every [`SAMPLE_M`] along the lanes a tricycle reaches from the gate.
fn samples(area: &Area) -> Vec<Sample> {
    let g = &area.graph;
    let Some(start) = area.gates.first().map(|gate| gate.node) else { return Vec::new() };
    let seen = crate::repair::reach(g, start, |e| e.tricycle);
    let mut points = Vec::new();
    for e in g.edge_references() {
        let edge = e.weight();
        if !(matches!(edge.kind, EdgeKind::Lane(_)) && edge.tricycle && seen[e.source().index()]) {
            continue;
        }
        let total = edge.length.get();
        let mut next_at = SAMPLE_M / 2.0;
        let mut walked = 0.0;
        for w in edge.path.windows(2) {
            let length = distance(w[0], w[1]);
            while next_at <= walked + length && length > 0.0 {
                let t = (next_at - walked) / length;
                let at = [w[0][0] + t * (w[1][0] - w[0][0]), w[0][1] + t * (w[1][1] - w[0][1])];
                points.push(Sample { at, ends: [(e.source(), next_at), (e.target(), (total - next_at).max(0.0))] });
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
    let mut samples = samples(area);
    if let Some(gate) = gate {
        samples.retain(|p| distance(p.at, gate) >= params.site_gate_clearance_m);
    }
    if samples.is_empty() || wanted == 0 {
        import.warnings.push(format!(
            "no lane a tricycle can use leads from the gate far enough into the area: no station site was laid out; {}",
            would_qualify(area, params)
        ));
        return;
    }
    let points: Vec<[f64; 2]> = samples.iter().map(|s| s.at).collect();
    // Farthest-point sampling, starting from the gate: spread out and away from it.
    let mut nearest: Vec<f64> = points.iter().map(|p| gate.map_or(f64::INFINITY, |g| distance(*p, g))).collect();
    let mut chosen: Vec<[f64; 2]> = Vec::new();
    let mut chosen_samples: Vec<Sample> = Vec::new();
    while chosen.len() < wanted {
        let Some((best, far)) = nearest.iter().copied().enumerate().max_by(|a, b| a.1.total_cmp(&b.1)) else { break };
        if !chosen.is_empty() && far < params.site_spacing_m {
            break;
        }
        let p = points[best];
        chosen.push(p);
        chosen_samples.push(samples[best]);
        for (d, q) in nearest.iter_mut().zip(&points) {
            *d = d.min(distance(p, *q));
        }
    }

    // Open stations in two steps: first until `station_walk_share` of the households have an
    // open station within `station_walk_m` on foot (each time the site that brings the most
    // households in reach), then up to one per `households_per_station`, each time the site
    // nearest (in a straight line) to the doors still far from one.
    let kept: HashSet<&str> = import.spec.stairwells.iter().map(|s| s.id.as_str()).collect();
    let doors: Vec<(NodeIndex, [f64; 2], f64)> = area
        .stairwells
        .iter()
        .filter(|s| kept.contains(s.id.as_str()))
        .map(|s| (s.door, area.graph[s.door].at, s.households.len() as f64))
        .collect();
    let door_index: HashMap<NodeIndex, usize> = doors.iter().enumerate().map(|(k, d)| (d.0, k)).collect();
    let limit = params.station_walk_m;
    let mut from_end: HashMap<NodeIndex, HashMap<NodeIndex, f64>> = HashMap::new();
    let covers: Vec<Vec<usize>> = chosen_samples
        .iter()
        .map(|sample| {
            let mut near = HashSet::new();
            for (end, offset) in sample.ends {
                let reach = from_end.entry(end).or_insert_with(|| crate::repair::walk_within(area, &[end], limit));
                near.extend(
                    reach.iter().filter(|(_, d)| offset + **d <= limit).filter_map(|(n, _)| door_index.get(n).copied()),
                );
            }
            let mut near: Vec<usize> = near.into_iter().collect();
            near.sort_unstable();
            near
        })
        .collect();
    let total: f64 = doors.iter().map(|d| d.2).sum();
    let mut covered = vec![false; doors.len()];
    let mut covered_households = 0.0;
    let mut open = vec![false; chosen.len()];
    while covered_households < params.station_walk_share * total {
        let gain = |site: usize| covers[site].iter().filter(|d| !covered[**d]).map(|d| doors[*d].2).sum::<f64>();
        let best = (0..chosen.len())
            .filter(|i| !open[*i])
            .map(|i| (i, gain(i)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((best, g)) = best.filter(|(_, g)| *g > 0.0) else { break };
        open[best] = true;
        covered_households += g;
        for d in &covers[best] {
            covered[*d] = true;
        }
    }
    // At least a third of the candidates stay closed, as alternatives for `place` (with one
    // or two candidates, they all open), unless reach on foot needs them.
    let most = (chosen.len() - chosen.len() / 3).max(1);
    let per_station = ((households as f64 / params.households_per_station).ceil() as usize).clamp(1, most);
    let far: Vec<Vec<f64>> = chosen.iter().map(|c| doors.iter().map(|(_, d, _)| distance(*c, *d)).collect()).collect();
    // Far beyond any area for a door no station serves yet, so that savings stay finite.
    let mut serving: Vec<f64> = vec![1e9; doors.len()];
    for (site, _) in open.iter().enumerate().filter(|(_, o)| **o) {
        for (now, d) in serving.iter_mut().zip(&far[site]) {
            *now = now.min(*d);
        }
    }
    // Lazy greedy: a site's saving only shrinks as others open, so a saving computed earlier
    // is an upper bound, and only the best-looking site needs computing again.
    let saving = |site: usize, serving: &[f64]| -> f64 {
        far[site].iter().zip(serving).zip(&doors).map(|((d, now), (_, _, w))| w * (now - d).max(0.0)).sum()
    };
    let mut bounds: Vec<(f64, usize)> = (0..chosen.len()).filter(|i| !open[*i]).map(|i| (f64::INFINITY, i)).collect();
    while open.iter().filter(|o| **o).count() < per_station && !bounds.is_empty() {
        bounds.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let (_, site) = bounds[0];
        let now = saving(site, &serving);
        if bounds.len() > 1 && now < bounds[1].0 {
            bounds[0].0 = now;
            continue;
        }
        bounds.remove(0);
        open[site] = true;
        for (now, d) in serving.iter_mut().zip(&far[site]) {
            *now = now.min(*d);
        }
    }
    // Reach over every open station, those of the second step too.
    let mut near = vec![false; doors.len()];
    for (site, _) in open.iter().enumerate().filter(|(_, o)| **o) {
        for d in &covers[site] {
            near[*d] = true;
        }
    }
    let reached: f64 = doors.iter().zip(&near).filter(|(_, n)| **n).map(|(d, _)| d.2).sum();
    let share = if total > 0.0 { reached / total } else { 1.0 };
    import.station_reach = Some(share);
    if share < params.station_walk_share {
        import.warnings.push(format!(
            "only {:.1} % of households have an open station within {} m on foot (target {:.0} %): tricycle lanes do not come near the rest; check the lane widths",
            100.0 * share,
            limit,
            100.0 * params.station_walk_share
        ));
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
                "opened so that {:.0} % of households have a station within {} m on foot, and at least one per {} households; choose with `lastmetre place`",
                100.0 * params.station_walk_share,
                params.station_walk_m,
                params.households_per_station
            );
            import.mark(&id, Estimate::OpenStation, "open", why);
        }
        import.spec.sites.push(SiteSpec { id, at: area.frame.to_lon_lat(p), open, capacity: None, name: None });
    }
}

/// Which walkable ways near the gate a tricycle could use with an override, for the report
/// when no site can be laid out.
fn would_qualify(area: &Area, params: &ImportParams) -> String {
    let Some(start) = area.gates.first().map(|g| g.node) else {
        return "add station_site features by hand".into();
    };
    let seen = crate::repair::reach(&area.graph, start, |e| e.foot);
    let mut lanes: Vec<(f64, &str)> = area
        .graph
        .edge_references()
        .filter_map(|e| match e.weight().kind {
            EdgeKind::Lane(l) if seen[e.source().index()] && !area.lanes[l].tricycle => Some(l),
            _ => None,
        })
        .collect::<HashSet<usize>>()
        .into_iter()
        .filter(|l| area.lanes[*l].class != lastmetre_area::LaneClass::Steps)
        .map(|l| (area.lanes[l].length.get(), area.lanes[l].id.as_str()))
        .collect();
    lanes.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    if lanes.is_empty() {
        return "map the streets that lead in, or add station_site features by hand".into();
    }
    let names: Vec<String> = lanes.iter().take(5).map(|(m, id)| format!("{id} ({m:.0} m)")).collect();
    format!(
        "these walkable lanes would take a tricycle with `width` of at least {} m or `tricycle=yes` in the area file: {}",
        params.area.tricycle_width.get(),
        names.join(", ")
    )
}
