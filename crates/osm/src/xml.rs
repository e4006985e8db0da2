//! OSM XML as openstreetmap.org, JOSM and osmium write it: nodes, ways, relations and tags.
//!
//! Only what the importer needs is kept. Elements a JOSM file marks `action="delete"` or
//! `visible="false"` are skipped, as OSM tools do.

use crate::ImportError;
use lastmetre_area::LonLat;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use std::collections::HashMap;

/// An element's tags, in file order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tags(Vec<(String, String)>);

impl Tags {
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub(crate) fn is(&self, key: &str, value: &str) -> bool {
        self.get(key) == Some(value)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub at: LonLat,
    pub tags: Tags,
}

#[derive(Clone, Debug)]
pub(crate) struct Way {
    pub id: i64,
    pub refs: Vec<i64>,
    pub tags: Tags,
}

#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub is_way: bool,
    pub id: i64,
    pub role: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Relation {
    pub id: i64,
    pub members: Vec<Member>,
    pub tags: Tags,
}

/// The parsed file.
#[derive(Clone, Debug, Default)]
pub(crate) struct OsmData {
    /// Every `<bounds>` (JOSM writes one per download area): west, south, east, north.
    pub bounds: Vec<[f64; 4]>,
    pub nodes: HashMap<i64, Node>,
    pub ways: Vec<Way>,
    pub relations: Vec<Relation>,
    /// Position of each way in `ways`, by id.
    pub way_index: HashMap<i64, usize>,
    /// Elements that appeared more than once (merged extracts): the last one is kept.
    pub duplicates: usize,
}

impl OsmData {
    /// Adds a way; a way given twice (merged extracts) replaces the first and is counted.
    pub(crate) fn add_way(&mut self, way: Way) {
        match self.way_index.get(&way.id) {
            Some(&at) => {
                self.duplicates += 1;
                self.ways[at] = way;
            }
            None => {
                self.way_index.insert(way.id, self.ways.len());
                self.ways.push(way);
            }
        }
    }
}

/// What is being read: tags and children go to the innermost open element.
enum Open {
    Node(i64, Node),
    Way(Way),
    Relation(Relation),
    /// An Overpass `<remark>`: the server stopped early and the data is incomplete.
    Remark(String),
    /// An element to skip (deleted, invisible), with its children.
    Skipped,
}

fn line_of(text: &str, byte: u64) -> usize {
    let end = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

struct Attrs<'a> {
    element: &'a BytesStart<'a>,
    text: &'a str,
    /// Where the element's tag ends: its line is computed only for an error.
    at: u64,
}

impl Attrs<'_> {
    fn malformed(&self, message: String) -> ImportError {
        ImportError::Malformed { line: line_of(self.text, self.at), message }
    }

    fn get(&self, key: &str) -> Result<Option<String>, ImportError> {
        for attr in self.element.attributes() {
            let attr = attr.map_err(|e| self.malformed(e.to_string()))?;
            if attr.key.as_ref() == key.as_bytes() {
                // The text is UTF-8 already; unescaping by hand keeps this independent of
                // quick-xml's `encoding` feature, which other crates of the build may turn on.
                let raw = std::str::from_utf8(&attr.value).map_err(|e| self.malformed(e.to_string()))?;
                let value = quick_xml::escape::unescape(raw).map_err(|e| self.malformed(e.to_string()))?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    }

    fn required(&self, key: &str) -> Result<String, ImportError> {
        self.get(key)?.ok_or_else(|| {
            self.malformed(format!(
                "<{}> has no '{key}' attribute",
                String::from_utf8_lossy(self.element.name().as_ref())
            ))
        })
    }

    fn number<T: std::str::FromStr>(&self, key: &str) -> Result<T, ImportError> {
        let raw = self.required(key)?;
        raw.trim().parse().map_err(|_| self.malformed(format!("'{key}' is '{raw}', not a number")))
    }

    /// JOSM marks deleted objects; the API marks old versions invisible.
    fn skipped(&self) -> Result<bool, ImportError> {
        Ok(self.get("action")?.as_deref() == Some("delete") || self.get("visible")?.as_deref() == Some("false"))
    }
}

/// Reads an OSM XML document.
pub(crate) fn parse(text: &str) -> Result<OsmData, ImportError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut data = OsmData::default();
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut open: Option<Open> = None;
    loop {
        let event = reader.read_event().map_err(|e| {
            let line = line_of(text, reader.error_position());
            if reader.buffer_position() as usize >= text.len() {
                ImportError::Truncated { line }
            } else {
                ImportError::Malformed { line, message: e.to_string() }
            }
        })?;
        let (element, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                depth -= 1;
                if depth == 1 {
                    finish(&mut data, open.take())?;
                }
                continue;
            }
            Event::Eof => break,
            Event::Text(t) => {
                if let Some(Open::Remark(remark)) = open.as_mut() {
                    remark.push_str(&String::from_utf8_lossy(t.as_ref()));
                }
                continue;
            }
            _ => continue,
        };
        let name = element.name();
        let attrs = Attrs { element, text, at: reader.buffer_position().saturating_sub(1) };
        if !seen_root {
            if name.as_ref() != b"osm" {
                return Err(ImportError::NotOsm { found: format!("<{}>", String::from_utf8_lossy(name.as_ref())) });
            }
            seen_root = true;
        } else if depth == 1 {
            open = Some(match name.as_ref() {
                _ if attrs.skipped()? => Open::Skipped,
                b"node" => {
                    let at = LonLat::new(attrs.number("lon")?, attrs.number("lat")?);
                    if !at.is_lon_lat() {
                        return Err(
                            attrs.malformed(format!("node at lon {} lat {} is not a WGS-84 position", at.lon, at.lat))
                        );
                    }
                    Open::Node(attrs.number("id")?, Node { at, tags: Tags::default() })
                }
                b"way" => Open::Way(Way { id: attrs.number("id")?, refs: Vec::new(), tags: Tags::default() }),
                b"relation" => {
                    Open::Relation(Relation { id: attrs.number("id")?, members: Vec::new(), tags: Tags::default() })
                }
                b"bounds" => {
                    data.bounds.push([
                        attrs.number("minlon")?,
                        attrs.number("minlat")?,
                        attrs.number("maxlon")?,
                        attrs.number("maxlat")?,
                    ]);
                    Open::Skipped
                }
                b"remark" => Open::Remark(String::new()),
                _ => Open::Skipped,
            });
        } else if depth == 2 {
            match (name.as_ref(), open.as_mut()) {
                (b"tag", Some(Open::Node(_, Node { tags, .. })))
                | (b"tag", Some(Open::Way(Way { tags, .. })))
                | (b"tag", Some(Open::Relation(Relation { tags, .. }))) => {
                    tags.0.push((attrs.required("k")?, attrs.required("v")?));
                }
                (b"nd", Some(Open::Way(way))) => way.refs.push(attrs.number("ref")?),
                (b"member", Some(Open::Relation(relation))) => relation.members.push(Member {
                    is_way: attrs.required("type")? == "way",
                    id: attrs.number("ref")?,
                    role: attrs.get("role")?.unwrap_or_default(),
                }),
                _ => {}
            }
        }
        if empty {
            if depth == 1 {
                finish(&mut data, open.take())?;
            }
        } else {
            depth += 1;
        }
    }
    if !seen_root {
        return Err(ImportError::NotOsm { found: "an empty file".into() });
    }
    if depth > 0 {
        return Err(ImportError::Truncated { line: line_of(text, text.len() as u64) });
    }
    Ok(data)
}

fn finish(data: &mut OsmData, element: Option<Open>) -> Result<(), ImportError> {
    match element {
        Some(Open::Node(id, node)) => {
            if data.nodes.insert(id, node).is_some() {
                data.duplicates += 1;
            }
        }
        Some(Open::Way(way)) => data.add_way(way),
        Some(Open::Relation(relation)) => match data.relations.iter().position(|r| r.id == relation.id) {
            Some(at) => {
                data.duplicates += 1;
                data.relations[at] = relation;
            }
            None => data.relations.push(relation),
        },
        Some(Open::Remark(remark)) => return Err(ImportError::Incomplete(remark.trim().to_owned())),
        Some(Open::Skipped) | None => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nodes_ways_tags_and_bounds() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
 <bounds minlat="1.0" minlon="2.0" maxlat="1.5" maxlon="2.5"/>
 <node id="1" lat="1.1" lon="2.1"/>
 <node id="2" lat="1.2" lon="2.2"><tag k="barrier" v="gate"/></node>
 <node id="3" lat="1.2" lon="2.2" action="delete"/>
 <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/><tag k="name" v="A &amp; B"/></way>
 <relation id="20"><member type="way" ref="10" role="outer"/><tag k="type" v="multipolygon"/></relation>
</osm>"#;
        let data = parse(text).unwrap();
        assert_eq!(data.bounds, vec![[2.0, 1.0, 2.5, 1.5]]);
        assert_eq!(data.nodes.len(), 2);
        assert!(data.nodes[&2].tags.is("barrier", "gate"));
        assert_eq!(data.ways[0].refs, vec![1, 2]);
        assert_eq!(data.ways[0].tags.get("name"), Some("A & B"));
        assert_eq!(data.relations[0].members[0].role, "outer");
    }

    #[test]
    fn refuses_other_documents_and_truncation() {
        assert!(matches!(parse(r#"{"type": "FeatureCollection"}"#), Err(ImportError::NotOsm { .. })));
        assert!(matches!(parse("<gpx></gpx>"), Err(ImportError::NotOsm { .. })));
        let cut = "<osm>\n <node id=\"1\" lat=\"1\" lon=\"2\">\n  <tag k=\"a\" v=\"b\"/>\n";
        assert!(matches!(parse(cut), Err(ImportError::Truncated { line: 4 } | ImportError::Truncated { line: 3 })));
        let overpass = "<osm>\n<remark> runtime error: Query timed out in \"query\" at line 1 </remark>\n</osm>";
        assert!(matches!(parse(overpass), Err(ImportError::Incomplete(r)) if r.starts_with("runtime error")));
        let bad = "<osm>\n <node id=\"x\" lat=\"1\" lon=\"2\"/>\n</osm>";
        assert!(matches!(parse(bad), Err(ImportError::Malformed { line: 2, .. })), "{:?}", parse(bad));
    }
}
