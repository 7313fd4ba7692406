//! Working days for service deadlines: weekends and Thai public holidays (from
//! `rules/public-holidays.csv`) do not count.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};

/// The columns the holiday file starts with (after its `#` comments).
const HEADER: [&str; 3] = ["date", "name_th", "name_en"];

/// The days government offices work; service deadlines are counted in these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    holidays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// Parses the CSV text (header `date,name_th,name_en`; `#` comment lines allowed). A bad line
    /// is an error naming its line number and what is wrong (e.g. "line 7: `2026-02-30` is not a
    /// date"), so the administrator who edits the file can fix it.
    pub fn parse(csv_text: &str) -> Result<Self, String> {
        let text = csv_text.strip_prefix('\u{feff}').unwrap_or(csv_text);
        let mut listed_on: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        let mut header_seen = false;
        for (index, raw) in text.lines().enumerate() {
            let number = index + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !header_seen {
                if !line.split(',').map(str::trim).eq(HEADER) {
                    return Err(format!(
                        "line {number}: expected the header `{}`, found `{line}`",
                        HEADER.join(",")
                    ));
                }
                header_seen = true;
                continue;
            }
            let date = parse_line(line).map_err(|why| format!("line {number}: {why}"))?;
            if let Some(earlier) = listed_on.insert(date, number) {
                return Err(format!(
                    "line {number}: `{date}` is already listed on line {earlier}"
                ));
            }
        }
        if !header_seen {
            return Err(format!("the header `{}` is missing", HEADER.join(",")));
        }
        Ok(Self {
            holidays: listed_on.into_keys().collect(),
        })
    }

    /// No holidays at all: what a year missing from the file falls back to (weekends only).
    pub fn empty() -> Self {
        Self::default()
    }

    /// Offices are closed on Saturdays, Sundays and listed holidays (substitution days included).
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The date `days` working days after `start` (start itself not counted; `days == 0` returns
    /// start). E.g. Friday + 1 working day = next Monday when Monday is not a holiday.
    pub fn add_working_days(&self, start: NaiveDate, days: u32) -> NaiveDate {
        let Some(skipped) = days.checked_sub(1) else {
            return start;
        };
        start
            .iter_days()
            .skip(1)
            .filter(|day| self.is_working_day(*day))
            .nth(usize::try_from(skipped).unwrap_or(usize::MAX))
            // Only runs out past the end of chrono's calendar (year 262142).
            .unwrap_or(NaiveDate::MAX)
    }

    /// Working days after `from` up to and including `to` (0 if `to <= from`): how much of a
    /// service level has been used up.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let count = from
            .iter_days()
            .skip(1)
            .take_while(|day| *day <= to)
            .filter(|day| self.is_working_day(*day))
            .count();
        i64::try_from(count).unwrap_or(i64::MAX)
    }
}

/// Reads one `date,name_th,name_en` line. The names are for people reading the file, so only
/// their presence is checked; a name may not hide a mistyped date.
fn parse_line(line: &str) -> Result<NaiveDate, String> {
    let mut fields = line.splitn(3, ',').map(str::trim);
    let (Some(date_text), Some(name_th), Some(name_en)) =
        (fields.next(), fields.next(), fields.next())
    else {
        return Err(format!("expected `date,name_th,name_en`, found `{line}`"));
    };
    let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
        .ok()
        .filter(|date| date.format("%Y-%m-%d").to_string() == date_text)
        .ok_or_else(|| format!("`{date_text}` is not a date (YYYY-MM-DD)"))?;
    if name_th.is_empty() || name_en.is_empty() {
        return Err(format!(
            "`{date_text}` needs both a Thai and an English name"
        ));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOLIDAYS: &str = include_str!("../../rules/public-holidays.csv");

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn thailand() -> WorkingCalendar {
        WorkingCalendar::parse(HOLIDAYS).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_deadline_skips_the_weekend() {
        let calendar = WorkingCalendar::empty();
        // Friday 6 March 2026.
        assert_eq!(
            calendar.add_working_days(date("2026-03-06"), 1),
            date("2026-03-09")
        );
        assert_eq!(
            calendar.add_working_days(date("2026-03-06"), 5),
            date("2026-03-13")
        );
        // A deadline started on a Saturday also ends on the Monday.
        assert_eq!(
            calendar.add_working_days(date("2026-03-07"), 1),
            date("2026-03-09")
        );
        assert!(!calendar.is_working_day(date("2026-03-07")));
        assert!(!calendar.is_working_day(date("2026-03-08")));
    }

    #[test]
    fn a_deadline_skips_songkran() {
        let calendar = thailand();
        // Friday 10 April 2026; Songkran is Monday 13 to Wednesday 15.
        assert_eq!(
            calendar.add_working_days(date("2026-04-10"), 1),
            date("2026-04-16")
        );
        // 2025: Songkran began on a Sunday, so Wednesday 16 April was its substitution day.
        assert_eq!(
            calendar.add_working_days(date("2025-04-11"), 1),
            date("2025-04-17")
        );
    }

    #[test]
    fn a_substitution_day_is_not_a_working_day() {
        let calendar = thailand();
        // Chakri Day fell on Sunday 6 April 2025; Monday 7 April was the substitution day.
        assert!(!calendar.is_working_day(date("2025-04-07")));
        assert_eq!(
            calendar.add_working_days(date("2025-04-04"), 1),
            date("2025-04-08")
        );
        // Visakha Bucha fell on Sunday 31 May 2026; Monday 1 June was the substitution day.
        assert!(!calendar.is_working_day(date("2026-06-01")));
    }

    #[test]
    fn zero_working_days_is_the_start_itself() {
        let calendar = thailand();
        assert_eq!(
            calendar.add_working_days(date("2026-04-13"), 0),
            date("2026-04-13")
        );
    }

    #[test]
    fn counting_working_days_between_two_dates() {
        let weekends_only = WorkingCalendar::empty();
        // Monday to the next Monday.
        assert_eq!(
            weekends_only.working_days_between(date("2026-03-02"), date("2026-03-09")),
            5
        );
        // Makha Bucha, Tuesday 3 March 2026, does not count.
        assert_eq!(
            thailand().working_days_between(date("2026-03-02"), date("2026-03-09")),
            4
        );
        // Friday to Saturday, then to Monday.
        assert_eq!(
            weekends_only.working_days_between(date("2026-03-06"), date("2026-03-07")),
            0
        );
        assert_eq!(
            weekends_only.working_days_between(date("2026-03-06"), date("2026-03-09")),
            1
        );
        // The same day, or backwards.
        assert_eq!(
            weekends_only.working_days_between(date("2026-03-09"), date("2026-03-09")),
            0
        );
        assert_eq!(
            weekends_only.working_days_between(date("2026-03-09"), date("2026-03-02")),
            0
        );
    }

    #[test]
    fn counting_undoes_adding() {
        let calendar = thailand();
        for start in date("2024-12-20").iter_days().take(3 * 366 + 20) {
            for days in [0, 1, 2, 5, 15, 30] {
                let end = calendar.add_working_days(start, days);
                assert_eq!(
                    calendar.working_days_between(start, end),
                    i64::from(days),
                    "{start} + {days}"
                );
                assert!(
                    days == 0 || calendar.is_working_day(end),
                    "{start} + {days}"
                );
            }
        }
    }

    #[test]
    fn the_holiday_file_covers_2025_to_2027() {
        let calendar = thailand();
        for year in 2025..=2027 {
            let in_year = calendar
                .holidays
                .iter()
                .filter(|day| day.year() == year)
                .count();
            assert!(in_year >= 20, "{year} has only {in_year} holidays");
        }
        // Government offices work on Labour Day; only banks and companies close.
        assert!(calendar.is_working_day(date("2026-05-01")));
        // A year the file does not list counts weekends only.
        assert!(calendar.is_working_day(date("2030-04-15")));
    }

    #[test]
    fn a_broken_line_names_its_line_number() {
        let text = "# Thai holidays\n# updated yearly\ndate,name_th,name_en\n\
                    2026-01-01,วันขึ้นปีใหม่,New Year's Day\n\n# February\n\
                    2026-02-30,วันผิด,Wrong day\n";
        assert_eq!(
            WorkingCalendar::parse(text),
            Err("line 7: `2026-02-30` is not a date (YYYY-MM-DD)".to_string())
        );
    }

    #[test]
    fn a_line_without_its_names_is_refused() {
        let error =
            WorkingCalendar::parse("date,name_th,name_en\n2026-01-01,วันขึ้นปีใหม่\n").unwrap_err();
        assert!(
            error.starts_with("line 2: expected `date,name_th,name_en`"),
            "{error}"
        );
        let error = WorkingCalendar::parse("date,name_th,name_en\n2026-01-01,, \n").unwrap_err();
        assert!(
            error.starts_with("line 2: `2026-01-01` needs both"),
            "{error}"
        );
    }

    #[test]
    fn a_date_not_written_as_yyyy_mm_dd_is_refused() {
        let error = WorkingCalendar::parse("date,name_th,name_en\n2026-1-2,ก,A\n").unwrap_err();
        assert_eq!(error, "line 2: `2026-1-2` is not a date (YYYY-MM-DD)");
    }

    #[test]
    fn a_day_listed_twice_is_refused() {
        let text = "date,name_th,name_en\n2026-01-01,ก,A\n2026-01-01,ข,B\n";
        assert_eq!(
            WorkingCalendar::parse(text),
            Err("line 3: `2026-01-01` is already listed on line 2".to_string())
        );
    }

    #[test]
    fn a_file_without_its_header_is_refused() {
        let error = WorkingCalendar::parse("# note\n2026-01-01,ก,A\n").unwrap_err();
        assert!(error.starts_with("line 2: expected the header"), "{error}");
        assert!(WorkingCalendar::parse("# only comments\n").is_err());
    }

    #[test]
    fn windows_line_endings_and_a_byte_order_mark_are_accepted() {
        let text = "\u{feff}# note\r\ndate,name_th,name_en\r\n2026-01-02,ก,A\r\n";
        let calendar = WorkingCalendar::parse(text).unwrap_or_else(|e| panic!("{e}"));
        assert!(!calendar.is_working_day(date("2026-01-02")));
    }
}
