use super::Invalid;
use std::fmt;

/// A Thai 13-digit citizen identification number whose check digit is right.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NationalId(String);

impl NationalId {
    /// Accepts the digits with or without the usual dashes and spaces (`3-1001-00000-01-4`).
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let digits: String = input.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        if digits.is_empty() {
            return Err(Invalid::new("error.required"));
        }
        if digits.len() != 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::new("error.national_id.format"));
        }
        let bytes = digits.as_bytes();
        let weighted: u32 = bytes[..12]
            .iter()
            .zip((2..=13).rev())
            .map(|(b, weight)| u32::from(b - b'0') * weight)
            .sum();
        let check = (11 - weighted % 11) % 10;
        if u32::from(bytes[12] - b'0') != check {
            return Err(Invalid::new("error.national_id.checksum"));
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The masked form of a national ID as stored (empty when the text is not one).
    pub fn mask_stored(text: &str) -> String {
        Self::parse(text).map(|id| id.masked()).unwrap_or_default()
    }

    /// The form printed on Thai ID cards with the middle group hidden: `3-1001-xxxxx-01-4`.
    pub fn masked(&self) -> String {
        let d = &self.0;
        format!(
            "{}-{}-xxxxx-{}-{}",
            &d[0..1],
            &d[1..5],
            &d[10..12],
            &d[12..13]
        )
    }
}

// Debug never prints the full number, so it cannot leak into logs.
impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NationalId({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_demo_farmer_with_or_without_dashes() {
        assert_eq!(
            NationalId::parse("3100100000014").unwrap().as_str(),
            "3100100000014"
        );
        assert_eq!(
            NationalId::parse("3-1001-00000-01-4").unwrap().as_str(),
            "3100100000014"
        );
    }

    #[test]
    fn refuses_a_wrong_check_digit() {
        assert_eq!(
            NationalId::parse("3100100000015").unwrap_err().key,
            "error.national_id.checksum"
        );
    }

    #[test]
    fn refuses_wrong_length_and_letters() {
        for bad in ["310010000001", "31001000000145", "31001000000a4"] {
            assert_eq!(
                NationalId::parse(bad).unwrap_err().key,
                "error.national_id.format"
            );
        }
        assert_eq!(NationalId::parse("  ").unwrap_err().key, "error.required");
    }

    #[test]
    fn masks_the_middle_group() {
        let id = NationalId::parse("3100100000014").unwrap();
        assert_eq!(id.masked(), "3-1001-xxxxx-01-4");
        assert!(!format!("{id:?}").contains("3100100000014"));
    }
}
