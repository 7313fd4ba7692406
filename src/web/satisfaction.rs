//! The managers' satisfaction dashboard for their scope: the figures of the last 12 months
//! overall and by programme, province, amphoe office and officer, the monthly trend, and
//! satisfaction against processing time and missed deadlines. Charts as SVG with the numbers in
//! tables beside them; `?format=csv` and `?format=json` export every table shown.

use super::charts;
use super::context::{render, Ctx};
use crate::db::ratings::{self, Grouping};
use crate::db::{geography, users, DbConn};
use crate::domain::comments::{analyse, Analysis};
use crate::domain::satisfaction::{
    officer_shown, response_rate, Figures, Histogram, ReportingPeriod, PROCESSING_BANDS,
};
use crate::domain::AreaScope;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::rules::RuleSet;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
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

/// A table of the dashboard, with its chart.
#[derive(Serialize, Clone, Debug)]
pub struct Table {
    pub id: &'static str,
    #[serde(skip)]
    pub title_key: &'static str,
    pub lines: Vec<Line>,
    #[serde(skip)]
    pub chart: String,
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

#[derive(Template)]
#[template(path = "manager/satisfaction.html")]
struct DashboardPage {
    ctx: Ctx,
    overall: Overall,
    analysis: Analysis,
    /// Each score's words, and how many gave it.
    distribution: Vec<(String, f64, String)>,
    distribution_chart: String,
    tables: Vec<Table>,
    themes: Vec<ThemeLine>,
    comments: Vec<(String, i32, String)>,
    /// "Was this page useful?": per page, yes and no.
    pages: Vec<(String, i64, i64)>,
}

/// A theme of the comments as the dashboard and the exports show it.
#[derive(Serialize, Clone, Debug)]
pub struct ThemeLine {
    pub id: String,
    pub label: String,
    pub comments: usize,
    pub negative: usize,
    pub examples: Vec<String>,
}

fn theme_table(analysis: &Analysis, tr: Tr) -> Vec<ThemeLine> {
    analysis
        .themes
        .iter()
        .map(|t| ThemeLine {
            id: t.id.clone(),
            label: tr.locale.pick(&t.th, &t.en).clone(),
            comments: t.comments,
            negative: t.negative,
            examples: t.examples.clone(),
        })
        .collect()
}

impl DashboardPage {
    fn percent(value: &Option<f64>) -> String {
        value.map_or("—".to_owned(), |v| format!("{v:.1}%"))
    }

    fn decimal(value: &Option<f64>) -> String {
        value.map_or("—".to_owned(), |v| format!("{v:.2}"))
    }
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    format: String,
}

pub async fn dashboard(
    ctx: Ctx,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    let manager = ctx.manager()?.clone();
    let today = ctx.state.clock.today();
    let tr = ctx.tr;
    let rules = ctx.state.rules.clone();
    let scope = manager.scope.clone();
    let (overall, tables, comments, pages) = ctx
        .db(move |conn| build(conn, &rules, tr, &scope, today))
        .await?;
    let texts: Vec<String> = comments.iter().map(|(text, _, _)| text.clone()).collect();
    let analysis = analyse(&ctx.state.lexicon, &texts);
    let themes = theme_table(&analysis, tr);
    match query.format.as_str() {
        "csv" => Ok(csv_export(&overall, &tables, &themes)),
        "json" => Ok(HttpResponse::Ok()
            .content_type("application/json; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"satisfaction.json\"",
            ))
            .json(serde_json::json!({
                "overall": overall,
                "tables": tables,
                "comments": {
                    "analysed": analysis.comments,
                    "positive": analysis.positive,
                    "neutral": analysis.neutral,
                    "negative": analysis.negative,
                    "top_terms": analysis.top_terms,
                    "themes": themes,
                },
                "pages": pages,
            }))),
        _ => {
            let distribution: Vec<(String, f64, String)> = (1..=5)
                .map(|score| {
                    let n = overall.distribution[score - 1];
                    let label = format!(
                        "{score} · {}",
                        tr.t(&format!("rating.satisfaction.{score}"))
                    );
                    (label, n as f64, n.to_string())
                })
                .collect();
            let max = overall.distribution.iter().copied().max().unwrap_or(0) as f64;
            render(&DashboardPage {
                ctx,
                distribution_chart: charts::bars(&distribution, max),
                distribution,
                overall,
                analysis,
                themes,
                tables,
                comments,
                pages,
            })
        }
    }
}

type Built = (
    Overall,
    Vec<Table>,
    Vec<(String, i32, String)>,
    Vec<(String, i64, i64)>,
);

/// The newest comments of the period that are read for themes and sentiment (enough to show
/// what farmers say now; the page stays fast however many ratings there are).
const COMMENTS_ANALYSED: i64 = 2000;

/// Every figure of the dashboard, from one grouped count per table.
fn build(
    conn: &mut DbConn,
    rules: &RuleSet,
    tr: Tr,
    scope: &AreaScope,
    today: NaiveDate,
) -> Result<Built, AppError> {
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
    let csat_bars = |lines: &[Line]| {
        let items: Vec<(String, f64, String)> = lines
            .iter()
            .filter(|l| !l.hidden)
            .map(|l| (l.label.clone(), l.csat.unwrap_or(0.0), l.csat_text()))
            .collect();
        charts::bars(&items, 100.0)
    };
    let trend_chart = charts::line(
        &trend
            .iter()
            .map(|l| (l.group[5..].to_owned(), l.csat))
            .collect::<Vec<_>>(),
        100.0,
    );
    let table = |id, title_key, lines: Vec<Line>, chart| Table {
        id,
        title_key,
        lines,
        chart,
    };
    let tables = vec![
        table("trend", "satisfaction.trend", trend, trend_chart),
        table(
            "programme",
            "satisfaction.by_programme",
            programme_lines.clone(),
            csat_bars(&programme_lines),
        ),
        table(
            "province",
            "satisfaction.by_province",
            lines(&by_province, &place),
            String::new(),
        ),
        table(
            "amphoe",
            "satisfaction.by_amphoe",
            lines(&by_amphoe, &place),
            String::new(),
        ),
        table(
            "officer",
            "satisfaction.by_officer",
            officer_lines,
            String::new(),
        ),
        table(
            "processing_time",
            "satisfaction.by_processing_time",
            band_lines.clone(),
            csat_bars(&band_lines),
        ),
        table(
            "missed_deadline",
            "satisfaction.by_missed_deadline",
            missed_lines.clone(),
            csat_bars(&missed_lines),
        ),
    ];
    Ok((overall, tables, comments, pages))
}

/// Every table as CSV rows: UTF-8 with a byte-order mark, so Excel shows Thai correctly.
fn csv_export(overall: &Overall, tables: &[Table], themes: &[ThemeLine]) -> HttpResponse {
    let mut out = String::from("\u{feff}table,group,label,ratings,csat_percent,mean,effort\n");
    let number = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.2}"));
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    out.push_str(&format!(
        "overall,,,{},{},{},{}\n",
        overall.ratings,
        number(overall.csat),
        number(overall.mean),
        number(overall.effort)
    ));
    for table in tables {
        for line in &table.lines {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                table.id,
                quote(&line.group),
                quote(&line.label),
                if line.hidden {
                    String::new()
                } else {
                    line.ratings.to_string()
                },
                number(line.csat),
                number(line.mean),
                number(line.effort)
            ));
        }
    }
    for theme in themes {
        // Themes count comments, not ratings: the figures columns hold the comment counts.
        out.push_str(&format!(
            "themes,{},{},{},,,\n",
            quote(&theme.id),
            quote(&theme.label),
            theme.comments
        ));
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"satisfaction.csv\"",
        ))
        .body(out)
}
