//! Errors every handler can return. Each becomes the right HTTP status; the friendly page for
//! that status is rendered by `web::error_pages` in the visitor's language.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Also used for data that exists but belongs to someone else: its existence is not revealed.
    #[error("not found")]
    NotFound,
    /// The page needs a signed-in user; they are sent to the login page and brought back after.
    #[error("sign-in required")]
    SignInRequired { return_to: String },
    #[error("the form's CSRF token is missing or wrong")]
    Csrf,
    /// A form larger than any of Kaset's, or of more parts: refused before it is all read.
    #[error("the form is too large")]
    TooLarge,
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("database unavailable: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("background task failed: {0}")]
    Blocking(#[from] actix_web::error::BlockingError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    #[error("session: {0}")]
    Session(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Database(diesel::result::Error::NotFound) => StatusCode::NOT_FOUND,
            AppError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Pool(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        match self {
            AppError::SignInRequired { return_to } => {
                let location = format!("/login?next={}", percent_encode(return_to));
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, location))
                    .finish()
            }
            // An empty body: the error-page middleware fills in the page in the right language.
            _ => HttpResponse::build(status).finish(),
        }
    }
}

/// Percent-encodes everything but unreserved characters and `/` (for URLs and header values).
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
