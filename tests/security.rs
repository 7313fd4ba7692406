//! What an outside probe tried, each kept out: one story per finding, and the class of bug
//! behind it.

use crate::on_both_databases;
use crate::support::{spawn_app, Backend, FARMER_ID, OFFICER_SURIN};

on_both_databases!(
    an_officers_search_of_many_words_is_refused_at_once_with_the_words_kept,
    a_next_page_outside_kaset_is_never_a_redirect_target,
    starting_an_application_needs_the_forms_token,
    reading_the_notices_marks_nothing_until_the_reader_says_so,
    a_form_of_too_many_parts_or_bytes_is_refused_and_an_ended_session_keeps_little,
    an_answer_too_long_is_refused_by_name_instead_of_saved_empty,
    thirty_wrong_passwords_sent_at_once_get_five_checks,
    thirty_wrong_birth_dates_sent_at_once_get_five_identity_checks,
    a_head_request_is_answered_like_a_get_without_the_body,
    an_unreadable_query_or_form_gets_the_friendly_page_not_plain_text,
    guesses_from_elsewhere_slow_an_account_down_but_never_lock_its_owner_out,
    a_script_answering_was_this_page_useful_by_the_hundred_is_counted_a_few_times,
);

async fn an_officers_search_of_many_words_is_refused_at_once_with_the_words_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login_as(OFFICER_SURIN).await;
    // Sixty different words (the probe's 16.9 s on PostgreSQL) and two thousand (SQLite's
    // "Expression tree is too large"): refused before any query, with a field error beside
    // the search box and what was typed kept in it.
    let sixty: Vec<String> = (0..60).map(|n| format!("w{n}")).collect();
    let sixty = sixty.join(" ");
    let started = std::time::Instant::now();
    for words in [sixty.clone(), "ab ".repeat(2000)] {
        let page = app.get(&format!("/officer/households?q={words}")).await;
        assert_eq!(page.status, 422);
        assert_eq!(
            page.texts("#q-error").join(""),
            "คำค้นยาวเกินไป พิมพ์ได้ไม่เกิน 100 ตัวอักษร"
        );
        assert!(page.texts("tbody tr").is_empty());
    }
    let page = app.get(&format!("/officer/households?q={sixty}")).await;
    assert!(page.body.contains("w0 w1 w2"), "what was typed is kept");
    // Five short words: within the length, but more than a name has.
    let page = app.get("/officer/households?q=ab cd ef gh ij").await;
    assert_eq!(page.status, 422);
    assert!(page.texts("#q-error").join("").contains("ไม่เกิน 4 คำ"));
    eprintln!("refused searches in {:?}", started.elapsed());

    // A first name and a surname together still find the person.
    let found = app.get("/officer/households?q=สมชาย ใจดี").await;
    assert_eq!(found.status, 200);
    assert!(!found.texts("tbody tr").is_empty(), "{}", found.body);
    // A page far beyond the last is an empty page, not a server error.
    let far = app
        .get("/officer/households?page=9223372036854775807")
        .await;
    assert_eq!(far.status, 200);
}

/// PostgreSQL only: SQLite cannot be given a statement timeout through diesel, and its requests
/// are bounded by their shape instead (see the search story above).
#[actix_web::test]
async fn a_slow_statement_on_a_request_is_cancelled_instead_of_holding_its_connection() {
    use diesel::connection::SimpleConnection;
    if crate::support::postgres_url().is_none() {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    let pool = kaset::db::connect_for_requests(&app.database_url, 1, 200).unwrap();
    let mut conn = pool.get().unwrap();
    let kaset::db::DbConn::Pg(pg) = &mut *conn else {
        panic!("a PostgreSQL connection");
    };
    let started = std::time::Instant::now();
    let error = pg.batch_execute("SELECT pg_sleep(5)").unwrap_err();
    assert!(error.to_string().contains("statement timeout"), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    // The connection serves the next request.
    pg.batch_execute("SELECT 1").unwrap();
}

/// The raw `next` values a probe sends, each percent-encoded as a browser would send it.
const FOREIGN_NEXTS: [&str; 8] = [
    "/%09/127.0.0.1:18999/pwned",
    "/%0A/evil.example",
    "/%0D%0ASet-Cookie:%20x=1",
    "//evil.example",
    "/%5Cevil.example",
    "/%20/evil.example",
    "https://evil.example/",
    "/%E3%80%80/evil.example",
];

async fn a_next_page_outside_kaset_is_never_a_redirect_target(backend: Backend) {
    let app = spawn_app(backend).await;
    for next in FOREIGN_NEXTS {
        let page = app.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(page.status, 303, "{next}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some("/"), "{next}");
    }
    // A path of Kaset's own is kept, with its query.
    let page = app.get("/lang/en?next=/entitlements%3Fa%3D1").await;
    assert_eq!(page.location.as_deref(), Some("/entitlements?a=1"));

    // The same rule after signing in.
    for next in FOREIGN_NEXTS {
        let token = app.get("/login").await.csrf_token();
        let response = app
            .client
            .post(app.url(&format!("/login?next={next}")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("login", OFFICER_SURIN),
                ("password", crate::support::DEMO_PASSWORD),
                ("next", &decoded(next)),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{next}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location == "/" || location.starts_with("/officer"),
            "{next}: {location}"
        );
        app.logout().await;
    }
}

/// What the server sees of a percent-encoded value.
fn decoded(text: &str) -> String {
    let url = reqwest::Url::parse(&format!("http://x/?v={text}")).unwrap();
    url.query_pairs()
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn starting_an_application_needs_the_forms_token(backend: Backend) {
    use diesel::prelude::*;
    use kaset::db::schema::applications;
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    let drafts = || -> i64 {
        applications::table
            .count()
            .get_result(&mut *app.db())
            .unwrap()
    };
    let before = drafts();
    // Another site's form posting into the farmer's session: refused, nothing created.
    let forged = app
        .client
        .post(app.url("/applications/start/ldd-soil-analysis"))
        .form(&[("csrf_token", "not-the-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(drafts(), before);
    // The farmer's own button still works.
    let page = app.get("/entitlements").await;
    let started = app
        .client
        .post(app.url("/applications/start/ldd-soil-analysis"))
        .form(&[("csrf_token", page.csrf_token().as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 303);
    assert_eq!(drafts(), before + 1);
}

async fn reading_the_notices_marks_nothing_until_the_reader_says_so(backend: Backend) {
    use diesel::prelude::*;
    use kaset::db::schema::users;
    let app = spawn_app(backend).await;
    let farmer: i32 = users::table
        .filter(users::email.eq(crate::support::FARMER_EMAIL))
        .select(users::id)
        .first(&mut *app.db())
        .unwrap();
    kaset::db::notices::insert(
        &mut app.db(),
        farmer,
        kaset::db::notices::NEWLY_ELIGIBLE,
        "ldd-soil-analysis",
        None,
        app.clock.now(),
    )
    .unwrap();
    app.login_as(FARMER_ID).await;
    // A GET (a link preview, a prefetch, a reload) changes nothing.
    for _ in 0..2 {
        let page = app.get("/notifications").await;
        assert_eq!(page.texts(".notice-unread").len(), 1, "{}", page.body);
    }
    let page = app.get("/notifications").await;
    let marked = app
        .client
        .post(app.url("/notifications/read"))
        .form(&[("csrf_token", page.csrf_token().as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(marked.status(), 303);
    let page = app.get("/notifications").await;
    assert!(page.texts(".notice-unread").is_empty());
    assert_eq!(page.texts(".notices li").len(), 1, "still listed, as read");
}

async fn start_draft(app: &crate::support::TestApp, programme: &str) -> String {
    let token = app.get("/entitlements").await.csrf_token();
    let started = app
        .post_raw(
            &format!("/applications/start/{programme}"),
            &[("csrf_token", token.as_str())],
        )
        .await;
    assert_eq!(started.status, 303);
    started.location.expect("the draft's address")
}

async fn a_form_of_too_many_parts_or_bytes_is_refused_and_an_ended_session_keeps_little(
    backend: Backend,
) {
    use diesel::prelude::*;
    use kaset::db::schema::sessions;
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    let draft = start_draft(&app, "disaster-relief-crops").await;
    // No cookie at all: what a probe sends.
    let stranger = crate::support::new_client();
    let send = |parts: usize, size: usize| {
        let mut form = reqwest::multipart::Form::new();
        for n in 0..parts {
            form = form.text(format!("q_{n}"), "x".repeat(size));
        }
        stranger.post(app.url(&draft)).multipart(form).send()
    };
    // Six hundred parts: refused when the hundred-and-first arrives.
    assert_eq!(send(600, 10).await.unwrap().status(), 413);
    // Sixty parts of 60 KB (3.6 MB, within the body's limit): the answers of an ended session
    // go to the sign-in page, and the session keeps only a few kilobytes of them.
    let kept = send(60, 60 * 1024).await.unwrap();
    assert_eq!(kept.status(), 303);
    let largest = sessions::table
        .select(sessions::state)
        .load::<String>(&mut *app.db())
        .unwrap()
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0);
    assert!(largest < 16 * 1024, "a session of {largest} bytes");
    // Twenty 5 MB files (100 MB) are refused once the body passes its limit.
    let mut form = reqwest::multipart::Form::new();
    for n in 0..20 {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(vec![0u8; 5 * 1024 * 1024])
                .file_name(format!("{n}.pdf")),
        );
    }
    let refused = stranger.post(app.url(&draft)).multipart(form).send().await;
    // The server may close the connection while the client is still sending.
    if let Ok(response) = refused {
        assert_eq!(response.status(), 413);
    }
}

async fn an_answer_too_long_is_refused_by_name_instead_of_saved_empty(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    let draft = start_draft(&app, "disaster-relief-crops").await;
    let token = app.get(&draft).await.csrf_token();
    // 90 KB of Thai: beyond what the form reader keeps of one field (64 KB).
    let long = "ก".repeat(30_000);
    let page = app
        .post_multipart(
            &draft,
            &[
                ("csrf_token", &token),
                ("q_baac_account", &long),
                ("version", "0"),
                ("action", "save"),
            ],
            &[],
        )
        .await;
    assert_eq!(page.status, 422, "not saved: {:?}", page.location);
    assert_eq!(
        page.texts("#q_baac_account-error").len(),
        1,
        "{}",
        page.body
    );
    let kept = page.input_value("q_baac_account").unwrap_or_default();
    assert!(kept.starts_with("กกกก"), "what fits is kept in the field");
}

/// The status of each answer.
fn statuses(answers: Vec<reqwest::Result<reqwest::Response>>) -> Vec<u16> {
    answers
        .into_iter()
        .map(|a| a.unwrap().status().as_u16())
        .collect()
}

/// How many of the statuses are `status`.
fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

async fn thirty_wrong_passwords_sent_at_once_get_five_checks(backend: Backend) {
    use diesel::prelude::*;
    use kaset::db::schema::login_attempts;
    let app = spawn_app(backend).await;
    let token = app.get("/login").await.csrf_token();
    let attempts = (0..30).map(|_| {
        app.client
            .post(app.url("/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("login", OFFICER_SURIN),
                ("password", "wrong password here"),
            ])
            .send()
    });
    let statuses = statuses(futures_util::future::join_all(attempts).await);
    let (checked, refused) = (count(&statuses, 401), count(&statuses, 429));
    assert_eq!((checked, refused), (5, 25), "{statuses:?}");
    let counted: i64 = login_attempts::table
        .count()
        .get_result(&mut *app.db())
        .unwrap();
    assert_eq!(counted, 5, "only the checked attempts are recorded");
}

async fn guesses_from_elsewhere_slow_an_account_down_but_never_lock_its_owner_out(
    backend: Backend,
) {
    let app = crate::support::spawn_app_with(
        backend,
        crate::support::Options {
            proxy_hops: 1,
            ..Default::default()
        },
    )
    .await;
    let token = app.get("/login").await.csrf_token();
    let login_from = |address: &'static str, password: &'static str| {
        app.client
            .post(app.url("/login"))
            .header("x-forwarded-for", address)
            .form(&[
                ("csrf_token", token.as_str()),
                ("login", crate::support::ADMIN),
                ("password", password),
            ])
            .send()
    };
    // Someone guesses the administrator's password from two addresses, five times each.
    for address in ["198.51.100.1", "198.51.100.2"] {
        for _ in 0..kaset::services::sign_in::MAX_ACCOUNT_FAILURES {
            assert_eq!(login_from(address, "guess").await.unwrap().status(), 401);
        }
        // That address is paused for this account...
        assert_eq!(login_from(address, "guess").await.unwrap().status(), 429);
    }
    // Writing another address before the proxy's does not help: only the proxy's is believed.
    assert_eq!(
        login_from("203.0.113.50, 198.51.100.1", "guess")
            .await
            .unwrap()
            .status(),
        429
    );
    // ...but the administrator, at their own address, signs in (a few seconds slower).
    let started = std::time::Instant::now();
    let own = login_from("203.0.113.9", crate::support::DEMO_PASSWORD)
        .await
        .unwrap();
    assert_eq!(own.status(), 303);
    assert!(started.elapsed() >= std::time::Duration::from_secs(4));
}

async fn thirty_wrong_birth_dates_sent_at_once_get_five_identity_checks(backend: Backend) {
    use kaset::db::seed::{DEMO_UNREGISTERED_NATIONAL_ID, DEMO_UNREGISTERED_REGISTRY};
    let app = spawn_app(backend).await;
    let token = app.get("/register").await.csrf_token();
    let attempts = (0..30).map(|n| {
        let birth_date = format!("1982-07-{:02}", 10 + n % 18);
        app.client
            .post(app.url("/register"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("national_id", DEMO_UNREGISTERED_NATIONAL_ID),
                ("birth_date", birth_date.as_str()),
                ("registry_number", DEMO_UNREGISTERED_REGISTRY),
                ("email", "malee@example.com"),
                ("password", "ข้าวหอมมะลิสุรินทร์"),
                ("password_confirm", "ข้าวหอมมะลิสุรินทร์"),
            ])
            .send()
    });
    let statuses = statuses(futures_util::future::join_all(attempts).await);
    let (checked, refused) = (count(&statuses, 422), count(&statuses, 429));
    assert_eq!((checked, refused), (5, 25), "{statuses:?}");
}

async fn a_head_request_is_answered_like_a_get_without_the_body(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/", "/open-data", "/login"] {
        let get = app.client.get(app.url(path)).send().await.unwrap();
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "{path}");
        assert_eq!(head.status(), 200, "{path}");
        assert_eq!(
            head.headers()["content-type"],
            get.headers()["content-type"]
        );
        assert!(head.bytes().await.unwrap().is_empty(), "{path}: no body");
    }
    // A state-changing route is not reached by HEAD.
    let head = app.client.head(app.url("/logout")).send().await.unwrap();
    assert_ne!(head.status(), 303);
}

async fn an_unreadable_query_or_form_gets_the_friendly_page_not_plain_text(backend: Backend) {
    let app = spawn_app(backend).await;
    // A form body beyond what any form of Kaset sends.
    let token = app.get("/login").await.csrf_token();
    let padding = "x".repeat(40 * 1024);
    let too_large = app
        .post_raw(
            "/login",
            &[
                ("csrf_token", token.as_str()),
                ("login", OFFICER_SURIN),
                ("password", &padding),
            ],
        )
        .await;
    assert_eq!(too_large.status, 413);
    assert!(
        too_large.body.contains("<html lang=\"th\""),
        "{}",
        too_large.body
    );
    app.login_as(OFFICER_SURIN).await;
    let bad_query = app.get("/officer/households?page=abc").await;
    assert_eq!(bad_query.status, 400);
    assert!(
        bad_query.body.contains("<html lang=\"th\""),
        "{}",
        bad_query.body
    );
    assert!(
        !bad_query.body.contains("deserialize"),
        "{}",
        bad_query.body
    );
}

async fn a_script_answering_was_this_page_useful_by_the_hundred_is_counted_a_few_times(
    backend: Backend,
) {
    use diesel::prelude::*;
    use kaset::db::schema::page_feedback;
    let app = spawn_app(backend).await;
    let answer = |path: String, useful: &'static str| {
        app.client
            .post(app.url("/feedback/page"))
            .header("Origin", app.base.clone())
            .form(&[("path", path), ("useful", useful.to_owned())])
            .send()
    };
    let stored = |path: &str| -> Vec<bool> {
        page_feedback::table
            .filter(page_feedback::path.eq(path))
            .select(page_feedback::useful)
            .load(&mut *app.db())
            .unwrap()
    };

    // Forty "no" at once to one page from one address: five count (a shared mobile address
    // may hold several farmers), the rest are told they were not counted.
    let at_once = (0..40).map(|_| answer("/register".to_owned(), "no"));
    let answered = statuses(futures_util::future::join_all(at_once).await);
    let (counted, refused) = (count(&answered, 200), count(&answered, 429));
    assert_eq!((counted, refused), (5, 35), "{answered:?}");
    assert_eq!(stored("/register").len(), 5);

    // Spread over pages, the hour's limit holds: 30 answers in all, 5 of them given above.
    let mut spread = Vec::new();
    for n in 0..30 {
        spread.push(answer(format!("/open-data/page-{n}"), "no").await);
    }
    let spread = statuses(spread);
    assert_eq!(count(&spread, 200), 25, "{spread:?}");
    let refusal = app.client.post(app.url("/feedback/page"));
    let refusal = refusal
        .header("Origin", app.base.clone())
        .form(&[("path", "/farm"), ("useful", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(refusal.status().as_u16(), 429);
    assert!(
        refusal.text().await.unwrap().contains("ไม่นับเพิ่ม"),
        "it says so"
    );

    // The address is kept only as a hash.
    let voters: Vec<Option<String>> = page_feedback::table
        .select(page_feedback::voter)
        .load(&mut *app.db())
        .unwrap();
    assert!(voters.iter().all(|v| v
        .as_deref()
        .is_some_and(|v| v.len() == 64 && !v.contains("127.0.0.1"))));

    // A signed-in farmer who changes her mind is counted once, with her last answer.
    let farmer = crate::support::new_client();
    app.login_with(&farmer, FARMER_ID, crate::support::DEMO_PASSWORD)
        .await;
    for useful in ["no", "yes"] {
        let sent = farmer
            .post(app.url("/feedback/page"))
            .header("Origin", app.base.clone())
            .form(&[("path", "/entitlements"), ("useful", useful)])
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status().as_u16(), 200);
    }
    assert_eq!(stored("/entitlements"), [true]);
}
