//! Households by the address people write: "4号楼 1单元 502", "4栋1单元502室", "4-1-502", or
//! the three parts apart (楼号, 单元, 门牌). Building leaders know these, not household ids.
//!
//! Each part is compared by its core: full-width characters made plain, spaces and the usual
//! words around numbers dropped (号楼, 栋, 幢, 座, 楼, 单元, 室, 号, "Building", "Unit",
//! "Room"). A building with one stairwell may be named without its unit.

use crate::Area;
use std::collections::HashMap;

/// Parts of an address given apart are joined with this character inside one text.
pub const PART_SEPARATOR: char = '\u{1f}';

/// Why an address names no single household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressError {
    /// No household has it; the closest addresses of the area, best first.
    NotFound {
        /// Up to three addresses as the area writes them.
        closest: Vec<String>,
    },
    /// Several households have it.
    Ambiguous {
        /// Their ids.
        households: Vec<String>,
    },
}

/// The area's addresses.
#[derive(Clone, Debug)]
pub struct AddressBook {
    /// (building, unit, door) cores → household indices.
    full: HashMap<(String, String, String), Vec<usize>>,
    /// (building, door) cores → household indices, for buildings named without a unit.
    short: HashMap<(String, String), Vec<usize>>,
    ids: HashMap<String, usize>,
    /// Every household's address as people read it, and its cores joined.
    written: Vec<(String, String)>,
    households: Vec<String>,
}

/// A part's core: plain characters, no spaces, no words around the number, lower case.
fn core(part: &str) -> String {
    let plain: String = part
        .chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let mut s = plain.as_str();
    for prefix in ["building", "bldg", "block", "unit", "room", "no.", "#"] {
        s = s.strip_prefix(prefix).unwrap_or(s);
    }
    for suffix in ["号楼", "单元", "栋", "幢", "座", "楼", "门", "室", "号", "户"] {
        s = s.strip_suffix(suffix).unwrap_or(s);
    }
    s.trim_matches(|c: char| c == '-' || c == '.').to_owned()
}

/// The parts of a written address: given apart, or split at spaces, commas, dashes and the
/// words that end a building or a unit.
fn parts(text: &str) -> Vec<String> {
    if text.contains(PART_SEPARATOR) {
        return text.split(PART_SEPARATOR).map(core).filter(|p| !p.is_empty()).collect();
    }
    let mut spaced = String::with_capacity(text.len() + 8);
    let mut rest = text;
    'outer: while !rest.is_empty() {
        for marker in ["号楼", "单元", "栋", "幢", "座"] {
            if let Some(after) = rest.strip_prefix(marker) {
                spaced.push_str(marker);
                spaced.push(' ');
                rest = after;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        spaced.push(c);
        rest = &rest[c.len_utf8()..];
    }
    spaced
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | '/' | '-' | '－' | '\u{3000}'))
        .map(core)
        .filter(|p| !p.is_empty())
        .collect()
}

impl AddressBook {
    /// Every household of `area` by its building's name (or id), its stairwell's name (or
    /// id) and its door number. Households without a door number are found by id only.
    pub fn new(area: &Area) -> Self {
        let mut book = AddressBook {
            full: HashMap::new(),
            short: HashMap::new(),
            ids: HashMap::new(),
            written: Vec::new(),
            households: Vec::new(),
        };
        for (i, h) in area.households.iter().enumerate() {
            book.ids.insert(h.id.clone(), i);
            book.households.push(h.id.clone());
            let stairwell = &area.stairwells[h.stairwell];
            let building = &area.buildings[stairwell.building];
            let b = building.name.clone().unwrap_or_else(|| building.id.clone());
            let u = stairwell.name.clone().unwrap_or_else(|| stairwell.id.clone());
            let Some(door) = &h.unit else {
                book.written.push((h.id.clone(), String::new()));
                continue;
            };
            let key = (core(&b), core(&u), core(door));
            book.written.push((format!("{b} {u} {door}"), format!("{}-{}-{}", key.0, key.1, key.2)));
            if building.stairwells.len() == 1 {
                book.short.entry((key.0.clone(), key.2.clone())).or_default().push(i);
            }
            book.full.entry(key).or_default().push(i);
        }
        book
    }

    /// The household that `text` names: a household id as it is, or an address.
    pub fn resolve(&self, text: &str) -> Result<String, AddressError> {
        if let Some(&i) = self.ids.get(text.trim()) {
            return Ok(self.households[i].clone());
        }
        let p = parts(text);
        let found = match p.as_slice() {
            [b, u, d] => self.full.get(&(b.clone(), u.clone(), d.clone())),
            [b, d] => self.short.get(&(b.clone(), d.clone())),
            _ => None,
        };
        match found.map(Vec::as_slice) {
            Some([one]) => Ok(self.households[*one].clone()),
            Some(many) if !many.is_empty() => {
                Err(AddressError::Ambiguous { households: many.iter().map(|i| self.households[*i].clone()).collect() })
            }
            _ => Err(AddressError::NotFound { closest: self.closest(&p.join("-")) }),
        }
    }

    /// The three addresses nearest to the cores `wanted` by edit distance, ties by file order.
    fn closest(&self, wanted: &str) -> Vec<String> {
        let mut scored: Vec<(usize, usize)> = self
            .written
            .iter()
            .enumerate()
            .filter(|(_, (_, key))| !key.is_empty())
            .map(|(i, (_, key))| (strsim::levenshtein(wanted, key), i))
            .collect();
        scored.sort_unstable();
        scored.into_iter().take(3).map(|(_, i)| self.written[i].0.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_read_as_people_write_them() {
        assert_eq!(parts("4号楼 1单元 502"), ["4", "1", "502"]);
        assert_eq!(parts("4号楼1单元502室"), ["4", "1", "502"]);
        assert_eq!(parts("４栋　１单元　５０２"), ["4", "1", "502"]);
        assert_eq!(parts("4-1-502"), ["4", "1", "502"]);
        assert_eq!(parts("Building 4, Unit 1, Room 502"), ["4", "1", "502"]);
        assert_eq!(parts(&format!("4号楼{PART_SEPARATOR}1{PART_SEPARATOR}502")), ["4", "1", "502"]);
        assert_eq!(parts("4号楼 502"), ["4", "502"]);
    }
}
