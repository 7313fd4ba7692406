//! Who may open what: every page route of the route table, tried by everyone who might try
//! it. A route is taken from `kaset::web::routes::table()`, so a new route is tried the day it
//! is registered, and a route whose handler lets in someone its declared access does not (or
//! shuts out someone it admits) fails here.

use crate::on_both_databases;
use crate::support::{
    declare_flood, new_client, spawn_app, Backend, Page, TestApp, ADMIN, DEMO_PASSWORD, FARMER_ID,
    OFFICER_BURIRAM, OFFICER_SURIN,
};
use diesel::prelude::*;
use kaset::domain::Role;
use kaset::web::routes::{table, RouteEntry};

on_both_databases!(every_route_answers_each_role_as_its_access_says);

/// Someone trying the routes. The sample data below belongs to the demo farmer's household in
/// Surin; an outsider has the role but not the data (another farmer, another province's
/// officer), so they must not see it either.
struct Visitor {
    name: &'static str,
    login: Option<&'static str>,
    role: Option<Role>,
    outsider: bool,
}

const OTHER_FARMER: &str = "other.farmer@test.kaset";

/// In this order: those who may only be refused come first, and each owner last, so what an
/// owner's steps change (a draft discarded, a planting deleted) is no longer needed after.
const VISITORS: [Visitor; 7] = [
    Visitor {
        name: "anonymous",
        login: None,
        role: None,
        outsider: false,
    },
    Visitor {
        name: "another farmer",
        login: Some(OTHER_FARMER),
        role: Some(Role::Farmer),
        outsider: true,
    },
    Visitor {
        name: "Buri Ram's officer",
        login: Some(OFFICER_BURIRAM),
        role: Some(Role::Officer),
        outsider: true,
    },
    Visitor {
        name: "the manager",
        login: Some(kaset::db::seed::DEMO_MANAGER_EMAIL),
        role: Some(Role::Manager),
        outsider: false,
    },
    Visitor {
        name: "the administrator",
        login: Some(ADMIN),
        role: Some(Role::Admin),
        outsider: false,
    },
    Visitor {
        name: "Surin's officer",
        login: Some(OFFICER_SURIN),
        role: Some(Role::Officer),
        outsider: false,
    },
    Visitor {
        name: "the farmer",
        login: Some(FARMER_ID),
        role: Some(Role::Farmer),
        outsider: false,
    },
];

#[derive(Debug, PartialEq)]
enum Answer {
    /// The page itself (or its own refusal of the empty form: anything but the three below).
    Allowed,
    NotFound,
    /// Sent to the login page.
    SignIn,
    /// A server error or a refused form token: the test itself went wrong.
    Broken,
}

fn answer_of(page: &Page) -> Answer {
    match page.status {
        404 => Answer::NotFound,
        303 if page
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login")) =>
        {
            Answer::SignIn
        }
        403 | 500.. => Answer::Broken,
        _ => Answer::Allowed,
    }
}

/// The parts of a path that name the sample data, which outsiders must not reach.
const PRIVATE_PARTS: [&str; 6] = [
    "{reference}",
    "{household}",
    "{plot}",
    "{planting}",
    "{file}",
    "{id}",
];

fn expected(route: &RouteEntry, visitor: &Visitor) -> Answer {
    if !route.access.allows(visitor.role) {
        return match visitor.role {
            None => Answer::SignIn,
            Some(_) => Answer::NotFound,
        };
    }
    // Open data and an administrator's lists are not anyone's household data.
    let shared = route.path.starts_with("/open-data/") || route.path.starts_with("/admin/");
    let private = PRIVATE_PARTS.iter().any(|part| route.path.contains(part));
    if visitor.outsider && private && !shared {
        Answer::NotFound
    } else {
        Answer::Allowed
    }
}

/// Steps that remove what later requests use: taken last, in this order.
const LAST: [&str; 7] = [
    "/remove",
    "/delete",
    "/discard",
    "/disable",
    "/revoke",
    "/delete-account",
    "/logout",
];

fn order(path: &str) -> usize {
    LAST.iter()
        .position(|end| path.ends_with(end))
        .map_or(0, |n| n + 1)
}

/// The sample data each `{part}` of a path stands for.
struct Samples {
    draft: i32,
    draft_file: String,
    reference: String,
    case_file: String,
    household: i32,
    plot: i32,
    planting: i32,
    data_request: i32,
    registry_reject: i32,
    staff_user: i32,
    api_key: i32,
    disaster: i32,
    open_data_file: String,
}

impl Samples {
    fn path(&self, route: &str) -> String {
        let id = if route.starts_with("/applications/drafts/") || route.contains("/claims/") {
            self.draft
        } else if route.starts_with("/admin/disasters/") {
            self.disaster
        } else if route.starts_with("/officer/data-requests/") {
            self.data_request
        } else if route.starts_with("/officer/registry-rejects/") {
            self.registry_reject
        } else if route.starts_with("/admin/users/") {
            self.staff_user
        } else if route.starts_with("/admin/api-keys/") {
            self.api_key
        } else {
            0
        };
        let file = if route.starts_with("/open-data/") {
            self.open_data_file.as_str()
        } else if route.starts_with("/applications/drafts/") {
            self.draft_file.as_str()
        } else {
            self.case_file.as_str()
        };
        let step = if route.starts_with("/officer/") {
            "note"
        } else {
            "withdraw"
        };
        let path = route
            .replace("{id}", &id.to_string())
            .replace("{file}", file)
            .replace("{reference}", &self.reference)
            .replace("{household}", &self.household.to_string())
            .replace("{plot}", &self.plot.to_string())
            .replace("{planting}", &self.planting.to_string())
            .replace("{programme}", crate::applications::RELIEF)
            .replace("{step}", step)
            .replace("{code}", "en");
        assert!(
            !path.contains('{') && !path.contains("/0/") && !path.ends_with("/0"),
            "no sample for a part of {route}: add one to Samples"
        );
        path
    }
}

/// The id at the end of the first link on `page` whose address starts with `prefix`.
fn link_after(page: &Page, prefix: &str) -> String {
    let html = scraper::Html::parse_document(&page.body);
    let selector = scraper::Selector::parse("a[href]").unwrap();
    html.select(&selector)
        .filter_map(|a| a.value().attr("href"))
        .find_map(|href| href.strip_prefix(prefix).map(str::to_owned))
        .unwrap_or_else(|| panic!("a link to {prefix}… on the page"))
}

/// Everything the routes' parts name, made as its owners make it where a page does that.
async fn samples(app: &TestApp) -> Samples {
    use kaset::db::schema::{
        api_keys, data_requests, households, plantings, plots, registry_rejects, users,
    };
    declare_flood(app);
    app.login_as(FARMER_ID).await;
    let case_draft = crate::applications::start(app, crate::applications::RELIEF).await;
    let token = app.get(&case_draft).await.csrf_token();
    let with_file = |path: String| {
        let token = token.clone();
        async move {
            app.post_multipart(
                &path,
                &[("csrf_token", &token), ("version", "0"), ("action", "save")],
                &[("files", "ใบเสร็จ.pdf", b"%PDF-1.4 receipt".to_vec())],
            )
            .await
        }
    };
    with_file(case_draft.clone()).await;
    let case_path = crate::applications::submit_relief(app, &case_draft).await;
    let reference = case_path.trim_start_matches("/applications/").to_owned();
    let case_page = app.get(&case_path).await;
    let case_file = link_after(&case_page, &format!("{case_path}/files/"));

    let draft_path = crate::applications::start(app, "ldd-soil-analysis").await;
    let saved = with_file(draft_path.clone()).await;
    assert!(saved.status < 400, "{}", saved.body);
    let draft_page = app.get(&draft_path).await;
    let draft_file = link_after(&draft_page, &format!("{draft_path}/files/"));
    let draft = draft_path
        .trim_start_matches("/applications/drafts/")
        .parse()
        .unwrap();
    app.submit(
        "/privacy",
        "/privacy/corrections",
        &[("details", "ชื่อสกุลของลูกสาวสะกดผิด ควรเป็น ใจดีงาม")],
    )
    .await;
    app.logout().await;

    let mut conn = app.db();
    let household: i32 = households::table
        .filter(households::registry_number.eq(kaset::db::seed::DEMO_FARMER_REGISTRY))
        .select(households::id)
        .first(&mut conn)
        .unwrap();
    let (plot, planting): (i32, i32) = plots::table
        .inner_join(plantings::table)
        .filter(plots::household_id.eq(household))
        .select((plots::id, plantings::id))
        .first(&mut conn)
        .unwrap();
    let data_request: i32 = data_requests::table
        .select(data_requests::id)
        .first(&mut conn)
        .unwrap();
    let registry_reject: i32 = diesel::insert_into(registry_rejects::table)
        .values((
            registry_rejects::source.eq("registry"),
            registry_rejects::received_at.eq(app.clock.now()),
            registry_rejects::registry_number.eq("320101009999"),
            registry_rejects::province_code.eq("32"),
            registry_rejects::field.eq("members[0].birth_date"),
            registry_rejects::problem.eq("error.date"),
            registry_rejects::record.eq("{}"),
        ))
        .returning(registry_rejects::id)
        .get_result(&mut conn)
        .unwrap();
    let staff_user: i32 = users::table
        .filter(users::email.eq(kaset::db::seed::DEMO_OFFICER_SURIN_2_EMAIL))
        .select(users::id)
        .first(&mut conn)
        .unwrap();
    let another_household: i32 = households::table
        .filter(households::province_code.eq("32"))
        .filter(households::id.ne(household))
        .select(households::id)
        .first(&mut conn)
        .unwrap();
    let hash = kaset::domain::Password::choose(DEMO_PASSWORD, &[])
        .unwrap()
        .hash();
    kaset::db::users::insert(
        &mut conn,
        &kaset::db::users::NewUser {
            role: Role::Farmer,
            email: Some(OTHER_FARMER),
            national_id: None,
            display_name: "นางสมศรี มีนา",
            password_hash: &hash,
            household_id: Some(another_household),
            scope_province_code: None,
            scope_amphoe_code: None,
            locale: "th",
            phone: None,
            created_at: app.clock.now(),
        },
    )
    .unwrap();
    drop(conn);
    crate::api::issue_key(
        app,
        "ระบบทดสอบ",
        &["cases:read"],
        "agency_services",
        "",
        "10",
    )
    .await;
    let api_key: i32 = api_keys::table
        .select(api_keys::id)
        .first(&mut *app.db())
        .unwrap();

    let disaster: i32 = {
        use kaset::db::schema::disasters;
        disasters::table
            .select(disasters::id)
            .first(&mut *app.db())
            .unwrap()
    };

    // The open data are published when first asked for.
    assert_eq!(app.get("/open-data").await.status, 200);
    let open_data_file = "entitlement-uptake.json".to_owned();
    Samples {
        draft,
        draft_file,
        reference,
        case_file,
        household,
        plot,
        planting,
        data_request,
        registry_reject,
        staff_user,
        api_key,
        disaster,
        open_data_file,
    }
}

/// The routes whose forms carry files, posted as multipart like a browser does.
const MULTIPART: [&str; 3] = [
    "/applications/drafts/{id}",
    "/applications/{reference}/reply",
    "/officer/households/{household}/claims/{id}",
];

/// What a route's form must hold to be read at all (most refuse an empty form by name).
fn fields_of(route: &str) -> Vec<(&'static str, &'static str)> {
    match route {
        "/feedback/page" => vec![("path", "/"), ("useful", "yes")],
        _ => Vec::new(),
    }
}

/// The visitor's form token, from a page with a form: the sign-in page, or once signed in any
/// page (its sign-out form). It stays the same until the visitor signs in or out.
async fn form_token(app: &TestApp, client: &reqwest::Client, signed_in: bool) -> String {
    let page = if signed_in { "/" } else { "/login" };
    app.get_with(client, page).await.csrf_token()
}

/// Sends the route's request as `client` would from one of Kaset's pages: a GET, or a POST of
/// the visitor's form token and what `fields_of` says.
async fn try_route(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    route: &RouteEntry,
    path: &str,
) -> Page {
    let request = if route.method == actix_web::http::Method::GET {
        client.get(app.url(path))
    } else {
        let mut fields = fields_of(&route.path);
        fields.push(("csrf_token", token));
        let request = client
            .post(app.url(path))
            .header("Origin", app.base.clone());
        if MULTIPART.contains(&route.path.as_str()) {
            let form = fields
                .into_iter()
                .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
                    form.text(name, value.to_owned())
                });
            request.multipart(form)
        } else {
            request.form(&fields)
        }
    };
    let response = request.send().await.expect("request");
    crate::support::into_page(response).await
}

async fn every_route_answers_each_role_as_its_access_says(backend: Backend) {
    let app = spawn_app(backend).await;
    let samples = samples(&app).await;
    let mut routes = table();
    routes.sort_by_key(|route| order(&route.path));
    let mut wrong = Vec::new();
    for visitor in &VISITORS {
        let client = new_client();
        if let Some(login) = visitor.login {
            let signed_in = app.login_with(&client, login, DEMO_PASSWORD).await;
            assert_eq!(signed_in.status, 303, "{} signs in", visitor.name);
        }
        let token = form_token(&app, &client, visitor.login.is_some()).await;
        for route in &routes {
            let path = samples.path(&route.path);
            let page = try_route(&app, &client, &token, route, &path).await;
            let (got, want) = (answer_of(&page), expected(route, visitor));
            if got != want {
                wrong.push(format!(
                    "{} {path} as {}: {got:?} ({}), expected {want:?}",
                    route.method, visitor.name, page.status
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} answers wrong:\n{}",
        wrong.len(),
        routes.len() * VISITORS.len(),
        wrong.join("\n")
    );
}
