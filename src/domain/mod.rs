//! Types that can only hold valid values ("parse, don't validate"). Web forms arrive as strings
//! and are parsed into these before anything else sees them.

pub mod area;
pub mod attachment;
pub mod calendar;
pub mod case;
mod channel;
pub mod clock;
mod codes;
pub mod comments;
pub mod data_request;
pub mod date;
pub mod disaster;
mod email;
pub mod money;
mod national_id;
pub mod one_time_code;
pub mod open_data;
pub mod partner;
pub mod password;
mod phone;
pub mod rating;
mod registry_number;
pub mod registry_record;
pub mod satisfaction;
mod scope;
pub mod search;
pub mod sms;

pub use area::Area;
pub use channel::{Channel, ChannelOrder, DeliveryStatus};
pub use clock::Clock;
pub use codes::{
    ApiScope, CaseStatus, ConsentPurpose, Crop, DataRequestKind, DataRequestStatus, Hazard,
    LandDocument, MembershipKind, PaymentFailure, RejectionReason, Relation, Role, Season, Species,
    Tenure,
};
pub use email::Email;
pub use national_id::NationalId;
pub use password::{verify as verify_password, Password, PasswordRejection};
pub use phone::Phone;
pub use registry_number::RegistryNumber;
pub use scope::AreaScope;

/// Compares two secrets without stopping at the first difference, so the time taken does not
/// tell an attacker how much of a guess was right (CSRF tokens, API key hashes).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Thai digits (๐–๙) as the Western ones, so numbers are read however a person types them.
pub fn western_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '๐'..='๙' => char::from_digit(c as u32 - '๐' as u32, 10).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// A whole number as people type it: Thai or Western digits, with or without thousands
/// commas ("1,500", "๑๕๐๐"), within `range`.
pub fn whole_number(text: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    let digits: String = western_digits(text.trim())
        .chars()
        .filter(|c| *c != ',')
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| range.contains(n))
}

/// The SHA-256 of `bytes` in lowercase hex: how tokens, keys and files are stored and compared.
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes.as_ref()))
}

/// Why a value was refused; the web layer turns the key into a message next to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{key}")]
pub struct Invalid {
    /// An i18n catalogue key, e.g. `error.national_id.checksum`.
    pub key: &'static str,
}

impl Invalid {
    pub const fn new(key: &'static str) -> Self {
        Self { key }
    }
}

#[cfg(test)]
mod number_tests {
    use super::whole_number;

    #[test]
    fn whole_numbers_are_read_in_thai_or_western_digits() {
        assert_eq!(whole_number("๔๐", 0..=100), Some(40));
        assert_eq!(whole_number(" 1,500 ", 0..=10_000), Some(1_500));
        assert_eq!(whole_number("2568", 2540..=2600), Some(2568));
        assert_eq!(whole_number("2601", 2540..=2600), None, "outside the range");
        for bad in ["", "-1", "1.5", "ten", "1 500"] {
            assert_eq!(whole_number(bad, 0..=10_000), None, "{bad:?}");
        }
    }
}
