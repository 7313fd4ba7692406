use super::Invalid;

/// What a one-time code sent by SMS is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodePurpose {
    /// Finishing a sign-up: the phone the registry holds proves the person.
    SignUp,
    SignIn,
    PasswordReset,
}

impl CodePurpose {
    pub const ALL: [CodePurpose; 3] = [
        CodePurpose::SignUp,
        CodePurpose::SignIn,
        CodePurpose::PasswordReset,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CodePurpose::SignUp => "sign_up",
            CodePurpose::SignIn => "sign_in",
            CodePurpose::PasswordReset => "password_reset",
        }
    }

    pub fn parse(code: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == code)
            .ok_or(Invalid::new("error.choice"))
    }
}

/// Six digits as typed: spaces and dashes dropped, Thai digits read.
pub fn typed_code(input: &str) -> Result<String, Invalid> {
    let digits: String = super::western_digits(input)
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    if digits.is_empty() {
        return Err(Invalid::new("error.required"));
    }
    if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(Invalid::new("code.error.format"));
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_six_digits_however_it_is_typed() {
        assert_eq!(typed_code(" 123 456 ").unwrap(), "123456");
        assert_eq!(typed_code("๑๒๓-๔๕๖").unwrap(), "123456");
        assert_eq!(typed_code("12345").unwrap_err().key, "code.error.format");
        assert_eq!(typed_code("12345a").unwrap_err().key, "code.error.format");
        assert_eq!(typed_code("").unwrap_err().key, "error.required");
    }
}
