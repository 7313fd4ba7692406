//! Signing in and out, creating a farmer account by proving identity against the registry, and
//! resetting a forgotten password through an e-mailed, single-use, expiring link.
//! The rules behind them (the throttle, the links) are in `services::sign_in`.

use super::context::{
    client_ip, redirect, render, render_invalid, render_status, safe_next, Ctx, FieldErrors,
    NoFields, Posted,
};
use crate::db::users;
use crate::domain::date as domain_date;
use crate::domain::one_time_code::CodePurpose;
use crate::domain::{verify_password, Email, NationalId, Password, RegistryNumber, Role};
use crate::error::AppError;
use crate::services::accounts::{self, NotAllowed};
use crate::services::{one_time_codes, sign_in};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

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

pub(super) fn home_of(role: Role) -> &'static str {
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

/// The sign-in page with `alert` (a catalogue key) saying why the visitor is not signed in.
pub(super) fn login_refused(
    ctx: Ctx,
    status: StatusCode,
    alert: &'static str,
) -> Result<HttpResponse, AppError> {
    let alert = Some(ctx.tr.t(alert).to_owned());
    render_status(
        status,
        &LoginPage {
            ctx,
            login: String::new(),
            next: String::new(),
            errors: FieldErrors::default(),
            notice: None,
            alert,
        },
    )
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
        ctx.db(move |conn| Ok(sign_in::succeeded(conn, attempt, &key, id, locale)?))
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

/// Passes the throttle for `key` (an account, or an identity being proven) from `ip` (waiting out any slow-down on the async timer, holding no thread), or
/// says in the visitor's language how long this address is paused.
pub(super) async fn reserve(
    ctx: &Ctx,
    key: &str,
    ip: &str,
) -> Result<Result<i32, String>, AppError> {
    let now = ctx.state.clock.now();
    let (key, ip) = (key.to_owned(), ip.to_owned());
    let gate = ctx
        .db(move |conn| Ok(sign_in::reserve(conn, &key, &ip, now)?))
        .await?;
    match gate {
        sign_in::Gate::Open { attempt, wait } => {
            if !wait.is_zero() {
                actix_web::rt::time::sleep(wait).await;
            }
            Ok(Ok(attempt))
        }
        sign_in::Gate::Paused { minutes } => Ok(Err(ctx
            .tr
            .fmt("auth.throttled", &[("minutes", &minutes.to_string())]))),
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
pub(super) fn new_password(
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
    // E-mail is optional: most farmers are reached by SMS.
    let email = if form.email.trim().is_empty() {
        Some(None)
    } else {
        errors.check("email", Email::parse(&form.email)).map(Some)
    };
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
    let claim = accounts::Claim {
        national_id,
        birth_date,
        registry_number,
        email,
        password_hash: hash,
        locale: ctx.locale().code().to_owned(),
    };
    // The account is made once the person gives the code sent to the phone the registry
    // holds for them.
    let tr = ctx.tr;
    let outcome = ctx
        .db(move |conn| {
            let phone = match accounts::check_claim(conn, &claim)? {
                Ok((_, phone)) => phone,
                Err(refused) => return Ok(Err(refused)),
            };
            let to = one_time_codes::CodeFor {
                purpose: CodePurpose::SignUp,
                user_id: None,
                phone: &phone,
                pending: &claim.to_waiting(),
                address: &ip,
            };
            Ok(Ok(one_time_codes::issue(conn, tr, &to, now)?))
        })
        .await?;
    // Only a wrong identity counts as a failed attempt.
    if !matches!(outcome, Err(NotAllowed::NoMatch)) {
        ctx.db(move |conn| Ok(sign_in::not_a_failure(conn, attempt, &attempt_key)?))
            .await?;
    }
    match outcome {
        Ok(issued) => super::codes::code_sent(ctx, issued),
        Err(NotAllowed::NoMatch) => rerender(ctx, form, errors, Some("register.no_match")),
        Err(NotAllowed::NoPhone) => rerender(ctx, form, errors, Some("register.no_phone")),
        Err(NotAllowed::AlreadyRegistered) => {
            rerender(ctx, form, errors, Some("register.already_registered"))
        }
        Err(NotAllowed::EmailTaken) => {
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
    let (tr, public_url) = (ctx.tr, ctx.state.public_url.clone());
    let queued = ctx
        .db(move |conn| {
            Ok(sign_in::send_password_reset(
                conn,
                tr,
                email.as_str(),
                &public_url,
                now,
            )?)
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
    let token = token.to_owned();
    ctx.db(move |conn| Ok(sign_in::account_of_link(conn, &token, now)?))
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
    ctx.db(move |conn| Ok(sign_in::reset_password(conn, user_id, &hash, now)?))
        .await?;
    ctx.sign_out();
    Ok(redirect("/login?reset=done"))
}
