//! Every satisfaction figure Kaset shows, computed in one place from score histograms (the
//! database counts ratings per score and group; everything else is worked out here).

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

#[cfg(test)]
mod tests {
    use super::*;

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
