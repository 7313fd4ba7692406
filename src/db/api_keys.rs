//! Partner agencies' API keys (hashed; see `domain::partner`).

use super::schema::{api_keys, users};
use super::DbConn;
use crate::domain::{ApiScope, AreaScope, ConsentPurpose};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Queryable, Clone, Debug)]
pub struct ApiKeyRow {
    pub id: i32,
    pub name: String,
    pub key_prefix: String,
    pub secret_sha256: String,
    pub scopes: String,
    pub purpose: ConsentPurpose,
    pub scope_province_code: Option<String>,
    pub scope_amphoe_code: Option<String>,
    pub requests_per_minute: i32,
    pub created_by: i32,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

impl ApiKeyRow {
    /// The scopes granted (codes Kaset no longer knows grant nothing).
    pub fn scopes(&self) -> Vec<ApiScope> {
        self.scopes
            .split_whitespace()
            .filter_map(|code| ApiScope::parse(code).ok())
            .collect()
    }

    pub fn area(&self) -> AreaScope {
        AreaScope::from_codes(
            self.scope_province_code.as_deref(),
            self.scope_amphoe_code.as_deref(),
        )
    }
}

#[derive(Insertable, Debug)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub key_prefix: &'a str,
    pub secret_sha256: &'a str,
    pub scopes: &'a str,
    pub purpose: &'a str,
    pub scope_province_code: Option<&'a str>,
    pub scope_amphoe_code: Option<&'a str>,
    pub requests_per_minute: i32,
    pub created_by: i32,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, key: &NewApiKey<'_>) -> QueryResult<i32> {
    diesel::insert_into(api_keys::table)
        .values(key)
        .returning(api_keys::id)
        .get_result(conn)
}

pub fn find_by_prefix(conn: &mut DbConn, prefix: &str) -> QueryResult<Option<ApiKeyRow>> {
    api_keys::table
        .filter(api_keys::key_prefix.eq(prefix))
        .first(conn)
        .optional()
}

/// Every key, newest first, with the name of the administrator who created it.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<(ApiKeyRow, String)>> {
    api_keys::table
        .inner_join(users::table.on(users::id.eq(api_keys::created_by)))
        .select((api_keys::all_columns, users::display_name))
        .order(api_keys::id.desc())
        .load(conn)
}

pub fn names(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    api_keys::table
        .filter(api_keys::id.eq_any(ids))
        .select((api_keys::id, api_keys::name))
        .load(conn)
}

/// Revokes a key at once; true when it was live.
pub fn revoke(conn: &mut DbConn, id: i32, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(Some(at)))
    .execute(conn)
    .map(|n| n == 1)
}
