//! "My entitlements": every programme decided from the household's registry record, eligible
//! first with the amount and its working, then what needs more information, then what is one
//! step away; the rest folded away. Also the public fact catalogue for policy officers.

use super::context::{render, Ctx};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::rules::catalogue::CATALOGUE;
use crate::services::explained::{self, Entitlements};
use actix_web::HttpResponse;
use askama::Template;

#[derive(Template)]
#[template(path = "farm/entitlements.html")]
struct EntitlementsPage {
    ctx: Ctx,
    as_of: String,
    list: Entitlements,
}

pub async fn my_entitlements(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (_, household_id) = ctx.farmer()?;
    let today = ctx.state.clock.today();
    let (rules, locale) = (ctx.state.rules.clone(), ctx.locale());
    let list = ctx
        .db(move |conn| {
            Ok(explained::for_household(
                conn,
                &rules,
                household_id,
                today,
                locale,
            )?)
        })
        .await?;
    let as_of = ctx.tr.date(&today);
    render(&EntitlementsPage { ctx, as_of, list })
}

pub struct FactView {
    pub name: &'static str,
    pub ty: String,
    pub can_change: bool,
    pub meaning: &'static str,
}

#[derive(Template)]
#[template(path = "rules/facts.html")]
struct FactsPage {
    ctx: Ctx,
    facts: Vec<FactView>,
    programmes: Vec<(String, String, String)>,
}

/// The fact catalogue, generated from the code, for the people who write rule files.
pub async fn fact_catalogue(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let locale = ctx.locale();
    let facts = CATALOGUE
        .iter()
        .map(|f| FactView {
            name: f.name,
            ty: ctx
                .tr
                .t(&format!("rules.type.{:?}", f.ty).to_lowercase())
                .to_owned(),
            can_change: f.can_change,
            meaning: if locale == Locale::Th { f.th } else { f.en },
        })
        .collect();
    let programmes = ctx
        .state
        .rules
        .programmes
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                p.title.get(locale).to_owned(),
                p.version.clone(),
            )
        })
        .collect();
    render(&FactsPage {
        ctx,
        facts,
        programmes,
    })
}
