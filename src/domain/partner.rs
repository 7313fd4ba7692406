//! A partner agency's API key: `kst_<prefix>_<secret>`. The prefix finds the key and is shown to
//! administrators; the whole key is stored only as its SHA-256. A slow password hash is not
//! needed here: the secret is 32 random characters, not something a person chose.

use super::Invalid;
use rand::distributions::{Alphanumeric, DistString};

const TAG: &str = "kst";
const PREFIX_LEN: usize = 8;
const SECRET_LEN: usize = 32;

/// The version of the privacy notice farmers consent under; a new notice asks again.
pub const PRIVACY_NOTICE_VERSION: &str = "2026-11";

/// A key as presented by a caller (or just created): well-formed, not yet checked.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    prefix: String,
    whole: String,
}

impl ApiKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut rng = rand::rngs::OsRng;
        let prefix = Alphanumeric
            .sample_string(&mut rng, PREFIX_LEN)
            .to_lowercase();
        let secret = Alphanumeric.sample_string(&mut rng, SECRET_LEN);
        Self {
            whole: format!("{TAG}_{prefix}_{secret}"),
            prefix,
        }
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let invalid = Invalid::new("api.problem.unauthorized.detail");
        let mut parts = input.trim().splitn(3, '_');
        let (Some(TAG), Some(prefix), Some(secret)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid);
        };
        let alnum =
            |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_alphanumeric());
        if !alnum(prefix, PREFIX_LEN) || !alnum(secret, SECRET_LEN) {
            return Err(invalid);
        }
        Ok(Self {
            prefix: prefix.to_owned(),
            whole: input.trim().to_owned(),
        })
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The key in full: shown once, to the administrator who created it.
    pub fn reveal(&self) -> &str {
        &self.whole
    }

    pub fn sha256(&self) -> String {
        super::sha256_hex(&self.whole)
    }

    /// Whether this key hashes to `stored` (compared in constant time).
    pub fn matches(&self, stored: &str) -> bool {
        super::constant_time_eq(&self.sha256(), stored)
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKey({TAG}_{}_…)", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_parses_back_and_matches_its_hash() {
        let key = ApiKey::generate();
        let parsed = ApiKey::parse(key.reveal()).expect("a generated key is well-formed");
        assert_eq!(parsed.prefix(), key.prefix());
        assert!(parsed.matches(&key.sha256()));
        assert!(!ApiKey::generate().matches(&key.sha256()));
    }

    #[test]
    fn malformed_keys_are_refused() {
        for input in [
            "",
            "kst_abc_def",
            "xyz_abcdefgh_0123456789abcdef0123456789abcdef",
            "kst_abcdefgh_short",
        ] {
            assert!(ApiKey::parse(input).is_err(), "{input}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let key = ApiKey::generate();
        let shown = format!("{key:?}");
        assert!(!shown.contains(&key.reveal()[13..]));
    }
}
