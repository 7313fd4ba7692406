//! Farmers' personal-data requests (PDPA): a correction goes to the officers of the household's
//! district, who answer it by the legal deadline; every step is audited and told to whoever it
//! concerns (a notice and an e-mail), in the same transaction. An account deletion is carried
//! out at once, keeping what the law requires to keep.

use super::notify::{tell_staff, Notice, Staff};
use crate::db::audit::{self, Actor};
use crate::db::data_requests::{self as requests, DataRequestRow, NewRequest};
use crate::db::{consents, notices, registry, users, DbConn};
use crate::domain::data_request::{self, Details};
use crate::domain::partner::PRIVACY_NOTICE_VERSION;
use crate::domain::{DataRequestKind, DataRequestStatus};
use crate::i18n::Tr;
use crate::services::emails::{self, DataRequestNews};

fn audit_entry(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    row_id: i32,
    household_id: i32,
    value: Option<String>,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    audit::record(
        conn,
        actor,
        audit::Entry {
            action,
            entity: "data_request",
            entity_id: data_request::reference(row_id),
            household_id: Some(household_id),
            new_value: value,
            ..audit::Entry::default()
        },
        now,
    )?;
    Ok(())
}

/// Records the farmer's correction request and tells the district's officers; its reference.
pub fn ask_correction(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i32,
    household_id: i32,
    details: &Details,
    public_url: &str,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<String> {
    crate::db::write_transaction(conn, |conn| {
        let household = registry::find_household(conn, household_id)?;
        let today = crate::domain::clock::thai_time(now).date();
        let id = requests::insert(
            conn,
            &NewRequest {
                user_id,
                household_id,
                amphoe_code: &household.amphoe_code,
                kind: DataRequestKind::Correction,
                status: DataRequestStatus::Open,
                details: details.as_str(),
                due_on: data_request::due_on(today),
                resolution: "",
            },
            now,
        )?;
        let reference = data_request::reference(id);
        audit_entry(conn, actor, "ask_correction", id, household_id, None, now)?;
        let link = format!("{public_url}/officer/data-requests#{reference}");
        let notice = Notice {
            kind: "data_request.new",
            subject: &reference,
        };
        let officers = Staff::OfficersOf(&household.amphoe_code);
        tell_staff(conn, officers, &notice, now, |conn, tr, email, officer| {
            let news = DataRequestNews {
                section: "data_request_new",
                reference: &reference,
                text: details.as_str(),
                link: &link,
            };
            let to = emails::Recipient::email(email, &officer.display_name);
            emails::queue_data_request(conn, tr, &to, &news, now)
        })?;
        tell_farmer(
            conn,
            user_id,
            "data_request_received",
            &reference,
            details.as_str(),
            public_url,
            now,
        )?;
        Ok(reference)
    })
}

fn tell_farmer(
    conn: &mut DbConn,
    user_id: i32,
    section: &'static str,
    reference: &str,
    text: &str,
    public_url: &str,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let Some(farmer) = users::find(conn, user_id)? else {
        return Ok(());
    };
    let link = format!("{public_url}/privacy#requests");
    let news = DataRequestNews {
        section,
        reference,
        text,
        link: &link,
    };
    emails::queue_data_request(
        conn,
        Tr::new(farmer.locale()),
        &emails::Recipient::of(&farmer),
        &news,
        now,
    )
}

/// The officer's answer: corrected (`Done`) or not, with why. False when it was already closed.
pub fn answer(
    conn: &mut DbConn,
    actor: &Actor,
    request: &DataRequestRow,
    outcome: DataRequestStatus,
    message: &str,
    public_url: &str,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<bool> {
    crate::db::write_transaction(conn, |conn| {
        let officer = actor.user_id.unwrap_or_default();
        if !requests::resolve(conn, request.id, outcome, message, officer, now)? {
            return Ok(false);
        }
        let reference = data_request::reference(request.id);
        audit_entry(
            conn,
            actor,
            outcome.code(),
            request.id,
            request.household_id,
            Some(message.to_owned()),
            now,
        )?;
        notices::insert(
            conn,
            request.user_id,
            &format!("data_request.{}", outcome.code()),
            &reference,
            None,
            now,
        )?;
        let section = if outcome == DataRequestStatus::Done {
            "data_request_done"
        } else {
            "data_request_declined"
        };
        tell_farmer(
            conn,
            request.user_id,
            section,
            &reference,
            message,
            public_url,
            now,
        )?;
        Ok(true)
    })
}

/// Deletes the farmer's account at their request: consents withdrawn, then sign-in and contact
/// details erased (`db::data_requests::erase_account`); case records stay, as the law requires.
pub fn delete_account(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i32,
    household_id: i32,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    crate::db::write_transaction(conn, |conn| {
        let user = users::find(conn, user_id)?.ok_or_else(|| anyhow::anyhow!("no such account"))?;
        let household = registry::find_household(conn, household_id)?;
        for consent in consents::current(conn, user_id)? {
            if consent.given {
                let purpose = consent.purpose;
                consents::record(conn, user_id, purpose, PRIVACY_NOTICE_VERSION, false, now)?;
            }
        }
        let today = crate::domain::clock::thai_time(now).date();
        let id = requests::insert(
            conn,
            &NewRequest {
                user_id,
                household_id,
                amphoe_code: &household.amphoe_code,
                kind: DataRequestKind::Deletion,
                status: DataRequestStatus::Done,
                details: "",
                due_on: today,
                resolution: "",
            },
            now,
        )?;
        requests::erase_account(conn, user_id, user.national_id.as_deref(), now)?;
        audit_entry(conn, actor, "erase_account", id, household_id, None, now)?;
        Ok(())
    })
}
