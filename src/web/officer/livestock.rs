//! An officer corrects a household's head counts of livestock.

use super::{change_registry, household_in_scope};
use crate::db::registry::{self};
use crate::domain::{Invalid, Species};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::services::registry_edits::Edit;
use crate::web::context::{redirect, render, render_invalid, Ctx, FieldErrors, Posted};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

// ---------------------------------------------------------------- livestock

/// A head count per species, keyed by the species code.
#[derive(Deserialize, Default)]
#[serde(transparent)]
pub struct LivestockForm(std::collections::HashMap<String, String>);

pub struct LivestockField {
    pub code: &'static str,
    pub label: String,
    pub value: String,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "officer/livestock_form.html")]
struct LivestockPage {
    ctx: Ctx,
    household_id: i32,
    fields: Vec<LivestockField>,
    errors: FieldErrors,
}

const MAX_HEAD: i32 = 1_000_000;

fn parse_head_count(text: &str) -> Result<i32, Invalid> {
    match text.trim() {
        "" => Ok(0),
        text => crate::domain::whole_number(text, 0..=i64::from(MAX_HEAD))
            .and_then(|n| i32::try_from(n).ok())
            .ok_or(Invalid::new("error.head_count")),
    }
}

fn livestock_fields(
    tr: &Tr,
    values: impl Fn(Species) -> String,
    errors: &FieldErrors,
) -> Vec<LivestockField> {
    Species::ALL
        .iter()
        .map(|s| LivestockField {
            code: s.code(),
            label: tr.t(s.label_key()).to_owned(),
            value: values(*s),
            error: errors.get(s.code()),
        })
        .collect()
}

pub async fn livestock_form(ctx: Ctx, path: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let user = ctx.officer()?.clone();
    let household = household_in_scope(&ctx, &user, path.into_inner()).await?;
    let id = household.id;
    let farm = ctx
        .db(move |conn| Ok(registry::load_farm(conn, id)?))
        .await?;
    let errors = FieldErrors::default();
    let fields = livestock_fields(
        &ctx.tr,
        |s| {
            farm.livestock
                .iter()
                .find(|l| l.species == s)
                .map_or_else(|| "0".to_owned(), |l| l.head_count.to_string())
        },
        &errors,
    );
    render(&LivestockPage {
        ctx,
        household_id: id,
        fields,
        errors,
    })
}

pub async fn update_livestock(
    ctx: Ctx,
    path: web::Path<i32>,
    Posted(form): Posted<LivestockForm>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.officer()?.clone();
    let household = household_in_scope(&ctx, &user, path.into_inner()).await?;
    let mut errors = FieldErrors::default();
    let counts: Vec<(Species, i32)> = Species::ALL
        .iter()
        .filter_map(|s| {
            let text = form.0.get(s.code()).map(String::as_str).unwrap_or("");
            errors
                .check(s.code(), parse_head_count(text))
                .map(|n| (*s, n))
        })
        .collect();
    if !errors.is_empty() {
        let fields = livestock_fields(
            &ctx.tr,
            |s| form.0.get(s.code()).cloned().unwrap_or_default(),
            &errors,
        );
        return render_invalid(&LivestockPage {
            ctx,
            household_id: household.id,
            fields,
            errors,
        });
    }
    let id = household.id;
    change_registry(&ctx, &user, id, Edit::SetLivestock(counts)).await?;
    Ok(redirect(&format!("/officer/households/{id}")))
}
