//! API errors as RFC 9457 problem details (`application/problem+json`), in the caller's
//! language (Accept-Language: Thai unless English is asked for).

use crate::domain::{ApiScope, ConsentPurpose};
use crate::error::AppError;
use crate::i18n::{Locale, Tr};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// Why a call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No key, a malformed key, an unknown key or a revoked one.
    Unauthorized,
    MissingScope(ApiScope),
    /// The farmer has not consented to this purpose (or has withdrawn consent).
    NoConsent(ConsentPurpose),
    /// Not found, or outside the key's area (which is not revealed).
    NotFound,
    RateLimited {
        retry_after_secs: u64,
    },
    /// A parameter or body that cannot be read; the catalogue key says which.
    BadRequest(&'static str),
    Internal,
}

impl Refusal {
    fn slug(&self) -> &'static str {
        match self {
            Refusal::Unauthorized => "unauthorized",
            Refusal::MissingScope(_) => "missing-scope",
            Refusal::NoConsent(_) => "no-consent",
            Refusal::NotFound => "not-found",
            Refusal::RateLimited { .. } => "rate-limited",
            Refusal::BadRequest(_) => "bad-request",
            Refusal::Internal => "internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Refusal::Unauthorized => StatusCode::UNAUTHORIZED,
            Refusal::MissingScope(_) | Refusal::NoConsent(_) => StatusCode::FORBIDDEN,
            Refusal::NotFound => StatusCode::NOT_FOUND,
            Refusal::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Refusal::BadRequest(_) => StatusCode::BAD_REQUEST,
            Refusal::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A refusal, to be told in `locale`.
#[derive(Debug, thiserror::Error)]
#[error("{refusal:?}")]
pub struct Problem {
    pub refusal: Refusal,
    pub locale: Locale,
}

/// The body of every error response of the API.
#[derive(Serialize, ToSchema, Debug)]
pub struct ProblemBody {
    /// A URN naming the kind of problem, e.g. `urn:kaset:problem:no-consent`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

impl Problem {
    pub fn new(refusal: Refusal, locale: Locale) -> Self {
        Self { refusal, locale }
    }

    pub fn status(&self) -> u16 {
        self.refusal.status().as_u16()
    }

    pub fn body(&self) -> ProblemBody {
        let tr = Tr::new(self.locale);
        let slug = self.refusal.slug();
        let key = format!("api.problem.{}", slug.replace('-', "_"));
        let detail = match &self.refusal {
            Refusal::MissingScope(scope) => {
                tr.fmt(&format!("{key}.detail"), &[("scope", scope.code())])
            }
            Refusal::NoConsent(purpose) => tr.fmt(
                &format!("{key}.detail"),
                &[("purpose", tr.t(purpose.label_key()))],
            ),
            Refusal::RateLimited { retry_after_secs } => tr.fmt(
                &format!("{key}.detail"),
                &[("seconds", &retry_after_secs.to_string())],
            ),
            Refusal::BadRequest(what) => tr.t(what).to_owned(),
            _ => tr.t(&format!("{key}.detail")).to_owned(),
        };
        ProblemBody {
            kind: format!("urn:kaset:problem:{slug}"),
            title: tr.t(&format!("{key}.title")).to_owned(),
            status: self.status(),
            detail,
        }
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotFound | AppError::Database(diesel::result::Error::NotFound) => {
                Problem::new(Refusal::NotFound, Locale::default())
            }
            other => {
                tracing::error!(error = ?other, "API call failed");
                Problem::new(Refusal::Internal, Locale::default())
            }
        }
    }
}

impl From<diesel::result::Error> for Problem {
    fn from(error: diesel::result::Error) -> Self {
        AppError::from(error).into()
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.refusal.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        match &self.refusal {
            Refusal::Unauthorized => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Refusal::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        response.json(self.body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_is_told_in_both_languages_without_raw_keys() {
        let refusals = [
            Refusal::Unauthorized,
            Refusal::MissingScope(ApiScope::Payments),
            Refusal::NoConsent(ConsentPurpose::Payment),
            Refusal::NotFound,
            Refusal::RateLimited {
                retry_after_secs: 12,
            },
            Refusal::BadRequest("api.problem.bad_cursor"),
            Refusal::BadRequest("api.problem.bad_limit"),
            Refusal::BadRequest("api.problem.bad_body"),
            Refusal::BadRequest("api.problem.batch_size"),
            Refusal::BadRequest("api.problem.registry_batch_size"),
            Refusal::Internal,
        ];
        for locale in Locale::ALL {
            for refusal in &refusals {
                let body = Problem::new(refusal.clone(), locale).body();
                for text in [&body.title, &body.detail] {
                    assert!(!text.contains("api.problem"), "{refusal:?}: {text}");
                    assert!(!text.contains('{'), "{refusal:?}: {text}");
                }
                assert_eq!(body.status, refusal.status().as_u16());
                assert!(body.kind.starts_with("urn:kaset:problem:"));
            }
        }
    }
}
