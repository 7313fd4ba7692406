//! "Where is my money": every payment of the farmer's household at one stable address,
//! `/payments` — on its way (with when to expect it) or paid (when, and the transfer).

use super::context::{render, Ctx};
use crate::error::AppError;
use crate::services::payments::{self, PaymentLine};
use actix_web::HttpResponse;
use askama::Template;

#[derive(Template)]
#[template(path = "farm/payments.html")]
struct PaymentsPage {
    ctx: Ctx,
    payments: Vec<PaymentLine>,
}

pub async fn my_payments(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (_, household_id) = ctx.farmer()?;
    let (rules, locale) = (ctx.state.rules.clone(), ctx.locale());
    let payments = ctx
        .db(move |conn| Ok(payments::of_household(conn, &rules, household_id, locale)?))
        .await?;
    render(&PaymentsPage { ctx, payments })
}
