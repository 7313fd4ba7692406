//! "My farm": the farmer's own registry record. The same view model is shown to officers.

use super::context::{render, Ctx};
use crate::db::{geography, registry, DbConn};
use crate::domain::{Area, NationalId};
use crate::error::AppError;
use crate::i18n::Tr;
use actix_web::HttpResponse;
use askama::Template;
use chrono::{Datelike, NaiveDate};

pub struct MemberView {
    pub name: String,
    pub relation: String,
    pub national_id: String,
    pub age: i32,
}

pub struct PlantingView {
    pub id: i32,
    pub crop: String,
    pub season: String,
    pub area: String,
    pub planted_on: String,
    pub reported_on: String,
}

pub struct PlotView {
    pub id: i32,
    pub label: String,
    pub area: String,
    pub land_document: String,
    pub tenure: String,
    pub tambon: String,
    pub irrigated: String,
    pub plantings: Vec<PlantingView>,
}

pub struct FarmView {
    pub household_id: i32,
    pub registry_number: String,
    pub address: String,
    pub registered_on: String,
    pub total_area: String,
    pub members: Vec<MemberView>,
    pub plots: Vec<PlotView>,
    pub livestock: Vec<(String, i32)>,
    pub memberships: Vec<(String, String, String)>,
}

/// The registry's code shown as its label; a code the vocabulary does not know is shown as is.
pub fn area_text(tr: &Tr, sq_wa: i32) -> String {
    match Area::from_sq_wa(sq_wa) {
        Ok(area) => {
            let (rai, ngan, wa) = area.parts();
            tr.fmt(
                "area.format",
                &[
                    ("rai", &rai.to_string()),
                    ("ngan", &ngan.to_string()),
                    ("wa", &wa.to_string()),
                ],
            )
        }
        Err(_) => tr.t("area.none").to_owned(),
    }
}

pub fn address_text(
    tr: &Tr,
    address: &geography::Address,
    house_no: &str,
    village_no: i32,
) -> String {
    tr.fmt(
        "address.format",
        &[
            ("house", house_no),
            ("village", &village_no.to_string()),
            ("tambon", address.tambon.name(tr.locale)),
            ("amphoe", address.amphoe.name(tr.locale)),
            ("province", address.province.name(tr.locale)),
        ],
    )
}

/// Builds the page's view of a household (the place names are looked up here).
pub fn farm_view(
    conn: &mut DbConn,
    tr: Tr,
    farm: &registry::Farm,
    today: NaiveDate,
) -> Result<FarmView, AppError> {
    let household = &farm.household;
    let address = geography::address(conn, &household.tambon_code)?;
    let mut plots = Vec::new();
    let mut total = 0;
    for (plot, plantings) in &farm.plots {
        total += plot.area_sq_wa;
        let tambon = geography::address(conn, &plot.tambon_code)?;
        plots.push(PlotView {
            id: plot.id,
            label: plot.label.clone(),
            area: area_text(&tr, plot.area_sq_wa),
            land_document: match plot.land_document {
                Some(document) => tr.t(document.label_key()).to_owned(),
                None => tr.t("farm.not_recorded").to_owned(),
            },
            tenure: tr.t(plot.tenure.label_key()).to_owned(),
            tambon: format!(
                "{} · {}",
                tambon.tambon.name(tr.locale),
                tambon.amphoe.name(tr.locale)
            ),
            irrigated: tr
                .t(if plot.irrigated {
                    "farm.irrigated_yes"
                } else {
                    "farm.irrigated_no"
                })
                .to_owned(),
            plantings: plantings
                .iter()
                .map(|p| PlantingView {
                    id: p.id,
                    crop: tr.t(p.crop.label_key()).to_owned(),
                    season: format!(
                        "{} {}/{}",
                        tr.t(p.season.label_key()),
                        p.season_year,
                        (p.season_year + 1) % 100
                    ),
                    area: area_text(&tr, p.area_sq_wa),
                    planted_on: p.planted_on.map(|d| tr.date(&d)).unwrap_or_default(),
                    reported_on: p.registered_on.map(|d| tr.date(&d)).unwrap_or_default(),
                })
                .collect(),
        });
    }
    Ok(FarmView {
        household_id: household.id,
        registry_number: household.registry_number.clone(),
        address: address_text(&tr, &address, &household.house_no, household.village_no),
        registered_on: tr.date(&household.registered_on),
        total_area: area_text(&tr, total),
        members: farm
            .members
            .iter()
            .map(|m| MemberView {
                name: m.full_name(),
                relation: tr.t(m.relation.label_key()).to_owned(),
                national_id: NationalId::mask_stored(&m.national_id),
                age: age_on(m.birth_date, today),
            })
            .collect(),
        plots,
        livestock: farm
            .livestock
            .iter()
            .map(|l| (tr.t(l.species.label_key()).to_owned(), l.head_count))
            .collect(),
        memberships: farm
            .memberships
            .iter()
            .map(|m| {
                (
                    tr.t(m.kind.label_key()).to_owned(),
                    m.organisation.clone(),
                    m.member_number.clone().unwrap_or_default(),
                )
            })
            .collect(),
    })
}

fn age_on(birth: chrono::NaiveDate, today: chrono::NaiveDate) -> i32 {
    let had_birthday = (today.month(), today.day()) >= (birth.month(), birth.day());
    today.year() - birth.year() - i32::from(!had_birthday)
}

#[derive(Template)]
#[template(path = "farm/my_farm.html")]
struct MyFarmPage {
    ctx: Ctx,
    farm: FarmView,
}

pub async fn my_farm(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (_, household_id) = ctx.farmer()?;
    let tr = ctx.tr;
    let today = ctx.state.clock.today();
    let farm = ctx
        .db(move |conn| {
            let farm = registry::load_farm(conn, household_id)?;
            farm_view(conn, tr, &farm, today)
        })
        .await?;
    render(&MyFarmPage { ctx, farm })
}
