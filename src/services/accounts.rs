//! A farmer's own account, created by proving who they are against the registry: the national
//! ID, birth date and registry number of a household's head, which only the person (or their
//! family) knows together.

use crate::db::{audit, registry, users, DbConn};
use crate::domain::{Email, NationalId, Phone, RegistryNumber, Role};
use chrono::{NaiveDate, NaiveDateTime};

/// What a person gives to claim their account, already parsed. It waits, with its one-time
/// code, until the person gives the code sent to the phone the registry holds for them.
pub struct Claim {
    pub national_id: NationalId,
    pub birth_date: NaiveDate,
    pub registry_number: RegistryNumber,
    /// Optional: most farmers are reached by SMS.
    pub email: Option<Email>,
    /// The chosen password, already hashed (slowly, outside any transaction).
    pub password_hash: String,
    pub locale: String,
}

/// A claim as it waits beside its one-time code.
#[derive(serde::Serialize, serde::Deserialize)]
struct Waiting {
    national_id: String,
    birth_date: NaiveDate,
    registry_number: String,
    email: Option<String>,
    password_hash: String,
    locale: String,
}

impl Claim {
    /// The claim as it waits for its code.
    pub fn to_waiting(&self) -> String {
        serde_json::to_string(&Waiting {
            national_id: self.national_id.as_str().to_owned(),
            birth_date: self.birth_date,
            registry_number: self.registry_number.as_str().to_owned(),
            email: self.email.as_ref().map(|e| e.as_str().to_owned()),
            password_hash: self.password_hash.clone(),
            locale: self.locale.clone(),
        })
        .unwrap_or_default()
    }

    /// The claim that waited, read back (none if it cannot be).
    pub fn from_waiting(text: &str) -> Option<Self> {
        let waiting: Waiting = serde_json::from_str(text).ok()?;
        Some(Self {
            national_id: NationalId::parse(&waiting.national_id).ok()?,
            birth_date: waiting.birth_date,
            registry_number: RegistryNumber::parse(&waiting.registry_number).ok()?,
            email: match waiting.email {
                Some(email) => Some(Email::parse(&email).ok()?),
                None => None,
            },
            password_hash: waiting.password_hash,
            locale: waiting.locale,
        })
    }
}

/// Why a claim cannot become an account.
#[derive(Debug, PartialEq, Eq)]
pub enum NotAllowed {
    /// No household head with that ID, birth date and registry number.
    NoMatch,
    AlreadyRegistered,
    EmailTaken,
    /// The registry holds no mobile number for the person: the office enrols them.
    NoPhone,
}

/// The household head the claim proves, and the phone the registry holds for them, or why
/// the claim cannot become an account.
pub fn check_claim(
    conn: &mut DbConn,
    claim: &Claim,
) -> diesel::QueryResult<Result<(registry::MemberRow, Phone), NotAllowed>> {
    let Some(head) = registry::find_head_for_registration(
        conn,
        claim.national_id.as_str(),
        claim.birth_date,
        claim.registry_number.as_str(),
    )?
    else {
        return Ok(Err(NotAllowed::NoMatch));
    };
    if users::national_id_taken(conn, claim.national_id.as_str())? {
        return Ok(Err(NotAllowed::AlreadyRegistered));
    }
    if let Some(email) = &claim.email {
        if users::email_taken(conn, email.as_str())? {
            return Ok(Err(NotAllowed::EmailTaken));
        }
    }
    let phone = head.phone.as_deref().and_then(|p| Phone::parse(p).ok());
    Ok(match phone {
        Some(phone) => Ok((head, phone)),
        None => Err(NotAllowed::NoPhone),
    })
}

/// Creates the farmer's account if the claim (still) holds, in one transaction with its
/// audit entry; messages reach the phone the registry holds for the person.
pub fn register_farmer(
    conn: &mut DbConn,
    claim: &Claim,
    now: NaiveDateTime,
) -> diesel::QueryResult<Result<i32, NotAllowed>> {
    crate::db::write_transaction(conn, |conn| {
        let (head, phone) = match check_claim(conn, claim)? {
            Ok(found) => found,
            Err(refused) => return Ok(Err(refused)),
        };
        let id = create_farmer_account(
            conn,
            &NewFarmer {
                head: &head,
                email: claim.email.as_ref().map(Email::as_str),
                password_hash: &claim.password_hash,
                locale: &claim.locale,
                phone: Some(&phone),
            },
            None,
            "register",
            now,
        )?;
        Ok(Ok(id))
    })
    .or_else(|e| match e {
        // Two sign-ups at once for the same person: the second finds the account taken.
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => Ok(Err(NotAllowed::AlreadyRegistered)),
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

/// Links the farmer's LINE account and puts LINE first in their channels (they just asked to
/// be reached there), audited. False when that LINE account is linked to someone else.
pub fn link_line(
    conn: &mut DbConn,
    user_id: i32,
    line_user_id: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<bool> {
    crate::db::write_transaction(conn, |conn| {
        if users::find_by_line_user_id(conn, line_user_id)?.is_some_and(|u| u.id != user_id) {
            return Ok(false);
        }
        let Some(user) = users::find(conn, user_id)? else {
            return Ok(false);
        };
        users::set_line_user_id(conn, user_id, Some(line_user_id))?;
        let mut codes = vec![crate::domain::Channel::Line.code()];
        codes.extend(
            user.channel_order()
                .channels()
                .iter()
                .filter(|c| **c != crate::domain::Channel::Line)
                .map(|c| c.code()),
        );
        let order = crate::domain::ChannelOrder::parse(codes).unwrap_or_default();
        users::set_channels(conn, user_id, &order.to_codes())?;
        audit_line(conn, user_id, "line_linked", now)?;
        Ok(true)
    })
}

/// Unlinks LINE (the farmer's choice, or LINE telling Kaset they blocked it), audited; LINE
/// leaves their channels.
pub fn unlink_line(conn: &mut DbConn, user_id: i32, now: NaiveDateTime) -> diesel::QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        let Some(user) = users::find(conn, user_id)? else {
            return Ok(());
        };
        users::set_line_user_id(conn, user_id, None)?;
        let rest: Vec<&str> = user
            .channel_order()
            .channels()
            .iter()
            .filter(|c| **c != crate::domain::Channel::Line)
            .map(|c| c.code())
            .collect();
        let order = crate::domain::ChannelOrder::parse(rest).unwrap_or_default();
        users::set_channels(conn, user_id, &order.to_codes())?;
        audit_line(conn, user_id, "line_unlinked", now)
    })
}

fn audit_line(
    conn: &mut DbConn,
    user_id: i32,
    action: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    audit::record(
        conn,
        &audit::Actor::user(Some(user_id), Role::Farmer.code()),
        audit::Entry {
            action,
            entity: "user",
            entity_id: user_id.to_string(),
            field: Some("line_user_id"),
            ..Default::default()
        },
        now,
    )
}

/// LINE says the user blocked Kaset's account: messages can no longer reach them there.
pub fn line_blocked(
    conn: &mut DbConn,
    line_user_id: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<bool> {
    match users::find_by_line_user_id(conn, line_user_id)? {
        Some(user) => unlink_line(conn, user.id, now).map(|()| true),
        None => Ok(false),
    }
}

/// Why a person ThaID vouched for cannot sign in.
#[derive(Debug, PartialEq, Eq)]
pub enum NotSignedIn {
    /// No household in the registry has them as its head: they register at the office.
    NotInRegistry,
    Disabled,
}

/// The account of the person ThaID vouched for. A household head without an account yet gets
/// one at once: ThaID proved who they are more strongly than the registry's questions do.
/// Reached by SMS at the registry's phone, if it holds one; audited.
pub fn account_for_thaid(
    conn: &mut DbConn,
    national_id: &NationalId,
    locale: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Result<users::UserRow, NotSignedIn>> {
    let found = crate::db::write_transaction(conn, |conn| {
        if let Some(user) = users::find_by_login(conn, national_id.as_str())? {
            if user.disabled_at.is_some() {
                return Ok(Err(NotSignedIn::Disabled));
            }
            users::set_locale(conn, user.id, locale)?;
            return Ok(Ok(user));
        }
        let Some(head) = registry::head_with_national_id(conn, national_id.as_str())? else {
            return Ok(Err(NotSignedIn::NotInRegistry));
        };
        let phone = head.phone.as_deref().and_then(|p| Phone::parse(p).ok());
        let id = create_farmer_account(
            conn,
            &NewFarmer {
                head: &head,
                email: None,
                password_hash: NO_PASSWORD,
                locale,
                phone: phone.as_ref(),
            },
            None,
            "register_with_thaid",
            now,
        )?;
        Ok(users::find(conn, id)?.ok_or(NotSignedIn::NotInRegistry))
    });
    match found {
        // Two first sign-ins at once: the second finds the account the first made.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {
            Ok(users::find_by_login(conn, national_id.as_str())?.ok_or(NotSignedIn::NotInRegistry))
        }
        other => other,
    }
}

/// A household head's new farmer account, as sign-up, ThaID and the office make it.
struct NewFarmer<'a> {
    head: &'a registry::MemberRow,
    email: Option<&'a str>,
    password_hash: &'a str,
    locale: &'a str,
    /// Where messages reach them: without an e-mail address, by SMS alone.
    phone: Option<&'a Phone>,
}

/// Makes the account with its audit entry (`action`), by `officer` or else by the farmer.
fn create_farmer_account(
    conn: &mut DbConn,
    farmer: &NewFarmer<'_>,
    officer: Option<&audit::Actor>,
    action: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<i32> {
    let head = farmer.head;
    let id = users::insert(
        conn,
        &users::NewUser {
            role: Role::Farmer,
            email: farmer.email,
            national_id: Some(&head.national_id),
            display_name: &head.full_name(),
            password_hash: farmer.password_hash,
            household_id: Some(head.household_id),
            scope_province_code: None,
            scope_amphoe_code: None,
            locale: farmer.locale,
            phone: farmer.phone.map(Phone::as_str),
            created_at: now,
        },
    )?;
    if farmer.email.is_none() && farmer.phone.is_some() {
        users::set_channels(conn, id, "sms")?;
    }
    let farmer_actor = audit::Actor::user(Some(id), Role::Farmer.code());
    audit::record(
        conn,
        officer.unwrap_or(&farmer_actor),
        audit::Entry {
            action,
            entity: "user",
            entity_id: id.to_string(),
            household_id: Some(head.household_id),
            ..Default::default()
        },
        now,
    )?;
    Ok(id)
}

/// The household's head, while they have no account (for the officer's "enrol" form).
pub fn head_without_account(
    conn: &mut DbConn,
    household_id: i32,
) -> diesel::QueryResult<Option<registry::MemberRow>> {
    let Some(head) = registry::head_of(conn, household_id)? else {
        return Ok(None);
    };
    Ok((!users::national_id_taken(conn, &head.national_id)?).then_some(head))
}

/// The password of an account made at the office or by ThaID: it matches no password, so the
/// farmer signs in with ThaID or a code by SMS (and may choose a password that way).
const NO_PASSWORD: &str = "!no-password";

/// At the office, an officer who has seen the household head and their ID card makes their
/// account: reached by SMS at `phone` (kept in the registry too), signed in with codes by
/// SMS, audited with the officer; the farmer is told by SMS how to sign in.
pub fn enrol_at_office(
    conn: &mut DbConn,
    tr: crate::i18n::Tr,
    officer: &audit::Actor,
    household_id: i32,
    phone: &Phone,
    public_url: &str,
    now: NaiveDateTime,
) -> anyhow::Result<Result<i32, NotAllowed>> {
    crate::db::write_transaction(conn, |conn| {
        let Some(head) = head_without_account(conn, household_id)? else {
            return Ok(Err(NotAllowed::AlreadyRegistered));
        };
        if head.phone.as_deref() != Some(phone.as_str()) {
            registry::set_member_phone(conn, head.id, phone.as_str())?;
            audit::record(
                conn,
                officer,
                audit::Entry {
                    action: "update",
                    entity: "member",
                    entity_id: head.id.to_string(),
                    household_id: Some(household_id),
                    field: Some("phone"),
                    old_value: head.phone.clone(),
                    new_value: Some(phone.as_str().to_owned()),
                },
                now,
            )?;
        }
        let id = create_farmer_account(
            conn,
            &NewFarmer {
                head: &head,
                email: None,
                password_hash: NO_PASSWORD,
                locale: tr.locale.code(),
                phone: Some(phone),
            },
            Some(officer),
            "enrolled_at_office",
            now,
        )?;
        let text = tr.fmt("sms.enrolled", &[("site", super::emails::site(public_url))]);
        super::emails::queue_sms(conn, Some(id), phone.as_str(), &text, now)?;
        Ok(Ok(id))
    })
}
