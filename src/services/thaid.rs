//! Signing in with ThaID, the government's digital ID, as an OpenID Connect client: the
//! provider is found by discovery, the browser goes there with an authorization code request
//! protected by PKCE, state and nonce, and the code comes back to be exchanged for an ID token.
//! The `openidconnect` crate checks the token's signature against the provider's keys, its
//! issuer, audience, expiry (on Kaset's clock) and nonce; the person is the token's `pid`
//! claim, their national ID.

use crate::config::ThaidSettings;
use crate::domain::{Clock, NationalId};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The claims ThaID adds to the ID token that Kaset reads: the national ID.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ThaidClaims {
    #[serde(default)]
    pid: Option<String>,
}

impl AdditionalClaims for ThaidClaims {}

type ThaidTokenResponse = StandardTokenResponse<
    IdTokenFields<
        ThaidClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

/// A client built from the provider's discovery document.
type ThaidClient = Client<
    ThaidClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    ThaidTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What the browser's round trip to ThaID must bring back, kept in the session.
#[derive(Serialize, Deserialize)]
pub struct Pending {
    pub state: String,
    verifier: String,
    nonce: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ThaidError {
    #[error("ThaID is not set up")]
    NotSetUp,
    /// The provider could not be reached or answered what is not OpenID Connect.
    #[error("ThaID unreachable: {0}")]
    Unreachable(String),
    /// The provider refused the code, or its ID token failed a check.
    #[error("ThaID's answer refused: {0}")]
    Refused(String),
}

pub fn redirect_uri(public_url: &str) -> String {
    format!("{public_url}/login/thaid/callback")
}

/// How long Kaset waits for the provider: a person is waiting on the other end.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

fn http_client() -> Result<reqwest::Client, ThaidError> {
    // No redirects: a token endpoint that redirects could be made to send the code elsewhere.
    reqwest::Client::builder()
        .timeout(PROVIDER_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ThaidError::Unreachable(e.to_string()))
}

async fn client(
    settings: &ThaidSettings,
    public_url: &str,
    http: &reqwest::Client,
) -> Result<ThaidClient, ThaidError> {
    let (Some(issuer), Some(client_id), Some(secret)) = (
        settings.issuer.as_deref(),
        settings.client_id.as_deref(),
        settings.client_secret.as_deref(),
    ) else {
        return Err(ThaidError::NotSetUp);
    };
    let issuer = IssuerUrl::new(issuer.to_owned()).map_err(|_| ThaidError::NotSetUp)?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| ThaidError::Unreachable(error_chain(&e)))?;
    let redirect = RedirectUrl::new(redirect_uri(public_url))
        .map_err(|e| ThaidError::Refused(e.to_string()))?;
    Ok(ThaidClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id.to_owned()),
        Some(ClientSecret::new(secret.to_owned())),
    )
    .set_redirect_uri(redirect))
}

/// A fresh round trip: the address to send the browser to, and what to keep for its return.
pub async fn start(
    settings: &ThaidSettings,
    public_url: &str,
) -> Result<(String, Pending), ThaidError> {
    let http = http_client()?;
    let client = client(settings, public_url, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("pid".to_owned()))
        // Always ask ThaID again: a volunteer's or a relative's phone serves many farmers, and
        // the next one must not be signed in as the one before.
        .add_prompt(CoreAuthPrompt::Login)
        .set_pkce_challenge(challenge)
        .url();
    let pending = Pending {
        state: state.secret().clone(),
        verifier: verifier.secret().clone(),
        nonce: nonce.secret().clone(),
    };
    Ok((url.to_string(), pending))
}

/// Exchanges the code for the ID token, checks it (on `clock`, Kaset's time) and says whose
/// national ID it carries.
pub async fn finish(
    settings: &ThaidSettings,
    public_url: &str,
    pending: Pending,
    code: &str,
    clock: Clock,
) -> Result<NationalId, ThaidError> {
    let http = http_client()?;
    let client = client(settings, public_url, &http).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| ThaidError::Unreachable(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&http)
        .await
        .map_err(|e| match e {
            RequestTokenError::Request(_) => ThaidError::Unreachable(error_chain(&e)),
            _ => ThaidError::Refused(error_chain(&e)),
        })?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| ThaidError::Refused("no ID token".to_owned()))?;
    let verifier = client
        .id_token_verifier()
        .set_time_fn(move || clock.now().and_utc());
    let claims = id_token
        .claims(&verifier, &Nonce::new(pending.nonce))
        .map_err(|e| ThaidError::Refused(error_chain(&e)))?;
    let pid = claims
        .additional_claims()
        .pid
        .as_deref()
        .ok_or_else(|| ThaidError::Refused("no pid claim".to_owned()))?;
    NationalId::parse(pid)
        .map_err(|_| ThaidError::Refused("a pid that is no national ID".to_owned()))
}

/// An error with its causes, for the log: the crate's errors say little at the top.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
