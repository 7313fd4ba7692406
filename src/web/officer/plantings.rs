//! An officer records what is grown on a plot, season by season.

use super::plots::plot_of;
use super::{change_registry, choices, household_in_scope, Choice};
use crate::db::registry::{self, PlantingInput, PlotRow};
use crate::domain::{Area, Crop, Invalid, Season};
use crate::error::AppError;
use crate::services::registry_edits::Edit;
use crate::web::context::{
    redirect, render, render_invalid, Ctx, CurrentUser, FieldErrors, NoFields, Posted,
};
use crate::web::farm::area_text;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

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
    registered_on: String,
}

/// Crop years are written in the Buddhist era (2568 = 2025/26).
const CROP_YEARS: std::ops::RangeInclusive<i64> = 2540..=2600;

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
            registered_on: row.registered_on.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    fn parse(&self, plot: &PlotRow, today: NaiveDate) -> Result<PlantingInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let crop = errors.check("crop", Crop::parse(&self.crop));
        let season = errors.check("season", Season::parse(&self.season));
        let season_year = errors.check(
            "season_year",
            crate::domain::whole_number(&self.season_year, CROP_YEARS)
                .and_then(|y| i32::try_from(y).ok())
                .ok_or(Invalid::new("error.crop_year")),
        );
        let area = errors.check("rai", Area::parse_parts(&self.rai, &self.ngan, &self.wa));
        if area.is_some_and(|a| a.sq_wa() > plot.area_sq_wa) {
            errors.add("rai", "error.area.exceeds_plot");
        }
        let mut optional_past_date = |field: &'static str, text: &str| match text.trim() {
            "" => Some(None),
            text => errors.check(field, crate::domain::date::past_date(text, today).map(Some)),
        };
        let planted_on = optional_past_date("planted_on", &self.planted_on);
        let registered_on = optional_past_date("registered_on", &self.registered_on);
        match (crop, season, season_year, area, planted_on, registered_on) {
            (
                Some(crop),
                Some(season),
                Some(season_year),
                Some(area),
                Some(planted_on),
                Some(registered_on),
            ) if errors.is_empty() => Ok(PlantingInput {
                crop,
                season_year,
                season,
                area,
                planted_on,
                registered_on,
            }),
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
        // The crop year turns on 1 May: December 2026 is crop year 2569/70.
        season_year: crate::rules::facts::crop_year(ctx.state.clock.today()).to_string(),
        // A crop reported today; an officer typing in a paper report enters its own date.
        registered_on: ctx.state.clock.today().to_string(),
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
    let (household_id, plot_id) = path.into_inner();
    let (user, plot) = officers_plot(&ctx, household_id, plot_id).await?;
    match form.parse(&plot, ctx.state.clock.today()) {
        Ok(input) => {
            change_registry(&ctx, &user, household_id, Edit::AddPlanting(plot, input)).await?;
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
    let (household_id, plot_id, planting_id) = path.into_inner();
    let (user, plot) = officers_plot(&ctx, household_id, plot_id).await?;
    let planting = planting_of(&ctx, plot_id, planting_id).await?;
    match form.parse(&plot, ctx.state.clock.today()) {
        Ok(input) => {
            let edit = Edit::UpdatePlanting(planting, input);
            change_registry(&ctx, &user, household_id, edit).await?;
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
    let (household_id, plot_id, planting_id) = path.into_inner();
    let (user, _) = officers_plot(&ctx, household_id, plot_id).await?;
    let planting = planting_of(&ctx, plot_id, planting_id).await?;
    change_registry(&ctx, &user, household_id, Edit::RemovePlanting(planting)).await?;
    Ok(redirect(&format!("/officer/households/{household_id}")))
}
