//! The officers' outreach list (`/officer/outreach`): households eligible for a programme
//! they must claim and have not, by tambon and village, to print on A4 for a village meeting
//! or download as CSV.

use super::context::{render, render_invalid, Ctx, FieldErrors};
use super::routes::{Routes, STAFF};
use crate::db::geography;
use crate::db::outreach::{Unclaimed, MAX_ROWS};
use crate::error::AppError;
use crate::rules::{evaluate::format_value, Value};
use crate::services::outreach;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(routes: &mut Routes) {
    routes
        .get("/officer/outreach", STAFF, page)
        .get("/officer/outreach.csv", STAFF, csv);
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct OutreachQuery {
    programme: String,
    tambon: String,
}

pub struct Household {
    pub village: i32,
    pub house_no: String,
    pub registry_number: String,
    pub head: String,
    pub phone: String,
    pub programme: String,
    pub amount: String,
    pub household_id: i32,
}

/// The households of one tambon.
pub struct Tambon {
    pub name: String,
    pub households: Vec<Household>,
}

#[derive(Template)]
#[template(path = "officer/outreach.html")]
struct OutreachPage {
    ctx: Ctx,
    query: OutreachQuery,
    programmes: Vec<(String, String)>,
    tambons: Vec<Tambon>,
    total: usize,
    more: bool,
    max_rows: i64,
    errors: FieldErrors,
    /// The filters as a query string, for the CSV link.
    filters: String,
}

/// The list for the query, with the tambon names; or the field refused.
async fn load(
    ctx: &Ctx,
    query: &OutreachQuery,
) -> Result<Result<(Vec<Tambon>, bool), FieldErrors>, AppError> {
    let user = ctx.staff()?.clone();
    let mut errors = FieldErrors::default();
    let tambon = query.tambon.trim().to_owned();
    let a_tambon_code = tambon.len() == 6 && tambon.bytes().all(|b| b.is_ascii_digit());
    if !tambon.is_empty() && !a_tambon_code {
        errors.add("tambon", "error.outreach.tambon");
    }
    let programme = query.programme.trim().to_owned();
    if !programme.is_empty() && ctx.state.rules.programme(&programme).is_none() {
        errors.add("programme", "error.choice");
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let (rules, now, tr) = (ctx.state.rules.clone(), ctx.state.clock.now(), ctx.tr);
    let (rows, names, more) = ctx
        .db(move |conn| {
            let (rows, more) = outreach::list(
                conn,
                &rules,
                &user.actor(),
                &user.scope,
                Some(programme.as_str()).filter(|p| !p.is_empty()),
                Some(tambon.as_str()).filter(|t| !t.is_empty()),
                now,
            )?;
            let mut names = Vec::new();
            let mut codes: Vec<&String> = rows.iter().map(|r| &r.tambon_code).collect();
            codes.dedup();
            for code in codes {
                let address = geography::address(conn, code)?;
                names.push((
                    code.clone(),
                    format!(
                        "{} · {}",
                        address.tambon.name(tr.locale),
                        address.amphoe.name(tr.locale)
                    ),
                ));
            }
            Ok((rows, names, more))
        })
        .await?;
    let rules = &ctx.state.rules;
    let mut tambons: Vec<Tambon> = Vec::new();
    for row in rows {
        let name = names
            .iter()
            .find(|(code, _)| *code == row.tambon_code)
            .map_or_else(|| row.tambon_code.clone(), |(_, n)| n.clone());
        if tambons.last().is_none_or(|t| t.name != name) {
            tambons.push(Tambon {
                name,
                households: Vec::new(),
            });
        }
        if let Some(group) = tambons.last_mut() {
            group.households.push(household(rules, &tr, row));
        }
    }
    Ok(Ok((tambons, more)))
}

fn household(rules: &crate::rules::RuleSet, tr: &crate::i18n::Tr, row: Unclaimed) -> Household {
    Household {
        village: row.village_no,
        house_no: row.house_no,
        registry_number: row.registry_number,
        head: row.head_name,
        phone: row.head_phone.unwrap_or_default(),
        programme: rules.title(&row.programme_id, tr.locale).to_owned(),
        amount: row
            .amount_satang
            .map(|s| format_value(Value::Money(s), tr))
            .unwrap_or_default(),
        household_id: row.household_id,
    }
}

pub async fn page(ctx: Ctx, query: web::Query<OutreachQuery>) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let loaded = load(&ctx, &query).await?;
    let tr = ctx.tr;
    let programmes = ctx
        .state
        .rules
        .programmes
        .iter()
        .filter(|p| p.delivery.mode.farmer_starts_a_case())
        .map(|p| (p.id.clone(), p.title.get(tr.locale).to_owned()))
        .collect();
    let filters = format!(
        "programme={}&tambon={}",
        query.programme.replace(['&', '=', '#', '?'], ""),
        query.tambon.replace(['&', '=', '#', '?'], "")
    );
    let (tambons, more, errors) = match loaded {
        Ok((tambons, more)) => (tambons, more, FieldErrors::default()),
        Err(errors) => (Vec::new(), false, errors),
    };
    let page = OutreachPage {
        ctx,
        query,
        programmes,
        total: tambons.iter().map(|t| t.households.len()).sum(),
        tambons,
        more,
        max_rows: MAX_ROWS,
        filters,
        errors,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_invalid(&page)
    }
}

/// The same list as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Thai).
pub async fn csv(ctx: Ctx, query: web::Query<OutreachQuery>) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let Ok((tambons, _)) = load(&ctx, &query).await? else {
        // A refused filter is shown on the page, with its error.
        return page(ctx, web::Query(query)).await;
    };
    let tr = ctx.tr;
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let header = [
        "tambon",
        "village",
        "house_no",
        "registry_number",
        "head",
        "phone",
        "programme",
        "amount",
    ]
    .map(|column| tr.t(&format!("outreach.csv.{column}")).to_owned());
    out.write_record(&header).map_err(anyhow::Error::from)?;
    for tambon in &tambons {
        for h in &tambon.households {
            out.write_record([
                tambon.name.as_str(),
                &h.village.to_string(),
                &h.house_no,
                &h.registry_number,
                &h.head,
                &h.phone,
                &h.programme,
                &h.amount,
            ])
            .map_err(anyhow::Error::from)?;
        }
    }
    let body = out
        .into_inner()
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"outreach.csv\"",
        ))
        .body(body))
}
