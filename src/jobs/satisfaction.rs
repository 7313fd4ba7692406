//! Monthly satisfaction alerts: when last month a programme (country-wide) or an amphoe
//! office had too low a share of satisfied farmers, its managers are told once, in-app and by
//! e-mail. A group with fewer than 5 ratings says too little to alert anyone.

use crate::db::ratings::{self, Grouping};
use crate::db::{notices, users, DbConn};
use crate::domain::satisfaction::{Figures, OFFICER_MIN_RATINGS};
use crate::domain::AreaScope;
use crate::i18n::Tr;
use crate::rules::RuleSet;
use chrono::{Datelike, NaiveDate};

/// Sends the alerts of the month before `today`'s; returns how many groups were alerted.
pub fn alert_low_months(
    conn: &mut DbConn,
    rules: &RuleSet,
    public_url: &str,
    today: NaiveDate,
    threshold_percent: f64,
) -> anyhow::Result<usize> {
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let last_month = this_month
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(this_month);
    let month = last_month.format("%Y-%m").to_string();
    let (from, to) = (
        last_month.and_time(chrono::NaiveTime::MIN),
        this_month.and_time(chrono::NaiveTime::MIN),
    );
    let mut alerted = 0;
    for (kind, grouping) in [
        ("programme", Grouping::Programme),
        ("office", Grouping::Amphoe),
    ] {
        for (subject, histogram) in
            ratings::histograms(conn, &AreaScope::National, from, to, grouping)?
        {
            let figures = Figures::of(&histogram);
            let low = figures.ratings >= OFFICER_MIN_RATINGS
                && figures.csat.is_some_and(|csat| csat < threshold_percent);
            if !low {
                continue;
            }
            let sent = crate::db::write_transaction(conn, |conn| {
                if !ratings::claim_alert(conn, &month, kind, &subject)? {
                    return Ok::<_, anyhow::Error>(false);
                }
                let managers = match kind {
                    "office" => users::managers_for_amphoe(conn, &subject)?,
                    _ => users::national_managers(conn)?,
                };
                let place = crate::db::geography::names(conn, std::slice::from_ref(&subject))?;
                for manager in managers {
                    let notice_subject = format!("{month}|{kind}|{subject}");
                    notices::insert(
                        conn,
                        manager.id,
                        "satisfaction_alert",
                        &notice_subject,
                        None,
                    )?;
                    let Some(email) = &manager.email else {
                        continue;
                    };
                    let tr = Tr::new(manager.locale());
                    let label = match kind {
                        "office" => place
                            .get(&subject)
                            .map_or(subject.clone(), |p| p.name(tr.locale).to_owned()),
                        _ => rules.title(&subject, tr.locale).to_owned(),
                    };
                    let csat = format!("{:.0}%", figures.csat.unwrap_or(0.0));
                    super::emails::queue_satisfaction_alert(
                        conn,
                        tr,
                        email,
                        &manager.display_name,
                        &super::emails::SatisfactionAlert {
                            month: &month,
                            label: &label,
                            csat: &csat,
                            ratings: figures.ratings,
                            link: &format!("{public_url}/manager/satisfaction"),
                        },
                    )?;
                }
                Ok(true)
            })?;
            alerted += usize::from(sent);
        }
    }
    Ok(alerted)
}
