//! Background work: the outbox mail sender and periodic clean-up.

pub mod emails;
pub mod entitlements;
pub mod mailer;

use crate::config::Settings;
use crate::db::Pool;
use std::sync::Arc;
use tokio::sync::Notify;

pub fn spawn_background_work(pool: Pool, settings: Settings, mail_wake: Arc<Notify>) {
    actix_web::rt::spawn(mailer::run_outbox_worker(
        pool.clone(),
        settings.smtp.clone(),
        mail_wake,
    ));
    actix_web::rt::spawn(cleanup(pool));
}

/// Removes expired sessions and old login attempts every hour.
async fn cleanup(pool: Pool) {
    let mut interval = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        interval.tick().await;
        let pool = pool.clone();
        let result = actix_web::web::block(move || -> anyhow::Result<(usize, usize)> {
            let mut conn = pool.get()?;
            let now = crate::db::now();
            let sessions = crate::db::sessions::delete_expired(&mut conn, now)?;
            let attempts = crate::db::logins::delete_attempts_before(
                &mut conn,
                now - chrono::Duration::days(1),
            )?;
            Ok((sessions, attempts))
        })
        .await;
        match result {
            Ok(Ok((sessions, attempts))) => {
                tracing::debug!(sessions, attempts, "removed expired sessions and attempts")
            }
            Ok(Err(error)) => tracing::warn!(%error, "clean-up failed"),
            Err(error) => tracing::warn!(%error, "clean-up task failed"),
        }
    }
}
