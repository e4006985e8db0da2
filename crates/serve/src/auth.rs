//! Bearer tokens with roles. Tokens are read from a file or the environment, kept only as
//! SHA-256 hashes, and never logged.

use crate::ledger::sha256;
use std::collections::HashMap;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads plans, the map and metrics; sees no household-level data.
    Viewer,
    /// Also submits orders and events, plans, and sees households and dispatch sheets.
    Dispatcher,
}

/// The accepted tokens, by hash.
#[derive(Clone, Debug, Default)]
pub struct Tokens(HashMap<String, Role>);

/// Shortest token accepted: a guessable token is no protection.
pub const MIN_TOKEN_LEN: usize = 16;

impl Tokens {
    /// Reads `role token` lines (`dispatcher` or `viewer`; `#` starts a comment), as in a
    /// tokens file, or `role:token` pairs separated by commas, as in `LASTMETRE_TOKENS`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut tokens = HashMap::new();
        let entries = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .flat_map(|l| l.split(','))
            .map(str::trim)
            .filter(|e| !e.is_empty());
        for (n, entry) in entries.enumerate() {
            let (role, token) = entry
                .split_once(|c: char| c == ':' || c.is_whitespace())
                .ok_or_else(|| format!("token entry {} is not `role token`", n + 1))?;
            let role = match role.trim() {
                "dispatcher" => Role::Dispatcher,
                "viewer" => Role::Viewer,
                other => return Err(format!("token entry {}: unknown role '{other}' (dispatcher or viewer)", n + 1)),
            };
            let token = token.trim();
            // Letters, digits and - _ . ~ only: the token must pass unchanged through a URL
            // (the page's ?token=) and a header.
            let url_safe = token.chars().all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c));
            if token.len() < MIN_TOKEN_LEN || !url_safe {
                return Err(format!(
                    "token entry {} ({role:?}): a token needs at least {MIN_TOKEN_LEN} characters, only letters, digits and - _ . ~",
                    n + 1
                ));
            }
            tokens.insert(sha256(token.as_bytes()), role);
        }
        if tokens.is_empty() {
            return Err("no tokens given: with none, nothing but /healthz would answer".into());
        }
        Ok(Self(tokens))
    }

    /// The role of a presented token, if it is one of ours.
    pub fn role(&self, token: &str) -> Option<Role> {
        self.0.get(&sha256(token.as_bytes())).copied()
    }
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
}
