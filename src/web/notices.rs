//! The in-app notice list: what changed for the user (newly eligible programmes, and later the
//! events of their cases), worded in the reader's language. Opening it marks all read.

use super::context::{render, Ctx};
use crate::db::{self, notices};
use crate::error::AppError;
use crate::rules::{evaluate::format_value, Value};
use actix_web::HttpResponse;
use askama::Template;

pub struct NoticeView {
    pub at: String,
    pub text: String,
    pub amount: Option<String>,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    ctx: Ctx,
    notices: Vec<NoticeView>,
}

pub async fn list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let user = ctx.user.clone().ok_or_else(|| AppError::SignInRequired {
        return_to: ctx.path.clone(),
    })?;
    let rows = ctx
        .db(move |conn| {
            let rows = notices::for_user(conn, user.id, 100)?;
            notices::mark_all_read(conn, user.id, db::now())?;
            Ok(rows)
        })
        .await?;
    let tr = ctx.tr;
    let rules = ctx.state.rules.clone();
    let views = rows
        .into_iter()
        .map(|n| {
            let title = rules
                .programmes
                .iter()
                .find(|p| p.id == n.subject)
                .map_or(n.subject.clone(), |p| p.title.get(tr.locale).to_owned());
            NoticeView {
                at: tr.date(&n.created_at.date()),
                text: format!("{} {}", tr.t("notices.newly_eligible"), title),
                amount: n.amount_satang.map(|s| format_value(Value::Money(s), &tr)),
                unread: n.read_at.is_none(),
            }
        })
        .collect();
    render(&NoticesPage {
        ctx,
        notices: views,
    })
}
