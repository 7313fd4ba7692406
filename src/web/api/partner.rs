//! Who is calling: a partner agency's key, from `Authorization: Bearer kst_…`. The extractor
//! refuses an unknown or revoked key and one over its rate limit; `Partner::run` does the
//! call's database work and writes the call to the audit log, whatever its outcome.

use super::problem::{Problem, Refusal};
use crate::db::api_keys::{self, ApiKeyRow};
use crate::db::audit::Actor;
use crate::db::DbConn;
use crate::domain::partner::ApiKey;
use crate::domain::{ApiScope, AreaScope, ConsentPurpose, Role};
use crate::i18n::Locale;
use crate::services::personal_data;
use crate::web::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use std::collections::HashMap;
use std::sync::Mutex;

/// Requests per key per minute, counted in fixed one-minute windows by this server process.
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<i32, (u64, u32)>>,
}

impl RateLimiter {
    /// Counts one request of `key` at `now_secs` (Unix time); refuses it with the seconds to
    /// wait once `limit` requests were made in the current minute.
    pub fn admit(&self, key: i32, limit: u32, now_secs: u64) -> Result<(), u64> {
        let minute = now_secs / 60;
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let window = windows.entry(key).or_insert((minute, 0));
        if window.0 != minute {
            *window = (minute, 0);
        }
        if window.1 >= limit {
            return Err(60 - now_secs % 60);
        }
        window.1 += 1;
        Ok(())
    }
}

/// The caller's language for messages and explanations: English when asked for, else Thai.
pub fn api_locale(req: &HttpRequest) -> Locale {
    let asked = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let first = asked.split(',').next().unwrap_or("").trim();
    if first.to_ascii_lowercase().starts_with("en") {
        Locale::En
    } else {
        Locale::Th
    }
}

/// An authenticated partner, within its rate limit.
pub struct Partner {
    pub key: ApiKeyRow,
    pub locale: Locale,
    pub state: web::Data<AppState>,
}

/// What a call's work tells the audit log besides its outcome.
#[derive(Default)]
pub struct Call {
    /// The household whose data the call concerned, so the farmer sees it in "My data".
    pub household_id: Option<i32>,
}

impl Partner {
    pub fn problem(&self, refusal: Refusal) -> Problem {
        Problem::new(refusal, self.locale)
    }

    pub fn require(&self, scope: ApiScope) -> Result<(), Problem> {
        if self.key.scopes().contains(&scope) {
            Ok(())
        } else {
            Err(self.problem(Refusal::MissingScope(scope)))
        }
    }

    pub fn area(&self) -> AreaScope {
        self.key.area()
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: None,
            role: Role::Partner.code().to_owned(),
            api_key_id: Some(self.key.id),
        }
    }

    /// Runs the call's database work, then records the call (operation, subject, household,
    /// HTTP status) in the audit log under this key, refused or not.
    pub async fn run<T, F>(
        &self,
        operation: &'static str,
        subject: String,
        work: F,
    ) -> Result<T, Problem>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn, &mut Call) -> Result<T, Problem> + Send + 'static,
    {
        let actor = self.actor();
        let locale = self.locale;
        let now = self.state.clock.now();
        let outcome = self
            .state
            .db(move |conn| {
                let mut call = Call::default();
                let result = work(conn, &mut call);
                let status = match &result {
                    Ok(_) => 200,
                    Err(problem) => problem.status(),
                };
                personal_data::record_api_call(
                    conn,
                    &actor,
                    operation,
                    subject,
                    call.household_id,
                    status,
                    now,
                )?;
                Ok(result)
            })
            .await;
        match outcome {
            Ok(result) => result.map_err(|p| Problem::new(p.refusal, locale)),
            Err(error) => Err(Problem::new(Problem::from(error).refusal, locale)),
        }
    }

    /// What a call's database work needs to refuse in the caller's language and to check
    /// consent (it runs on another thread, without the request).
    pub fn gate(&self) -> Gate {
        Gate {
            purpose: self.key.purpose,
            locale: self.locale,
        }
    }
}

#[derive(Clone, Copy)]
pub struct Gate {
    purpose: ConsentPurpose,
    locale: Locale,
}

impl Gate {
    pub fn problem(&self, refusal: Refusal) -> Problem {
        Problem::new(refusal, self.locale)
    }

    /// Refuses unless the household's farmer consented to the key's purpose.
    pub fn check_consent(&self, conn: &mut DbConn, household_id: i32) -> Result<(), Problem> {
        if crate::db::consents::household_consents(conn, household_id, self.purpose)? {
            Ok(())
        } else {
            Err(self.problem(Refusal::NoConsent(self.purpose)))
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

impl FromRequest for Partner {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let locale = api_locale(req);
        let presented = bearer(req).map(ApiKey::parse);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let path = req.path().to_owned();
        Box::pin(async move {
            let unauthorized = || Problem::new(Refusal::Unauthorized, locale);
            let Some(Ok(presented)) = presented else {
                return Err(unauthorized());
            };
            let state = state.ok_or_else(|| Problem::new(Refusal::Internal, locale))?;
            let prefix = presented.prefix().to_owned();
            let row = state
                .db(move |conn| Ok(api_keys::find_by_prefix(conn, &prefix)?))
                .await
                .map_err(|e| Problem::new(Problem::from(e).refusal, locale))?;
            let key = match row {
                Some(row) if row.revoked_at.is_none() && presented.matches(&row.secret_sha256) => {
                    row
                }
                _ => {
                    tracing::warn!(key = ?presented, "API call with an unknown or revoked key");
                    return Err(unauthorized());
                }
            };
            let now = state.clock.now().and_utc().timestamp().max(0) as u64;
            let limit = key.requests_per_minute.max(1) as u32;
            let partner = Partner { key, locale, state };
            if let Err(retry_after_secs) =
                partner.state.api_limits.admit(partner.key.id, limit, now)
            {
                // Refused calls are audited too; the refusal is the call's outcome.
                let refusal = Refusal::RateLimited { retry_after_secs };
                return partner
                    .run("rate_limited", path, move |_, _| -> Result<(), Problem> {
                        Err(Problem::new(refusal, locale))
                    })
                    .await
                    .and(Err(Problem::new(Refusal::Internal, locale)));
            }
            Ok(partner)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_limit_per_minute_and_then_waits_for_the_next_minute() {
        let limiter = RateLimiter::default();
        let start = 6_000; // the first second of a minute
        for _ in 0..3 {
            assert_eq!(limiter.admit(1, 3, start + 10), Ok(()));
        }
        assert_eq!(limiter.admit(1, 3, start + 10), Err(50));
        // Another key has its own count.
        assert_eq!(limiter.admit(2, 3, start + 10), Ok(()));
        assert_eq!(limiter.admit(1, 3, start + 60), Ok(()));
    }
}
