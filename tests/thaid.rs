//! Signing in with ThaID against a real OpenID provider (see `support::thaid`): the farmer goes
//! to ThaID and back and is signed in as the account of her national ID; a household head with
//! no account yet gets one; ID tokens for another client, expired, or signed with an unknown
//! key sign nobody in; a person the registry does not know is told where to register.

use crate::on_both_databases;
use crate::support::thaid::IdTokens;
use crate::support::{new_client, spawn_app, spawn_app_with, Backend, Options, TestApp, FARMER_ID};
use kaset::db::seed::{DEMO_PHONE_ONLY_NATIONAL_ID, DEMO_PHONE_ONLY_PHONE};

on_both_databases!(
    a_farmer_signs_in_with_thaid_and_lands_on_her_farm,
    a_household_head_without_an_account_signs_in_with_thaid_and_has_one,
    id_tokens_for_another_agency_expired_or_forged_sign_nobody_in,
    a_person_thaid_knows_but_the_registry_does_not_is_told_to_register_at_the_office,
);

/// A checksum-valid national ID that no household in the demo registry has.
const NOT_IN_THE_REGISTRY: &str = "3100601234565";

/// How many accounts the person with this national ID has.
fn accounts_of(app: &TestApp, national_id: &str) -> i64 {
    use diesel::prelude::*;
    use kaset::db::schema::users;
    users::table
        .filter(users::national_id.eq(national_id))
        .count()
        .get_result(&mut *app.db())
        .expect("read the users")
}

async fn app_with_thaid(backend: Backend, id_tokens: IdTokens) -> Option<TestApp> {
    let app = spawn_app_with(
        backend,
        Options {
            thaid: Some(id_tokens),
            ..Options::default()
        },
    )
    .await;
    app.thaid.is_some().then_some(app)
}

/// Follows "sign in with ThaID" as `national_id`, with `client`'s cookies, to the page ThaID
/// sends the browser back to; Kaset's answer there.
async fn sign_in_with_thaid(
    app: &TestApp,
    client: &reqwest::Client,
    national_id: &str,
) -> (crate::support::Page, String) {
    let start = app.get_with(client, "/login/thaid").await;
    assert_eq!(start.status, 303, "{}", start.body);
    let authorize = start.location.expect("sent to ThaID");
    let thaid = app.thaid.as_ref().expect("ThaID's stand-in");
    assert!(authorize.starts_with(&thaid.issuer), "{authorize}");
    let query: std::collections::HashMap<String, String> = reqwest::Url::parse(&authorize)
        .expect("an address")
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["code_challenge_method"], "S256");
    assert!(query["scope"].split(' ').any(|s| s == "openid"));
    assert!(query["scope"].split(' ').any(|s| s == "pid"));
    for protection in ["code_challenge", "state", "nonce"] {
        assert!(query[protection].len() >= 22, "{protection}: {authorize}");
    }
    let back = thaid.sign_in(client, &authorize, national_id).await;
    assert!(
        back.starts_with(&format!("{}/login/thaid/callback?", app.base)),
        "{back}"
    );
    let path = back.trim_start_matches(&app.base).to_owned();
    (app.get_with(client, &path).await, path)
}

async fn a_farmer_signs_in_with_thaid_and_lands_on_her_farm(backend: Backend) {
    let Some(app) = app_with_thaid(backend, IdTokens::Honest).await else {
        return;
    };
    let login = app.get("/login").await;
    assert!(
        login.body.contains("href=\"/login/thaid\""),
        "{}",
        login.body
    );

    let (signed_in, callback) = sign_in_with_thaid(&app, &app.client, FARMER_ID).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(signed_in.location.as_deref(), Some("/farm"));
    let farm = app.get("/farm").await;
    assert_eq!(farm.status, 200, "signed in as the demo farmer");
    assert!(farm.body.contains("สมชาย"), "her own farm: {}", farm.body);

    // Someone who got hold of the address ThaID sent her back with cannot use it.
    let stranger = new_client();
    let replayed = app.get_with(&stranger, &callback).await;
    assert_eq!(replayed.status, 401, "{}", replayed.body);
    assert_eq!(app.get_with(&stranger, "/farm").await.status, 303);

    // A person who cancels at ThaID comes back to the sign-in page, told so.
    let cancelled = app
        .get_with(
            &stranger,
            "/login/thaid/callback?error=access_denied&state=whatever",
        )
        .await;
    assert_eq!(cancelled.status, 401);
    assert!(cancelled.body.contains("ยกเลิกการเข้าสู่ระบบด้วย ThaID"));

    // Without ThaID set up, it is not offered.
    let plain = spawn_app(backend).await;
    assert!(!plain.get("/login").await.body.contains("/login/thaid"));
    let not_offered = plain.get("/login/thaid").await;
    assert_eq!(not_offered.status, 200);
    assert!(not_offered.body.contains("ยังไม่เปิดให้เข้าสู่ระบบด้วย ThaID"));
}

async fn a_household_head_without_an_account_signs_in_with_thaid_and_has_one(backend: Backend) {
    let Some(app) = app_with_thaid(backend, IdTokens::Honest).await else {
        return;
    };
    let (signed_in, _) = sign_in_with_thaid(&app, &app.client, DEMO_PHONE_ONLY_NATIONAL_ID).await;
    assert_eq!(
        signed_in.location.as_deref(),
        Some("/farm"),
        "{}",
        signed_in.body
    );
    assert_eq!(app.get("/farm").await.status, 200);

    let user = {
        let mut conn = app.db();
        kaset::db::users::find_by_login(&mut conn, DEMO_PHONE_ONLY_NATIONAL_ID)
            .expect("read the users")
            .expect("an account made by signing in with ThaID")
    };
    assert_eq!(user.phone.as_deref(), Some(DEMO_PHONE_ONLY_PHONE));
    assert_eq!(user.channels, "sms", "reached at the registry's phone");
    let audited: i64 = {
        use diesel::prelude::*;
        use kaset::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::action.eq("register_with_thaid"))
            .filter(audit_log::entity_id.eq(user.id.to_string()))
            .count()
            .get_result(&mut *app.db())
            .expect("read the audit log")
    };
    assert_eq!(audited, 1);

    // The next time, the same account.
    app.logout().await;
    sign_in_with_thaid(&app, &app.client, DEMO_PHONE_ONLY_NATIONAL_ID).await;
    let count = accounts_of(&app, DEMO_PHONE_ONLY_NATIONAL_ID);
    assert_eq!(count, 1);
}

async fn id_tokens_for_another_agency_expired_or_forged_sign_nobody_in(backend: Backend) {
    for id_tokens in [
        IdTokens::WrongAudience,
        IdTokens::Expired,
        IdTokens::OtherKey,
    ] {
        let Some(app) = app_with_thaid(backend, id_tokens).await else {
            return;
        };
        let (refused, _) = sign_in_with_thaid(&app, &app.client, FARMER_ID).await;
        assert_eq!(refused.status, 401, "{id_tokens:?}: {}", refused.body);
        assert!(
            refused.body.contains("ตรวจสอบคำตอบจาก ThaID ไม่ผ่าน"),
            "{id_tokens:?}: {}",
            refused.body
        );
        assert_eq!(
            app.get("/farm").await.status,
            303,
            "{id_tokens:?}: not signed in"
        );
    }
}

async fn a_person_thaid_knows_but_the_registry_does_not_is_told_to_register_at_the_office(
    backend: Backend,
) {
    let Some(app) = app_with_thaid(backend, IdTokens::Honest).await else {
        return;
    };
    let (refused, _) = sign_in_with_thaid(&app, &app.client, NOT_IN_THE_REGISTRY).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body.contains("สำนักงานเกษตรอำเภอ"),
        "{}",
        refused.body
    );
    assert_eq!(app.get("/farm").await.status, 303);
    let accounts = accounts_of(&app, NOT_IN_THE_REGISTRY);
    assert_eq!(accounts, 0, "no account for a person outside the registry");
}
