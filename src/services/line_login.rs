//! Linking a farmer's LINE account with LINE Login v2.1 (OAuth 2.0 authorization code with
//! PKCE): the address the browser is sent to, and the code exchanged for the ID token, which
//! LINE's verify endpoint checks (issuer, audience, expiry, nonce) and which names the user.
//! One provider holds both Kaset's Login and Messaging API channels, so the user id is the one
//! pushes are addressed to.

use crate::config::LineSettings;
use base64::Engine;
use rand::distributions::{Alphanumeric, DistString};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::time::Duration;

/// What the browser's round trip to LINE must bring back, kept in the session.
#[derive(Serialize, Deserialize)]
pub struct Pending {
    pub state: String,
    pub verifier: String,
    pub nonce: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("LINE Login is not set up")]
    NotSetUp,
    #[error("LINE refused: {0}")]
    Refused(String),
    #[error("LINE unreachable: {0}")]
    Unreachable(#[from] reqwest::Error),
}

pub fn redirect_uri(public_url: &str) -> String {
    format!("{public_url}/account/line/callback")
}

/// A fresh round trip: the address to send the browser to, and what to keep for its return.
pub fn start(settings: &LineSettings, public_url: &str) -> Result<(String, Pending), LinkError> {
    let client_id = settings
        .login_channel_id
        .as_deref()
        .ok_or(LinkError::NotSetUp)?;
    let random = |n| Alphanumeric.sample_string(&mut rand::rngs::OsRng, n);
    let pending = Pending {
        state: random(32),
        verifier: random(64),
        nonce: random(32),
    };
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(pending.verifier.as_bytes()));
    let mut url = reqwest::Url::parse(&format!(
        "{}/oauth2/v2.1/authorize",
        settings.access_url.trim_end_matches('/')
    ))
    .map_err(|e| LinkError::Refused(e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", &redirect_uri(public_url))
        .append_pair("state", &pending.state)
        .append_pair("scope", "profile openid")
        .append_pair("nonce", &pending.nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    Ok((url.to_string(), pending))
}

#[derive(Deserialize)]
struct Tokens {
    id_token: String,
}

#[derive(Deserialize)]
struct Verified {
    sub: String,
    aud: String,
}

/// Exchanges the code for the ID token and has LINE verify it; the LINE user id.
pub async fn finish(
    settings: &LineSettings,
    public_url: &str,
    pending: &Pending,
    code: &str,
) -> Result<String, LinkError> {
    let (Some(client_id), Some(secret)) = (
        settings.login_channel_id.as_deref(),
        settings.login_channel_secret.as_deref(),
    ) else {
        return Err(LinkError::NotSetUp);
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let api = settings.api_url.trim_end_matches('/');
    let response = client
        .post(format!("{api}/oauth2/v2.1/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &redirect_uri(public_url)),
            ("client_id", client_id),
            ("client_secret", secret),
            ("code_verifier", &pending.verifier),
        ])
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(LinkError::Refused(
            response.text().await.unwrap_or_default(),
        ));
    }
    let tokens: Tokens = response.json().await?;
    let response = client
        .post(format!("{api}/oauth2/v2.1/verify"))
        .form(&[
            ("id_token", tokens.id_token.as_str()),
            ("client_id", client_id),
            ("nonce", pending.nonce.as_str()),
        ])
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(LinkError::Refused(
            response.text().await.unwrap_or_default(),
        ));
    }
    let verified: Verified = response.json().await?;
    let user_id_shape = verified.sub.len() == 33
        && verified.sub.starts_with('U')
        && verified.sub[1..].chars().all(|c| c.is_ascii_hexdigit());
    if verified.aud != client_id || !user_id_shape {
        return Err(LinkError::Refused(format!(
            "unexpected ID token for {}",
            verified.aud
        )));
    }
    Ok(verified.sub)
}
