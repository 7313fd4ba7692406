//! The extension officer's registry work: find households of their area, open one, and keep its
//! plots, crops and livestock right. Every change is audited with the old and new value; every
//! look at a household's personal data is audited too.

mod claims;
mod livestock;
mod plantings;
mod plots;

use super::context::{
    redirect, render, render_invalid, Ctx, CurrentUser, FieldErrors, Posted, Typed,
};
use super::farm::{farm_view, FarmView};
use super::routes::{Routes, OFFICER, STAFF};
use crate::db::registry::{self, HouseholdRow};
use crate::db::{audit, geography, DbConn};
use crate::domain::clock::thai_time;
use crate::domain::search::HouseholdSearch;
use crate::domain::{NationalId, Role};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::services::explained::{self, Entitlements};
use crate::services::personal_data;
use crate::services::registry_edits::{self, Edit, Editing};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(routes: &mut Routes) {
    const HOUSEHOLD: &str = "/officer/households/{household}";
    const PLOT: &str = "/officer/households/{household}/plots/{plot}";
    routes
        .get("/officer/households", STAFF, search)
        .get(HOUSEHOLD, STAFF, household)
        .post(&format!("{HOUSEHOLD}/enrol"), OFFICER, enrol)
        .get(
            &format!("{HOUSEHOLD}/claims/{{id}}"),
            OFFICER,
            claims::claim,
        )
        .post(
            &format!("{HOUSEHOLD}/claims/{{id}}"),
            OFFICER,
            claims::record,
        )
        .get(&format!("{HOUSEHOLD}/plots/new"), OFFICER, plots::new_plot)
        .post(&format!("{HOUSEHOLD}/plots"), OFFICER, plots::create_plot)
        .get(&format!("{PLOT}/edit"), OFFICER, plots::edit_plot)
        .post(PLOT, OFFICER, plots::update_plot)
        .get(
            &format!("{PLOT}/plantings/new"),
            OFFICER,
            plantings::new_planting,
        )
        .post(
            &format!("{PLOT}/plantings"),
            OFFICER,
            plantings::create_planting,
        )
        .get(
            &format!("{PLOT}/plantings/{{planting}}/edit"),
            OFFICER,
            plantings::edit_planting,
        )
        .post(
            &format!("{PLOT}/plantings/{{planting}}"),
            OFFICER,
            plantings::update_planting,
        )
        .post(
            &format!("{PLOT}/plantings/{{planting}}/delete"),
            OFFICER,
            plantings::delete_planting,
        )
        .get(
            &format!("{HOUSEHOLD}/livestock"),
            OFFICER,
            livestock::livestock_form,
        )
        .post(
            &format!("{HOUSEHOLD}/livestock"),
            OFFICER,
            livestock::update_livestock,
        );
}

/// An option of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The options of a code list (roles, crops, purposes …), labelled in the reader's language.
pub fn choices<T: Copy>(
    tr: &Tr,
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).to_owned(),
            label: tr.t(key(*v)).to_owned(),
            selected: code(*v) == selected,
        })
        .collect()
}

/// The provinces as options, named in the reader's language.
pub fn province_choices(tr: &Tr, provinces: &[geography::Place], selected: &str) -> Vec<Choice> {
    provinces
        .iter()
        .map(|p| Choice {
            value: p.code.clone(),
            label: p.name(tr.locale).to_owned(),
            selected: p.code == selected,
        })
        .collect()
}

/// The household if it is in the staff member's area; otherwise "not found".
async fn household_in_scope(
    ctx: &Ctx,
    user: &CurrentUser,
    id: i32,
) -> Result<HouseholdRow, AppError> {
    let scope = user.scope.clone();
    ctx.db(move |conn| registry::household_in_scope(conn, &scope, id)?.ok_or(AppError::NotFound))
        .await
}

/// Makes a registry change, re-deciding the household (see `services::registry_edits`), and
/// wakes the mailer when that made anything newly due.
async fn change_registry(
    ctx: &Ctx,
    user: &CurrentUser,
    household_id: i32,
    edit: Edit,
) -> Result<(), AppError> {
    let (rules, notify, actor) = (ctx.state.rules.clone(), ctx.state.notify(), user.actor());
    let now = ctx.state.clock.now();
    let changes = ctx
        .db(move |conn| {
            let editing = Editing {
                rules: &rules,
                notify: &notify,
                actor: &actor,
                household_id,
            };
            Ok(registry_edits::apply(conn, &editing, &edit, now)?)
        })
        .await?;
    if changes.told_anyone() {
        ctx.state.mail_wake.notify_one();
    }
    Ok(())
}

// ---------------------------------------------------------------- search

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    page: Option<i64>,
}

pub struct ResultRow {
    pub id: i32,
    pub registry_number: String,
    pub head_name: String,
    pub head_national_id: String,
    pub place: String,
}

#[derive(Template)]
#[template(path = "officer/households.html")]
struct SearchPage {
    ctx: Ctx,
    query: String,
    rows: Vec<ResultRow>,
    total: i64,
    page: i64,
    pages: i64,
    scope: String,
    errors: FieldErrors,
}

/// A staff member's area in words: "ทั้งประเทศ", a province's or an amphoe's name.
pub fn scope_name(
    conn: &mut DbConn,
    tr: &Tr,
    scope: &crate::domain::AreaScope,
) -> Result<String, AppError> {
    use crate::domain::AreaScope;
    Ok(match scope {
        AreaScope::National => tr.t("officer.scope_national").to_owned(),
        AreaScope::Province(code) => geography::province(conn, code)?
            .map(|p| p.name(tr.locale).to_owned())
            .unwrap_or_else(|| code.clone()),
        AreaScope::Amphoe(code) => geography::amphoe(conn, code)?
            .map(|(a, _)| a.name(tr.locale).to_owned())
            .unwrap_or_else(|| code.clone()),
    })
}

pub async fn search(ctx: Ctx, query: web::Query<SearchQuery>) -> Result<HttpResponse, AppError> {
    let user = ctx.staff()?.clone();
    let text = query.q.clone().unwrap_or_default().trim().to_owned();
    let page = query.page.unwrap_or(1).clamp(1, registry::MAX_PAGE);
    let tr = ctx.tr;
    let mut errors = FieldErrors::default();
    let search = errors.check("q", HouseholdSearch::parse(&text));
    let (rows, total, scope) = ctx
        .db(move |conn| {
            let (rows, total) = match search {
                Some(search) => registry::search(conn, &user.scope, &search, page)?,
                // Refused: shown with the typed text kept, and nothing searched.
                None => (Vec::new(), 0),
            };
            Ok((rows, total, scope_name(conn, &tr, &user.scope)?))
        })
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| ResultRow {
            id: r.id,
            registry_number: r.registry_number,
            head_name: r.head.as_ref().map(|h| h.full_name()).unwrap_or_default(),
            head_national_id: r
                .head
                .as_ref()
                .map(|h| NationalId::mask_stored(&h.national_id))
                .unwrap_or_default(),
            place: format!(
                "{} {} {}",
                tr.t("officer.village"),
                r.village_no,
                tr.locale.pick(r.tambon_name_th, r.tambon_name_en)
            ),
        })
        .collect();
    let pages = (total + registry::PAGE_SIZE - 1) / registry::PAGE_SIZE;
    let page_of = SearchPage {
        ctx,
        query: text,
        errors,
        rows,
        total,
        page,
        pages,
        scope,
    };
    if page_of.errors.is_empty() {
        render(&page_of)
    } else {
        render_invalid(&page_of)
    }
}

// ---------------------------------------------------------------- one household

pub struct HistoryLine {
    pub at: String,
    pub actor: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "officer/household.html")]
struct HouseholdPage {
    ctx: Ctx,
    farm: FarmView,
    list: Entitlements,
    can_edit: bool,
    history: Vec<HistoryLine>,
    /// The head, while they have no account: name, and the phone typed or else the one the
    /// registry holds.
    enrol: Option<(String, String)>,
    errors: FieldErrors,
    /// Whether an account was just made at the office.
    enrolled: bool,
}

pub async fn household(ctx: Ctx, path: web::Path<i32>) -> Result<HttpResponse, AppError> {
    show_household(
        ctx,
        path.into_inner(),
        FieldErrors::default(),
        Typed::default(),
    )
    .await
}

async fn show_household(
    ctx: Ctx,
    id: i32,
    errors: FieldErrors,
    typed: Typed,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let user = ctx.staff()?.clone();
    household_in_scope(&ctx, &user, id).await?;
    let tr = ctx.tr;
    let actor = user.actor();
    let today = thai_time(now).date();
    let rules = ctx.state.rules.clone();
    let (farm, list, history, enrol) = ctx
        .db(move |conn| {
            let viewed = personal_data::Viewed {
                entity: "household",
                entity_id: id.to_string(),
                household_id: id,
            };
            personal_data::record_view(conn, &actor, viewed, now)?;
            let history = audit::changes_to_household(conn, id, 30)?
                .into_iter()
                .map(|row| HistoryLine {
                    at: tr.moment(&row.at),
                    actor: format!(
                        "{} #{}",
                        audit_label(&tr, "role", &row.actor_role),
                        row.actor_user_id.unwrap_or_default()
                    ),
                    what: format!(
                        "{} {} · {}: {} → {}",
                        audit_label(&tr, "audit.action", &row.action),
                        audit_label(&tr, "audit.entity", &row.entity),
                        audit_label(&tr, "audit.field", row.field.as_deref().unwrap_or("")),
                        row.old_value.unwrap_or_else(|| "—".into()),
                        row.new_value.unwrap_or_else(|| "—".into())
                    ),
                })
                .collect();
            let farm = registry::load_farm(conn, id)?;
            // The same entitlements, reasons and cases the farmer sees.
            let list = explained::for_farm(conn, &rules, &farm, today, tr.locale)?;
            let enrol = crate::services::accounts::head_without_account(conn, id)?.map(|head| {
                let phone = match typed.get("enrol_phone") {
                    "" => head.phone.clone().unwrap_or_default(),
                    typed => typed.to_owned(),
                };
                (head.full_name(), phone)
            });
            Ok((farm_view(conn, tr, &farm, today)?, list, history, enrol))
        })
        .await?;
    let can_edit = user.role == Role::Officer;
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let enrolled = ctx.path.ends_with("?enrolled=1");
    super::context::render_status(
        status,
        &HouseholdPage {
            ctx,
            farm,
            list,
            can_edit,
            history,
            enrol,
            errors,
            enrolled,
        },
    )
}

/// The officer has seen the household head and their ID card at the office and makes their
/// account (see `services::accounts::enrol_at_office`).
pub async fn enrol(
    ctx: Ctx,
    path: web::Path<i32>,
    Posted(form): Posted<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.officer()?.clone();
    let id = path.into_inner();
    household_in_scope(&ctx, &user, id).await?;
    let mut errors = FieldErrors::default();
    if form.get("seen_id").map(String::as_str) != Some("yes") {
        errors.add("seen_id", "officer.enrol.error.seen");
    }
    let phone = errors.check(
        "enrol_phone",
        crate::domain::Phone::parse(form.get("enrol_phone").map_or("", String::as_str)),
    );
    let Some(phone) = phone.filter(|_| errors.is_empty()) else {
        return show_household(ctx, id, errors, Typed(form)).await;
    };
    let (tr, actor, now) = (
        crate::i18n::Tr::new(crate::i18n::Locale::Th),
        user.actor(),
        ctx.state.clock.now(),
    );
    let public_url = ctx.state.public_url.clone();
    let made = ctx
        .db(move |conn| {
            Ok(crate::services::accounts::enrol_at_office(
                conn,
                tr,
                &actor,
                id,
                &phone,
                &public_url,
                now,
            )?)
        })
        .await?;
    if made.is_err() {
        errors.add("seen_id", "register.already_registered");
        return show_household(ctx, id, errors, Typed(form)).await;
    }
    ctx.state.mail_wake.notify_one();
    Ok(redirect(&format!("/officer/households/{id}?enrolled=1")))
}

/// The words for an audit code (`audit.field.area_sq_wa` → "เนื้อที่ (ตารางวา)"); a code
/// without words in the catalogue is shown as it is stored.
fn audit_label(tr: &Tr, section: &str, code: &str) -> String {
    let key = format!("{section}.{code}");
    if tr.has(&key) {
        tr.t(&key).to_owned()
    } else {
        code.to_owned()
    }
}
