//! Monthly satisfaction alerts: when last month a programme (country-wide) or an amphoe
//! office had too low a share of satisfied farmers, its managers are told once, in-app and by
//! e-mail. A group with fewer than 5 ratings says too little to alert anyone.

use super::notify::{tell_staff, Notice, Staff};
use crate::db::ratings::{self, Grouping};
use crate::db::DbConn;
use crate::domain::clock::thai_time;
use crate::domain::satisfaction::{Figures, ReportingPeriod, OFFICER_MIN_RATINGS};
use crate::domain::AreaScope;
use crate::rules::RuleSet;
use chrono::NaiveDateTime;

/// Sends the alerts of the Thai month before `now`'s; returns how many groups were alerted.
pub fn alert_low_months(
    conn: &mut DbConn,
    rules: &RuleSet,
    public_url: &str,
    now: NaiveDateTime,
    threshold_percent: f64,
) -> anyhow::Result<usize> {
    let period = ReportingPeriod::month_before(thai_time(now).date());
    let month = period.first_day.format("%Y-%m").to_string();
    let mut alerted = 0;
    for (kind, grouping) in [
        ("programme", Grouping::Programme),
        ("office", Grouping::Amphoe),
    ] {
        for (subject, histogram) in
            ratings::histograms(conn, &AreaScope::National, &period, grouping)?
        {
            let figures = Figures::of(&histogram);
            let low = figures.ratings >= OFFICER_MIN_RATINGS
                && figures.csat.is_some_and(|csat| csat < threshold_percent);
            if !low {
                continue;
            }
            let sent = crate::db::write_transaction(conn, |conn| {
                if !ratings::claim_alert(conn, &month, kind, &subject, now)? {
                    return Ok::<_, anyhow::Error>(false);
                }
                let managers = match kind {
                    "office" => Staff::ManagersOf(&subject),
                    _ => Staff::NationalManagers,
                };
                let place = crate::db::geography::names(conn, std::slice::from_ref(&subject))?;
                let notice_subject = format!("{month}|{kind}|{subject}");
                let notice = Notice {
                    kind: "satisfaction_alert",
                    subject: &notice_subject,
                };
                let csat = format!("{:.0}%", figures.csat.unwrap_or(0.0));
                tell_staff(conn, managers, &notice, now, |conn, tr, email, manager| {
                    let label = match kind {
                        "office" => place
                            .get(&subject)
                            .map_or(subject.clone(), |p| p.name(tr.locale).to_owned()),
                        _ => rules.title(&subject, tr.locale).to_owned(),
                    };
                    let alert = super::emails::SatisfactionAlert {
                        month: &month,
                        label: &label,
                        csat: &csat,
                        ratings: figures.ratings,
                        link: &format!("{public_url}/manager/satisfaction"),
                    };
                    let name = &manager.display_name;
                    super::emails::queue_satisfaction_alert(conn, tr, email, name, &alert, now)
                })?;
                Ok(true)
            })?;
            alerted += usize::from(sent);
        }
    }
    Ok(alerted)
}
