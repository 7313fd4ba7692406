//! The managers' satisfaction dashboard for their scope: the figures of the last 12 months
//! overall and by programme, province, amphoe office and officer, the monthly trend, and
//! satisfaction against processing time and missed deadlines. Charts as SVG with the numbers in
//! tables beside them; `?format=csv` and `?format=json` export every table shown.

use super::charts;
use super::context::{render, Ctx};
use crate::domain::comments::{analyse, Analysis};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::services::dashboard::{build, Chart, Overall, Table};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

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
    /// The table's chart, drawn from its figures.
    fn chart_of(&self, table: &Table) -> String {
        match table.chart {
            Chart::None => String::new(),
            Chart::Trend => charts::line(
                &table
                    .lines
                    .iter()
                    .map(|l| (l.group[5..].to_owned(), l.csat))
                    .collect::<Vec<_>>(),
                100.0,
            ),
            Chart::CsatBars => {
                let items: Vec<(String, f64, String)> = table
                    .lines
                    .iter()
                    .filter(|l| !l.hidden)
                    .map(|l| (l.label.clone(), l.csat.unwrap_or(0.0), l.csat_text()))
                    .collect();
                charts::bars(&items, 100.0)
            }
        }
    }

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
        .db(move |conn| Ok(build(conn, &rules, tr, &scope, today)?))
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
