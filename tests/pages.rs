//! Pages every visitor sees: language, health, headers, friendly errors.

use crate::on_both_databases;
use crate::support::{spawn_app, Backend};

on_both_databases!(
    health_check_reports_the_database,
    visitor_sees_thai_first_and_can_switch_to_english_which_is_remembered,
    every_response_carries_the_security_headers,
    unknown_page_gets_a_friendly_404_in_the_visitors_language,
    the_stylesheet_is_downloaded_once_a_release_and_every_page_describes_itself,
);

/// The stylesheet's address is versioned by its content and kept for a year; an old or bare
/// address is checked again each time. Every page has a description for search engines and
/// link previews, in the visitor's language.
async fn the_stylesheet_is_downloaded_once_a_release_and_every_page_describes_itself(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let home = app.get("/").await;
    let html = scraper::Html::parse_document(&home.body);
    let link = scraper::Selector::parse("link[rel=stylesheet]").unwrap();
    let href = html
        .select(&link)
        .next()
        .and_then(|l| l.value().attr("href"))
        .expect("a stylesheet")
        .to_owned();
    assert!(href.starts_with("/static/kaset.css?v="), "{href}");
    let stylesheet = app.get(&href).await;
    assert_eq!(stylesheet.status, 200);
    assert!(stylesheet.body.contains(".button"));
    assert_eq!(
        stylesheet.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    for old in ["/static/kaset.css", "/static/kaset.css?v=0123456789ab"] {
        let page = app.get(old).await;
        assert_eq!(page.status, 200, "{old}");
        assert_eq!(page.headers["cache-control"], "no-cache", "{old}");
    }

    let description = scraper::Selector::parse("meta[name=description]").unwrap();
    let described = |page: &crate::support::Page| {
        scraper::Html::parse_document(&page.body)
            .select(&description)
            .next()
            .and_then(|m| m.value().attr("content"))
            .map(str::to_owned)
            .unwrap_or_default()
    };
    for path in ["/", "/login", "/register", "/open-data", "/does-not-exist"] {
        let thai = described(&app.get(path).await);
        assert!(thai.contains("เกษตรกร"), "{path}: {thai:?}");
    }
    app.get("/lang/en?next=/").await;
    assert!(described(&app.get("/login").await).contains("farmers"));
}

async fn health_check_reports_the_database(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app.get("/healthz").await;
    assert_eq!(page.status, 200);
    let json: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(json["database"], "ok");
}

async fn visitor_sees_thai_first_and_can_switch_to_english_which_is_remembered(backend: Backend) {
    let app = spawn_app(backend).await;
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("<html lang=\"th\">"));
    assert!(home.h1().contains("บริการภาครัฐสำหรับเกษตรกร"));

    let switch = app.get("/lang/en?next=/login").await;
    assert_eq!(switch.status, 303);
    assert_eq!(switch.location.as_deref(), Some("/login"));

    let login = app.get("/login").await;
    assert!(login.body.contains("<html lang=\"en\">"));
    assert_eq!(login.h1(), "Log in");
    // Remembered on the next visit to another page too.
    assert!(app
        .get("/")
        .await
        .h1()
        .contains("Government services for farmers"));

    // A "next" outside Kaset is ignored: no open redirect.
    let outside = app.get("/lang/th?next=//evil.example").await;
    assert_eq!(outside.location.as_deref(), Some("/"));
    assert!(app.get("/").await.body.contains("<html lang=\"th\">"));
}

async fn every_response_carries_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/", "/login", "/does-not-exist", "/healthz"] {
        let page = app.get(path).await;
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(page.headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(page.headers["referrer-policy"], "same-origin", "{path}");
    }
}

async fn unknown_page_gets_a_friendly_404_in_the_visitors_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app.get("/no/such/page").await;
    assert_eq!(page.status, 404);
    assert_eq!(page.h1(), "ไม่พบหน้าที่ต้องการ");
    assert!(page.body.contains("href=\"/\""));
    app.get("/lang/en").await;
    assert_eq!(app.get("/no/such/page").await.h1(), "Page not found");
}

on_both_databases!(audit_log_cannot_be_rewritten);

async fn audit_log_cannot_be_rewritten(backend: Backend) {
    use diesel::RunQueryDsl;
    let app = spawn_app(backend).await;
    let mut conn = app.db();
    diesel::sql_query(
        "INSERT INTO audit_log (at, actor_role, action, entity, entity_id) \
         VALUES (CURRENT_TIMESTAMP, 'officer', 'update', 'plot', '1')",
    )
    .execute(&mut *conn)
    .unwrap();
    let update = diesel::sql_query("UPDATE audit_log SET action = 'nothing'").execute(&mut *conn);
    assert!(update.is_err(), "an audit entry was changed");
    let delete = diesel::sql_query("DELETE FROM audit_log").execute(&mut *conn);
    assert!(delete.is_err(), "an audit entry was deleted");
}
