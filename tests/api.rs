//! Other agencies' systems use the partner API: with a key an administrator issued, within its
//! scopes, area and rate, and only with the data of farmers who consented. Every call is
//! audited and shows in the farmer's "My data".

use crate::applications::{location, start, step, RELIEF};
use crate::support::{
    declare_flood, new_client, spawn_app, spawn_app_on, Backend, TestApp, ADMIN, DEMO_PASSWORD,
    FARMER_ID, OFFICER_SURIN,
};
use crate::{on_both_databases, on_chosen_days};
use diesel::prelude::*;
use kaset::domain::Clock;
use serde_json::Value;

on_chosen_days!(
    a_partner_reads_a_households_entitlements_only_while_the_farmer_consents,
    the_paying_agency_pages_through_approved_cases_and_marks_them_paid_once,
);

on_both_databases!(
    keys_are_held_to_their_scopes_area_rate_and_revocation,
    the_openapi_document_describes_every_route_and_every_route_needs_a_key,
    a_provincial_system_writes_registry_updates_within_its_area,
    a_provincial_key_cannot_take_over_another_areas_household_or_people,
    rice_support_reaches_the_farmers_account_without_anyone_applying,
);

const FARMER_REGISTRY: &str = kaset::db::seed::DEMO_FARMER_REGISTRY;

/// Creates a key on the administrator's page, as an administrator does; the key in full.
pub(crate) async fn issue_key(
    app: &TestApp,
    name: &str,
    scopes: &[&str],
    purpose: &str,
    province: &str,
    per_minute: &str,
) -> String {
    let admin = new_client();
    app.login_with(&admin, ADMIN, DEMO_PASSWORD).await;
    let form = app.get_with(&admin, "/admin/api-keys").await;
    let token = form.csrf_token();
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("name", name),
        ("purpose", purpose),
        ("province_code", province),
        ("requests_per_minute", per_minute),
    ];
    let scope_fields: Vec<String> = scopes
        .iter()
        .map(|s| format!("scope_{}", s.replace(':', "_")))
        .collect();
    fields.extend(scope_fields.iter().map(|f| (f.as_str(), "on")));
    let response = admin
        .post(app.url("/admin/api-keys"))
        .form(&fields)
        .send()
        .await
        .expect("POST /admin/api-keys");
    assert_eq!(response.status(), 200);
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    let selector = scraper::Selector::parse("#new-key").unwrap();
    let key: String = page
        .select(&selector)
        .next()
        .expect("the new key is shown once")
        .text()
        .collect();
    assert!(key.starts_with("kst_"), "{key}");
    key
}

struct Reply {
    status: u16,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    json: Value,
}

async fn call(
    app: &TestApp,
    key: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let client = reqwest::Client::new();
    let mut request = match method {
        "POST" => client.post(app.url(path)),
        _ => client.get(app.url(path)),
    }
    .header("Accept-Language", "en");
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("API call");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let json = response.json().await.unwrap_or(Value::Null);
    Reply {
        status,
        content_type,
        headers,
        json,
    }
}

fn assert_problem(reply: &Reply, status: u16, kind: &str) {
    assert_eq!(reply.status, status, "{}", reply.json);
    assert_eq!(reply.content_type, "application/problem+json");
    assert_eq!(reply.json["type"], format!("urn:kaset:problem:{kind}"));
    assert_eq!(reply.json["status"], status);
    assert!(
        !reply.json["detail"].as_str().unwrap_or("").is_empty(),
        "{}",
        reply.json
    );
}

/// The farmer gives or withdraws a consent on the Privacy page.
async fn consent(app: &TestApp, purpose: &str, choice: &str) {
    let page = app.get("/privacy").await;
    let token = page.csrf_token();
    let done = app
        .post_raw(
            "/privacy/consents",
            &[
                ("csrf_token", &token),
                ("purpose", purpose),
                ("choice", choice),
            ],
        )
        .await;
    assert_eq!(location(&done), "/privacy#consents");
}

fn api_calls_audited(app: &TestApp) -> i64 {
    use kaset::db::schema::audit_log;
    audit_log::table
        .filter(audit_log::action.eq("api_call"))
        .filter(audit_log::api_key_id.is_not_null())
        .count()
        .get_result(&mut *app.db())
        .unwrap()
}

async fn a_partner_reads_a_households_entitlements_only_while_the_farmer_consents(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    // A flood makes the relief programme pay the farmer something.
    declare_flood(&app);
    let key = issue_key(
        &app,
        "DOAE provincial office system",
        &["entitlements:read"],
        "agency_services",
        "",
        "600",
    )
    .await;
    let path = format!("/api/v1/households/{FARMER_REGISTRY}/entitlements");

    // No consent recorded yet: refused, with the purpose named.
    let refused = call(&app, Some(&key), "GET", &path, None).await;
    assert_problem(&refused, 403, "no-consent");
    assert!(refused.json["detail"]
        .as_str()
        .unwrap()
        .contains("entitlements"));

    // The farmer consents on the Privacy page; the same call now returns the entitlements.
    app.login_as(FARMER_ID).await;
    consent(&app, "agency_services", "give").await;
    let privacy = app.get("/privacy").await;
    assert!(
        privacy.body.contains("2026-11"),
        "the notice version is shown"
    );
    let ok = call(&app, Some(&key), "GET", &path, None).await;
    assert_eq!(ok.status, 200, "{}", ok.json);
    // Personal data: no cache on the way may keep it.
    assert_eq!(ok.headers["cache-control"], "no-store");
    assert_eq!(ok.json["registry_number"], FARMER_REGISTRY);
    let list = ok.json["entitlements"].as_array().unwrap();
    let eligible: Vec<&Value> = list.iter().filter(|e| e["status"] == "eligible").collect();
    assert!(!eligible.is_empty(), "{}", ok.json);
    let paying = eligible
        .iter()
        .filter(|e| e["amount_satang"].as_i64() > Some(0))
        .count();
    assert!(paying > 0, "{}", ok.json);
    for e in &eligible {
        assert_ne!(
            e["amount_satang"].as_i64(),
            Some(0),
            "no amount rather than 0: {e}"
        );
        assert!(!e["explanation"].as_array().unwrap().is_empty(), "{e}");
        assert!(e["explanation"][0]["result"].is_string());
        assert!(
            ["automatic", "confirm", "apply", "in_person"]
                .contains(&e["delivery"].as_str().unwrap()),
            "{e}"
        );
        assert!(e["amount_is_maximum"].is_boolean(), "{e}");
    }
    // In English when asked for.
    assert!(eligible[0]["title"].as_str().unwrap().is_ascii());

    // Withdrawn: refused again at once.
    consent(&app, "agency_services", "withdraw").await;
    assert_problem(
        &call(&app, Some(&key), "GET", &path, None).await,
        403,
        "no-consent",
    );

    // Every call is in the audit log under the key, and the farmer sees them in "My data".
    assert_eq!(api_calls_audited(&app), 3);
    let my_data = app.get("/my-data").await;
    let rows = my_data.texts("tbody tr").join(" | ");
    assert_eq!(
        rows.matches("DOAE provincial office system").count(),
        3,
        "{rows}"
    );
    assert_eq!(
        rows.matches("ถูกปฏิเสธ").count(),
        2,
        "two refused calls: {rows}"
    );

    // The download holds the consents given and withdrawn.
    let download = app.get("/my-data/download").await;
    assert_eq!(download.status, 200);
    let export: Value = serde_json::from_str(&download.body).unwrap();
    let consents = export["consents"].as_array().unwrap();
    assert_eq!(consents.len(), 2);
    assert_eq!(consents[0]["given"], true);
    assert_eq!(consents[1]["given"], false);
    assert_eq!(export["household"]["registry_number"], FARMER_REGISTRY);
    assert!(export["account"].get("password_hash").is_none());
}

async fn keys_are_held_to_their_scopes_area_rate_and_revocation(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    consent(&app, "agency_services", "give").await;
    let path = format!("/api/v1/households/{FARMER_REGISTRY}/entitlements");

    // Without a key, with a malformed or unknown one: 401 with the scheme to use.
    let none = call(&app, None, "GET", &path, None).await;
    assert_problem(&none, 401, "unauthorized");
    assert_eq!(none.headers.get("www-authenticate").unwrap(), "Bearer");
    assert_problem(
        &call(&app, Some("not-a-key"), "GET", &path, None).await,
        401,
        "unauthorized",
    );
    let unknown = "kst_abcdefgh_0123456789abcdef0123456789ABCDEF";
    assert_problem(
        &call(&app, Some(unknown), "GET", &path, None).await,
        401,
        "unauthorized",
    );

    // A key for case status only may not read entitlements.
    let cases_only = issue_key(
        &app,
        "Case tracker",
        &["cases:read"],
        "agency_services",
        "",
        "600",
    )
    .await;
    let missing = call(&app, Some(&cases_only), "GET", &path, None).await;
    assert_problem(&missing, 403, "missing-scope");
    assert!(missing.json["detail"]
        .as_str()
        .unwrap()
        .contains("entitlements:read"));

    // A Buriram key does not see a Surin household (nor learns that it exists).
    let buriram = issue_key(
        &app,
        "Buriram office",
        &["entitlements:read"],
        "agency_services",
        "31",
        "600",
    )
    .await;
    assert_problem(
        &call(&app, Some(&buriram), "GET", &path, None).await,
        404,
        "not-found",
    );

    // Three calls a minute: the fourth waits, and is told how long.
    let slow = issue_key(
        &app,
        "Small pilot",
        &["entitlements:read"],
        "agency_services",
        "",
        "3",
    )
    .await;
    for _ in 0..3 {
        assert_eq!(
            call(&app, Some(&slow), "GET", &path, None).await.status,
            200
        );
    }
    let limited = call(&app, Some(&slow), "GET", &path, None).await;
    assert_problem(&limited, 429, "rate-limited");
    let wait: u64 = limited
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");

    // Revoked by the administrator: refused from the next call.
    let good = issue_key(
        &app,
        "To be revoked",
        &["entitlements:read"],
        "agency_services",
        "",
        "600",
    )
    .await;
    assert_eq!(
        call(&app, Some(&good), "GET", &path, None).await.status,
        200
    );
    let id: i32 = {
        use kaset::db::schema::api_keys;
        api_keys::table
            .filter(api_keys::name.eq("To be revoked"))
            .select(api_keys::id)
            .first(&mut *app.db())
            .unwrap()
    };
    let admin = new_client();
    app.login_with(&admin, ADMIN, DEMO_PASSWORD).await;
    let token = app.get_with(&admin, "/admin/api-keys").await.csrf_token();
    let revoked = admin
        .post(app.url(&format!("/admin/api-keys/{id}/revoke")))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 303);
    assert_problem(
        &call(&app, Some(&good), "GET", &path, None).await,
        401,
        "unauthorized",
    );

    // The stored secret is a hash: the key itself is nowhere in the database.
    let stored: Vec<String> = {
        use kaset::db::schema::api_keys;
        api_keys::table
            .select(api_keys::secret_sha256)
            .load(&mut *app.db())
            .unwrap()
    };
    assert!(stored
        .iter()
        .all(|s| s.len() == 64 && !s.contains(&good[13..])));

    // A path the API does not have is a problem too, not an HTML page.
    assert_problem(
        &call(&app, Some(&good), "GET", "/api/v1/nothing-here", None).await,
        404,
        "not-found",
    );
}

/// An approved case for another Surin household, as a fixture (its applicant has no account
/// of the household, so no consent).
fn approved_case_for_another_household(app: &TestApp, reference: &str, nth: i64, applicant: i32) {
    use kaset::db::schema::{applications, households};
    let mut conn = app.db();
    let household: i32 = households::table
        .filter(households::province_code.eq("32"))
        .filter(households::registry_number.ne(FARMER_REGISTRY))
        .select(households::id)
        .order(households::id)
        .offset(nth)
        .first(&mut *conn)
        .unwrap();
    let now = app.clock.now();
    diesel::insert_into(applications::table)
        .values((
            applications::reference.eq(reference),
            applications::household_id.eq(household),
            applications::applicant_id.eq(applicant),
            applications::programme_id.eq(RELIEF),
            applications::status.eq("approved"),
            applications::version.eq(3),
            applications::answers.eq("{}"),
            applications::appealed.eq(false),
            applications::decided_on.eq(now.date()),
            applications::snapshot_amount_satang.eq(Some(480_000_i64)),
            applications::created_at.eq(now),
            applications::submitted_at.eq(Some(now)),
            applications::updated_at.eq(now),
        ))
        .execute(&mut *conn)
        .unwrap();
}

async fn the_paying_agency_pages_through_approved_cases_and_marks_them_paid_once(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    declare_flood(&app);

    // The demo farmer claims flood relief, consenting to payment on the claim itself (where it
    // is needed), and the officer approves.
    app.login_as(FARMER_ID).await;
    let draft = start(&app, RELIEF).await;
    let claim = app.get(&draft).await;
    assert!(
        claim.body.contains("id=\"payment_consent\""),
        "the claim asks the consent"
    );
    let answers = crate::applications::relief_answers(&claim, "8");
    let (version, token) = (claim.input_value("version").unwrap(), claim.csrf_token());
    let mut fields = crate::support::as_fields(&answers);
    fields.extend([
        ("payment_consent", "yes"),
        ("declaration", "yes"),
        ("version", version.as_str()),
        ("action", "submit"),
        ("csrf_token", token.as_str()),
    ]);
    let case_path = location(&app.post_multipart(&draft, &fields, &[]).await);
    let given: Vec<bool> = {
        use kaset::db::schema::{consents, users};
        consents::table
            .inner_join(users::table.on(users::id.eq(consents::user_id)))
            .filter(users::national_id.eq(FARMER_ID))
            .filter(consents::purpose.eq("payment"))
            .select(consents::given)
            .load(&mut *app.db())
            .unwrap()
    };
    assert_eq!(given, vec![true], "recorded once, from the claim");

    let reference = case_path.trim_start_matches("/applications/").to_owned();
    app.logout().await;
    app.login_as(OFFICER_SURIN).await;
    let case_page = format!("/officer/cases/{reference}");
    crate::applications::record_the_relief_checks(&app, &case_page).await;
    let approved = step(&app, &case_page, "approve", &[("approve_message", "")]).await;
    assert_eq!(location(&approved), case_page);
    app.logout().await;
    let applicant: i32 = {
        use kaset::db::schema::users;
        users::table
            .filter(users::national_id.eq(FARMER_ID))
            .select(users::id)
            .first(&mut *app.db())
            .unwrap()
    };
    approved_case_for_another_household(&app, "KS-2569-900001", 0, applicant);
    approved_case_for_another_household(&app, "KS-2569-900002", 1, applicant);

    let baac = issue_key(
        &app,
        "BAAC payments",
        &["payments", "cases:read"],
        "payment",
        "",
        "600",
    )
    .await;
    let list = "/api/v1/programmes/disaster-relief-crops/payments";

    // Two pages of two and one, oldest first, each case once.
    let first = call(&app, Some(&baac), "GET", &format!("{list}?limit=2"), None).await;
    assert_eq!(first.status, 200, "{}", first.json);
    let cursor = first.json["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = call(
        &app,
        Some(&baac),
        "GET",
        &format!("{list}?limit=2&cursor={cursor}"),
        None,
    )
    .await;
    assert!(second.json["next_cursor"].is_null());
    let items: Vec<&Value> = first.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second.json["items"].as_array().unwrap())
        .collect();
    let references: Vec<&str> = items
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        references,
        vec![reference.as_str(), "KS-2569-900001", "KS-2569-900002"]
    );

    // Who to pay only for the farmer who consented to payment.
    assert_eq!(items[0]["payee"]["national_id"], FARMER_ID);
    assert!(items[0]["amount_satang"].as_i64().unwrap() > 0);
    assert!(items[1]["payee"].is_null());
    assert_eq!(items[1]["payee_withheld"], "no-consent");

    // A bad cursor or limit is a 400 problem.
    assert_problem(
        &call(&app, Some(&baac), "GET", &format!("{list}?cursor=zz"), None).await,
        400,
        "bad-request",
    );
    assert_problem(
        &call(&app, Some(&baac), "GET", &format!("{list}?limit=0"), None).await,
        400,
        "bad-request",
    );

    // One batch: paid, unknown, and (after) already paid; retrying changes nothing twice.
    let batch = serde_json::json!({"payments": [
        {"reference": reference, "transfer_reference": "BAAC-TR-0001"},
        {"reference": "KS-2569-900001", "transfer_reference": "BAAC-TR-0002"},
        {"reference": "KS-2569-999999"},
    ]});
    let paid = call(&app, Some(&baac), "POST", list, Some(batch.clone())).await;
    assert_eq!(paid.status, 200, "{}", paid.json);
    let outcomes: Vec<&str> = paid.json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["paid", "paid", "not_found"]);
    let again = call(&app, Some(&baac), "POST", list, Some(batch)).await;
    let outcomes: Vec<&str> = again.json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["already_paid", "already_paid", "not_found"]);

    // Only the unpaid case is left to pay; the farmer's case says paid, with the transfer.
    let left = call(&app, Some(&baac), "GET", list, None).await;
    assert_eq!(left.json["items"].as_array().unwrap().len(), 1);
    let status = call(
        &app,
        Some(&baac),
        "GET",
        &format!("/api/v1/cases/{reference}"),
        None,
    )
    .await;
    assert_eq!(status.status, 200, "{}", status.json);
    assert_eq!(status.json["status"], "paid");
    let timeline: Vec<&str> = status.json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(timeline.last(), Some(&"paid"));
    assert_eq!(timeline.iter().filter(|e| **e == "paid").count(), 1);

    // A body that is not a batch is refused, with nothing changed.
    let broken = call(
        &app,
        Some(&baac),
        "POST",
        list,
        Some(serde_json::json!({"pay": 1})),
    )
    .await;
    assert_problem(&broken, 400, "bad-request");
}

async fn the_openapi_document_describes_every_route_and_every_route_needs_a_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = call(&app, None, "GET", "/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    assert!(doc.json["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc.json["paths"].as_object().unwrap();
    let schemas = doc.json["components"]["schemas"].as_object().unwrap();
    for schema in [
        "ProblemBody",
        "HouseholdEntitlements",
        "CaseStatus",
        "PaymentsPage",
        "PaymentBatch",
    ] {
        assert!(schemas.contains_key(schema), "{schema} is described");
    }
    assert_eq!(
        doc.json["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );

    // Every route the code registers (each `#[get]`/`#[post]` of src/web/api) is documented.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/api");
    let mut registered = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for method in ["get", "post", "put", "patch", "delete"] {
            let marker = format!("#[{method}(\"");
            for (at, _) in text.match_indices(&marker) {
                let rest = &text[at + marker.len()..];
                let route = &rest[..rest.find('"').unwrap()];
                registered.push((method, format!("/api/v1{route}")));
            }
        }
    }
    assert!(registered.len() >= 5, "{registered:?}");
    for (method, route) in &registered {
        assert!(
            paths.get(route).and_then(|p| p.get(*method)).is_some(),
            "{method} {route} is not in the OpenAPI document"
        );
    }
    // …and every documented operation but the document itself needs a key.
    for (route, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            if route == "/api/v1/openapi.json" {
                continue;
            }
            let concrete = route
                .replace("{registry_number}", FARMER_REGISTRY)
                .replace("{reference}", "KS-2569-000001")
                .replace("{programme_id}", RELIEF);
            let body = (method == "post").then(|| serde_json::json!({}));
            let reply = call(&app, None, &method.to_uppercase(), &concrete, body).await;
            assert_problem(&reply, 401, "unauthorized");
        }
    }
}

async fn a_provincial_system_writes_registry_updates_within_its_area(backend: Backend) {
    use crate::support::registry::household;
    let app = spawn_app(backend).await;
    let surin = issue_key(
        &app,
        "Surin provincial registry",
        &["registry:write"],
        "agency_services",
        "32",
        "600",
    )
    .await;
    let reader = issue_key(
        &app,
        "Reader",
        &["entitlements:read"],
        "agency_services",
        "",
        "600",
    )
    .await;
    let path = "/api/v1/registry/households";

    let buriram_tambon: String = {
        use kaset::db::schema::tambons;
        tambons::table
            .filter(tambons::code.like("31%"))
            .select(tambons::code)
            .first(&mut *app.db())
            .unwrap()
    };
    let mut bad_id = household(302);
    bad_id["members"][0]["national_id"] = serde_json::json!("3100100000015");
    let mut elsewhere = household(303);
    elsewhere["tambon_code"] = serde_json::json!(buriram_tambon);
    elsewhere["plots"][0]["tambon_code"] = serde_json::json!(buriram_tambon);
    let body = serde_json::json!({"households": [household(301), bad_id, elsewhere]});

    assert_problem(
        &call(&app, Some(&reader), "POST", path, Some(body.clone())).await,
        403,
        "missing-scope",
    );
    let reply = call(&app, Some(&surin), "POST", path, Some(body)).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    let results = reply.json["results"].as_array().unwrap();
    let outcomes: Vec<&str> = results
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["stored", "refused", "refused"]);
    assert_eq!(results[1]["field"], "members[0].national_id");
    assert_eq!(results[2]["field"], "tambon_code");
    assert!(
        results[2]["problem"].as_str().unwrap().contains("area"),
        "{}",
        results[2]
    );

    // Stored and decided by the rules engine, under the key's name in the audit log.
    use kaset::db::schema::{audit_log, entitlements, households, registry_rejects};
    let mut conn = app.db();
    let id: i32 = households::table
        .filter(households::registry_number.eq("320101900301"))
        .select(households::id)
        .first(&mut *conn)
        .unwrap();
    let decided: i64 = entitlements::table
        .filter(entitlements::household_id.eq(id))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert!(decided > 0);
    let by_key: i64 = audit_log::table
        .filter(audit_log::household_id.eq(id))
        .filter(audit_log::api_key_id.is_not_null())
        .filter(audit_log::action.eq("sync_create"))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(by_key, 1);
    // The broken record waits for Surin's officers; the out-of-area one is only refused.
    let waiting: Vec<String> = registry_rejects::table
        .select(registry_rejects::source)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(waiting.len(), 1);
    assert!(waiting[0].starts_with("api:"));
}

async fn a_provincial_key_cannot_take_over_another_areas_household_or_people(backend: Backend) {
    use crate::support::registry::household;
    use kaset::db::schema::{households, members, plots};
    let app = spawn_app(backend).await;
    let key = |name: &'static str, province: &'static str| {
        let app = &app;
        async move {
            issue_key(
                app,
                name,
                &["registry:write"],
                "agency_services",
                province,
                "600",
            )
            .await
        }
    };
    let surin = key("Surin provincial registry", "32").await;
    let buriram = key("Buri Ram provincial registry", "31").await;
    let path = "/api/v1/registry/households";
    let snapshot = |registry_number: String| {
        let mut conn = app.db();
        let (id, tambon): (i32, String) = households::table
            .filter(households::registry_number.eq(&registry_number))
            .select((households::id, households::tambon_code))
            .first(&mut *conn)
            .unwrap();
        let people: Vec<String> = members::table
            .filter(members::household_id.eq(id))
            .select(members::national_id)
            .order(members::national_id)
            .load(&mut *conn)
            .unwrap();
        let plot_count: i64 = plots::table
            .filter(plots::household_id.eq(id))
            .count()
            .get_result(&mut *conn)
            .unwrap();
        (tambon, people, plot_count)
    };

    // A Buri Ram household, sent by Surin's key with a Surin address: refused, untouched.
    let buriram_number: String = households::table
        .filter(households::province_code.eq("31"))
        .order(households::id)
        .select(households::registry_number)
        .first(&mut *app.db())
        .unwrap();
    let before = snapshot(buriram_number.clone());
    let mut takeover = household(401);
    takeover["registry_number"] = serde_json::json!(buriram_number);
    let reply = call(
        &app,
        Some(&surin),
        "POST",
        path,
        Some(serde_json::json!({ "households": [takeover] })),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["results"][0]["outcome"], "refused");
    assert_eq!(reply.json["results"][0]["field"], "registry_number");
    assert_eq!(snapshot(buriram_number), before);

    // A Buri Ram record naming a person of a Surin household: refused; the person stays home.
    let surin_person: String = members::table
        .inner_join(households::table)
        .filter(households::registry_number.eq(FARMER_REGISTRY))
        .select(members::national_id)
        .first(&mut *app.db())
        .unwrap();
    let farmer_before = snapshot(FARMER_REGISTRY.to_owned());
    let buriram_tambon: String = {
        use kaset::db::schema::tambons;
        tambons::table
            .filter(tambons::code.like("31%"))
            .select(tambons::code)
            .first(&mut *app.db())
            .unwrap()
    };
    let mut kidnap = household(402);
    kidnap["registry_number"] = serde_json::json!(format!("{buriram_tambon}900402"));
    kidnap["tambon_code"] = serde_json::json!(buriram_tambon);
    kidnap["plots"][0]["tambon_code"] = serde_json::json!(buriram_tambon);
    let mut second = kidnap["members"][0].clone();
    second["relation"] = serde_json::json!("spouse");
    second["national_id"] = serde_json::json!(surin_person);
    kidnap["members"] = serde_json::json!([kidnap["members"][0].clone(), second]);
    let reply = call(
        &app,
        Some(&buriram),
        "POST",
        path,
        Some(serde_json::json!({ "households": [kidnap] })),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(
        reply.json["results"][0]["outcome"], "refused",
        "{}",
        reply.json
    );
    assert_eq!(reply.json["results"][0]["field"], "members[1].national_id");
    assert_eq!(snapshot(FARMER_REGISTRY.to_owned()), farmer_before);

    // Neither waits before an officer: they are not the registry's mistakes to correct.
    let waiting: i64 = kaset::db::schema::registry_rejects::table
        .count()
        .get_result(&mut *app.db())
        .unwrap();
    assert_eq!(waiting, 0);
}

/// Waits for the start-up decision to put the demo household on a programme's payment list;
/// the case's reference.
async fn enrolled_reference(app: &TestApp, programme: &str) -> String {
    use kaset::db::schema::{applications, households};
    for _ in 0..300 {
        let found: Option<Option<String>> = applications::table
            .inner_join(households::table)
            .filter(households::registry_number.eq(FARMER_REGISTRY))
            .filter(applications::programme_id.eq(programme))
            .select(applications::reference)
            .first(&mut *app.db())
            .optional()
            .unwrap();
        if let Some(Some(reference)) = found {
            return reference;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the household was not put on the {programme} payment list");
}

async fn rice_support_reaches_the_farmers_account_without_anyone_applying(backend: Backend) {
    // 20 December 2024: the 2024/25 round of rice support, which BAAC pays from the list the
    // Department of Agricultural Extension sends it. The demo household grows 18 rai of
    // main-season rice and joined the registry before the round closed.
    let day = chrono::NaiveDate::from_ymd_opt(2024, 12, 20).unwrap();
    let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    let app = spawn_app_on(backend, Clock::starting_at_thai(day, nine)).await;
    const RICE: &str = "rice-support-2567";
    let reference = enrolled_reference(&app, RICE).await;

    // No form: the farmer sees when the money comes, and no button to apply.
    app.login_as(FARMER_ID).await;
    let page = app.get("/entitlements").await;
    let waiting = page
        .texts(&format!("#programme-{RICE} .progress-on_payment_list"))
        .join("");
    assert!(waiting.contains("10,000"), "{waiting}");
    assert!(waiting.contains("ไม่ต้องยื่นคำขอ"), "{waiting}");
    assert!(waiting.contains("19 มกราคม 2568"), "30 days on: {waiting}");
    assert!(page
        .texts(&format!("#programme-{RICE} form.apply button"))
        .is_empty());
    // "Where is my money" lists it too, at its stable address.
    let money = app.get("/payments").await;
    let on_the_way = money.texts(".payment-on_payment_list").join("");
    assert!(on_the_way.contains("10,000"), "{on_the_way}");
    let case = app.get(&format!("/applications/{reference}")).await;
    assert_eq!(case.status, 200);
    assert!(
        case.texts(".timeline li strong")
            .join("")
            .contains("เข้ารายชื่อรับเงินโดยอัตโนมัติ"),
        "{}",
        case.body
    );
    app.logout().await;

    // BAAC finds the household on its list with who to pay (the programme's own legal basis
    // shares it: the farmer gave no consent), and reports the transfer.
    let baac = issue_key(&app, "BAAC payments", &["payments"], "payment", "", "600").await;
    let list = format!("/api/v1/programmes/{RICE}/payments");
    let waiting = call(&app, Some(&baac), "GET", &list, None).await;
    assert_eq!(waiting.status, 200, "{}", waiting.json);
    let items = waiting.json["items"].as_array().unwrap();
    let item = items
        .iter()
        .find(|i| i["reference"] == reference.as_str())
        .unwrap_or_else(|| panic!("{}", waiting.json));
    assert_eq!(item["amount_satang"], 1_000_000);
    assert_eq!(item["payee"]["national_id"], FARMER_ID);
    // The first transfer fails: the farmer is told what to fix, in plain words, and the case
    // waits off the list until they say it is fixed.
    let failed = serde_json::json!({"payments": [
        {"reference": reference, "failed": "promptpay_not_linked"},
    ]});
    let report = call(&app, Some(&baac), "POST", &list, Some(failed.clone())).await;
    assert_eq!(
        report.json["results"][0]["outcome"], "failed",
        "{}",
        report.json
    );
    let again = call(&app, Some(&baac), "POST", &list, Some(failed)).await;
    assert_eq!(
        again.json["results"][0]["outcome"], "failed",
        "a retry changes nothing"
    );
    let listed = |reply: &Reply| {
        reply.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["reference"] == reference.as_str())
    };
    assert!(!listed(&call(&app, Some(&baac), "GET", &list, None).await));
    let unknown = serde_json::json!({"payments": [{"reference": reference, "failed": "lost"}]});
    assert_problem(
        &call(&app, Some(&baac), "POST", &list, Some(unknown)).await,
        400,
        "bad-request",
    );
    // The district's officers see the failed transfer by district and reason, to help.
    app.login_as(OFFICER_SURIN).await;
    let queue = app.get("/officer/cases?payment_failed=1").await;
    let by_area = queue.texts(".failed-payments li").join(" | ");
    assert!(
        by_area.contains("เมืองสุรินทร์") && by_area.contains("1"),
        "{by_area}"
    );
    assert!(queue.body.contains(reference.as_str()));
    assert!(queue.texts(".payment-failure").join("").contains("พร้อมเพย์"));
    app.logout().await;
    app.login_as(FARMER_ID).await;
    let money = app.get("/payments").await;
    let what_to_fix = money.texts(".payment-payment_failed").join("");
    assert!(what_to_fix.contains("พร้อมเพย์"), "{what_to_fix}");
    let notices = app
        .get("/notifications")
        .await
        .texts(".notices li")
        .join(" | ");
    assert!(notices.contains("โอนเงินไม่สำเร็จ"), "{notices}");
    let fixed = app
        .submit(
            &format!("/applications/{reference}"),
            &format!("/applications/{reference}/payment-fixed"),
            &[],
        )
        .await;
    assert_eq!(fixed.status, 303);
    let case = app.get(&format!("/applications/{reference}")).await;
    assert!(
        case.texts(".payment-failed").is_empty(),
        "nothing left to fix"
    );
    let timeline = case.texts(".timeline li strong").join(" | ");
    assert!(timeline.contains("โอนเงินไม่สำเร็จ"), "{timeline}");
    app.logout().await;
    assert!(listed(&call(&app, Some(&baac), "GET", &list, None).await));

    // An impossible paid amount refuses the whole batch; the agency may pay another amount
    // than listed, and the farmer is shown both.
    let negative = serde_json::json!({"payments": [
        {"reference": reference, "transfer_reference": "BAAC-TR-2567-01", "amount_satang": -5},
    ]});
    let refused = call(&app, Some(&baac), "POST", &list, Some(negative)).await;
    assert_problem(&refused, 400, "bad-request");
    let batch = serde_json::json!({"payments": [
        {"reference": reference, "transfer_reference": "BAAC-TR-2567-01", "amount_satang": 980_000},
    ]});
    let paid = call(&app, Some(&baac), "POST", &list, Some(batch)).await;
    assert_eq!(paid.json["results"][0]["outcome"], "paid", "{}", paid.json);

    // The farmer sees it received, with the transfer, and was told.
    app.login_as(FARMER_ID).await;
    let page = app.get("/entitlements").await;
    let received = page
        .texts(&format!("#programme-{RICE} .progress-received"))
        .join("");
    assert!(received.contains("ได้รับเงิน 9,800"), "{received}");
    assert!(received.contains("BAAC-TR-2567-01"), "{received}");
    let money = app.get("/payments").await;
    let paid = money.texts(".payment-received").join("");
    assert!(
        paid.contains("9,800") && paid.contains("BAAC-TR-2567-01"),
        "{paid}"
    );
    let case = app.get(&format!("/applications/{reference}")).await;
    let paid = case.texts(".amount-paid").join("");
    assert!(paid.contains("9,800"), "{paid}");
    assert!(paid.contains("ต่างจากยอดที่อนุมัติ"), "{paid}");
    let notices = app
        .get("/notifications")
        .await
        .texts(".notices li")
        .join(" | ");
    assert!(notices.contains(&reference), "{notices}");
}
