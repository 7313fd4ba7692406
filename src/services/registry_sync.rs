//! Registry changes arriving from outside: a page of the national registry sync, or a batch a
//! partner's system sends through the API. Each record is read alone (one that cannot be read
//! is refused alone), stored, and the stored households are re-decided at once.

use super::entitlements::{self, Changes, Notify};
use crate::db::audit::Actor;
use crate::db::registry_sync::{self as store, PageError, PageOutcome, Received, Refused};
use crate::db::DbConn;
use crate::domain::registry_record::{HouseholdRecord, Rejection, WireHousehold};
use crate::domain::AreaScope;
use crate::rules::RuleSet;
use chrono::NaiveDateTime;

/// A page of the national registry, between the cursor it was asked from and the next.
pub struct SyncedPage<'a> {
    pub seen: Option<&'a str>,
    pub next: &'a str,
    pub received: Vec<Received>,
}

/// What became of the records, and what the stored households newly qualify for.
pub struct Applied {
    pub outcome: PageOutcome,
    pub changes: Changes,
}

/// Reads one household of a page: parsed, or refused with where and why.
pub fn read(value: serde_json::Value) -> Received {
    let raw = value.to_string();
    let text_of = |name: &str| {
        value
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let refused = |rejection: Rejection| {
        Received::Refused(Refused {
            registry_number: text_of("registry_number"),
            tambon_code: text_of("tambon_code"),
            rejection,
            record: raw.clone(),
        })
    };
    let wire: WireHousehold = match serde_json::from_value(value.clone()) {
        Ok(wire) => wire,
        Err(e) => return refused(Rejection::new(e.to_string(), "registry_sync.reject.shape")),
    };
    match HouseholdRecord::parse(&wire) {
        Ok(record) => Received::Household(Box::new(record), raw),
        Err(rejection) => refused(rejection),
    }
}

/// Where the national registry sync stands: the cursor to ask the next page from.
pub fn sync_cursor(conn: &mut DbConn) -> diesel::QueryResult<Option<String>> {
    store::cursor(conn, store::REGISTRY)
}

/// Stores a page of the national registry with its cursor (see `db::registry_sync::apply_page`),
/// then re-decides its households.
pub fn apply_synced_page(
    conn: &mut DbConn,
    rules: &RuleSet,
    notify: &Notify,
    page: SyncedPage,
    now: NaiveDateTime,
) -> Result<Applied, ApplyError> {
    let outcome = store::apply_page(
        conn,
        store::REGISTRY,
        page.seen,
        page.next,
        page.received,
        now,
    )?;
    // After the page is stored: an interruption here is made good by the daily re-evaluation
    // of everyone.
    let changes = entitlements::reevaluate_households(conn, rules, &outcome.stored(), now, notify)?;
    Ok(Applied { outcome, changes })
}

/// Who sends a batch of records from outside the national sync, and the area it may write.
pub struct Writer<'a> {
    /// Where the records came from, as the review list shows it (`api:<key id>`).
    pub source: &'a str,
    pub actor: &'a Actor,
    pub area: &'a AreaScope,
}

/// Stores a partner's batch, each record alone (see `db::registry_sync::store_records`), then
/// re-decides the stored households.
pub fn store_partner_records(
    conn: &mut DbConn,
    rules: &RuleSet,
    notify: &Notify,
    writer: &Writer,
    received: Vec<Received>,
    now: NaiveDateTime,
) -> Result<Applied, ApplyError> {
    let outcome = crate::db::write_transaction(conn, |conn| {
        store::store_records(
            conn,
            writer.source,
            writer.actor,
            received,
            writer.area,
            now,
        )
    })?;
    let changes = entitlements::reevaluate_households(conn, rules, &outcome.stored(), now, notify)?;
    Ok(Applied { outcome, changes })
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Page(#[from] PageError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for ApplyError {
    fn from(e: diesel::result::Error) -> Self {
        ApplyError::Page(PageError::Database(e))
    }
}
