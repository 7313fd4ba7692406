use argon2::password_hash::{rand_core::OsRng, SaltString};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use std::sync::LazyLock;
use zxcvbn::{zxcvbn, Score};

/// A password a user may choose: long enough, not too long to hash, and not guessable
/// (zxcvbn checks it against common-password lists, dictionaries, keyboard patterns and the
/// user's own details).
pub struct Password(String);

pub const MIN_LENGTH: usize = 10;
const MAX_LENGTH: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRejection {
    TooShort,
    TooLong,
    TooCommon,
}

impl PasswordRejection {
    pub fn message_key(self) -> &'static str {
        match self {
            Self::TooShort => "error.password.short",
            Self::TooLong => "error.password.long",
            Self::TooCommon => "error.password.common",
        }
    }
}

impl Password {
    /// `personal` holds what an attacker might know about the user (name, ID, e-mail).
    pub fn choose(input: &str, personal: &[&str]) -> Result<Self, PasswordRejection> {
        let length = input.chars().count();
        if length < MIN_LENGTH {
            return Err(PasswordRejection::TooShort);
        }
        if length > MAX_LENGTH {
            return Err(PasswordRejection::TooLong);
        }
        if zxcvbn(input, personal).score() < Score::Three {
            return Err(PasswordRejection::TooCommon);
        }
        Ok(Self(input.to_owned()))
    }

    /// A long random secret that no one will ever type, for accounts whose owner has yet to
    /// choose a password; it skips the policy because no person chose it.
    pub fn unusable(random_secret: &str) -> Self {
        Self(random_secret.to_owned())
    }

    /// The argon2id hash (PHC string with its own random salt) to store. Slow on purpose:
    /// call it off the async workers.
    pub fn hash(&self) -> String {
        hash_secret(&self.0)
    }
}

fn hash_secret(secret: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        // Hashing only fails for parameters out of range, which the defaults never are.
        .unwrap_or_else(|e| panic!("argon2 rejected its default parameters: {e}"))
}

/// A hash of nothing in particular, checked when the account does not exist so that a login
/// for an unknown account takes as long as one for a real account.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| hash_secret("decoy password for timing"));

/// Makes the decoy hash ahead of the first login that needs it. Slow on purpose, like `hash`.
pub fn prepare_decoy() {
    LazyLock::force(&DECOY_HASH);
}

/// Whether `input` is the password behind `stored_hash`. Slow on purpose, like `hash`.
pub fn verify(input: &str, stored_hash: Option<&str>) -> bool {
    let stored = stored_hash.unwrap_or(DECOY_HASH.as_str());
    let matches = PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(input.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    matches && stored_hash.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_and_common_passwords() {
        assert_eq!(
            Password::choose("short", &[]).err(),
            Some(PasswordRejection::TooShort)
        );
        assert_eq!(
            Password::choose("password123", &[]).err(),
            Some(PasswordRejection::TooCommon)
        );
        assert_eq!(
            Password::choose("1234567890", &[]).err(),
            Some(PasswordRejection::TooCommon)
        );
    }

    #[test]
    fn refuses_a_password_made_of_the_users_own_id() {
        assert_eq!(
            Password::choose("3100100000014", &["3100100000014"]).err(),
            Some(PasswordRejection::TooCommon)
        );
    }

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let password = Password::choose("ควายเหล็กสีแดงไถนา", &[]).unwrap();
        let hash = password.hash();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("ควายเหล็กสีแดงไถนา", Some(&hash)));
        assert!(!verify("ควายเหล็กสีแดงไถนx", Some(&hash)));
        assert!(!verify("anything", None));
    }

    #[test]
    fn accepts_a_long_uncommon_passphrase() {
        assert!(Password::choose("ควายเหล็กสีแดงไถนา", &[]).is_ok());
        assert!(Password::choose("kaset-demo-2026", &[]).is_ok());
    }
}
