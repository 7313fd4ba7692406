//! The farmer's rights over their personal data (Thailand's PDPA) that are not requests to an
//! officer: consents given and withdrawn, everything Kaset holds as one export, and the log of
//! who viewed their data — written here whenever staff or a partner reads it.

use crate::db::audit::{self, Actor};
use crate::db::{api_keys, applications, consents, data_requests, notices, ratings};
use crate::db::{registry, users, DbConn};
use crate::domain::partner::PRIVACY_NOTICE_VERSION;
use crate::domain::{ConsentPurpose, NationalId, Role};
use crate::i18n::Tr;
use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde_json::{json, Value};

/// How many accesses "My data" lists and the export holds.
const ACCESS_LOG_LINES: i64 = 200;

/// Gives or withdraws a consent under the current privacy notice, with its audit entry.
pub fn record_consent(
    conn: &mut DbConn,
    actor: &Actor,
    farmer: (i32, Option<i32>),
    purpose: ConsentPurpose,
    given: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (user_id, household_id) = farmer;
    crate::db::write_transaction(conn, |conn| {
        consents::record(conn, user_id, purpose, PRIVACY_NOTICE_VERSION, given, now)?;
        audit::record(
            conn,
            actor,
            audit::Entry {
                action: if given { "consent" } else { "withdraw_consent" },
                entity: "consent",
                entity_id: purpose.code().to_owned(),
                household_id,
                field: Some("purpose"),
                new_value: Some(PRIVACY_NOTICE_VERSION.to_owned()),
                ..audit::Entry::default()
            },
            now,
        )
    })
}

/// What staff looked at, for the audit log and the farmer's "who viewed my data".
pub struct Viewed<'a> {
    /// `household` or `application`.
    pub entity: &'a str,
    pub entity_id: String,
    pub household_id: i32,
}

/// Staff looked at a farmer's personal data: that is written to the audit log.
pub fn record_view(
    conn: &mut DbConn,
    actor: &Actor,
    viewed: Viewed<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    audit::record(
        conn,
        actor,
        audit::Entry {
            action: "view",
            entity: viewed.entity,
            entity_id: viewed.entity_id,
            household_id: Some(viewed.household_id),
            ..Default::default()
        },
        now,
    )
}

/// A partner's API call, refused or not, with its HTTP status: the farmer sees it among the
/// accesses to their data.
pub fn record_api_call(
    conn: &mut DbConn,
    actor: &Actor,
    operation: &str,
    subject: String,
    household_id: Option<i32>,
    status: u16,
    now: NaiveDateTime,
) -> QueryResult<()> {
    audit::record(
        conn,
        actor,
        audit::Entry {
            action: "api_call",
            entity: operation,
            entity_id: subject,
            household_id,
            new_value: Some(status.to_string()),
            ..audit::Entry::default()
        },
        now,
    )
}

pub struct AccessLine {
    pub at: String,
    pub who: String,
    pub what: String,
}

/// Who viewed the household's data, in words: a staff member by name and role, a partner by
/// its key's name.
pub fn accesses_to_household(
    conn: &mut DbConn,
    tr: &Tr,
    household_id: i32,
) -> QueryResult<Vec<AccessLine>> {
    let rows = audit::accesses_to_household(conn, household_id, ACCESS_LOG_LINES)?;
    let user_ids: Vec<i32> = rows.iter().filter_map(|r| r.actor_user_id).collect();
    let key_ids: Vec<i32> = rows.iter().filter_map(|r| r.api_key_id).collect();
    let people = users::names(conn, &user_ids)?;
    let partners: std::collections::HashMap<i32, String> =
        api_keys::names(conn, &key_ids)?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let role = Role::parse(&row.actor_role)
                .map(|r| tr.t(r.label_key()).to_owned())
                .unwrap_or_else(|_| row.actor_role.clone());
            let name = row
                .api_key_id
                .and_then(|id| partners.get(&id))
                .or_else(|| row.actor_user_id.and_then(|id| people.get(&id)))
                .cloned()
                .unwrap_or_default();
            let refused = row
                .new_value
                .as_deref()
                .is_some_and(|status| status != "200");
            AccessLine {
                at: tr.moment(&row.at),
                who: format!("{name} ({role})"),
                what: tr
                    .t(match (row.action.as_str(), refused) {
                        ("api_call", false) => "my_data.access.api",
                        ("api_call", true) => "my_data.access.api_refused",
                        _ => "my_data.access.view",
                    })
                    .to_owned(),
            }
        })
        .collect())
}

/// Everything Kaset holds about a farmer and their household, as one JSON document; the
/// export itself is audited. Other members' national IDs are masked: they are those members'
/// personal data, not the farmer's.
pub fn export(
    conn: &mut DbConn,
    tr: &Tr,
    actor: &Actor,
    farmer: (i32, i32),
    now: NaiveDateTime,
) -> QueryResult<Value> {
    let (user_id, household_id) = farmer;
    let account = users::find(conn, user_id)?.ok_or(diesel::result::Error::NotFound)?;
    let farm = registry::load_farm(conn, household_id)?;
    let mut cases = Vec::new();
    for app in applications::for_household(conn, household_id)? {
        cases.push(json!({
            "events": applications::events(conn, app.id, false)?,
            "attachments": applications::attachments_of(conn, app.id)?
                .into_iter()
                .map(|a| json!({
                    "file_name": a.file_name,
                    "content_type": a.content_type,
                    "size_bytes": a.size_bytes,
                    "uploaded_at": a.created_at,
                }))
                .collect::<Vec<_>>(),
            "rating": ratings::for_application(conn, app.id)?,
            "application": app,
        }));
    }
    let accesses: Vec<Value> = accesses_to_household(conn, tr, household_id)?
        .into_iter()
        .map(|a| json!({"at": a.at, "who": a.who, "what": a.what}))
        .collect();
    audit::record(
        conn,
        actor,
        audit::Entry {
            action: "export",
            entity: "my_data",
            entity_id: user_id.to_string(),
            household_id: Some(household_id),
            ..audit::Entry::default()
        },
        now,
    )?;
    Ok(json!({
        "exported_at": now,
        "account": {
            "id": account.id,
            "role": account.role,
            "email": account.email,
            "national_id": account.national_id,
            "display_name": account.display_name,
            "language": account.locale,
            "created_at": account.created_at,
        },
        "household": farm.household,
        "members": farm.members.iter().map(|m| {
            let mut member = json!(m);
            if account.national_id.as_deref() != Some(m.national_id.as_str()) {
                member["national_id"] = NationalId::mask_stored(&m.national_id).into();
            }
            member
        }).collect::<Vec<_>>(),
        "plots": farm.plots.into_iter().map(|(plot, plantings)| json!({
            "plot": plot,
            "plantings": plantings,
        })).collect::<Vec<_>>(),
        "livestock": farm.livestock,
        "memberships": farm.memberships,
        "applications": cases,
        "notices": notices::for_user(conn, user_id, i64::MAX)?,
        "consents": consents::history(conn, user_id)?,
        "data_requests": data_requests::for_user(conn, user_id)?,
        "accesses": accesses,
    }))
}
