//! Real pages in a real headless Chromium (Debian's `chromium` + `chromedriver`), with axe-core
//! checking each page for WCAG 2 A/AA violations. A missing prerequisite is a loud skip by hand
//! and a failure under CI.

use crate::support::{spawn_app, Backend, DEMO_PASSWORD, FARMER_ID};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn axe_script_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/axe-core/axe.min.js")
}

/// Whether the browser prerequisites are installed; otherwise says what is missing.
fn prerequisites() -> Option<String> {
    let missing: Vec<String> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .map(PathBuf::from)
        .chain([axe_script_path()])
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some(std::fs::read_to_string(axe_script_path()).expect("read axe.min.js"));
    }
    let message = format!(
        "browser test needs {} (apt-get install chromium chromium-driver; cd tests/browser && npm ci)",
        missing.join(", ")
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true but {message}");
    }
    eprintln!("SKIPPED: {message}");
    None
}

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver() -> Driver {
    let port = crate::support::free_port();
    // Wrapped at once, so the process is stopped (and waited for) on every path.
    let driver = Driver {
        child: Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
        port,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start listening on port {port}");
}

async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": CHROMIUM,
            // A 360 px wide phone screen, the narrowest Kaset supports.
            "mobileEmulation": { "deviceMetrics": { "width": 360, "height": 740, "pixelRatio": 1.0 } },
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session through chromedriver")
}

/// Runs axe-core on the current page and returns its WCAG 2 A/AA violations, described.
async fn accessibility_violations(client: &Client, axe: &str) -> Vec<String> {
    client.execute(axe, vec![]).await.expect("inject axe-core");
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                .then(r => done(JSON.stringify(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) })))))
                .catch(e => done('axe failed: ' + e));",
            vec![],
        )
        .await
        .expect("run axe-core");
    let text = result.as_str().unwrap_or_default().to_owned();
    assert!(!text.starts_with("axe failed"), "{text}");
    let violations: Vec<serde_json::Value> = serde_json::from_str(&text).expect("axe result");
    violations.iter().map(|v| v.to_string()).collect()
}

#[actix_web::test]
async fn farmer_logs_in_on_a_phone_and_sees_their_plots_and_entitlements_on_accessible_pages() {
    let Some(axe) = prerequisites() else { return };
    let app = spawn_app(Backend::Sqlite).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;

    client.goto(&app.url("/")).await.unwrap();
    save_screenshot(&client, "home").await;
    let home = accessibility_violations(&client, &axe).await;
    assert!(home.is_empty(), "home page: {home:#?}");

    client.goto(&app.url("/login")).await.unwrap();
    save_screenshot(&client, "login").await;
    let login = accessibility_violations(&client, &axe).await;
    assert!(login.is_empty(), "login page: {login:#?}");
    sign_in(&client, FARMER_ID).await;
    let mut on_farm = false;
    for _ in 0..50 {
        if client.current_url().await.unwrap().path() == "/farm" {
            on_farm = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(on_farm, "the farmer lands on My farm after logging in");
    let plots: Vec<String> = {
        let mut names = Vec::new();
        for element in client.find_all(Locator::Css(".plot h3")).await.unwrap() {
            names.push(element.text().await.unwrap());
        }
        names
    };
    assert_eq!(plots, ["นาข้าวหลังบ้าน", "ไร่มันสำปะหลัง", "นาเช่า"]);
    let farm = accessibility_violations(&client, &axe).await;
    assert!(farm.is_empty(), "My farm: {farm:#?}");

    // Nothing overflows the 360 px phone screen sideways.
    assert_fits_the_phone(&client, "My farm").await;

    save_screenshot(&client, "my-farm").await;

    client.goto(&app.url("/entitlements")).await.unwrap();
    let eligible = client
        .find_all(Locator::Css("article.entitlement-eligible h3"))
        .await
        .unwrap();
    assert!(
        !eligible.is_empty(),
        "My entitlements lists what the farmer is entitled to"
    );
    let entitlements = accessibility_violations(&client, &axe).await;
    assert!(
        entitlements.is_empty(),
        "My entitlements: {entitlements:#?}"
    );
    save_screenshot(&client, "my-entitlements").await;

    // The personal-data pages and the open data, on the same phone.
    for (path, name) in [
        ("/privacy", "privacy"),
        ("/my-data", "my-data"),
        ("/open-data", "open-data"),
    ] {
        client.goto(&app.url(path)).await.unwrap();
        assert_accessible(&client, &axe, name).await;
    }

    // The harness itself sees violations: an unlabelled field added to the page is reported.
    client
        .execute(
            "document.querySelector('main').appendChild(document.createElement('input'));",
            vec![],
        )
        .await
        .unwrap();
    let broken = accessibility_violations(&client, &axe).await;
    assert!(
        broken.iter().any(|v| v.contains("\"label\"")),
        "axe missed an unlabelled input: {broken:?}"
    );

    client.close().await.unwrap();
}

/// Fills in and sends the login form on the current page.
async fn sign_in(client: &Client, login: &str) {
    type_into(client, "login", login).await;
    type_into(client, "password", DEMO_PASSWORD).await;
    click(client, "main form button[type=submit]").await;
}

/// The officer records the next check of the regulation on the case page, done `day`, and
/// waits for the page to list one more check done than `done_before`.
async fn record_check_on_the_page(client: &Client, day: &str, note: &str, done_before: usize) {
    // A date input takes its typed value in the browser's locale; set it as the form sends it.
    client
        .execute(
            "document.getElementById('check_on').value = arguments[0];",
            vec![serde_json::json!(day)],
        )
        .await
        .unwrap();
    client
        .find(Locator::Id("check_note"))
        .await
        .unwrap()
        .send_keys(note)
        .await
        .unwrap();
    click(client, "form[action$='/check'] button").await;
    for _ in 0..50 {
        let done = client
            .find_all(Locator::Css("#checks .check-done"))
            .await
            .map_or(0, |found| found.len());
        if done > done_before {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the check was not recorded: {note}");
}

/// The page does not scroll sideways on the 360 px phone screen.
async fn assert_fits_the_phone(client: &Client, page: &str) {
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow,
        serde_json::Value::Bool(false),
        "{page} scrolls sideways on a phone"
    );
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the browser's path satisfies `arrived`; returns the path.
async fn wait_for_path(client: &Client, arrived: impl Fn(&str) -> bool) -> String {
    for _ in 0..100 {
        let path = client.current_url().await.unwrap().path().to_owned();
        if arrived(&path) {
            return path;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the browser stayed on {}",
        client.current_url().await.unwrap()
    );
}

/// The computed background colour of the element at `css`.
async fn background_of(client: &Client, css: &str) -> String {
    client
        .execute(
            "return getComputedStyle(document.querySelector(arguments[0])).backgroundColor;",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn assert_accessible(client: &Client, axe: &str, page: &str) {
    let violations = accessibility_violations(client, axe).await;
    assert!(violations.is_empty(), "{page}: {violations:#?}");
    save_screenshot(client, page).await;
}

#[actix_web::test]
async fn farmer_confirms_the_flood_claim_kaset_drafted_for_her_on_a_phone_and_the_officer_decides_it(
) {
    let Some(axe) = prerequisites() else { return };
    let app = spawn_app(Backend::Sqlite).await;
    crate::support::declare_flood_and_draft_claims(&app);
    let driver = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;

    // The notice says the claim is ready; it leads to the programme, whose button opens it.
    client.goto(&app.url("/login")).await.unwrap();
    sign_in(&client, FARMER_ID).await;
    wait_for_path(&client, |p| p == "/farm").await;
    client.goto(&app.url("/notifications")).await.unwrap();
    assert!(text_of(&client, ".notices").await.contains("ระบบกรอกคำขอ"));
    click(&client, ".notices a[href*='disaster-relief-crops']").await;
    wait_for_path(&client, |p| p.starts_with("/entitlements")).await;
    click(
        &client,
        "#programme-disaster-relief-crops .progress-drafted a",
    )
    .await;
    wait_for_path(&client, |p| p.starts_with("/applications/drafts/")).await;
    assert!(text_of(&client, "h1").await.contains("ตรวจและยืนยันคำขอ"));
    assert_accessible(&client, &axe, "claim-to-confirm").await;
    assert_fits_the_phone(&client, "the claim").await;

    // The damage of each crop in the zone (the rice field is listed first), the account, a
    // photo, the declaration, confirm.
    client
        .find(Locator::Css("input[name^='q_damaged.']"))
        .await
        .unwrap()
        .send_keys("8")
        .await
        .unwrap();
    for (id, value) in [("q_baac_account", "020-1-23456-7")] {
        client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    click(&client, "input[name=q_insured][value=no]").await;
    let photo = profile.path().join("flooded-field.png");
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR").unwrap();
    client
        .find(Locator::Id("file-input"))
        .await
        .unwrap()
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    click(&client, "#declaration").await;
    assert_ne!(
        background_of(&client, "button[value=save]").await,
        background_of(&client, "button[value=submit]").await,
        "saving a draft does not look like sending the claim"
    );
    click(&client, "button[value=submit]").await;
    let case_path = wait_for_path(&client, |p| p.starts_with("/applications/KS-")).await;
    let reference = case_path.trim_start_matches("/applications/").to_owned();
    assert_eq!(text_of(&client, "dd.reference").await, reference);
    assert_eq!(text_of(&client, ".files a").await, "flooded-field.png");
    assert_accessible(&client, &axe, "application").await;
    client.goto(&app.url("/applications")).await.unwrap();
    assert_accessible(&client, &axe, "my-applications").await;

    // The officer, in another browser session, finds it in the queue and approves it.
    client.delete_all_cookies().await.unwrap();
    client.goto(&app.url("/login")).await.unwrap();
    sign_in(&client, crate::support::OFFICER_SURIN).await;
    wait_for_path(&client, |p| p != "/login").await;
    client.goto(&app.url("/officer/cases")).await.unwrap();
    assert_accessible(&client, &axe, "officer-queue").await;
    assert_fits_the_phone(&client, "the case queue").await;
    // Found by the farmer's name.
    type_into(&client, "q", "สมชาย").await;
    click(&client, "form[role=search] button[type=submit]").await;
    for _ in 0..100 {
        let url = client.current_url().await.unwrap();
        if url.query().is_some_and(|q| q.starts_with("q=")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(text_of(&client, ".cases").await.contains(&reference));
    assert_accessible(&client, &axe, "officer-queue-searched").await;
    client
        .find(Locator::LinkText(&reference))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(&client, |p| p.starts_with("/officer/cases/KS-")).await;
    assert_accessible(&client, &axe, "officer-case").await;
    // The village's certification, then the district committee's approval, before deciding.
    let today = app.clock.today().to_string();
    record_check_on_the_page(&client, &today, "ประชาคมหมู่ 3 รับรองรายชื่อ", 0).await;
    assert_accessible(&client, &axe, "officer-case-village-checked").await;
    record_check_on_the_page(&client, &today, "คณะกรรมการอำเภอเห็นชอบ ครั้งที่ 12/2569", 1).await;
    // Rejecting and assigning do not look like approving, and each action is a block of its
    // own, ruled off from the one before.
    let approve = background_of(&client, "form[action$='/approve'] button").await;
    assert_ne!(
        approve,
        background_of(&client, "form[action$='/reject'] button").await
    );
    assert_ne!(
        approve,
        background_of(&client, "form[action$='/assign'] button").await
    );
    let blocks = client
        .execute(
            "const blocks = [...document.querySelectorAll('.action-block')];
             return blocks.slice(1).map((block, i) => [
               block.getBoundingClientRect().top - blocks[i].getBoundingClientRect().bottom,
               parseFloat(getComputedStyle(block).borderTopWidth)]);",
            vec![],
        )
        .await
        .unwrap();
    let blocks: Vec<(f64, f64)> = serde_json::from_value(blocks).unwrap();
    assert!(blocks.len() >= 4, "{blocks:?}");
    for (gap, rule) in blocks {
        assert!(gap >= 20.0 && rule >= 1.0, "gap {gap} px, rule {rule} px");
    }
    click(&client, "form[action$='/approve'] button").await;
    // The page reloads after the decision; read the status once the new page is there.
    let mut status = String::new();
    for _ in 0..50 {
        if let Ok(element) = client.find(Locator::Css("dd.status")).await {
            status = element.text().await.unwrap_or_default();
            if status.contains("อนุมัติแล้ว") {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(status.contains("อนุมัติแล้ว"), "{status}");
    assert!(
        text_of(&client, ".amount-computed")
            .await
            .contains("10,720"),
        "8 rai of rice × 1,340 baht, as confirmed"
    );
    client.close().await.unwrap();
}

#[actix_web::test]
async fn farmer_rates_a_case_with_faces_and_the_manager_reads_the_dashboard_in_a_browser() {
    let Some(axe) = prerequisites() else { return };
    let app = spawn_app(Backend::Sqlite).await;
    kaset::db::seed::seed_history(&mut app.db(), &app.clock).unwrap();
    // An application of the demo farmer, decided (not approved), so it can be rated.
    app.login_as(FARMER_ID).await;
    let page = app
        .submit(
            "/entitlements",
            "/applications/start/ldd-soil-analysis",
            &[],
        )
        .await;
    let draft = page.location.unwrap();
    let form = app.get(&draft).await;
    let token = form.csrf_token();
    let submitted = app
        .post_multipart(
            &draft,
            &[
                ("csrf_token", &token),
                ("declaration", "yes"),
                ("version", "0"),
                ("action", "submit"),
            ],
            &[],
        )
        .await;
    let case_path = submitted.location.unwrap();
    app.logout().await;
    app.login_as(crate::support::OFFICER_SURIN).await;
    let officer_path = case_path.replace("/applications/", "/officer/cases/");
    let case = app.get(&officer_path).await;
    let version = case.input_value("version").unwrap();
    let rejected = app
        .post_raw(
            &format!("{officer_path}/reject"),
            &[
                ("csrf_token", &case.csrf_token()),
                ("version", &version),
                ("reason", "not_eligible"),
                ("reject_message", "แปลงนี้ตรวจดินไปแล้วในปีนี้"),
            ],
        )
        .await;
    assert_eq!(rejected.status, 303, "{}", rejected.body);

    let driver = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;
    client.goto(&app.url("/login")).await.unwrap();
    sign_in(&client, FARMER_ID).await;
    wait_for_path(&client, |p| p == "/farm").await;
    client.goto(&app.url(&case_path)).await.unwrap();
    assert_accessible(&client, &axe, "rating-form").await;
    // No typing needed: a face for each question.
    click(&client, "#satisfaction .face:nth-child(4)").await;
    click(&client, "#effort .face:nth-child(5)").await;
    click(&client, "form[action$='/rating'] button[type=submit]").await;
    wait_for_path(&client, |p| p == case_path).await;
    let mut thanked = false;
    for _ in 0..50 {
        if let Ok(element) = client.find(Locator::Css("#rating [role=status]")).await {
            thanked = element.text().await.is_ok_and(|t| !t.is_empty());
            if thanked {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(thanked, "the farmer is thanked");
    assert_accessible(&client, &axe, "rating-given").await;

    client.delete_all_cookies().await.unwrap();
    client.goto(&app.url("/login")).await.unwrap();
    sign_in(&client, kaset::db::seed::DEMO_MANAGER_EMAIL).await;
    wait_for_path(&client, |p| p != "/login").await;
    client
        .goto(&app.url("/manager/satisfaction"))
        .await
        .unwrap();
    assert!(!text_of(&client, "#csat").await.contains('—'));
    assert_accessible(&client, &axe, "satisfaction-dashboard").await;
    client.close().await.unwrap();
}

/// With `KASET_SCREENSHOTS=<dir>`, keeps a PNG of the page for a human to look at.
async fn save_screenshot(client: &Client, name: &str) {
    if let Ok(dir) = std::env::var("KASET_SCREENSHOTS") {
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), png)
            .expect("write screenshot");
    }
}

/// Waits until the browser's address has this query.
async fn wait_for_query(client: &Client, query: &str) {
    for _ in 0..100 {
        if client.current_url().await.unwrap().query() == Some(query) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the browser stayed on {}",
        client.current_url().await.unwrap()
    );
}

/// Types `text` into the field with this id.
async fn type_into(client: &Client, id: &str, text: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no #{id}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Types the code of the latest SMS to `phone` on the code page and sends it.
async fn give_the_sms_code(
    client: &Client,
    app: &crate::support::TestApp,
    phone: &str,
    nth: usize,
) {
    let sms = loop {
        let received = app.sms.to_phone_with(phone, "Kaset");
        if received.len() >= nth {
            break received[nth - 1].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    type_into(client, "code", &crate::support::sms::code_in(&sms.text)).await;
    click(client, "main form[action='/code'] button[type=submit]").await;
}

#[actix_web::test]
async fn a_farmer_with_only_a_phone_signs_up_with_the_sms_code_and_later_signs_in_by_code() {
    use kaset::db::seed::{
        DEMO_PHONE_ONLY_NATIONAL_ID, DEMO_PHONE_ONLY_PHONE, DEMO_PHONE_ONLY_REGISTRY,
    };
    let Some(axe) = prerequisites() else { return };
    let app = spawn_app(Backend::Sqlite).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;

    // Sign-up: the registry's details, no e-mail, then the code sent to the registry's phone.
    client.goto(&app.url("/register")).await.unwrap();
    type_into(&client, "national_id", DEMO_PHONE_ONLY_NATIONAL_ID).await;
    client
        .execute(
            "document.getElementById('birth_date').value = arguments[0];",
            vec![serde_json::json!("1969-11-02")],
        )
        .await
        .unwrap();
    type_into(&client, "registry_number", DEMO_PHONE_ONLY_REGISTRY).await;
    type_into(&client, "password", "นาหลังวัดปลูกข้าวหอม").await;
    type_into(&client, "password_confirm", "นาหลังวัดปลูกข้าวหอม").await;
    click(&client, "main form[action='/register'] button[type=submit]").await;
    wait_for_path(&client, |p| p == "/code").await;
    assert!(text_of(&client, "main .lead")
        .await
        .contains("08x-xxx-4567"));
    assert_accessible(&client, &axe, "sign-up-code").await;
    assert_fits_the_phone(&client, "the code page").await;
    give_the_sms_code(&client, &app, DEMO_PHONE_ONLY_PHONE, 1).await;
    wait_for_path(&client, |p| p == "/farm").await;
    assert!(text_of(&client, "main").await.contains("นาหลังวัด"));

    // Messages go by SMS: his account page says so.
    client.goto(&app.url("/account/messages")).await.unwrap();
    assert_accessible(&client, &axe, "account-messages").await;
    assert_fits_the_phone(&client, "how Kaset reaches you").await;

    // Signed out, he signs in again with a code, no password.
    click(&client, "form[action='/logout'] button").await;
    wait_for_path(&client, |p| p == "/").await;
    client.goto(&app.url("/login")).await.unwrap();
    click(&client, "a[href='/login/code']").await;
    wait_for_path(&client, |p| p == "/login/code").await;
    assert_accessible(&client, &axe, "sign-in-by-code").await;
    type_into(&client, "national_id", DEMO_PHONE_ONLY_NATIONAL_ID).await;
    click(
        &client,
        "main form[action='/login/code'] button[type=submit]",
    )
    .await;
    wait_for_path(&client, |p| p == "/code").await;
    give_the_sms_code(&client, &app, DEMO_PHONE_ONLY_PHONE, 2).await;
    wait_for_path(&client, |p| p == "/farm").await;

    client.close().await.unwrap();
}

#[actix_web::test]
async fn a_farmer_links_line_on_a_phone_and_an_sms_the_gateway_refuses_reaches_her_on_line() {
    use crate::messages::{officer_asks_her_for_information, ASKED};
    let Some(axe) = prerequisites() else { return };
    let app = spawn_app(Backend::Sqlite).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;

    client.goto(&app.url("/login")).await.unwrap();
    sign_in(&client, FARMER_ID).await;
    wait_for_path(&client, |p| p == "/farm").await;
    client.goto(&app.url("/account/messages")).await.unwrap();
    assert_accessible(&client, &axe, "account-messages-before-line").await;
    // Through LINE Login (the local stand-in agrees at once) and back.
    click(&client, "a[href='/account/line/link']").await;
    wait_for_query(&client, "linked=1").await;
    assert!(text_of(&client, "#line").await.contains("เชื่อมแล้ว"));
    assert_accessible(&client, &axe, "account-messages-line-linked").await;
    assert_fits_the_phone(&client, "how Kaset reaches you, LINE linked").await;

    // SMS first, then LINE.
    for (place, channel) in [("first", "sms"), ("second", "line"), ("third", "email")] {
        client
            .execute(
                "document.getElementById(arguments[0]).value = arguments[1];",
                vec![serde_json::json!(place), serde_json::json!(channel)],
            )
            .await
            .unwrap();
    }
    click(
        &client,
        "main form[action='/account/messages'] button[type=submit]",
    )
    .await;
    wait_for_query(&client, "saved=1").await;
    assert!(!text_of(&client, "[role=status]").await.is_empty());

    app.sms.set_mode(crate::support::sms::Mode::Reject);
    app.login_as(FARMER_ID).await;
    officer_asks_her_for_information(&app).await;
    let pushed = app.line.wait_for_push(ASKED).await;
    assert_eq!(pushed.to, crate::support::line::LINE_USER_ID);

    client.close().await.unwrap();
}

/// On ThaID's sign-in page (the stand-in's development page): the national ID, any password,
/// then its consent page.
async fn sign_in_at_thaid(client: &Client, issuer: &str, national_id: &str) {
    wait_for_path(client, |p| p.starts_with("/interaction/")).await;
    for (name, text) in [("login", national_id), ("password", "any")] {
        client
            .find(Locator::Css(&format!("input[name='{name}']")))
            .await
            .unwrap_or_else(|e| panic!("no {name} on ThaID's page: {e}"))
            .send_keys(text)
            .await
            .unwrap();
    }
    click(client, "button[type=submit]").await;
    // The consent page, the first time this person signs in to Kaset.
    for _ in 0..50 {
        if !client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(issuer)
        {
            break;
        }
        if let Ok(button) = client
            .find(Locator::Css(
                "input[name='prompt'][value='consent'] ~ button",
            ))
            .await
        {
            button.click().await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn a_farmer_signs_in_with_thaid_on_a_phone_and_a_refused_sign_in_says_why() {
    use crate::support::thaid::IdTokens;
    use crate::support::{spawn_app_with, Options};
    let Some(axe) = prerequisites() else { return };
    let with_thaid = |id_tokens| Options {
        thaid: Some(id_tokens),
        ..Options::default()
    };
    let app = spawn_app_with(Backend::Sqlite, with_thaid(IdTokens::Honest)).await;
    if app.thaid.is_none() {
        return;
    }
    let driver = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;

    // A household head with no account yet: ThaID, and he is on his farm.
    client.goto(&app.url("/login")).await.unwrap();
    assert_accessible(&client, &axe, "sign-in-with-thaid-offered").await;
    click(&client, "a[href='/login/thaid']").await;
    let issuer = &app.thaid.as_ref().expect("ThaID's stand-in").issuer;
    sign_in_at_thaid(
        &client,
        issuer,
        kaset::db::seed::DEMO_PHONE_ONLY_NATIONAL_ID,
    )
    .await;
    wait_for_path(&client, |p| p == "/farm").await;
    assert_fits_the_phone(&client, "the farm after ThaID").await;
    click(&client, "form[action='/logout'] button").await;
    wait_for_path(&client, |p| p == "/").await;

    // Someone the registry does not know is told where to register.
    client.goto(&app.url("/login")).await.unwrap();
    click(&client, "a[href='/login/thaid']").await;
    sign_in_at_thaid(&client, issuer, "3100601234565").await;
    wait_for_path(&client, |p| p == "/login/thaid/callback").await;
    assert!(text_of(&client, "[role=alert]")
        .await
        .contains("สำนักงานเกษตรอำเภอ"));
    assert_accessible(&client, &axe, "thaid-not-in-registry").await;
    assert_fits_the_phone(&client, "ThaID: not in the registry").await;

    // A token for another agency signs nobody in, and the page says so.
    let wrong = spawn_app_with(Backend::Sqlite, with_thaid(IdTokens::WrongAudience)).await;
    client.goto(&wrong.url("/login")).await.unwrap();
    click(&client, "a[href='/login/thaid']").await;
    let issuer = &wrong.thaid.as_ref().expect("ThaID's stand-in").issuer;
    sign_in_at_thaid(&client, issuer, FARMER_ID).await;
    wait_for_path(&client, |p| p == "/login/thaid/callback").await;
    assert!(text_of(&client, "[role=alert]")
        .await
        .contains("ตรวจสอบคำตอบจาก ThaID ไม่ผ่าน"));
    client.goto(&wrong.url("/farm")).await.unwrap();
    wait_for_path(&client, |p| p == "/login").await;

    client.close().await.unwrap();
}
