//! Partner agencies' API keys, kept by the administrator: issuing one (its secret is stored
//! only hashed) and revoking one, each with its audit entry.

use crate::db::audit::{self, Actor};
use crate::db::{api_keys, geography, DbConn};
use crate::domain::partner::ApiKey;
use crate::domain::{ApiScope, ConsentPurpose};
use chrono::NaiveDateTime;
use diesel::QueryResult;

/// A key to issue, parsed; the amphoe is checked against the geography here.
pub struct NewKey {
    pub name: String,
    pub scopes: Vec<ApiScope>,
    pub purpose: ConsentPurpose,
    pub province: Option<String>,
    pub amphoe: Option<String>,
    pub requests_per_minute: i32,
}

/// Stores the key, or says `false` when its amphoe is not one Kaset knows.
pub fn issue(
    conn: &mut DbConn,
    actor: &Actor,
    new: &NewKey,
    key: &ApiKey,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    if let Some(code) = &new.amphoe {
        if geography::amphoe(conn, code)?.is_none() {
            return Ok(false);
        }
    }
    let scopes: Vec<&str> = new.scopes.iter().map(|s| s.code()).collect();
    crate::db::write_transaction(conn, |conn| {
        let id = api_keys::insert(
            conn,
            &api_keys::NewApiKey {
                name: &new.name,
                key_prefix: key.prefix(),
                secret_sha256: &key.sha256(),
                scopes: &scopes.join(" "),
                purpose: new.purpose.code(),
                scope_province_code: new.province.as_deref(),
                scope_amphoe_code: new.amphoe.as_deref(),
                requests_per_minute: new.requests_per_minute,
                created_by: actor.user_id.unwrap_or_default(),
                created_at: now,
            },
        )?;
        audit::record(
            conn,
            actor,
            audit::Entry {
                action: "create",
                entity: "api_key",
                entity_id: id.to_string(),
                new_value: Some(format!("{} [{}]", new.name, scopes.join(" "))),
                ..audit::Entry::default()
            },
            now,
        )?;
        Ok(true)
    })
}

/// Revokes the key at once (calls with it are refused from now on), audited when it was live.
pub fn revoke(conn: &mut DbConn, actor: &Actor, id: i32, now: NaiveDateTime) -> QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        if api_keys::revoke(conn, id, now)? {
            audit::record(
                conn,
                actor,
                audit::Entry {
                    action: "revoke",
                    entity: "api_key",
                    entity_id: id.to_string(),
                    ..audit::Entry::default()
                },
                now,
            )?;
        }
        Ok(())
    })
}
