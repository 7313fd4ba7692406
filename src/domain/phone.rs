use super::Invalid;

/// A Thai mobile number, kept as its ten national digits (`0812345678`). Typed with spaces,
/// dashes, Thai digits or the country code (`+66 81 234 5678`), it is the same number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let digits: String = super::western_digits(input.trim())
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
            .collect();
        if digits.is_empty() {
            return Err(Invalid::new("error.required"));
        }
        let national = match digits
            .strip_prefix("+66")
            .or_else(|| digits.strip_prefix("66"))
        {
            Some(rest) if digits.len() == 11 + usize::from(digits.starts_with('+')) => {
                format!("0{rest}")
            }
            _ => digits,
        };
        // Thai mobile numbers: 06, 08 or 09 and eight more digits.
        let mobile = national.len() == 10
            && national.chars().all(|c| c.is_ascii_digit())
            && matches!(&national[..2], "06" | "08" | "09");
        if mobile {
            Ok(Self(national))
        } else {
            Err(Invalid::new("error.phone.format"))
        }
    }

    /// `0812345678`, as stored and shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `66812345678`: the international form SMS gateways address.
    pub fn international(&self) -> String {
        format!("66{}", &self.0[1..])
    }

    /// `08x-xxx-5678`: enough for a person to recognise their own number on a page that
    /// should not show it whole.
    pub fn masked(&self) -> String {
        format!("{}x-xxx-{}", &self.0[..2], &self.0[6..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mobile_number_is_the_same_however_it_is_typed() {
        for typed in [
            "0812345678",
            "081-234-5678",
            "+66 81 234 5678",
            "66812345678",
            "๐๘๑๒๓๔๕๖๗๘",
        ] {
            assert_eq!(
                Phone::parse(typed).unwrap().as_str(),
                "0812345678",
                "{typed}"
            );
        }
        let phone = Phone::parse("0812345678").unwrap();
        assert_eq!(phone.international(), "66812345678");
        assert_eq!(phone.masked(), "08x-xxx-5678");
    }

    #[test]
    fn landlines_and_short_numbers_are_not_mobiles() {
        for typed in [
            "021234567",
            "0212345678",
            "081234567",
            "08123456789",
            "abc",
            "+1 555 0100",
        ] {
            assert!(Phone::parse(typed).is_err(), "{typed}");
        }
        assert_eq!(Phone::parse("  ").unwrap_err().key, "error.required");
    }
}
