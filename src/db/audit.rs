//! The append-only audit log: who viewed or changed what, when, with the old and new value.
//! The database refuses UPDATE and DELETE on this table (see the migrations).

use super::schema::audit_log;
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Who did it.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i32>,
    pub role: String,
    /// Set when a partner agency acts through its API key.
    pub api_key_id: Option<i32>,
}

impl Actor {
    /// Kaset itself, acting on its own (an enrolment, a drafted claim, an escalation).
    pub fn kaset() -> Self {
        Self::user(None, "system")
    }

    /// A user of Kaset (or Kaset itself, with no user).
    pub fn user(user_id: Option<i32>, role: &str) -> Self {
        Self {
            user_id,
            role: role.to_owned(),
            api_key_id: None,
        }
    }
}

/// One audit entry; `field`, `old` and `new` are set for changes to a single value.
#[derive(Debug, Default)]
pub struct Entry<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub household_id: Option<i32>,
    pub field: Option<&'a str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    entry: Entry<'_>,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now),
            audit_log::actor_user_id.eq(actor.user_id),
            audit_log::actor_role.eq(&actor.role),
            audit_log::action.eq(entry.action),
            audit_log::entity.eq(entry.entity),
            audit_log::entity_id.eq(&entry.entity_id),
            audit_log::household_id.eq(entry.household_id),
            audit_log::field.eq(entry.field),
            audit_log::old_value.eq(entry.old_value),
            audit_log::new_value.eq(entry.new_value),
            audit_log::api_key_id.eq(actor.api_key_id),
        ))
        .execute(conn)
        .map(|_| ())
}

#[derive(Queryable, Debug, Clone)]
pub struct AuditRow {
    pub id: i32,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<i32>,
    pub actor_role: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub household_id: Option<i32>,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub api_key_id: Option<i32>,
}

/// A household's changes, newest first (views of its record are left out).
pub fn changes_to_household(
    conn: &mut DbConn,
    household_id: i32,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    audit_log::table
        .filter(audit_log::household_id.eq(household_id))
        .filter(audit_log::action.ne("view"))
        .order(audit_log::id.desc())
        .limit(limit)
        .load(conn)
}

/// Who looked at a household's data, newest first: staff views and partner API calls.
pub fn accesses_to_household(
    conn: &mut DbConn,
    household_id: i32,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    audit_log::table
        .filter(audit_log::household_id.eq(household_id))
        .filter(audit_log::action.eq_any(["view", "api_call"]))
        .order(audit_log::id.desc())
        .limit(limit)
        .load(conn)
}
