//! A household's entitlements, for agencies that serve farmers.

use super::partner::Partner;
use super::problem::{ProblemBody, Refusal};
use crate::db::registry;
use crate::domain::{ApiScope, RegistryNumber};
use crate::services::explained::{entitlements, EntitlementView};
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct HouseholdEntitlements {
    pub registry_number: String,
    /// The day the entitlements were decided for (today).
    pub as_of: NaiveDate,
    /// Every programme open today: eligible first (largest amount first), then those needing
    /// information, almost eligible, and not eligible.
    pub entitlements: Vec<Entitlement>,
}

#[derive(Serialize, ToSchema)]
pub struct Entitlement {
    pub programme_id: String,
    pub title: String,
    /// `eligible`, `need_info`, `almost` or `ineligible`.
    pub status: String,
    /// The amount for an eligible household, in satang (1 baht = 100 satang).
    pub amount_satang: Option<i64>,
    /// True when `amount_satang` is the most the household could receive: the real amount
    /// follows what it reports (disaster relief: the damaged area).
    pub amount_is_maximum: bool,
    /// How the programme reaches the farmer: `automatic` (paid from the registry list),
    /// `confirm` (a claim drafted for the farmer), `apply` or `in_person`.
    pub delivery: String,
    /// How the amount was worked out, in words.
    pub working: Option<String>,
    /// Each condition of the programme and whether the household meets it.
    pub explanation: Vec<Condition>,
    /// What the registry lacks for a decision.
    pub missing: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Condition {
    /// `pass`, `fail` or `unknown`.
    pub result: String,
    pub text: String,
}

fn entitlement(status: &str, amount_satang: Option<i64>, view: EntitlementView) -> Entitlement {
    Entitlement {
        // A programme that gives no money (land, training) has no amount, not an amount of 0.
        amount_satang: amount_satang.filter(|_| view.amount.is_some()),
        amount_is_maximum: view.amount_up_to && view.amount.is_some(),
        delivery: view.delivery.mode.to_owned(),
        programme_id: view.id,
        title: view.title,
        status: status.to_owned(),
        working: view.working,
        explanation: view
            .lines
            .into_iter()
            .map(|line| Condition {
                result: line.result.to_owned(),
                text: line.text,
            })
            .collect(),
        missing: view.missing,
    }
}

/// A household's entitlements today, by registry number.
#[utoipa::path(
    tag = "households",
    params(("registry_number" = String, Path, description = "The household's 12-digit registry number")),
    responses(
        (status = 200, description = "The household's entitlements", body = HouseholdEntitlements),
        (status = 401, description = "No valid API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the `entitlements:read` scope, or the farmer has not consented to the key's purpose", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such household in the key's area", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Over the key's rate limit", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/households/{registry_number}/entitlements")]
pub async fn household_entitlements(
    partner: Partner,
    path: web::Path<String>,
) -> Result<HttpResponse, super::problem::Problem> {
    let subject = path.into_inner();
    let area = partner.area();
    let today = partner.state.clock.today();
    let check = partner.require(ApiScope::EntitlementsRead);
    let (record, registry_number) = {
        let subject = subject.clone();
        let gate = partner.gate();
        partner
            .run(
                "household_entitlements",
                subject.clone(),
                move |conn, call| {
                    check?;
                    let number = RegistryNumber::parse(&subject)
                        .map_err(|_| gate.problem(Refusal::NotFound))?;
                    let household =
                        registry::household_by_number_in_scope(conn, &area, number.as_str())?
                            .ok_or_else(|| gate.problem(Refusal::NotFound))?;
                    call.household_id = Some(household.id);
                    gate.check_consent(conn, household.id)?;
                    let farm = registry::load_farm(conn, household.id)?;
                    Ok((
                        registry::rules_record(conn, &farm, today)?,
                        household.registry_number,
                    ))
                },
            )
            .await?
    };
    let list = entitlements(&partner.state.rules, &record, today, partner.locale);
    let mut out = Vec::new();
    out.extend(
        list.eligible
            .into_iter()
            .map(|(amount, view)| entitlement("eligible", Some(amount), view)),
    );
    out.extend(
        list.need_info
            .into_iter()
            .map(|v| entitlement("need_info", None, v)),
    );
    out.extend(
        list.almost
            .into_iter()
            .map(|v| entitlement("almost", None, v)),
    );
    out.extend(
        list.other
            .into_iter()
            .map(|v| entitlement("ineligible", None, v)),
    );
    Ok(HttpResponse::Ok().json(HouseholdEntitlements {
        registry_number,
        as_of: today,
        entitlements: out,
    }))
}
