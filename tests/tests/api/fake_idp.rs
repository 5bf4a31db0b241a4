//! A fake identity provider that runs inside the test process, on `127.0.0.1:0`.
//!
//! One server plays two providers:
//!
//! - an OpenID Connect issuer: discovery, JWKS, `/authorize`, `/token` (with ID tokens signed
//!   by the `openidconnect` crate) and `/userinfo` (which counts its calls);
//! - a GitHub-style plain OAuth server: `/login/oauth/authorize`,
//!   `/login/oauth/access_token`, `/user` and `/user/emails`.
//!
//! The authorization endpoints do not show a login page: they record the request and redirect
//! straight back with a code, as if the configured [`TestUser`] had signed in. The token
//! endpoints check the client credentials, the code, the redirect URI and the PKCE verifier, and
//! record why they refused a request. [`Knobs`] make the provider misbehave.
//!
//! The signing keys in `tests/fixtures/` are test-only keys, generated for this suite.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};

use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{Duration, Utc};
use openidconnect::core::{
    CoreHmacKey, CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    AccessToken, Audience, EmptyAdditionalClaims, EndUserEmail, EndUserName, IssuerUrl,
    JsonWebKeyId, LocalizedClaim, Nonce, PkceCodeChallenge, PkceCodeVerifier, PrivateSigningKey,
    StandardClaims, SubjectIdentifier,
};
use peerlearn::auth::settings::{Preset, ProviderConfig};
use serde_json::{Value, json};
use uuid::Uuid;

/// The client id the API is registered with at the fake provider.
pub const CLIENT_ID: &str = "peerlearn-test-client";
/// The matching client secret.
pub const CLIENT_SECRET: &str = "test-only-client-secret";

/// The key the provider signs ID tokens with and publishes in its JWKS.
const SIGNING_KEY: &str = include_str!("../../fixtures/oidc-test-key.pem");
/// A key the provider never publishes.
const UNPUBLISHED_KEY: &str = include_str!("../../fixtures/oidc-test-key-wrong.pem");
/// The `kid` of the published key; tokens signed with the unpublished key claim it too.
const KEY_ID: &str = "fake-idp-key-1";

/// Who the fake provider says signed in.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// The subject (`sub`; the numeric `id` of the GitHub-style user API).
    pub subject: String,
    /// The email address, if the provider knows one.
    pub email: Option<String>,
    /// Whether the provider says it verified the email.
    pub email_verified: bool,
    /// The display name.
    pub name: Option<String>,
}

impl TestUser {
    /// A user with a verified email.
    pub fn verified(subject: &str, email: &str, name: &str) -> Self {
        Self {
            subject: subject.to_owned(),
            email: Some(email.to_owned()),
            email_verified: true,
            name: Some(name.to_owned()),
        }
    }

    /// A user whose email the provider has not verified.
    pub fn unverified(subject: &str, email: &str, name: &str) -> Self {
        Self {
            email_verified: false,
            ..Self::verified(subject, email, name)
        }
    }
}

/// How the ID token is signed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Signing {
    /// RS256 with the key published in the JWKS.
    #[default]
    Published,
    /// RS256 with a key that is not published, under the published key's `kid`.
    UnpublishedKey,
    /// HS256 with the client secret, although discovery only offers RS256.
    ClientSecret,
    /// Not signed at all (`alg: none`).
    Unsigned,
}

/// Ways to make the provider misbehave; the default is a well-behaved provider.
#[derive(Debug, Clone, Default)]
pub struct Knobs {
    /// The ID token carries a nonce other than the one of the authorization request.
    pub wrong_nonce: bool,
    /// The ID token's `iss` claim, instead of the provider's own issuer.
    pub id_token_issuer: Option<String>,
    /// The ID token's `aud` claim, instead of the client id.
    pub audience: Option<String>,
    /// The ID token expired an hour ago.
    pub expired: bool,
    /// How the ID token is signed.
    pub signing: Signing,
    /// The `iss` parameter of the redirect back (RFC 9207). The OIDC endpoint sends its own
    /// issuer unless this is set; the GitHub-style endpoint sends none unless this is set.
    pub callback_issuer: Option<String>,
    /// The user declines: the redirect back carries `error=access_denied` and no code.
    pub deny: bool,
    /// More entries of the GitHub-style email list, after the user's primary email.
    pub extra_emails: Vec<GithubEmail>,
    /// The ID token carries no `email`, `email_verified` or `name` claim; only `/userinfo`
    /// tells them.
    pub claims_only_in_userinfo: bool,
    /// The `sub` that `/userinfo` answers, instead of the user's own subject.
    pub userinfo_subject: Option<String>,
    /// `/userinfo` answers 500.
    pub userinfo_fails: bool,
}

/// An entry of the GitHub-style `/user/emails` list.
#[derive(Debug, Clone)]
pub struct GithubEmail {
    pub email: String,
    pub primary: bool,
    pub verified: bool,
}

/// A code the provider issued, and what it was issued for.
#[derive(Debug, Clone)]
struct Grant {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    user: TestUser,
}

#[derive(Debug)]
struct Inner {
    user: TestUser,
    knobs: Knobs,
    authorizations: Vec<HashMap<String, String>>,
    grants: HashMap<String, Grant>,
    access_tokens: HashMap<String, TestUser>,
    refusals: Vec<String>,
    userinfo_calls: usize,
}

/// Why an endpoint refused a request: HTTP status, OAuth error code, explanation.
type Refusal = (u16, &'static str, String);

struct Shared {
    issuer: String,
    signing_key: CoreRsaPrivateSigningKey,
    unpublished_key: CoreRsaPrivateSigningKey,
    inner: Mutex<Inner>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().expect("the fake provider's state")
    }

    /// Records why a request is refused and answers it with an OAuth error body.
    fn refuse(&self, (status, error, why): Refusal) -> HttpResponse {
        self.lock().refusals.push(why.clone());
        let status = actix_web::http::StatusCode::from_u16(status).expect("a status code");
        HttpResponse::build(status).json(json!({ "error": error, "error_description": why }))
    }
}

/// A running fake provider; it stops when dropped.
pub struct FakeIdp {
    base: String,
    shared: Arc<Shared>,
    server: actix_web::dev::ServerHandle,
}

impl Drop for FakeIdp {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

fn rsa_key(pem: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(KEY_ID.to_owned())))
        .expect("a PKCS#1 RSA test key")
}

impl FakeIdp {
    /// Starts a provider at which `user` is signed in.
    pub async fn start(user: TestUser) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let shared = Arc::new(Shared {
            issuer: base.clone(),
            signing_key: rsa_key(SIGNING_KEY),
            unpublished_key: rsa_key(UNPUBLISHED_KEY),
            inner: Mutex::new(Inner {
                user,
                knobs: Knobs::default(),
                authorizations: Vec::new(),
                grants: HashMap::new(),
                access_tokens: HashMap::new(),
                refusals: Vec::new(),
                userinfo_calls: 0,
            }),
        });
        let data = web::Data::from(Arc::clone(&shared));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route(
                    "/.well-known/openid-configuration",
                    web::get().to(discovery),
                )
                .route("/jwks", web::get().to(jwks))
                .route("/authorize", web::get().to(authorize_oidc))
                .route("/token", web::post().to(token_oidc))
                .route("/userinfo", web::get().to(userinfo))
                .route("/login/oauth/authorize", web::get().to(authorize_github))
                .route("/login/oauth/access_token", web::post().to(token_github))
                .route("/user", web::get().to(github_user))
                .route("/user/emails", web::get().to(github_emails))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            base,
            shared,
            server: handle,
        }
    }

    /// The issuer identifier: the base URL, without a trailing slash.
    pub fn issuer(&self) -> &str {
        &self.base
    }

    /// From now on, `user` is the one who signs in.
    pub fn sign_in_as(&self, user: TestUser) {
        self.shared.lock().user = user;
    }

    /// From now on, the provider misbehaves as `knobs` say.
    pub fn misbehave(&self, knobs: Knobs) {
        self.shared.lock().knobs = knobs;
    }

    /// The query parameters of every authorization request so far, oldest first.
    pub fn authorizations(&self) -> Vec<HashMap<String, String>> {
        self.shared.lock().authorizations.clone()
    }

    /// How many requests the OIDC `/userinfo` endpoint has had so far.
    pub fn userinfo_calls(&self) -> usize {
        self.shared.lock().userinfo_calls
    }

    /// Why the provider refused requests so far, at any endpoint.
    pub fn refusals(&self) -> Vec<String> {
        self.shared.lock().refusals.clone()
    }

    /// The API's configuration for this provider as an OIDC issuer.
    pub fn oidc_provider(&self, name: &str) -> ProviderConfig {
        ProviderConfig {
            name: name.to_owned(),
            client_id: CLIENT_ID.to_owned(),
            client_secret: Some(CLIENT_SECRET.to_owned()),
            client_secret_env: None,
            issuer: Some(self.base.clone()),
            preset: None,
            authorization_url: None,
            token_url: None,
            userinfo_url: None,
            emails_url: None,
            scopes: None,
        }
    }

    /// The API's configuration for this provider as the GitHub preset.
    pub fn github_provider(&self, name: &str) -> ProviderConfig {
        ProviderConfig {
            name: name.to_owned(),
            client_id: CLIENT_ID.to_owned(),
            client_secret: Some(CLIENT_SECRET.to_owned()),
            client_secret_env: None,
            issuer: None,
            preset: Some(Preset::Github),
            authorization_url: Some(format!("{}/login/oauth/authorize", self.base)),
            token_url: Some(format!("{}/login/oauth/access_token", self.base)),
            userinfo_url: Some(format!("{}/user", self.base)),
            emails_url: Some(format!("{}/user/emails", self.base)),
            scopes: None,
        }
    }
}

async fn discovery(shared: web::Data<Shared>) -> HttpResponse {
    let base = &shared.issuer;
    HttpResponse::Ok().json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
    }))
}

async fn jwks(shared: web::Data<Shared>) -> HttpResponse {
    let set = CoreJsonWebKeySet::new(vec![shared.signing_key.as_verification_key()]);
    HttpResponse::Ok().json(set)
}

/// What an authorization endpoint requires: the parameters of an authorization-code request
/// with S256 PKCE from our client.
fn check_authorization(
    query: &HashMap<String, String>,
    oidc: bool,
) -> Result<(String, String), String> {
    let param = |name: &str| {
        query
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("`{name}` is missing"))
    };
    if param("response_type")? != "code" {
        return Err("response_type must be code".to_owned());
    }
    if param("client_id")? != CLIENT_ID {
        return Err("unknown client".to_owned());
    }
    if param("code_challenge_method")? != "S256" {
        return Err("PKCE must use S256".to_owned());
    }
    param("code_challenge")?;
    if oidc {
        param("nonce")?;
        if !param("scope")?.split(' ').any(|s| s == "openid") {
            return Err("the openid scope is missing".to_owned());
        }
    }
    Ok((param("redirect_uri")?.clone(), param("state")?.clone()))
}

/// Records the request, issues a code for the current user and redirects straight back.
fn authorize(shared: &Shared, query: HashMap<String, String>, oidc: bool) -> HttpResponse {
    let mut guard = shared.lock();
    let inner = &mut *guard;
    inner.authorizations.push(query.clone());
    let (redirect_uri, state) = match check_authorization(&query, oidc) {
        Ok(found) => found,
        Err(why) => {
            inner.refusals.push(why.clone());
            return HttpResponse::BadRequest().body(why);
        }
    };
    let mut location = reqwest::Url::parse(&redirect_uri).expect("an absolute redirect URI");
    {
        let mut pairs = location.query_pairs_mut();
        if inner.knobs.deny {
            pairs.append_pair("error", "access_denied");
        } else {
            let code = format!("code-{}", Uuid::new_v4().simple());
            inner.grants.insert(
                code.clone(),
                Grant {
                    client_id: query["client_id"].clone(),
                    redirect_uri: redirect_uri.clone(),
                    code_challenge: query["code_challenge"].clone(),
                    nonce: query.get("nonce").cloned(),
                    user: inner.user.clone(),
                },
            );
            pairs.append_pair("code", &code);
        }
        pairs.append_pair("state", &state);
        let iss = match &inner.knobs.callback_issuer {
            Some(iss) => Some(iss.as_str()),
            None if oidc => Some(shared.issuer.as_str()),
            None => None,
        };
        if let Some(iss) = iss {
            pairs.append_pair("iss", iss);
        }
    }
    HttpResponse::Found()
        .insert_header((header::LOCATION, location.as_str()))
        .finish()
}

async fn authorize_oidc(
    shared: web::Data<Shared>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    authorize(&shared, query.into_inner(), true)
}

async fn authorize_github(
    shared: web::Data<Shared>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    authorize(&shared, query.into_inner(), false)
}

/// The client credentials of a token request: HTTP Basic (`client_secret_basic`, with both
/// parts form-urlencoded as RFC 6749 says) or the form (`client_secret_post`).
fn client_credentials(
    req: &HttpRequest,
    form: &HashMap<String, String>,
) -> Option<(String, String)> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let encoded = value.to_str().ok()?.strip_prefix("Basic ")?;
        let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let unescape = |part: &str| {
            openidconnect::url::form_urlencoded::parse(format!("x={part}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((unescape(id)?, unescape(secret)?));
    }
    Some((
        form.get("client_id")?.clone(),
        form.get("client_secret")?.clone(),
    ))
}

/// Checks a code exchange and consumes the code: our client, the code of an earlier
/// authorization, the same redirect URI, and the verifier of the recorded challenge.
fn redeem(
    shared: &Shared,
    req: &HttpRequest,
    form: &HashMap<String, String>,
) -> Result<Grant, Refusal> {
    match client_credentials(req, form) {
        Some((id, secret)) if id == CLIENT_ID && secret == CLIENT_SECRET => {}
        other => {
            return Err((
                401,
                "invalid_client",
                format!("bad client credentials: {other:?}"),
            ));
        }
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return Err((
            400,
            "unsupported_grant_type",
            format!("grant_type {:?}", form.get("grant_type")),
        ));
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let grant = shared.lock().grants.remove(&code).ok_or_else(|| {
        (
            400,
            "invalid_grant",
            format!("unknown or used code {code:?}"),
        )
    })?;
    if grant.client_id != CLIENT_ID {
        return Err((
            400,
            "invalid_grant",
            "the code is another client's".to_owned(),
        ));
    }
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return Err((
            400,
            "invalid_grant",
            format!(
                "redirect_uri {:?} is not {:?}",
                form.get("redirect_uri"),
                grant.redirect_uri
            ),
        ));
    }
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier));
    if challenge.as_str() != grant.code_challenge {
        return Err((
            400,
            "invalid_grant",
            "the PKCE verifier does not match the challenge".to_owned(),
        ));
    }
    Ok(grant)
}

/// An access token for `user`, good at the user endpoints.
fn access_token_for(shared: &Shared, user: &TestUser) -> String {
    let token = format!("at-{}", Uuid::new_v4().simple());
    shared
        .lock()
        .access_tokens
        .insert(token.clone(), user.clone());
    token
}

/// The ID token for `grant`, as the knobs say.
fn id_token(shared: &Shared, grant: &Grant, access_token: &str, knobs: &Knobs) -> String {
    let now = Utc::now();
    let (issued, expires) = if knobs.expired {
        (now - Duration::hours(2), now - Duration::hours(1))
    } else {
        (now, now + Duration::minutes(5))
    };
    let user = &grant.user;
    let mut standard = StandardClaims::new(SubjectIdentifier::new(user.subject.clone()));
    if !knobs.claims_only_in_userinfo {
        standard = standard
            .set_email(user.email.clone().map(EndUserEmail::new))
            .set_email_verified(Some(user.email_verified));
        if let Some(name) = &user.name {
            standard =
                standard.set_name(Some(LocalizedClaim::from(EndUserName::new(name.clone()))));
        }
    }
    let issuer = knobs
        .id_token_issuer
        .clone()
        .unwrap_or_else(|| shared.issuer.clone());
    let audience = knobs
        .audience
        .clone()
        .unwrap_or_else(|| CLIENT_ID.to_owned());
    let nonce = if knobs.wrong_nonce {
        Some(format!("not-{}", Uuid::new_v4().simple()))
    } else {
        grant.nonce.clone()
    };
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(issuer).expect("an issuer URL"),
        vec![Audience::new(audience)],
        expires,
        issued,
        standard,
        EmptyAdditionalClaims {},
    )
    .set_nonce(nonce.map(Nonce::new));
    let access_token = AccessToken::new(access_token.to_owned());
    let rs256 = CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256;
    let signed = match knobs.signing {
        Signing::Published => CoreIdToken::new(
            claims,
            &shared.signing_key,
            rs256,
            Some(&access_token),
            None,
        ),
        Signing::UnpublishedKey => CoreIdToken::new(
            claims,
            &shared.unpublished_key,
            rs256,
            Some(&access_token),
            None,
        ),
        Signing::ClientSecret => CoreIdToken::new(
            claims,
            &CoreHmacKey::new(CLIENT_SECRET),
            CoreJwsSigningAlgorithm::HmacSha256,
            None,
            None,
        ),
        Signing::Unsigned => {
            let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
            let payload =
                URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims as JSON"));
            return format!("{header}.{payload}.");
        }
    };
    signed.expect("sign the ID token").to_string()
}

async fn token_oidc(
    req: HttpRequest,
    shared: web::Data<Shared>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let grant = match redeem(&shared, &req, &form) {
        Ok(grant) => grant,
        Err(refusal) => return shared.refuse(refusal),
    };
    let knobs = shared.lock().knobs.clone();
    let access_token = access_token_for(&shared, &grant.user);
    let id_token = id_token(&shared, &grant, &access_token, &knobs);
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "openid email profile",
            "id_token": id_token,
        }))
}

/// GitHub answers a failed exchange with 200 and an `error` field, and answers in form
/// encoding unless asked for JSON.
async fn token_github(
    req: HttpRequest,
    shared: web::Data<Shared>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let fields: Vec<(&str, String)> = match redeem(&shared, &req, &form) {
        Ok(grant) => vec![
            ("access_token", access_token_for(&shared, &grant.user)),
            ("token_type", "bearer".to_owned()),
            ("scope", "read:user,user:email".to_owned()),
        ],
        Err((_, error, why)) => {
            shared.lock().refusals.push(why.clone());
            vec![
                ("error", error.to_owned()),
                ("error_description", why.clone()),
            ]
        }
    };
    if wants_json {
        let body: serde_json::Map<String, Value> = fields
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Value::String(v)))
            .collect();
        HttpResponse::Ok().json(body)
    } else {
        let body = openidconnect::url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        HttpResponse::Ok()
            .content_type("application/x-www-form-urlencoded")
            .body(body)
    }
}

/// The user behind the bearer token of a user API request.
fn bearer_user(shared: &Shared, req: &HttpRequest) -> Result<TestUser, Refusal> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("token "))
        });
    let found = token.and_then(|t| shared.lock().access_tokens.get(t).cloned());
    found.ok_or_else(|| (401, "invalid_token", format!("bad token {token:?}")))
}

async fn userinfo(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let knobs = {
        let mut inner = shared.lock();
        inner.userinfo_calls += 1;
        inner.knobs.clone()
    };
    if knobs.userinfo_fails {
        return HttpResponse::InternalServerError().body("the user store is down");
    }
    match bearer_user(&shared, &req) {
        Ok(user) => HttpResponse::Ok().json(json!({
            "sub": knobs.userinfo_subject.unwrap_or(user.subject),
            "email": user.email,
            "email_verified": user.email_verified,
            "name": user.name,
        })),
        Err(refusal) => shared.refuse(refusal),
    }
}

/// GitHub refuses API requests without a `User-Agent`.
fn github_user_of(shared: &Shared, req: &HttpRequest) -> Result<TestUser, Refusal> {
    if !req.headers().contains_key(header::USER_AGENT) {
        return Err((403, "forbidden", "no User-Agent".to_owned()));
    }
    bearer_user(shared, req)
}

async fn github_user(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let user = match github_user_of(&shared, &req) {
        Ok(user) => user,
        Err(refusal) => return shared.refuse(refusal),
    };
    let id = user
        .subject
        .parse::<u64>()
        .map_or_else(|_| json!(user.subject), |n| json!(n));
    let login = user.name.as_deref().unwrap_or("octocat").replace(' ', "-");
    HttpResponse::Ok().json(json!({ "id": id, "login": login, "name": user.name }))
}

async fn github_emails(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let user = match github_user_of(&shared, &req) {
        Ok(user) => user,
        Err(refusal) => return shared.refuse(refusal),
    };
    let mut emails = Vec::new();
    if let Some(email) = &user.email {
        emails.push(json!({
            "email": email,
            "primary": true,
            "verified": user.email_verified,
            "visibility": "private",
        }));
    }
    let extra_emails = shared.lock().knobs.extra_emails.clone();
    for extra in extra_emails {
        emails.push(json!({
            "email": extra.email,
            "primary": extra.primary,
            "verified": extra.verified,
            "visibility": null,
        }));
    }
    HttpResponse::Ok().json(emails)
}
