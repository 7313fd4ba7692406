//! One-time codes sent by SMS: the page that asks for the code (finishing a sign-up, signing
//! in without a password, choosing a new password), and asking for a sign-in or a reset code
//! by national ID. Which code the visitor waits for is kept in their session; the rules are
//! in `services::one_time_codes`.

use super::auth::{home_of, new_password, reserve};
use super::context::{client_ip, redirect, render, render_status, Ctx, FieldErrors, Posted};
use super::routes::{Access, Routes};
use crate::db::users;
use crate::domain::one_time_code::{typed_code, CodePurpose};
use crate::domain::{NationalId, Phone};
use crate::error::AppError;
use crate::services::accounts::{self, NotAllowed};
use crate::services::one_time_codes::{self, Checked, CodeFor, Issued};
use crate::services::sign_in;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// The session's key for the code the visitor waits for (0: asked for an account that has no
/// phone, or none at all — the visitor is not told which).
const WAITING_CODE: &str = "waiting_code";

pub fn routes(routes: &mut Routes) {
    routes
        .get("/code", Access::Public, code_page)
        .post("/code", Access::Public, give_code)
        .get("/login/code", Access::Public, ask_page)
        .post("/login/code", Access::Public, ask_sign_in_code)
        .post("/password/code", Access::Public, ask_reset_code);
}

#[derive(Template)]
#[template(path = "auth/code.html")]
struct CodePage {
    ctx: Ctx,
    /// What the code is for, while one is waiting.
    purpose: Option<CodePurpose>,
    /// The phone it went to, partly hidden: shown only for a sign-up, whose identity is proven.
    phone: Option<String>,
    errors: FieldErrors,
    alert: Option<&'static str>,
}

impl CodePage {
    fn asks_password(&self) -> bool {
        self.purpose == Some(CodePurpose::PasswordReset)
    }
}

/// The code the session waits for: its id, purpose and phone (id 0 for an unknown account).
async fn waiting(ctx: &Ctx) -> Result<Option<(i32, Option<(CodePurpose, String)>)>, AppError> {
    let Some(id) = ctx.session.get::<i32>(WAITING_CODE).ok().flatten() else {
        return Ok(None);
    };
    let now = ctx.state.clock.now();
    let found = ctx
        .db(move |conn| Ok(one_time_codes::waiting(conn, id, now)?))
        .await?;
    Ok(Some((id, found)))
}

fn page(
    ctx: Ctx,
    status: StatusCode,
    purpose: Option<CodePurpose>,
    phone: Option<&str>,
    errors: FieldErrors,
    alert: Option<&'static str>,
) -> Result<HttpResponse, AppError> {
    let phone = phone
        .filter(|_| purpose == Some(CodePurpose::SignUp))
        .and_then(|p| Phone::parse(p).ok())
        .map(|p| p.masked());
    render_status(
        status,
        &CodePage {
            ctx,
            purpose,
            phone,
            errors,
            alert,
        },
    )
}

/// The page when no code waits any more: used, expired, guessed too often, or never sent.
fn gone(ctx: Ctx) -> Result<HttpResponse, AppError> {
    page(
        ctx,
        StatusCode::GONE,
        None,
        None,
        FieldErrors::default(),
        Some("code.error.gone"),
    )
}

/// Keeps in the session which code the visitor waits for, and sends them to the code page.
fn wait_for_code(ctx: &Ctx, id: i32) -> Result<HttpResponse, AppError> {
    ctx.session
        .insert(WAITING_CODE, id)
        .map_err(|e| AppError::Session(e.to_string()))?;
    Ok(redirect("/code"))
}

/// Where the visitor goes once a code is sent (or too many were).
pub fn code_sent(ctx: Ctx, issued: Issued) -> Result<HttpResponse, AppError> {
    match issued {
        Issued::Sent(id) => {
            ctx.state.mail_wake.notify_one();
            wait_for_code(&ctx, id)
        }
        Issued::TooMany => page(
            ctx,
            StatusCode::TOO_MANY_REQUESTS,
            None,
            None,
            FieldErrors::default(),
            Some("code.too_many"),
        ),
    }
}

pub async fn code_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    match waiting(&ctx).await? {
        Some((_, Some((purpose, phone)))) => page(
            ctx,
            StatusCode::OK,
            Some(purpose),
            Some(&phone),
            FieldErrors::default(),
            None,
        ),
        // Asked for an account with no phone: the same page, so nobody learns which it was.
        Some((0, None)) => page(
            ctx,
            StatusCode::OK,
            Some(CodePurpose::SignIn),
            None,
            FieldErrors::default(),
            None,
        ),
        _ => gone(ctx),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    password: String,
    password_confirm: String,
}

pub async fn give_code(
    ctx: Ctx,
    req: HttpRequest,
    Posted(form): Posted<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let (id, purpose, phone) = match waiting(&ctx).await? {
        Some((id, Some((purpose, phone)))) => (id, purpose, phone),
        Some((0, None)) => (0, CodePurpose::SignIn, String::new()),
        _ => return gone(ctx),
    };
    let mut errors = FieldErrors::default();
    let typed = errors.check("code", typed_code(&form.code));
    let password = if purpose == CodePurpose::PasswordReset {
        new_password(&form.password, &form.password_confirm, &[], &mut errors)
    } else {
        None
    };
    let refused = |ctx, errors, alert| {
        page(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(purpose),
            Some(&phone),
            errors,
            alert,
        )
    };
    let Some(typed) = typed.filter(|_| errors.is_empty()) else {
        return refused(ctx, errors, None);
    };
    // Guesses pass the sign-in throttle, per phone and per address.
    let key = format!("code:{}", if phone.is_empty() { "none" } else { &phone });
    let ip = client_ip(&req, ctx.state.settings.proxy_hops);
    let attempt = match reserve(&ctx, &key, &ip).await? {
        Ok(attempt) => attempt,
        Err(_) => {
            return page(
                ctx,
                StatusCode::TOO_MANY_REQUESTS,
                Some(purpose),
                Some(&phone),
                FieldErrors::default(),
                Some("code.too_many_tries"),
            )
        }
    };
    let now = ctx.state.clock.now();
    let checked = if id == 0 {
        Checked::Wrong
    } else {
        ctx.db(move |conn| Ok(one_time_codes::check(conn, id, &typed, now)?))
            .await?
    };
    let row = match checked {
        Checked::Passed(row) => row,
        Checked::Wrong => {
            errors.add("code", "code.error.wrong");
            return refused(ctx, errors, None);
        }
        Checked::Gone => return gone(ctx),
    };
    ctx.session.remove(WAITING_CODE);
    let locale = ctx.locale().code();
    match purpose {
        CodePurpose::SignUp => {
            let Some(claim) = accounts::Claim::from_waiting(&row.pending) else {
                return gone(ctx);
            };
            let created = ctx
                .db(move |conn| {
                    sign_in::not_a_failure(conn, attempt, &key)?;
                    Ok(accounts::register_farmer(conn, &claim, now)?)
                })
                .await?;
            match created {
                Ok(user_id) => {
                    ctx.sign_in(user_id)?;
                    Ok(redirect("/farm"))
                }
                Err(NotAllowed::AlreadyRegistered) => page(
                    ctx,
                    StatusCode::CONFLICT,
                    None,
                    None,
                    FieldErrors::default(),
                    Some("register.already_registered"),
                ),
                Err(_) => gone(ctx),
            }
        }
        CodePurpose::SignIn => {
            let user_id = row.user_id.unwrap_or_default();
            let user = ctx
                .db(move |conn| {
                    let user = users::find(conn, user_id)?.filter(|u| u.disabled_at.is_none());
                    if user.is_some() {
                        sign_in::succeeded(conn, attempt, &key, user_id, locale)?;
                    }
                    Ok(user)
                })
                .await?;
            let Some(user) = user else {
                return gone(ctx);
            };
            ctx.sign_in(user.id)?;
            Ok(redirect(home_of(user.role)))
        }
        CodePurpose::PasswordReset => {
            let (Some(user_id), Some(password)) = (row.user_id, password) else {
                return gone(ctx);
            };
            let hash = web::block(move || password.hash()).await?;
            ctx.db(move |conn| {
                sign_in::not_a_failure(conn, attempt, &key)?;
                Ok(sign_in::reset_password(conn, user_id, &hash, now)?)
            })
            .await?;
            ctx.sign_out();
            Ok(redirect("/login?reset=done"))
        }
    }
}

#[derive(Template)]
#[template(path = "auth/login_code.html")]
struct AskPage {
    ctx: Ctx,
    national_id: String,
    errors: FieldErrors,
}

pub async fn ask_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render(&AskPage {
        ctx,
        national_id: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AskForm {
    national_id: String,
}

pub async fn ask_sign_in_code(
    ctx: Ctx,
    req: HttpRequest,
    Posted(form): Posted<AskForm>,
) -> Result<HttpResponse, AppError> {
    ask_code(ctx, req, form, CodePurpose::SignIn).await
}

pub async fn ask_reset_code(
    ctx: Ctx,
    req: HttpRequest,
    Posted(form): Posted<AskForm>,
) -> Result<HttpResponse, AppError> {
    ask_code(ctx, req, form, CodePurpose::PasswordReset).await
}

/// Sends a code to the phone of the account with this national ID, if there is one; the
/// visitor goes to the code page either way.
async fn ask_code(
    ctx: Ctx,
    req: HttpRequest,
    form: AskForm,
    purpose: CodePurpose,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    let Some(national_id) = errors.check("national_id", NationalId::parse(&form.national_id))
    else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AskPage {
                ctx,
                national_id: form.national_id,
                errors,
            },
        );
    };
    let now = ctx.state.clock.now();
    let ip = client_ip(&req, ctx.state.settings.proxy_hops);
    let tr = ctx.tr;
    let issued = ctx
        .db(move |conn| {
            let user = users::find_by_login(conn, national_id.as_str())?
                .filter(|u| u.disabled_at.is_none());
            let Some((user, phone)) = user.and_then(|u| {
                let phone = u.phone.as_deref().and_then(|p| Phone::parse(p).ok())?;
                Some((u, phone))
            }) else {
                return Ok(None);
            };
            let to = CodeFor {
                purpose,
                user_id: Some(user.id),
                phone: &phone,
                pending: "",
                address: &ip,
            };
            Ok(Some(one_time_codes::issue(conn, tr, &to, now)?))
        })
        .await?;
    match issued {
        Some(issued) => code_sent(ctx, issued),
        None => wait_for_code(&ctx, 0),
    }
}
