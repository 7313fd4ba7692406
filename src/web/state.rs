//! What every request shares: the pools, the settings, the rules and the clock.

use crate::config::Settings;
use crate::db::{self, Pool};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::comments::Lexicon;
use crate::domain::Clock;
use crate::error::AppError;
use crate::rules::RuleSet;
use actix_web::web as aw;
use std::sync::Arc;
use tokio::sync::Notify;

/// Shared by every request.
pub struct AppState {
    pub pool: Pool,
    pub settings: Settings,
    /// Every programme's rules, checked at start-up.
    pub rules: Arc<RuleSet>,
    /// Weekends and public holidays, for service deadlines.
    pub calendar: Arc<WorkingCalendar>,
    /// The farm-service lexicon that reads farmers' comments.
    pub lexicon: Arc<Lexicon>,
    /// Where users reach this server, for links in e-mails.
    pub public_url: String,
    /// Wakes the outbox worker as soon as a message is queued.
    pub mail_wake: Arc<Notify>,
    /// Partner API calls per key in the current minute.
    pub api_limits: super::api::partner::RateLimiter,
    /// The time every request reads (the system's, or a chosen day's in tests).
    pub clock: Clock,
}

impl AppState {
    /// How re-evaluations triggered by users tell farmers about new entitlements.
    pub fn notify(&self) -> crate::services::entitlements::Notify {
        crate::services::entitlements::Notify {
            enabled: true,
            public_url: self.public_url.clone(),
        }
    }

    /// Runs blocking database work on the thread pool with a pooled connection; the connection
    /// is never held across an `.await`.
    pub async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut db::DbConn) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        aw::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?
    }
}
