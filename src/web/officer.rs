//! The extension officer's registry work: find households of their area, open one, and keep its
//! plots, crops and livestock right. Every change is audited with the old and new value; every
//! look at a household's personal data is audited too.

use super::context::{
    redirect, render, render_invalid, Ctx, CurrentUser, FieldErrors, NoFields, Posted,
};
use super::entitlements::{entitlements, Entitlements};
use super::farm::{area_text, farm_view, FarmView};
use super::routes::{Routes, OFFICER, STAFF};
use crate::db::registry::{self, HouseholdRow, PlantingInput, PlotInput, PlotRow};
use crate::db::{audit, geography, DbConn};
use crate::domain::clock::thai_time;
use crate::domain::search::HouseholdSearch;
use crate::domain::{Area, Crop, Invalid, LandDocument, NationalId, Role, Season, Species, Tenure};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::services::entitlements::reevaluate_households;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

pub fn routes(routes: &mut Routes) {
    const HOUSEHOLD: &str = "/officer/households/{household}";
    const PLOT: &str = "/officer/households/{household}/plots/{plot}";
    routes
        .get("/officer/households", STAFF, search)
        .get(HOUSEHOLD, STAFF, household)
        .get(&format!("{HOUSEHOLD}/plots/new"), OFFICER, new_plot)
        .post(&format!("{HOUSEHOLD}/plots"), OFFICER, create_plot)
        .get(&format!("{PLOT}/edit"), OFFICER, edit_plot)
        .post(PLOT, OFFICER, update_plot)
        .get(&format!("{PLOT}/plantings/new"), OFFICER, new_planting)
        .post(&format!("{PLOT}/plantings"), OFFICER, create_planting)
        .get(
            &format!("{PLOT}/plantings/{{planting}}/edit"),
            OFFICER,
            edit_planting,
        )
        .post(
            &format!("{PLOT}/plantings/{{planting}}"),
            OFFICER,
            update_planting,
        )
        .post(
            &format!("{PLOT}/plantings/{{planting}}/delete"),
            OFFICER,
            delete_planting,
        )
        .get(&format!("{HOUSEHOLD}/livestock"), OFFICER, livestock_form)
        .post(&format!("{HOUSEHOLD}/livestock"), OFFICER, update_livestock);
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

/// Makes a registry change, then re-decides the household's entitlements so the farmer's page
/// and notices follow at once (anything newly due is told by notice and e-mail).
async fn change_registry<F>(ctx: &Ctx, household_id: i32, change: F) -> Result<(), AppError>
where
    F: FnOnce(&mut DbConn) -> diesel::QueryResult<()> + Send + 'static,
{
    let rules = ctx.state.rules.clone();
    let notify = ctx.state.notify();
    let now = ctx.state.clock.now();
    let changes = ctx
        .db(move |conn| {
            change(conn)?;
            reevaluate_households(conn, &rules, &[household_id], now, &notify)
                .map_err(AppError::Internal)
        })
        .await?;
    if changes.newly_eligible > 0 {
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
                match tr.locale {
                    crate::i18n::Locale::Th => r.tambon_name_th,
                    crate::i18n::Locale::En => r.tambon_name_en,
                }
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
}

pub async fn household(ctx: Ctx, path: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let user = ctx.staff()?.clone();
    let id = path.into_inner();
    household_in_scope(&ctx, &user, id).await?;
    let tr = ctx.tr;
    let actor = user.actor();
    let today = thai_time(now).date();
    let (farm, record, history) = ctx
        .db(move |conn| {
            audit::record(
                conn,
                &actor,
                audit::Entry {
                    action: "view",
                    entity: "household",
                    entity_id: id.to_string(),
                    household_id: Some(id),
                    ..Default::default()
                },
                now,
            )?;
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
            let record = registry::rules_record(conn, &farm, today)?;
            Ok((farm_view(conn, tr, &farm, today)?, record, history))
        })
        .await?;
    let can_edit = user.role == Role::Officer;
    // The same entitlements and reasons the farmer sees.
    let list = entitlements(&ctx.state.rules, &record, today, ctx.locale());
    render(&HouseholdPage {
        ctx,
        farm,
        list,
        can_edit,
        history,
    })
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

// ---------------------------------------------------------------- plots

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlotForm {
    label: String,
    rai: String,
    ngan: String,
    wa: String,
    land_document: String,
    tenure: String,
    tambon_code: String,
    irrigated: String,
}

impl PlotForm {
    fn from_row(row: &PlotRow) -> Self {
        let (rai, ngan, wa) = Area::from_sq_wa(row.area_sq_wa)
            .map(Area::parts)
            .unwrap_or_default();
        Self {
            label: row.label.clone(),
            rai: rai.to_string(),
            ngan: ngan.to_string(),
            wa: wa.to_string(),
            land_document: row.land_document.map_or("", |d| d.code()).to_owned(),
            tenure: row.tenure.code().to_owned(),
            tambon_code: row.tambon_code.clone(),
            irrigated: if row.irrigated {
                "on".into()
            } else {
                String::new()
            },
        }
    }

    fn parse(&self, tambons: &[geography::Place]) -> Result<PlotInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let label = self.label.trim();
        if label.is_empty() {
            errors.add("label", "error.required");
        } else if label.chars().count() > 100 {
            errors.add("label", "error.too_long");
        }
        let area = errors.check("rai", Area::parse_parts(&self.rai, &self.ngan, &self.wa));
        let land_document = errors.check("land_document", LandDocument::parse(&self.land_document));
        let tenure = errors.check("tenure", Tenure::parse(&self.tenure));
        if !tambons.iter().any(|t| t.code == self.tambon_code) {
            errors.add("tambon_code", "error.choice");
        }
        match (area, land_document, tenure) {
            (Some(area), Some(land_document), Some(tenure)) if errors.is_empty() => Ok(PlotInput {
                label: label.to_owned(),
                tambon_code: self.tambon_code.clone(),
                area,
                land_document,
                tenure,
                irrigated: self.irrigated == "on",
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "officer/plot_form.html")]
struct PlotFormPage {
    ctx: Ctx,
    household_id: i32,
    plot_id: Option<i32>,
    form: PlotForm,
    errors: FieldErrors,
    documents: Vec<Choice>,
    tenures: Vec<Choice>,
    tambons: Vec<Choice>,
}

impl PlotFormPage {
    fn new(
        ctx: Ctx,
        household: &HouseholdRow,
        plot_id: Option<i32>,
        form: PlotForm,
        errors: FieldErrors,
        tambons: &[geography::Place],
    ) -> Self {
        let tr = ctx.tr;
        Self {
            documents: choices(
                &tr,
                LandDocument::ALL,
                LandDocument::code,
                LandDocument::label_key,
                &form.land_document,
            ),
            tenures: choices(
                &tr,
                Tenure::ALL,
                Tenure::code,
                Tenure::label_key,
                &form.tenure,
            ),
            tambons: tambons
                .iter()
                .map(|t| Choice {
                    value: t.code.clone(),
                    label: t.name(tr.locale).to_owned(),
                    selected: t.code == form.tambon_code,
                })
                .collect(),
            ctx,
            household_id: household.id,
            plot_id,
            form,
            errors,
        }
    }
}

async fn amphoe_tambons(
    ctx: &Ctx,
    household: &HouseholdRow,
) -> Result<Vec<geography::Place>, AppError> {
    let amphoe = household.amphoe_code.clone();
    ctx.db(move |conn| Ok(geography::tambons_of_amphoe(conn, &amphoe)?))
        .await
}

async fn plot_of(ctx: &Ctx, household: i32, plot: i32) -> Result<PlotRow, AppError> {
    ctx.db(move |conn| registry::find_plot(conn, household, plot)?.ok_or(AppError::NotFound))
        .await
}

pub async fn new_plot(ctx: Ctx, path: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let user = ctx.officer()?.clone();
    let household = household_in_scope(&ctx, &user, path.into_inner()).await?;
    let tambons = amphoe_tambons(&ctx, &household).await?;
    let form = PlotForm {
        tambon_code: household.tambon_code.clone(),
        ..Default::default()
    };
    render(&PlotFormPage::new(
        ctx,
        &household,
        None,
        form,
        FieldErrors::default(),
        &tambons,
    ))
}

pub async fn create_plot(
    ctx: Ctx,
    path: web::Path<i32>,
    Posted(form): Posted<PlotForm>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let user = ctx.officer()?.clone();
    let household = household_in_scope(&ctx, &user, path.into_inner()).await?;
    let tambons = amphoe_tambons(&ctx, &household).await?;
    match form.parse(&tambons) {
        Ok(input) => {
            let (actor, id) = (user.actor(), household.id);
            change_registry(&ctx, id, move |conn| {
                registry::add_plot(conn, &actor, id, &input, now).map(|_| ())
            })
            .await?;
            Ok(redirect(&format!("/officer/households/{id}")))
        }
        Err(errors) => render_invalid(&PlotFormPage::new(
            ctx, &household, None, form, errors, &tambons,
        )),
    }
}

pub async fn edit_plot(ctx: Ctx, path: web::Path<(i32, i32)>) -> Result<HttpResponse, AppError> {
    let user = ctx.officer()?.clone();
    let (household_id, plot_id) = path.into_inner();
    let household = household_in_scope(&ctx, &user, household_id).await?;
    let plot = plot_of(&ctx, household_id, plot_id).await?;
    let tambons = amphoe_tambons(&ctx, &household).await?;
    render(&PlotFormPage::new(
        ctx,
        &household,
        Some(plot_id),
        PlotForm::from_row(&plot),
        FieldErrors::default(),
        &tambons,
    ))
}

pub async fn update_plot(
    ctx: Ctx,
    path: web::Path<(i32, i32)>,
    Posted(form): Posted<PlotForm>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let user = ctx.officer()?.clone();
    let (household_id, plot_id) = path.into_inner();
    let household = household_in_scope(&ctx, &user, household_id).await?;
    let plot = plot_of(&ctx, household_id, plot_id).await?;
    let tambons = amphoe_tambons(&ctx, &household).await?;
    match form.parse(&tambons) {
        Ok(input) => {
            let actor = user.actor();
            change_registry(&ctx, household_id, move |conn| {
                registry::update_plot(conn, &actor, &plot, &input, now)
            })
            .await?;
            Ok(redirect(&format!("/officer/households/{household_id}")))
        }
        Err(errors) => render_invalid(&PlotFormPage::new(
            ctx,
            &household,
            Some(plot_id),
            form,
            errors,
            &tambons,
        )),
    }
}

// ---------------------------------------------------------------- plantings

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlantingForm {
    crop: String,
    season: String,
    season_year: String,
    rai: String,
    ngan: String,
    wa: String,
    planted_on: String,
}

/// Crop years are written in the Buddhist era (2568 = 2025/26).
const CROP_YEARS: std::ops::RangeInclusive<i32> = 2540..=2600;

impl PlantingForm {
    fn from_row(row: &registry::PlantingRow) -> Self {
        let (rai, ngan, wa) = Area::from_sq_wa(row.area_sq_wa)
            .map(Area::parts)
            .unwrap_or_default();
        Self {
            crop: row.crop.code().to_owned(),
            season: row.season.code().to_owned(),
            season_year: row.season_year.to_string(),
            rai: rai.to_string(),
            ngan: ngan.to_string(),
            wa: wa.to_string(),
            planted_on: row.planted_on.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    fn parse(&self, plot: &PlotRow, today: NaiveDate) -> Result<PlantingInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let crop = errors.check("crop", Crop::parse(&self.crop));
        let season = errors.check("season", Season::parse(&self.season));
        let season_year = errors.check(
            "season_year",
            self.season_year
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|y| CROP_YEARS.contains(y))
                .ok_or(Invalid::new("error.crop_year")),
        );
        let area = errors.check("rai", Area::parse_parts(&self.rai, &self.ngan, &self.wa));
        if area.is_some_and(|a| a.sq_wa() > plot.area_sq_wa) {
            errors.add("rai", "error.area.exceeds_plot");
        }
        let planted_on = match self.planted_on.trim() {
            "" => Some(None),
            text => errors.check(
                "planted_on",
                crate::domain::date::past_date(text, today).map(Some),
            ),
        };
        match (crop, season, season_year, area, planted_on) {
            (Some(crop), Some(season), Some(season_year), Some(area), Some(planted_on))
                if errors.is_empty() =>
            {
                Ok(PlantingInput {
                    crop,
                    season_year,
                    season,
                    area,
                    planted_on,
                })
            }
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "officer/planting_form.html")]
struct PlantingFormPage {
    ctx: Ctx,
    household_id: i32,
    plot_id: i32,
    plot_label: String,
    plot_area: String,
    planting_id: Option<i32>,
    form: PlantingForm,
    errors: FieldErrors,
    crops: Vec<Choice>,
    seasons: Vec<Choice>,
}

impl PlantingFormPage {
    fn new(
        ctx: Ctx,
        plot: &PlotRow,
        planting_id: Option<i32>,
        form: PlantingForm,
        errors: FieldErrors,
    ) -> Self {
        let tr = ctx.tr;
        Self {
            crops: choices(&tr, Crop::ALL, Crop::code, Crop::label_key, &form.crop),
            seasons: choices(
                &tr,
                Season::ALL,
                Season::code,
                Season::label_key,
                &form.season,
            ),
            plot_area: area_text(&tr, plot.area_sq_wa),
            ctx,
            household_id: plot.household_id,
            plot_id: plot.id,
            plot_label: plot.label.clone(),
            planting_id,
            form,
            errors,
        }
    }
}

/// The plot, checked to belong to a household in the officer's area.
async fn officers_plot(
    ctx: &Ctx,
    household_id: i32,
    plot_id: i32,
) -> Result<(CurrentUser, PlotRow), AppError> {
    let user = ctx.officer()?.clone();
    household_in_scope(ctx, &user, household_id).await?;
    let plot = plot_of(ctx, household_id, plot_id).await?;
    Ok((user, plot))
}

async fn planting_of(
    ctx: &Ctx,
    plot_id: i32,
    planting_id: i32,
) -> Result<registry::PlantingRow, AppError> {
    ctx.db(move |conn| {
        registry::find_planting(conn, plot_id, planting_id)?.ok_or(AppError::NotFound)
    })
    .await
}

pub async fn new_planting(ctx: Ctx, path: web::Path<(i32, i32)>) -> Result<HttpResponse, AppError> {
    let (household_id, plot_id) = path.into_inner();
    let (_, plot) = officers_plot(&ctx, household_id, plot_id).await?;
    let form = PlantingForm {
        season_year: (chrono::Datelike::year(&ctx.state.clock.today()) + 543 - 1).to_string(),
        ..Default::default()
    };
    render(&PlantingFormPage::new(
        ctx,
        &plot,
        None,
        form,
        FieldErrors::default(),
    ))
}

pub async fn create_planting(
    ctx: Ctx,
    path: web::Path<(i32, i32)>,
    Posted(form): Posted<PlantingForm>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let (household_id, plot_id) = path.into_inner();
    let (user, plot) = officers_plot(&ctx, household_id, plot_id).await?;
    match form.parse(&plot, ctx.state.clock.today()) {
        Ok(input) => {
            let actor = user.actor();
            change_registry(&ctx, household_id, move |conn| {
                registry::add_planting(conn, &actor, &plot, &input, now).map(|_| ())
            })
            .await?;
            Ok(redirect(&format!("/officer/households/{household_id}")))
        }
        Err(errors) => render_invalid(&PlantingFormPage::new(ctx, &plot, None, form, errors)),
    }
}

pub async fn edit_planting(
    ctx: Ctx,
    path: web::Path<(i32, i32, i32)>,
) -> Result<HttpResponse, AppError> {
    let (household_id, plot_id, planting_id) = path.into_inner();
    let (_, plot) = officers_plot(&ctx, household_id, plot_id).await?;
    let planting = planting_of(&ctx, plot_id, planting_id).await?;
    render(&PlantingFormPage::new(
        ctx,
        &plot,
        Some(planting_id),
        PlantingForm::from_row(&planting),
        FieldErrors::default(),
    ))
}

pub async fn update_planting(
    ctx: Ctx,
    path: web::Path<(i32, i32, i32)>,
    Posted(form): Posted<PlantingForm>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let (household_id, plot_id, planting_id) = path.into_inner();
    let (user, plot) = officers_plot(&ctx, household_id, plot_id).await?;
    let planting = planting_of(&ctx, plot_id, planting_id).await?;
    match form.parse(&plot, ctx.state.clock.today()) {
        Ok(input) => {
            let actor = user.actor();
            change_registry(&ctx, household_id, move |conn| {
                registry::update_planting(conn, &actor, household_id, &planting, &input, now)
            })
            .await?;
            Ok(redirect(&format!("/officer/households/{household_id}")))
        }
        Err(errors) => render_invalid(&PlantingFormPage::new(
            ctx,
            &plot,
            Some(planting_id),
            form,
            errors,
        )),
    }
}

pub async fn delete_planting(
    ctx: Ctx,
    path: web::Path<(i32, i32, i32)>,
    _: Posted<NoFields>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let (household_id, plot_id, planting_id) = path.into_inner();
    let (user, _) = officers_plot(&ctx, household_id, plot_id).await?;
    let planting = planting_of(&ctx, plot_id, planting_id).await?;
    let actor = user.actor();
    change_registry(&ctx, household_id, move |conn| {
        registry::remove_planting(conn, &actor, household_id, &planting, now)
    })
    .await?;
    Ok(redirect(&format!("/officer/households/{household_id}")))
}

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
        text => text
            .parse::<i32>()
            .ok()
            .filter(|n| (0..=MAX_HEAD).contains(n))
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
    let now = ctx.state.clock.now();
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
    let (actor, id) = (user.actor(), household.id);
    change_registry(&ctx, id, move |conn| {
        registry::set_livestock(conn, &actor, id, &counts, now)
    })
    .await?;
    Ok(redirect(&format!("/officer/households/{id}")))
}
