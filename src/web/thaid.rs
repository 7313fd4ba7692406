//! "Sign in with ThaID": a link to the provider (a link, not a form: the page's policy lets
//! forms go only to Kaset), and the page ThaID sends the person back to. The checks are in
//! `services::thaid`, who the person is in `services::accounts`.

use super::auth::{home_of, login_refused};
use super::context::{redirect, safe_next, Ctx};
use super::routes::{Access, Routes};
use crate::error::AppError;
use crate::services::accounts::{self, NotSignedIn};
use crate::services::thaid::{self, Pending, ThaidError};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

/// The session's key for the round trip under way, and the page to go on to afterwards.
const THAID_PENDING: &str = "thaid_login";

pub fn routes(routes: &mut Routes) {
    routes.get("/login/thaid", Access::Public, start).get(
        "/login/thaid/callback",
        Access::Public,
        came_back,
    );
}

#[derive(Deserialize)]
pub struct Start {
    next: Option<String>,
}

/// Sends the visitor to ThaID, keeping in their session what must come back.
pub async fn start(ctx: Ctx, query: web::Query<Start>) -> Result<HttpResponse, AppError> {
    if let Some(user) = &ctx.user {
        return Ok(redirect(home_of(user.role)));
    }
    let next = query.next.as_deref().map(|n| safe_next(Some(n)));
    match thaid::start(&ctx.state.settings.thaid, &ctx.state.public_url).await {
        Ok((url, pending)) => {
            ctx.session
                .insert(THAID_PENDING, (&pending, &next))
                .map_err(|e| AppError::Session(e.to_string()))?;
            Ok(redirect(&url))
        }
        Err(error) => {
            tracing::warn!(%error, "sign-in with ThaID could not start");
            refused(ctx, &error)
        }
    }
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    /// Set by the provider instead of a code, e.g. `access_denied` when the person cancelled.
    error: Option<String>,
}

/// ThaID sends the person back: the state must be the one sent, the code is exchanged and its
/// ID token checked, and the person signed in as the account of their national ID.
pub async fn came_back(ctx: Ctx, query: web::Query<Callback>) -> Result<HttpResponse, AppError> {
    let pending = ctx
        .session
        .remove_as::<(Pending, Option<String>)>(THAID_PENDING)
        .and_then(Result::ok);
    if query.error.is_some() {
        return login_refused(ctx, StatusCode::UNAUTHORIZED, "thaid.cancelled");
    }
    let (Some((pending, next)), Some(code), Some(state)) =
        (pending, query.code.as_deref(), query.state.as_deref())
    else {
        return login_refused(ctx, StatusCode::UNAUTHORIZED, "thaid.failed");
    };
    if !crate::domain::constant_time_eq(state, &pending.state) {
        return login_refused(ctx, StatusCode::UNAUTHORIZED, "thaid.failed");
    }
    let settings = &ctx.state.settings.thaid;
    let national_id = match thaid::finish(
        settings,
        &ctx.state.public_url,
        pending,
        code,
        ctx.state.clock,
    )
    .await
    {
        Ok(national_id) => national_id,
        Err(error) => {
            tracing::warn!(%error, "sign-in with ThaID refused");
            return refused(ctx, &error);
        }
    };
    let locale = ctx.locale().code();
    let now = ctx.state.clock.now();
    let found = ctx
        .db(move |conn| {
            Ok(accounts::account_for_thaid(
                conn,
                &national_id,
                locale,
                now,
            )?)
        })
        .await?;
    match found {
        Ok(user) => {
            ctx.sign_in(user.id)?;
            let next = next.unwrap_or_else(|| home_of(user.role).to_owned());
            Ok(redirect(&next))
        }
        Err(NotSignedIn::NotInRegistry) => {
            login_refused(ctx, StatusCode::FORBIDDEN, "thaid.not_in_registry")
        }
        Err(NotSignedIn::Disabled) => login_refused(ctx, StatusCode::FORBIDDEN, "auth.disabled"),
    }
}

fn refused(ctx: Ctx, error: &ThaidError) -> Result<HttpResponse, AppError> {
    match error {
        // A link kept from elsewhere: the sign-in page, saying what works here instead.
        ThaidError::NotSetUp => login_refused(ctx, StatusCode::OK, "thaid.not_offered"),
        ThaidError::Unreachable(_) => {
            login_refused(ctx, StatusCode::SERVICE_UNAVAILABLE, "thaid.unreachable")
        }
        ThaidError::Refused(_) => login_refused(ctx, StatusCode::UNAUTHORIZED, "thaid.failed"),
    }
}
