//! Ratings of ended cases, and the score counts the satisfaction figures are worked out from
//! (`domain::satisfaction`): the database only counts, grouped one way at a time.

use super::schema::{applications, households, page_feedback, ratings, satisfaction_alerts};
use super::DbConn;
use crate::domain::clock::{thai_time, THAI_OFFSET_HOURS};
use crate::domain::satisfaction::{processing_band, Histogram, ReportingPeriod};
use crate::domain::{AreaScope, CaseStatus};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use std::collections::BTreeMap;

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct RatingRow {
    pub id: i32,
    pub application_id: i32,
    pub user_id: i32,
    pub programme_id: String,
    pub province_code: String,
    pub amphoe_code: String,
    pub officer_id: Option<i32>,
    pub satisfaction: i32,
    pub effort: i32,
    pub comment: String,
    pub processing_days: i32,
    pub missed_deadline: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn for_application(conn: &mut DbConn, application_id: i32) -> QueryResult<Option<RatingRow>> {
    ratings::table
        .filter(ratings::application_id.eq(application_id))
        .first(conn)
        .optional()
}

/// A rating as given; the case's dimensions come with it.
pub struct NewRating<'a> {
    pub application_id: i32,
    pub user_id: i32,
    pub programme_id: &'a str,
    pub province_code: &'a str,
    pub amphoe_code: &'a str,
    pub officer_id: Option<i32>,
    pub satisfaction: i32,
    pub effort: i32,
    pub comment: &'a str,
    pub processing_days: i32,
    pub missed_deadline: bool,
}

/// Stores the case's rating, or changes it (one per case), and keeps the monthly counts in
/// step in the same transaction. `true` when it is the case's first rating.
pub fn save(conn: &mut DbConn, r: &NewRating<'_>, now: NaiveDateTime) -> QueryResult<bool> {
    super::write_transaction(conn, |conn| {
        let before = for_application(conn, r.application_id)?;
        if let Some(old) = &before {
            diesel::update(ratings::table.find(old.id))
                .set((
                    ratings::satisfaction.eq(r.satisfaction),
                    ratings::effort.eq(r.effort),
                    ratings::comment.eq(r.comment),
                    ratings::updated_at.eq(now),
                ))
                .execute(conn)?;
            bump(conn, &CountKey::of(old), -1, -i64::from(old.effort))?;
        } else {
            diesel::insert_into(ratings::table)
                .values((
                    ratings::application_id.eq(r.application_id),
                    ratings::user_id.eq(r.user_id),
                    ratings::programme_id.eq(r.programme_id),
                    ratings::province_code.eq(r.province_code),
                    ratings::amphoe_code.eq(r.amphoe_code),
                    ratings::officer_id.eq(r.officer_id),
                    ratings::satisfaction.eq(r.satisfaction),
                    ratings::effort.eq(r.effort),
                    ratings::comment.eq(r.comment),
                    ratings::processing_days.eq(r.processing_days),
                    ratings::missed_deadline.eq(r.missed_deadline),
                    ratings::created_at.eq(now),
                    ratings::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        let stored =
            for_application(conn, r.application_id)?.ok_or(diesel::result::Error::NotFound)?;
        bump(conn, &CountKey::of(&stored), 1, i64::from(stored.effort))?;
        Ok(before.is_none())
    })
}

/// Where a rating is counted in `rating_counts`.
struct CountKey {
    month: String,
    programme_id: String,
    province_code: String,
    amphoe_code: String,
    officer_id: i32,
    band: i32,
    missed_deadline: bool,
    satisfaction: i32,
}

impl CountKey {
    fn of(r: &RatingRow) -> Self {
        CountKey {
            month: thai_time(r.created_at).format("%Y-%m").to_string(),
            programme_id: r.programme_id.clone(),
            province_code: r.province_code.clone(),
            amphoe_code: r.amphoe_code.clone(),
            officer_id: r.officer_id.unwrap_or(0),
            band: i32::try_from(processing_band(r.processing_days)).unwrap_or(0),
            missed_deadline: r.missed_deadline,
            satisfaction: r.satisfaction,
        }
    }
}

/// Adds to (or takes from) one count.
fn bump(conn: &mut DbConn, k: &CountKey, ratings: i64, effort: i64) -> QueryResult<()> {
    use super::schema::rating_counts as rc;
    let changed = diesel::update(
        rc::table
            .filter(rc::month.eq(&k.month))
            .filter(rc::programme_id.eq(&k.programme_id))
            .filter(rc::amphoe_code.eq(&k.amphoe_code))
            .filter(rc::officer_id.eq(k.officer_id))
            .filter(rc::band.eq(k.band))
            .filter(rc::missed_deadline.eq(k.missed_deadline))
            .filter(rc::satisfaction.eq(k.satisfaction)),
    )
    .set((
        rc::ratings.eq(rc::ratings + ratings),
        rc::effort_sum.eq(rc::effort_sum + effort),
    ))
    .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(rc::table)
            .values((
                rc::month.eq(&k.month),
                rc::programme_id.eq(&k.programme_id),
                rc::province_code.eq(&k.province_code),
                rc::amphoe_code.eq(&k.amphoe_code),
                rc::officer_id.eq(k.officer_id),
                rc::band.eq(k.band),
                rc::missed_deadline.eq(k.missed_deadline),
                rc::satisfaction.eq(k.satisfaction),
                rc::ratings.eq(ratings),
                rc::effort_sum.eq(effort),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Counts every rating again (after ratings were loaded in bulk, bypassing `save`).
pub fn rebuild_counts(conn: &mut DbConn) -> QueryResult<()> {
    let month = match conn {
        DbConn::Pg(_) => {
            format!("to_char(created_at + interval '{THAI_OFFSET_HOURS} hours', 'YYYY-MM')")
        }
        DbConn::Sqlite(_) => format!("strftime('%Y-%m', created_at, '+{THAI_OFFSET_HOURS} hours')"),
    };
    diesel::sql_query("DELETE FROM rating_counts").execute(conn)?;
    diesel::sql_query(format!(
        "INSERT INTO rating_counts SELECT {month}, programme_id, province_code, amphoe_code, \
         COALESCE(officer_id, 0), CASE WHEN processing_days <= 7 THEN 0 \
         WHEN processing_days <= 15 THEN 1 WHEN processing_days <= 30 THEN 2 ELSE 3 END, \
         missed_deadline, satisfaction, COUNT(*), SUM(effort) FROM ratings \
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    ))
    .execute(conn)
    .map(|_| ())
}

/// The ways ratings are grouped on the dashboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    Overall,
    Programme,
    Province,
    Amphoe,
    Officer,
    Month,
    ProcessingBand,
    MissedDeadline,
}

impl Grouping {
    /// The SQL of the group key: fixed text chosen here, never from input.
    fn key_sql(self) -> &'static str {
        match self {
            Grouping::Overall => "''",
            Grouping::Programme => "programme_id",
            Grouping::Province => "province_code",
            Grouping::Amphoe => "amphoe_code",
            Grouping::Officer => {
                "CASE WHEN officer_id = 0 THEN '' ELSE CAST(officer_id AS TEXT) END"
            }
            Grouping::Month => "month",
            // The bands of `domain::satisfaction::PROCESSING_BANDS`, by index.
            Grouping::ProcessingBand => "CAST(band AS TEXT)",
            Grouping::MissedDeadline => "CASE WHEN missed_deadline THEN 'yes' ELSE 'no' END",
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Integer)]
    satisfaction: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    effort_sum: i64,
}

/// Score counts per group, for ratings given in the period's Thai months, within the scope
/// (from the monthly counts).
pub fn histograms(
    conn: &mut DbConn,
    scope: &AreaScope,
    period: &ReportingPeriod,
    grouping: Grouping,
) -> QueryResult<BTreeMap<String, Histogram>> {
    let key = grouping.key_sql();
    let (area_filter, area) = match scope {
        AreaScope::National => ("", None),
        AreaScope::Province(code) => (" AND province_code = $3", Some(code.clone())),
        AreaScope::Amphoe(code) => (" AND amphoe_code = $3", Some(code.clone())),
    };
    // PostgreSQL refuses a constant in GROUP BY: the overall figures group by score alone.
    let group_by = if grouping == Grouping::Overall {
        "satisfaction".to_owned()
    } else {
        format!("{key}, satisfaction")
    };
    let sql = format!(
        "SELECT {key} AS key, satisfaction, CAST(SUM(ratings) AS BIGINT) AS n, \
         CAST(SUM(effort_sum) AS BIGINT) AS effort_sum \
         FROM rating_counts WHERE month >= $1 AND month < $2{area_filter} \
         GROUP BY {group_by}"
    );
    let query = diesel::sql_query(sql)
        .bind::<Text, _>(period.first_day.format("%Y-%m").to_string())
        .bind::<Text, _>(period.end_day.format("%Y-%m").to_string());
    let rows: Vec<Count> = match area {
        Some(code) => query.bind::<Text, _>(code).load(conn)?,
        None => query.load(conn)?,
    };
    let mut groups: BTreeMap<String, Histogram> = BTreeMap::new();
    for row in rows {
        groups
            .entry(row.key)
            .or_default()
            .add(row.satisfaction, row.n, row.effort_sum);
    }
    Ok(groups)
}

/// Cases of the scope that ended with a decision (and so were asked for a rating) in
/// [from, to).
pub fn ended_cases(
    conn: &mut DbConn,
    scope: &AreaScope,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<i64> {
    let ended: Vec<&str> = CaseStatus::ALL
        .iter()
        .filter(|s| s.asks_for_a_rating())
        .map(|s| s.code())
        .collect();
    let mut q = applications::table
        .inner_join(households::table)
        .filter(applications::reference.is_not_null())
        .filter(applications::status.eq_any(ended))
        .filter(applications::updated_at.ge(from))
        .filter(applications::updated_at.lt(to))
        .into_boxed();
    q = crate::within_scope!(q, scope);
    q.count().get_result(conn)
}

/// The newest comments of the scope and period, for reading and for the text analysis.
pub fn comments(
    conn: &mut DbConn,
    scope: &AreaScope,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(String, i32, String)>> {
    let mut q = ratings::table
        .filter(ratings::comment.ne(""))
        .filter(ratings::created_at.ge(from))
        .filter(ratings::created_at.lt(to))
        .select((
            ratings::comment,
            ratings::satisfaction,
            ratings::programme_id,
        ))
        .order(ratings::created_at.desc())
        .limit(limit)
        .into_boxed();
    q = match scope {
        AreaScope::National => q,
        AreaScope::Province(code) => q.filter(ratings::province_code.eq(code.clone())),
        AreaScope::Amphoe(code) => q.filter(ratings::amphoe_code.eq(code.clone())),
    };
    q.load(conn)
}

/// How many "was this page useful?" answers one voter may give before they are refused.
pub struct VoteLimits {
    /// Answers to one page since `today_since` (the start of the Thai day).
    pub per_page_today: i64,
    pub today_since: NaiveDateTime,
    /// Answers to any page since `recent_since`.
    pub recent: i64,
    pub recent_since: NaiveDateTime,
}

/// Records a "was this page useful?" answer, unless the voter is over a limit (then `false`).
/// A signed-in voter's new answer to a page replaces their earlier one of the same day, so
/// changing one's mind is not counted twice. Counted and stored in one serialised
/// transaction, so answers sent at once cannot all pass the count.
pub fn record_page_answer(
    conn: &mut DbConn,
    answer: &PageAnswer,
    limits: &VoteLimits,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    super::write_transaction(conn, |conn| {
        super::lock_until_commit(conn, super::LockSpace::PageVoter, &answer.voter)?;
        let by_voter = page_feedback::table.filter(page_feedback::voter.eq(&answer.voter));
        if answer.user_id.is_some() {
            diesel::delete(
                by_voter
                    .filter(page_feedback::path.eq(&answer.path))
                    .filter(page_feedback::created_at.ge(limits.today_since)),
            )
            .execute(conn)?;
        }
        let this_page_today: i64 = by_voter
            .filter(page_feedback::path.eq(&answer.path))
            .filter(page_feedback::created_at.ge(limits.today_since))
            .count()
            .get_result(conn)?;
        let recent: i64 = by_voter
            .filter(page_feedback::created_at.ge(limits.recent_since))
            .count()
            .get_result(conn)?;
        if this_page_today >= limits.per_page_today || recent >= limits.recent {
            return Ok(false);
        }
        diesel::insert_into(page_feedback::table)
            .values((
                page_feedback::path.eq(&answer.path),
                page_feedback::useful.eq(answer.useful),
                page_feedback::user_id.eq(answer.user_id),
                page_feedback::voter.eq(&answer.voter),
                page_feedback::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// One answer to "was this page useful?".
pub struct PageAnswer {
    pub path: String,
    pub useful: bool,
    pub user_id: Option<i32>,
    /// Who answered, for the limits only (see the migration that added it).
    pub voter: String,
}

/// Forgets who gave the answers older than `before`: the limits no longer need it.
pub fn forget_page_voters_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        page_feedback::table
            .filter(page_feedback::created_at.lt(before))
            .filter(page_feedback::voter.is_not_null()),
    )
    .set(page_feedback::voter.eq(None::<String>))
    .execute(conn)
}

/// Per page, how many found it useful and how many did not, in [from, to); the pages most
/// often found not useful first.
pub fn page_answers(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(String, i64, i64)>> {
    let rows: Vec<(String, bool, i64)> = page_feedback::table
        .filter(page_feedback::created_at.ge(from))
        .filter(page_feedback::created_at.lt(to))
        .group_by((page_feedback::path, page_feedback::useful))
        .select((
            page_feedback::path,
            page_feedback::useful,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut pages: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (path, useful, n) in rows {
        let entry = pages.entry(path).or_default();
        if useful {
            entry.0 += n;
        } else {
            entry.1 += n;
        }
    }
    let mut pages: Vec<(String, i64, i64)> =
        pages.into_iter().map(|(p, (y, n))| (p, y, n)).collect();
    pages.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    pages.truncate(20);
    Ok(pages)
}

/// One programme's score counts, country-wide, in [from, to).
pub fn programme_histogram(
    conn: &mut DbConn,
    programme_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Histogram> {
    let rows: Vec<(i32, i64, Option<i64>)> = ratings::table
        .filter(ratings::programme_id.eq(programme_id))
        .filter(ratings::created_at.ge(from))
        .filter(ratings::created_at.lt(to))
        .group_by(ratings::satisfaction)
        .select((
            ratings::satisfaction,
            diesel::dsl::count_star(),
            diesel::dsl::sum(ratings::effort),
        ))
        .load(conn)?;
    let mut histogram = Histogram::default();
    for (score, n, effort) in rows {
        histogram.add(score, n, effort.unwrap_or(0));
    }
    Ok(histogram)
}

/// Marks a monthly alert as sent; `false` when it had been already (by this or another server).
pub fn claim_alert(
    conn: &mut DbConn,
    month: &str,
    kind: &str,
    subject: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(satisfaction_alerts::table)
        .values((
            satisfaction_alerts::month.eq(month),
            satisfaction_alerts::kind.eq(kind),
            satisfaction_alerts::subject.eq(subject),
            satisfaction_alerts::created_at.eq(now),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}
