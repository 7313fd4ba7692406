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
