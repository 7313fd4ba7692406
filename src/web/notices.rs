//! The in-app notice list: what changed for the user (newly eligible programmes, and later the
//! events of their cases), worded in the reader's language. Reading the list changes nothing
//! (a GET never does); the reader marks them read with a button.

use super::context::{redirect, render, Ctx, NoFields, Posted};
use crate::db::notices;
use crate::domain::{CaseStatus, PaymentFailure};
use crate::error::AppError;
use crate::rules::{evaluate::format_value, Value};
use crate::services::reminders;
use actix_web::HttpResponse;
use askama::Template;

pub struct NoticeView {
    pub at: String,
    pub text: String,
    pub amount: Option<String>,
    pub unread: bool,
    pub link: String,
    pub link_key: &'static str,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    ctx: Ctx,
    notices: Vec<NoticeView>,
    any_unread: bool,
}

fn reader(ctx: &Ctx) -> Result<i32, AppError> {
    ctx.user
        .as_ref()
        .map(|user| user.id)
        .ok_or_else(|| AppError::SignInRequired {
            return_to: "/notifications".to_owned(),
        })
}

pub async fn mark_read(
    ctx: Ctx,
    _csrf_checked: Posted<NoFields>,
) -> Result<HttpResponse, AppError> {
    let user_id = reader(&ctx)?;
    let now = ctx.state.clock.now();
    ctx.db(move |conn| Ok(notices::mark_all_read(conn, user_id, now)?))
        .await?;
    Ok(redirect("/notifications"))
}

/// Where a reminder's notice leads: the case, or the programme on "My entitlements".
fn reminder_link(reminder: reminders::Reminder, subject: &str) -> String {
    let mut parts = subject.splitn(3, '|');
    let (programme, reference) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    match reminder {
        reminders::Reminder::InfoUnanswered | reminders::Reminder::AppealClosing => {
            format!("/applications/{reference}")
        }
        reminders::Reminder::ClaimClosing | reminders::Reminder::ProgrammeClosing => {
            format!("/entitlements#programme-{programme}")
        }
    }
}

pub async fn list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let user_id = reader(&ctx)?;
    let rows = ctx
        .db(move |conn| Ok(notices::for_user(conn, user_id, 100)?))
        .await?;
    let tr = ctx.tr;
    let rules = ctx.state.rules.clone();
    let views: Vec<NoticeView> = rows
        .into_iter()
        .map(|n| {
            let (text, link, link_key) = if let Some(status) = n.kind.strip_prefix("case.") {
                let status = CaseStatus::parse(status).ok();
                let label = status.map_or("", |s| tr.t(s.label_key()));
                let text = tr.fmt(
                    "notices.case",
                    &[("reference", n.subject.as_str()), ("status", label)],
                );
                // An ended case asks for a rating.
                if status.is_some_and(CaseStatus::asks_for_a_rating) {
                    (
                        text,
                        format!("/applications/{}#rating", n.subject),
                        "notices.rate",
                    )
                } else {
                    (
                        text,
                        format!("/applications/{}", n.subject),
                        "notices.see_application",
                    )
                }
            } else if n.kind == "satisfaction_alert" {
                let mut parts = n.subject.splitn(3, '|');
                let (month, kind, key) = (
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default(),
                );
                let label = match kind {
                    "programme" => rules.title(key, tr.locale).to_owned(),
                    _ => key.to_owned(),
                };
                (
                    tr.fmt(
                        "notices.satisfaction_alert",
                        &[("label", label.as_str()), ("month", month)],
                    ),
                    "/manager/satisfaction".to_owned(),
                    "notices.see_satisfaction",
                )
            } else if let Some(state) = n.kind.strip_prefix("data_request.") {
                let (text_key, link) = if state == "new" {
                    ("notices.data_request_new", "/officer/data-requests")
                } else {
                    ("notices.data_request_answered", "/privacy#requests")
                };
                (
                    tr.fmt(text_key, &[("reference", n.subject.as_str())]),
                    link.to_owned(),
                    "notices.see",
                )
            } else if let Some(failure) = n.kind.strip_prefix("payment_failed.") {
                let fix = PaymentFailure::parse(failure).map_or("", |f| tr.t(f.label_key()));
                (
                    tr.fmt(
                        "notices.payment_failed",
                        &[("reference", n.subject.as_str()), ("fix", fix)],
                    ),
                    format!("/applications/{}", n.subject),
                    "notices.see_application",
                )
            } else if let Some(event) = n.kind.strip_prefix("staff_case.") {
                (
                    tr.fmt(
                        "notices.staff_case",
                        &[
                            ("reference", n.subject.as_str()),
                            ("event", tr.t(&format!("case.event.{event}"))),
                        ],
                    ),
                    format!("/officer/cases/{}", n.subject),
                    "notices.see_case",
                )
            } else if let Some(reminder) = n
                .kind
                .strip_prefix("reminder.")
                .and_then(reminders::Reminder::parse)
            {
                (
                    reminders::wording(&tr, &rules, reminder, &n.subject),
                    reminder_link(reminder, &n.subject),
                    "notices.see",
                )
            } else if n.kind == crate::services::claims::CLAIM_DRAFTED {
                let title = rules.title(&n.subject, tr.locale);
                (
                    tr.fmt("notices.claim_drafted", &[("title", title)]),
                    format!("/entitlements#programme-{}", n.subject),
                    "notices.check_claim",
                )
            } else {
                let title = rules.title(&n.subject, tr.locale).to_owned();
                (
                    format!("{} {}", tr.t("notices.newly_eligible"), title),
                    "/entitlements".to_owned(),
                    "notices.see",
                )
            };
            NoticeView {
                at: tr.moment(&n.created_at),
                text,
                amount: n.amount_satang.map(|s| format_value(Value::Money(s), &tr)),
                unread: n.read_at.is_none(),
                link,
                link_key,
            }
        })
        .collect();
    render(&NoticesPage {
        ctx,
        any_unread: views.iter().any(|n| n.unread),
        notices: views,
    })
}
