//! The administrator's page of partner agencies' API keys: create one (its secret is shown
//! once and stored only hashed), see who holds which scopes and area, revoke one at once.

use super::context::{redirect, render, render_invalid, Ctx, FieldErrors, NoFields, Posted};
use super::officer::Choice;
use super::routes::{Routes, ADMIN};
use crate::db::{api_keys, geography};
use crate::domain::partner::ApiKey;
use crate::domain::{ApiScope, ConsentPurpose};
use crate::error::AppError;
use crate::services::partner_keys::{self, NewKey};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes(routes: &mut Routes) {
    routes
        .get("/admin/api-keys", ADMIN, list)
        .post("/admin/api-keys", ADMIN, create)
        .post("/admin/api-keys/{id}/revoke", ADMIN, revoke);
}

const DEFAULT_REQUESTS_PER_MINUTE: &str = "600";

pub struct KeyLine {
    pub id: i32,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub purpose: String,
    pub area: String,
    pub requests_per_minute: i32,
    pub created: String,
    pub revoked: Option<String>,
}

pub struct ScopeChoice {
    pub field: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KeyForm {
    name: String,
    purpose: String,
    province_code: String,
    amphoe_code: String,
    requests_per_minute: String,
    /// The scope checkboxes, named `scope_<code>`.
    #[serde(flatten)]
    checked: HashMap<String, String>,
}

fn scope_field(scope: ApiScope) -> String {
    format!("scope_{}", scope.code().replace(':', "_"))
}

#[derive(Template)]
#[template(path = "admin/api_keys.html")]
struct KeysPage {
    ctx: Ctx,
    keys: Vec<KeyLine>,
    form: KeyForm,
    errors: FieldErrors,
    scopes: Vec<ScopeChoice>,
    purposes: Vec<Choice>,
    provinces: Vec<Choice>,
    /// The key just created, shown this once.
    created: Option<String>,
}

async fn page(
    ctx: Ctx,
    form: KeyForm,
    errors: FieldErrors,
    created: Option<String>,
) -> Result<KeysPage, AppError> {
    let tr = ctx.tr;
    let (rows, provinces) = ctx
        .db(move |conn| {
            let rows = api_keys::list(conn)?;
            let mut lines = Vec::with_capacity(rows.len());
            for (row, creator) in rows {
                lines.push(KeyLine {
                    id: row.id,
                    area: super::officer::scope_name(conn, &tr, &row.area())?,
                    scopes: row
                        .scopes()
                        .iter()
                        .map(|s| tr.t(s.label_key()).to_owned())
                        .collect(),
                    purpose: tr.t(row.purpose.label_key()).to_owned(),
                    name: row.name,
                    prefix: row.key_prefix,
                    requests_per_minute: row.requests_per_minute,
                    created: format!("{} · {creator}", tr.day_of(&row.created_at)),
                    revoked: row.revoked_at.map(|at| tr.day_of(&at)),
                });
            }
            Ok((lines, geography::provinces(conn)?))
        })
        .await?;
    let form = KeyForm {
        requests_per_minute: if form.requests_per_minute.is_empty() {
            DEFAULT_REQUESTS_PER_MINUTE.to_owned()
        } else {
            form.requests_per_minute
        },
        ..form
    };
    Ok(KeysPage {
        scopes: ApiScope::ALL
            .iter()
            .map(|s| ScopeChoice {
                field: scope_field(*s),
                label: tr.t(s.label_key()).to_owned(),
                checked: form.checked.contains_key(&scope_field(*s)),
            })
            .collect(),
        purposes: super::officer::choices(
            &tr,
            ConsentPurpose::ALL,
            ConsentPurpose::code,
            ConsentPurpose::label_key,
            &form.purpose,
        ),
        provinces: super::officer::province_choices(&tr, &provinces, &form.province_code),
        keys: rows,
        ctx,
        form,
        errors,
        created,
    })
}

pub async fn list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.admin()?;
    render(&page(ctx, KeyForm::default(), FieldErrors::default(), None).await?)
}

fn parse_key(form: &KeyForm) -> Result<NewKey, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = form.name.trim();
    if name.is_empty() {
        errors.add("name", "error.required");
    }
    let scopes: Vec<ApiScope> = ApiScope::ALL
        .iter()
        .copied()
        .filter(|s| form.checked.contains_key(&scope_field(*s)))
        .collect();
    if scopes.is_empty() {
        errors.add("scopes", "api_keys.error.no_scope");
    }
    let purpose = errors.check("purpose", ConsentPurpose::parse(&form.purpose));
    let province = Some(form.province_code.trim().to_owned()).filter(|c| !c.is_empty());
    let amphoe = Some(form.amphoe_code.trim().to_owned()).filter(|c| !c.is_empty());
    match (&province, &amphoe) {
        (Some(p), Some(a)) if !a.starts_with(p.as_str()) || a.len() != 4 => {
            errors.add("amphoe_code", "admin.error.amphoe_outside_province")
        }
        (None, Some(_)) => errors.add("amphoe_code", "admin.error.amphoe_outside_province"),
        _ => {}
    }
    let requests_per_minute = crate::domain::whole_number(&form.requests_per_minute, 1..=100_000)
        .and_then(|n| i32::try_from(n).ok());
    if requests_per_minute.is_none() {
        errors.add("requests_per_minute", "api_keys.error.rate");
    }
    match (purpose, requests_per_minute) {
        (Some(purpose), Some(requests_per_minute)) if errors.is_empty() => Ok(NewKey {
            name: name.to_owned(),
            scopes,
            purpose,
            province,
            amphoe,
            requests_per_minute,
        }),
        _ => Err(errors),
    }
}

pub async fn create(ctx: Ctx, Posted(form): Posted<KeyForm>) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let actor = ctx.admin()?.actor();
    let new = match parse_key(&form) {
        Ok(new) => new,
        Err(errors) => return render_invalid(&page(ctx, form, errors, None).await?),
    };
    let key = ApiKey::generate();
    let stored = key.clone();
    let created = ctx
        .db(move |conn| Ok(partner_keys::issue(conn, &actor, &new, &stored, now)?))
        .await?;
    if !created {
        let mut errors = FieldErrors::default();
        errors.add("amphoe_code", "admin.error.amphoe_outside_province");
        return render_invalid(&page(ctx, form, errors, None).await?);
    }
    // The only time the whole key is shown: the page is not cached (no-store).
    render(
        &page(
            ctx,
            KeyForm::default(),
            FieldErrors::default(),
            Some(key.reveal().to_owned()),
        )
        .await?,
    )
}

pub async fn revoke(
    ctx: Ctx,
    path: web::Path<i32>,
    Posted(_): Posted<NoFields>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let actor = ctx.admin()?.actor();
    let id = path.into_inner();
    ctx.db(move |conn| Ok(partner_keys::revoke(conn, &actor, id, now)?))
        .await?;
    Ok(redirect("/admin/api-keys"))
}
