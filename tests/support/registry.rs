//! A stand-in for the national farmer registry: a real HTTP server on port 0 that serves the
//! documented sync format (`?since=&limit=`, pages with `next_cursor` and `has_more`), and can
//! be told to misbehave on the next requests: answer late, fail with a 500, send broken JSON.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Fault {
    /// Answers after this long (longer than the client's timeout: a late page).
    Slow(Duration),
    ServerError,
    MalformedJson,
}

#[derive(Default)]
struct State {
    pages: Vec<Vec<Value>>,
    /// The faults of the next requests, in order (`None`: answer normally).
    faults: VecDeque<Option<Fault>>,
    /// Pages (by index) that fail with a 500 every time, as a registry that went down.
    broken_pages: Vec<usize>,
    /// The `since` of every request received.
    requests: Vec<Option<String>>,
}

#[derive(Clone)]
pub struct FakeRegistry {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FakeRegistry {
    pub fn start(pages: Vec<Vec<Value>>) -> Self {
        let state = Arc::new(Mutex::new(State {
            pages,
            ..State::default()
        }));
        let shared = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .route("/changes", web::get().to(changes))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .expect("bind the fake registry");
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.run());
        Self {
            url: format!("http://127.0.0.1:{port}/changes"),
            state,
        }
    }

    pub fn fail_next(&self, faults: Vec<Option<Fault>>) {
        self.state.lock().unwrap().faults.extend(faults);
    }

    pub fn break_page(&self, page: usize) {
        self.state.lock().unwrap().broken_pages.push(page);
    }

    pub fn repair(&self) {
        let mut state = self.state.lock().unwrap();
        state.broken_pages.clear();
        state.faults.clear();
    }

    pub fn requests(&self) -> Vec<Option<String>> {
        self.state.lock().unwrap().requests.clone()
    }
}

#[derive(serde::Deserialize)]
struct Query {
    since: Option<String>,
}

/// The cursor is the index of the next page: `p0`, `p1`, …
async fn changes(
    state: web::Data<Arc<Mutex<State>>>,
    query: web::Query<Query>,
    _req: HttpRequest,
) -> HttpResponse {
    let (fault, page, broken, count) = {
        let mut state = state.lock().unwrap();
        state.requests.push(query.since.clone());
        let page: usize = query
            .since
            .as_deref()
            .and_then(|s| s.strip_prefix('p'))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let fault = state.faults.pop_front().flatten();
        let broken = state.broken_pages.contains(&page);
        (fault, page, broken, state.pages.len())
    };
    match fault {
        Some(Fault::Slow(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::ServerError) => return HttpResponse::InternalServerError().finish(),
        Some(Fault::MalformedJson) => {
            return HttpResponse::Ok()
                .content_type("application/json")
                .body("{\"households\": [ {\"registry_number\": ")
        }
        None => {}
    }
    if broken {
        return HttpResponse::InternalServerError().finish();
    }
    let households = state
        .lock()
        .unwrap()
        .pages
        .get(page)
        .cloned()
        .unwrap_or_default();
    HttpResponse::Ok().json(json!({
        "households": households,
        "next_cursor": format!("p{}", (page + 1).min(count)),
        "has_more": page + 1 < count,
    }))
}

/// A valid 13-digit national ID (its check digit computed) from a serial number.
pub fn national_id(serial: u64) -> String {
    let body = format!("1{:011}", serial % 100_000_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * (13 - i as u32))
        .sum();
    format!("{body}{}", (11 - sum % 11) % 10)
}

/// A valid household of tambon 320101 (Mueang Surin), one head, a rice plot and two cattle.
pub fn household(serial: u64) -> Value {
    json!({
        "registry_number": format!("3201019{serial:05}"),
        "tambon_code": "320101",
        "village_no": 2,
        "house_no": format!("{serial}/1"),
        "registered_on": "2018-04-01",
        "members": [{
            "national_id": national_id(900_000 + serial),
            "title": "นาง", "first_name": "บุญมี", "last_name": format!("ทดสอบ{serial}"),
            "birth_date": "1975-05-05", "relation": "head", "phone": null
        }],
        "plots": [{
            "label": "นา", "tambon_code": "320101", "area_sq_wa": 2000,
            "land_document": "ns3k", "tenure": "owned", "irrigated": false,
            "plantings": [{"crop": "rice", "season_year": 2026, "season": "main", "area_sq_wa": 2000, "planted_on": null, "registered_on": "2026-06-20"}]
        }],
        "livestock": [{"species": "cattle", "head_count": 2}]
    })
}
