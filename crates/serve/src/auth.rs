//! Bearer tokens with roles. Tokens are read from a file or the environment, kept only as
//! SHA-256 hashes, and never logged.

use crate::ledger::sha256;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads plans, the map and metrics; sees no household-level data.
    Viewer,
    /// Also submits orders and events, plans, and sees households and dispatch sheets.
    Dispatcher,
    /// One porter: reads their own outings and reports their own hand-overs (`/me`).
    Porter,
    /// One tricycle's driver: reads their own trips and reports departures and unloading.
    Driver,
    /// A building leader (楼长): submits orders for the households of their buildings and reads
    /// those orders' statuses.
    Leader,
}

/// Who a token is: the role, and for the people in the field, whom or what they stand for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// The role.
    pub role: Role,
    /// A porter's or a tricycle's index, from 0 (`porter-3` is 2).
    pub person: Option<usize>,
    /// A leader's building ids.
    pub buildings: Option<Arc<BTreeSet<String>>>,
}

impl Access {
    fn of(role: Role) -> Self {
        Access { role, person: None, buildings: None }
    }
}

/// The accepted tokens, by hash: each with who it is and the areas it holds (all when `None`).
#[derive(Clone, Debug, Default)]
pub struct Tokens(HashMap<String, (Access, Option<BTreeSet<String>>)>);

/// What a token may do on one area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Not one of ours: 401.
    Unknown,
    /// Ours, for other areas: 403.
    OtherAreas,
    /// Ours, on this area, as this person.
    Granted(Access),
}

/// Shortest token accepted: a guessable token is no protection.
pub const MIN_TOKEN_LEN: usize = 16;

impl Tokens {
    /// Reads tokens: lines `ROLE TOKEN [AREAS]` as in a tokens file (`dispatcher` or
    /// `viewer`; AREAS a comma-separated list of area ids, or `*`; without it, every area; `#`
    /// starts a comment), or `role:token` pairs separated by commas, as in
    /// `LASTMETRE_TOKENS` (every area).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut tokens = HashMap::new();
        let mut n = 0;
        for line in text.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty()) {
            let entries: Vec<Entry> = if line.contains(char::is_whitespace) {
                let fields: Vec<&str> = line.split_whitespace().collect();
                match fields[..] {
                    [role, token] => vec![(role.into(), token.into(), None, None)],
                    [role, token, areas] => vec![(role.into(), token.into(), Some(areas.into()), None)],
                    [role, token, area, who] => vec![(role.into(), token.into(), Some(area.into()), Some(who.into()))],
                    _ => {
                        return Err(format!(
                            "token line '{}…' is not `ROLE TOKEN [AREAS]` or `ROLE TOKEN AREA WHO`",
                            role_of(line)
                        ));
                    }
                }
            } else {
                let mut pairs = Vec::new();
                for entry in line.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                    let (role, token) = entry
                        .split_once(':')
                        .ok_or_else(|| format!("token entry {} is not `role:token`", n + pairs.len() + 1))?;
                    pairs.push((role.into(), token.into(), None, None));
                }
                pairs
            };
            for (role, token, areas, who) in entries {
                n += 1;
                let role = match role.trim().trim_end_matches(':') {
                    "dispatcher" => Role::Dispatcher,
                    "viewer" => Role::Viewer,
                    "porter" => Role::Porter,
                    "driver" => Role::Driver,
                    "leader" => Role::Leader,
                    other => {
                        return Err(format!(
                            "token entry {n}: unknown role '{other}' (dispatcher, viewer, porter, driver or leader)"
                        ));
                    }
                };
                let access =
                    access_of(role, who.as_deref(), areas.as_deref()).map_err(|e| format!("token entry {n}: {e}"))?;
                let token = token.trim();
                // Letters, digits and - _ . ~ only: the token must pass unchanged through a URL
                // (the page's ?token=) and a header.
                let url_safe = token.chars().all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c));
                if token.len() < MIN_TOKEN_LEN || !url_safe {
                    return Err(format!(
                        "token entry {n} ({role:?}): a token needs at least {MIN_TOKEN_LEN} characters, only letters, digits and - _ . ~"
                    ));
                }
                let areas = match areas.as_deref() {
                    None | Some("*") => None,
                    Some(list) => {
                        let ids: BTreeSet<String> =
                            list.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
                        if ids.is_empty() {
                            return Err(format!("token entry {n}: its areas are empty; name area ids, or `*`"));
                        }
                        Some(ids)
                    }
                };
                if tokens.insert(sha256(token.as_bytes()), (access, areas)).is_some() {
                    return Err(format!(
                        "token entry {n}: the same token is on another line; give each person their own"
                    ));
                }
            }
        }
        if tokens.is_empty() {
            return Err("no tokens given: with none, nothing but /healthz would answer".into());
        }
        Ok(Self(tokens))
    }

    /// The role of a presented token, if it is one of ours (on some area).
    pub fn role(&self, token: &str) -> Option<Role> {
        self.0.get(&sha256(token.as_bytes())).map(|(access, _)| access.role)
    }

    /// What a presented token may do on `area`.
    pub fn grant(&self, token: &str, area: &str) -> Grant {
        match self.0.get(&sha256(token.as_bytes())) {
            None => Grant::Unknown,
            Some((access, None)) => Grant::Granted(access.clone()),
            Some((access, Some(areas))) if areas.contains(area) => Grant::Granted(access.clone()),
            Some(_) => Grant::OtherAreas,
        }
    }

    /// Whether a token holds `area`.
    pub fn holds(&self, token: &str, area: &str) -> bool {
        matches!(self.grant(token, area), Grant::Granted(_))
    }

    /// The people in the field that tokens name on `area`: for a check against the area's
    /// buildings and the fleet.
    pub fn people_on(&self, area: &str) -> Vec<Access> {
        self.0
            .values()
            .filter(|(access, areas)| {
                matches!(access.role, Role::Porter | Role::Driver | Role::Leader)
                    && areas.as_ref().is_some_and(|a| a.contains(area))
            })
            .map(|(access, _)| access.clone())
            .collect()
    }

    /// Area ids the tokens name, for a check against the areas served (a typo would lock a
    /// building leader out without a word).
    pub fn areas_named(&self) -> BTreeSet<String> {
        self.0.values().filter_map(|(_, areas)| areas.clone()).flatten().collect()
    }
}

/// A token line's fields: role, token, areas (or the area), and whom it stands for.
type Entry = (String, String, Option<String>, Option<String>);

/// Who a token of `role` is: a porter or a driver names the person as the sheets do
/// (`porter-3`, `tricycle-1`), a leader their buildings (`B4,B5`); each of them names one
/// area. Dispatchers and viewers name no one.
fn access_of(role: Role, who: Option<&str>, areas: Option<&str>) -> Result<Access, String> {
    let one_area = areas.is_some_and(|a| a != "*" && !a.contains(','));
    let numbered = |prefix: &str, text: &str| -> Result<usize, String> {
        text.strip_prefix(prefix)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1)
            .map(|n| n - 1)
            .ok_or_else(|| format!("'{text}' is not {prefix}N (numbered from 1, as on the sheets)"))
    };
    match (role, who) {
        (Role::Dispatcher | Role::Viewer, None) => Ok(Access::of(role)),
        (Role::Dispatcher | Role::Viewer, Some(_)) => Err("a dispatcher or viewer line is `ROLE TOKEN [AREAS]`".into()),
        (_, None) => Err("a porter, driver or leader line is `ROLE TOKEN AREA WHO`".into()),
        (_, Some(_)) if !one_area => Err("a porter, driver or leader holds one area: name its id".into()),
        (Role::Porter, Some(who)) => Ok(Access { person: Some(numbered("porter-", who)?), ..Access::of(role) }),
        (Role::Driver, Some(who)) => Ok(Access { person: Some(numbered("tricycle-", who)?), ..Access::of(role) }),
        (Role::Leader, Some(who)) => {
            let buildings: BTreeSet<String> =
                who.split(',').map(str::trim).filter(|b| !b.is_empty()).map(str::to_owned).collect();
            if buildings.is_empty() {
                return Err("a leader line names the leader's building ids, B4,B5".into());
            }
            Ok(Access { buildings: Some(Arc::new(buildings)), ..Access::of(role) })
        }
    }
}

/// A line's first word, never its token: for error messages.
fn role_of(line: &str) -> &str {
    line.split_whitespace().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_files_and_environment_and_refuses_weak_tokens() {
        let t = Tokens::parse("# tokens\ndispatcher 0123456789abcdef0123\nviewer   viewer-token-0123456789\n").unwrap();
        assert_eq!(t.role("0123456789abcdef0123"), Some(Role::Dispatcher));
        assert_eq!(t.role("viewer-token-0123456789"), Some(Role::Viewer));
        assert_eq!(t.role("nope"), None);
        let env = Tokens::parse("dispatcher:0123456789abcdef0123,viewer:viewer-token-0123456789").unwrap();
        assert_eq!(env.role("viewer-token-0123456789"), Some(Role::Viewer));
        assert!(Tokens::parse("dispatcher short").is_err());
        assert!(Tokens::parse("dispatcher abc+def/ghi=0123456789").is_err(), "base64 padding and + are refused");
        assert!(Tokens::parse("admin 0123456789abcdef0123").is_err());
        assert!(Tokens::parse("").is_err());
    }

    #[test]
    fn a_token_line_may_name_the_areas_it_holds() {
        let t = Tokens::parse(
            "dispatcher district-token-0123456789\nviewer leader-token-a-0123456789 a,b\nviewer any-token-0123456789 *\n",
        )
        .unwrap();
        let role = |token: &str, area: &str| match t.grant(token, area) {
            Grant::Granted(access) => Some(access.role),
            _ => None,
        };
        assert_eq!(role("district-token-0123456789", "c"), Some(Role::Dispatcher));
        assert_eq!(role("leader-token-a-0123456789", "b"), Some(Role::Viewer));
        assert_eq!(t.grant("leader-token-a-0123456789", "c"), Grant::OtherAreas);
        assert_eq!(role("any-token-0123456789", "z"), Some(Role::Viewer));
        assert_eq!(t.grant("nope-nope-nope-nope", "a"), Grant::Unknown);
        assert_eq!(t.areas_named().into_iter().collect::<Vec<_>>(), ["a", "b"]);
        assert!(Tokens::parse("viewer leader-token-a-0123456789 a b").is_err(), "a viewer names no one");
    }

    #[test]
    fn people_in_the_field_are_named_as_the_sheets_name_them() {
        let t = Tokens::parse(
            "porter porter-three-0123456789 niuxie porter-3\ndriver driver-one-0123456789 niuxie tricycle-1\n\
             leader leader-b4-0123456789 niuxie B4,B5\n",
        )
        .unwrap();
        let Grant::Granted(porter) = t.grant("porter-three-0123456789", "niuxie") else { panic!() };
        assert_eq!((porter.role, porter.person), (Role::Porter, Some(2)));
        let Grant::Granted(driver) = t.grant("driver-one-0123456789", "niuxie") else { panic!() };
        assert_eq!((driver.role, driver.person), (Role::Driver, Some(0)));
        let Grant::Granted(leader) = t.grant("leader-b4-0123456789", "niuxie") else { panic!() };
        assert_eq!(leader.buildings.unwrap().iter().cloned().collect::<Vec<_>>(), ["B4", "B5"]);
        assert_eq!(t.grant("leader-b4-0123456789", "east"), Grant::OtherAreas);
        assert!(Tokens::parse("porter porter-three-0123456789 niuxie porter-0").is_err(), "numbered from 1");
        assert!(Tokens::parse("porter porter-three-0123456789 niuxie tricycle-1").is_err());
        assert!(Tokens::parse("porter porter-three-0123456789 a,b porter-1").is_err(), "one area");
        assert!(Tokens::parse("leader leader-b4-0123456789 niuxie").is_err(), "a leader names buildings");
    }
}
