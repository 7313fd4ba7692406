//! What every page handler starts from: the visitor's language, the signed-in user (if any), the
//! CSRF token; and `Posted<T>`, the form extractor that refuses a forged or missing CSRF token.

use super::session_store::USER_ID;
use crate::db::users::UserRow;
use crate::domain::{AreaScope, Invalid, Role};
use crate::error::AppError;
use crate::i18n::{Locale, Tr};
use crate::web::AppState;
use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use futures_util::future::LocalBoxFuture;
use rand::distributions::{Alphanumeric, DistString};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// The cookie that remembers the chosen language for a year.
pub const LANG_COOKIE: &str = "kaset_lang";
const CSRF: &str = "csrf";

/// The signed-in user, as pages need it.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: i32,
    pub role: Role,
    pub display_name: String,
    pub household_id: Option<i32>,
    pub scope: AreaScope,
}

impl CurrentUser {
    fn from_row(row: &UserRow) -> Self {
        Self {
            id: row.id,
            role: row.role,
            display_name: row.display_name.clone(),
            household_id: row.household_id,
            scope: AreaScope::from_codes(
                row.scope_province_code.as_deref(),
                row.scope_amphoe_code.as_deref(),
            ),
        }
    }

    pub fn actor(&self) -> crate::db::audit::Actor {
        crate::db::audit::Actor::user(Some(self.id), self.role.code())
    }
}

pub struct Ctx {
    pub tr: Tr,
    pub user: Option<CurrentUser>,
    /// Path and query of this page, so the language switch can come back to it.
    pub path: String,
    pub session: Session,
    pub state: web::Data<AppState>,
}

impl Ctx {
    /// The form token of this session, created on first use (pages without forms create no
    /// session at all).
    pub fn csrf_token(&self) -> String {
        if let Ok(Some(token)) = self.session.get::<String>(CSRF) {
            return token;
        }
        let token = Alphanumeric.sample_string(&mut rand::rngs::OsRng, 43);
        // A session that cannot be written only makes the form fail its CSRF check, with a message.
        let _ = self.session.insert(CSRF, &token);
        token
    }

    pub fn locale(&self) -> Locale {
        self.tr.locale
    }

    /// A case's status in the reader's words: staff read "waiting for the farmer" where the
    /// farmer reads "waiting for you".
    pub fn status_label(&self, status: crate::domain::CaseStatus) -> &'static str {
        match &self.user {
            Some(user) if user.role != crate::domain::Role::Farmer => status.staff_label_key(),
            _ => status.label_key(),
        }
    }

    fn require(&self, allowed: &[Role]) -> Result<&CurrentUser, AppError> {
        match &self.user {
            None => Err(AppError::SignInRequired {
                return_to: self.path.clone(),
            }),
            // Another role's page is "not found" rather than "forbidden": nothing is revealed.
            Some(user) if !allowed.contains(&user.role) => Err(AppError::NotFound),
            Some(user) => Ok(user),
        }
    }

    /// Whether a farmer is signed in (pages shown to farmers and staff alike offer the
    /// farmer's own actions only to the farmer).
    pub fn is_farmer(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Farmer)
    }

    /// The signed-in farmer and their household.
    pub fn farmer(&self) -> Result<(&CurrentUser, i32), AppError> {
        let user = self.require(&[Role::Farmer])?;
        let household = user.household_id.ok_or(AppError::NotFound)?;
        Ok((user, household))
    }

    /// The signed-in officer or manager, who work with households of their area.
    pub fn staff(&self) -> Result<&CurrentUser, AppError> {
        self.require(&[Role::Officer, Role::Manager])
    }

    /// The signed-in officer: officers change the registry and decide cases; managers only read.
    pub fn officer(&self) -> Result<&CurrentUser, AppError> {
        self.require(&[Role::Officer])
    }

    /// The signed-in manager, who reads reports for their scope.
    pub fn manager(&self) -> Result<&CurrentUser, AppError> {
        self.require(&[Role::Manager])
    }

    pub fn admin(&self) -> Result<&CurrentUser, AppError> {
        self.require(&[Role::Admin])
    }

    /// Signs the user in: a fresh session id (against session fixation) and a fresh form token.
    pub fn sign_in(&self, user_id: i32) -> Result<(), AppError> {
        self.session.renew();
        self.session.remove(CSRF);
        self.session
            .insert(USER_ID, user_id)
            .map_err(|e| AppError::Session(e.to_string()))
    }

    pub fn sign_out(&self) {
        self.session.purge();
    }

    /// Runs blocking database work on the thread pool with a pooled connection.
    pub async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut crate::db::DbConn) -> Result<T, AppError> + Send + 'static,
    {
        self.state.db(work).await
    }
}

fn locale_from_cookie(req: &HttpRequest) -> Option<Locale> {
    req.cookie(LANG_COOKIE)
        .and_then(|c| Locale::parse(c.value()))
}

/// The visitor's language: their choice (cookie), else Thai.
pub fn request_locale(req: &HttpRequest) -> Locale {
    locale_from_cookie(req).unwrap_or_default()
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))?;
            let session = req.get_session();
            let user_id = session.get::<i32>(USER_ID).unwrap_or(None);
            let user_row = match user_id {
                Some(id) => {
                    state
                        .db(move |conn| Ok(crate::db::users::find(conn, id)?))
                        .await?
                }
                None => None,
            };
            let user_row = match user_row {
                Some(row) if row.disabled_at.is_none() => Some(row),
                Some(_) => {
                    // Disabled while signed in: the session ends here.
                    session.purge();
                    None
                }
                None => None,
            };
            let locale = locale_from_cookie(&req)
                .or_else(|| user_row.as_ref().and_then(|u| Locale::parse(&u.locale)))
                .unwrap_or_default();
            let path = match req.query_string() {
                "" => req.path().to_owned(),
                query => format!("{}?{}", req.path(), query),
            };
            Ok(Ctx {
                tr: Tr::new(locale),
                user: user_row.as_ref().map(CurrentUser::from_row),
                path,
                session,
                state,
            })
        })
    }
}

/// The fields of a form that is only a button (log out, disable, remove): just the CSRF token.
#[derive(Deserialize, Default)]
pub struct NoFields {}

/// A submitted form whose CSRF token matched the session's. Form fields are plain strings
/// (`#[serde(default)]`), parsed into domain types by the handler, so a missing or odd field
/// never fails here: only the CSRF token can.
pub struct Posted<T>(pub T);

#[derive(Deserialize)]
struct WithCsrf<T> {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    form: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let form = web::Form::<WithCsrf<T>>::from_request(req, payload);
        Box::pin(async move {
            // Too large a form is said so; any other unreadable form is not one of ours.
            let form = form
                .await
                .map_err(|error| {
                    if error.as_response_error().status_code()
                        == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                    {
                        AppError::TooLarge
                    } else {
                        AppError::Csrf
                    }
                })?
                .into_inner();
            check_csrf(&session, &form.csrf_token)?;
            Ok(Posted(form.form))
        })
    }
}

/// Whether a form's token is this session's; a missing session (expired) fails too.
pub fn check_csrf(session: &Session, token: &str) -> Result<(), AppError> {
    match session.get::<String>(CSRF).unwrap_or(None) {
        Some(expected) if crate::domain::constant_time_eq(&expected, token) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}

/// The message keys of a form's invalid fields, in the order of the form.
#[derive(Default, Debug)]
pub struct FieldErrors(Vec<(String, &'static str)>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message_key: &'static str) {
        let field = field.into();
        if self.get(&field).is_none() {
            self.0.push((field, message_key));
        }
    }

    /// Keeps the parsed value, or records why it was refused.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, Invalid>) -> Option<T> {
        parsed.map_err(|e| self.add(field, e.key)).ok()
    }

    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, key)| *key)
    }

    pub fn all(&self) -> &[(String, &'static str)] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What the user typed into a refused form, given back so nothing is lost.
#[derive(Default)]
pub struct Typed(pub std::collections::HashMap<String, String>);

impl Typed {
    /// The field as typed, or empty.
    pub fn get(&self, field: &str) -> &str {
        self.given(field).unwrap_or("")
    }

    /// The field as typed, if it was sent at all.
    pub fn given(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
}

/// A page, never cached (pages may hold personal data).
pub fn render(template: &impl Template) -> Result<HttpResponse, AppError> {
    render_status(actix_web::http::StatusCode::OK, template)
}

/// A form re-rendered with its errors: 422 so tools and tests see the refusal.
pub fn render_invalid(template: &impl Template) -> Result<HttpResponse, AppError> {
    render_status(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, template)
}

pub fn render_status(
    status: actix_web::http::StatusCode,
    template: &impl Template,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(template.render()?))
}

/// The visitor's address: the connection's peer, or, behind `proxy_hops` proxies of ours, the
/// address they report (see `client_address`).
pub fn client_ip(req: &HttpRequest, proxy_hops: u32) -> String {
    let forwarded_for = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    client_address(
        req.peer_addr().map(|addr| addr.ip()),
        &forwarded_for,
        proxy_hops,
    )
}

/// The visitor's address behind `proxy_hops` proxies of ours. Each proxy appends the address
/// it saw to X-Forwarded-For, so only the last `proxy_hops` entries were written by us; the
/// entry `proxy_hops` places from the right is the visitor (anything left of it the visitor
/// may have written). `Forwarded` is ignored: our proxies do not set it, so a client could.
pub fn client_address(
    peer: Option<std::net::IpAddr>,
    forwarded_for: &str,
    proxy_hops: u32,
) -> String {
    let peer = peer.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    if proxy_hops == 0 {
        return peer;
    }
    let entries: Vec<&str> = forwarded_for
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect();
    let hops = proxy_hops as usize;
    match entries.len().checked_sub(hops) {
        Some(index) => entries[index]
            .parse::<std::net::IpAddr>()
            .map_or(peer, |ip| ip.to_string()),
        // Fewer entries than proxies: the request did not come through all of them.
        None => peer,
    }
}

/// After a successful POST: see-other to the next page (so reload does not resubmit).
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// Only a path inside Kaset may be a "next" target; anything else goes home. Browsers forgive
/// a lot (they drop a tab or a newline and read `/\t/host` or `/\\host` as another site), so
/// the path must start with one slash, hold no control character, space or backslash, and
/// still lead to Kaset once resolved.
pub fn safe_next(next: Option<&str>) -> String {
    const MAX_CHARS: usize = 2000;
    let local = |path: &str| {
        let Ok(base) = reqwest::Url::parse("http://kaset.invalid/") else {
            return false;
        };
        path.len() <= MAX_CHARS
            && path.starts_with('/')
            && !path.starts_with("//")
            && !path
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
            && base
                .join(path)
                .is_ok_and(|url| url.host_str() == Some("kaset.invalid"))
    };
    match next {
        Some(path) if local(path) => path.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_entries_our_proxies_wrote_are_trusted() {
        let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        // One proxy: the last entry is what it saw; the client's own entries are ignored.
        assert_eq!(
            client_address(Some(proxy), "1.2.3.4, 203.0.113.7", 1),
            "203.0.113.7"
        );
        assert_eq!(client_address(Some(proxy), "203.0.113.7", 1), "203.0.113.7");
        // Two proxies: the second from the right.
        assert_eq!(
            client_address(Some(proxy), "1.2.3.4, 203.0.113.7, 10.0.0.1", 2),
            "203.0.113.7"
        );
        // No proxy configured, none in front, or junk: the peer.
        assert_eq!(client_address(Some(proxy), "1.2.3.4", 0), "10.0.0.2");
        assert_eq!(client_address(Some(proxy), "", 1), "10.0.0.2");
        assert_eq!(client_address(Some(proxy), "1.2.3.4", 2), "10.0.0.2");
        assert_eq!(client_address(Some(proxy), "not-an-address", 1), "10.0.0.2");
    }

    #[test]
    fn a_next_page_must_lead_to_kaset() {
        for foreign in [
            "/\t/evil.example",
            "/\r/evil.example",
            "/\n/evil.example",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "entitlements",
        ] {
            assert_eq!(safe_next(Some(foreign)), "/", "{foreign:?}");
        }
        assert_eq!(
            safe_next(Some("/entitlements?a=1#x")),
            "/entitlements?a=1#x"
        );
    }
}
