//! The figures of the managers' satisfaction dashboard for their scope: the last 12 months
//! overall and by programme, province, amphoe office and officer, the monthly trend, and
//! satisfaction against processing time and missed deadlines. Drawn as charts by `web`.

use crate::db::ratings::{self, Grouping};
use crate::db::{geography, users, DbConn};
use crate::domain::satisfaction::{
    officer_shown, response_rate, Figures, Histogram, ReportingPeriod, PROCESSING_BANDS,
};
use crate::domain::AreaScope;
use crate::i18n::Tr;
use crate::rules::RuleSet;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// One line of a table: a group and its figures (`None` figures when hidden or empty).
#[derive(Serialize, Clone, Debug)]
pub struct Line {
    pub group: String,
    pub label: String,
    pub ratings: i64,
    /// Hidden: an officer with fewer than 5 ratings.
    pub hidden: bool,
    pub csat: Option<f64>,
    pub mean: Option<f64>,
    pub effort: Option<f64>,
}

impl Line {
    fn new(group: String, label: String, h: &Histogram, hidden: bool) -> Self {
        let f = Figures::of(h);
        let (csat, mean, effort) = if hidden {
            (None, None, None)
        } else {
            (f.csat, f.mean, f.effort)
        };
        Line {
            group,
            label,
            ratings: if hidden { 0 } else { f.ratings },
            hidden,
            csat,
            mean,
            effort,
        }
    }

    pub fn csat_text(&self) -> String {
        self.csat.map_or("—".to_owned(), |v| format!("{v:.1}%"))
    }

    pub fn mean_text(&self) -> String {
        self.mean.map_or("—".to_owned(), |v| format!("{v:.2}"))
    }

    pub fn effort_text(&self) -> String {
        self.effort.map_or("—".to_owned(), |v| format!("{v:.2}"))
    }
}

/// A table of the dashboard, and how it is drawn.
#[derive(Serialize, Clone, Debug)]
pub struct Table {
    pub id: &'static str,
    #[serde(skip)]
    pub title_key: &'static str,
    pub lines: Vec<Line>,
    #[serde(skip)]
    pub chart: Chart,
}

/// How a table is drawn beside its numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    None,
    /// Satisfaction month by month.
    Trend,
    /// Satisfaction per line, as bars.
    CsatBars,
}

#[derive(Serialize, Debug)]
pub struct Overall {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub ratings: i64,
    pub csat: Option<f64>,
    pub mean: Option<f64>,
    pub effort: Option<f64>,
    pub response_rate: Option<f64>,
    pub ended_cases: i64,
    pub distribution: [i64; 5],
}

/// The overall figures, the tables, the newest comments (text, score, programme) and the
/// pages' "was this useful" counts (path, yes, no).
pub type Built = (
    Overall,
    Vec<Table>,
    Vec<(String, i32, String)>,
    Vec<(String, i64, i64)>,
);

/// The newest comments of the period that are read for themes and sentiment (enough to show
/// what farmers say now; the page stays fast however many ratings there are).
const COMMENTS_ANALYSED: i64 = 2000;

/// Every figure of the dashboard, from one grouped count per table.
pub fn build(
    conn: &mut DbConn,
    rules: &RuleSet,
    tr: Tr,
    scope: &AreaScope,
    today: NaiveDate,
) -> diesel::QueryResult<Built> {
    let period = ReportingPeriod::twelve_months_to(today);
    let (from, to) = (period.starts_at(), period.ends_at());
    let mut grouped = |g| ratings::histograms(conn, scope, &period, g);
    let overall_h = grouped(Grouping::Overall)?.remove("").unwrap_or_default();
    let by_programme = grouped(Grouping::Programme)?;
    let by_province = grouped(Grouping::Province)?;
    let by_amphoe = grouped(Grouping::Amphoe)?;
    let by_officer = grouped(Grouping::Officer)?;
    let by_month = grouped(Grouping::Month)?;
    let by_band = grouped(Grouping::ProcessingBand)?;
    let by_missed = grouped(Grouping::MissedDeadline)?;
    let ended = ratings::ended_cases(conn, scope, from, to)?;
    let places: Vec<String> = by_province
        .keys()
        .chain(by_amphoe.keys())
        .cloned()
        .collect();
    let names = geography::names(conn, &places)?;
    let officer_ids: Vec<i32> = by_officer.keys().filter_map(|k| k.parse().ok()).collect();
    let officers = users::names(conn, &officer_ids)?;
    let comments = ratings::comments(conn, scope, from, to, COMMENTS_ANALYSED)?;
    let pages = ratings::page_answers(conn, from, to)?;

    let f = Figures::of(&overall_h);
    let overall = Overall {
        from: period.first_day,
        to: period.last_day(),
        ratings: f.ratings,
        csat: f.csat,
        mean: f.mean,
        effort: f.effort,
        response_rate: response_rate(f.ratings, ended),
        ended_cases: ended,
        distribution: f.distribution,
    };
    let place = |code: &String| {
        names
            .get(code)
            .map_or(code.clone(), |p| p.name(tr.locale).to_owned())
    };
    let lines = |groups: &BTreeMap<String, Histogram>, label: &dyn Fn(&String) -> String| {
        groups
            .iter()
            .map(|(k, h)| Line::new(k.clone(), label(k), h, false))
            .collect::<Vec<_>>()
    };
    let programme_lines = lines(&by_programme, &|id| rules.title(id, tr.locale).to_owned());
    let officer_lines: Vec<Line> = by_officer
        .iter()
        .map(|(k, h)| {
            let name = k
                .parse::<i32>()
                .ok()
                .and_then(|id| officers.get(&id).cloned())
                .unwrap_or_else(|| tr.t("satisfaction.no_officer").to_owned());
            Line::new(k.clone(), name, h, !officer_shown(h.ratings()))
        })
        .collect();
    let trend: Vec<Line> = period
        .months
        .iter()
        .map(|m| {
            let h = by_month.get(m).copied().unwrap_or_default();
            Line::new(m.clone(), m.clone(), &h, false)
        })
        .collect();
    let band_lines: Vec<Line> = PROCESSING_BANDS
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let h = by_band.get(&i.to_string()).copied().unwrap_or_default();
            let label = tr.t(&format!("satisfaction.band.{i}")).to_owned();
            Line::new(i.to_string(), label, &h, false)
        })
        .collect();
    let missed_lines: Vec<Line> = ["no", "yes"]
        .iter()
        .map(|k| {
            let h = by_missed.get(*k).copied().unwrap_or_default();
            let label = tr.t(&format!("satisfaction.missed.{k}")).to_owned();
            Line::new((*k).to_owned(), label, &h, false)
        })
        .collect();
    let table = |id, title_key, lines: Vec<Line>, chart| Table {
        id,
        title_key,
        lines,
        chart,
    };
    let tables = vec![
        table("trend", "satisfaction.trend", trend, Chart::Trend),
        table(
            "programme",
            "satisfaction.by_programme",
            programme_lines,
            Chart::CsatBars,
        ),
        table(
            "province",
            "satisfaction.by_province",
            lines(&by_province, &place),
            Chart::None,
        ),
        table(
            "amphoe",
            "satisfaction.by_amphoe",
            lines(&by_amphoe, &place),
            Chart::None,
        ),
        table(
            "officer",
            "satisfaction.by_officer",
            officer_lines,
            Chart::None,
        ),
        table(
            "processing_time",
            "satisfaction.by_processing_time",
            band_lines,
            Chart::CsatBars,
        ),
        table(
            "missed_deadline",
            "satisfaction.by_missed_deadline",
            missed_lines,
            Chart::CsatBars,
        ),
    ];
    Ok((overall, tables, comments, pages))
}
