//! Identity providers: OIDC issuers found by discovery, and plain OAuth providers (the GitHub
//! preset) identified through their user API. Both use the authorization-code flow with PKCE,
//! and every call goes through an HTTP client that does not follow redirects.

use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessToken, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndUserName, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, LocalizedClaim, Nonce,
    OAuth2TokenResponse as _, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    SubjectIdentifier, TokenResponse as _, UserInfoError,
};
use serde::Deserialize;
use tokio::sync::RwLock;
use url::Url;

use crate::auth::settings::{Preset, ProviderConfig};

/// Why talking to a provider failed. Logged in full; clients only learn that sign-in failed.
#[derive(Debug)]
pub struct ProviderError(pub String);

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn fail(context: &str, err: impl std::fmt::Display) -> ProviderError {
    ProviderError(format!("{context}: {err}"))
}

/// An error and its sources, for the log: `openidconnect` errors say little on their own.
fn error_chain(err: &dyn std::error::Error) -> String {
    std::iter::successors(Some(err), |e| e.source())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

/// The default-language value of a `name` claim.
fn display_name(name: Option<&LocalizedClaim<EndUserName>>) -> Option<String> {
    name.and_then(|n| n.get(None)).map(|n| n.to_string())
}

/// Who the provider says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// The provider's issuer identifier.
    pub issuer: String,
    /// The provider's stable id for the user.
    pub subject: String,
    /// Email, lowercased.
    pub email: Option<String>,
    /// Whether the provider says it verified the email.
    pub email_verified: bool,
    /// Display name.
    pub name: Option<String>,
}

/// A client built from discovery: the token and UserInfo endpoints are known only at run time.
type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// How long discovered metadata (endpoints and signing keys) is reused.
const METADATA_TTL: Duration = Duration::from_secs(3600);

enum Kind {
    Oidc {
        issuer: IssuerUrl,
        metadata: RwLock<Option<(Instant, Box<CoreProviderMetadata>)>>,
    },
    OAuth(Box<OAuthEndpoints>),
}

struct OAuthEndpoints {
    issuer: String,
    authorization_url: Url,
    token_url: Url,
    userinfo_url: Url,
    emails_url: Option<Url>,
}

/// One configured identity provider.
pub struct Provider {
    /// Short name used in URLs.
    pub name: String,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
    kind: Kind,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn parse_url(name: &str, field: &str, value: Option<&str>) -> anyhow::Result<Url> {
    let value = value.ok_or_else(|| anyhow::anyhow!("provider {name}: `{field}` is required"))?;
    Url::parse(value).map_err(|e| anyhow::anyhow!("provider {name}: `{field}` is not a URL: {e}"))
}

impl Provider {
    /// Checks a provider's configuration.
    pub fn from_config(config: &ProviderConfig) -> anyhow::Result<Self> {
        let name = config.name.clone();
        let well_formed = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        anyhow::ensure!(
            well_formed,
            "provider name `{name}` must be lowercase letters, digits and hyphens"
        );
        let client_secret = match (&config.client_secret_env, &config.client_secret) {
            (Some(var), _) => std::env::var(var).map_err(|_| {
                anyhow::anyhow!("provider {name}: environment variable {var} is not set")
            })?,
            (None, Some(secret)) => secret.clone(),
            (None, None) => {
                anyhow::bail!("provider {name}: set `client_secret_env` or `client_secret`")
            }
        };
        let (kind, default_scopes) = match (&config.issuer, config.preset) {
            (Some(issuer), None) => (
                Kind::Oidc {
                    issuer: IssuerUrl::new(issuer.clone()).map_err(|e| {
                        anyhow::anyhow!("provider {name}: `issuer` is not a URL: {e}")
                    })?,
                    metadata: RwLock::new(None),
                },
                vec!["openid", "email", "profile"],
            ),
            (None, preset) => {
                let github = preset == Some(Preset::Github);
                let or_github = |value: &Option<String>, default: &'static str| {
                    value.clone().or_else(|| github.then(|| default.to_owned()))
                };
                let authorization_url = or_github(
                    &config.authorization_url,
                    "https://github.com/login/oauth/authorize",
                );
                let token_url = or_github(
                    &config.token_url,
                    "https://github.com/login/oauth/access_token",
                );
                let userinfo_url = or_github(&config.userinfo_url, "https://api.github.com/user");
                let emails_url =
                    or_github(&config.emails_url, "https://api.github.com/user/emails");
                let authorization_url =
                    parse_url(&name, "authorization_url", authorization_url.as_deref())?;
                (
                    Kind::OAuth(Box::new(OAuthEndpoints {
                        issuer: format!(
                            "{}://{}",
                            authorization_url.scheme(),
                            authorization_url.authority()
                        ),
                        authorization_url,
                        token_url: parse_url(&name, "token_url", token_url.as_deref())?,
                        userinfo_url: parse_url(&name, "userinfo_url", userinfo_url.as_deref())?,
                        emails_url: emails_url
                            .map(|u| parse_url(&name, "emails_url", Some(&u)))
                            .transpose()?,
                    })),
                    vec!["read:user", "user:email"],
                )
            }
            (Some(_), Some(_)) => {
                anyhow::bail!("provider {name}: give `issuer` or `preset`, not both")
            }
        };
        Ok(Self {
            name,
            client_id: config.client_id.clone(),
            client_secret,
            scopes: config
                .scopes
                .clone()
                .unwrap_or_else(|| default_scopes.into_iter().map(str::to_owned).collect()),
            kind,
        })
    }

    /// The issuer identifier recorded on identities, and compared with the `iss` callback
    /// parameter.
    pub fn issuer(&self) -> &str {
        match &self.kind {
            Kind::Oidc { issuer, .. } => issuer.as_str(),
            Kind::OAuth(endpoints) => &endpoints.issuer,
        }
    }

    async fn metadata(
        &self,
        http: &reqwest::Client,
        refresh: bool,
    ) -> Result<Option<CoreProviderMetadata>, ProviderError> {
        let Kind::Oidc { issuer, metadata } = &self.kind else {
            return Ok(None);
        };
        if !refresh
            && let Some((fetched, cached)) = metadata.read().await.as_ref()
            && fetched.elapsed() < METADATA_TTL
        {
            return Ok(Some(CoreProviderMetadata::clone(cached)));
        }
        let discovered = CoreProviderMetadata::discover_async(issuer.clone(), http)
            .await
            .map_err(|e| fail("discovery failed", e))?;
        *metadata.write().await = Some((Instant::now(), Box::new(discovered.clone())));
        Ok(Some(discovered))
    }

    fn oidc_client(
        &self,
        metadata: CoreProviderMetadata,
        redirect_uri: &str,
    ) -> Result<OidcClient, ProviderError> {
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.client_id.clone()),
            Some(ClientSecret::new(self.client_secret.clone())),
        )
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| fail("redirect URI", e))?,
        ))
    }

    /// The URL to send the browser to, carrying `state`, `nonce` and the S256 challenge of
    /// `pkce_verifier`.
    pub async fn authorization_url(
        &self,
        http: &reqwest::Client,
        redirect_uri: &str,
        state: &str,
        nonce: &str,
        pkce_verifier: &str,
    ) -> Result<Url, ProviderError> {
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            pkce_verifier.to_owned(),
        ));
        match (&self.kind, self.metadata(http, false).await?) {
            (Kind::Oidc { .. }, Some(metadata)) => {
                let client = self.oidc_client(metadata, redirect_uri)?;
                let (state, nonce) = (state.to_owned(), nonce.to_owned());
                let mut request = client.authorize_url(
                    CoreAuthenticationFlow::AuthorizationCode,
                    move || CsrfToken::new(state),
                    move || Nonce::new(nonce),
                );
                for scope in &self.scopes {
                    if scope != "openid" {
                        request = request.add_scope(Scope::new(scope.clone()));
                    }
                }
                let (url, _, _) = request.set_pkce_challenge(challenge).url();
                Ok(url)
            }
            (Kind::OAuth(endpoints), _) => {
                let mut url = endpoints.authorization_url.clone();
                url.query_pairs_mut()
                    .append_pair("response_type", "code")
                    .append_pair("client_id", &self.client_id)
                    .append_pair("redirect_uri", redirect_uri)
                    .append_pair("scope", &self.scopes.join(" "))
                    .append_pair("state", state)
                    .append_pair("code_challenge", challenge.as_str())
                    .append_pair("code_challenge_method", "S256");
                Ok(url)
            }
            (Kind::Oidc { .. }, None) => Err(ProviderError("no provider metadata".to_owned())),
        }
    }

    /// Exchanges the authorization code and establishes who signed in: an OIDC ID token is
    /// verified (signature from the provider's keys, issuer, audience, expiry, nonce); a plain
    /// OAuth provider is asked through its user API.
    pub async fn complete(
        &self,
        http: &reqwest::Client,
        redirect_uri: &str,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<ExternalIdentity, ProviderError> {
        match &self.kind {
            Kind::Oidc { .. } => {
                self.complete_oidc(http, redirect_uri, code, pkce_verifier, nonce)
                    .await
            }
            Kind::OAuth(_) => {
                self.complete_oauth(http, redirect_uri, code, pkce_verifier)
                    .await
            }
        }
    }

    async fn complete_oidc(
        &self,
        http: &reqwest::Client,
        redirect_uri: &str,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<ExternalIdentity, ProviderError> {
        let metadata = self
            .metadata(http, false)
            .await?
            .ok_or_else(|| ProviderError("no provider metadata".to_owned()))?;
        let client = self.oidc_client(metadata, redirect_uri)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| fail("token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(http)
            .await
            .map_err(|e| fail("code exchange failed", e))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| ProviderError("the token response has no ID token".to_owned()))?;
        let expected_nonce = Nonce::new(nonce.to_owned());
        let verified = id_token
            .claims(&client.id_token_verifier(), &expected_nonce)
            .cloned();
        let (claims, client) = match verified {
            Ok(claims) => (claims, client),
            Err(first) => {
                // The provider may have rotated its keys since discovery: refetch once.
                let metadata = self
                    .metadata(http, true)
                    .await?
                    .ok_or_else(|| ProviderError("no provider metadata".to_owned()))?;
                let client = self.oidc_client(metadata, redirect_uri)?;
                let claims = id_token
                    .claims(&client.id_token_verifier(), &expected_nonce)
                    .map_err(|e| {
                        fail(
                            "ID token rejected",
                            format!("{first}; after refreshing keys: {e}"),
                        )
                    })?
                    .clone();
                (claims, client)
            }
        };
        let mut email = claims.email().map(|e| e.to_lowercase());
        let mut email_verified = claims.email_verified();
        let mut name = display_name(claims.name());
        // OIDC Core 5.4: the provider may answer the claims of the `email` and `profile` scopes
        // only at the UserInfo endpoint.
        if (email.is_none() || email_verified.is_none())
            && let Some(info) = self
                .user_info(http, &client, response.access_token(), claims.subject())
                .await
        {
            if let Some(found) = info.email() {
                email = Some(found.to_lowercase());
                email_verified = info.email_verified();
            }
            name = name.or_else(|| display_name(info.name()));
        }
        Ok(ExternalIdentity {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            email,
            email_verified: email_verified.unwrap_or(false),
            name,
        })
    }

    /// The UserInfo claims of `subject`, if discovery named the endpoint. A failed answer, or
    /// one about another subject (OIDC Core 5.3.2), is logged and ignored rather than failing
    /// the sign-in.
    async fn user_info(
        &self,
        http: &reqwest::Client,
        client: &OidcClient,
        access_token: &AccessToken,
        subject: &SubjectIdentifier,
    ) -> Option<CoreUserInfoClaims> {
        // No endpoint in the discovery document: nothing to ask.
        let request = client
            .user_info(access_token.clone(), Some(subject.clone()))
            .ok()?;
        match request.request_async(http).await {
            Ok(info) => Some(info),
            Err(UserInfoError::ClaimsVerification(ClaimsVerificationError::InvalidSubject(
                detail,
            ))) => {
                tracing::warn!(
                    provider = %self.name,
                    %detail,
                    "UserInfo answered about another subject; its claims are ignored"
                );
                None
            }
            Err(err) => {
                let error = match &err {
                    UserInfoError::Response(status, _, why) => format!("{why} ({status})"),
                    other => error_chain(other),
                };
                tracing::warn!(
                    provider = %self.name,
                    %error,
                    "UserInfo request failed; signing in without its claims"
                );
                None
            }
        }
    }

    async fn complete_oauth(
        &self,
        http: &reqwest::Client,
        redirect_uri: &str,
        code: &str,
        pkce_verifier: &str,
    ) -> Result<ExternalIdentity, ProviderError> {
        let Kind::OAuth(endpoints) = &self.kind else {
            return Err(ProviderError("not a plain OAuth provider".to_owned()));
        };
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
        }
        #[derive(Deserialize)]
        struct Profile {
            id: serde_json::Value,
            name: Option<String>,
            login: Option<String>,
            email: Option<String>,
        }
        #[derive(Deserialize)]
        struct Email {
            email: String,
            primary: bool,
            verified: bool,
        }
        let token: Token = http
            .post(endpoints.token_url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.as_str()),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", pkce_verifier),
            ])
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| fail("code exchange failed", e))?
            .json()
            .await
            .map_err(|e| fail("code exchange answer", e))?;
        let get = |url: Url| {
            http.get(url)
                .bearer_auth(&token.access_token)
                .header(reqwest::header::ACCEPT, "application/json")
                .header(reqwest::header::USER_AGENT, "peerlearn")
                .send()
        };
        let profile: Profile = get(endpoints.userinfo_url.clone())
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| fail("user API", e))?
            .json()
            .await
            .map_err(|e| fail("user API answer", e))?;
        let subject = match &profile.id {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(ProviderError("the user API gave no id".to_owned())),
        };
        // Only the email list says whether an address is verified.
        let (email, email_verified) = match &endpoints.emails_url {
            Some(url) => {
                let emails: Vec<Email> = get(url.clone())
                    .await
                    .and_then(reqwest::Response::error_for_status)
                    .map_err(|e| fail("email API", e))?
                    .json()
                    .await
                    .map_err(|e| fail("email API answer", e))?;
                emails
                    .into_iter()
                    .find(|e| e.primary)
                    .map_or((None, false), |e| (Some(e.email), e.verified))
            }
            None => (profile.email, false),
        };
        Ok(ExternalIdentity {
            issuer: endpoints.issuer.clone(),
            subject,
            email: email.map(|e| e.to_lowercase()),
            email_verified,
            name: profile.name.or(profile.login),
        })
    }
}
