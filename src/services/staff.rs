//! Staff accounts, kept by the administrator: a new officer, manager or administrator with
//! their area, who chooses their own password through an e-mailed link (the administrator
//! never knows it), and disabling or re-enabling any account.

use crate::db::audit::{self, Actor};
use crate::db::{geography, sessions, users, DbConn};
use crate::domain::{Email, Password, Role};
use crate::i18n::Tr;
use crate::services::emails::PasswordLinkKind;
use crate::services::sign_in::{issue_password_link, LinkFor};
use chrono::NaiveDateTime;
use diesel::QueryResult;
use rand::RngCore;

/// The new account, parsed; the area codes are checked against the geography here.
pub struct NewStaff {
    pub role: Role,
    pub name: String,
    pub email: Email,
    pub province: Option<String>,
    pub amphoe: Option<String>,
}

pub enum Created {
    Yes,
    EmailTaken,
    UnknownAmphoe,
}

/// A password no one knows, for the account until its owner chooses one through the link.
/// Hash it off the async workers: hashing is slow on purpose.
pub fn placeholder_password() -> Password {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    Password::unusable(&hex::encode(secret))
}

/// Creates the account with its audit entry and queues the invitation in the account's
/// language (the administrator's, until the colleague signs in with theirs).
pub fn invite(
    conn: &mut DbConn,
    tr: Tr,
    actor: &Actor,
    staff: &NewStaff,
    placeholder_hash: &str,
    public_url: &str,
    now: NaiveDateTime,
) -> anyhow::Result<Created> {
    if users::email_taken(conn, staff.email.as_str())? {
        return Ok(Created::EmailTaken);
    }
    if let Some(code) = &staff.amphoe {
        if geography::amphoe(conn, code)?.is_none() {
            return Ok(Created::UnknownAmphoe);
        }
    }
    crate::db::write_transaction(conn, |conn| {
        let id = users::insert(
            conn,
            &users::NewUser {
                role: staff.role,
                email: Some(staff.email.as_str()),
                national_id: None,
                display_name: &staff.name,
                password_hash: placeholder_hash,
                household_id: None,
                scope_province_code: staff.province.as_deref(),
                scope_amphoe_code: staff.amphoe.as_deref(),
                locale: tr.locale.code(),
                phone: None,
                created_at: now,
            },
        )?;
        let to = LinkFor {
            user_id: id,
            email: staff.email.as_str(),
            name: &staff.name,
        };
        issue_password_link(
            conn,
            tr,
            PasswordLinkKind::StaffInvitation,
            &to,
            public_url,
            now,
        )?;
        audit::record(
            conn,
            actor,
            audit::Entry {
                action: "create",
                entity: "user",
                entity_id: id.to_string(),
                field: Some("role"),
                new_value: Some(staff.role.code().to_owned()),
                ..Default::default()
            },
            now,
        )?;
        Ok(Created::Yes)
    })
}

/// Disables an account (signing it out everywhere) or enables it again, with its audit entry.
/// Says whether the account exists.
pub fn set_disabled(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i32,
    disabled: bool,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    if users::find(conn, user_id)?.is_none() {
        return Ok(false);
    }
    crate::db::write_transaction(conn, |conn| {
        users::set_disabled(conn, user_id, disabled.then_some(now))?;
        if disabled {
            sessions::delete_for_user(conn, user_id)?;
        }
        audit::record(
            conn,
            actor,
            audit::Entry {
                action: if disabled { "disable" } else { "enable" },
                entity: "user",
                entity_id: user_id.to_string(),
                ..Default::default()
            },
            now,
        )?;
        Ok(true)
    })
}
