//! What a household is entitled to today: every open programme decided from its registry
//! record and explained in the reader's language, grouped as pages and the partner API show
//! them (eligible with amount and working, needing information, one step away, the rest);
//! for each, how it reaches the farmer and where the household's own case for it stands.

use crate::db::applications::{self as apps, ApplicationRow};
use crate::db::{registry, DbConn};
use crate::domain::case::CaseAction;
use crate::domain::CaseStatus;
use crate::i18n::{Locale, Tr};
use crate::rules::catalogue::{from_registry, CATALOGUE};
use crate::rules::delivery::Mode;
use crate::rules::evaluate::{format_value, Line};
use crate::rules::programme::{AmountKind, Condition, Programme};
use crate::rules::{explain, facts, RuleSet, Status, Tri, Value};
use chrono::{Duration, NaiveDate};

pub struct EntitlementView {
    pub id: String,
    pub title: String,
    pub agency: String,
    pub description: String,
    pub source: String,
    pub amount: Option<String>,
    /// The amount is the most the household could receive (it follows what they report).
    pub amount_up_to: bool,
    pub working: Option<String>,
    pub lines: Vec<LineView>,
    pub missing: Vec<String>,
    /// For "almost eligible": the one condition that would change the answer.
    pub would_change: Option<String>,
    pub note: Option<String>,
    pub delivery: DeliveryView,
    /// Whether the programme is the household's to receive now (eligible, or needing only
    /// information), so the page says how it will reach them.
    pub offered: bool,
    /// The household's own case for the programme, when it has one.
    pub progress: Option<ProgressView>,
}

/// How the programme reaches the farmer, in their words.
pub struct DeliveryView {
    /// `automatic`, `confirm`, `apply` or `in_person`.
    pub mode: &'static str,
    pub next: String,
    /// In person: where, when, and what to bring.
    pub office: Option<(String, String, String)>,
    /// The button that starts the farmer's case, when the farmer starts one.
    pub action_key: Option<&'static str>,
}

impl DeliveryView {
    fn of(programme: &Programme, locale: Locale) -> Self {
        let mode = &programme.delivery.mode;
        let office = match mode {
            Mode::InPerson {
                place,
                hours,
                bring,
            } => Some((
                place.get(locale).to_owned(),
                hours.get(locale).to_owned(),
                bring.get(locale).to_owned(),
            )),
            _ => None,
        };
        Self {
            mode: mode.code(),
            next: programme.delivery.next.get(locale).to_owned(),
            office,
            action_key: match mode {
                Mode::Confirm => Some("application.check_and_confirm"),
                Mode::Apply => Some("application.apply"),
                Mode::Automatic { .. } | Mode::InPerson { .. } => None,
            },
        }
    }
}

/// Where the household's case for a programme stands, as one sentence with a link to it.
pub struct ProgressView {
    /// `drafted` (by Kaset), `draft`, `under_way`, `on_payment_list`, `payment_failed` or
    /// `received`, for styling and tests.
    pub kind: &'static str,
    pub text: String,
    pub link: String,
    /// The same case on the officers' pages (a draft: where the officer records it for the
    /// farmer).
    pub staff_link: String,
}

pub struct LineView {
    /// `pass`, `fail` or `unknown`, for machines (the partner API).
    pub result: &'static str,
    pub mark: &'static str,
    pub label_key: &'static str,
    pub text: String,
    /// Where the farmer asks for a correction, when the line rests on registry facts.
    pub correct: Option<String>,
}

fn line_view(line: Line) -> LineView {
    let (result, mark, label_key) = match line.result {
        Tri::Pass => ("pass", "✓", "entitlements.passed"),
        Tri::Fail => ("fail", "✗", "entitlements.failed"),
        Tri::Unknown => ("unknown", "?", "entitlements.unknown"),
    };
    LineView {
        result,
        mark,
        label_key,
        text: line.text,
        correct: None,
    }
}

/// The "this is wrong" link of the explanation line of `condition`: the correction form,
/// pre-filled with the facts the line rests on.
fn correction_link(programme: &Programme, condition: &Condition) -> Option<String> {
    condition
        .facts_read
        .iter()
        .any(|fact| from_registry(*fact))
        .then(|| {
            format!(
                "/privacy?about={}.{}#correction",
                programme.id, condition.id
            )
        })
}

/// The correction request a farmer starts from "this is wrong" on a line: the programme and
/// the line, then each registry fact it rests on with the value Kaset holds, ending where the
/// farmer writes what is right. `None` when `about` names no such line.
pub fn correction_text(
    rules: &RuleSet,
    record: &facts::HouseholdRecord,
    about: &str,
    as_of: NaiveDate,
    locale: Locale,
) -> Option<String> {
    let (programme_id, condition_id) = about.split_once('.')?;
    let programme = rules.programme(programme_id)?;
    let index = programme
        .conditions
        .iter()
        .position(|c| c.id == condition_id)?;
    let condition = &programme.conditions[index];
    let facts = facts::derive(record, as_of);
    let params = programme.parameters_at(as_of);
    let outcome = programme.evaluate(&facts, &params, as_of);
    let explanation = explain(programme, &outcome, &facts, &params, locale);
    let tr = Tr::new(locale);
    let mut text = format!(
        "{}: {}\n",
        programme.title.get(locale),
        explanation.lines.get(index)?.text
    );
    for fact in condition.facts_read.iter().filter(|f| from_registry(**f)) {
        let definition = &CATALOGUE[*fact];
        text.push_str(&tr.fmt(
            "privacy.correction_fact",
            &[
                ("fact", locale.pick(definition.th, definition.en)),
                ("value", &format_value(facts[*fact], &tr)),
            ],
        ));
        text.push('\n');
    }
    text.push_str(tr.t("privacy.correction_right"));
    text.push(' ');
    Some(text)
}

/// The household's programmes, grouped as the page shows them.
#[derive(Default)]
pub struct Entitlements {
    /// With their amounts in satang, largest first.
    pub eligible: Vec<(i64, EntitlementView)>,
    pub need_info: Vec<EntitlementView>,
    pub almost: Vec<EntitlementView>,
    pub other: Vec<EntitlementView>,
    /// Programmes no longer open; `for_farm` keeps those the household received, to show
    /// what past rounds paid.
    pub closed: Vec<EntitlementView>,
    pub total_amount: Option<String>,
}

/// Decides every open programme for the household and explains each in the reader's language.
pub fn entitlements(
    rules: &RuleSet,
    record: &facts::HouseholdRecord,
    as_of: NaiveDate,
    locale: Locale,
) -> Entitlements {
    let tr = Tr::new(locale);
    let facts = facts::derive(record, as_of);
    let mut out = Entitlements::default();
    let mut total = 0;
    let mut total_up_to = false;
    for decision in rules.evaluate(&facts, as_of) {
        let programme = &rules.programmes[decision.index];
        let outcome = &decision.outcome;
        let params = programme.parameters_at(as_of);
        let up_to = programme
            .amount
            .as_ref()
            .is_some_and(|a| a.kind == AmountKind::UpTo);
        let explanation = explain(programme, outcome, &facts, &params, locale);
        let would_change = (outcome.status == Status::Almost)
            .then(|| {
                explanation
                    .lines
                    .iter()
                    .find(|l| l.result == Tri::Fail)
                    .map(|l| l.text.clone())
            })
            .flatten();
        let note = decision.excluded_by.map(|other| {
            tr.fmt(
                "entitlements.excluded",
                &[("other", rules.programmes[other].title.get(locale))],
            )
        });
        let view = EntitlementView {
            id: programme.id.clone(),
            title: programme.title.get(locale).to_owned(),
            agency: programme.agency.get(locale).to_owned(),
            description: programme.description.get(locale).to_owned(),
            source: programme.source.clone(),
            amount: outcome.amount.map(|satang| {
                let amount = format_value(Value::Money(satang), &tr);
                if up_to {
                    tr.fmt("entitlements.amount_up_to", &[("amount", &amount)])
                } else {
                    amount
                }
            }),
            amount_up_to: up_to,
            working: explanation.amount.clone(),
            lines: explanation
                .lines
                .into_iter()
                .zip(&programme.conditions)
                .map(|(line, condition)| LineView {
                    correct: correction_link(programme, condition),
                    ..line_view(line)
                })
                .collect(),
            // What to add only matters when the decision waits on it: a programme refused
            // for another reason (no disaster declared here) asks for nothing.
            missing: if outcome.status == Status::NeedInfo {
                explanation.missing
            } else {
                Vec::new()
            },
            would_change,
            note,
            delivery: DeliveryView::of(programme, locale),
            offered: matches!(outcome.status, Status::Eligible | Status::NeedInfo),
            progress: None,
        };
        match outcome.status {
            Status::Eligible => {
                total += outcome.amount.unwrap_or(0);
                total_up_to |= up_to && outcome.amount.is_some();
                out.eligible.push((outcome.amount.unwrap_or(0), view));
            }
            Status::NeedInfo => out.need_info.push(view),
            Status::Almost => out.almost.push(view),
            Status::Ineligible => out.other.push(view),
            Status::Closed => out.closed.push(view),
        }
    }
    // The largest support first.
    out.eligible
        .sort_by_key(|(amount, _)| std::cmp::Reverse(*amount));
    if total > 0 {
        let total = format_value(Value::Money(total), &tr);
        out.total_amount = Some(if total_up_to {
            tr.fmt("entitlements.up_to", &[("amount", &total)])
        } else {
            total
        });
    }
    out
}

/// The household's programmes as its farmer sees them: decided from the registry as of
/// `today`, with where each of its cases stands.
pub fn for_household(
    conn: &mut DbConn,
    rules: &RuleSet,
    household_id: i32,
    today: NaiveDate,
    locale: Locale,
) -> diesel::QueryResult<Entitlements> {
    let farm = registry::load_farm(conn, household_id)?;
    for_farm(conn, rules, &farm, today, locale)
}

/// `for_household`, for a page that has already loaded the household's farm.
pub fn for_farm(
    conn: &mut DbConn,
    rules: &RuleSet,
    farm: &registry::Farm,
    today: NaiveDate,
    locale: Locale,
) -> diesel::QueryResult<Entitlements> {
    let record = registry::rules_record(conn, farm, today)?;
    let mut list = entitlements(rules, &record, today, locale);
    let cases = apps::for_household(conn, farm.household.id)?;
    let tr = Tr::new(locale);
    let views = list
        .eligible
        .iter_mut()
        .map(|(_, view)| view)
        .chain(list.need_info.iter_mut())
        .chain(list.almost.iter_mut())
        .chain(list.other.iter_mut())
        .chain(list.closed.iter_mut());
    for view in views {
        // Newest first: the case that counts is the latest one not withdrawn.
        let Some(case) = cases
            .iter()
            .find(|c| c.programme_id == view.id && c.status != CaseStatus::Withdrawn)
        else {
            continue;
        };
        let Some(programme) = rules.programme(&view.id) else {
            continue;
        };
        view.progress = progress(conn, &tr, programme, case)?;
    }
    list.closed
        .retain(|view| view.progress.as_ref().is_some_and(|p| p.kind == "received"));
    Ok(list)
}

/// One sentence on where a case stands; none for a rejection, which the farmer may follow
/// on the case page (the programme offers its action again).
pub(super) fn progress(
    conn: &mut DbConn,
    tr: &Tr,
    programme: &Programme,
    case: &ApplicationRow,
) -> diesel::QueryResult<Option<ProgressView>> {
    let (link, staff_link) = match &case.reference {
        Some(reference) => (
            format!("/applications/{reference}"),
            format!("/officer/cases/{reference}"),
        ),
        None => (
            format!("/applications/drafts/{}", case.id),
            format!(
                "/officer/households/{}/claims/{}",
                case.household_id, case.id
            ),
        ),
    };
    // The amount as far as the case has got: paid, else approved, else computed.
    let amount = case
        .paid_amount_satang
        .or(case.amount_to_pay())
        .map(|satang| format_value(Value::Money(satang), tr));
    let reference = case.reference.clone().unwrap_or_default();
    let (kind, text) = match case.status {
        // A claim Kaset drafted (no applicant yet) waits for the farmer's check.
        CaseStatus::Draft if case.applicant_id.is_none() => {
            ("drafted", tr.t("entitlements.progress.drafted").to_owned())
        }
        CaseStatus::Draft => ("draft", tr.t("entitlements.progress.draft").to_owned()),
        CaseStatus::Rejected | CaseStatus::Withdrawn => return Ok(None),
        CaseStatus::Paid => {
            let paid = apps::events(conn, case.id, false)?
                .into_iter()
                .rfind(|e| e.kind == CaseAction::MarkPaid.code());
            let on = paid
                .as_ref()
                .map(|e| tr.date(&crate::domain::clock::thai_time(e.at).date()))
                .unwrap_or_default();
            let transfer = paid.map(|e| e.message).unwrap_or_default();
            let key = if transfer.is_empty() {
                "entitlements.progress.paid_no_transfer"
            } else {
                "entitlements.progress.paid"
            };
            let text = tr.fmt(
                key,
                &[
                    ("amount", amount.as_deref().unwrap_or("")),
                    ("date", &on),
                    ("transfer", &transfer),
                ],
            );
            ("received", text)
        }
        CaseStatus::Completed => (
            "received",
            tr.fmt(
                "entitlements.progress.completed",
                &[("reference", &reference)],
            ),
        ),
        CaseStatus::Approved if case.payment_failure.is_some() => {
            let fix = case.payment_failure.map_or("", |f| tr.t(f.label_key()));
            let text = tr.fmt(
                "entitlements.progress.payment_failed",
                &[("amount", amount.as_deref().unwrap_or("")), ("fix", fix)],
            );
            ("payment_failed", text)
        }
        CaseStatus::Approved => match (&programme.delivery.mode, case.decided_on) {
            (Mode::Automatic { pays_within_days }, Some(decided)) => {
                let by = decided + Duration::days(i64::from(*pays_within_days));
                let text = tr.fmt(
                    "entitlements.progress.on_payment_list",
                    &[
                        ("amount", amount.as_deref().unwrap_or("")),
                        ("date", &tr.date(&by)),
                    ],
                );
                ("on_payment_list", text)
            }
            _ => (
                "under_way",
                tr.fmt(
                    "entitlements.progress.approved",
                    &[("reference", &reference)],
                ),
            ),
        },
        status => (
            "under_way",
            tr.fmt(
                "entitlements.progress.under_way",
                &[
                    ("reference", &reference),
                    ("status", tr.t(status.label_key())),
                ],
            ),
        ),
    };
    Ok(Some(ProgressView {
        kind,
        text,
        link,
        staff_link,
    }))
}
