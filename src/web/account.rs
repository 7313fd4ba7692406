//! The farmer's own account settings: how Kaset's messages reach them (SMS, e-mail), in the
//! order they choose; each channel is tried when the one before it fails.

use super::context::{redirect, render_status, Ctx, FieldErrors, Posted};
use super::officer::Choice;
use super::routes::{Routes, FARMER};
use crate::domain::{Channel, ChannelOrder, Phone};
use crate::error::AppError;
use crate::services::{accounts, line_login};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use askama::Template;
use std::collections::HashMap;

pub fn routes(routes: &mut Routes) {
    routes
        .get("/account/messages", FARMER, messages_page)
        .post("/account/messages", FARMER, choose_channels)
        .get("/account/line/link", FARMER, link_line)
        .get("/account/line/callback", FARMER, line_linked)
        .post("/account/line/unlink", FARMER, unlink_line);
}

/// How many channels the order holds: a first choice and two to fall back on.
const PLACES: [&str; 3] = ["first", "second", "third"];
const PLACE_LABELS: [&str; 3] = [
    "account.messages.first",
    "account.messages.second",
    "account.messages.third",
];
/// The session's key for the LINE Login round trip under way.
const LINE_PENDING: &str = "line_login";

/// The channels this farmer can choose: SMS and e-mail, and LINE once linked.
fn offered(user: &crate::db::users::UserRow) -> Vec<Channel> {
    let mut offered = vec![Channel::Sms, Channel::Email];
    if user.line_user_id.is_some() {
        offered.insert(0, Channel::Line);
    }
    offered
}

#[derive(Template)]
#[template(path = "account/messages.html")]
struct MessagesPage {
    ctx: Ctx,
    /// The phone messages go to, partly hidden.
    phone: Option<String>,
    email: Option<String>,
    /// Whether LINE is linked, and whether it can be (LINE set up on this server).
    line_linked: bool,
    line_offered: bool,
    /// Per place (`first`, `second`): its label and the options.
    places: Vec<(&'static str, &'static str, Vec<Choice>)>,
    errors: FieldErrors,
    /// A catalogue key saying what just happened (saved, LINE linked …).
    done: Option<&'static str>,
}

async fn show(
    ctx: Ctx,
    chosen: Vec<String>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let user_id = ctx.farmer()?.0.id;
    let user = ctx
        .db(move |conn| crate::db::users::find(conn, user_id)?.ok_or(AppError::NotFound))
        .await?;
    let chosen = if chosen.is_empty() {
        user.channel_order()
            .channels()
            .iter()
            .map(|c| c.code().to_owned())
            .collect()
    } else {
        chosen
    };
    let tr = ctx.tr;
    let offered = offered(&user);
    let places = PLACES
        .iter()
        .zip(PLACE_LABELS)
        .take(offered.len())
        .enumerate()
        .map(|(i, (place, label))| {
            let selected = chosen.get(i).map_or("", String::as_str);
            let options = offered
                .iter()
                .map(|channel| Choice {
                    value: channel.code().to_owned(),
                    label: tr.t(channel.label_key()).to_owned(),
                    selected: channel.code() == selected,
                })
                .collect();
            (*place, label, options)
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let done = match ctx.path.rsplit_once('?').map(|(_, q)| q) {
        Some("saved=1") => Some("account.messages.saved"),
        Some("linked=1") => Some("account.line.linked"),
        Some("unlinked=1") => Some("account.line.unlinked"),
        Some("line_failed=1") => Some("account.line.failed"),
        Some("line_taken=1") => Some("account.line.taken"),
        _ => None,
    };
    let line_offered = ctx.state.settings.line.offered();
    render_status(
        status,
        &MessagesPage {
            phone: user
                .phone
                .as_deref()
                .and_then(|p| Phone::parse(p).ok())
                .map(|p| p.masked()),
            line_linked: user.line_user_id.is_some(),
            email: user.email,
            line_offered,
            ctx,
            places,
            errors,
            done,
        },
    )
}

pub async fn messages_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    show(ctx, Vec::new(), FieldErrors::default()).await
}

pub async fn choose_channels(
    ctx: Ctx,
    Posted(form): Posted<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let user_id = ctx.farmer()?.0.id;
    let user = ctx
        .db(move |conn| crate::db::users::find(conn, user_id)?.ok_or(AppError::NotFound))
        .await?;
    let offered = offered(&user);
    let chosen: Vec<String> = PLACES
        .iter()
        .map(|place| form.get(*place).cloned().unwrap_or_default())
        .collect();
    let mut errors = FieldErrors::default();
    let offered = chosen
        .iter()
        .all(|c| c.is_empty() || offered.iter().any(|o| o.code() == c));
    let order = errors.check(
        "first",
        if offered {
            ChannelOrder::parse(chosen.iter().map(String::as_str))
        } else {
            Err(crate::domain::Invalid::new("error.choice"))
        },
    );
    let Some(order) = order else {
        return show(ctx, chosen, errors).await;
    };
    let now = ctx.state.clock.now();
    ctx.db(move |conn| Ok(accounts::choose_channels(conn, user_id, &order, now)?))
        .await?;
    Ok(redirect("/account/messages?saved=1"))
}

/// Sends the farmer to LINE Login to link their LINE account. A link, not a form: the page's
/// policy lets forms go only to Kaset, and this goes on to LINE. Nothing is changed until LINE
/// sends the farmer back with the state kept in their own session.
pub async fn link_line(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.farmer()?;
    let settings = &ctx.state.settings.line;
    let Ok((url, pending)) = line_login::start(settings, &ctx.state.public_url) else {
        return Ok(redirect("/account/messages?line_failed=1"));
    };
    ctx.session
        .insert(LINE_PENDING, &pending)
        .map_err(|e| AppError::Session(e.to_string()))?;
    Ok(redirect(&url))
}

#[derive(serde::Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
}

/// LINE Login brings the farmer back: the state must be the one sent, the code is exchanged
/// and its ID token verified, and the LINE user id linked.
pub async fn line_linked(
    ctx: Ctx,
    query: actix_web::web::Query<Callback>,
) -> Result<HttpResponse, AppError> {
    let user_id = ctx.farmer()?.0.id;
    let pending = ctx
        .session
        .remove_as::<line_login::Pending>(LINE_PENDING)
        .and_then(Result::ok);
    let (Some(pending), Some(code), Some(state)) = (pending, &query.code, &query.state) else {
        return Ok(redirect("/account/messages?line_failed=1"));
    };
    if !crate::domain::constant_time_eq(state, &pending.state) {
        return Ok(redirect("/account/messages?line_failed=1"));
    }
    let line_user_id = match line_login::finish(
        &ctx.state.settings.line,
        &ctx.state.public_url,
        &pending,
        code,
    )
    .await
    {
        Ok(id) => id,
        Err(error) => {
            tracing::warn!(%error, "LINE Login failed");
            return Ok(redirect("/account/messages?line_failed=1"));
        }
    };
    let now = ctx.state.clock.now();
    let linked = ctx
        .db(move |conn| Ok(accounts::link_line(conn, user_id, &line_user_id, now)?))
        .await?;
    Ok(redirect(if linked {
        "/account/messages?linked=1"
    } else {
        "/account/messages?line_taken=1"
    }))
}

pub async fn unlink_line(
    ctx: Ctx,
    _: Posted<crate::web::context::NoFields>,
) -> Result<HttpResponse, AppError> {
    let user_id = ctx.farmer()?.0.id;
    let now = ctx.state.clock.now();
    ctx.db(move |conn| Ok(accounts::unlink_line(conn, user_id, now)?))
        .await?;
    Ok(redirect("/account/messages?unlinked=1"))
}
