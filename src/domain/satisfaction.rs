//! Every satisfaction figure Kaset shows, computed in one place from score histograms (the
//! database counts ratings per score and group; everything else is worked out here).

use super::clock::start_of_thai_day;
use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};

/// Officers' own figures are shown only from this many ratings, so a single farmer's view
/// cannot be traced back or count for too much.
pub const OFFICER_MIN_RATINGS: i64 = 5;

/// How many ratings gave each satisfaction score 1–5, and the sum and count of the "how easy"
/// scores given with them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    pub counts: [i64; 5],
    pub effort_sum: i64,
}

impl Histogram {
    /// Adds `count` ratings of satisfaction `score` whose effort scores sum to `effort_sum`.
    pub fn add(&mut self, score: i32, count: i64, effort_sum: i64) {
        if let Some(slot) = usize::try_from(score - 1)
            .ok()
            .and_then(|i| self.counts.get_mut(i))
        {
            *slot += count;
            self.effort_sum += effort_sum;
        }
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.effort_sum += other.effort_sum;
    }

    pub fn ratings(&self) -> i64 {
        self.counts.iter().sum()
    }
}

/// The figures of one group of ratings; `None` where there are no ratings to say anything.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    pub ratings: i64,
    /// Share of ratings of 4 or 5, in percent.
    pub csat: Option<f64>,
    /// Mean satisfaction, 1–5.
    pub mean: Option<f64>,
    /// Mean "how easy was it", 1 (very hard) – 5 (very easy).
    pub effort: Option<f64>,
    pub distribution: [i64; 5],
}

impl Figures {
    pub fn of(h: &Histogram) -> Self {
        let n = h.ratings();
        let ratio = |x: i64| (n > 0).then(|| x as f64 / n as f64);
        let score_sum: i64 = h
            .counts
            .iter()
            .enumerate()
            .map(|(i, c)| (i as i64 + 1) * c)
            .sum();
        Figures {
            ratings: n,
            csat: ratio(h.counts[3] + h.counts[4]).map(|r| r * 100.0),
            mean: ratio(score_sum),
            effort: ratio(h.effort_sum),
            distribution: h.counts,
        }
    }
}

/// Ratings as a share of the cases that ended (and so could be rated), in percent.
pub fn response_rate(ratings: i64, ended_cases: i64) -> Option<f64> {
    (ended_cases > 0).then(|| ratings as f64 / ended_cases as f64 * 100.0)
}

/// Whether an officer's figures may be shown.
pub fn officer_shown(ratings: i64) -> bool {
    ratings >= OFFICER_MIN_RATINGS
}

/// The processing-time bands of "satisfaction against processing time", in calendar days.
pub const PROCESSING_BANDS: [(i32, i32); 4] = [(0, 7), (8, 15), (16, 30), (31, i32::MAX)];

/// The band a case's processing time falls in.
pub fn processing_band(days: i32) -> usize {
    PROCESSING_BANDS
        .iter()
        .position(|(from, to)| (*from..=*to).contains(&days))
        .unwrap_or(PROCESSING_BANDS.len() - 1)
}

/// Whole Thai calendar months of ratings (the dashboard's twelve, an alert's one). Ratings
/// are counted by the Thai month they were given in, so a rating at 01:00 on the 1st in Thailand
/// belongs to the new month although it is still the last day of the old one in UTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportingPeriod {
    /// The first day of the first month.
    pub first_day: NaiveDate,
    /// The first day after the period (the 1st of next month).
    pub end_day: NaiveDate,
    /// Its months, oldest first, as `YYYY-MM`.
    pub months: Vec<String>,
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

impl ReportingPeriod {
    /// The dashboard's period: `today`'s month and the eleven before it.
    pub fn twelve_months_to(today: NaiveDate) -> Self {
        Self::months_ending_with(first_of_month(today), 12)
    }

    /// The month before `today`'s: what the monthly alerts look back on.
    pub fn month_before(today: NaiveDate) -> Self {
        let this_month = first_of_month(today);
        Self::months_ending_with(
            this_month
                .checked_sub_months(Months::new(1))
                .unwrap_or(this_month),
            1,
        )
    }

    /// `count` whole months, the last of them starting on `last_month`.
    fn months_ending_with(last_month: NaiveDate, count: u32) -> Self {
        let back = |months: u32| {
            last_month
                .checked_sub_months(Months::new(months))
                .unwrap_or(last_month)
        };
        Self {
            first_day: back(count - 1),
            end_day: last_month
                .checked_add_months(Months::new(1))
                .unwrap_or(last_month),
            months: (0..count)
                .rev()
                .map(|months| back(months).format("%Y-%m").to_string())
                .collect(),
        }
    }

    /// When the period starts, as stored (UTC).
    pub fn starts_at(&self) -> NaiveDateTime {
        start_of_thai_day(self.first_day)
    }

    /// When the period ends (exclusive), as stored (UTC).
    pub fn ends_at(&self) -> NaiveDateTime {
        start_of_thai_day(self.end_day)
    }

    /// The last day counted, for "1 Dec 2025 – 30 Nov 2026".
    pub fn last_day(&self) -> NaiveDate {
        self.end_day.pred_opt().unwrap_or(self.end_day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
    }

    #[test]
    fn the_period_is_this_thai_month_and_the_eleven_before_on_any_day() {
        for (today, first, end) in [
            (day(2026, 11, 29), day(2025, 12, 1), day(2026, 12, 1)),
            (day(2026, 12, 1), day(2026, 1, 1), day(2027, 1, 1)),
            (day(2027, 1, 31), day(2026, 2, 1), day(2027, 2, 1)),
            (day(2028, 2, 29), day(2027, 3, 1), day(2028, 3, 1)),
            (day(2027, 5, 1), day(2026, 6, 1), day(2027, 6, 1)),
        ] {
            let period = ReportingPeriod::twelve_months_to(today);
            assert_eq!((period.first_day, period.end_day), (first, end), "{today}");
            assert_eq!(period.months.len(), 12);
            assert_eq!(period.months[0], first.format("%Y-%m").to_string());
            assert_eq!(period.months[11], today.format("%Y-%m").to_string());
        }
        let period = ReportingPeriod::twelve_months_to(day(2028, 2, 29));
        assert_eq!(period.last_day(), day(2028, 2, 29));
        // Thai midnight on 1 March 2027 is 17:00 UTC on 28 February.
        assert_eq!(
            period.starts_at(),
            day(2027, 2, 28).and_hms_opt(17, 0, 0).unwrap()
        );
    }

    #[test]
    fn an_alert_looks_back_on_the_whole_month_before_even_across_a_year() {
        let period = ReportingPeriod::month_before(day(2027, 1, 1));
        assert_eq!(
            (period.first_day, period.end_day),
            (day(2026, 12, 1), day(2027, 1, 1))
        );
        assert_eq!(period.months, ["2026-12"]);
        let period = ReportingPeriod::month_before(day(2028, 3, 31));
        assert_eq!(period.last_day(), day(2028, 2, 29));
    }

    #[test]
    fn figures_match_a_hand_computed_example() {
        // Ten ratings: 1, 2, 3, 3, 4, 4, 4, 5, 5, 5; their effort scores sum to 34.
        let mut h = Histogram::default();
        h.add(1, 1, 2);
        h.add(2, 1, 1);
        h.add(3, 2, 6);
        h.add(4, 3, 12);
        h.add(5, 3, 13);
        let f = Figures::of(&h);
        assert_eq!(f.ratings, 10);
        assert_eq!(f.distribution, [1, 1, 2, 3, 3]);
        assert_eq!(f.csat, Some(60.0)); // 6 of 10 gave 4 or 5
        assert_eq!(f.mean, Some(3.6)); // 36 / 10
        assert_eq!(f.effort, Some(3.4)); // 34 / 10
    }

    #[test]
    fn an_empty_period_has_no_figures_rather_than_zeros() {
        let f = Figures::of(&Histogram::default());
        assert_eq!(f.ratings, 0);
        assert_eq!((f.csat, f.mean, f.effort), (None, None, None));
        assert_eq!(response_rate(0, 0), None);
        assert_eq!(response_rate(3, 12), Some(25.0));
    }

    #[test]
    fn an_officer_below_five_ratings_is_not_shown() {
        assert!(!officer_shown(4));
        assert!(officer_shown(5));
    }

    #[test]
    fn merged_histograms_add_up_and_bands_cover_every_day() {
        let mut a = Histogram::default();
        a.add(5, 2, 9);
        let mut b = Histogram::default();
        b.add(1, 1, 1);
        b.add(7, 1, 1); // not a score: ignored
        a.merge(&b);
        assert_eq!(a.counts, [1, 0, 0, 0, 2]);
        assert_eq!(a.effort_sum, 10);
        assert_eq!(processing_band(0), 0);
        assert_eq!(processing_band(7), 0);
        assert_eq!(processing_band(8), 1);
        assert_eq!(processing_band(30), 2);
        assert_eq!(processing_band(400), 3);
    }
}
