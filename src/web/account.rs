//! The farmer's own account settings: how Kaset's messages reach them (SMS, e-mail), in the
//! order they choose; each channel is tried when the one before it fails.

use super::context::{redirect, render_status, Ctx, FieldErrors, Posted};
use super::officer::Choice;
use super::routes::{Routes, FARMER};
use crate::domain::{Channel, ChannelOrder, Phone};
use crate::error::AppError;
use crate::services::accounts;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use askama::Template;
use std::collections::HashMap;

pub fn routes(routes: &mut Routes) {
    routes.get("/account/messages", FARMER, messages_page).post(
        "/account/messages",
        FARMER,
        choose_channels,
    );
}

/// The channels a farmer can choose today (LINE joins when their account is linked).
const OFFERED: [Channel; 2] = [Channel::Sms, Channel::Email];
/// How many channels the order holds: a first choice and one to fall back on.
const PLACES: [&str; 2] = ["first", "second"];

#[derive(Template)]
#[template(path = "account/messages.html")]
struct MessagesPage {
    ctx: Ctx,
    /// The phone messages go to, partly hidden.
    phone: Option<String>,
    email: Option<String>,
    /// Per place (`first`, `second`): its label and the options.
    places: Vec<(&'static str, &'static str, Vec<Choice>)>,
    errors: FieldErrors,
    saved: bool,
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
    let places = PLACES
        .iter()
        .enumerate()
        .map(|(i, place)| {
            let selected = chosen.get(i).map_or("", String::as_str);
            let options = OFFERED
                .iter()
                .map(|channel| Choice {
                    value: channel.code().to_owned(),
                    label: tr.t(channel.label_key()).to_owned(),
                    selected: channel.code() == selected,
                })
                .collect();
            let label = if i == 0 {
                "account.messages.first"
            } else {
                "account.messages.second"
            };
            (*place, label, options)
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let saved = ctx.path.ends_with("?saved=1");
    render_status(
        status,
        &MessagesPage {
            phone: user
                .phone
                .as_deref()
                .and_then(|p| Phone::parse(p).ok())
                .map(|p| p.masked()),
            email: user.email,
            ctx,
            places,
            errors,
            saved,
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
    let chosen: Vec<String> = PLACES
        .iter()
        .map(|place| form.get(*place).cloned().unwrap_or_default())
        .collect();
    let mut errors = FieldErrors::default();
    let offered = chosen
        .iter()
        .all(|c| c.is_empty() || OFFERED.iter().any(|o| o.code() == c));
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
