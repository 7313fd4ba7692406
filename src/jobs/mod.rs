//! Background work: the outbox mail sender, keeping stored entitlements current, and periodic
//! clean-up.

pub mod line;
pub mod mailer;
pub mod outbox;
pub mod registry_sync;
pub mod sms;

use crate::services::{cases, entitlements, housekeeping, open_data, reminders, satisfaction};

use crate::config::Settings;
use crate::db::Pool;
use crate::domain::Clock;
use crate::rules::RuleSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// What the background tasks share with the server.
pub struct Background {
    pub pool: Pool,
    pub settings: Settings,
    pub rules: Arc<RuleSet>,
    pub calendar: Arc<crate::domain::calendar::WorkingCalendar>,
    pub public_url: String,
    pub mail_wake: Arc<Notify>,
    pub clock: Clock,
}

pub fn spawn_background_work(background: Background) {
    let clock = background.clock;
    actix_web::rt::spawn(outbox::run_outbox_worker(
        background.pool.clone(),
        outbox::Channels::from_settings(&background.settings, &background.public_url),
        background.settings.smtp.clone(),
        background.mail_wake.clone(),
        clock,
    ));
    actix_web::rt::spawn(keep_entitlements_current(
        background.pool.clone(),
        background.rules.clone(),
        background.public_url.clone(),
        background.mail_wake.clone(),
        Duration::from_secs(background.settings.reevaluate_every_secs.max(1)),
        clock,
    ));
    actix_web::rt::spawn(escalate_overdue_cases(
        background.pool.clone(),
        background.rules.clone(),
        background.calendar.clone(),
        background.public_url.clone(),
        background.mail_wake.clone(),
        background.settings.csat_alert_percent,
        clock,
    ));
    if background.settings.registry_sync.url.is_some() {
        actix_web::rt::spawn(sync_registry_regularly(
            registry_sync::SyncContext {
                pool: background.pool.clone(),
                rules: background.rules.clone(),
                notify: entitlements::Notify {
                    enabled: true,
                    public_url: background.public_url.clone(),
                },
                clock,
            },
            background.settings.registry_sync.clone(),
            background.mail_wake.clone(),
        ));
    }
    actix_web::rt::spawn(publish_open_data(background.pool.clone(), clock));
    actix_web::rt::spawn(cleanup(background.pool, clock));
}

/// Pulls the registry's changes every `every_secs`; a failed run is logged and the next one
/// resumes from the saved cursor.
async fn sync_registry_regularly(
    cx: registry_sync::SyncContext,
    settings: crate::config::RegistrySyncSettings,
    mail_wake: Arc<Notify>,
) {
    let mut every = tokio::time::interval(Duration::from_secs(settings.every_secs.max(60)));
    loop {
        every.tick().await;
        match registry_sync::sync(&cx, &settings).await {
            Ok(report) => {
                if report.newly_eligible > 0 {
                    mail_wake.notify_one();
                }
                tracing::info!(?report, "registry sync done");
            }
            Err(error) => tracing::error!(%error, "registry sync stopped; the next run resumes"),
        }
    }
}

/// Keeps stored entitlements current. At start-up, with the rule set (a baseline the first
/// time; see `entitlements::catch_up_with_rules`). Then every `period` (a day), because time
/// alone changes them: a crop year turns, a programme's window opens or closes, a declaration ends. Whoever
/// becomes newly eligible is told. Pages always work entitlements out live; only notices wait.
async fn keep_entitlements_current(
    pool: Pool,
    rules: Arc<RuleSet>,
    public_url: String,
    mail_wake: Arc<Notify>,
    period: Duration,
    clock: Clock,
) {
    let mut daily = tokio::time::interval(period);
    let mut first = true;
    loop {
        daily.tick().await;
        let (pool, rules, public_url) = (pool.clone(), rules.clone(), public_url.clone());
        let catch_up = first;
        first = false;
        let result = actix_web::web::block(move || {
            let now = clock.now();
            if catch_up {
                entitlements::catch_up_with_rules(&pool, &rules, now, &public_url)
            } else {
                let notify = entitlements::Notify {
                    enabled: true,
                    public_url,
                };
                entitlements::reevaluate_all(&pool, &rules, now, &notify).map(Some)
            }
        })
        .await;
        match result {
            Ok(Ok(Some(changes))) => {
                tracing::info!(
                    changed = changes.decisions_changed,
                    newly_eligible = changes.newly_eligible,
                    enrolled = changes.enrolled,
                    "entitlements re-evaluated"
                );
                if changes.told_anyone() {
                    mail_wake.notify_one();
                }
            }
            Ok(Ok(None)) => {}
            Ok(Err(error)) => tracing::error!(%error, "re-evaluating entitlements failed"),
            Err(error) => tracing::error!(%error, "re-evaluating entitlements failed"),
        }
    }
}

/// Every hour, tells the managers about cases that passed their deadline and about last month's
/// weak satisfaction, and sends the farmers' reminders that are due (each once).
async fn escalate_overdue_cases(
    pool: Pool,
    rules: Arc<RuleSet>,
    calendar: Arc<crate::domain::calendar::WorkingCalendar>,
    public_url: String,
    mail_wake: Arc<Notify>,
    csat_alert_percent: f64,
    clock: Clock,
) {
    let mut hourly = tokio::time::interval(Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let (pool, rules, calendar, public_url) = (
            pool.clone(),
            rules.clone(),
            calendar.clone(),
            public_url.clone(),
        );
        let result = actix_web::web::block(move || -> anyhow::Result<usize> {
            let cx = cases::CaseContext::new(&rules, &calendar, &public_url, clock);
            let mut conn = pool.get()?;
            let escalated = cases::escalate_overdue(&mut conn, &cx)?;
            let reminded = reminders::send_due(&mut conn, &cx)?;
            // Last month's satisfaction alerts (sent once each; checking hourly is cheap).
            let alerted = satisfaction::alert_low_months(
                &mut conn,
                &rules,
                &public_url,
                cx.now,
                csat_alert_percent,
            )?;
            Ok(escalated + alerted + reminded)
        })
        .await;
        match result {
            Ok(Ok(0)) => {}
            Ok(Ok(escalated)) => {
                tracing::info!(
                    escalated,
                    "overdue cases and low satisfaction told to managers"
                );
                mail_wake.notify_one();
            }
            Ok(Err(error)) => tracing::error!(%error, "escalating overdue cases failed"),
            Err(error) => tracing::error!(%error, "escalating overdue cases failed"),
        }
    }
}

/// Removes expired sessions and old login attempts every hour.
/// Keeps the open datasets at most a day old: looks every hour, rebuilds when a day has passed
/// (and at start-up when there are none yet).
async fn publish_open_data(pool: Pool, clock: Clock) {
    let mut hourly = tokio::time::interval(Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let pool = pool.clone();
        let result = actix_web::web::block(move || -> anyhow::Result<bool> {
            let mut conn = pool.get()?;
            open_data::refresh_if_older_than(&mut conn, 24, clock.now())
        })
        .await;
        match result {
            Ok(Ok(true)) => tracing::info!("open datasets refreshed"),
            Ok(Ok(false)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "open data refresh failed"),
            Err(error) => tracing::warn!(%error, "open data task failed"),
        }
    }
}

async fn cleanup(pool: Pool, clock: Clock) {
    let mut interval = tokio::time::interval(Duration::from_secs(3600));
    loop {
        interval.tick().await;
        let pool = pool.clone();
        let result = actix_web::web::block(move || -> anyhow::Result<_> {
            let mut conn = pool.get()?;
            Ok(housekeeping::forget_what_has_expired(
                &mut conn,
                clock.now(),
            )?)
        })
        .await;
        match result {
            Ok(Ok(forgotten)) => tracing::debug!(?forgotten, "forgot what has expired"),
            Ok(Err(error)) => tracing::warn!(%error, "clean-up failed"),
            Err(error) => tracing::warn!(%error, "clean-up task failed"),
        }
    }
}
