//! What a disaster declaration must hold to be valid.

use super::{date, Invalid};
use chrono::{Duration, NaiveDate};

/// The longest a declaration may accept damage reports after the disaster began: long enough
/// for any announced window, short enough to catch a mistyped year.
pub const LONGEST_CLAIM_WINDOW_DAYS: i64 = 180;

/// The last day damage reports are accepted, as typed: not before `earliest` (today for a
/// new declaration, as a window already closed helps no one; the day the disaster began for
/// a correction) and at most 180 days after the disaster began.
pub fn claims_close_on(
    text: &str,
    started_on: NaiveDate,
    earliest: NaiveDate,
) -> Result<NaiveDate, Invalid> {
    let close = date::parse(text)?;
    if close < earliest || close < started_on {
        return Err(Invalid::new("error.disaster.window_past"));
    }
    if close > started_on + Duration::days(LONGEST_CLAIM_WINDOW_DAYS) {
        return Err(Invalid::new("error.disaster.window_long"));
    }
    Ok(close)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_claim_window_runs_from_today_to_at_most_180_days_after_the_disaster() {
        let (started, today) = (day(2026, 11, 25), day(2026, 12, 3));
        assert_eq!(
            claims_close_on("2026-11-30", started, started),
            Ok(day(2026, 11, 30)),
            "a correction may set a day already past"
        );
        assert_eq!(
            claims_close_on("2026-12-31", started, today),
            Ok(day(2026, 12, 31))
        );
        assert_eq!(
            claims_close_on("2026-12-02", started, today)
                .unwrap_err()
                .key,
            "error.disaster.window_past"
        );
        assert_eq!(
            claims_close_on("2027-12-31", started, today)
                .unwrap_err()
                .key,
            "error.disaster.window_long"
        );
    }
}
