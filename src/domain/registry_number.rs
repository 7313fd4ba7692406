use super::Invalid;

/// A household's number in the farmer registry: the 6-digit tambon code where the household
/// was registered followed by a 6-digit sequence, e.g. `320101000123`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegistryNumber(String);

impl RegistryNumber {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let digits: String = input.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        if digits.is_empty() {
            return Err(Invalid::new("error.required"));
        }
        if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::new("error.registry_number.format"));
        }
        Ok(Self(digits))
    }

    pub fn new(tambon_code: &str, sequence: u32) -> Result<Self, Invalid> {
        Self::parse(&format!("{tambon_code}{sequence:06}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_from_tambon_and_sequence() {
        assert_eq!(
            RegistryNumber::new("320101", 123).unwrap().as_str(),
            "320101000123"
        );
    }

    #[test]
    fn refuses_short_numbers() {
        assert!(RegistryNumber::parse("32010100012").is_err());
        assert!(RegistryNumber::parse("3201-0100-0123").is_ok());
    }
}
