//! Writes an area as OSM XML, tagged the way a mapper would have: for the importer's fixtures,
//! tests and benches (no real OSM data goes into the repository), and for `lastmetre generate
//! --osm`, which makes a synthetic extract to try the importer on.

use lastmetre_area::{AreaSpec, BuildingSpec, LaneClass, LocalFrame, LonLat};
use quick_xml::escape::escape;
use std::collections::HashMap;
use std::fmt::Write;

/// How much of the area the export tells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// Every width, level count, flat count and entrance.
    #[default]
    Full,
    /// As a typical OSM map and export are: some alleys without width, some buildings without
    /// levels (a few with `height`), half without `building:flats`, a fifth without
    /// entrances, a quarter tagged only `building=yes`; every third lane split into two ways,
    /// every seventh building a multipolygon of two ways; and `<bounds>` cutting 3 % off the
    /// east and north, so that ways are clipped and fragments left over. Which ones is fixed
    /// by their order.
    Sparse,
}

/// Seven decimals of a degree, as OSM stores them.
fn key(p: LonLat) -> (i64, i64) {
    ((p.lon * 1e7).round() as i64, (p.lat * 1e7).round() as i64)
}

struct Writer {
    out: String,
    nodes: HashMap<(i64, i64), i64>,
    tagged: HashMap<i64, Vec<(&'static str, String)>>,
    positions: Vec<LonLat>,
}

const META: &str = r#"version="1" timestamp="2022-08-15T00:00:00Z" changeset="1" uid="1" user="lastmetre-fixture""#;

impl Writer {
    fn node(&mut self, p: LonLat) -> i64 {
        let next = self.nodes.len() as i64 + 1;
        *self.nodes.entry(key(p)).or_insert_with(|| {
            self.positions.push(p);
            next
        })
    }

    fn tags(out: &mut String, tags: &[(&str, String)]) {
        for (k, v) in tags {
            let _ = writeln!(out, "    <tag k=\"{k}\" v=\"{}\"/>", escape(v.as_str()));
        }
    }

    fn way(&mut self, id: usize, refs: &[i64], tags: &[(&str, String)]) {
        let _ = writeln!(self.out, "  <way id=\"{id}\" {META}>");
        for r in refs {
            let _ = writeln!(self.out, "    <nd ref=\"{r}\"/>");
        }
        Self::tags(&mut self.out, tags);
        self.out.push_str("  </way>\n");
    }
}

/// The area as an OSM XML document with a `<bounds>` around it.
pub fn to_osm_xml(spec: &AreaSpec, detail: Detail) -> String {
    let sparse = detail == Detail::Sparse;
    let mut w = Writer { out: String::new(), nodes: HashMap::new(), tagged: HashMap::new(), positions: Vec::new() };
    let mut way_id = 0;
    let mut lane_nodes = Vec::new();
    for (i, lane) in spec.lanes.iter().enumerate() {
        let refs: Vec<i64> = lane.path.iter().map(|p| w.node(*p)).collect();
        lane_nodes.extend(refs.iter().copied());
        let mut tags: Vec<(&str, String)> = match &lane.class {
            LaneClass::Steps => vec![("highway", "steps".into())],
            LaneClass::Alley => vec![("highway", "service".into()), ("service", "alley".into())],
            LaneClass::Street(s) => vec![("highway", s.clone())],
            LaneClass::Unspecified => vec![("highway", "footway".into())],
        };
        let street = matches!(lane.class, LaneClass::Street(_));
        if let Some(width) = lane.width.filter(|_| !(sparse && !street && i % 2 == 0)) {
            tags.push(("width", format!("{:.1}", width.get())));
        }
        if let Some(slope) = lane.incline_pct {
            tags.push(("incline", format!("{slope}%")));
        }
        if lane.layer != 0 {
            tags.push(("layer", lane.layer.to_string()));
        }
        if !lane.foot {
            tags.push(("foot", "no".into()));
        }
        if sparse && i % 3 == 0 && refs.len() >= 3 {
            // Mapped as two ways meeting at a middle node.
            let cut = refs.len() / 2;
            way_id += 1;
            w.way(way_id, &refs[..=cut], &tags);
            way_id += 1;
            w.way(way_id, &refs[cut..], &tags);
        } else {
            way_id += 1;
            w.way(way_id, &refs, &tags);
        }
    }

    // The gate: the lane vertex nearest to it, tagged as a gate.
    for gate in &spec.gates {
        let frame = LocalFrame::new(gate.at);
        let nearest = lane_nodes.iter().copied().min_by(|a, b| {
            let d = |n: i64| {
                let xy = frame.to_local(w.positions[n as usize - 1]);
                xy[0].hypot(xy[1])
            };
            d(*a).total_cmp(&d(*b))
        });
        if let Some(n) = nearest {
            w.tagged.entry(n).or_default().push(("barrier", "gate".into()));
        }
    }

    let mut households: HashMap<&str, usize> = HashMap::new();
    let building_of: HashMap<&str, &str> =
        spec.stairwells.iter().map(|s| (s.id.as_str(), s.building.as_str())).collect();
    for h in &spec.households {
        if let Some(b) = building_of.get(h.stairwell.as_str()) {
            *households.entry(b).or_default() += 1;
        }
    }
    for (i, b) in spec.buildings.iter().enumerate() {
        // Doors go into the ring, on the side nearest to them.
        let ring = ring_with_doors(spec, b);
        let mut refs: Vec<i64> = Vec::with_capacity(ring.len() + 1);
        for (p, stairwell) in &ring {
            let n = w.node(*p);
            if let Some(k) = stairwell.filter(|_| !(sparse && i % 5 == 0)) {
                let s = &spec.stairwells[k];
                let mut tags = vec![("entrance", "staircase".to_owned())];
                if let Some(name) = &s.name {
                    tags.push(("ref", name.clone()));
                }
                w.tagged.entry(n).or_default().extend(tags);
            }
            refs.push(n);
        }
        refs.push(refs[0]);
        let kind = if sparse && i % 4 == 1 { "yes" } else { "residential" };
        let mut tags = vec![("building", kind.to_owned())];
        match (sparse, i % 6) {
            (true, 0) => tags.push(("height", format!("{:.1}", b.levels as f64 * 3.0))),
            (true, 3) => {}
            _ => tags.push(("building:levels", b.levels.to_string())),
        }
        if !(sparse && i % 2 == 0) {
            tags.push(("building:flats", households.get(b.id.as_str()).copied().unwrap_or(0).to_string()));
        }
        if let Some(name) = &b.name {
            tags.push(("name", name.clone()));
        }
        if sparse && i % 7 == 3 {
            // A multipolygon: the outline in two untagged ways, the tags on the relation.
            let cut = refs.len() / 2;
            let first = way_id + 1;
            w.way(first, &refs[..=cut], &[]);
            w.way(first + 1, &refs[cut..], &[]);
            way_id += 2;
            let _ = writeln!(w.out, "  <relation id=\"{i}\" {META}>");
            for member in [first, first + 1] {
                let _ = writeln!(w.out, "    <member type=\"way\" ref=\"{member}\" role=\"outer\"/>");
            }
            tags.insert(0, ("type", "multipolygon".to_owned()));
            Writer::tags(&mut w.out, &tags);
            w.out.push_str("  </relation>\n");
        } else {
            way_id += 1;
            w.way(way_id, &refs, &tags);
        }
    }

    document(&w, sparse)
}

/// A building's outline as a ring with its stairwells' doors inserted, each on the side
/// nearest to it (a door carries its stairwell's index).
fn ring_with_doors(spec: &AreaSpec, b: &BuildingSpec) -> Vec<(LonLat, Option<usize>)> {
    let frame = LocalFrame::new(b.outline[0]);
    let mut ring: Vec<(LonLat, Option<usize>)> = b.outline.iter().map(|p| (*p, None)).collect();
    if ring.len() > 1 && key(ring[0].0) == key(ring[ring.len() - 1].0) {
        ring.pop();
    }
    let local: Vec<[f64; 2]> = ring.iter().map(|(p, _)| frame.to_local(*p)).collect();
    let mut inserts: Vec<(usize, f64, LonLat, usize)> = Vec::new();
    for (k, s) in spec.stairwells.iter().enumerate().filter(|(_, s)| s.building == b.id) {
        let at = frame.to_local(s.at);
        let (edge, t, _) = (0..local.len())
            .map(|e| {
                let (a, c) = (local[e], local[(e + 1) % local.len()]);
                let (dx, dy) = (c[0] - a[0], c[1] - a[1]);
                let len2 = (dx * dx + dy * dy).max(1e-12);
                let t = (((at[0] - a[0]) * dx + (at[1] - a[1]) * dy) / len2).clamp(0.05, 0.95);
                let q = [a[0] + t * dx, a[1] + t * dy];
                (e, t, (q[0] - at[0]).hypot(q[1] - at[1]))
            })
            .min_by(|x, y| x.2.total_cmp(&y.2))
            .unwrap_or((0, 0.5, 0.0));
        let (a, c) = (local[edge], local[(edge + 1) % local.len()]);
        let q = frame.to_lon_lat([a[0] + t * (c[0] - a[0]), a[1] + t * (c[1] - a[1])]);
        inserts.push((edge, t, q, k));
    }
    inserts.sort_by(|x, y| (x.0, x.1).partial_cmp(&(y.0, y.1)).unwrap_or(std::cmp::Ordering::Equal));
    for (edge, _, q, k) in inserts.into_iter().rev() {
        ring.insert(edge + 1, (q, Some(k)));
    }
    ring
}

/// The whole file: bounds around every node (cut short in a sparse export), the nodes, then
/// the ways and relations.
fn document(w: &Writer, sparse: bool) -> String {
    let mut node_xml = String::new();
    for (k, p) in w.positions.iter().enumerate() {
        let id = k as i64 + 1;
        let head = format!("  <node id=\"{id}\" {META} lat=\"{:.7}\" lon=\"{:.7}\"", p.lat, p.lon);
        match w.tagged.get(&id) {
            Some(tags) => {
                let _ = writeln!(node_xml, "{head}>");
                Writer::tags(&mut node_xml, tags);
                node_xml.push_str("  </node>\n");
            }
            None => {
                let _ = writeln!(node_xml, "{head}/>");
            }
        }
    }
    let (mut west, mut south, mut east, mut north) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in &w.positions {
        west = west.min(p.lon);
        east = east.max(p.lon);
        south = south.min(p.lat);
        north = north.max(p.lat);
    }
    // A margin of about 10 m, so that nothing sits on the edge; a sparse export is cut short
    // in the east and north, as a hand-drawn export box is.
    let margin = 1e-4;
    if sparse {
        east -= (east - west) * 0.03;
        north -= (north - south) * 0.03;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\" generator=\"lastmetre export\" \
         copyright=\"synthetic\" attribution=\"none\" license=\"none\">\n  \
         <bounds minlat=\"{:.7}\" minlon=\"{:.7}\" maxlat=\"{:.7}\" maxlon=\"{:.7}\"/>\n{}{}</osm>\n",
        south - margin,
        west - margin,
        north + margin,
        east + margin,
        node_xml,
        w.out
    )
}
