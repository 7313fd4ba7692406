//! Signing in and out, creating a farmer account by proving identity against the registry, and
//! resetting a forgotten password through an e-mailed, single-use, expiring link.
//!
//! Over 500 lines because sign-in, sign-up and the password reset share one throttle and one
//! set of form helpers.

use super::context::{
    client_ip, redirect, render, render_invalid, render_status, safe_next, Ctx, FieldErrors,
    NoFields, Posted,
};
use crate::db::{audit, logins, sessions, users};
use crate::domain::date as domain_date;
use crate::domain::{
    sha256_hex, verify_password, Email, NationalId, Password, RegistryNumber, Role,
};
use crate::error::AppError;
use crate::services::accounts::{self, Registered};
use crate::services::emails;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use rand::RngCore;
use serde::Deserialize;

/// Failed logins allowed per account from one address, and per address, within
/// `THROTTLE_WINDOW_MINUTES`. The per-address limit is generous because many rural phones
/// share one carrier address (CGNAT). No count refuses an account from every address: that
/// would let anyone lock anyone out. Failures from everywhere slow the account down instead.
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
pub const MAX_IP_FAILURES: i64 = 50;
/// Each failure of an account beyond `MAX_ACCOUNT_FAILURES` (from any address) makes its next
/// attempt wait this long more, up to `MAX_SLOWDOWN_SECS`.
const SLOWDOWN_SECS_PER_FAILURE: u64 = 1;
const MAX_SLOWDOWN_SECS: u64 = 10;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
const RESET_LINK_MINUTES: i64 = 30;
const RESETS_PER_HOUR: i64 = 3;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    login: String,
    password: String,
    next: String,
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: Ctx,
    login: String,
    next: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    alert: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    reset: Option<String>,
}

fn home_of(role: Role) -> &'static str {
    match role {
        Role::Farmer => "/farm",
        Role::Officer | Role::Manager => "/officer/households",
        Role::Admin => "/admin/users",
        // Partners have no account to sign in with.
        Role::Partner => "/",
    }
}

pub async fn login_page(ctx: Ctx, query: web::Query<LoginQuery>) -> Result<HttpResponse, AppError> {
    if let Some(user) = &ctx.user {
        return Ok(redirect(home_of(user.role)));
    }
    let notice = query.reset.as_ref().map(|_| "auth.reset_done");
    render(&LoginPage {
        ctx,
        login: String::new(),
        next: query.next.clone().unwrap_or_default(),
        errors: FieldErrors::default(),
        notice,
        alert: None,
    })
}

/// National IDs are stored as bare digits and e-mail addresses in lower case.
fn account_key(login: &str) -> String {
    match NationalId::parse(login) {
        Ok(id) => id.as_str().to_owned(),
        Err(_) => login.trim().to_lowercase(),
    }
}

pub async fn login(
    ctx: Ctx,
    req: HttpRequest,
    Posted(form): Posted<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    if form.login.trim().is_empty() {
        errors.add("login", "error.required");
    }
    if form.password.is_empty() {
        errors.add("password", "error.required");
    }
    let page = |ctx: Ctx, errors: FieldErrors, alert: Option<String>| LoginPage {
        ctx,
        login: form.login.clone(),
        next: form.next.clone(),
        errors,
        notice: None,
        alert,
    };
    if !errors.is_empty() {
        return render_invalid(&page(ctx, errors, None));
    }

    let key = account_key(&form.login);
    let ip = client_ip(&req, ctx.state.settings.proxy_hops);
    let attempt = match reserve(&ctx, &key, &ip).await? {
        Ok(attempt) => attempt,
        Err(alert) => {
            return render_status(
                StatusCode::TOO_MANY_REQUESTS,
                &page(ctx, FieldErrors::default(), Some(alert)),
            );
        }
    };
    let user = {
        let key = key.clone();
        ctx.db(move |conn| Ok(users::find_by_login(conn, &key)?))
            .await?
    };

    // argon2 is slow by design: verify on the blocking pool, never on the async workers.
    let password = form.password.clone();
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    let password_ok =
        web::block(move || verify_password(&password, stored_hash.as_deref())).await?;
    let active_user = user.filter(|u| password_ok && u.disabled_at.is_none());
    let disabled = password_ok && active_user.is_none();
    if let Some(id) = active_user.as_ref().map(|u| u.id) {
        let key = key.clone();
        let locale = ctx.locale().code();
        ctx.db(move |conn| {
            logins::mark_succeeded(conn, attempt, &key)?;
            users::set_locale(conn, id, locale)?;
            Ok(())
        })
        .await?;
    }
    match active_user {
        Some(user) => {
            ctx.sign_in(user.id)?;
            let next = if form.next.is_empty() {
                home_of(user.role).to_owned()
            } else {
                safe_next(Some(&form.next))
            };
            Ok(redirect(&next))
        }
        None => {
            let key = if disabled {
                "auth.disabled"
            } else {
                "auth.bad_credentials"
            };
            let alert = ctx.tr.t(key).to_owned();
            render_status(
                StatusCode::UNAUTHORIZED,
                &page(ctx, FieldErrors::default(), Some(alert)),
            )
        }
    }
}

/// When `key` (an account, or an identity being proven) or the address has failed too often
/// within the window, the message saying when to try again.
/// Reserves an attempt for `key` from `ip` (see `logins::reserve_attempt`): the attempt's id,
/// after waiting out the account's slow-down, or the message that says when to try again.
async fn reserve(ctx: &Ctx, key: &str, ip: &str) -> Result<Result<i32, String>, AppError> {
    let now = ctx.state.clock.now();
    let limits = logins::AttemptLimits {
        per_account_and_address: MAX_ACCOUNT_FAILURES,
        per_address: MAX_IP_FAILURES,
        since: now - chrono::Duration::minutes(THROTTLE_WINDOW_MINUTES),
    };
    let (key, ip) = (key.to_owned(), ip.to_owned());
    let reservation = ctx
        .db(move |conn| Ok(logins::reserve_attempt(conn, &key, &ip, &limits, now)?))
        .await?;
    match reservation {
        logins::Reservation::Reserved {
            attempt,
            account_failures,
        } => {
            let beyond = u64::try_from(account_failures - MAX_ACCOUNT_FAILURES).unwrap_or(0);
            let wait = (beyond * SLOWDOWN_SECS_PER_FAILURE).min(MAX_SLOWDOWN_SECS);
            if wait > 0 {
                actix_web::rt::time::sleep(std::time::Duration::from_secs(wait)).await;
            }
            Ok(Ok(attempt))
        }
        logins::Reservation::Refused { oldest } => {
            let unlock = oldest + chrono::Duration::minutes(THROTTLE_WINDOW_MINUTES);
            let minutes = ((unlock - now).num_seconds() + 59) / 60;
            Ok(Err(ctx.tr.fmt(
                "auth.throttled",
                &[("minutes", &minutes.max(1).to_string())],
            )))
        }
    }
}

pub async fn logout(ctx: Ctx, _: Posted<NoFields>) -> Result<HttpResponse, AppError> {
    ctx.sign_out();
    Ok(redirect("/"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterForm {
    national_id: String,
    birth_date: String,
    registry_number: String,
    email: String,
    password: String,
    password_confirm: String,
}

#[derive(Template)]
#[template(path = "auth/register.html")]
struct RegisterPage {
    ctx: Ctx,
    form: RegisterForm,
    errors: FieldErrors,
    alert: Option<&'static str>,
    throttled: Option<String>,
}

pub async fn register_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    if let Some(user) = &ctx.user {
        return Ok(redirect(home_of(user.role)));
    }
    render(&RegisterPage {
        ctx,
        form: RegisterForm::default(),
        errors: FieldErrors::default(),
        alert: None,
        throttled: None,
    })
}

/// The password chosen in a form's two boxes, or `None` with the reason recorded in `errors`.
fn new_password(
    password: &str,
    confirmation: &str,
    personal: &[&str],
    errors: &mut FieldErrors,
) -> Option<Password> {
    match Password::choose(password, personal) {
        Err(rejection) => {
            errors.add("password", rejection.message_key());
            None
        }
        Ok(_) if password != confirmation => {
            errors.add("password_confirm", "error.password.mismatch");
            None
        }
        Ok(chosen) => Some(chosen),
    }
}

pub async fn register(
    ctx: Ctx,
    req: HttpRequest,
    Posted(form): Posted<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let mut errors = FieldErrors::default();
    let national_id = errors.check("national_id", NationalId::parse(&form.national_id));
    let birth_date = errors.check(
        "birth_date",
        domain_date::past_date(&form.birth_date, ctx.state.clock.today()),
    );
    let registry_number = errors.check(
        "registry_number",
        RegistryNumber::parse(&form.registry_number),
    );
    let email = errors.check("email", Email::parse(&form.email));
    let personal = [
        form.national_id.as_str(),
        form.email.as_str(),
        form.registry_number.as_str(),
    ];
    let password = new_password(
        &form.password,
        &form.password_confirm,
        &personal,
        &mut errors,
    );
    let rerender =
        |ctx: Ctx, form: RegisterForm, errors: FieldErrors, alert: Option<&'static str>| {
            // Passwords are never sent back to the browser.
            let form = RegisterForm {
                password: String::new(),
                password_confirm: String::new(),
                ..form
            };
            render_invalid(&RegisterPage {
                ctx,
                form,
                errors,
                alert,
                throttled: None,
            })
        };
    let (Some(national_id), Some(birth_date), Some(registry_number), Some(email), Some(password)) =
        (national_id, birth_date, registry_number, email, password)
    else {
        return rerender(ctx, form, errors, None);
    };
    if !errors.is_empty() {
        return rerender(ctx, form, errors, None);
    }

    // Proving an identity is guessable (birth dates are few), so failures are throttled like
    // logins, per national ID and per address.
    let attempt_key = format!("register:{}", national_id.as_str());
    let ip = client_ip(&req, ctx.state.settings.proxy_hops);
    let attempt = match reserve(&ctx, &attempt_key, &ip).await? {
        Ok(attempt) => attempt,
        Err(alert) => {
            let form = RegisterForm {
                password: String::new(),
                password_confirm: String::new(),
                ..form
            };
            return render_status(
                StatusCode::TOO_MANY_REQUESTS,
                &RegisterPage {
                    ctx,
                    form,
                    errors,
                    alert: None,
                    throttled: Some(alert),
                },
            );
        }
    };
    let hash = web::block(move || password.hash()).await?;
    let locale = ctx.locale().code();
    let claim = accounts::Claim {
        national_id,
        birth_date,
        registry_number,
        email,
        password_hash: hash,
        locale,
    };
    let outcome = ctx
        .db(move |conn| Ok(accounts::register_farmer(conn, &claim, now)?))
        .await?;
    // Only a wrong identity counts as a failed attempt.
    if !matches!(outcome, Registered::NoMatch) {
        ctx.db(move |conn| Ok(logins::mark_succeeded(conn, attempt, &attempt_key)?))
            .await?;
    }
    match outcome {
        Registered::Created(id) => {
            ctx.sign_in(id)?;
            Ok(redirect("/farm"))
        }
        Registered::NoMatch => rerender(ctx, form, errors, Some("register.no_match")),
        Registered::AlreadyRegistered => {
            rerender(ctx, form, errors, Some("register.already_registered"))
        }
        Registered::EmailTaken => {
            errors.add("email", "error.email.taken");
            rerender(ctx, form, errors, None)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForgotForm {
    email: String,
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    ctx: Ctx,
    email: String,
    errors: FieldErrors,
    sent: bool,
}

pub async fn forgot_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render(&ForgotPage {
        ctx,
        email: String::new(),
        errors: FieldErrors::default(),
        sent: false,
    })
}

/// Always answers "if an account exists, we sent a link", so the form cannot be used to learn
/// who has an account.
pub async fn forgot(ctx: Ctx, Posted(form): Posted<ForgotForm>) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let mut errors = FieldErrors::default();
    let Some(email) = errors.check("email", Email::parse(&form.email)) else {
        return render_invalid(&ForgotPage {
            ctx,
            email: form.email,
            errors,
            sent: false,
        });
    };
    let mut token_bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut token_bytes);
    let token = hex::encode(token_bytes);
    let link = format!("{}/password/reset?token={}", ctx.state.public_url, token);
    let tr = ctx.tr;
    let queued = ctx
        .db(move |conn| {
            let Some(user) = users::find_by_email(conn, email.as_str())? else {
                return Ok(false);
            };
            if user.disabled_at.is_some() {
                return Ok(false);
            }
            crate::db::write_transaction(conn, |conn| {
                if logins::resets_since(conn, user.id, now - chrono::Duration::hours(1))?
                    >= RESETS_PER_HOUR
                {
                    return Ok(false); // no mail-bombing through this form
                }
                let expires = now + chrono::Duration::minutes(RESET_LINK_MINUTES);
                logins::insert_reset(conn, user.id, &sha256_hex(&token), now, expires)?;
                emails::queue_password_link(
                    conn,
                    tr,
                    emails::PasswordLinkKind::Reset,
                    email.as_str(),
                    &user.display_name,
                    &link,
                    now,
                )
                .map_err(AppError::Internal)?;
                Ok(true)
            })
        })
        .await?;
    if queued {
        ctx.state.mail_wake.notify_one();
    }
    render(&ForgotPage {
        ctx,
        email: String::new(),
        errors,
        sent: true,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    token: String,
    password: String,
    password_confirm: String,
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    ctx: Ctx,
    token: String,
    valid: bool,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

async fn reset_user(ctx: &Ctx, token: &str) -> Result<Option<i32>, AppError> {
    let now = ctx.state.clock.now();
    let hash = sha256_hex(token);
    ctx.db(move |conn| Ok(logins::valid_reset(conn, &hash, now)?))
        .await
}

pub async fn reset_page(ctx: Ctx, query: web::Query<TokenQuery>) -> Result<HttpResponse, AppError> {
    let token = query.token.clone().unwrap_or_default();
    let valid = reset_user(&ctx, &token).await?.is_some();
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    render_status(
        status,
        &ResetPage {
            ctx,
            token,
            valid,
            errors: FieldErrors::default(),
        },
    )
}

pub async fn reset(ctx: Ctx, Posted(form): Posted<ResetForm>) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let Some(user_id) = reset_user(&ctx, &form.token).await? else {
        return render_status(
            StatusCode::GONE,
            &ResetPage {
                ctx,
                token: form.token,
                valid: false,
                errors: FieldErrors::default(),
            },
        );
    };
    let mut errors = FieldErrors::default();
    let password = new_password(&form.password, &form.password_confirm, &[], &mut errors);
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return render_invalid(&ResetPage {
            ctx,
            token: form.token,
            valid: true,
            errors,
        });
    };
    let hash = web::block(move || password.hash()).await?;
    ctx.db(move |conn| {
        crate::db::write_transaction(conn, |conn| {
            users::set_password_hash(conn, user_id, &hash)?;
            logins::use_resets(conn, user_id, now)?;
            // Whoever knew the old password is signed out everywhere.
            sessions::delete_for_user(conn, user_id)?;
            audit::record(
                conn,
                &audit::Actor::user(Some(user_id), "user"),
                audit::Entry {
                    action: "password_reset",
                    entity: "user",
                    entity_id: user_id.to_string(),
                    ..Default::default()
                },
                now,
            )?;
            Ok(())
        })
    })
    .await?;
    ctx.sign_out();
    Ok(redirect("/login?reset=done"))
}
