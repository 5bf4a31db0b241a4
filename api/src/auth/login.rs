//! Signing in through an identity provider: starting a flow, finishing it at the callback,
//! finding or creating the user, and redeeming their invitations.

use chrono::{Duration, Utc};
use entity::access_token::TokenKind;
use entity::auth_flow::{self, FlowClient};
use entity::user::{self, UserRole};
use entity::{auth_code, identity};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession as _, TransactionTrait,
};
use url::Url;
use uuid::Uuid;

use crate::auth::provider::{ExternalIdentity, Provider};
use crate::auth::settings::{AuthSettings, SignupPolicy};
use crate::auth::token::{self, NewToken, hash, random_string};
use crate::error::ApiError;
use crate::http::cors::AllowedOrigins;
use crate::invitation::service::redeem_invitations;

/// How long a user may take at the provider before the flow expires.
pub const FLOW_TTL: Duration = Duration::minutes(10);
/// How long a mobile app has to redeem its one-time code.
pub const CODE_TTL: Duration = Duration::minutes(2);

/// The configured providers and sign-in settings.
pub struct Auth {
    /// The settings as configured.
    pub settings: AuthSettings,
    /// The providers, by name.
    pub providers: Vec<Provider>,
    /// The HTTP client for provider calls: it never follows redirects.
    pub http: reqwest::Client,
    /// Where browsers and providers reach this server.
    pub public_url: Url,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("providers", &self.providers)
            .field("public_url", &self.public_url.as_str())
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// Checks the settings and builds the providers. `default_public_url` is used when the
    /// settings do not name one.
    pub fn new(settings: AuthSettings, default_public_url: &str) -> anyhow::Result<Self> {
        let public_url = Url::parse(settings.public_url.as_deref().unwrap_or(default_public_url))
            .map_err(|e| anyhow::anyhow!("public_url is not a URL: {e}"))?;
        let mut providers: Vec<Provider> = Vec::new();
        for config in &settings.providers {
            let provider = Provider::from_config(config)?;
            anyhow::ensure!(
                providers.iter().all(|p| p.name != provider.name),
                "provider `{}` is configured twice",
                provider.name
            );
            providers.push(provider);
        }
        for uri in settings
            .web_redirects
            .iter()
            .chain(&settings.mobile_redirects)
        {
            Url::parse(uri).map_err(|e| anyhow::anyhow!("redirect `{uri}` is not a URL: {e}"))?;
        }
        AllowedOrigins::parse(settings.cors_origins.iter().map(String::as_str))
            .map_err(|message| anyhow::anyhow!(message))?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Self {
            settings,
            providers,
            http,
            public_url,
        })
    }

    /// The provider called `name`.
    pub fn provider(&self, name: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.name == name)
    }

    /// The callback URL registered with `provider`: one per provider, against mix-up attacks.
    pub fn callback_url(&self, provider: &str) -> String {
        format!(
            "{}/auth/{provider}/callback",
            self.public_url.as_str().trim_end_matches('/')
        )
    }

    /// Whether the server is reached over HTTPS, so cookies are `Secure` and `__Host-`.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The name of the session cookie.
    pub fn cookie_name(&self) -> &'static str {
        if self.is_https() {
            "__Host-peerlearn_session"
        } else {
            "peerlearn_session"
        }
    }
}

/// Why a sign-in failed, with a stable code for the front end.
#[derive(Debug)]
pub enum LoginError {
    /// No such provider.
    UnknownProvider,
    /// The return or redirect URI is not on the allow-list.
    RedirectNotAllowed,
    /// The mobile app's PKCE parameters are missing or not S256.
    InvalidRequest(&'static str),
    /// The `state` is unknown, already used, or belongs to another provider.
    InvalidState,
    /// The callback was opened in a browser that did not start the sign-in.
    BrowserMismatch,
    /// The flow took too long.
    Expired,
    /// The callback's `iss` is not the provider's issuer.
    IssuerMismatch,
    /// The provider refused or failed, or its tokens did not verify.
    ProviderFailed(String),
    /// The user declined at the provider.
    Denied,
    /// Sign-up is by invitation and there is none for this (verified) email.
    NotInvited,
    /// The account is deactivated.
    Deactivated,
    /// A storage error.
    Api(ApiError),
}

impl LoginError {
    /// A stable code for redirects and error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownProvider => "unknown_provider",
            Self::RedirectNotAllowed => "redirect_not_allowed",
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidState => "invalid_state",
            Self::BrowserMismatch => "browser_mismatch",
            Self::Expired => "expired",
            Self::IssuerMismatch => "issuer_mismatch",
            Self::ProviderFailed(_) => "provider_error",
            Self::Denied => "access_denied",
            Self::NotInvited => "not_invited",
            Self::Deactivated => "account_deactivated",
            Self::Api(_) => "server_error",
        }
    }
}

impl From<ApiError> for LoginError {
    fn from(err: ApiError) -> Self {
        Self::Api(err)
    }
}

impl From<sea_orm::DbErr> for LoginError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Api(err.into())
    }
}

/// Where a sign-in should come back to.
#[derive(Debug, Clone)]
pub enum StartRequest {
    /// A browser: back to an allow-listed front-end URL with a session cookie.
    Web {
        /// Exact allow-listed URL.
        return_to: String,
    },
    /// A mobile app: back to its registered URI with a one-time code.
    Mobile {
        /// Exact allow-listed app URI.
        redirect_uri: String,
        /// The app's S256 PKCE challenge.
        code_challenge: String,
        /// The app's own `state`, returned unchanged.
        state: Option<String>,
    },
}

/// A started sign-in: where to send the browser, and the `state` the browser must present
/// again at the callback (the HTTP layer keeps it in a cookie, so a callback link opened in
/// another browser signs nobody in).
#[derive(Debug)]
pub struct Started {
    /// The provider's authorization URL.
    pub url: Url,
    /// The flow's `state`.
    pub state: String,
}

/// The name of the cookie that binds the flow of `state` to the browser that started it: one
/// per flow, so sign-ins in two tabs do not disturb each other.
pub fn flow_cookie_name(auth: &Auth, state: &str) -> String {
    // `__Host-` (secure, no Domain, path /): a sibling subdomain cannot plant it.
    let prefix = if auth.is_https() { "__Host-" } else { "" };
    format!("{prefix}peerlearn_flow_{}", &hash(state)[..16])
}

/// Starts a sign-in.
pub async fn start(
    db: &impl ConnectionTrait,
    auth: &Auth,
    provider_name: &str,
    request: StartRequest,
) -> Result<Started, LoginError> {
    let provider = auth
        .provider(provider_name)
        .ok_or(LoginError::UnknownProvider)?;
    let state = random_string();
    let nonce = random_string();
    let pkce_verifier = random_string();
    let now = Utc::now();
    let mut flow = auth_flow::ActiveModel {
        id: Set(Uuid::now_v7()),
        state_hash: Set(hash(&state)),
        provider: Set(provider.name.clone()),
        pkce_verifier: Set(pkce_verifier.clone()),
        nonce: Set(nonce.clone()),
        client: Set(FlowClient::Web),
        return_to: Set(None),
        app_redirect_uri: Set(None),
        app_code_challenge: Set(None),
        app_state: Set(None),
        expires_at: Set(now + FLOW_TTL),
        created_at: Set(now),
    };
    match request {
        StartRequest::Web { return_to } => {
            if !auth.settings.web_redirects.contains(&return_to) {
                return Err(LoginError::RedirectNotAllowed);
            }
            flow.return_to = Set(Some(return_to));
        }
        StartRequest::Mobile {
            redirect_uri,
            code_challenge,
            state: app_state,
        } => {
            if !auth.settings.mobile_redirects.contains(&redirect_uri) {
                return Err(LoginError::RedirectNotAllowed);
            }
            let well_formed = (43..=128).contains(&code_challenge.len())
                && code_challenge
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !well_formed {
                return Err(LoginError::InvalidRequest(
                    "code_challenge must be an S256 challenge",
                ));
            }
            if app_state.as_ref().is_some_and(|s| s.len() > 500) {
                return Err(LoginError::InvalidRequest("state is too long"));
            }
            flow.client = Set(FlowClient::Mobile);
            flow.app_redirect_uri = Set(Some(redirect_uri));
            flow.app_code_challenge = Set(Some(code_challenge));
            flow.app_state = Set(app_state);
        }
    }
    // Ask the provider first: if it is unreachable, no flow row is left behind.
    let url = provider
        .authorization_url(
            &auth.http,
            &auth.callback_url(&provider.name),
            &state,
            &nonce,
            &pkce_verifier,
        )
        .await
        .map_err(|e| LoginError::ProviderFailed(e.0))?;
    flow.insert(db).await?;
    auth_flow::Entity::delete_many()
        .filter(auth_flow::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    Ok(Started { url, state })
}

/// The parameters of the provider's redirect back to us.
#[derive(Debug, Clone, Default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
}

/// A finished sign-in.
#[derive(Debug)]
pub enum Completed {
    /// Set this session cookie and redirect to `return_to`.
    Web { session: String, return_to: String },
    /// Redirect the browser to the app with a one-time code.
    Mobile { redirect: Url },
}

/// A failed sign-in, and where to tell the front end, if the flow was known.
#[derive(Debug)]
pub struct Failure {
    pub error: LoginError,
    pub redirect: Option<Url>,
}

/// Finishes a sign-in at the provider's callback: consumes the flow (so a `state` works
/// once), checks that the browser holds the flow's state (`held`, from the cookie set at the
/// start; against login CSRF), checks the issuer, exchanges the code, verifies who signed in,
/// and signs them in.
pub async fn finish(
    db: &(impl ConnectionTrait + TransactionTrait),
    auth: &Auth,
    provider_name: &str,
    callback: Callback,
    held: Option<&str>,
    user_agent: Option<&str>,
) -> Result<Completed, Failure> {
    let bare = |error| Failure {
        error,
        redirect: None,
    };
    let state = callback
        .state
        .as_deref()
        .ok_or(bare(LoginError::InvalidState))?;
    let flow = consume_flow(db, state).await.map_err(bare)?;
    let redirect = failure_redirect(&flow);
    let failed = |error| Failure {
        error,
        redirect: redirect.clone(),
    };
    if flow.provider != provider_name {
        return Err(failed(LoginError::InvalidState));
    }
    if held != Some(state) {
        return Err(failed(LoginError::BrowserMismatch));
    }
    if flow.expires_at <= Utc::now() {
        return Err(failed(LoginError::Expired));
    }
    let provider = auth
        .provider(provider_name)
        .ok_or(failed(LoginError::UnknownProvider))?;
    if callback.error.is_some() {
        return Err(failed(LoginError::Denied));
    }
    if let Some(iss) = &callback.iss
        && iss != provider.issuer()
    {
        return Err(failed(LoginError::IssuerMismatch));
    }
    let code = callback
        .code
        .as_deref()
        .ok_or(failed(LoginError::InvalidRequest("code is missing")))?;
    let external = provider
        .complete(
            &auth.http,
            &auth.callback_url(provider_name),
            code,
            &flow.pkce_verifier,
            &flow.nonce,
        )
        .await
        .map_err(|e| failed(LoginError::ProviderFailed(e.0)))?;
    let user = sign_in(db, auth.settings.signup, &external)
        .await
        .map_err(failed)?;
    let now = Utc::now();
    match flow.client {
        FlowClient::Web => {
            let max_age = Duration::days(i64::from(auth.settings.session_max_days));
            let session = token::issue(
                db,
                NewToken {
                    user_id: user.id,
                    kind: TokenKind::WebSession,
                    name: "web",
                    expires_at: Some(now + max_age),
                    family_id: None,
                    user_agent,
                },
            )
            .await
            .map_err(|e| failed(e.into()))?;
            Ok(Completed::Web {
                session: session.secret,
                return_to: flow.return_to.unwrap_or_default(),
            })
        }
        FlowClient::Mobile => {
            let code = random_string();
            auth_code::ActiveModel {
                id: Set(Uuid::now_v7()),
                code_hash: Set(hash(&code)),
                user_id: Set(user.id),
                redirect_uri: Set(flow.app_redirect_uri.clone().unwrap_or_default()),
                code_challenge: Set(flow.app_code_challenge.clone().unwrap_or_default()),
                expires_at: Set(now + CODE_TTL),
                created_at: Set(now),
            }
            .insert(db)
            .await
            .map_err(|e| failed(e.into()))?;
            auth_code::Entity::delete_many()
                .filter(auth_code::Column::ExpiresAt.lt(now))
                .exec(db)
                .await
                .map_err(|e| failed(e.into()))?;
            let mut redirect = Url::parse(flow.app_redirect_uri.as_deref().unwrap_or_default())
                .map_err(|_| failed(LoginError::RedirectNotAllowed))?;
            redirect.query_pairs_mut().append_pair("code", &code);
            if let Some(state) = &flow.app_state {
                redirect.query_pairs_mut().append_pair("state", state);
            }
            Ok(Completed::Mobile { redirect })
        }
    }
}

/// Deletes and returns the flow of `state`; a second use finds nothing.
async fn consume_flow(
    db: &impl ConnectionTrait,
    state: &str,
) -> Result<auth_flow::Model, LoginError> {
    let state_hash = hash(state);
    let flow = auth_flow::Entity::find()
        .filter(auth_flow::Column::StateHash.eq(state_hash.as_str()))
        .one(db)
        .await?
        .ok_or(LoginError::InvalidState)?;
    let deleted = auth_flow::Entity::delete_many()
        .filter(auth_flow::Column::Id.eq(flow.id))
        .exec(db)
        .await?;
    // A concurrent callback with the same state got there first.
    if deleted.rows_affected != 1 {
        return Err(LoginError::InvalidState);
    }
    Ok(flow)
}

/// Where to send the browser when a known flow fails: the front end with `error=<code>` is
/// filled in by the HTTP layer.
fn failure_redirect(flow: &auth_flow::Model) -> Option<Url> {
    let target = match flow.client {
        FlowClient::Web => flow.return_to.as_deref(),
        FlowClient::Mobile => flow.app_redirect_uri.as_deref(),
    }?;
    let mut url = Url::parse(target).ok()?;
    if let (FlowClient::Mobile, Some(state)) = (flow.client, &flow.app_state) {
        url.query_pairs_mut().append_pair("state", state);
    }
    Some(url)
}

/// Finds or creates the user behind an external identity and redeems their invitations.
///
/// Users are identified by (issuer, subject). An email links to an existing account, or lets
/// a new one redeem invitations, only when the provider says it is verified.
pub async fn sign_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    signup: SignupPolicy,
    external: &ExternalIdentity,
) -> Result<user::Model, LoginError> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let verified_email = external
        .email
        .as_deref()
        .filter(|_| external.email_verified);
    let existing = identity::Entity::find()
        .filter(identity::Column::Issuer.eq(external.issuer.as_str()))
        .filter(identity::Column::Subject.eq(external.subject.as_str()))
        .find_also_related(user::Entity)
        .one(&txn)
        .await?;
    let user = match existing {
        Some((identity, Some(user))) => {
            let mut identity: identity::ActiveModel = identity.into();
            identity.email = Set(external.email.clone());
            identity.email_verified = Set(external.email_verified);
            identity.updated_at = Set(now);
            identity.update(&txn).await?;
            user
        }
        _ => {
            let by_email = match verified_email {
                Some(email) => {
                    user::Entity::find()
                        .filter(user::Column::Email.eq(email))
                        .one(&txn)
                        .await?
                }
                None => None,
            };
            let user = match by_email {
                Some(user) => user,
                None => {
                    let invited = match verified_email {
                        Some(email) => crate::invitation::service::has_pending(&txn, email).await?,
                        None => false,
                    };
                    if signup == SignupPolicy::Invitation && !invited {
                        return Err(LoginError::NotInvited);
                    }
                    let name = external
                        .name
                        .clone()
                        .or_else(|| {
                            verified_email.map(|e| e.split('@').next().unwrap_or(e).to_owned())
                        })
                        .unwrap_or_else(|| "New user".to_owned());
                    user::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        name: Set(name.chars().take(200).collect()),
                        email: Set(verified_email.map(str::to_owned)),
                        role: Set(UserRole::User),
                        is_active: Set(true),
                        created_at: Set(now),
                        updated_at: Set(now),
                    }
                    .insert(&txn)
                    .await?
                }
            };
            identity::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(user.id),
                issuer: Set(external.issuer.clone()),
                subject: Set(external.subject.clone()),
                email: Set(external.email.clone()),
                email_verified: Set(external.email_verified),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            user
        }
    };
    if !user.is_active {
        return Err(LoginError::Deactivated);
    }
    if let Some(email) = verified_email {
        redeem_invitations(&txn, &user, email).await?;
    }
    txn.commit().await?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_origins(origins: &[&str]) -> anyhow::Result<Auth> {
        Auth::new(
            AuthSettings {
                cors_origins: origins.iter().map(|o| (*o).to_owned()).collect(),
                ..AuthSettings::default()
            },
            "http://127.0.0.1:8080",
        )
    }

    #[test]
    fn cors_origins_must_be_bare_origins() {
        assert!(
            with_origins(&[
                "https://app.example.org",
                "http://localhost:5173",
                "https://*.example.org"
            ])
            .is_ok()
        );
        for bad in [
            "app.example.org",
            "https://app.example.org/",
            "https://app.example.org/x",
            "*",
        ] {
            assert!(with_origins(&[bad]).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn flow_cookies_are_host_prefixed_over_https() {
        let https = Auth::new(AuthSettings::default(), "https://api.example.org");
        let Ok(https) = https else {
            panic!("valid settings were refused");
        };
        assert!(flow_cookie_name(&https, "s").starts_with("__Host-peerlearn_flow_"));
        assert_eq!(https.cookie_name(), "__Host-peerlearn_session");
        assert_ne!(flow_cookie_name(&https, "a"), flow_cookie_name(&https, "b"));
    }
}
