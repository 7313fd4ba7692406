//! A farmer's application before it is sent: started from an entitlement, pre-filled from the
//! registry, saved as a draft with its files (kept across an ended session), then submitted.

use super::case_view::{
    case_context, case_error, checked_files, file_views, location, send_file, stale_form, FileView,
};
use super::context::{redirect, render, render_invalid, Ctx, FieldErrors, NoFields, Posted};
use super::farm::{farm_view, FarmView};
use super::routes::{Routes, FARMER};
use super::uploads::{UncheckedPost, Upload};
use crate::db::applications::{self as apps, ApplicationRow};
use crate::db::registry;
use crate::domain::area::{parse_damaged_rai, rai_decimal};
use crate::domain::{CaseStatus, Invalid, Role};
use crate::error::AppError;
use crate::rules::delivery::Mode;
use crate::rules::facts;
use crate::rules::form::{damage_key, Kind, RawAnswers};
use crate::services::cases::{self, CaseError, Step};
use crate::services::{drafts, personal_data};
use actix_web::{web, HttpResponse};
use askama::Template;
use std::collections::HashMap;

pub fn routes(routes: &mut Routes) {
    routes
        .post("/applications/start/{programme}", FARMER, start)
        .get("/applications/drafts/{id}", FARMER, draft)
        .post("/applications/drafts/{id}", FARMER, save_draft)
        .post("/applications/drafts/{id}/discard", FARMER, discard_draft)
        .get("/applications/drafts/{id}/files/{file}", FARMER, draft_file)
        .post(
            "/applications/drafts/{id}/files/{file}/remove",
            FARMER,
            remove_draft_file,
        );
}

/// What a form field's name starts with when it holds a question's answer.
const ANSWER_PREFIX: &str = "q_";

/// The form field of question `id`'s answer.
pub(super) fn answer_field(id: &str) -> String {
    format!("{ANSWER_PREFIX}{id}")
}

pub struct QuestionView {
    pub field: String,
    pub label: String,
    pub hint: Option<String>,
    pub required: bool,
    /// `text`, `number`, `yes_no`, `date` or `choice`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub error: Option<&'static str>,
}

/// The form field of the damaged area of planting `id` on a relief claim: an answer field, so
/// that it is kept like the others when the session ends while the farmer types.
pub(super) fn damage_field(planting_id: i32) -> String {
    answer_field(&damage_key(planting_id))
}

/// One crop of a relief claim: a planting on a plot in the disaster zone, with the damage
/// reported so far.
pub struct ClaimLineView {
    pub field: String,
    pub plot: String,
    pub tambon: String,
    pub crop: String,
    pub season: String,
    pub planted: String,
    pub value: String,
    pub error: Option<&'static str>,
}

/// The plantings a claim lists (id, planted square wa), and the plots it leaves out because
/// they lie outside the zone.
pub(super) struct Claimable {
    pub plantings: Vec<(i32, i64)>,
    pub outside: Vec<i32>,
    /// The last day the farmer may confirm, when the declaration sets one.
    pub closes_on: Option<chrono::NaiveDate>,
}

pub(super) fn claimable(record: &facts::HouseholdRecord, today: chrono::NaiveDate) -> Claimable {
    Claimable {
        plantings: facts::claimable(record, today)
            .into_iter()
            .map(|(_, planting)| (planting.id, planting.area_sq_wa))
            .collect(),
        outside: record
            .plots
            .iter()
            .filter(|plot| !plot.in_disaster_zone)
            .map(|plot| plot.id)
            .collect(),
        closes_on: record.disaster.as_ref().and_then(|d| d.claims_close_on),
    }
}

#[derive(Template)]
#[template(path = "applications/draft.html")]
struct DraftPage {
    ctx: Ctx,
    application: ApplicationRow,
    title: String,
    farm: FarmView,
    /// Kaset drafted this claim; the farmer checks and confirms it.
    confirming: bool,
    /// The claim asks the damage of each crop in the zone (`claim_lines`).
    damage_per_plot: bool,
    claim_lines: Vec<ClaimLineView>,
    /// Plots of the household outside the zone, which the claim does not count.
    plots_outside: Vec<String>,
    /// The last day to confirm, as shown.
    closes_on: Option<String>,
    questions: Vec<QuestionView>,
    declared: bool,
    errors: FieldErrors,
    /// Why the household does not qualify now, when a submission was refused for it.
    not_eligible: Vec<String>,
    saved: bool,
    kept: bool,
    files: Vec<FileView>,
    /// Files refused in this post: the name and why.
    refused_files: Vec<(String, &'static str)>,
    max_files: usize,
    /// The programme pays money through the paying agency and the farmer has not consented
    /// to it receiving who to pay: the form asks (`payment_consent` is the box's state).
    asks_payment_consent: bool,
    /// The programme pays money and the farmer has consented already.
    payment_consent_given: bool,
    payment_consent: bool,
}

/// Whether the paying agency needs the farmer's consent to receive who to pay: a programme
/// that pays money, other than one the agency pays from its own list by law (`automatic`).
fn pays_through_the_agency(programme: &crate::rules::Programme) -> bool {
    programme.amount.is_some() && !matches!(programme.delivery.mode, Mode::Automatic { .. })
}

fn payment_consent_given(conn: &mut crate::db::DbConn, user_id: i32) -> diesel::QueryResult<bool> {
    Ok(crate::db::consents::current(conn, user_id)?
        .iter()
        .any(|c| c.purpose == crate::domain::ConsentPurpose::Payment && c.given))
}

/// "Apply": opens the household's live application for the programme, or a new draft.
pub async fn start(
    ctx: Ctx,
    path: web::Path<String>,
    _csrf_checked: Posted<NoFields>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let (user, household_id) = ctx.farmer()?;
    let programme_id = path.into_inner();
    if ctx.state.rules.programme(&programme_id).is_none() {
        return Err(AppError::NotFound);
    }
    let user_id = user.id;
    let app = ctx
        .db(move |conn| {
            Ok(apps::start_draft(
                conn,
                household_id,
                Some(user_id),
                &programme_id,
                "{}",
                now,
            )?)
        })
        .await?;
    Ok(redirect(&location(&app)))
}

async fn own_application(ctx: &Ctx, id: i32) -> Result<ApplicationRow, AppError> {
    let (_, household_id) = ctx.farmer()?;
    ctx.db(move |conn| apps::find_for_household(conn, household_id, id)?.ok_or(AppError::NotFound))
        .await
}

/// Where the answers of a draft posted after its session ended wait for the farmer to sign in.
const KEPT_ANSWERS: &str = "kept_answers";

#[derive(serde::Serialize, serde::Deserialize)]
struct KeptAnswers {
    draft: i32,
    fields: HashMap<String, String>,
}

/// What a session may keep of a form sent after it ended (anyone can send one, signed in or
/// not, and the session lives 12 hours): the answers and the declaration, as long as they
/// fit in a few kilobytes together. Answers that do not fit are typed again.
const KEPT_ANSWERS_BYTES: usize = 8 * 1024;

fn kept_for_sign_in(fields: HashMap<String, String>) -> HashMap<String, String> {
    let mut room = KEPT_ANSWERS_BYTES;
    let mut answers: Vec<(String, String)> = fields
        .into_iter()
        .filter(|(name, _)| name.starts_with(ANSWER_PREFIX) || name == "declaration")
        .collect();
    answers.sort();
    answers
        .into_iter()
        .filter(|(name, value)| {
            let size = name.len() + value.len();
            let fits = size <= room;
            if fits {
                room -= size;
            }
            fits
        })
        .collect()
}

pub async fn draft(ctx: Ctx, path: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let app = own_application(&ctx, path.into_inner()).await?;
    if app.status != CaseStatus::Draft {
        return Ok(redirect(&location(&app)));
    }
    let mut answers: RawAnswers = serde_json::from_str(&app.answers).unwrap_or_default();
    // The damage is kept in square wa and shown in rai, as it is typed.
    for (key, value) in answers.iter_mut() {
        if key.starts_with("damaged.") {
            *value = value.parse().map(rai_decimal).unwrap_or_default();
        }
    }
    let mut outcome = DraftOutcome {
        saved: ctx.path.ends_with("?saved=1"),
        ..DraftOutcome::default()
    };
    let kept = ctx
        .session
        .remove_as::<KeptAnswers>(KEPT_ANSWERS)
        .and_then(Result::ok)
        .filter(|k| k.draft == app.id);
    if let Some(kept) = kept {
        // Shown, not saved: the farmer checks them and saves or submits.
        for (field, value) in kept.fields {
            if let Some(id) = field.strip_prefix("q_") {
                answers.insert(id.to_owned(), value);
            }
        }
        outcome.kept = true;
    }
    draft_page(ctx, app, &answers, outcome).await
}

/// What happened to the last post of a draft, for its page.
#[derive(Default)]
struct DraftOutcome {
    declared: bool,
    errors: FieldErrors,
    not_eligible: Vec<String>,
    saved: bool,
    refused_files: Vec<(String, &'static str)>,
    /// The answers come from a post made after the session ended.
    kept: bool,
    /// The payment consent box was ticked.
    payment_consent: bool,
}

/// The programme's own questions as the form shows them, with the answers and errors.
pub(super) fn question_views(
    tr: &crate::i18n::Tr,
    programme: &crate::rules::Programme,
    answers: &RawAnswers,
    errors: &FieldErrors,
) -> Vec<QuestionView> {
    programme
        .form
        .questions
        .iter()
        .map(|q| {
            let field = answer_field(&q.id);
            let (kind, options) = match &q.kind {
                Kind::Text { .. } => ("text", Vec::new()),
                Kind::Number { .. } => ("number", Vec::new()),
                Kind::Date => ("date", Vec::new()),
                Kind::YesNo => (
                    "yes_no",
                    vec![
                        ("yes".to_owned(), tr.t("form.yes").to_owned()),
                        ("no".to_owned(), tr.t("form.no").to_owned()),
                    ],
                ),
                Kind::Choice { options } => (
                    "choice",
                    options
                        .iter()
                        .map(|(value, label)| (value.clone(), label.get(tr.locale).to_owned()))
                        .collect(),
                ),
            };
            QuestionView {
                error: errors.get(&field),
                value: answers.get(&q.id).cloned().unwrap_or_default(),
                field,
                label: q.label.get(tr.locale).to_owned(),
                hint: q.hint.as_ref().map(|h| h.get(tr.locale).to_owned()),
                required: q.required,
                kind,
                options,
            }
        })
        .collect()
}

async fn draft_page(
    ctx: Ctx,
    application: ApplicationRow,
    answers: &RawAnswers,
    outcome: DraftOutcome,
) -> Result<HttpResponse, AppError> {
    let programme = ctx
        .state
        .rules
        .programme(&application.programme_id)
        .ok_or(AppError::NotFound)?;
    let tr = ctx.tr;
    let questions = question_views(&tr, programme, answers, &outcome.errors);
    let title = programme.title.get(tr.locale).to_owned();
    let damage_per_plot = programme.form.damage_per_plot;
    let confirming = programme.delivery.mode == Mode::Confirm;
    let asks_payment_consent = pays_through_the_agency(programme);
    let (household_id, id) = (application.household_id, application.id);
    let today = ctx.state.clock.today();
    let user_id = ctx.farmer()?.0.id;
    let (farm, files, claimable, consented) = ctx
        .db(move |conn| {
            let farm = registry::load_farm(conn, household_id)?;
            // Only a claim lists crops in a disaster zone.
            let claimable = if damage_per_plot {
                Some(claimable(
                    &registry::rules_record(conn, &farm, today)?,
                    today,
                ))
            } else {
                None
            };
            Ok((
                farm_view(conn, tr, &farm, today)?,
                apps::attachments_of(conn, id)?,
                claimable,
                payment_consent_given(conn, user_id)?,
            ))
        })
        .await?;
    let (claim_lines, plots_outside) = match &claimable {
        Some(claimable) => claim_line_views(&farm, claimable, answers, &outcome.errors),
        None => (Vec::new(), Vec::new()),
    };
    let page = DraftPage {
        ctx,
        application,
        title,
        farm,
        confirming,
        damage_per_plot,
        claim_lines,
        plots_outside,
        closes_on: claimable.and_then(|c| c.closes_on).map(|d| tr.date(&d)),
        questions,
        declared: outcome.declared,
        not_eligible: outcome.not_eligible,
        saved: outcome.saved,
        kept: outcome.kept,
        errors: outcome.errors,
        files: file_views(&files),
        refused_files: outcome.refused_files,
        max_files: crate::domain::attachment::MAX_FILES,
        asks_payment_consent: asks_payment_consent && !consented,
        payment_consent_given: asks_payment_consent && consented,
        payment_consent: outcome.payment_consent,
    };
    if page.errors.is_empty() && page.not_eligible.is_empty() && page.refused_files.is_empty() {
        render(&page)
    } else {
        render_invalid(&page)
    }
}

/// The claim's crops as the page shows them, from the farm's own view (names and areas in the
/// reader's language), and the labels of the plots left out.
pub(super) fn claim_line_views(
    farm: &FarmView,
    claimable: &Claimable,
    answers: &RawAnswers,
    errors: &FieldErrors,
) -> (Vec<ClaimLineView>, Vec<String>) {
    let mut lines = Vec::new();
    for plot in &farm.plots {
        for planting in &plot.plantings {
            if !claimable.plantings.iter().any(|(id, _)| *id == planting.id) {
                continue;
            }
            let field = damage_field(planting.id);
            lines.push(ClaimLineView {
                error: errors.get(&field),
                value: answers
                    .get(&damage_key(planting.id))
                    .cloned()
                    .unwrap_or_default(),
                field,
                plot: plot.label.clone(),
                tambon: plot.tambon.clone(),
                crop: planting.crop.clone(),
                season: planting.season.clone(),
                planted: planting.area.clone(),
            });
        }
    }
    let outside = farm
        .plots
        .iter()
        .filter(|plot| claimable.outside.contains(&plot.id))
        .map(|plot| format!("{} ({})", plot.label, plot.tambon))
        .collect();
    (lines, outside)
}

/// Reads the damaged area of each crop of a claim: the answers to keep (square wa by
/// `damage_key`), the typed values for a page shown again, and each refused field. On
/// submission some damage must be reported.
pub(super) fn read_damage(
    form: &super::uploads::MultipartPost,
    plantings: &[(i32, i64)],
    submitting: bool,
    errors: &mut FieldErrors,
) -> (RawAnswers, RawAnswers) {
    let mut damage = RawAnswers::new();
    let mut typed = RawAnswers::new();
    for (id, planted) in plantings {
        let field = damage_field(*id);
        let text = form.field(&field);
        typed.insert(damage_key(*id), text.clone());
        match parse_damaged_rai(&text, *planted) {
            Ok(0) => {}
            Ok(sq_wa) => {
                damage.insert(damage_key(*id), sq_wa.to_string());
            }
            Err(invalid) => errors.add(field, invalid.key),
        }
    }
    if submitting && damage.is_empty() && errors.is_empty() {
        if let Some((first, _)) = plantings.first() {
            errors.add(damage_field(*first), "error.area.no_damage");
        }
    }
    (damage, typed)
}

/// Reads the answers of a draft's form: the programme's questions and, for a claim, the
/// damage of each crop. Returns what was typed (to show again) and the checked answers to
/// keep; each refused field is added to `errors`.
pub(super) async fn read_answers(
    ctx: &Ctx,
    app: &ApplicationRow,
    programme: &crate::rules::Programme,
    form: &super::uploads::MultipartPost,
    submitting: bool,
    errors: &mut FieldErrors,
) -> Result<(RawAnswers, RawAnswers), AppError> {
    let mut raw: RawAnswers = programme
        .form
        .questions
        .iter()
        .filter_map(|q| {
            form.fields
                .get(&answer_field(&q.id))
                .map(|v| (q.id.clone(), v.clone()))
        })
        .collect();
    let (damage, typed_damage) = if programme.form.damage_per_plot {
        let (household_id, today) = (app.household_id, ctx.state.clock.today());
        let claimable = ctx
            .db(move |conn| {
                let farm = registry::load_farm(conn, household_id)?;
                Ok(claimable(
                    &registry::rules_record(conn, &farm, today)?,
                    today,
                ))
            })
            .await?;
        read_damage(form, &claimable.plantings, submitting, errors)
    } else {
        (RawAnswers::new(), RawAnswers::new())
    };
    raw.extend(typed_damage);
    let answers = match programme.form.check(&raw, submitting) {
        Ok(mut answers) => {
            answers.extend(damage);
            answers
        }
        Err(refused) => {
            for (id, invalid) in refused {
                errors.add(answer_field(&id), invalid.key);
            }
            RawAnswers::new()
        }
    };
    // Cut to the reader's limit on the way in: refused by name, whatever the question allows.
    for field in &form.cut_short {
        if errors.get(field).is_none() && field.starts_with(ANSWER_PREFIX) {
            errors.add(field.clone(), "error.too_long");
        }
    }
    Ok((raw, answers))
}

/// Saves the draft, or submits it (`action=submit`): answers checked against the programme's
/// form, the declaration required, eligibility decided again. Files sent with the form are
/// kept with the draft even when an answer is refused, so nothing has to be sent twice.
pub async fn save_draft(
    ctx: Ctx,
    path: web::Path<i32>,
    form: UncheckedPost,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let id = path.into_inner();
    let form = match form {
        UncheckedPost {
            post,
            csrf_ok: true,
        } => post,
        // The session ended while the farmer was typing: keep the answers in a new session,
        // and after signing in again they are back on the draft.
        UncheckedPost { post, .. } if ctx.user.is_none() => {
            let kept = KeptAnswers {
                draft: id,
                fields: kept_for_sign_in(post.fields),
            };
            ctx.session
                .insert(KEPT_ANSWERS, kept)
                .map_err(|e| AppError::Session(e.to_string()))?;
            return Err(AppError::SignInRequired {
                return_to: format!("/applications/drafts/{id}"),
            });
        }
        UncheckedPost { .. } => return Err(AppError::Csrf),
    };
    let app = own_application(&ctx, id).await?;
    if app.status != CaseStatus::Draft {
        // Submitted already (a second click, the back button): the same application.
        return Ok(redirect(&location(&app)));
    }
    let programme = ctx
        .state
        .rules
        .programme(&app.programme_id)
        .ok_or(AppError::NotFound)?;
    let submitting = form.field("action") == "submit";
    let declared = form.field("declaration") == "yes";
    let mut errors = FieldErrors::default();
    let (raw, answers) =
        read_answers(&ctx, &app, programme, &form, submitting, &mut errors).await?;
    let payment_consent = form.field("payment_consent") == "yes";
    let refused_files = keep_files(&ctx, &app, ctx.farmer()?.0.actor(), form.uploads).await?;
    if submitting && !declared {
        errors.add(
            "declaration",
            Invalid::new("application.declaration_required").key,
        );
    }
    let refused = |errors, not_eligible| DraftOutcome {
        declared,
        errors,
        not_eligible,
        saved: false,
        refused_files: refused_files.clone(),
        kept: false,
        payment_consent,
    };
    if !errors.is_empty() || !refused_files.is_empty() {
        return draft_page(ctx, app, &raw, refused(errors, Vec::new())).await;
    }
    let answers_json = serde_json::to_string(&answers).map_err(anyhow::Error::from)?;
    if !submitting {
        let (id, seen) = (app.id, app.version);
        let change = apps::Change {
            answers: Some(answers_json),
            ..apps::Change::default()
        };
        let saved = ctx
            .db(move |conn| Ok(apps::change(conn, id, seen, &change, now)?))
            .await?;
        return if saved {
            Ok(redirect(&format!("/applications/drafts/{id}?saved=1")))
        } else {
            draft_page(ctx, app, &raw, refused(stale_form(), Vec::new())).await
        };
    }
    let (user_id, household_id) = {
        let (user, household) = ctx.farmer()?;
        (user.id, household)
    };
    let actor = ctx.farmer()?.0.actor();
    if payment_consent && pays_through_the_agency(programme) {
        // Asked where it is needed: claiming money the paying agency transfers.
        let actor = actor.clone();
        let now = ctx.state.clock.now();
        ctx.db(move |conn| {
            Ok(personal_data::record_consent(
                conn,
                &actor,
                (user_id, Some(household_id)),
                crate::domain::ConsentPurpose::Payment,
                true,
                now,
            )?)
        })
        .await?;
    }
    let state = ctx.state.clone();
    let draft = app.clone();
    let submitted = ctx
        .db(move |conn| {
            let cx = case_context(&state);
            Ok(cases::submit(conn, &cx, &actor, &draft, &answers_json, ""))
        })
        .await?;
    match submitted {
        Ok(reference) => {
            ctx.state.mail_wake.notify_one();
            Ok(redirect(&format!("/applications/{reference}")))
        }
        Err(CaseError::NotEligible(reasons)) => {
            draft_page(ctx, app, &raw, refused(errors, reasons)).await
        }
        Err(CaseError::Stale) => {
            draft_page(ctx, app, &raw, refused(stale_form(), Vec::new())).await
        }
        Err(other) => Err(case_error(other)),
    }
}

/// Checks the files of a post and adds the accepted ones to the draft; returns the refused
/// ones with why.
pub(super) async fn keep_files(
    ctx: &Ctx,
    draft: &ApplicationRow,
    actor: crate::db::audit::Actor,
    uploads: Vec<Upload>,
) -> Result<Vec<(String, &'static str)>, AppError> {
    let now = ctx.state.clock.now();
    if uploads.is_empty() {
        return Ok(Vec::new());
    }
    let (checked, refused) = checked_files(ctx, draft, uploads).await?;
    if checked.is_empty() {
        return Ok(refused);
    }
    let dir = ctx.state.settings.upload_dir();
    let draft = draft.clone();
    ctx.db(move |conn| {
        drafts::attach(conn, &dir, &draft, &actor, checked, now).map_err(case_error)
    })
    .await?;
    Ok(refused)
}

/// Throws a draft away (it is withdrawn before ever being submitted).
pub async fn discard_draft(
    ctx: Ctx,
    path: web::Path<i32>,
    Posted(_): Posted<super::context::NoFields>,
) -> Result<HttpResponse, AppError> {
    let app = own_application(&ctx, path.into_inner()).await?;
    if app.status != CaseStatus::Draft {
        return Ok(redirect(&location(&app)));
    }
    let actor = ctx.farmer()?.0.actor();
    let state = ctx.state.clone();
    ctx.db(move |conn| {
        let cx = case_context(&state);
        let seen = app.version;
        match cases::act(conn, &cx, &actor, Role::Farmer, &app, seen, &Step::Withdraw) {
            Ok(_) | Err(CaseError::Stale | CaseError::Refused(_)) => Ok(()),
            Err(other) => Err(case_error(other)),
        }
    })
    .await?;
    Ok(redirect("/applications"))
}

/// A file of the farmer's own draft.
pub async fn draft_file(ctx: Ctx, path: web::Path<(i32, i32)>) -> Result<HttpResponse, AppError> {
    let (id, file) = path.into_inner();
    let app = own_application(&ctx, id).await?;
    send_file(&ctx, app.id, file).await
}

/// Takes a file off a draft (a submitted application's files are part of its record).
pub async fn remove_draft_file(
    ctx: Ctx,
    path: web::Path<(i32, i32)>,
    Posted(_): Posted<super::context::NoFields>,
) -> Result<HttpResponse, AppError> {
    let (id, file) = path.into_inner();
    let app = own_application(&ctx, id).await?;
    if app.status != CaseStatus::Draft {
        return Ok(redirect(&location(&app)));
    }
    let dir = ctx.state.settings.upload_dir();
    let removed = ctx
        .db(move |conn| Ok(drafts::remove_file(conn, &dir, id, file)?))
        .await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    Ok(redirect(&format!("/applications/drafts/{id}")))
}
