//! "You said, we did": managers record what they changed in answer to a theme of the
//! farmers' comments or to a programme's ratings; the public page shows each action with the
//! figures around it (90 days before and after), so anyone can see whether it helped.

use super::context::{redirect, render, render_invalid, Ctx, FieldErrors, Posted};
use super::routes::{Access, Routes, MANAGER};
use crate::db::actions::{self, ActionRow, NewAction};
use crate::db::ratings;
use crate::domain::comments::Lexicon;
use crate::domain::satisfaction::Figures;
use crate::domain::{AreaScope, Invalid};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::rules::RuleSet;
use actix_web::HttpResponse;
use askama::Template;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

pub fn routes(routes: &mut Routes) {
    routes
        .get("/you-said-we-did", Access::Public, public_page)
        .get("/manager/actions", MANAGER, form_page)
        .post("/manager/actions", MANAGER, record);
}

/// The days compared before and after an action.
const WINDOW_DAYS: i64 = 90;

/// An action as the public page shows it.
pub struct ActionView {
    pub title: String,
    pub description: String,
    pub taken_on: String,
    pub subject: String,
    /// What the figure compared is ("satisfied" or "comments on this theme").
    pub measure_key: &'static str,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "you_said_we_did.html")]
struct PublicPage {
    ctx: Ctx,
    actions: Vec<ActionView>,
}

/// The subjects an action may answer: the lexicon's themes, then the programmes.
fn subjects(tr: Tr, lexicon: &Lexicon, rules: &RuleSet) -> Vec<(String, String)> {
    lexicon
        .themes
        .iter()
        .map(|t| {
            let label = tr.locale.pick(&t.th, &t.en);
            (format!("theme:{}", t.id), label.clone())
        })
        .chain(rules.programmes.iter().map(|p| {
            (
                format!("programme:{}", p.id),
                p.title.get(tr.locale).to_owned(),
            )
        }))
        .collect()
}

pub async fn public_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let rows = ctx.db(|conn| Ok(actions::all(conn)?)).await?;
    let tr = ctx.tr;
    let labels = subjects(tr, &ctx.state.lexicon, &ctx.state.rules);
    let mut views = Vec::new();
    for row in rows {
        let (before, after, measure_key) = figures_around(&ctx, &row).await?;
        let key = format!("{}:{}", row.subject_kind, row.subject);
        views.push(ActionView {
            subject: labels
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(row.subject.clone(), |(_, l)| l.clone()),
            title: tr.locale.pick(&row.title_th, &row.title_en).clone(),
            description: tr
                .locale
                .pick(&row.description_th, &row.description_en)
                .clone(),
            taken_on: tr.date(&row.taken_on),
            measure_key,
            before,
            after,
        });
    }
    render(&PublicPage {
        ctx,
        actions: views,
    })
}

/// The figure of the action's subject in the 90 days before it and the 90 days after.
async fn figures_around(
    ctx: &Ctx,
    row: &ActionRow,
) -> Result<(String, String, &'static str), AppError> {
    let day = crate::domain::clock::start_of_thai_day(row.taken_on);
    let (before, after) = (
        (day - Duration::days(WINDOW_DAYS), day),
        (day, day + Duration::days(WINDOW_DAYS)),
    );
    let subject = row.subject.clone();
    if row.subject_kind == "programme" {
        let (b, a) = ctx
            .db(move |conn| {
                Ok((
                    ratings::programme_histogram(conn, &subject, before.0, before.1)?,
                    ratings::programme_histogram(conn, &subject, after.0, after.1)?,
                ))
            })
            .await?;
        let csat = |h| {
            Figures::of(h)
                .csat
                .map_or("—".to_owned(), |v| format!("{v:.0}%"))
        };
        return Ok((csat(&b), csat(&a), "actions.measure_csat"));
    }
    let (b, a) = ctx
        .db(move |conn| {
            Ok((
                ratings::comments(conn, &AreaScope::National, before.0, before.1, 2000)?,
                ratings::comments(conn, &AreaScope::National, after.0, after.1, 2000)?,
            ))
        })
        .await?;
    let lexicon = ctx.state.lexicon.clone();
    let share = |comments: &[(String, i32, String)]| {
        if comments.is_empty() {
            return "—".to_owned();
        }
        let on_theme = comments
            .iter()
            .filter(|(text, _, _)| lexicon.themes_of(text).iter().any(|t| t.id == subject))
            .count();
        format!("{:.0}%", on_theme as f64 / comments.len() as f64 * 100.0)
    };
    Ok((share(&b), share(&a), "actions.measure_theme"))
}

#[derive(Deserialize, Default, Clone)]
pub struct ActionForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    title_th: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    description_th: String,
    #[serde(default)]
    description_en: String,
    #[serde(default)]
    taken_on: String,
}

#[derive(Template)]
#[template(path = "manager/actions.html")]
struct FormPage {
    ctx: Ctx,
    form: ActionForm,
    errors: FieldErrors,
    subjects: Vec<(String, String)>,
    recorded: Vec<(String, String)>,
}

async fn show_form(
    ctx: Ctx,
    form: ActionForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let subjects = subjects(ctx.tr, &ctx.state.lexicon, &ctx.state.rules);
    let tr = ctx.tr;
    let recorded = ctx
        .db(move |conn| Ok(actions::all(conn)?))
        .await?
        .into_iter()
        .map(|a| (tr.date(&a.taken_on), a.title_th))
        .collect();
    let invalid = !errors.is_empty();
    let page = FormPage {
        ctx,
        form,
        errors,
        subjects,
        recorded,
    };
    if invalid {
        render_invalid(&page)
    } else {
        render(&page)
    }
}

pub async fn form_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.manager()?;
    show_form(ctx, ActionForm::default(), FieldErrors::default()).await
}

fn text(input: &str, max: usize) -> Result<String, Invalid> {
    let text = input.trim();
    if text.is_empty() {
        Err(Invalid::new("error.required"))
    } else if text.chars().count() > max {
        Err(Invalid::new("error.too_long"))
    } else {
        Ok(text.to_owned())
    }
}

pub async fn record(ctx: Ctx, Posted(form): Posted<ActionForm>) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let manager = ctx.manager()?.id;
    let mut errors = FieldErrors::default();
    let known = subjects(ctx.tr, &ctx.state.lexicon, &ctx.state.rules);
    let subject = errors.check(
        "subject",
        form.subject
            .split_once(':')
            .filter(|_| known.iter().any(|(k, _)| *k == form.subject))
            .map(|(kind, id)| (kind.to_owned(), id.to_owned()))
            .ok_or(Invalid::new("error.choice")),
    );
    let title_th = errors.check("title_th", text(&form.title_th, 200));
    let title_en = errors.check("title_en", text(&form.title_en, 200));
    let description_th = errors.check("description_th", text(&form.description_th, 2000));
    let description_en = errors.check("description_en", text(&form.description_en, 2000));
    let taken_on = errors.check(
        "taken_on",
        crate::domain::date::past_date(&form.taken_on, ctx.state.clock.today()),
    );
    let (
        Some((kind, id)),
        Some(title_th),
        Some(title_en),
        Some(description_th),
        Some(description_en),
        Some(taken_on),
    ) = (
        subject,
        title_th,
        title_en,
        description_th,
        description_en,
        taken_on,
    )
    else {
        return show_form(ctx, form, errors).await;
    };
    let taken_on: NaiveDate = taken_on;
    ctx.db(move |conn| {
        Ok(actions::insert(
            conn,
            &NewAction {
                subject_kind: &kind,
                subject: &id,
                title_th: &title_th,
                title_en: &title_en,
                description_th: &description_th,
                description_en: &description_en,
                taken_on,
                recorded_by: manager,
            },
            now,
        )?)
    })
    .await?;
    Ok(redirect("/you-said-we-did"))
}
