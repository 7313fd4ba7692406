//! Applications, their timeline and attachments: queries only. The rules of a case's life are in
//! `domain::case`; `services::cases` puts a change, its timeline event and its notices together.
//!
//! Over 500 lines because it is one aggregate: an application, its timeline events and its
//! attachments are written together under one version.

use super::audit::Actor;
use super::schema::{application_events, applications, attachments, households, members, users};
use super::DbConn;
use crate::domain::{AreaScope, CaseStatus, PaymentFailure};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct ApplicationRow {
    pub id: i32,
    pub reference: Option<String>,
    pub household_id: i32,
    /// None for a case Kaset opened by itself (a household put on an automatic programme's
    /// payment list).
    pub applicant_id: Option<i32>,
    pub programme_id: String,
    pub status: CaseStatus,
    pub version: i32,
    pub answers: String,
    pub assigned_to: Option<i32>,
    pub rejected_by: Option<i32>,
    pub decided_on: Option<NaiveDate>,
    pub appealed: bool,
    pub snapshot_rule_version: Option<String>,
    pub snapshot_status: Option<String>,
    pub snapshot_amount_satang: Option<i64>,
    pub snapshot_facts: Option<String>,
    pub snapshot_explanation: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub escalated_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    /// What the officer approved: the computed amount, or another with its reason.
    pub approved_amount_satang: Option<i64>,
    pub approved_amount_reason: Option<String>,
    /// What the paying agency reports it paid.
    pub paid_amount_satang: Option<i64>,
    /// Why the last payment failed, until the farmer says it is fixed.
    pub payment_failure: Option<PaymentFailure>,
}

impl ApplicationRow {
    /// The amount to pay: the approved one, else the one computed when the case was opened.
    pub fn amount_to_pay(&self) -> Option<i64> {
        self.approved_amount_satang.or(self.snapshot_amount_satang)
    }
}

/// The statuses in which an application is "live": one per household and programme.
const ENDED_FOR_GOOD: [CaseStatus; 2] = [CaseStatus::Withdrawn, CaseStatus::Rejected];

/// The live application of a household for a programme, if there is one.
pub fn find_live(
    conn: &mut DbConn,
    household_id: i32,
    programme_id: &str,
) -> QueryResult<Option<ApplicationRow>> {
    applications::table
        .filter(applications::household_id.eq(household_id))
        .filter(applications::programme_id.eq(programme_id))
        .filter(applications::status.ne_all(ENDED_FOR_GOOD))
        .first(conn)
        .optional()
}

/// Starts a draft, or returns the live application already there (a second "Apply", or two at
/// once: the unique index lets only one insert win, and the loser finds the winner's).
pub fn start_draft(
    conn: &mut DbConn,
    household_id: i32,
    applicant_id: Option<i32>,
    programme_id: &str,
    answers: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<ApplicationRow> {
    if let Some(live) = find_live(conn, household_id, programme_id)? {
        return Ok(live);
    }
    match open_draft(conn, household_id, applicant_id, programme_id, answers, now)? {
        Some(draft) => Ok(draft),
        None => find_live(conn, household_id, programme_id)?.ok_or(diesel::result::Error::NotFound),
    }
}

/// Opens a new draft; `None` when the household already has a live application of the
/// programme (the unique index refuses a second one, inside a savepoint when nested).
pub fn open_draft(
    conn: &mut DbConn,
    household_id: i32,
    applicant_id: Option<i32>,
    programme_id: &str,
    answers: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<Option<ApplicationRow>> {
    let inserted = super::write_transaction(conn, |conn| {
        diesel::insert_into(applications::table)
            .values((
                applications::household_id.eq(household_id),
                applications::applicant_id.eq(applicant_id),
                applications::programme_id.eq(programme_id),
                applications::status.eq(CaseStatus::Draft.code()),
                applications::version.eq(0),
                applications::answers.eq(answers),
                applications::appealed.eq(false),
                applications::created_at.eq(now),
                applications::updated_at.eq(now),
            ))
            .returning(applications::id)
            .get_result::<i32>(conn)
    });
    match inserted {
        Ok(id) => find_for_household(conn, household_id, id),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A case Kaset opens by itself, approved from the start: a household put on an automatic
/// programme's payment list.
pub struct NewEnrolment<'a> {
    pub household_id: i32,
    pub programme_id: &'a str,
    pub reference: &'a str,
    pub rule_version: &'a str,
    pub status: &'a str,
    pub amount_satang: Option<i64>,
    pub facts: &'a str,
    pub explanation: &'a str,
    pub decided_on: NaiveDate,
}

/// Stores the enrolment; `None` when the household already has a live case for the
/// programme (another server enrolled it first).
pub fn open_enrolled(
    conn: &mut DbConn,
    enrolment: &NewEnrolment<'_>,
    now: chrono::NaiveDateTime,
) -> QueryResult<Option<i32>> {
    // A savepoint: a refused insert must not end the caller's transaction on PostgreSQL.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(applications::table)
            .values((
                applications::reference.eq(enrolment.reference),
                applications::household_id.eq(enrolment.household_id),
                applications::programme_id.eq(enrolment.programme_id),
                applications::status.eq(CaseStatus::Approved.code()),
                applications::version.eq(0),
                applications::answers.eq("{}"),
                applications::appealed.eq(false),
                applications::decided_on.eq(enrolment.decided_on),
                applications::snapshot_rule_version.eq(enrolment.rule_version),
                applications::snapshot_status.eq(enrolment.status),
                applications::snapshot_amount_satang.eq(enrolment.amount_satang),
                applications::snapshot_facts.eq(enrolment.facts),
                applications::snapshot_explanation.eq(enrolment.explanation),
                applications::created_at.eq(now),
                applications::submitted_at.eq(now),
                applications::updated_at.eq(now),
            ))
            .returning(applications::id)
            .get_result(conn)
    });
    match inserted {
        Ok(id) => Ok(Some(id)),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A household's application by its id (drafts have no reference yet).
pub fn find_for_household(
    conn: &mut DbConn,
    household_id: i32,
    id: i32,
) -> QueryResult<Option<ApplicationRow>> {
    applications::table
        .find(id)
        .filter(applications::household_id.eq(household_id))
        .first(conn)
        .optional()
}

/// A household's application by its reference.
pub fn find_by_reference_for_household(
    conn: &mut DbConn,
    household_id: i32,
    reference: &str,
) -> QueryResult<Option<ApplicationRow>> {
    applications::table
        .filter(applications::reference.eq(reference))
        .filter(applications::household_id.eq(household_id))
        .first(conn)
        .optional()
}

/// A submitted application whose household lies in the staff member's area.
pub fn find_by_reference_in_scope(
    conn: &mut DbConn,
    scope: &AreaScope,
    reference: &str,
) -> QueryResult<Option<ApplicationRow>> {
    let mut q = applications::table
        .inner_join(households::table)
        .filter(applications::reference.eq(reference))
        .select(applications::all_columns)
        .into_boxed();
    q = crate::within_scope!(q, scope);
    q.first(conn).optional()
}

/// A household's applications, newest first.
pub fn for_household(conn: &mut DbConn, household_id: i32) -> QueryResult<Vec<ApplicationRow>> {
    applications::table
        .filter(applications::household_id.eq(household_id))
        .order(applications::created_at.desc())
        .load(conn)
}

/// What a step changes besides the status; `None` leaves a column as it is, `Some(None)` clears it.
#[derive(AsChangeset, Default, Debug)]
#[diesel(table_name = applications)]
pub struct Change {
    pub status: Option<String>,
    pub reference: Option<Option<String>>,
    pub answers: Option<String>,
    pub assigned_to: Option<Option<i32>>,
    pub rejected_by: Option<Option<i32>>,
    pub decided_on: Option<Option<NaiveDate>>,
    pub appealed: Option<bool>,
    pub snapshot_rule_version: Option<Option<String>>,
    pub snapshot_status: Option<Option<String>>,
    pub snapshot_amount_satang: Option<Option<i64>>,
    pub snapshot_facts: Option<Option<String>>,
    pub snapshot_explanation: Option<Option<String>>,
    pub due_on: Option<Option<NaiveDate>>,
    pub escalated_at: Option<Option<NaiveDateTime>>,
    pub submitted_at: Option<Option<NaiveDateTime>>,
    pub approved_amount_satang: Option<Option<i64>>,
    pub approved_amount_reason: Option<Option<String>>,
    pub paid_amount_satang: Option<Option<i64>>,
    pub payment_failure: Option<Option<PaymentFailure>>,
}

/// Applies a change made from version `seen` of the application. `false` when someone else
/// changed it first (optimistic locking): the caller refuses, and nothing was written.
pub fn change(
    conn: &mut DbConn,
    id: i32,
    seen: i32,
    change: &Change,
    now: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        applications::table
            .filter(applications::id.eq(id))
            .filter(applications::version.eq(seen)),
    )
    .set((
        change,
        applications::version.eq(applications::version + 1),
        applications::updated_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// The next reference of a Buddhist-era year: `KS-2569-000123`. The counter row is locked by
/// the update until the surrounding transaction ends, so two submissions never share a number.
pub fn next_reference(conn: &mut DbConn, be_year: i32) -> QueryResult<String> {
    diesel::sql_query(
        "INSERT INTO reference_counters (year, last_number) VALUES ($1, 0) \
         ON CONFLICT (year) DO NOTHING",
    )
    .bind::<diesel::sql_types::Integer, _>(be_year)
    .execute(conn)?;
    use super::schema::reference_counters as rc;
    diesel::update(rc::table.find(be_year))
        .set(rc::last_number.eq(rc::last_number + 1))
        .execute(conn)?;
    let number: i32 = rc::table
        .find(be_year)
        .select(rc::last_number)
        .first(conn)?;
    Ok(format!("KS-{be_year}-{number:06}"))
}

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct EventRow {
    pub id: i32,
    pub application_id: i32,
    pub at: NaiveDateTime,
    pub actor_id: Option<i32>,
    pub actor_role: String,
    pub kind: String,
    pub reason: Option<String>,
    pub message: String,
    pub internal: bool,
}

/// A new line of a case's timeline.
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub reason: Option<&'a str>,
    pub message: &'a str,
    /// Officers' notes: never shown to the farmer.
    pub internal: bool,
}

/// Adds an event to the case's timeline.
pub fn add_event(
    conn: &mut DbConn,
    application_id: i32,
    actor: &Actor,
    event: &NewEvent<'_>,
    now: chrono::NaiveDateTime,
) -> QueryResult<i32> {
    diesel::insert_into(application_events::table)
        .values((
            application_events::application_id.eq(application_id),
            application_events::at.eq(now),
            application_events::actor_id.eq(actor.user_id),
            application_events::actor_role.eq(&actor.role),
            application_events::kind.eq(event.kind),
            application_events::reason.eq(event.reason),
            application_events::message.eq(event.message),
            application_events::internal.eq(event.internal),
        ))
        .returning(application_events::id)
        .get_result(conn)
}

/// The officer who acted last on the case (for the per-officer satisfaction figures).
pub fn last_officer(conn: &mut DbConn, application_id: i32) -> QueryResult<Option<i32>> {
    application_events::table
        .filter(application_events::application_id.eq(application_id))
        .filter(application_events::actor_role.eq("officer"))
        .order(application_events::id.desc())
        .select(application_events::actor_id)
        .first::<Option<i32>>(conn)
        .optional()
        .map(Option::flatten)
}

/// The timeline, oldest first; without the internal notes unless `with_internal`.
pub fn events(
    conn: &mut DbConn,
    application_id: i32,
    with_internal: bool,
) -> QueryResult<Vec<EventRow>> {
    let mut q = application_events::table
        .filter(application_events::application_id.eq(application_id))
        .order(application_events::id)
        .into_boxed();
    if !with_internal {
        q = q.filter(application_events::internal.eq(false));
    }
    q.load(conn)
}

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct AttachmentRow {
    pub id: i32,
    pub application_id: i32,
    pub event_id: Option<i32>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub sha256: String,
    pub stored_as: String,
    pub uploaded_by: i32,
    pub created_at: NaiveDateTime,
}

pub struct NewAttachment<'a> {
    pub application_id: i32,
    pub event_id: Option<i32>,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i32,
    pub sha256: &'a str,
    pub stored_as: &'a str,
    pub uploaded_by: i32,
}

pub fn add_attachment(
    conn: &mut DbConn,
    a: &NewAttachment<'_>,
    now: chrono::NaiveDateTime,
) -> QueryResult<i32> {
    diesel::insert_into(attachments::table)
        .values((
            attachments::application_id.eq(a.application_id),
            attachments::event_id.eq(a.event_id),
            attachments::file_name.eq(a.file_name),
            attachments::content_type.eq(a.content_type),
            attachments::size_bytes.eq(a.size_bytes),
            attachments::sha256.eq(a.sha256),
            attachments::stored_as.eq(a.stored_as),
            attachments::uploaded_by.eq(a.uploaded_by),
            attachments::created_at.eq(now),
        ))
        .returning(attachments::id)
        .get_result(conn)
}

/// One attachment of an application.
pub fn find_attachment(
    conn: &mut DbConn,
    application_id: i32,
    attachment_id: i32,
) -> QueryResult<Option<AttachmentRow>> {
    attachments::table
        .find(attachment_id)
        .filter(attachments::application_id.eq(application_id))
        .first(conn)
        .optional()
}

pub fn attachments_of(conn: &mut DbConn, application_id: i32) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .filter(attachments::application_id.eq(application_id))
        .order(attachments::id)
        .load(conn)
}

/// Removes an attachment of a draft (a submitted one is part of the record and stays).
pub fn remove_draft_attachment(
    conn: &mut DbConn,
    application_id: i32,
    attachment_id: i32,
) -> QueryResult<Option<AttachmentRow>> {
    let found: Option<AttachmentRow> = attachments::table
        .find(attachment_id)
        .filter(attachments::application_id.eq(application_id))
        .first(conn)
        .optional()?;
    if found.is_some() {
        diesel::delete(attachments::table.find(attachment_id)).execute(conn)?;
    }
    Ok(found)
}

/// What the officers' queue may be narrowed to.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub programme_id: Option<String>,
    pub status: Option<CaseStatus>,
    pub overdue_on: Option<NaiveDate>,
    pub assigned_to: Option<i32>,
    pub unassigned: bool,
    /// Only approved cases whose transfer failed, waiting for the farmer to fix it.
    pub payment_failed: bool,
    /// A reference, or the household's name, national ID or registry number.
    pub search: crate::domain::search::CaseSearch,
}

pub const QUEUE_PAGE: i64 = 25;

/// One line of the queue: the case and its household's registry number.
pub type QueueRow = (ApplicationRow, String);

/// Submitted cases of the area matching the filter, soonest deadline first (cases waiting on
/// the farmer, with no deadline, after those), a page at a time, with the total.
pub fn queue(
    conn: &mut DbConn,
    scope: &AreaScope,
    filter: &QueueFilter,
    page: i64,
) -> QueryResult<(Vec<QueueRow>, i64)> {
    let build = || {
        let mut q = applications::table
            .inner_join(households::table)
            .filter(applications::status.ne(CaseStatus::Draft.code()))
            .into_boxed();
        q = crate::within_scope!(q, scope);
        if let Some(programme) = &filter.programme_id {
            q = q.filter(applications::programme_id.eq(programme.clone()));
        }
        if let Some(status) = filter.status {
            q = q.filter(applications::status.eq(status.code()));
        }
        if let Some(today) = filter.overdue_on {
            q = q.filter(applications::due_on.lt(today));
        }
        if let Some(officer) = filter.assigned_to {
            q = q.filter(applications::assigned_to.eq(officer));
        }
        if filter.unassigned {
            q = q.filter(applications::assigned_to.is_null());
        }
        if filter.payment_failed {
            q = q.filter(applications::payment_failure.is_not_null());
        }
        match &filter.search {
            crate::domain::search::CaseSearch::Reference(reference) => {
                let pattern = format!("{}%", crate::db::registry::escape_like(reference));
                q = q.filter(applications::reference.like(pattern).escape('\\'));
            }
            crate::domain::search::CaseSearch::Household(search) => {
                q = crate::matching_households!(q, search);
            }
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows = build()
        .select((applications::all_columns, households::registry_number))
        .order((
            applications::due_on.is_null(),
            applications::due_on,
            applications::id,
        ))
        .limit(QUEUE_PAGE)
        .offset((page.max(1) - 1) * QUEUE_PAGE)
        .load(conn)?;
    Ok((rows, total))
}

/// How many submitted cases of the area are in each status.
pub fn counts_by_status(conn: &mut DbConn, scope: &AreaScope) -> QueryResult<Vec<(String, i64)>> {
    let mut q = applications::table
        .inner_join(households::table)
        .filter(applications::status.ne(CaseStatus::Draft.code()))
        .group_by(applications::status)
        .select((applications::status, diesel::dsl::count_star()))
        .into_boxed();
    q = crate::within_scope!(q, scope);
    q.load(conn)
}

/// The failed transfers of the area, by amphoe and reason: where farmers need help to fix
/// their accounts.
pub fn failed_payments_by_amphoe(
    conn: &mut DbConn,
    scope: &AreaScope,
) -> QueryResult<Vec<(String, PaymentFailure, i64)>> {
    let mut q = applications::table
        .inner_join(households::table)
        .filter(applications::payment_failure.is_not_null())
        .select((
            households::amphoe_code,
            applications::payment_failure.assume_not_null(),
        ))
        .into_boxed();
    q = crate::within_scope!(q, scope);
    // Few at a time (each waits on its farmer), so counted here rather than grouped in SQL.
    let mut counts: std::collections::HashMap<(String, PaymentFailure), i64> =
        std::collections::HashMap::new();
    for key in q.load::<(String, PaymentFailure)>(conn)? {
        *counts.entry(key).or_default() += 1;
    }
    let mut counts: Vec<(String, PaymentFailure, i64)> = counts
        .into_iter()
        .map(|((amphoe, failure), n)| (amphoe, failure, n))
        .collect();
    counts.sort_by(|a, b| (&a.0, a.1.code()).cmp(&(&b.0, b.1.code())));
    Ok(counts)
}

/// The active officers whose area contains this amphoe (to assign a case to).
pub fn officers_for_amphoe(
    conn: &mut DbConn,
    amphoe_code: &str,
) -> QueryResult<Vec<(i32, String)>> {
    let province = &amphoe_code[..amphoe_code.len().min(2)];
    users::table
        .filter(users::role.eq(crate::domain::Role::Officer))
        .filter(users::disabled_at.is_null())
        .filter(users::scope_province_code.eq(province))
        .filter(
            users::scope_amphoe_code
                .is_null()
                .or(users::scope_amphoe_code.eq(amphoe_code)),
        )
        .order(users::display_name)
        .select((users::id, users::display_name))
        .load(conn)
}

/// Cases waiting on an officer past their deadline and not yet escalated.
pub fn overdue_unescalated(
    conn: &mut DbConn,
    today: NaiveDate,
) -> QueryResult<Vec<ApplicationRow>> {
    applications::table
        .filter(
            applications::status
                .eq_any([CaseStatus::Submitted.code(), CaseStatus::Appealed.code()]),
        )
        .filter(applications::due_on.lt(today))
        .filter(applications::escalated_at.is_null())
        .order(applications::due_on)
        .load(conn)
}

/// Marks a case escalated. Not a change of the case itself: its version stays, so an officer
/// working on it is not interrupted.
pub fn mark_escalated(conn: &mut DbConn, id: i32, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        applications::table
            .filter(applications::id.eq(id))
            .filter(applications::escalated_at.is_null()),
    )
    .set(applications::escalated_at.eq(at))
    .execute(conn)
    .map(|n| n == 1)
}

/// An approved case waiting for its payment, with who is to be paid.
#[derive(Queryable, Debug)]
pub struct AwaitingPayment {
    pub id: i32,
    pub reference: Option<String>,
    pub household_id: i32,
    pub decided_on: Option<NaiveDate>,
    /// What the rules computed, and what the officer approved (which is what to pay).
    pub computed_satang: Option<i64>,
    pub approved_satang: Option<i64>,
    pub registry_number: String,
    /// The household head, who is paid (a case Kaset opened by itself has no applicant).
    pub head_national_id: String,
    pub head_title: String,
    pub head_first_name: String,
    pub head_last_name: String,
}

/// A programme's approved cases in `scope`, oldest first, after the case id `after`.
pub fn awaiting_payment(
    conn: &mut DbConn,
    scope: &AreaScope,
    programme_id: &str,
    after: i32,
    limit: i64,
) -> QueryResult<Vec<AwaitingPayment>> {
    let mut q = applications::table
        .inner_join(households::table)
        .inner_join(
            members::table.on(members::household_id
                .eq(applications::household_id)
                .and(members::is_head.eq(true))),
        )
        .filter(applications::programme_id.eq(programme_id))
        .filter(applications::status.eq(CaseStatus::Approved.code()))
        // A failed payment waits for the farmer to fix what the agency said.
        .filter(applications::payment_failure.is_null())
        .filter(applications::id.gt(after))
        .select((
            applications::id,
            applications::reference,
            applications::household_id,
            applications::decided_on,
            applications::snapshot_amount_satang,
            applications::approved_amount_satang,
            households::registry_number,
            members::national_id,
            members::title,
            members::first_name,
            members::last_name,
        ))
        .order(applications::id)
        .limit(limit)
        .into_boxed();
    q = crate::within_scope!(q, scope);
    q.load(conn)
}
