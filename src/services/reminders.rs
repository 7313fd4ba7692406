//! Reminders, each sent once (recorded in `reminders` before it is sent), as an in-app notice
//! and, where the farmer has an address, an e-mail through the outbox:
//! - a drafted claim not confirmed, `CLAIM_DAYS_BEFORE` days before the declaration's window
//!   closes;
//! - information an officer asked for and not answered after `INFO_WORKING_DAYS` working days;
//! - a rejection whose appeal window closes in `APPEAL_DAYS_BEFORE` days;
//! - a programme closing in `PROGRAMME_DAYS_BEFORE` days while an eligible household has not
//!   claimed it.

use super::cases::CaseContext;
use crate::db::applications::ApplicationRow;
use crate::db::users::UserRow;
use crate::db::{notices, registry, reminders, users, DbConn};
use crate::domain::case::APPEAL_DAYS;
use crate::domain::clock::thai_time;
use crate::i18n::Tr;
use chrono::Duration;

pub const CLAIM_DAYS_BEFORE: i64 = 3;
pub const INFO_WORKING_DAYS: i64 = 5;
pub const APPEAL_DAYS_BEFORE: i64 = 7;
pub const PROGRAMME_DAYS_BEFORE: i64 = 14;

/// The kinds of reminder, as recorded and as their notices' kinds (`reminder.<code>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reminder {
    ClaimClosing,
    InfoUnanswered,
    AppealClosing,
    ProgrammeClosing,
}

impl Reminder {
    pub const ALL: [Reminder; 4] = [
        Reminder::ClaimClosing,
        Reminder::InfoUnanswered,
        Reminder::AppealClosing,
        Reminder::ProgrammeClosing,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reminder::ClaimClosing => "claim_closing",
            Reminder::InfoUnanswered => "info_unanswered",
            Reminder::AppealClosing => "appeal_closing",
            Reminder::ProgrammeClosing => "programme_closing",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The notice kind of this reminder.
    pub fn notice_kind(self) -> String {
        format!("reminder.{}", self.code())
    }
}

/// A notice's subject for a reminder: the programme, the case's reference (if it has one)
/// and the date it is about, separated by `|`.
pub fn notice_subject(programme_id: &str, reference: &str, date: chrono::NaiveDate) -> String {
    format!("{programme_id}|{reference}|{date}")
}

/// Sends every reminder that is due and was not sent before; returns how many were sent.
pub fn send_due(conn: &mut DbConn, cx: &CaseContext<'_>) -> anyhow::Result<usize> {
    let mut sent = 0;
    sent += claims_closing(conn, cx)?;
    sent += information_unanswered(conn, cx)?;
    sent += appeals_closing(conn, cx)?;
    sent += programmes_closing(conn, cx)?;
    Ok(sent)
}

fn claims_closing(conn: &mut DbConn, cx: &CaseContext<'_>) -> anyhow::Result<usize> {
    let programmes: Vec<&str> = cx
        .rules
        .programmes
        .iter()
        .filter(|p| p.form.damage_per_plot)
        .map(|p| p.id.as_str())
        .collect();
    let mut sent = 0;
    for draft in reminders::drafts_of(conn, &programmes)? {
        let farm = registry::load_farm(conn, draft.household_id)?;
        let close = registry::rules_record(conn, &farm, cx.today)?
            .disaster
            .and_then(|d| d.claims_close_on);
        let Some(close) = close else { continue };
        let days_left = (close - cx.today).num_days();
        if (0..=CLAIM_DAYS_BEFORE).contains(&days_left) {
            let link = format!("{}/applications/drafts/{}", cx.public_url, draft.id);
            let subject = draft.id.to_string();
            sent += remind(
                conn,
                cx,
                Reminder::ClaimClosing,
                &subject,
                &draft,
                close,
                &link,
            )?;
        }
    }
    Ok(sent)
}

fn information_unanswered(conn: &mut DbConn, cx: &CaseContext<'_>) -> anyhow::Result<usize> {
    let mut sent = 0;
    for (case, request, asked_at) in reminders::waiting_for_answers(conn)? {
        let asked_on = thai_time(asked_at).date();
        if cx.calendar.working_days_between(asked_on, cx.today) < INFO_WORKING_DAYS {
            continue;
        }
        let reference = case.reference.clone().unwrap_or_default();
        let link = format!("{}/applications/{reference}", cx.public_url);
        // Each request is reminded once; a second request is a new reminder.
        let subject = request.to_string();
        sent += remind(
            conn,
            cx,
            Reminder::InfoUnanswered,
            &subject,
            &case,
            asked_on,
            &link,
        )?;
    }
    Ok(sent)
}

fn appeals_closing(conn: &mut DbConn, cx: &CaseContext<'_>) -> anyhow::Result<usize> {
    let mut sent = 0;
    let oldest_appealable = cx.today - Duration::days(APPEAL_DAYS);
    for case in reminders::appealable(conn, oldest_appealable)? {
        let Some(decided) = case.decided_on else {
            continue;
        };
        let last_day = decided + Duration::days(APPEAL_DAYS);
        let days_left = (last_day - cx.today).num_days();
        if (0..=APPEAL_DAYS_BEFORE).contains(&days_left) {
            let reference = case.reference.clone().unwrap_or_default();
            let link = format!("{}/applications/{reference}#appeal", cx.public_url);
            let subject = case.id.to_string();
            sent += remind(
                conn,
                cx,
                Reminder::AppealClosing,
                &subject,
                &case,
                last_day,
                &link,
            )?;
        }
    }
    Ok(sent)
}

fn programmes_closing(conn: &mut DbConn, cx: &CaseContext<'_>) -> anyhow::Result<usize> {
    let mut sent = 0;
    for programme in &cx.rules.programmes {
        let Some(last_day) = programme.valid_to else {
            continue;
        };
        let days_left = (last_day - cx.today).num_days();
        if !(0..=PROGRAMME_DAYS_BEFORE).contains(&days_left)
            || !programme.delivery.mode.farmer_starts_a_case()
        {
            continue;
        }
        let link = format!("{}/entitlements#programme-{}", cx.public_url, programme.id);
        for household_id in reminders::eligible_without_a_case(conn, &programme.id)? {
            let subject = format!("{household_id}:{}", programme.id);
            let text = notice_subject(&programme.id, "", last_day);
            let farmers = users::farmers_of_household(conn, household_id)?;
            sent += send_once(
                conn,
                cx,
                Reminder::ProgrammeClosing,
                &subject,
                &farmers,
                &text,
                &link,
            )?;
        }
    }
    Ok(sent)
}

/// Sends the reminder about a case or draft to the farmers it concerns.
fn remind(
    conn: &mut DbConn,
    cx: &CaseContext<'_>,
    reminder: Reminder,
    subject: &str,
    case: &ApplicationRow,
    date: chrono::NaiveDate,
    link: &str,
) -> anyhow::Result<usize> {
    let farmers = match case.applicant_id {
        Some(id) => users::find(conn, id)?.into_iter().collect(),
        None => users::farmers_of_household(conn, case.household_id)?,
    };
    let reference = case.reference.clone().unwrap_or_default();
    let text = notice_subject(&case.programme_id, &reference, date);
    send_once(conn, cx, reminder, subject, &farmers, &text, link)
}

/// Records the reminder and tells each farmer, in one transaction; 0 when it was sent before.
fn send_once(
    conn: &mut DbConn,
    cx: &CaseContext<'_>,
    reminder: Reminder,
    subject: &str,
    farmers: &[UserRow],
    notice_subject: &str,
    link: &str,
) -> anyhow::Result<usize> {
    let sent = crate::db::write_transaction(conn, |conn| {
        if !reminders::claim(conn, reminder.code(), subject, cx.now)? {
            return Ok::<_, anyhow::Error>(false);
        }
        for farmer in farmers {
            notices::insert(
                conn,
                farmer.id,
                &reminder.notice_kind(),
                notice_subject,
                None,
                cx.now,
            )?;
            let tr = Tr::new(farmer.locale());
            let text = wording(&tr, cx.rules, reminder, notice_subject);
            super::emails::queue_reminder(
                conn,
                tr,
                &super::emails::Recipient::of(farmer),
                &text,
                sms_wording(&tr, reminder, notice_subject, link),
                link,
                cx.now,
            )?;
        }
        Ok(true)
    })?;
    Ok(usize::from(sent))
}

/// A reminder in the reader's words, from its notice subject.
/// A notice subject's programme, reference and date (worded in `tr`'s language).
fn subject_parts<'a>(tr: &Tr, subject: &'a str) -> (&'a str, &'a str, String) {
    let mut parts = subject.splitn(3, '|');
    let programme = parts.next().unwrap_or_default();
    let reference = parts.next().unwrap_or_default();
    let date = parts
        .next()
        .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
        .map(|d| tr.date(&d))
        .unwrap_or_default();
    (programme, reference, date)
}

/// The reminder as an SMS: short, the case's reference and the date, and the page's address
/// without its anchor.
pub fn sms_wording(tr: &Tr, reminder: Reminder, subject: &str, link: &str) -> String {
    let (_, reference, date) = subject_parts(tr, subject);
    let page = super::emails::site(link.split('#').next().unwrap_or_default());
    tr.fmt(
        &format!("sms.reminder.{}", reminder.code()),
        &[("reference", reference), ("date", &date), ("link", page)],
    )
}

pub fn wording(
    tr: &Tr,
    rules: &crate::rules::RuleSet,
    reminder: Reminder,
    subject: &str,
) -> String {
    let (programme, reference, date) = subject_parts(tr, subject);
    tr.fmt(
        &format!("reminder.{}", reminder.code()),
        &[
            ("title", rules.title(programme, tr.locale)),
            ("reference", reference),
            ("date", &date),
        ],
    )
}
