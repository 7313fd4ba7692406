//! Ratings of ended cases, and the score counts the satisfaction figures are worked out from
//! (`domain::satisfaction`): the database only counts, grouped one way at a time.

use super::schema::{applications, households, page_feedback, ratings, satisfaction_alerts};
use super::DbConn;
use crate::domain::satisfaction::Histogram;
use crate::domain::{AreaScope, CaseStatus};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use std::collections::BTreeMap;

#[derive(Queryable, Clone, Debug)]
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

/// Stores the case's rating, or changes it (one per case).
pub fn save(conn: &mut DbConn, r: &NewRating<'_>, now: NaiveDateTime) -> QueryResult<()> {
    super::write_transaction(conn, |conn| {
        let changed =
            diesel::update(ratings::table.filter(ratings::application_id.eq(r.application_id)))
                .set((
                    ratings::satisfaction.eq(r.satisfaction),
                    ratings::effort.eq(r.effort),
                    ratings::comment.eq(r.comment),
                    ratings::updated_at.eq(now),
                ))
                .execute(conn)?;
        if changed == 0 {
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
        Ok(())
    })
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
    fn key_sql(self, conn: &DbConn) -> &'static str {
        match self {
            Grouping::Overall => "''",
            Grouping::Programme => "programme_id",
            Grouping::Province => "province_code",
            Grouping::Amphoe => "amphoe_code",
            Grouping::Officer => "COALESCE(CAST(officer_id AS TEXT), '')",
            Grouping::Month => match conn {
                DbConn::Pg(_) => "to_char(created_at, 'YYYY-MM')",
                DbConn::Sqlite(_) => "strftime('%Y-%m', created_at)",
            },
            // The bands of `domain::satisfaction::PROCESSING_BANDS`, by index.
            Grouping::ProcessingBand => {
                "CASE WHEN processing_days <= 7 THEN '0' WHEN processing_days <= 15 THEN '1' \
                 WHEN processing_days <= 30 THEN '2' ELSE '3' END"
            }
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

/// Score counts per group, for ratings given in [from, to) within the scope.
pub fn histograms(
    conn: &mut DbConn,
    scope: &AreaScope,
    from: NaiveDateTime,
    to: NaiveDateTime,
    grouping: Grouping,
) -> QueryResult<BTreeMap<String, Histogram>> {
    let key = grouping.key_sql(conn);
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
        "SELECT {key} AS key, satisfaction, COUNT(*) AS n, CAST(SUM(effort) AS BIGINT) AS effort_sum \
         FROM ratings WHERE created_at >= $1 AND created_at < $2{area_filter} \
         GROUP BY {group_by}"
    );
    let query = diesel::sql_query(sql)
        .bind::<Timestamp, _>(from)
        .bind::<Timestamp, _>(to);
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

/// Cases of the scope that ended (and so could be rated) in [from, to).
pub fn ended_cases(
    conn: &mut DbConn,
    scope: &AreaScope,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<i64> {
    let ended: Vec<&str> = CaseStatus::ALL
        .iter()
        .filter(|s| s.has_ended())
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

/// A "was this page useful?" answer.
pub fn record_page_answer(
    conn: &mut DbConn,
    path: &str,
    useful: bool,
    user_id: Option<i32>,
) -> QueryResult<()> {
    diesel::insert_into(page_feedback::table)
        .values((
            page_feedback::path.eq(path),
            page_feedback::useful.eq(useful),
            page_feedback::user_id.eq(user_id),
            page_feedback::created_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
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
pub fn claim_alert(conn: &mut DbConn, month: &str, kind: &str, subject: &str) -> QueryResult<bool> {
    let inserted = diesel::insert_into(satisfaction_alerts::table)
        .values((
            satisfaction_alerts::month.eq(month),
            satisfaction_alerts::kind.eq(kind),
            satisfaction_alerts::subject.eq(subject),
            satisfaction_alerts::created_at.eq(super::now()),
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
