//! An officer adds and corrects a household's plots: where each lies, its size, land document
//! and tenure.

use super::{change_registry, choices, household_in_scope, Choice};
use crate::db::geography;
use crate::db::registry::{self, HouseholdRow, PlotInput, PlotRow};
use crate::domain::{Area, LandDocument, Tenure};
use crate::error::AppError;
use crate::services::registry_edits::Edit;
use crate::web::context::{redirect, render, render_invalid, Ctx, FieldErrors, Posted};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

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

pub(super) async fn plot_of(ctx: &Ctx, household: i32, plot: i32) -> Result<PlotRow, AppError> {
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
    let user = ctx.officer()?.clone();
    let household = household_in_scope(&ctx, &user, path.into_inner()).await?;
    let tambons = amphoe_tambons(&ctx, &household).await?;
    match form.parse(&tambons) {
        Ok(input) => {
            let id = household.id;
            change_registry(&ctx, &user, id, Edit::AddPlot(input)).await?;
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
    let user = ctx.officer()?.clone();
    let (household_id, plot_id) = path.into_inner();
    let household = household_in_scope(&ctx, &user, household_id).await?;
    let plot = plot_of(&ctx, household_id, plot_id).await?;
    let tambons = amphoe_tambons(&ctx, &household).await?;
    match form.parse(&tambons) {
        Ok(input) => {
            change_registry(&ctx, &user, household_id, Edit::UpdatePlot(plot, input)).await?;
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
