use super::Invalid;
use validator::ValidateEmail;

/// An e-mail address, trimmed and lower-cased so that look-ups are case-insensitive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err(Invalid::new("error.required"));
        }
        if email.len() > 254 || !email.validate_email() {
            return Err(Invalid::new("error.email.format"));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_spaces() {
        assert_eq!(
            Email::parse(" Officer.Surin@Demo.Kaset ").unwrap().as_str(),
            "officer.surin@demo.kaset"
        );
    }

    #[test]
    fn refuses_malformed_addresses() {
        assert!(Email::parse("not-an-address").is_err());
        assert!(Email::parse("a@").is_err());
    }
}
