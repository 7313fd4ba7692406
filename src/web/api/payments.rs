//! For the paying agency: a programme's approved cases waiting for payment, page by page, and
//! marking a batch of them paid. Marking is idempotent: a case already paid is reported as such,
//! so a batch retried after a timeout changes nothing twice.

use super::partner::Partner;
use super::problem::{Problem, ProblemBody, Refusal};
use crate::db::applications as apps;
use crate::domain::{ApiScope, NationalId, PaymentFailure};
use crate::rules::delivery::Mode;
use crate::services::payments;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const DEFAULT_PAGE: i64 = 100;
const MAX_PAGE: i64 = 500;
/// The most payments one call may mark.
pub const MAX_BATCH: usize = 500;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next_cursor` of the previous page; absent for the first page.
    cursor: Option<String>,
    /// Items per page, 1–500 (default 100).
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentsPage {
    pub items: Vec<AwaitingPayment>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AwaitingPayment {
    pub reference: String,
    pub approved_on: Option<NaiveDate>,
    /// The amount to pay, in satang (1 baht = 100 satang).
    pub amount_satang: Option<i64>,
    /// Who to pay; absent when the farmer has not consented to the key's purpose. A programme
    /// that pays by itself from the registry list (delivery `automatic`) shares the payee on
    /// the programme's own legal basis (the cabinet resolution that orders the list sent to
    /// the paying agency), not on consent.
    pub payee: Option<Payee>,
    /// Why `payee` is absent: `no-consent`.
    pub payee_withheld: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Payee {
    pub registry_number: String,
    /// The household head's 13-digit national ID, which the paying agency needs to pay them.
    pub national_id: Option<String>,
    pub name: String,
}

/// An opaque cursor: the last case id of the page, in hexadecimal.
fn parse_cursor(cursor: Option<&str>) -> Option<i32> {
    match cursor {
        None | Some("") => Some(0),
        Some(text) => i32::from_str_radix(text, 16).ok().filter(|id| *id >= 0),
    }
}

/// A programme's approved cases waiting for payment, oldest first.
#[utoipa::path(
    tag = "payments",
    params(("programme_id" = String, Path, description = "The programme, e.g. `rice-income-support`"), PageQuery),
    responses(
        (status = 200, description = "One page of approved cases", body = PaymentsPage),
        (status = 400, description = "A malformed cursor or limit", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the `payments` scope", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Over the key's rate limit", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/programmes/{programme_id}/payments")]
pub async fn awaiting_payment(
    partner: Partner,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, Problem> {
    let programme_id = path.into_inner();
    let check = partner.require(ApiScope::Payments);
    let programme = partner.state.rules.programme(&programme_id);
    let known = programme.is_some();
    let pays_from_the_list =
        programme.is_some_and(|p| matches!(p.delivery.mode, Mode::Automatic { .. }));
    let gate = partner.gate();
    let area = partner.area();
    let query = query.into_inner();
    let page = partner
        .run("awaiting_payment", programme_id.clone(), move |conn, _| {
            check?;
            if !known {
                return Err(gate.problem(Refusal::NotFound));
            }
            let after = parse_cursor(query.cursor.as_deref())
                .ok_or_else(|| gate.problem(Refusal::BadRequest("api.problem.bad_cursor")))?;
            let limit = query.limit.unwrap_or(DEFAULT_PAGE);
            if !(1..=MAX_PAGE).contains(&limit) {
                return Err(gate.problem(Refusal::BadRequest("api.problem.bad_limit")));
            }
            // One more than asked tells whether another page follows.
            let mut rows = apps::awaiting_payment(conn, &area, &programme_id, after, limit + 1)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let next_cursor = more
                .then(|| rows.last().map(|r| format!("{:x}", r.id)))
                .flatten();
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let consented =
                    pays_from_the_list || gate.check_consent(conn, row.household_id).is_ok();
                items.push(AwaitingPayment {
                    reference: row.reference.unwrap_or_default(),
                    approved_on: row.decided_on,
                    amount_satang: row.approved_satang.or(row.computed_satang),
                    payee: consented.then(|| Payee {
                        registry_number: row.registry_number,
                        national_id: Some(row.head_national_id)
                            .filter(|id| NationalId::parse(id).is_ok()),
                        name: format!(
                            "{}{} {}",
                            row.head_title, row.head_first_name, row.head_last_name
                        ),
                    }),
                    payee_withheld: (!consented).then(|| "no-consent".to_owned()),
                });
            }
            Ok(PaymentsPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Deserialize, ToSchema)]
pub struct PaymentBatch {
    /// At most 500 payments.
    pub payments: Vec<PaymentMade>,
}

#[derive(Deserialize, ToSchema)]
pub struct PaymentMade {
    pub reference: String,
    /// The agency's own reference for the transfer, shown to the farmer on the case timeline.
    #[serde(default)]
    pub transfer_reference: String,
    /// What was paid, in satang, when it differs from `amount_satang` of the list (the
    /// farmer is shown both); left out, the listed amount was paid.
    pub amount_satang: Option<i64>,
    /// Set when the transfer failed, instead of paying: `account_closed`, `name_mismatch`,
    /// `no_account`, `promptpay_not_linked` or `other`. The farmer is told what to fix; the
    /// case comes back on the list once they have.
    pub failed: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentResults {
    pub results: Vec<PaymentResult>,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentResult {
    pub reference: String,
    /// `paid` (now), `already_paid` (by an earlier call), `not_found` (not this programme's,
    /// or outside the key's area), `not_approved` (not waiting for payment) or `failed` (the
    /// failure is recorded and the farmer told).
    pub outcome: String,
}

/// Marks a batch of a programme's approved cases paid. Retrying a batch is safe.
#[utoipa::path(
    tag = "payments",
    params(("programme_id" = String, Path, description = "The programme the payments are for")),
    request_body = PaymentBatch,
    responses(
        (status = 200, description = "The outcome for each payment, in the order given", body = PaymentResults),
        (status = 400, description = "A body that cannot be read, or more than 500 payments", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the `payments` scope", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Over the key's rate limit", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/programmes/{programme_id}/payments")]
pub async fn mark_paid(
    partner: Partner,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    let programme_id = path.into_inner();
    let check = partner.require(ApiScope::Payments);
    let known = partner.state.rules.programme(&programme_id).is_some();
    let gate = partner.gate();
    let area = partner.area();
    let actor = partner.actor();
    let state = partner.state.clone();
    let batch: Result<PaymentBatch, _> = serde_json::from_slice(&body);
    let results = partner
        .run("mark_paid", programme_id.clone(), move |conn, _| {
            check?;
            if !known {
                return Err(gate.problem(Refusal::NotFound));
            }
            let batch =
                batch.map_err(|_| gate.problem(Refusal::BadRequest("api.problem.bad_body")))?;
            if batch.payments.is_empty() || batch.payments.len() > MAX_BATCH {
                return Err(gate.problem(Refusal::BadRequest("api.problem.batch_size")));
            }
            let possible = 1..=crate::domain::money::MAX_BAHT * 100;
            if batch
                .payments
                .iter()
                .any(|p| p.amount_satang.is_some_and(|a| !possible.contains(&a)))
            {
                return Err(gate.problem(Refusal::BadRequest("api.problem.paid_amount")));
            }
            let mut failures = Vec::with_capacity(batch.payments.len());
            for payment in &batch.payments {
                failures.push(match payment.failed.as_deref() {
                    None => None,
                    Some(code) => Some(PaymentFailure::parse(code).map_err(|_| {
                        gate.problem(Refusal::BadRequest("api.problem.payment_failure"))
                    })?),
                });
            }
            let cx = crate::web::case_view::case_context(&state);
            let mut results = Vec::with_capacity(batch.payments.len());
            for (payment, failed) in batch.payments.into_iter().zip(failures) {
                let made = payments::Payment {
                    programme_id: &programme_id,
                    reference: &payment.reference,
                    transfer_reference: &payment.transfer_reference,
                    amount_satang: payment.amount_satang,
                    failed,
                };
                let outcome = payments::record(conn, &cx, &actor, &area, &made)
                    .map_err(crate::web::case_view::case_error)?;
                results.push(PaymentResult {
                    reference: payment.reference.trim().to_owned(),
                    outcome: outcome.code().to_owned(),
                });
            }
            Ok(PaymentResults { results })
        })
        .await?;
    Ok(HttpResponse::Ok().json(results))
}
