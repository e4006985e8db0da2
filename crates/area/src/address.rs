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
    /// No household has it ([`AddressBook::closest`] gives the nearest).
    NotFound,
    /// Several households have it.
    Ambiguous {
        /// Their ids.
        households: Vec<String>,
    },
}

/// What a part of an address says, from the word around its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Building,
    Unit,
    Door,
}

/// Words that end (or begin) a part, longest first, with what they mark: "号" marks none
/// (4号 is a building, 502号 a door).
const MARKERS: [(&str, Option<Role>); 13] = [
    ("号楼", Some(Role::Building)),
    ("单元", Some(Role::Unit)),
    ("栋", Some(Role::Building)),
    ("幢", Some(Role::Building)),
    ("座", Some(Role::Building)),
    ("楼", Some(Role::Building)),
    ("门", Some(Role::Unit)),
    ("室", Some(Role::Door)),
    ("户", Some(Role::Door)),
    ("号", None),
    ("building", Some(Role::Building)),
    ("unit", Some(Role::Unit)),
    ("room", Some(Role::Door)),
];

/// Words after which a written address is split when it has no spaces: 门 is not one (东门楼
/// is one name).
const SPLIT_AFTER: [&str; 7] = ["号楼", "单元", "栋", "幢", "座", "楼", "号"];

/// Longest text an address may be for its nearest matches to be looked for.
const MAX_ADDRESS_CHARS: usize = 64;

/// The area's addresses.
#[derive(Clone, Debug)]
pub struct AddressBook {
    /// The parts of "building unit door", as [`parts`] reads them → household indices.
    full: HashMap<Vec<String>, Vec<usize>>,
    /// The parts of "building door", for buildings with one stairwell.
    short: HashMap<Vec<String>, Vec<usize>>,
    ids: HashMap<String, usize>,
    /// Every household's address as people read it, and its parts joined.
    written: Vec<(String, String)>,
    households: Vec<String>,
    /// The households this book names (all when `None`): see [`AddressBook::suggesting_only`].
    named: Option<Vec<bool>>,
}

/// Full-width characters made plain, lower case.
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// A part's core and its role: spaces, the marking word and leading zeros dropped.
fn core(part: &str) -> (String, Option<Role>) {
    let mut s: String = part.chars().filter(|c| !c.is_whitespace()).collect();
    let mut role = None;
    for prefix in ["building", "bldg", "block", "unit", "room", "no.", "#"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            role = MARKERS.iter().find(|m| m.0 == prefix).and_then(|m| m.1).or(role);
            s = rest.to_owned();
        }
    }
    for (suffix, marks) in MARKERS {
        if let Some(rest) = s.strip_suffix(suffix).filter(|r| !r.is_empty()) {
            role = marks.or(role);
            s = rest.to_owned();
            break;
        }
    }
    let s = s.trim_matches(|c: char| c == '-' || c == '.').to_owned();
    // "0502" is door 502; "0" and "00" stay a zero.
    let s = if s.chars().all(|c| c.is_ascii_digit()) && s.len() > 1 {
        let trimmed = s.trim_start_matches('0');
        if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() }
    } else {
        s
    };
    (s, role)
}

/// The parts of a written address, each with its role when a word marks it: given apart, or
/// split at spaces, commas, slashes, dashes and after the words that end a building or unit.
fn parts(text: &str) -> Vec<(String, Option<Role>)> {
    let text = plain(text);
    let pieces: Vec<String> = if text.contains(PART_SEPARATOR) {
        text.split(PART_SEPARATOR).map(str::to_owned).collect()
    } else {
        let mut spaced = String::with_capacity(text.len() + 8);
        let mut rest = text.as_str();
        'outer: while !rest.is_empty() {
            for marker in SPLIT_AFTER {
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
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | '/' | '-' | '—' | '–'))
            .map(str::to_owned)
            .collect()
    };
    // A marking word standing alone ("Building 4") marks the part after it.
    let mut out: Vec<(String, Option<Role>)> = Vec::new();
    let mut pending = None;
    for (core, role) in pieces.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).map(core) {
        if core.is_empty() {
            pending = role.or(pending);
        } else {
            out.push((core, role.or(pending.take())));
        }
    }
    out
}

/// The cores of parts in the order building, unit, door when their words say so; none when
/// the words contradict the order (a unit where a building should be).
fn arranged(parts: &[(String, Option<Role>)]) -> Option<Vec<String>> {
    let roles: Vec<Option<Role>> = parts.iter().map(|p| p.1).collect();
    let expected: &[Role] = match parts.len() {
        2 => &[Role::Building, Role::Door],
        3 => &[Role::Building, Role::Unit, Role::Door],
        _ => return Some(parts.iter().map(|p| p.0.clone()).collect()),
    };
    if roles.iter().zip(expected).all(|(r, e)| r.is_none_or(|r| r == *e)) {
        return Some(parts.iter().map(|p| p.0.clone()).collect());
    }
    // Every part marked, in another order: put them in place.
    if roles.iter().all(Option::is_some) {
        let mut out = Vec::new();
        for e in expected {
            out.push(parts.iter().find(|p| p.1 == Some(*e))?.0.clone());
        }
        return Some(out);
    }
    None
}

impl AddressBook {
    /// Every household of `area` by its building's name (or id), its stairwell's name (or
    /// id) and its door number, each read as an order's address is read. Households without
    /// a door number are found by id only.
    pub fn new(area: &Area) -> Self {
        let mut book = AddressBook {
            full: HashMap::new(),
            short: HashMap::new(),
            ids: HashMap::new(),
            written: Vec::new(),
            households: Vec::new(),
            named: None,
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
            let sep = PART_SEPARATOR.to_string();
            let key: Vec<String> = parts(&[b.as_str(), u.as_str(), door].join(&sep)).into_iter().map(|p| p.0).collect();
            book.written.push((format!("{b} {u} {door}"), key.join("-")));
            if building.stairwells.len() == 1 {
                let short = parts(&[b.as_str(), door].join(&sep)).into_iter().map(|p| p.0).collect();
                book.short.entry(short).or_default().push(i);
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
        let key = arranged(&p).ok_or(AddressError::NotFound)?;
        let found = match key.len() {
            3 => self.full.get(&key),
            2 => self.short.get(&key),
            _ => None,
        };
        let named = |i: &&usize| self.named.as_ref().is_none_or(|n| n[**i]);
        match found.map(Vec::as_slice) {
            Some([one]) => Ok(self.households[*one].clone()),
            Some(many) if !many.is_empty() => {
                // Of several, those this book names: one is the household meant; none, any
                // of the others (which the caller refuses as not theirs, naming no one).
                let own: Vec<&usize> = many.iter().filter(named).collect();
                match own.as_slice() {
                    [one] => Ok(self.households[**one].clone()),
                    [] => Ok(self.households[many[0]].clone()),
                    own => Err(AddressError::Ambiguous {
                        households: own.iter().map(|i| self.households[**i].clone()).collect(),
                    }),
                }
            }
            _ => Err(AddressError::NotFound),
        }
    }

    /// The address of a household as people write it ("4号楼 1单元 502"); none for a
    /// household without a door number, or not of the area.
    pub fn address_of(&self, household: &str) -> Option<String> {
        let (written, key) = self.written.get(*self.ids.get(household)?)?;
        (!key.is_empty()).then(|| written.clone())
    }

    /// Whether `text` reads as an address (a marking word, or parts given apart) rather than
    /// as an unknown id.
    pub fn looks_like_address(text: &str) -> bool {
        text.contains(PART_SEPARATOR) || parts(text).iter().any(|p| p.1.is_some())
    }

    /// The same book, resolving every address as before, but naming and suggesting only the
    /// households `keep` holds: a building leader's book, which lists no other building's
    /// addresses when an address is not found, and of an address several households share,
    /// means the leader's own.
    pub fn suggesting_only(&self, keep: impl Fn(&str) -> bool) -> AddressBook {
        let mut book = self.clone();
        let named: Vec<bool> = book.households.iter().map(|id| keep(id)).collect();
        for ((written, key), kept) in book.written.iter_mut().zip(&named) {
            if !kept {
                written.clear();
                key.clear();
            }
        }
        book.named = Some(named);
        book
    }

    /// The three addresses of the area nearest to `text` by edit distance, ties by file
    /// order; none for a text longer than 64 characters.
    pub fn closest(&self, text: &str) -> Vec<String> {
        if text.chars().count() > MAX_ADDRESS_CHARS {
            return Vec::new();
        }
        let wanted: Vec<String> = parts(text).into_iter().map(|p| p.0).collect();
        let wanted = wanted.join("-");
        let mut scored: Vec<(usize, usize)> = self
            .written
            .iter()
            .enumerate()
            .filter(|(_, (_, key))| !key.is_empty())
            .map(|(i, (_, key))| (strsim::levenshtein(&wanted, key), i))
            .collect();
        scored.sort_unstable();
        scored.into_iter().take(3).map(|(_, i)| self.written[i].0.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cores(text: &str) -> Vec<String> {
        arranged(&parts(text)).unwrap_or_default()
    }

    #[test]
    fn parts_are_read_as_people_write_them() {
        assert_eq!(cores("4号楼 1单元 502"), ["4", "1", "502"]);
        assert_eq!(cores("4号楼1单元502室"), ["4", "1", "502"]);
        assert_eq!(cores("４栋　１单元　０５０２"), ["4", "1", "502"]);
        assert_eq!(cores("4-1-502"), ["4", "1", "502"]);
        assert_eq!(cores("明德楼1单元502"), ["明德", "1", "502"]);
        assert_eq!(cores("4号1单元502"), ["4", "1", "502"]);
        assert_eq!(cores("Building 4, Unit 1, Room 502"), ["4", "1", "502"]);
        assert_eq!(cores("Unit 1, Building 4, Room 502"), ["4", "1", "502"]);
        assert_eq!(cores(&format!("4号楼{PART_SEPARATOR}1{PART_SEPARATOR}502")), ["4", "1", "502"]);
        assert_eq!(cores("4号楼 502"), ["4", "502"]);
    }

    #[test]
    fn a_unit_is_never_taken_for_a_building() {
        // "1单元 502" names no building: it is not read as 1号楼 502.
        assert!(arranged(&parts("1单元 502")).is_none());
        assert!(arranged(&parts("1单元502")).is_none());
    }
}
