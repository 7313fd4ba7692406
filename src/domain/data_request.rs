//! A farmer's personal-data request under Thailand's PDPA: a correction of their registry
//! record, which an officer of their district answers, or the deletion of their account.

use super::Invalid;
use chrono::NaiveDate;

/// Days the law gives the controller to act on a request (PDPA, section 30).
pub const RESPONSE_DAYS: i64 = 30;
const MIN_DETAILS: usize = 10;
const MAX_DETAILS: usize = 2000;

/// The deadline of a request made on `asked_on`.
pub fn due_on(asked_on: NaiveDate) -> NaiveDate {
    asked_on + chrono::Duration::days(RESPONSE_DAYS)
}

/// How farmers and officers refer to a request: `PD-000042`.
pub fn reference(id: i32) -> String {
    format!("PD-{id:06}")
}

/// What the farmer says is wrong and what is right: enough to act on, not a novel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details(String);

impl Details {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let text = input.trim();
        let length = text.chars().count();
        if length == 0 {
            Err(Invalid::new("error.required"))
        } else if length < MIN_DETAILS {
            Err(Invalid::new("data_requests.error.too_short"))
        } else if length > MAX_DETAILS {
            Err(Invalid::new("error.too_long"))
        } else {
            Ok(Self(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_must_say_enough_and_not_too_much() {
        assert!(Details::parse("  ").is_err());
        assert_eq!(
            Details::parse("ผิด").unwrap_err().key,
            "data_requests.error.too_short"
        );
        assert!(Details::parse(&"ก".repeat(2001)).is_err());
        let ok = Details::parse("  แปลงนาหลังบ้านมีพื้นที่ 14 ไร่ ไม่ใช่ 12 ไร่  ").unwrap();
        assert!(ok.as_str().starts_with("แปลง"));
    }

    #[test]
    fn a_request_is_due_thirty_days_after_it_is_made() {
        let asked = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(
            due_on(asked),
            NaiveDate::from_ymd_opt(2026, 12, 29).unwrap()
        );
        assert_eq!(reference(42), "PD-000042");
    }
}
