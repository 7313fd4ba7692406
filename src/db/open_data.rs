//! What the open datasets are built from (case events, ratings, stored entitlements), and the
//! published snapshots.

use super::schema::{application_events, applications, households, open_datasets, ratings};
use super::DbConn;
use crate::domain::clock::thai_time;
use crate::domain::open_data::{CaseEvent, EventKind, UptakeCount};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Every submission, approval, payment and rating, with its programme, province and household.
pub fn case_events(conn: &mut DbConn) -> QueryResult<Vec<CaseEvent>> {
    let mut events = Vec::new();
    let submitted: Vec<(String, String, i32, Option<NaiveDateTime>)> = applications::table
        .inner_join(households::table)
        .filter(applications::submitted_at.is_not_null())
        .select((
            applications::programme_id,
            households::province_code,
            applications::household_id,
            applications::submitted_at,
        ))
        .load(conn)?;
    for (programme_id, province_code, household_id, at) in submitted {
        if let Some(at) = at {
            events.push(CaseEvent {
                programme_id,
                province_code,
                household_id,
                on: thai_time(at).date(),
                kind: EventKind::Submitted,
            });
        }
    }
    type Step = (
        String,
        String,
        i32,
        NaiveDateTime,
        String,
        Option<i64>,
        Option<i64>,
    );
    let steps: Vec<Step> = application_events::table
        .inner_join(applications::table.inner_join(households::table))
        .filter(application_events::kind.eq_any(["approved", "paid"]))
        .select((
            applications::programme_id,
            households::province_code,
            applications::household_id,
            application_events::at,
            application_events::kind,
            applications::snapshot_amount_satang,
            applications::paid_amount_satang,
        ))
        .load(conn)?;
    for (programme_id, province_code, household_id, at, kind, computed, paid) in steps {
        // What was really paid; cases paid before paid amounts were kept show the computed one.
        let amount = paid.or(computed);
        events.push(CaseEvent {
            programme_id,
            province_code,
            household_id,
            on: thai_time(at).date(),
            kind: if kind == "paid" {
                EventKind::Paid(amount.unwrap_or(0))
            } else {
                EventKind::Approved
            },
        });
    }
    let rated: Vec<(String, String, i32, NaiveDateTime, i32)> = ratings::table
        .inner_join(applications::table.on(applications::id.eq(ratings::application_id)))
        .select((
            ratings::programme_id,
            ratings::province_code,
            applications::household_id,
            ratings::created_at,
            ratings::satisfaction,
        ))
        .load(conn)?;
    for (programme_id, province_code, household_id, at, score) in rated {
        events.push(CaseEvent {
            programme_id,
            province_code,
            household_id,
            on: thai_time(at).date(),
            kind: EventKind::Rated(score),
        });
    }
    Ok(events)
}

#[derive(QueryableByName)]
struct UptakeRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    programme_id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    province_code: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    eligible: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    applied: i64,
}

/// Households eligible today per programme and province, and how many of them applied;
/// counted in the database (a stored decision is one per household and programme).
pub fn uptake_counts(conn: &mut DbConn) -> QueryResult<Vec<UptakeCount>> {
    let rows: Vec<UptakeRow> = diesel::sql_query(
        "SELECT e.programme_id, h.province_code, COUNT(*) AS eligible, \
         SUM(CASE WHEN EXISTS (SELECT 1 FROM applications a WHERE a.household_id = e.household_id \
         AND a.programme_id = e.programme_id AND a.submitted_at IS NOT NULL) THEN 1 ELSE 0 END) \
         AS applied \
         FROM entitlements e JOIN households h ON h.id = e.household_id \
         WHERE e.status = 'eligible' GROUP BY e.programme_id, h.province_code",
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| UptakeCount {
            programme_id: r.programme_id,
            province_code: r.province_code,
            eligible: r.eligible,
            applied: r.applied,
        })
        .collect())
}

/// Stores a dataset, replacing the one before. One upsert, so the page that publishes on a
/// fresh database and the daily job can do it at the same moment without a conflict.
pub fn store(conn: &mut DbConn, id: &str, rows_json: &str, at: NaiveDateTime) -> QueryResult<()> {
    // Raw SQL: diesel's multi-backend connection has no upsert builder; both databases speak
    // this one.
    diesel::sql_query(
        "INSERT INTO open_datasets (id, generated_at, rows_json) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET generated_at = excluded.generated_at, \
         rows_json = excluded.rows_json",
    )
    .bind::<diesel::sql_types::Text, _>(id)
    .bind::<diesel::sql_types::Timestamp, _>(at)
    .bind::<diesel::sql_types::Text, _>(rows_json)
    .execute(conn)
    .map(|_| ())
}

/// The published rows (JSON) and when they were made.
pub fn published(conn: &mut DbConn, id: &str) -> QueryResult<Option<(NaiveDateTime, String)>> {
    open_datasets::table
        .find(id)
        .select((open_datasets::generated_at, open_datasets::rows_json))
        .first(conn)
        .optional()
}
