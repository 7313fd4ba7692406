//! A stand-in SMS gateway speaking ANTS's HTTP API (`POST /sms/send`, HTTP Basic, JSON; the
//! delivery report posted to the message's `notifyUrl`). It keeps every SMS it accepted, and
//! can be made to refuse, to be down, or to report a message delivered or undelivered.

use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const USERNAME: &str = "kaset";
pub const PASSWORD: &str = "gateway-secret";
pub const SENDER: &str = "KASET";
pub const CALLBACK_TOKEN: &str = "callback-token-0123456789abcdef";

#[derive(Clone, Debug)]
pub struct ReceivedSms {
    /// The gateway's id for it, which its delivery reports name.
    pub message_id: String,
    /// International form, `66812345678`.
    pub to: String,
    pub from: String,
    pub text: String,
    pub notify_url: String,
}

/// How the gateway answers the next sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// `503 Service Unavailable`, as during the gateway's outage.
    Down,
    /// Accepted by HTTP but `REJECTED` (a number the operator refuses).
    Reject,
}

#[derive(Clone)]
pub struct SmsGateway {
    pub url: String,
    received: Arc<Mutex<Vec<ReceivedSms>>>,
    mode: Arc<Mutex<Mode>>,
    /// Sends tried, accepted or not.
    pub attempts: Arc<AtomicU32>,
}

impl SmsGateway {
    pub async fn start() -> Self {
        let received: Arc<Mutex<Vec<ReceivedSms>>> = Arc::default();
        let mode = Arc::new(Mutex::new(Mode::Accept));
        let attempts: Arc<AtomicU32> = Arc::default();
        let state = (received.clone(), mode.clone(), attempts.clone());
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .app_data(actix_web::web::Data::new(state.clone()))
                .route("/sms/send", actix_web::web::post().to(send))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("bind the SMS gateway");
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.run());
        Self {
            url: format!("http://127.0.0.1:{port}"),
            received,
            mode,
            attempts,
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().expect("gateway lock") = mode;
    }

    pub fn received(&self) -> Vec<ReceivedSms> {
        self.received.lock().expect("gateway lock").clone()
    }

    /// The SMS accepted for the phone (`0812345678`) whose text holds `needle`.
    pub fn to_phone_with(&self, phone: &str, needle: &str) -> Vec<ReceivedSms> {
        let to = format!("66{}", &phone[1..]);
        self.received()
            .into_iter()
            .filter(|s| s.to == to && s.text.contains(needle))
            .collect()
    }

    /// Waits (up to 20 s) for an SMS to the phone (`0812345678`) whose text holds `needle`.
    pub async fn wait_for(&self, phone: &str, needle: &str) -> ReceivedSms {
        for _ in 0..200 {
            if let Some(sms) = self.to_phone_with(phone, needle).into_iter().next() {
                return sms;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no SMS to {phone} with {needle:?} reached the gateway within 20 s");
    }

    /// Posts the operator's delivery report for `sms`, as the gateway does: `DELIVERED`, or
    /// `UNDELIVERED` with a code and reason. The status Kaset answered.
    pub async fn report(
        &self,
        sms: &ReceivedSms,
        name: &str,
        code: &str,
        description: &str,
    ) -> u16 {
        let body = json!({
            "bulkId": "bulk-1",
            "details": [{
                "messageId": sms.message_id,
                "to": sms.to,
                "from": sms.from,
                "text": sms.text,
                "credit": 2,
                "sendDate": "2026-12-04 10:00:00",
                "doneDate": "2026-12-04 10:00:05",
                "status": { "code": code, "name": name, "description": description },
            }],
        });
        reqwest::Client::new()
            .post(&sms.notify_url)
            .json(&body)
            .send()
            .await
            .expect("post the delivery report")
            .status()
            .as_u16()
    }
}

/// The six-digit code an SMS carries.
pub fn code_in(text: &str) -> String {
    let digits: Vec<char> = text.chars().collect();
    digits
        .windows(6)
        .find(|w| w.iter().all(char::is_ascii_digit))
        .map(|w| w.iter().collect())
        .unwrap_or_else(|| panic!("no six-digit code in {text:?}"))
}

type State = (
    Arc<Mutex<Vec<ReceivedSms>>>,
    Arc<Mutex<Mode>>,
    Arc<AtomicU32>,
);

async fn send(
    state: actix_web::web::Data<State>,
    request: actix_web::HttpRequest,
    body: actix_web::web::Json<Value>,
) -> actix_web::HttpResponse {
    let (received, mode, attempts) = state.get_ref();
    attempts.fetch_add(1, Ordering::SeqCst);
    let expected = format!(
        "Basic {}",
        base64_encode(format!("{USERNAME}:{PASSWORD}").as_bytes())
    );
    let authorised = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(expected.as_str());
    if !authorised {
        return actix_web::HttpResponse::Unauthorized().json(json!({ "error": "Unauthorized" }));
    }
    let mode = *mode.lock().expect("gateway lock");
    if mode == Mode::Down {
        return actix_web::HttpResponse::ServiceUnavailable().finish();
    }
    let message = &body["messages"][0];
    let destination = &message["destinations"][0];
    let text = message["text"].as_str().unwrap_or_default();
    let from = message["from"].as_str().unwrap_or_default();
    if text.is_empty() || text.chars().count() > 1600 || from.len() > 11 {
        return actix_web::HttpResponse::BadRequest().json(json!({ "error": "Bad request" }));
    }
    let mut received = received.lock().expect("gateway lock");
    let message_id = format!("ants-{}", received.len() + 1);
    let to = destination["to"].as_str().unwrap_or_default().to_owned();
    let status = if mode == Mode::Reject {
        json!({ "code": "301", "name": "REJECTED", "description": "Invalid destination address" })
    } else {
        received.push(ReceivedSms {
            message_id: message_id.clone(),
            to: to.clone(),
            from: from.to_owned(),
            text: text.to_owned(),
            notify_url: message["notifyUrl"].as_str().unwrap_or_default().to_owned(),
        });
        json!({ "code": "101", "name": "PENDING", "description": "Pending - Message has been accepted by the system" })
    };
    actix_web::HttpResponse::Ok().json(json!({
        "bulkId": "bulk-1",
        "details": [{ "messageId": message_id, "to": to, "from": from, "credit": 2, "status": status }],
    }))
}

/// Standard base64, for the Basic credentials the gateway expects.
fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
