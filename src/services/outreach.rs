//! The officers' outreach list: households eligible for a programme they must claim
//! themselves and have not, for a village meeting or a visit. Listing names and phone numbers
//! is a look at personal data, so each list is audited.

use crate::db::audit::{self, Actor};
use crate::db::outreach::{self, Unclaimed};
use crate::db::DbConn;
use crate::domain::AreaScope;
use crate::rules::RuleSet;
use chrono::NaiveDateTime;

/// The list for the area (optionally one programme and one tambon), and whether it was cut
/// at `outreach::MAX_ROWS`.
pub fn list(
    conn: &mut DbConn,
    rules: &RuleSet,
    actor: &Actor,
    scope: &AreaScope,
    programme: Option<&str>,
    tambon: Option<&str>,
    now: NaiveDateTime,
) -> anyhow::Result<(Vec<Unclaimed>, bool)> {
    // Only what the farmer must claim: automatic programmes pay by themselves, and in-person
    // ones are reached by their office.
    let programmes: Vec<&str> = rules
        .programmes
        .iter()
        .filter(|p| p.delivery.mode.farmer_starts_a_case())
        .map(|p| p.id.as_str())
        .filter(|id| programme.is_none_or(|wanted| wanted == *id))
        .collect();
    let listed = outreach::unclaimed(conn, scope, &programmes, tambon)?;
    audit::record(
        conn,
        actor,
        audit::Entry {
            action: "view",
            entity: "outreach_list",
            entity_id: format!("{}|{}", programme.unwrap_or("all"), tambon.unwrap_or("all")),
            new_value: Some(listed.0.len().to_string()),
            ..Default::default()
        },
        now,
    )?;
    Ok(listed)
}
