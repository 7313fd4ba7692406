//! The households of an area eligible for a programme the farmer must claim, and not claimed:
//! the officers' list for village meetings and visits.

use super::schema::{applications, entitlements, households, members};
use super::DbConn;
use crate::domain::{AreaScope, CaseStatus};
use diesel::prelude::*;

/// One household to reach: where it lives, its head, and the programme with its amount.
#[derive(Debug, Clone)]
pub struct Unclaimed {
    pub household_id: i32,
    pub tambon_code: String,
    pub village_no: i32,
    pub house_no: String,
    pub registry_number: String,
    pub programme_id: String,
    pub amount_satang: Option<i64>,
    pub head_name: String,
    pub head_phone: Option<String>,
}

/// The most one list holds: a district's village meetings, not the whole country.
pub const MAX_ROWS: i64 = 2_000;

/// Eligible and unclaimed (no case of it but a withdrawn one), for these programmes, in the
/// area, optionally one tambon; by tambon, village and house. At most `MAX_ROWS`, with
/// whether more were left out.
pub fn unclaimed(
    conn: &mut DbConn,
    scope: &AreaScope,
    programme_ids: &[&str],
    tambon: Option<&str>,
) -> QueryResult<(Vec<Unclaimed>, bool)> {
    let claimed = applications::table
        .filter(applications::household_id.eq(entitlements::household_id))
        .filter(applications::programme_id.eq(entitlements::programme_id))
        .filter(applications::status.ne(CaseStatus::Withdrawn.code()));
    let mut q = entitlements::table
        .inner_join(households::table)
        .filter(entitlements::status.eq("eligible"))
        .filter(entitlements::programme_id.eq_any(programme_ids))
        .filter(diesel::dsl::not(diesel::dsl::exists(claimed)))
        .select((
            households::id,
            households::tambon_code,
            households::village_no,
            households::house_no,
            households::registry_number,
            entitlements::programme_id,
            entitlements::amount_satang,
        ))
        .order((
            households::tambon_code,
            households::village_no,
            households::house_no,
            entitlements::programme_id,
        ))
        .limit(MAX_ROWS + 1)
        .into_boxed();
    q = crate::within_scope!(q, scope);
    if let Some(tambon) = tambon {
        q = q.filter(households::tambon_code.eq(tambon.to_owned()));
    }
    type Row = (i32, String, i32, String, String, String, Option<i64>);
    let mut rows: Vec<Row> = q.load(conn)?;
    let more = rows.len() as i64 > MAX_ROWS;
    rows.truncate(MAX_ROWS as usize);
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let heads: Vec<(i32, String, String, String, Option<String>)> = members::table
        .filter(members::household_id.eq_any(&ids))
        .filter(members::is_head.eq(true))
        .select((
            members::household_id,
            members::title,
            members::first_name,
            members::last_name,
            members::phone,
        ))
        .load(conn)?;
    let list = rows
        .into_iter()
        .map(
            |(
                household_id,
                tambon_code,
                village_no,
                house_no,
                registry_number,
                programme_id,
                amount_satang,
            )| {
                let head = heads.iter().find(|h| h.0 == household_id);
                Unclaimed {
                    household_id,
                    tambon_code,
                    village_no,
                    house_no,
                    registry_number,
                    programme_id,
                    amount_satang,
                    head_name: head
                        .map(|h| format!("{}{} {}", h.1, h.2, h.3))
                        .unwrap_or_default(),
                    head_phone: head.and_then(|h| h.4.clone()),
                }
            },
        )
        .collect();
    Ok((list, more))
}
