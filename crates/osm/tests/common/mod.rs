//! A small builder of OSM XML fixtures, in metres east and north of a fixed origin, so that
//! each test states the one mapping rule it covers.

#![allow(dead_code)]

use lastmetre_area::{LocalFrame, LonLat};
use std::fmt::Write;

/// Tags as key–value pairs.
type Tags = Vec<(String, String)>;

/// An OSM document under construction.
pub struct Map {
    frame: LocalFrame,
    nodes: Vec<(i64, LonLat, Tags)>,
    ways: Vec<(i64, Vec<i64>, Tags)>,
    relations: Vec<String>,
    /// `<bounds>` in metres: west, south, east, north.
    pub bounds: Option<[f64; 4]>,
}

fn tags(list: &[(&str, &str)]) -> Tags {
    list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

impl Map {
    pub fn new() -> Self {
        Self {
            frame: LocalFrame::new(LonLat::new(109.94, 33.87)),
            nodes: Vec::new(),
            ways: Vec::new(),
            relations: Vec::new(),
            bounds: None,
        }
    }

    pub fn at(&self, x: f64, y: f64) -> LonLat {
        self.frame.to_lon_lat([x, y])
    }

    /// A node at `x`, `y` metres; returns its id.
    pub fn node(&mut self, x: f64, y: f64, t: &[(&str, &str)]) -> i64 {
        let id = 1000 + self.nodes.len() as i64;
        self.nodes.push((id, self.at(x, y), tags(t)));
        id
    }

    /// A way through new nodes at these points; returns its id.
    pub fn way(&mut self, points: &[(f64, f64)], t: &[(&str, &str)]) -> i64 {
        let refs: Vec<i64> = points.iter().map(|(x, y)| self.node(*x, *y, &[])).collect();
        self.way_of(refs, t)
    }

    /// A way through existing nodes; returns its id.
    pub fn way_of(&mut self, refs: Vec<i64>, t: &[(&str, &str)]) -> i64 {
        let id = 100 + self.ways.len() as i64;
        self.ways.push((id, refs, tags(t)));
        id
    }

    /// A rectangular building `w` × `h` metres with its south-west corner at `x`, `y`, and
    /// entrances (position along the south side from 0 to 1, tags); returns the way id.
    pub fn building(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        t: &[(&str, &str)],
        doors: &[(f64, &[(&str, &str)])],
    ) -> i64 {
        let mut refs = vec![self.node(x, y, &[])];
        for (along, door_tags) in doors {
            refs.push(self.node(x + along * w, y, door_tags));
        }
        refs.push(self.node(x + w, y, &[]));
        refs.push(self.node(x + w, y + h, &[]));
        refs.push(self.node(x, y + h, &[]));
        refs.push(refs[0]);
        self.way_of(refs, t)
    }

    /// A relation in raw XML members (`<member .../>` lines) and tags.
    pub fn relation(&mut self, members: &str, t: &[(&str, &str)]) {
        let id = 500 + self.relations.len();
        let mut xml = format!("  <relation id=\"{id}\">\n{members}");
        for (k, v) in t {
            let _ = writeln!(xml, "    <tag k=\"{k}\" v=\"{v}\"/>");
        }
        xml.push_str("  </relation>\n");
        self.relations.push(xml);
    }

    pub fn xml(&self) -> String {
        let mut out =
            String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\" generator=\"fixture\">\n");
        if let Some([w, s, e, n]) = self.bounds {
            let (sw, ne) = (self.at(w, s), self.at(e, n));
            let _ = writeln!(
                out,
                "  <bounds minlat=\"{:.7}\" minlon=\"{:.7}\" maxlat=\"{:.7}\" maxlon=\"{:.7}\"/>",
                sw.lat, sw.lon, ne.lat, ne.lon
            );
        }
        for (id, at, t) in &self.nodes {
            let _ = write!(out, "  <node id=\"{id}\" lat=\"{:.8}\" lon=\"{:.8}\"", at.lat, at.lon);
            if t.is_empty() {
                out.push_str("/>\n");
            } else {
                out.push_str(">\n");
                for (k, v) in t {
                    let _ = writeln!(out, "    <tag k=\"{k}\" v=\"{v}\"/>");
                }
                out.push_str("  </node>\n");
            }
        }
        for (id, refs, t) in &self.ways {
            let _ = writeln!(out, "  <way id=\"{id}\">");
            for r in refs {
                let _ = writeln!(out, "    <nd ref=\"{r}\"/>");
            }
            for (k, v) in t {
                let _ = writeln!(out, "    <tag k=\"{k}\" v=\"{v}\"/>");
            }
            out.push_str("  </way>\n");
        }
        for r in &self.relations {
            out.push_str(r);
        }
        out.push_str("</osm>\n");
        out
    }
}

/// A street along y = 0 from x = -20 to 120 with a gate node at its west end, and a
/// five-storey walk-up with one entrance north of it: the smallest area that imports.
pub fn street_and_walkup() -> Map {
    let mut m = Map::new();
    let gate = m.node(-20.0, 0.0, &[("barrier", "gate")]);
    let mid = m.node(50.0, 0.0, &[]);
    let end = m.node(120.0, 0.0, &[]);
    m.way_of(vec![gate, mid, end], &[("highway", "residential")]);
    m.building(
        40.0,
        6.0,
        20.0,
        10.0,
        &[("building", "residential"), ("building:levels", "5"), ("building:flats", "10")],
        &[(0.5, &[("entrance", "staircase")])],
    );
    m
}
