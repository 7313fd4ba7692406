//! "My entitlements": every programme decided from the household's registry record, eligible
//! first with the amount and its working, then what needs more information, then what is one
//! step away; the rest folded away. Also the public fact catalogue for policy officers.

use super::context::{render, Ctx};
use crate::db::registry;
use crate::error::AppError;
use crate::i18n::{Locale, Tr};
use crate::rules::catalogue::CATALOGUE;
use crate::rules::evaluate::Line;
use crate::rules::{explain, facts, RuleSet, Status, Tri};
use actix_web::HttpResponse;
use askama::Template;
use chrono::NaiveDate;

pub struct EntitlementView {
    pub id: String,
    pub title: String,
    pub agency: String,
    pub description: String,
    pub source: String,
    pub amount: Option<String>,
    pub working: Option<String>,
    pub lines: Vec<LineView>,
    pub missing: Vec<String>,
    /// For "almost eligible": the one condition that would change the answer.
    pub would_change: Option<String>,
    pub note: Option<String>,
}

pub struct LineView {
    /// `pass`, `fail` or `unknown`, for machines (the partner API).
    pub result: &'static str,
    pub mark: &'static str,
    pub label_key: &'static str,
    pub text: String,
}

fn line_view(line: Line) -> LineView {
    let (result, mark, label_key) = match line.result {
        Tri::Pass => ("pass", "✓", "entitlements.passed"),
        Tri::Fail => ("fail", "✗", "entitlements.failed"),
        Tri::Unknown => ("unknown", "?", "entitlements.unknown"),
    };
    LineView {
        result,
        mark,
        label_key,
        text: line.text,
    }
}

/// The household's programmes, grouped as the page shows them.
#[derive(Default)]
pub struct Entitlements {
    /// With their amounts in satang, largest first.
    pub eligible: Vec<(i64, EntitlementView)>,
    pub need_info: Vec<EntitlementView>,
    pub almost: Vec<EntitlementView>,
    pub other: Vec<EntitlementView>,
    pub total_amount: Option<String>,
}

/// Decides every open programme for the household and explains each in the reader's language.
pub fn entitlements(
    rules: &RuleSet,
    record: &facts::HouseholdRecord,
    as_of: NaiveDate,
    locale: Locale,
) -> Entitlements {
    let tr = Tr::new(locale);
    let facts = facts::derive(record, as_of);
    let mut out = Entitlements::default();
    let mut total = 0;
    for decision in rules.evaluate(&facts, as_of) {
        let programme = &rules.programmes[decision.index];
        let outcome = &decision.outcome;
        if outcome.status == Status::Closed {
            continue;
        }
        let params = programme.parameters_at(as_of);
        let explanation = explain(programme, outcome, &facts, &params, locale);
        let would_change = (outcome.status == Status::Almost)
            .then(|| {
                explanation
                    .lines
                    .iter()
                    .find(|l| l.result == Tri::Fail)
                    .map(|l| l.text.clone())
            })
            .flatten();
        let note = decision.excluded_by.map(|other| {
            tr.fmt(
                "entitlements.excluded",
                &[("other", rules.programmes[other].title.get(locale))],
            )
        });
        let view = EntitlementView {
            id: programme.id.clone(),
            title: programme.title.get(locale).to_owned(),
            agency: programme.agency.get(locale).to_owned(),
            description: programme.description.get(locale).to_owned(),
            source: programme.source.clone(),
            amount: outcome.amount.map(|satang| {
                crate::rules::evaluate::format_value(crate::rules::Value::Money(satang), &tr)
            }),
            working: explanation.amount.clone(),
            lines: explanation.lines.into_iter().map(line_view).collect(),
            missing: explanation.missing,
            would_change,
            note,
        };
        match outcome.status {
            Status::Eligible => {
                total += outcome.amount.unwrap_or(0);
                out.eligible.push((outcome.amount.unwrap_or(0), view));
            }
            Status::NeedInfo => out.need_info.push(view),
            Status::Almost => out.almost.push(view),
            Status::Ineligible | Status::Closed => out.other.push(view),
        }
    }
    // The largest support first.
    out.eligible
        .sort_by_key(|(amount, _)| std::cmp::Reverse(*amount));
    if total > 0 {
        out.total_amount = Some(crate::rules::evaluate::format_value(
            crate::rules::Value::Money(total),
            &tr,
        ));
    }
    out
}

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
    let record = ctx
        .db(move |conn| {
            let farm = registry::load_farm(conn, household_id)?;
            Ok(registry::rules_record(conn, &farm, today)?)
        })
        .await?;
    let list = entitlements(&ctx.state.rules, &record, today, ctx.locale());
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
