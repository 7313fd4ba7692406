//! Open data (`/open-data`): the anonymised datasets, each as CSV (UTF-8 with a byte-order mark,
//! so Excel shows Thai) and JSON with its metadata in the style of the government open-data
//! portal (CKAN), a DCAT catalogue of them all, and a page for people.

use super::context::{render, Ctx};
use super::routes::{Access, Routes};
use crate::db::{geography, open_data};
use crate::error::AppError;
use crate::i18n::{Locale, Tr};
use crate::rules::RuleSet;
use crate::services::open_data::{CASE_ACTIVITY, ENTITLEMENT_UPTAKE};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub fn routes(routes: &mut Routes) {
    routes
        .get("/open-data", Access::Public, index)
        .get("/open-data/catalog.json", Access::Public, catalog)
        .get("/open-data/{file}", Access::Public, download);
}

pub const LICENSE_ID: &str = "CC-BY-4.0";
pub const LICENSE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Integer,
}

impl FieldType {
    fn code(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Integer => "integer",
        }
    }
}

pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
}

const fn text(name: &'static str) -> Field {
    Field {
        name,
        ty: FieldType::Text,
    }
}

const fn number(name: &'static str) -> Field {
    Field {
        name,
        ty: FieldType::Integer,
    }
}

/// A published dataset: its rows come from `services::open_data`; titles, descriptions and field
/// meanings from the catalogue (`open_data.<id>.*`, `open_data.field.<name>`).
pub struct Dataset {
    pub id: &'static str,
    pub fields: &'static [Field],
}

pub const DATASETS: [Dataset; 2] = [
    Dataset {
        id: CASE_ACTIVITY,
        fields: &[
            text("month"),
            text("programme_id"),
            text("programme_title_th"),
            text("programme_title_en"),
            text("province_code"),
            text("province_name_th"),
            text("province_name_en"),
            number("applications"),
            number("approvals"),
            number("amount_paid_baht"),
            number("ratings"),
            number("satisfied_percent"),
        ],
    },
    Dataset {
        id: ENTITLEMENT_UPTAKE,
        fields: &[
            text("programme_id"),
            text("programme_title_th"),
            text("programme_title_en"),
            text("province_code"),
            text("province_name_th"),
            text("province_name_en"),
            number("eligible_households"),
            number("applied_households"),
            number("uptake_percent"),
        ],
    },
];

impl Dataset {
    fn key(&self, what: &str) -> String {
        format!("open_data.{}.{what}", self.id.replace('-', "_"))
    }
}

fn find(id: &str) -> Option<&'static Dataset> {
    DATASETS.iter().find(|d| d.id == id)
}

/// A dataset's published rows with the programme titles and province names filled in.
struct Published {
    generated_at: Option<NaiveDateTime>,
    rows: Vec<Map<String, Value>>,
}

async fn published(ctx: &Ctx, dataset: &'static Dataset) -> Result<Published, AppError> {
    let now = ctx.state.clock.now();
    let (stored, provinces) = ctx
        .db(move |conn| {
            let mut stored = open_data::published(conn, dataset.id)?;
            if stored.is_none() {
                // A fresh database: publish now rather than show nothing until the job runs.
                crate::services::open_data::refresh(conn, now)?;
                stored = open_data::published(conn, dataset.id)?;
            }
            Ok((stored, geography::provinces(conn)?))
        })
        .await?;
    let names: HashMap<String, (String, String)> = provinces
        .into_iter()
        .map(|p| (p.code, (p.name_th, p.name_en)))
        .collect();
    let rules = &ctx.state.rules;
    let (generated_at, rows) = match stored {
        Some((at, json)) => {
            let rows: Vec<Map<String, Value>> =
                serde_json::from_str(&json).map_err(|e| AppError::Internal(e.into()))?;
            (Some(at), rows)
        }
        None => (None, Vec::new()),
    };
    let rows = rows
        .into_iter()
        .map(|mut row| {
            enrich(&mut row, rules, &names);
            row
        })
        .collect();
    Ok(Published { generated_at, rows })
}

fn enrich(
    row: &mut Map<String, Value>,
    rules: &RuleSet,
    names: &HashMap<String, (String, String)>,
) {
    let programme = row
        .get("programme_id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let province = row
        .get("province_code")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    row.insert(
        "programme_title_th".into(),
        rules.title(&programme, Locale::Th).into(),
    );
    row.insert(
        "programme_title_en".into(),
        rules.title(&programme, Locale::En).into(),
    );
    let (th, en) = names.get(&province).cloned().unwrap_or_default();
    row.insert("province_name_th".into(), th.into());
    row.insert("province_name_en".into(), en.into());
}

/// The dataset's metadata in the CKAN style of the government open-data portal, with the
/// meaning of every field (DataStore data dictionary).
fn metadata(dataset: &Dataset, base: &str, generated_at: Option<NaiveDateTime>) -> Value {
    let th = Tr::new(Locale::Th);
    let en = Tr::new(Locale::En);
    let both = |key: &str| json!({"th": th.t(key), "en": en.t(key)});
    json!({
        "name": dataset.id,
        "title": both(&dataset.key("title")),
        "notes": both(&dataset.key("description")),
        "license_id": LICENSE_ID,
        "license_title": "Creative Commons Attribution 4.0 International",
        "license_url": LICENSE_URL,
        "organization": both("open_data.publisher"),
        "update_frequency": "daily",
        "metadata_modified": generated_at,
        "suppression": both("open_data.suppression"),
        "fields": dataset.fields.iter().map(|f| json!({
            "id": f.name,
            "type": f.ty.code(),
            "info": {
                "notes_th": th.t(&format!("open_data.field.{}", f.name)),
                "notes_en": en.t(&format!("open_data.field.{}", f.name)),
            },
        })).collect::<Vec<_>>(),
        "resources": [
            {"name": format!("{}.csv", dataset.id), "format": "CSV", "mimetype": "text/csv", "url": format!("{base}/open-data/{}.csv", dataset.id)},
            {"name": format!("{}.json", dataset.id), "format": "JSON", "mimetype": "application/json", "url": format!("{base}/open-data/{}.json", dataset.id)},
        ],
    })
}

pub struct DatasetView {
    pub id: &'static str,
    pub title: String,
    pub description: String,
    pub updated: String,
    pub rows: usize,
    pub fields: Vec<(&'static str, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "open_data.html")]
struct OpenDataPage {
    ctx: Ctx,
    datasets: Vec<DatasetView>,
    license_url: &'static str,
}

pub async fn index(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let tr = ctx.tr;
    let mut datasets = Vec::new();
    for dataset in &DATASETS {
        let published = published(&ctx, dataset).await?;
        datasets.push(DatasetView {
            id: dataset.id,
            title: tr.t(&dataset.key("title")).to_owned(),
            description: tr.t(&dataset.key("description")).to_owned(),
            updated: published
                .generated_at
                .map(|at| tr.day_of(&at))
                .unwrap_or_default(),
            rows: published.rows.len(),
            fields: dataset
                .fields
                .iter()
                .map(|f| {
                    (
                        f.name,
                        f.ty.code(),
                        tr.t(&format!("open_data.field.{}", f.name)).to_owned(),
                    )
                })
                .collect(),
        });
    }
    render(&OpenDataPage {
        ctx,
        datasets,
        license_url: LICENSE_URL,
    })
}

pub async fn download(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let file = path.into_inner();
    let (id, format) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let dataset = find(id).ok_or(AppError::NotFound)?;
    let published = published(&ctx, dataset).await?;
    let response = match format {
        "csv" => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(csv(dataset, &published.rows)?),
        "json" => HttpResponse::Ok().json(json!({
            "metadata": metadata(dataset, &ctx.state.public_url, published.generated_at),
            "rows": published.rows.iter().map(|row| {
                dataset.fields.iter().map(|f| (f.name.to_owned(), row.get(f.name).cloned().unwrap_or(Value::Null))).collect::<Map<_, _>>()
            }).collect::<Vec<_>>(),
        })),
        _ => return Err(AppError::NotFound),
    };
    Ok(with_file_headers(response, &file))
}

fn with_file_headers(mut response: HttpResponse, file: &str) -> HttpResponse {
    let headers = response.headers_mut();
    if let Ok(value) = header::HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

/// UTF-8 with a byte-order mark; a withheld figure is an empty cell.
fn csv(dataset: &Dataset, rows: &[Map<String, Value>]) -> Result<Vec<u8>, AppError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let fail = |e: csv::Error| AppError::Internal(e.into());
        writer
            .write_record(dataset.fields.iter().map(|f| f.name))
            .map_err(fail)?;
        for row in rows {
            writer
                .write_record(dataset.fields.iter().map(|f| match row.get(f.name) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => String::new(),
                }))
                .map_err(fail)?;
        }
        writer.flush().map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(out)
}

/// Every dataset in a DCAT catalogue (JSON-LD), for harvesting by the national portal.
pub async fn catalog(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let base = ctx.state.public_url.clone();
    let th = Tr::new(Locale::Th);
    let en = Tr::new(Locale::En);
    let both = |key: &str| json!([{"@language": "th", "@value": th.t(key)}, {"@language": "en", "@value": en.t(key)}]);
    let mut datasets = Vec::new();
    for dataset in &DATASETS {
        let published = published(&ctx, dataset).await?;
        datasets.push(json!({
            "@type": "dcat:Dataset",
            "dct:identifier": dataset.id,
            "dct:title": both(&dataset.key("title")),
            "dct:description": both(&dataset.key("description")),
            "dct:license": LICENSE_URL,
            "dct:publisher": {"@type": "foaf:Organization", "foaf:name": both("open_data.publisher")},
            "dct:accrualPeriodicity": "http://purl.org/cld/freq/daily",
            "dct:modified": published.generated_at,
            "dcat:landingPage": format!("{base}/open-data#{}", dataset.id),
            "dcat:distribution": [
                {"@type": "dcat:Distribution", "dct:format": "CSV", "dcat:mediaType": "text/csv", "dcat:downloadURL": format!("{base}/open-data/{}.csv", dataset.id)},
                {"@type": "dcat:Distribution", "dct:format": "JSON", "dcat:mediaType": "application/json", "dcat:downloadURL": format!("{base}/open-data/{}.json", dataset.id)},
            ],
        }));
    }
    Ok(HttpResponse::Ok().json(json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@type": "dcat:Catalog",
        "dct:title": both("open_data.title"),
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": both("open_data.publisher")},
        "dcat:dataset": datasets,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dataset_and_field_is_described_in_both_languages() {
        for locale in Locale::ALL {
            let tr = Tr::new(locale);
            for dataset in &DATASETS {
                for key in [dataset.key("title"), dataset.key("description")] {
                    assert!(tr.has(&key), "{key}");
                }
                for field in dataset.fields {
                    assert!(
                        tr.has(&format!("open_data.field.{}", field.name)),
                        "{}",
                        field.name
                    );
                }
            }
        }
    }
}
