//! A stand-in for LINE's platform, speaking its documented protocols: LINE Login v2.1
//! (`/oauth2/v2.1/authorize`, `/token` with PKCE, `/verify` of the ID token) and the Messaging
//! API's push (`/v2/bot/message/push`, Bearer token, `X-Line-Retry-Key`). It signs webhooks
//! the way LINE does (`x-line-signature`: base64 of HMAC-SHA256 of the body with the channel
//! secret) and can be made to fail.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const LOGIN_CHANNEL_ID: &str = "1650000000";
pub const LOGIN_CHANNEL_SECRET: &str = "login-channel-secret-0123456789";
pub const MESSAGING_TOKEN: &str = "messaging-access-token-abcdef";
pub const MESSAGING_SECRET: &str = "messaging-channel-secret-98765";
/// The LINE user the stand-in signs in (one provider: the same id for Login and Messaging).
pub const LINE_USER_ID: &str = "U4af4980629a0b1c2d3e4f5a6b7c8d9e0";

#[derive(Clone, Debug)]
pub struct Pushed {
    pub to: String,
    pub text: String,
    pub retry_key: String,
}

#[derive(Default)]
struct State {
    /// code → (redirect_uri, code_challenge, nonce)
    codes: HashMap<String, (String, String, String)>,
    /// id token → nonce
    tokens: HashMap<String, String>,
    pushed: Vec<Pushed>,
    retry_keys: Vec<String>,
    push_down: bool,
}

#[derive(Clone)]
pub struct LineStandIn {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl LineStandIn {
    pub async fn start() -> Self {
        let state: Arc<Mutex<State>> = Arc::default();
        let shared = state.clone();
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .app_data(actix_web::web::Data::new(shared.clone()))
                .route(
                    "/oauth2/v2.1/authorize",
                    actix_web::web::get().to(authorize),
                )
                .route("/oauth2/v2.1/token", actix_web::web::post().to(token))
                .route("/oauth2/v2.1/verify", actix_web::web::post().to(verify))
                .route("/v2/bot/message/push", actix_web::web::post().to(push))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("bind the LINE stand-in");
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.run());
        Self {
            url: format!("http://127.0.0.1:{port}"),
            state,
        }
    }

    pub fn pushed(&self) -> Vec<Pushed> {
        self.state.lock().expect("LINE lock").pushed.clone()
    }

    /// While set, pushes answer `500`.
    pub fn set_push_down(&self, down: bool) {
        self.state.lock().expect("LINE lock").push_down = down;
    }

    /// Waits (up to 20 s) for a push whose text holds `needle`.
    pub async fn wait_for_push(&self, needle: &str) -> Pushed {
        for _ in 0..200 {
            if let Some(p) = self.pushed().into_iter().find(|p| p.text.contains(needle)) {
                return p;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no LINE push with {needle:?} within 20 s");
    }
}

/// The webhook body LINE sends when the user blocks (unfollows) the account, and its signature.
pub fn signed_unfollow(user_id: &str, secret: &str) -> (String, String) {
    let body = json!({
        "destination": "Ubot0000000000000000000000000000",
        "events": [{
            "type": "unfollow",
            "mode": "active",
            "timestamp": 1_764_800_000_000_u64,
            "source": { "type": "user", "userId": user_id },
            "webhookEventId": "01HMQGW40RZJPJM3RAJP7BHC2Q",
            "deliveryContext": { "isRedelivery": false },
        }],
    })
    .to_string();
    let signature = signature(secret, body.as_bytes());
    (body, signature)
}

/// `base64(HMAC-SHA256(secret, body))`, as LINE signs webhooks.
pub fn signature(secret: &str, body: &[u8]) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key size");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn random_token() -> String {
    use rand::Rng;
    format!("{:032x}", rand::thread_rng().gen::<u128>())
}

type Shared = actix_web::web::Data<Arc<Mutex<State>>>;

async fn authorize(
    state: Shared,
    query: actix_web::web::Query<HashMap<String, String>>,
) -> actix_web::HttpResponse {
    let get = |k: &str| query.get(k).cloned().unwrap_or_default();
    let valid = get("response_type") == "code"
        && get("client_id") == LOGIN_CHANNEL_ID
        && !get("state").is_empty()
        && get("scope").split(' ').any(|s| s == "openid")
        && get("code_challenge_method") == "S256"
        && !get("code_challenge").is_empty();
    if !valid {
        return actix_web::HttpResponse::BadRequest().body("invalid authorization request");
    }
    let code = random_token();
    state.lock().expect("LINE lock").codes.insert(
        code.clone(),
        (get("redirect_uri"), get("code_challenge"), get("nonce")),
    );
    // The user agrees at once (the stand-in has no consent screen).
    let location = format!("{}?code={code}&state={}", get("redirect_uri"), get("state"));
    actix_web::HttpResponse::Found()
        .insert_header(("Location", location))
        .finish()
}

async fn token(
    state: Shared,
    form: actix_web::web::Form<HashMap<String, String>>,
) -> actix_web::HttpResponse {
    use base64::Engine;
    use sha2::Digest;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut state = state.lock().expect("LINE lock");
    let Some((redirect_uri, challenge, nonce)) = state.codes.remove(&get("code")) else {
        return invalid_grant("invalid authorization code");
    };
    let verifier_challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(get("code_verifier").as_bytes()));
    if get("grant_type") != "authorization_code"
        || get("redirect_uri") != redirect_uri
        || get("client_id") != LOGIN_CHANNEL_ID
        || get("client_secret") != LOGIN_CHANNEL_SECRET
        || verifier_challenge != challenge
    {
        return invalid_grant("invalid request");
    }
    let id_token = format!("idtoken-{}", random_token());
    state.tokens.insert(id_token.clone(), nonce);
    actix_web::HttpResponse::Ok().json(json!({
        "access_token": random_token(),
        "expires_in": 2_592_000,
        "id_token": id_token,
        "refresh_token": random_token(),
        "scope": "profile openid",
        "token_type": "Bearer",
    }))
}

fn invalid_grant(description: &str) -> actix_web::HttpResponse {
    actix_web::HttpResponse::BadRequest()
        .json(json!({ "error": "invalid_grant", "error_description": description }))
}

async fn verify(
    state: Shared,
    form: actix_web::web::Form<HashMap<String, String>>,
) -> actix_web::HttpResponse {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let state = state.lock().expect("LINE lock");
    let refuse = |description: &str| {
        actix_web::HttpResponse::BadRequest()
            .json(json!({ "error": "invalid_request", "error_description": description }))
    };
    let Some(nonce) = state.tokens.get(&get("id_token")) else {
        return refuse("Invalid IdToken.");
    };
    if get("client_id") != LOGIN_CHANNEL_ID {
        return refuse("Invalid IdToken Audience.");
    }
    if get("nonce") != *nonce {
        return refuse("Invalid IdToken Nonce.");
    }
    actix_web::HttpResponse::Ok().json(json!({
        "iss": "https://access.line.me",
        "sub": LINE_USER_ID,
        "aud": LOGIN_CHANNEL_ID,
        "exp": 1_900_000_000_u64,
        "iat": 1_764_800_000_u64,
        "nonce": nonce,
        "amr": ["pwd"],
        "name": "Somchai",
    }))
}

async fn push(
    state: Shared,
    request: actix_web::HttpRequest,
    body: actix_web::web::Json<Value>,
) -> actix_web::HttpResponse {
    let mut state = state.lock().expect("LINE lock");
    let bearer = format!("Bearer {MESSAGING_TOKEN}");
    if request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        != Some(&bearer)
    {
        return actix_web::HttpResponse::Unauthorized().json(json!({
            "message": "Authentication failed due to the following reason: invalid token"
        }));
    }
    if state.push_down {
        return actix_web::HttpResponse::InternalServerError()
            .json(json!({ "message": "Internal server error" }));
    }
    let retry_key = request
        .headers()
        .get("x-line-retry-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !retry_key.is_empty() && state.retry_keys.contains(&retry_key) {
        return actix_web::HttpResponse::Conflict()
            .json(json!({ "message": "The retry key is already accepted" }));
    }
    let to = body["to"].as_str().unwrap_or_default().to_owned();
    let text = body["messages"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if to != LINE_USER_ID {
        return actix_web::HttpResponse::BadRequest()
            .json(json!({ "message": "Failed to send messages" }));
    }
    if text.is_empty() || text.encode_utf16().count() > 5000 {
        return actix_web::HttpResponse::BadRequest().json(json!({
            "message": "The request body has 1 error(s)",
            "details": [{ "message": "Length must be between 1 and 5000", "property": "messages[0].text" }],
        }));
    }
    state.retry_keys.push(retry_key.clone());
    state.pushed.push(Pushed {
        to,
        text,
        retry_key,
    });
    let id = state.pushed.len();
    actix_web::HttpResponse::Ok()
        .insert_header(("x-line-request-id", format!("req-{id}")))
        .json(json!({ "sentMessages": [{ "id": format!("{id}000000000000") }] }))
}
