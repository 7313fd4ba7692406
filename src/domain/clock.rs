//! The one clock. Stored timestamps are UTC; every business date (deadlines, "as of", crop
//! years, reporting months) and every time shown to a person is Thailand's (Asia/Bangkok).
//! Services receive a `Clock` rather than reading the system time, so a test can run the whole
//! server on a chosen day (29 February, the turn of the crop year, 01:00 Thai time).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// Thailand's time zone (UTC+7 all year; no daylight saving since 1920).
pub const THAILAND: Tz = chrono_tz::Asia::Bangkok;

/// What time it is. The system clock in production; in tests and training demos a clock that
/// starts at a chosen moment and then runs at the normal pace (so timeouts and orderings still
/// behave as they do in real life).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    /// How far this clock is ahead of the system clock (zero for the real one).
    ahead: TimeDelta,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that reads `start` now.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self {
            ahead: start - Utc::now(),
        }
    }

    /// A clock that reads the given Thai local date and time now.
    pub fn starting_at_thai(day: NaiveDate, time: NaiveTime) -> Self {
        Self::starting_at(utc_of_thai(day.and_time(time)).and_utc())
    }

    /// Now, as stored: UTC without an offset (the database's `Timestamp` columns).
    pub fn now(&self) -> NaiveDateTime {
        (Utc::now() + self.ahead).naive_utc()
    }

    /// Today's date in Thailand: the business date of every deadline and decision.
    pub fn today(&self) -> NaiveDate {
        thai_time(self.now()).date()
    }
}

/// A stored UTC timestamp as Thai local time (for display and for business dates).
pub fn thai_time(stored: NaiveDateTime) -> NaiveDateTime {
    THAILAND.from_utc_datetime(&stored).naive_local()
}

/// The UTC timestamp (as stored) of a Thai local time.
pub fn utc_of_thai(local: NaiveDateTime) -> NaiveDateTime {
    // Bangkok has one offset all year, so every local time exists exactly once; `earliest`
    // only guards against a future rule change creating a gap.
    THAILAND
        .from_local_datetime(&local)
        .earliest()
        .map_or(local, |at| at.naive_utc())
}

/// When a Thai calendar day starts, as a stored UTC timestamp (17:00 UTC the day before).
pub fn start_of_thai_day(day: NaiveDate) -> NaiveDateTime {
    utc_of_thai(day.and_time(NaiveTime::MIN))
}

/// Thailand's offset from UTC, for grouping stored timestamps by Thai month inside the database
/// (a constant shift is exact because Bangkok's offset never changes).
pub const THAI_OFFSET_HOURS: i64 = 7;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|day| day.and_hms_opt(h, min, 0))
            .expect("a valid time")
    }

    #[test]
    fn one_in_the_morning_in_thailand_is_the_evening_before_in_utc() {
        // 18:00 UTC on 30 April is 01:00 on 1 May in Thailand: the new crop year has begun.
        let clock = Clock::starting_at(at(2027, 4, 30, 18, 0).and_utc());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2027, 5, 1).unwrap());
        assert_eq!(thai_time(at(2027, 4, 30, 18, 0)), at(2027, 5, 1, 1, 0));
        assert_eq!(utc_of_thai(at(2027, 5, 1, 1, 0)), at(2027, 4, 30, 18, 0));
    }

    #[test]
    fn a_thai_day_starts_at_five_in_the_afternoon_utc_the_day_before() {
        let leap_day = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        assert_eq!(start_of_thai_day(leap_day), at(2028, 2, 28, 17, 0));
        assert_eq!(
            thai_time(at(2028, 2, 28, 16, 59)).date(),
            NaiveDate::from_ymd_opt(2028, 2, 28).unwrap()
        );
    }

    #[test]
    fn the_offset_used_inside_the_database_is_thailands_on_every_day() {
        for stored in [
            at(1990, 1, 1, 0, 0),
            at(2028, 2, 29, 12, 0),
            at(2100, 12, 31, 23, 0),
        ] {
            assert_eq!(
                thai_time(stored) - stored,
                TimeDelta::hours(THAI_OFFSET_HOURS)
            );
        }
    }

    #[test]
    fn a_clock_set_to_a_chosen_day_runs_on_from_it() {
        let clock = Clock::starting_at_thai(
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap(),
            NaiveTime::from_hms_opt(23, 59, 59).unwrap(),
        );
        let first = clock.now();
        assert_eq!(
            thai_time(first).date(),
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(clock.now() > first);
        assert_eq!(
            Clock::system().today(),
            thai_time(Utc::now().naive_utc()).date()
        );
    }
}
