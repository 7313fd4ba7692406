//! A farmer's own account, created by proving who they are against the registry: the national
//! ID, birth date and registry number of a household's head, which only the person (or their
//! family) knows together.

use crate::db::{audit, registry, users, DbConn};
use crate::domain::{Email, NationalId, RegistryNumber, Role};
use chrono::{NaiveDate, NaiveDateTime};

/// What a person gives to claim their account, already parsed.
pub struct Claim {
    pub national_id: NationalId,
    pub birth_date: NaiveDate,
    pub registry_number: RegistryNumber,
    pub email: Email,
    /// The chosen password, already hashed (slowly, outside any transaction).
    pub password_hash: String,
    pub locale: &'static str,
}

pub enum Registered {
    Created(i32),
    /// No household head with that ID, birth date and registry number.
    NoMatch,
    AlreadyRegistered,
    EmailTaken,
}

/// Creates the farmer's account if the claim matches the registry, in one transaction with
/// its audit entry.
pub fn register_farmer(
    conn: &mut DbConn,
    claim: &Claim,
    now: NaiveDateTime,
) -> diesel::QueryResult<Registered> {
    crate::db::write_transaction(conn, |conn| {
        let Some(head) = registry::find_head_for_registration(
            conn,
            claim.national_id.as_str(),
            claim.birth_date,
            claim.registry_number.as_str(),
        )?
        else {
            return Ok(Registered::NoMatch);
        };
        if users::national_id_taken(conn, claim.national_id.as_str())? {
            return Ok(Registered::AlreadyRegistered);
        }
        if users::email_taken(conn, claim.email.as_str())? {
            return Ok(Registered::EmailTaken);
        }
        // Messages reach the phone the registry holds for the person.
        let phone = head
            .phone
            .as_deref()
            .and_then(|p| crate::domain::Phone::parse(p).ok());
        let id = users::insert(
            conn,
            &users::NewUser {
                role: Role::Farmer,
                email: Some(claim.email.as_str()),
                national_id: Some(claim.national_id.as_str()),
                display_name: &head.full_name(),
                password_hash: &claim.password_hash,
                household_id: Some(head.household_id),
                scope_province_code: None,
                scope_amphoe_code: None,
                locale: claim.locale,
                phone: phone.as_ref().map(crate::domain::Phone::as_str),
                created_at: now,
            },
        )?;
        audit::record(
            conn,
            &audit::Actor::user(Some(id), Role::Farmer.code()),
            audit::Entry {
                action: "register",
                entity: "user",
                entity_id: id.to_string(),
                household_id: Some(head.household_id),
                ..Default::default()
            },
            now,
        )?;
        Ok(Registered::Created(id))
    })
    .or_else(|e| match e {
        // Two sign-ups at once for the same person: the second finds the account taken.
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => Ok(Registered::AlreadyRegistered),
        other => Err(other),
    })
}

/// The farmer's chosen order of channels for Kaset's messages, audited.
pub fn choose_channels(
    conn: &mut DbConn,
    user_id: i32,
    order: &crate::domain::ChannelOrder,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        let before = users::find(conn, user_id)?.map(|u| u.channels);
        users::set_channels(conn, user_id, &order.to_codes())?;
        audit::record(
            conn,
            &audit::Actor::user(Some(user_id), Role::Farmer.code()),
            audit::Entry {
                action: "channels_chosen",
                entity: "user",
                entity_id: user_id.to_string(),
                field: Some("channels"),
                old_value: before,
                new_value: Some(order.to_codes()),
                ..Default::default()
            },
            now,
        )
    })
}
