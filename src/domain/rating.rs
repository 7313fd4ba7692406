//! A farmer's rating of a case that has ended: who may rate, when, and what a rating holds.

use super::{CaseStatus, Invalid};
use chrono::NaiveDateTime;

/// A rating can be changed for this many days after it was first given.
pub const CHANGE_DAYS: i64 = 7;
pub const COMMENT_MAX: usize = 1000;

/// A score from 1 (very dissatisfied, or very hard) to 5 (very satisfied, or very easy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Score(i32);

impl Score {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        match input.trim().parse::<i32>() {
            Ok(n @ 1..=5) => Ok(Score(n)),
            Ok(_) => Err(Invalid::new("error.choice")),
            Err(_) if input.trim().is_empty() => Err(Invalid::new("rating.choose")),
            Err(_) => Err(Invalid::new("error.choice")),
        }
    }

    pub fn value(self) -> i32 {
        self.0
    }
}

/// The optional comment, trimmed, at most 1,000 characters.
pub fn parse_comment(input: &str) -> Result<String, Invalid> {
    let text = input.trim();
    if text.chars().count() > COMMENT_MAX {
        Err(Invalid::new("error.too_long"))
    } else {
        Ok(text.to_owned())
    }
}

/// Why a rating is not taken now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatingRefusal {
    /// The case is still going: a rating comes after the service.
    NotEnded,
    /// Only the farmer who applied rates the case.
    NotTheApplicant,
    /// The rating was given more than 7 days ago.
    TooLateToChange,
}

impl RatingRefusal {
    pub fn key(self) -> &'static str {
        match self {
            RatingRefusal::NotEnded => "rating.refused.not_ended",
            RatingRefusal::NotTheApplicant => "rating.refused.not_applicant",
            RatingRefusal::TooLateToChange => "rating.refused.too_late",
        }
    }
}

/// Whether the case's applicant may rate it (or change their rating) now.
pub fn may_rate(
    status: CaseStatus,
    is_applicant: bool,
    first_rated_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(), RatingRefusal> {
    if !is_applicant {
        return Err(RatingRefusal::NotTheApplicant);
    }
    if !status.asks_for_a_rating() {
        return Err(RatingRefusal::NotEnded);
    }
    match first_rated_at {
        Some(at) if now - at > chrono::Duration::days(CHANGE_DAYS) => {
            Err(RatingRefusal::TooLateToChange)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    #[test]
    fn only_a_decided_case_is_rated_and_only_by_its_applicant() {
        for status in CaseStatus::ALL {
            // A case the farmer withdrew before any decision is not asked about.
            let expected = matches!(
                status,
                CaseStatus::Paid | CaseStatus::Completed | CaseStatus::Rejected
            );
            assert_eq!(
                may_rate(*status, true, None, at(1, 9)).is_ok(),
                expected,
                "{status:?}"
            );
        }
        assert_eq!(
            may_rate(CaseStatus::Paid, false, None, at(1, 9)),
            Err(RatingRefusal::NotTheApplicant)
        );
    }

    #[test]
    fn a_rating_can_be_changed_for_seven_days() {
        let first = at(1, 9);
        assert_eq!(
            may_rate(CaseStatus::Paid, true, Some(first), at(8, 9)),
            Ok(())
        );
        assert_eq!(
            may_rate(CaseStatus::Paid, true, Some(first), at(8, 10)),
            Err(RatingRefusal::TooLateToChange)
        );
    }

    #[test]
    fn scores_are_one_to_five_and_comments_at_most_a_thousand_characters() {
        assert_eq!(Score::parse("4").map(Score::value), Ok(4));
        assert!(Score::parse("0").is_err());
        assert!(Score::parse("6").is_err());
        assert_eq!(Score::parse("").unwrap_err().key, "rating.choose");
        assert_eq!(parse_comment("  รอนานมาก  ").unwrap(), "รอนานมาก");
        assert!(parse_comment(&"ก".repeat(1000)).is_ok());
        assert!(parse_comment(&"ก".repeat(1001)).is_err());
    }
}
