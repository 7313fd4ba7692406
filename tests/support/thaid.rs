//! ThaID's stand-in: a real OpenID provider (panva's `oidc-provider` on Node.js, in
//! `tests/oidc`) on its own port, registered with Kaset's redirect address, which can be made to
//! answer with ID tokens Kaset must refuse. A missing Node.js or `npm ci` is a loud skip by
//! hand and a failure under CI.

use super::into_page;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const CLIENT_ID: &str = "kaset-test";
pub const CLIENT_SECRET: &str = "kaset-test-secret-of-thaid";

/// The ID tokens the provider's token endpoint answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdTokens {
    Honest,
    /// Issued to another agency's client.
    WrongAudience,
    /// Expired an hour ago.
    Expired,
    /// Signed with a key the provider does not publish.
    OtherKey,
}

impl IdTokens {
    fn arg(self) -> &'static str {
        match self {
            Self::Honest => "honest",
            Self::WrongAudience => "wrong-audience",
            Self::Expired => "expired",
            Self::OtherKey => "other-key",
        }
    }
}

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Whether Node.js and the provider's packages are installed; otherwise says what is missing.
pub fn available() -> bool {
    let installed = provider_dir().join("node_modules/oidc-provider").exists();
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if installed && node {
        return true;
    }
    let message = "ThaID tests need Node.js and the OpenID provider (cd tests/oidc && npm ci)";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true but {message}");
    }
    eprintln!("SKIPPED: {message}");
    false
}

pub struct ThaidStandIn {
    pub issuer: String,
    child: Child,
}

impl Drop for ThaidStandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ThaidStandIn {
    /// Starts the provider on `port`, knowing Kaset's `redirect_uri`, and waits until its
    /// discovery document answers.
    pub async fn start(port: u16, redirect_uri: &str, id_tokens: IdTokens) -> Self {
        let child = Command::new("node")
            .arg(provider_dir().join("provider.mjs"))
            .args([
                &port.to_string(),
                CLIENT_ID,
                CLIENT_SECRET,
                redirect_uri,
                id_tokens.arg(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the OpenID provider (node tests/oidc/provider.mjs)");
        let stand_in = Self {
            issuer: format!("http://127.0.0.1:{port}"),
            child,
        };
        let discovery = format!("{}/.well-known/openid-configuration", stand_in.issuer);
        for _ in 0..200 {
            if reqwest::get(&discovery)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return stand_in;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the OpenID provider did not start within 10 s");
    }

    /// Goes through the provider's sign-in as `national_id` (its development login and consent
    /// pages), from the authorization address Kaset sent the browser to, with the browser's
    /// `client`; the address the provider sends the browser back to Kaset with.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        authorize_url: &str,
        national_id: &str,
    ) -> String {
        let mut url = authorize_url.to_owned();
        for _ in 0..10 {
            if !url.starts_with(&self.issuer) {
                return url;
            }
            let page =
                into_page(client.get(&url).send().await.expect("the provider answers")).await;
            let next = match page.location {
                Some(location) => location,
                // An interaction page: its form asks for the login, or for consent.
                None => {
                    let action = form_action(&page.body);
                    let form: &[(&str, &str)] = if page.body.contains("name=\"login\"") {
                        &[
                            ("prompt", "login"),
                            ("login", national_id),
                            ("password", "any"),
                        ]
                    } else {
                        &[("prompt", "consent")]
                    };
                    let response = client
                        .post(self.absolute(&action))
                        .form(form)
                        .send()
                        .await
                        .expect("the provider takes the form");
                    into_page(response)
                        .await
                        .location
                        .expect("the provider redirects after a form")
                }
            };
            url = self.absolute(&next);
        }
        panic!("the provider never sent the browser back to Kaset");
    }

    /// An address on the provider's pages, made absolute.
    fn absolute(&self, address: &str) -> String {
        if address.starts_with('/') {
            format!("{}{address}", self.issuer)
        } else {
            address.to_owned()
        }
    }
}

fn form_action(html: &str) -> String {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse("form[action]").expect("valid selector");
    document
        .select(&selector)
        .next()
        .and_then(|f| f.value().attr("action"))
        .expect("an interaction page has a form")
        .to_owned()
}
