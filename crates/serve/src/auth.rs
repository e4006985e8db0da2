//! Bearer tokens with roles. Tokens are read from a file or the environment, kept only as
//! SHA-256 hashes, and never logged.

use crate::ledger::sha256;
use std::collections::{BTreeSet, HashMap};

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads plans, the map and metrics; sees no household-level data.
    Viewer,
    /// Also submits orders and events, plans, and sees households and dispatch sheets.
    Dispatcher,
}

/// The accepted tokens, by hash: each with its role and the areas it holds (all when `None`).
#[derive(Clone, Debug, Default)]
pub struct Tokens(HashMap<String, (Role, Option<BTreeSet<String>>)>);

/// What a token may do on one area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Not one of ours: 401.
    Unknown,
    /// Ours, for other areas: 403.
    OtherAreas,
    /// Ours, on this area, with this role.
    Role(Role),
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
            let entries: Vec<(String, String, Option<String>)> = if line.contains(char::is_whitespace) {
                let fields: Vec<&str> = line.split_whitespace().collect();
                match fields[..] {
                    [role, token] => vec![(role.into(), token.into(), None)],
                    [role, token, areas] => vec![(role.into(), token.into(), Some(areas.into()))],
                    _ => return Err(format!("token line '{}…' is not `ROLE TOKEN [AREAS]`", role_of(line))),
                }
            } else {
                let mut pairs = Vec::new();
                for entry in line.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                    let (role, token) = entry
                        .split_once(':')
                        .ok_or_else(|| format!("token entry {} is not `role:token`", n + pairs.len() + 1))?;
                    pairs.push((role.into(), token.into(), None));
                }
                pairs
            };
            for (role, token, areas) in entries {
                n += 1;
                let role = match role.trim().trim_end_matches(':') {
                    "dispatcher" => Role::Dispatcher,
                    "viewer" => Role::Viewer,
                    other => {
                        return Err(format!("token entry {n}: unknown role '{other}' (dispatcher or viewer)"));
                    }
                };
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
                tokens.insert(sha256(token.as_bytes()), (role, areas));
            }
        }
        if tokens.is_empty() {
            return Err("no tokens given: with none, nothing but /healthz would answer".into());
        }
        Ok(Self(tokens))
    }

    /// The role of a presented token, if it is one of ours (on some area).
    pub fn role(&self, token: &str) -> Option<Role> {
        self.0.get(&sha256(token.as_bytes())).map(|(role, _)| *role)
    }

    /// What a presented token may do on `area`.
    pub fn grant(&self, token: &str, area: &str) -> Grant {
        match self.0.get(&sha256(token.as_bytes())) {
            None => Grant::Unknown,
            Some((role, None)) => Grant::Role(*role),
            Some((role, Some(areas))) if areas.contains(area) => Grant::Role(*role),
            Some(_) => Grant::OtherAreas,
        }
    }

    /// Whether a token holds `area`.
    pub fn holds(&self, token: &str, area: &str) -> bool {
        matches!(self.grant(token, area), Grant::Role(_))
    }

    /// Area ids the tokens name, for a check against the areas served (a typo would lock a
    /// building leader out without a word).
    pub fn areas_named(&self) -> BTreeSet<String> {
        self.0.values().filter_map(|(_, areas)| areas.clone()).flatten().collect()
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
        assert_eq!(t.grant("district-token-0123456789", "c"), Grant::Role(Role::Dispatcher));
        assert_eq!(t.grant("leader-token-a-0123456789", "b"), Grant::Role(Role::Viewer));
        assert_eq!(t.grant("leader-token-a-0123456789", "c"), Grant::OtherAreas);
        assert_eq!(t.grant("any-token-0123456789", "z"), Grant::Role(Role::Viewer));
        assert_eq!(t.grant("nope-nope-nope-nope", "a"), Grant::Unknown);
        assert_eq!(t.areas_named().into_iter().collect::<Vec<_>>(), ["a", "b"]);
        assert!(Tokens::parse("viewer leader-token-a-0123456789 a b").is_err(), "four fields");
    }
}
