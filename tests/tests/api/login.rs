//! Signing in end to end against the fake provider of `fake_idp`: web sessions, mobile tokens,
//! the GitHub preset, who gets in, and the attacks each flow must resist.
//!
//! The tests play the browser: a client that follows one redirect at a time and keeps the
//! cookies each host sets.

use std::sync::Mutex;

use actix_web::cookie::{Cookie, SameSite};
use chrono::Utc;
use entity::access_token::{self, TokenKind};
use entity::cohort_staff::{self, StaffRole};
use entity::membership::{self, MembershipRole, Profession};
use entity::user::UserRole;
use entity::{auth_code, auth_flow, identity, invitation, user};
use openidconnect::PkceCodeChallenge;
use peerlearn::auth::settings::{AuthSettings, ProviderConfig, SignupPolicy};
use peerlearn::auth::token::{ensure_user, hash};
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{Options, TestApp, error_code, gid};
use reqwest::Url;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, ModelTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fake_idp::{FakeIdp, GithubEmail, Knobs, Signing, TestUser};

/// The name of the OIDC provider in the API's settings.
const PROVIDER: &str = "test";
/// The one front-end URL a web sign-in may return to.
const RETURN_TO: &str = "https://app.example.org/signed-in";
/// The one redirect URI of the mobile app.
const APP_REDIRECT: &str = "org.example.peerlearn:/oauth/callback";
/// The session cookie over plain HTTP.
const COOKIE: &str = "peerlearn_session";

// ---------------------------------------------------------------------------------------------
// Set-up

/// Starts the API with `providers`, the allow-lists above and `signup`.
async fn spawn(signup: SignupPolicy, providers: Vec<ProviderConfig>) -> TestApp {
    TestApp::spawn_with(Options {
        auth: AuthSettings {
            signup,
            web_redirects: vec![RETURN_TO.to_owned()],
            mobile_redirects: vec![APP_REDIRECT.to_owned()],
            providers,
            ..AuthSettings::default()
        },
        ..Options::default()
    })
    .await
}

/// A fake OIDC provider at which `user` is signed in, and the API configured with it.
async fn oidc_app(signup: SignupPolicy, user: TestUser) -> (TestApp, FakeIdp) {
    let idp = FakeIdp::start(user).await;
    let app = spawn(signup, vec![idp.oidc_provider(PROVIDER)]).await;
    (app, idp)
}

/// A fake GitHub at which `user` is signed in, and the API configured with its preset.
async fn github_app(signup: SignupPolicy, user: TestUser) -> (TestApp, FakeIdp) {
    let idp = FakeIdp::start(user).await;
    let app = spawn(signup, vec![idp.github_provider("github")]).await;
    (app, idp)
}

fn ada() -> TestUser {
    TestUser::verified("sub-ada", "ada@example.org", "Ada Lovelace")
}

// ---------------------------------------------------------------------------------------------
// The browser

/// An HTTP client that follows no redirect by itself.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A browser: it follows redirects one at a time, keeps the cookies each host sets and sends
/// them back to that host.
#[derive(Debug)]
struct Browser {
    client: reqwest::Client,
    jar: Mutex<Vec<(String, Cookie<'static>)>>,
}

/// The `host:port` a cookie belongs to.
fn host_of(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    )
}

impl Browser {
    fn new() -> Self {
        Self {
            client: http(),
            jar: Mutex::new(Vec::new()),
        }
    }

    /// `GET url` with this browser's cookies for its host; keeps the cookies the answer sets.
    async fn get(&self, url: &str) -> Hop {
        let host = host_of(&Url::parse(url).unwrap());
        let sent: Vec<String> = self
            .jar
            .lock()
            .unwrap()
            .iter()
            .filter(|(h, _)| *h == host)
            .map(|(_, c)| format!("{}={}", c.name(), c.value()))
            .collect();
        let mut request = self.client.get(url);
        if !sent.is_empty() {
            request = request.header("cookie", sent.join("; "));
        }
        let hop = Hop::from_response(request.send().await.unwrap()).await;
        let mut jar = self.jar.lock().unwrap();
        for cookie in &hop.cookies {
            jar.retain(|(h, c)| !(*h == host && c.name() == cookie.name()));
            let removed = cookie.value().is_empty()
                || cookie
                    .max_age()
                    .is_some_and(|age| age <= actix_web::cookie::time::Duration::ZERO);
            if !removed {
                jar.push((host.clone(), cookie.clone()));
            }
        }
        hop
    }

    /// Follows the redirect of `hop`.
    async fn follow(&self, hop: &Hop) -> Hop {
        assert_eq!(hop.status, 302, "a redirect: {hop:?}");
        self.get(hop.location()).await
    }
}

/// One response of a redirect chain.
#[derive(Debug)]
struct Hop {
    status: u16,
    location: Option<String>,
    cookies: Vec<Cookie<'static>>,
    cache_control: Option<String>,
    body: String,
}

impl Hop {
    async fn from_response(response: reqwest::Response) -> Self {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let location = header("location");
        let cache_control = header("cache-control");
        let cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| Cookie::parse(v.to_str().unwrap().to_owned()).unwrap())
            .collect();
        Self {
            status: response.status().as_u16(),
            location,
            cookies,
            cache_control,
            body: response.text().await.unwrap(),
        }
    }

    /// `GET url` in a fresh browser.
    async fn get(url: &str) -> Self {
        Browser::new().get(url).await
    }

    fn location(&self) -> &str {
        self.location
            .as_deref()
            .unwrap_or_else(|| panic!("a redirect: {self:?}"))
    }

    /// A query parameter of the redirect target.
    fn location_param(&self, name: &str) -> Option<String> {
        Url::parse(self.location())
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The session cookie this response sets, if it sets one with a value.
    fn session(&self) -> Option<&Cookie<'static>> {
        self.cookies
            .iter()
            .find(|c| c.name() == COOKIE && !c.value().is_empty())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("a JSON body: {self:?}"))
    }
}

/// `url` with the query parameter `name` set to `value` (added, or replacing every earlier one).
fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut url = Url::parse(url).unwrap();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair(name, value);
    url.to_string()
}

/// The start URL of `provider` with `params`.
fn start_url(app: &TestApp, provider: &str, params: &[(&str, &str)]) -> String {
    Url::parse_with_params(&format!("{}/auth/{provider}/start", app.address), params)
        .unwrap()
        .to_string()
}

/// `GET /auth/<provider>/start?return_to=<return_to>` in `browser`.
async fn start_web(app: &TestApp, browser: &Browser, provider: &str, return_to: &str) -> Hop {
    browser
        .get(&start_url(app, provider, &[("return_to", return_to)]))
        .await
}

/// Starts a web sign-in in `browser` and lets the provider answer; returns the provider's
/// redirect to the callback, not yet followed.
async fn web_to_callback_in(app: &TestApp, browser: &Browser, provider: &str) -> Hop {
    let start = start_web(app, browser, provider, RETURN_TO).await;
    let back = browser.follow(&start).await;
    assert_eq!(back.status, 302, "the provider redirects back: {back:?}");
    back
}

/// [`web_to_callback_in`] a fresh browser, which is returned.
async fn web_to_callback(app: &TestApp, provider: &str) -> (Browser, Hop) {
    let browser = Browser::new();
    let back = web_to_callback_in(app, &browser, provider).await;
    (browser, back)
}

/// A whole web sign-in in a fresh browser: start, provider, callback. Returns the callback's
/// response.
async fn web_login(app: &TestApp, provider: &str) -> Hop {
    let (browser, back) = web_to_callback(app, provider).await;
    browser.follow(&back).await
}

/// A web sign-in that must succeed; returns the session cookie's value.
async fn web_session(app: &TestApp, provider: &str) -> String {
    let done = web_login(app, provider).await;
    assert_eq!(done.status, 302, "{done:?}");
    assert_eq!(done.location(), RETURN_TO);
    done.session()
        .unwrap_or_else(|| panic!("a session cookie: {done:?}"))
        .value()
        .to_owned()
}

/// Asserts that the browser was sent back to the front end with `error=<code>`, without a
/// session.
fn assert_sent_back_with(hop: &Hop, code: &str) {
    assert_eq!(hop.status, 302, "{hop:?}");
    assert_eq!(hop.location(), format!("{RETURN_TO}?error={code}"));
    assert!(hop.session().is_none(), "no session: {hop:?}");
}

/// Asserts a JSON error answer without a redirect or a session.
fn assert_error_body(hop: &Hop, status: u16, code: &str) {
    assert_eq!(hop.status, status, "{hop:?}");
    assert!(hop.location.is_none(), "no redirect: {hop:?}");
    assert!(hop.session().is_none(), "no session: {hop:?}");
    assert_eq!(hop.json()["error"], code, "{hop:?}");
}

// ---------------------------------------------------------------------------------------------
// Calling the API

/// How a request is authenticated.
#[derive(Debug, Clone, Copy)]
enum As<'a> {
    /// A browser: the session cookie and the `X-Requested-With` header.
    Browser(&'a str),
    /// `Authorization: Bearer`.
    Bearer(&'a str),
}

async fn graphql_as(app: &TestApp, who: As<'_>, query: &str, variables: Value) -> (u16, Value) {
    let request = http()
        .post(app.graphql_url())
        .header("content-type", "application/json")
        .json(&json!({ "query": query, "variables": variables }));
    let request = match who {
        As::Browser(cookie) => request
            .header("cookie", format!("{COOKIE}={cookie}"))
            .header("x-requested-with", "fetch"),
        As::Bearer(token) => request.bearer_auth(token),
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The viewer's name; panics unless the credential works.
async fn viewer_name(app: &TestApp, who: As<'_>) -> String {
    let (status, body) = graphql_as(app, who, "{ viewer { name } }", json!({})).await;
    assert_eq!(status, 200, "{who:?} works: {body}");
    body["data"]["viewer"]["name"].as_str().unwrap().to_owned()
}

/// The viewer's user id; panics unless the credential works.
async fn viewer_id(app: &TestApp, who: As<'_>) -> String {
    let (status, body) = graphql_as(app, who, "{ viewer { id } }", json!({})).await;
    assert_eq!(status, 200, "{who:?} works: {body}");
    body["data"]["viewer"]["id"].as_str().unwrap().to_owned()
}

/// Asserts that the credential is refused with 401 `UNAUTHENTICATED`.
async fn assert_refused(app: &TestApp, who: As<'_>) {
    let (status, body) = graphql_as(app, who, "{ viewer { name } }", json!({})).await;
    assert_eq!(status, 401, "{who:?} is refused: {body}");
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
}

/// `POST /auth/logout` with the session cookie (and `X-Requested-With` if `csrf_header`).
async fn logout_browser(app: &TestApp, cookie: &str, csrf_header: bool) -> Hop {
    let mut request = http()
        .post(format!("{}/auth/logout", app.address))
        .header("cookie", format!("{COOKIE}={cookie}"));
    if csrf_header {
        request = request.header("x-requested-with", "fetch");
    }
    Hop::from_response(request.send().await.unwrap()).await
}

/// `POST /auth/token` with `form`.
async fn token_endpoint(app: &TestApp, form: &[(&str, &str)]) -> (u16, Value) {
    let response = http()
        .post(format!("{}/auth/token", app.address))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

// ---------------------------------------------------------------------------------------------
// The mobile app

/// A mobile app's PKCE pair: (S256 challenge, verifier).
fn pkce() -> (String, String) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    (challenge.as_str().to_owned(), verifier.secret().to_owned())
}

/// `GET /auth/<provider>/start?client=mobile&...`.
async fn start_mobile(
    app: &TestApp,
    browser: &Browser,
    redirect_uri: &str,
    challenge: &str,
    state: &str,
) -> Hop {
    let url = start_url(
        app,
        PROVIDER,
        &[
            ("client", "mobile"),
            ("redirect_uri", redirect_uri),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("state", state),
        ],
    );
    browser.get(&url).await
}

/// A mobile sign-in up to the redirect to the app; returns the app's one-time code.
async fn mobile_code(app: &TestApp, challenge: &str) -> String {
    let browser = Browser::new();
    let start = start_mobile(app, &browser, APP_REDIRECT, challenge, "app-state-1").await;
    let back = browser.follow(&start).await;
    let done = browser.follow(&back).await;
    assert_eq!(done.status, 302, "{done:?}");
    assert!(
        done.location().starts_with(&format!("{APP_REDIRECT}?")),
        "{done:?}"
    );
    assert!(done.session().is_none(), "no session for an app: {done:?}");
    assert_eq!(done.location_param("state").as_deref(), Some("app-state-1"));
    done.location_param("code").expect("a one-time code")
}

async fn redeem_code(app: &TestApp, code: &str, verifier: &str) -> (u16, Value) {
    token_endpoint(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", APP_REDIRECT),
        ],
    )
    .await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> (u16, Value) {
    token_endpoint(
        app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// Mobile tokens: (access token, refresh token).
#[derive(Debug, Clone)]
struct Pair {
    access: String,
    refresh: String,
}

impl Pair {
    fn from_body(status: u16, body: &Value) -> Self {
        assert_eq!(status, 200, "a token pair: {body}");
        Self {
            access: body["access_token"].as_str().unwrap().to_owned(),
            refresh: body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }
}

/// A whole mobile sign-in that must succeed.
async fn mobile_login(app: &TestApp) -> Pair {
    let (challenge, verifier) = pkce();
    let code = mobile_code(app, &challenge).await;
    let (status, body) = redeem_code(app, &code, &verifier).await;
    Pair::from_body(status, &body)
}

// ---------------------------------------------------------------------------------------------
// The database

async fn user_by_email(app: &TestApp, email: &str) -> Option<user::Model> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&app.db)
        .await
        .unwrap()
}

async fn identities_of(app: &TestApp, user_id: Uuid) -> Vec<identity::Model> {
    identity::Entity::find()
        .filter(identity::Column::UserId.eq(user_id))
        .all(&app.db)
        .await
        .unwrap()
}

async fn memberships_of(app: &TestApp, user_id: Uuid) -> Vec<membership::Model> {
    membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(&app.db)
        .await
        .unwrap()
}

async fn user_count(app: &TestApp) -> u64 {
    user::Entity::find().count(&app.db).await.unwrap()
}

/// Invites `email` into `organization` as `admin`; returns the invitation's id.
async fn invite_to_organization(
    app: &TestApp,
    admin: &str,
    email: &str,
    organization: Uuid,
    role: &str,
    profession: &str,
) -> Uuid {
    let input = json!({
        "email": email,
        "organizationId": gid(NodeKind::Organization, organization),
        "membershipRole": role,
        "profession": profession,
    });
    create_invitation(app, admin, input).await
}

async fn create_invitation(app: &TestApp, admin: &str, input: Value) -> Uuid {
    let body = app
        .graphql(
            Some(admin),
            "mutation($input: CreateInvitationInput!) {
               createInvitation(input: $input) { invitation { id status } userErrors { code } }
             }",
            json!({ "input": input }),
        )
        .await;
    let payload = &body["data"]["createInvitation"];
    assert_eq!(payload["invitation"]["status"], "PENDING", "{body}");
    let email = input["email"].as_str().unwrap();
    invitation::Entity::find()
        .filter(invitation::Column::Email.eq(email))
        .all(&app.db)
        .await
        .unwrap()
        .last()
        .expect("the invitation")
        .id
}

async fn invitation_row(app: &TestApp, id: Uuid) -> invitation::Model {
    invitation::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the invitation")
}

// =============================================================================================
// Web sign-in

#[tokio::test]
async fn web_login_ends_with_a_working_cookie_session() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;

    let listed = Hop::get(&format!("{}/auth/providers", app.address)).await;
    assert_eq!(
        listed.json(),
        json!({ "providers": [{
            "name": PROVIDER,
            "startUrl": format!("{}/auth/{PROVIDER}/start", app.address),
        }] })
    );

    let unknown = Hop::get(&start_url(&app, "nope", &[("return_to", RETURN_TO)])).await;
    assert_error_body(&unknown, 404, "unknown_provider");

    let browser = Browser::new();
    let start = start_web(&app, &browser, PROVIDER, RETURN_TO).await;
    assert_eq!(start.status, 302, "{start:?}");
    assert!(
        start
            .location()
            .starts_with(&format!("{}/authorize?", idp.issuer())),
        "{start:?}"
    );
    assert_eq!(start.cache_control.as_deref(), Some("no-store"));

    let back = browser.follow(&start).await;
    let asked = idp
        .authorizations()
        .pop()
        .expect("an authorization request");
    assert_eq!(
        asked["redirect_uri"],
        format!("{}/auth/{PROVIDER}/callback", app.address)
    );
    assert_eq!(asked["response_type"], "code");
    assert_eq!(asked["code_challenge_method"], "S256");
    assert_eq!(asked["code_challenge"].len(), 43);
    assert!(asked["state"].len() >= 32, "{asked:?}");
    assert!(asked["nonce"].len() >= 32, "{asked:?}");
    assert!(
        asked["scope"].split(' ').any(|s| s == "openid"),
        "{asked:?}"
    );
    assert!(asked["scope"].split(' ').any(|s| s == "email"), "{asked:?}");

    let done = browser.follow(&back).await;
    assert_eq!(done.status, 302, "{done:?}");
    assert_eq!(done.location(), RETURN_TO);
    assert_eq!(done.cache_control.as_deref(), Some("no-store"));
    assert!(idp.refusals().is_empty(), "{:?}", idp.refusals());
    let cookie = done.session().expect("a session cookie").clone();
    assert!(cookie.value().starts_with("pls_"), "{cookie}");
    assert_eq!(cookie.http_only(), Some(true), "{cookie}");
    assert_eq!(cookie.same_site(), Some(SameSite::Lax), "{cookie}");
    assert_eq!(cookie.path(), Some("/"), "{cookie}");
    assert_ne!(cookie.secure(), Some(true), "plain HTTP: {cookie}");
    assert_eq!(
        cookie.max_age(),
        Some(actix_web::cookie::time::Duration::days(14)),
        "{cookie}"
    );

    let session = cookie.value();
    let (status, body) = graphql_as(
        &app,
        As::Browser(session),
        "{ viewer { name email identities { nodes { issuer email emailVerified } } } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let viewer = &body["data"]["viewer"];
    assert_eq!(viewer["name"], "Ada Lovelace");
    assert_eq!(viewer["email"], "ada@example.org");
    assert_eq!(
        viewer["identities"]["nodes"],
        json!([{ "issuer": idp.issuer(), "email": "ada@example.org", "emailVerified": true }])
    );

    let out = logout_browser(&app, session, true).await;
    assert_eq!(out.status, 204, "{out:?}");
    let removal = out
        .cookies
        .iter()
        .find(|c| c.name() == COOKIE)
        .expect("the cookie is cleared");
    assert_eq!(removal.value(), "");
    assert_eq!(
        removal.max_age(),
        Some(actix_web::cookie::time::Duration::ZERO)
    );
    assert_refused(&app, As::Browser(session)).await;
}

#[tokio::test]
async fn signing_in_again_ends_the_session_the_browser_had() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let browser = Browser::new();
    let back = web_to_callback_in(&app, &browser, PROVIDER).await;
    let first = browser.follow(&back).await;
    let first = first.session().expect("a session").value().to_owned();
    let back = web_to_callback_in(&app, &browser, PROVIDER).await;
    let done = browser.follow(&back).await;
    let second = done.session().expect("a new session").value().to_owned();
    assert_ne!(first, second);
    assert_refused(&app, As::Browser(&first)).await;
    assert_eq!(
        viewer_name(&app, As::Browser(&second)).await,
        "Ada Lovelace"
    );
}

#[tokio::test]
async fn behind_https_the_session_cookie_is_secure_and_host_prefixed() {
    let idp = FakeIdp::start(ada()).await;
    let app = TestApp::spawn_with(Options {
        auth: AuthSettings {
            public_url: Some("https://api.example.org".to_owned()),
            signup: SignupPolicy::Open,
            web_redirects: vec![RETURN_TO.to_owned()],
            providers: vec![idp.oidc_provider(PROVIDER)],
            ..AuthSettings::default()
        },
        ..Options::default()
    })
    .await;
    let (browser, back) = web_to_callback(&app, PROVIDER).await;
    let public_callback = format!("https://api.example.org/auth/{PROVIDER}/callback");
    assert!(back.location().starts_with(&public_callback), "{back:?}");
    // A TLS-terminating proxy hands the request to the server.
    let done = browser
        .get(
            &back
                .location()
                .replace("https://api.example.org", &app.address),
        )
        .await;
    assert_eq!(done.location(), RETURN_TO, "{done:?}");
    let cookie = done
        .cookies
        .iter()
        .find(|c| c.name() == "__Host-peerlearn_session")
        .unwrap_or_else(|| panic!("a __Host- cookie: {done:?}"));
    assert_eq!(cookie.secure(), Some(true), "{cookie}");
    assert_eq!(cookie.http_only(), Some(true), "{cookie}");
    assert_eq!(cookie.path(), Some("/"), "{cookie}");
    assert_eq!(cookie.domain(), None, "{cookie}");
    assert!(done.session().is_none(), "no unprefixed cookie: {done:?}");

    let viewer = |name: &'static str| {
        http()
            .post(app.graphql_url())
            .header("cookie", format!("{name}={}", cookie.value()))
            .header("x-requested-with", "fetch")
            .json(&json!({ "query": "{ viewer { name } }" }))
            .send()
    };
    let response = viewer("__Host-peerlearn_session").await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["viewer"]["name"], "Ada Lovelace");
    // The unprefixed name, which a sibling host could set, is not a credential here.
    let response = viewer(COOKIE).await.unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
}

#[tokio::test]
async fn a_user_who_declines_at_the_provider_is_sent_back_with_access_denied() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    idp.misbehave(Knobs {
        deny: true,
        ..Knobs::default()
    });
    let done = web_login(&app, PROVIDER).await;
    assert_sent_back_with(&done, "access_denied");
    assert_eq!(user_count(&app).await, 0);
}

// =============================================================================================
// Mobile sign-in

#[tokio::test]
async fn mobile_login_ends_with_tokens_that_work_and_refresh() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let (challenge, verifier) = pkce();
    let code = mobile_code(&app, &challenge).await;
    // The API runs its own PKCE with the provider; the app's challenge never leaves the API.
    let asked = idp.authorizations().pop().unwrap();
    assert_ne!(asked["code_challenge"], challenge);
    assert_eq!(
        asked["redirect_uri"],
        format!("{}/auth/{PROVIDER}/callback", app.address)
    );

    let response = http()
        .post(format!("{}/auth/token", app.address))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("code_verifier", verifier.as_str()),
            ("redirect_uri", APP_REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 15 * 60);
    let first = Pair::from_body(200, &body);
    assert!(first.access.starts_with("pla_"), "{body}");
    assert!(first.refresh.starts_with("plr_"), "{body}");
    assert_eq!(
        viewer_name(&app, As::Bearer(&first.access)).await,
        "Ada Lovelace"
    );

    let (status, body) = refresh(&app, &first.refresh).await;
    let second = Pair::from_body(status, &body);
    assert_ne!(second.access, first.access);
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(
        viewer_name(&app, As::Bearer(&second.access)).await,
        "Ada Lovelace"
    );
    let (status, body) = refresh(&app, &second.refresh).await;
    let third = Pair::from_body(status, &body);
    assert_eq!(
        viewer_name(&app, As::Bearer(&third.access)).await,
        "Ada Lovelace"
    );

    // Signing out ends the whole mobile sign-in.
    let out = http()
        .post(format!("{}/auth/logout", app.address))
        .bearer_auth(&third.access)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_refused(&app, As::Bearer(&third.access)).await;
    let (status, body) = refresh(&app, &third.refresh).await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
}

#[tokio::test]
async fn a_replayed_mobile_code_is_rejected() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let (challenge, verifier) = pkce();
    let code = mobile_code(&app, &challenge).await;
    let (status, body) = redeem_code(&app, &code, &verifier).await;
    let pair = Pair::from_body(status, &body);
    let (status, body) = redeem_code(&app, &code, &verifier).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    // The first redemption is unaffected.
    assert_eq!(
        viewer_name(&app, As::Bearer(&pair.access)).await,
        "Ada Lovelace"
    );
}

#[tokio::test]
async fn an_expired_mobile_code_is_rejected() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let (challenge, verifier) = pkce();
    let code = mobile_code(&app, &challenge).await;
    let updated = auth_code::Entity::update_many()
        .col_expr(
            auth_code::Column::ExpiresAt,
            Expr::value(Utc::now() - chrono::Duration::seconds(1)),
        )
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected, 1);
    let (status, body) = redeem_code(&app, &code, &verifier).await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
    assert_eq!(
        access_token::Entity::find().count(&app.db).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn a_mobile_code_works_only_with_the_apps_verifier_and_redirect_uri() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;

    let (challenge, verifier) = pkce();
    let code = mobile_code(&app, &challenge).await;
    let (_, other_verifier) = pkce();
    let (status, body) = redeem_code(&app, &code, &other_verifier).await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
    // A wrong guess burns the code: it cannot be retried.
    let (status, body) = redeem_code(&app, &code, &verifier).await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));

    let (challenge, verifier) = pkce();
    let code = mobile_code(&app, &challenge).await;
    let (status, body) = token_endpoint(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("code_verifier", verifier.as_str()),
            ("redirect_uri", "org.example.evil:/oauth/callback"),
        ],
    )
    .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));

    let (status, body) = token_endpoint(
        &app,
        &[("grant_type", "authorization_code"), ("code", "nope")],
    )
    .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_request")));
    let (status, body) = token_endpoint(&app, &[("grant_type", "password")]).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("unsupported_grant_type"))
    );
    assert_eq!(
        access_token::Entity::find().count(&app.db).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn a_mobile_redirect_uri_off_the_allow_list_is_refused() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let (challenge, _) = pkce();
    for redirect_uri in [
        "org.example.evil:/oauth/callback",
        "org.example.peerlearn:/oauth/callback?next=https://evil.example",
        "org.example.peerlearn:/oauth/callback/../evil",
        "https://evil.example/oauth/callback",
        "",
    ] {
        let hop = start_mobile(&app, &Browser::new(), redirect_uri, &challenge, "s").await;
        assert_error_body(&hop, 400, "redirect_not_allowed");
    }

    // The app's PKCE challenge must be a well-formed S256 challenge.
    let plain = start_url(
        &app,
        PROVIDER,
        &[
            ("client", "mobile"),
            ("redirect_uri", APP_REDIRECT),
            ("code_challenge", &challenge),
            ("code_challenge_method", "plain"),
        ],
    );
    assert_error_body(&Hop::get(&plain).await, 400, "invalid_request");
    let hop = start_mobile(&app, &Browser::new(), APP_REDIRECT, "too-short", "s").await;
    assert_error_body(&hop, 400, "invalid_request");

    assert_eq!(auth_flow::Entity::find().count(&app.db).await.unwrap(), 0);
    assert!(idp.authorizations().is_empty());
}

#[tokio::test]
async fn a_failed_mobile_sign_in_goes_back_to_the_app_with_its_state_and_the_error() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    idp.misbehave(Knobs {
        wrong_nonce: true,
        ..Knobs::default()
    });
    let browser = Browser::new();
    let (challenge, _) = pkce();
    let start = start_mobile(&app, &browser, APP_REDIRECT, &challenge, "app-state-2").await;
    let done = browser.follow(&browser.follow(&start).await).await;
    assert_eq!(done.status, 302, "{done:?}");
    assert_eq!(
        done.location(),
        format!("{APP_REDIRECT}?state=app-state-2&error=provider_error")
    );
    assert_eq!(auth_code::Entity::find().count(&app.db).await.unwrap(), 0);
    assert_eq!(user_count(&app).await, 0);
}

// =============================================================================================
// State, flow and redirect attacks

#[tokio::test]
async fn a_callback_with_a_wrong_state_is_rejected() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let (browser, back) = web_to_callback(&app, PROVIDER).await;

    let forged = with_param(back.location(), "state", "forged-state");
    assert_error_body(&browser.get(&forged).await, 400, "invalid_state");
    let mut missing = Url::parse(back.location()).unwrap();
    missing.set_query(Some("code=abc"));
    assert_error_body(&browser.get(missing.as_str()).await, 400, "invalid_state");
    assert_eq!(user_count(&app).await, 0);

    // The genuine callback still completes: a wrong state consumed nothing.
    let done = browser.follow(&back).await;
    assert_eq!(done.location(), RETURN_TO);
    assert!(done.session().is_some(), "{done:?}");
    assert!(idp.refusals().is_empty(), "{:?}", idp.refusals());
}

#[tokio::test]
async fn a_replayed_state_is_rejected() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let (browser, back) = web_to_callback(&app, PROVIDER).await;
    let done = browser.follow(&back).await;
    assert!(done.session().is_some(), "{done:?}");

    let replayed = browser.follow(&back).await;
    assert_error_body(&replayed, 400, "invalid_state");
    let sessions = access_token::Entity::find()
        .filter(access_token::Column::Kind.eq(TokenKind::WebSession))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(sessions, 1);
}

#[tokio::test]
async fn a_callback_opened_in_a_browser_that_did_not_start_the_flow_signs_nobody_in() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let victim = Browser::new();
    let back = web_to_callback_in(&app, &victim, PROVIDER).await;
    let own = victim.follow(&back).await;
    let own = own
        .session()
        .expect("the victim's session")
        .value()
        .to_owned();

    // The attacker signs in with their own account and keeps the link back to the API.
    idp.sign_in_as(TestUser::verified(
        "sub-mallory",
        "mallory@example.org",
        "Mallory",
    ));
    let (_attacker, link) = web_to_callback(&app, PROVIDER).await;

    // The victim's browser is made to open it.
    let done = victim.follow(&link).await;
    assert!(
        done.session().is_none(),
        "the victim is not signed in as the attacker: {done:?}"
    );
    assert!(
        done.status == 400 || done.location_param("error").is_some(),
        "{done:?}"
    );
    assert_eq!(viewer_name(&app, As::Browser(&own)).await, "Ada Lovelace");
}

#[tokio::test]
async fn a_state_delivered_to_another_providers_callback_is_rejected() {
    let idp = FakeIdp::start(ada()).await;
    let other = FakeIdp::start(ada()).await;
    let app = spawn(
        SignupPolicy::Open,
        vec![idp.oidc_provider(PROVIDER), other.oidc_provider("other")],
    )
    .await;
    let (browser, back) = web_to_callback(&app, PROVIDER).await;
    let mixed_up = back.location().replace(
        &format!("/auth/{PROVIDER}/callback"),
        "/auth/other/callback",
    );
    let done = browser.get(&mixed_up).await;
    assert_sent_back_with(&done, "invalid_state");
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn an_expired_flow_is_rejected() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let (browser, back) = web_to_callback(&app, PROVIDER).await;
    let past = Utc::now() - chrono::Duration::minutes(1);
    let updated = auth_flow::Entity::update_many()
        .col_expr(auth_flow::Column::ExpiresAt, Expr::value(past))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected, 1);

    let done = browser.follow(&back).await;
    assert_sent_back_with(&done, "expired");
    assert_eq!(user_count(&app).await, 0);
    // The flow is gone: trying again is an unknown state.
    assert_error_body(&browser.follow(&back).await, 400, "invalid_state");
}

#[tokio::test]
async fn a_return_to_off_the_allow_list_is_refused() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    for return_to in [
        "https://evil.example/signed-in",
        "https://app.example.org/signed-in?next=https://evil.example",
        "https://app.example.org/signed-in#https://evil.example",
        "https://app.example.org/signed-in/",
        "https://app.example.org/signed-in.evil.example",
        "https://app.example.org.evil.example/signed-in",
        "https://APP.example.org/signed-in",
        "https://app.example.org@evil.example/signed-in",
        "//evil.example/signed-in",
        "/signed-in",
        "",
    ] {
        let hop = start_web(&app, &Browser::new(), PROVIDER, return_to).await;
        assert_error_body(&hop, 400, "redirect_not_allowed");
    }
    // No `return_to` at all, and a second `return_to` next to an allowed one.
    let bare = Hop::get(&start_url(&app, PROVIDER, &[])).await;
    assert_error_body(&bare, 400, "redirect_not_allowed");
    let doubled = start_url(
        &app,
        PROVIDER,
        &[
            ("return_to", RETURN_TO),
            ("return_to", "https://evil.example/"),
        ],
    );
    let hop = Hop::get(&doubled).await;
    assert_eq!(hop.status, 400, "{hop:?}");
    assert!(hop.location.is_none(), "{hop:?}");

    assert_eq!(auth_flow::Entity::find().count(&app.db).await.unwrap(), 0);
    assert!(idp.authorizations().is_empty());
}

#[tokio::test]
async fn extra_callback_parameters_do_not_change_where_the_browser_goes() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let (browser, back) = web_to_callback(&app, PROVIDER).await;
    let mut url = back.location().to_owned();
    for (name, value) in [
        ("return_to", "https://evil.example/"),
        ("redirect_uri", "https://evil.example/"),
        ("next", "https://evil.example/"),
    ] {
        url = with_param(&url, name, value);
    }
    let done = browser.get(&url).await;
    assert_eq!(done.location(), RETURN_TO);
    assert!(done.session().is_some(), "{done:?}");

    // Nor on a failure: the error goes to the flow's own return_to.
    idp.misbehave(Knobs {
        wrong_nonce: true,
        ..Knobs::default()
    });
    let (browser, back) = web_to_callback(&app, PROVIDER).await;
    let url = with_param(back.location(), "return_to", "https://evil.example/");
    assert_sent_back_with(&browser.get(&url).await, "provider_error");
}

#[tokio::test]
async fn an_iss_parameter_of_another_issuer_is_rejected() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    idp.misbehave(Knobs {
        callback_issuer: Some("https://evil.example".to_owned()),
        ..Knobs::default()
    });
    let (browser, back) = web_to_callback(&app, PROVIDER).await;
    assert_eq!(
        back.location_param("iss").as_deref(),
        Some("https://evil.example")
    );
    let done = browser.follow(&back).await;
    assert_sent_back_with(&done, "issuer_mismatch");
    assert_eq!(user_count(&app).await, 0);

    // The provider's own issuer passes (every other test sends it too).
    idp.misbehave(Knobs::default());
    let (browser, back) = web_to_callback(&app, PROVIDER).await;
    assert_eq!(back.location_param("iss").as_deref(), Some(idp.issuer()));
    assert!(browser.follow(&back).await.session().is_some());
}

// =============================================================================================
// ID tokens that must not verify

/// Signs in with the provider misbehaving as `knobs` say, and asserts that nobody got in.
async fn assert_id_token_rejected(knobs: Knobs) {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    idp.misbehave(knobs);
    let done = web_login(&app, PROVIDER).await;
    assert_sent_back_with(&done, "provider_error");
    assert!(
        idp.refusals().is_empty(),
        "the provider itself was happy: {:?}",
        idp.refusals()
    );
    assert_eq!(user_count(&app).await, 0);
    assert_eq!(identity::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_rejected() {
    assert_id_token_rejected(Knobs {
        wrong_nonce: true,
        ..Knobs::default()
    })
    .await;
}

#[tokio::test]
async fn an_id_token_from_another_issuer_is_rejected() {
    assert_id_token_rejected(Knobs {
        id_token_issuer: Some("https://evil.example".to_owned()),
        ..Knobs::default()
    })
    .await;
}

#[tokio::test]
async fn an_id_token_for_another_client_is_rejected() {
    assert_id_token_rejected(Knobs {
        audience: Some("some-other-client".to_owned()),
        ..Knobs::default()
    })
    .await;
}

#[tokio::test]
async fn an_expired_id_token_is_rejected() {
    assert_id_token_rejected(Knobs {
        expired: true,
        ..Knobs::default()
    })
    .await;
}

#[tokio::test]
async fn an_id_token_signed_with_an_unknown_key_is_rejected() {
    assert_id_token_rejected(Knobs {
        signing: Signing::UnpublishedKey,
        ..Knobs::default()
    })
    .await;
}

#[tokio::test]
async fn an_id_token_signed_with_the_client_secret_is_rejected() {
    assert_id_token_rejected(Knobs {
        signing: Signing::ClientSecret,
        ..Knobs::default()
    })
    .await;
}

#[tokio::test]
async fn an_unsigned_id_token_is_rejected() {
    assert_id_token_rejected(Knobs {
        signing: Signing::Unsigned,
        ..Knobs::default()
    })
    .await;
}

// =============================================================================================
// Tokens and sessions

#[tokio::test]
async fn a_reused_refresh_token_revokes_the_whole_family() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let first = mobile_login(&app).await;
    let (status, body) = refresh(&app, &first.refresh).await;
    let second = Pair::from_body(status, &body);
    assert_eq!(
        viewer_name(&app, As::Bearer(&second.access)).await,
        "Ada Lovelace"
    );

    // The retired refresh token comes back: it leaked.
    let (status, body) = refresh(&app, &first.refresh).await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
    assert_refused(&app, As::Bearer(&second.access)).await;
    assert_refused(&app, As::Bearer(&first.access)).await;
    let (status, body) = refresh(&app, &second.refresh).await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));

    // Another sign-in of the same user is a separate family and keeps working.
    let other = mobile_login(&app).await;
    assert_eq!(
        viewer_name(&app, As::Bearer(&other.access)).await,
        "Ada Lovelace"
    );
}

#[tokio::test]
async fn an_idle_or_expired_session_ends() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let idle = web_session(&app, PROVIDER).await;
    let old = web_session(&app, PROVIDER).await;
    let fresh = web_session(&app, PROVIDER).await;
    for session in [&idle, &old, &fresh] {
        assert_eq!(
            viewer_name(&app, As::Browser(session)).await,
            "Ada Lovelace"
        );
    }

    // Unused for nine hours, past the default idle limit of eight.
    let nine_hours_ago = Utc::now() - chrono::Duration::hours(9);
    access_token::Entity::update_many()
        .col_expr(
            access_token::Column::LastUsedAt,
            Expr::value(nine_hours_ago),
        )
        .col_expr(access_token::Column::CreatedAt, Expr::value(nine_hours_ago))
        .filter(access_token::Column::TokenHash.eq(hash(&idle)))
        .exec(&app.db)
        .await
        .unwrap();
    // Past its maximum age, however active.
    access_token::Entity::update_many()
        .col_expr(
            access_token::Column::ExpiresAt,
            Expr::value(Utc::now() - chrono::Duration::minutes(1)),
        )
        .filter(access_token::Column::TokenHash.eq(hash(&old)))
        .exec(&app.db)
        .await
        .unwrap();

    assert_refused(&app, As::Browser(&idle)).await;
    assert_refused(&app, As::Browser(&old)).await;
    assert_eq!(viewer_name(&app, As::Browser(&fresh)).await, "Ada Lovelace");
}

#[tokio::test]
async fn credentials_work_only_where_they_belong() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let session = web_session(&app, PROVIDER).await;
    let pair = mobile_login(&app).await;
    assert_refused(&app, As::Bearer(&session)).await;
    assert_refused(&app, As::Bearer(&pair.refresh)).await;
    assert_refused(&app, As::Browser(&pair.access)).await;
    let (status, body) = refresh(&app, &pair.access).await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
    let (status, body) = refresh(&app, &session).await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
}

const CREATE_TOKEN: &str =
    r#"mutation { createPersonalAccessToken(input: { name: "csrf" }) { token } }"#;

async fn personal_token_count(app: &TestApp) -> u64 {
    access_token::Entity::find()
        .filter(access_token::Column::Kind.eq(TokenKind::Personal))
        .count(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_cookie_authenticated_form_post_is_rejected_and_changes_nothing() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let session = web_session(&app, PROVIDER).await;
    let before = app.snapshot().await;
    for (content_type, body) in [
        (
            "application/x-www-form-urlencoded",
            format!("query={}", CREATE_TOKEN.replace(' ', "+")),
        ),
        ("text/plain", json!({ "query": CREATE_TOKEN }).to_string()),
        (
            "multipart/form-data; boundary=x",
            format!(
                "--x\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n{CREATE_TOKEN}\r\n--x--\r\n"
            ),
        ),
    ] {
        for csrf_header in [false, true] {
            let mut request = http()
                .post(app.graphql_url())
                .header("cookie", format!("{COOKIE}={session}"))
                .header("content-type", content_type)
                .body(body.clone());
            if csrf_header {
                request = request.header("x-requested-with", "fetch");
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 415, "{content_type}");
        }
    }
    assert_eq!(personal_token_count(&app).await, 0);
    assert_eq!(app.snapshot().await, before);
    // The session itself is fine.
    assert_eq!(
        viewer_name(&app, As::Browser(&session)).await,
        "Ada Lovelace"
    );
}

#[tokio::test]
async fn a_cookie_authenticated_request_without_x_requested_with_is_403() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let session = web_session(&app, PROVIDER).await;

    let response = http()
        .post(app.graphql_url())
        .header("cookie", format!("{COOKIE}={session}"))
        .header("content-type", "application/json")
        .json(&json!({ "query": CREATE_TOKEN }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    assert!(body.get("data").is_none(), "{body}");

    let response = http()
        .get(app.graphql_url())
        .header("cookie", format!("{COOKIE}={session}"))
        .query(&[("query", "{ viewer { name email } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // Nor can another site sign the user out.
    let out = logout_browser(&app, &session, false).await;
    assert_error_body(&out, 403, "csrf");
    assert!(out.cookies.is_empty(), "{out:?}");

    assert_eq!(personal_token_count(&app).await, 0);
    assert_eq!(
        viewer_name(&app, As::Browser(&session)).await,
        "Ada Lovelace"
    );
}

#[tokio::test]
async fn a_revoked_session_and_a_revoked_personal_access_token_are_rejected() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let session = web_session(&app, PROVIDER).await;
    let browser_session = As::Browser(&session);

    let (_, body) = graphql_as(
        &app,
        browser_session,
        r#"mutation { createPersonalAccessToken(input: { name: "script" }) {
             accessToken { id } token } }"#,
        json!({}),
    )
    .await;
    let created = &body["data"]["createPersonalAccessToken"];
    let token = created["token"].as_str().expect("a token").to_owned();
    let token_id = created["accessToken"]["id"].clone();
    assert_eq!(viewer_name(&app, As::Bearer(&token)).await, "Ada Lovelace");
    let (_, body) = graphql_as(
        &app,
        browser_session,
        "mutation($id: ID!) { revokeAccessToken(input: { id: $id }) {
           accessToken { revokedAt } userErrors { code } } }",
        json!({ "id": token_id }),
    )
    .await;
    assert!(
        body["data"]["revokeAccessToken"]["accessToken"]["revokedAt"].is_string(),
        "{body}"
    );
    assert_refused(&app, As::Bearer(&token)).await;

    let (_, body) = graphql_as(
        &app,
        browser_session,
        "{ viewer { sessions { nodes { id kind isCurrent } } } }",
        json!({}),
    )
    .await;
    let sessions = body["data"]["viewer"]["sessions"]["nodes"].clone();
    assert_eq!(sessions.as_array().unwrap().len(), 1, "{body}");
    assert_eq!(sessions[0]["kind"], "WEB");
    assert_eq!(sessions[0]["isCurrent"], true);
    let (_, body) = graphql_as(
        &app,
        browser_session,
        "mutation($id: ID!) { revokeSession(input: { id: $id }) {
           revokedSessionId userErrors { code } } }",
        json!({ "id": sessions[0]["id"] }),
    )
    .await;
    assert_eq!(
        body["data"]["revokeSession"]["revokedSessionId"], sessions[0]["id"],
        "{body}"
    );
    assert_refused(&app, browser_session).await;
}

#[tokio::test]
async fn deactivating_a_user_ends_their_sessions_at_once() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let (_, admin) = app.admin().await;
    let session = web_session(&app, PROVIDER).await;
    let pair = mobile_login(&app).await;
    let id = viewer_id(&app, As::Browser(&session)).await;

    let body = app
        .graphql(
            Some(&admin),
            "mutation($id: ID!) { deactivateUser(input: { id: $id }) {
               user { isActive } userErrors { code } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["deactivateUser"]["user"]["isActive"], false,
        "{body}"
    );

    assert_refused(&app, As::Browser(&session)).await;
    assert_refused(&app, As::Bearer(&pair.access)).await;
    let (status, body) = refresh(&app, &pair.refresh).await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
    assert_sent_back_with(&web_login(&app, PROVIDER).await, "account_deactivated");

    // Reactivation lets them sign in again, but what was revoked stays revoked.
    let body = app
        .graphql(
            Some(&admin),
            "mutation($id: ID!) { reactivateUser(input: { id: $id }) { user { isActive } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["reactivateUser"]["user"]["isActive"], true,
        "{body}"
    );
    assert_refused(&app, As::Browser(&session)).await;
    assert_refused(&app, As::Bearer(&pair.access)).await;
    let (status, _) = refresh(&app, &pair.refresh).await;
    assert_eq!(status, 400);
    let again = web_session(&app, PROVIDER).await;
    assert_eq!(viewer_name(&app, As::Browser(&again)).await, "Ada Lovelace");
}

#[tokio::test]
async fn a_mobile_code_issued_before_deactivation_grants_nothing() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let (_, admin) = app.admin().await;
    let (challenge, verifier) = pkce();
    let code = mobile_code(&app, &challenge).await;
    let ada = user_by_email(&app, "ada@example.org").await.unwrap();

    let body = app
        .graphql(
            Some(&admin),
            "mutation($id: ID!) { deactivateUser(input: { id: $id }) { user { isActive } } }",
            json!({ "id": gid(NodeKind::User, ada.id) }),
        )
        .await;
    assert_eq!(body["data"]["deactivateUser"]["user"]["isActive"], false);

    // The app redeems the code it received just before.
    let (status, body) = redeem_code(&app, &code, &verifier).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    // Whatever happened, a later reactivation must not bring a sign-in back to life.
    let body = app
        .graphql(
            Some(&admin),
            "mutation($id: ID!) { reactivateUser(input: { id: $id }) { user { isActive } } }",
            json!({ "id": gid(NodeKind::User, ada.id) }),
        )
        .await;
    assert_eq!(body["data"]["reactivateUser"]["user"]["isActive"], true);
    let live = access_token::Entity::find()
        .filter(access_token::Column::UserId.eq(ada.id))
        .filter(access_token::Column::RevokedAt.is_null())
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(live, 0, "no token issued after deactivation is live");
}

// =============================================================================================
// Who gets in

#[tokio::test]
async fn signing_up_by_invitation_grants_the_membership_and_the_staff_role() {
    let nia = TestUser::verified("sub-nia", "Nia@Example.org", "Nia Noor");
    let (app, _idp) = oidc_app(SignupPolicy::Invitation, nia).await;
    let (_, admin) = app.admin().await;
    let clinic = app.organization("Harbor Clinic").await;
    let cohort = app.cohort("bhi-2026").await;
    let to_clinic = invite_to_organization(
        &app,
        &admin,
        "nia@example.org",
        clinic.id,
        "LEAD",
        "PHYSICIAN",
    )
    .await;
    let to_staff = create_invitation(
        &app,
        &admin,
        json!({
            "email": "nia@example.org",
            "cohortId": gid(NodeKind::Cohort, cohort.id),
            "staffRole": "COACH",
        }),
    )
    .await;

    let session = web_session(&app, PROVIDER).await;
    let nia = user_by_email(&app, "nia@example.org")
        .await
        .expect("a new user with the verified email");
    assert_eq!(nia.name, "Nia Noor");
    assert_eq!(nia.role, UserRole::User);

    let memberships = memberships_of(&app, nia.id).await;
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].organization_id, clinic.id);
    assert_eq!(memberships[0].role, MembershipRole::Lead);
    assert_eq!(memberships[0].profession, Profession::Physician);
    let staff = cohort_staff::Entity::find()
        .filter(cohort_staff::Column::UserId.eq(nia.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(staff.len(), 1);
    assert_eq!(staff[0].cohort_id, cohort.id);
    assert_eq!(staff[0].role, StaffRole::Coach);
    for id in [to_clinic, to_staff] {
        let row = invitation_row(&app, id).await;
        assert!(row.redeemed_at.is_some(), "{row:?}");
        assert_eq!(row.redeemed_by_id, Some(nia.id));
    }

    let (_, body) = graphql_as(
        &app,
        As::Browser(&session),
        "{ viewer { memberships { nodes { role profession organization { name } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["viewer"]["memberships"]["nodes"],
        json!([{ "role": "LEAD", "profession": "PHYSICIAN",
                 "organization": { "name": "Harbor Clinic" } }])
    );
}

#[tokio::test]
async fn signing_up_without_an_invitation_is_refused() {
    let (app, _idp) = oidc_app(SignupPolicy::Invitation, ada()).await;
    assert_sent_back_with(&web_login(&app, PROVIDER).await, "not_invited");
    assert_eq!(user_count(&app).await, 0);
    assert_eq!(identity::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn an_unverified_email_cannot_redeem_an_invitation() {
    let claimant = TestUser::unverified("sub-mallory", "nia@example.org", "Mallory");
    let (app, _idp) = oidc_app(SignupPolicy::Invitation, claimant).await;
    let (_, admin) = app.admin().await;
    let clinic = app.organization("Harbor Clinic").await;
    let id = invite_to_organization(
        &app,
        &admin,
        "nia@example.org",
        clinic.id,
        "MEMBER",
        "NURSE",
    )
    .await;
    let users = user_count(&app).await;

    assert_sent_back_with(&web_login(&app, PROVIDER).await, "not_invited");
    assert_eq!(user_count(&app).await, users);
    assert!(invitation_row(&app, id).await.redeemed_at.is_none());
}

#[tokio::test]
async fn an_invitation_used_twice_grants_nothing_the_second_time() {
    let nia = TestUser::verified("sub-nia", "nia@example.org", "Nia Noor");
    let (app, idp) = oidc_app(SignupPolicy::Invitation, nia).await;
    let (_, admin) = app.admin().await;
    let clinic = app.organization("Harbor Clinic").await;
    let id =
        invite_to_organization(&app, &admin, "nia@example.org", clinic.id, "LEAD", "NURSE").await;
    web_session(&app, PROVIDER).await;
    let nia = user_by_email(&app, "nia@example.org").await.unwrap();
    let redeemed = invitation_row(&app, id).await;
    assert_eq!(redeemed.redeemed_by_id, Some(nia.id));

    // A lead removes Nia from the clinic; signing in again does not bring her back.
    for m in memberships_of(&app, nia.id).await {
        m.delete(&app.db).await.unwrap();
    }
    web_session(&app, PROVIDER).await;
    assert!(memberships_of(&app, nia.id).await.is_empty());
    assert_eq!(invitation_row(&app, id).await, redeemed);

    // Nor does the redeemed invitation let a new account in once Nia's is gone.
    nia.clone().delete(&app.db).await.unwrap();
    idp.sign_in_as(TestUser::verified(
        "sub-someone-else",
        "nia@example.org",
        "Someone Else",
    ));
    assert_sent_back_with(&web_login(&app, PROVIDER).await, "not_invited");
    assert!(user_by_email(&app, "nia@example.org").await.is_none());
    assert!(memberships_of(&app, nia.id).await.is_empty());
}

#[tokio::test]
async fn an_expired_or_revoked_invitation_grants_nothing() {
    let nia = TestUser::verified("sub-nia", "nia@example.org", "Nia Noor");
    let (app, _idp) = oidc_app(SignupPolicy::Invitation, nia).await;
    let (_, admin) = app.admin().await;
    let clinic = app.organization("Harbor Clinic").await;
    let expired = invite_to_organization(
        &app,
        &admin,
        "nia@example.org",
        clinic.id,
        "MEMBER",
        "NURSE",
    )
    .await;
    invitation::Entity::update_many()
        .col_expr(
            invitation::Column::ExpiresAt,
            Expr::value(Utc::now() - chrono::Duration::minutes(1)),
        )
        .filter(invitation::Column::Id.eq(expired))
        .exec(&app.db)
        .await
        .unwrap();
    let revoked =
        invite_to_organization(&app, &admin, "nia@example.org", clinic.id, "LEAD", "NURSE").await;
    let body = app
        .graphql(
            Some(&admin),
            "mutation($id: ID!) { revokeInvitation(input: { id: $id }) {
               invitation { status } } }",
            json!({ "id": gid(NodeKind::Invitation, revoked) }),
        )
        .await;
    assert_eq!(
        body["data"]["revokeInvitation"]["invitation"]["status"], "REVOKED",
        "{body}"
    );
    let users = user_count(&app).await;

    assert_sent_back_with(&web_login(&app, PROVIDER).await, "not_invited");
    assert_eq!(user_count(&app).await, users);
    assert!(
        membership::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
    for id in [expired, revoked] {
        assert!(invitation_row(&app, id).await.redeemed_at.is_none());
    }

    // An existing user (an admin added them) is not granted them either.
    let nia = ensure_user(&app.db, "nia@example.org", "Nia Noor", UserRole::User)
        .await
        .unwrap();
    web_session(&app, PROVIDER).await;
    assert!(memberships_of(&app, nia.id).await.is_empty());
}

#[tokio::test]
async fn users_are_matched_by_issuer_and_subject_not_by_email() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let first = web_session(&app, PROVIDER).await;
    let ada_id = viewer_id(&app, As::Browser(&first)).await;

    // The provider now reports another address for the same subject: still Ada.
    idp.sign_in_as(TestUser::verified(
        "sub-ada",
        "countess@example.org",
        "Augusta Ada King",
    ));
    let again = web_session(&app, PROVIDER).await;
    assert_eq!(viewer_id(&app, As::Browser(&again)).await, ada_id);
    assert_eq!(user_count(&app).await, 1);

    // A different subject with that address is someone else.
    idp.sign_in_as(TestUser::verified(
        "sub-other",
        "countess@example.org",
        "Other",
    ));
    let other = web_session(&app, PROVIDER).await;
    assert_ne!(viewer_id(&app, As::Browser(&other)).await, ada_id);
    assert_eq!(user_count(&app).await, 2);

    // The same subject at another issuer is someone else too.
    let elsewhere = FakeIdp::start(ada()).await;
    let app2 = spawn(
        SignupPolicy::Open,
        vec![
            idp.oidc_provider(PROVIDER),
            elsewhere.oidc_provider("elsewhere"),
        ],
    )
    .await;
    idp.sign_in_as(TestUser::unverified("sub-ada", "ada@example.org", "Ada"));
    let here = web_session(&app2, PROVIDER).await;
    let there = web_session(&app2, "elsewhere").await;
    assert_ne!(
        viewer_id(&app2, As::Browser(&here)).await,
        viewer_id(&app2, As::Browser(&there)).await
    );
}

#[tokio::test]
async fn an_existing_account_is_linked_by_email_only_when_the_provider_verified_it() {
    let (app, idp) = oidc_app(
        SignupPolicy::Open,
        TestUser::unverified("sub-mallory", "grace@example.org", "Mallory"),
    )
    .await;
    let grace = ensure_user(
        &app.db,
        "grace@example.org",
        "Grace Hopper",
        UserRole::Admin,
    )
    .await
    .unwrap();

    // Unverified: a separate account, which does not get the address either.
    let mallory = web_session(&app, PROVIDER).await;
    let mallory_id = viewer_id(&app, As::Browser(&mallory)).await;
    assert_ne!(mallory_id, gid(NodeKind::User, grace.id));
    assert!(identities_of(&app, grace.id).await.is_empty());
    let (_, body) = graphql_as(
        &app,
        As::Browser(&mallory),
        "{ viewer { email isAdmin } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["viewer"],
        json!({ "email": null, "isAdmin": false })
    );

    // Verified: linked to Grace, who keeps her name and role.
    idp.sign_in_as(TestUser::verified(
        "sub-grace",
        "Grace@Example.org",
        "G. Hopper",
    ));
    let session = web_session(&app, PROVIDER).await;
    assert_eq!(
        viewer_id(&app, As::Browser(&session)).await,
        gid(NodeKind::User, grace.id)
    );
    let (_, body) = graphql_as(
        &app,
        As::Browser(&session),
        "{ viewer { name isAdmin } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["viewer"],
        json!({ "name": "Grace Hopper", "isAdmin": true })
    );
    let linked = identities_of(&app, grace.id).await;
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].issuer, idp.issuer());
    assert_eq!(linked[0].subject, "sub-grace");

    // Under invitation-only sign-up an unverified claim gets nothing at all.
    let (app, _idp) = oidc_app(
        SignupPolicy::Invitation,
        TestUser::unverified("sub-mallory", "grace@example.org", "Mallory"),
    )
    .await;
    let grace = ensure_user(
        &app.db,
        "grace@example.org",
        "Grace Hopper",
        UserRole::Admin,
    )
    .await
    .unwrap();
    assert_sent_back_with(&web_login(&app, PROVIDER).await, "not_invited");
    assert!(identities_of(&app, grace.id).await.is_empty());
    assert_eq!(user_count(&app).await, 1);
}

// =============================================================================================
// Email from UserInfo (OIDC Core 5.4)

/// The identity of `subject` and its user.
async fn identity_and_user(app: &TestApp, subject: &str) -> (identity::Model, user::Model) {
    let identity = identity::Entity::find()
        .filter(identity::Column::Subject.eq(subject))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the identity");
    let user = user::Entity::find_by_id(identity.user_id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("its user");
    (identity, user)
}

fn claims_only_in_userinfo() -> Knobs {
    Knobs {
        claims_only_in_userinfo: true,
        ..Knobs::default()
    }
}

#[tokio::test]
async fn an_email_given_only_by_userinfo_signs_the_user_in_and_redeems_their_invitation() {
    let nia = TestUser::verified("sub-nia", "Nia@Example.org", "Nia Noor");
    let (app, idp) = oidc_app(SignupPolicy::Invitation, nia).await;
    idp.misbehave(claims_only_in_userinfo());
    let (_, admin) = app.admin().await;
    let clinic = app.organization("Harbor Clinic").await;
    let id = invite_to_organization(
        &app,
        &admin,
        "nia@example.org",
        clinic.id,
        "MEMBER",
        "NURSE",
    )
    .await;

    web_session(&app, PROVIDER).await;
    assert_eq!(idp.userinfo_calls(), 1);
    let (identity, nia) = identity_and_user(&app, "sub-nia").await;
    assert_eq!(identity.email.as_deref(), Some("nia@example.org"));
    assert!(identity.email_verified);
    assert_eq!(nia.email.as_deref(), Some("nia@example.org"));
    assert_eq!(nia.name, "Nia Noor");
    assert_eq!(invitation_row(&app, id).await.redeemed_by_id, Some(nia.id));
    let memberships = memberships_of(&app, nia.id).await;
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].organization_id, clinic.id);
}

#[tokio::test]
async fn an_unverified_email_from_userinfo_cannot_redeem_an_invitation() {
    let claimant = TestUser::unverified("sub-mallory", "nia@example.org", "Mallory");
    let (app, idp) = oidc_app(SignupPolicy::Invitation, claimant).await;
    idp.misbehave(claims_only_in_userinfo());
    let (_, admin) = app.admin().await;
    let clinic = app.organization("Harbor Clinic").await;
    let id = invite_to_organization(
        &app,
        &admin,
        "nia@example.org",
        clinic.id,
        "MEMBER",
        "NURSE",
    )
    .await;
    let users = user_count(&app).await;

    assert_sent_back_with(&web_login(&app, PROVIDER).await, "not_invited");
    assert_eq!(idp.userinfo_calls(), 1);
    assert_eq!(user_count(&app).await, users);
    assert!(invitation_row(&app, id).await.redeemed_at.is_none());
}

#[tokio::test]
async fn a_userinfo_answer_about_another_subject_gives_no_email() {
    let nia = TestUser::verified("sub-nia", "nia@example.org", "Nia Noor");
    let (app, idp) = oidc_app(SignupPolicy::Open, nia).await;
    idp.misbehave(Knobs {
        userinfo_subject: Some("sub-someone-else".to_owned()),
        ..claims_only_in_userinfo()
    });
    let (_, admin) = app.admin().await;
    let clinic = app.organization("Harbor Clinic").await;
    let id =
        invite_to_organization(&app, &admin, "nia@example.org", clinic.id, "LEAD", "NURSE").await;

    // Open sign-up lets Nia in, but without the address the invitation is not hers.
    web_session(&app, PROVIDER).await;
    assert_eq!(idp.userinfo_calls(), 1);
    let (identity, nia) = identity_and_user(&app, "sub-nia").await;
    assert_eq!(identity.email, None);
    assert!(!identity.email_verified);
    assert_eq!(nia.email, None);
    assert!(invitation_row(&app, id).await.redeemed_at.is_none());
    assert!(memberships_of(&app, nia.id).await.is_empty());
}

#[tokio::test]
async fn a_failing_userinfo_endpoint_signs_the_user_in_without_an_email() {
    let nia = TestUser::verified("sub-nia", "nia@example.org", "Nia Noor");
    let (app, idp) = oidc_app(SignupPolicy::Open, nia).await;
    idp.misbehave(Knobs {
        userinfo_fails: true,
        ..claims_only_in_userinfo()
    });

    let session = web_session(&app, PROVIDER).await;
    assert_eq!(idp.userinfo_calls(), 1);
    let (identity, nia) = identity_and_user(&app, "sub-nia").await;
    assert_eq!(
        viewer_id(&app, As::Browser(&session)).await,
        gid(NodeKind::User, nia.id)
    );
    assert_eq!(identity.email, None);
    assert!(!identity.email_verified);
    assert_eq!(nia.email, None);
}

#[tokio::test]
async fn userinfo_is_not_called_when_the_id_token_has_a_verified_email() {
    let (app, idp) = oidc_app(SignupPolicy::Open, ada()).await;
    web_session(&app, PROVIDER).await;
    mobile_login(&app).await;
    assert_eq!(idp.userinfo_calls(), 0);
    let (identity, _) = identity_and_user(&app, "sub-ada").await;
    assert_eq!(identity.email.as_deref(), Some("ada@example.org"));
    assert!(identity.email_verified);
}

// =============================================================================================
// The GitHub preset

fn mona() -> TestUser {
    TestUser::verified("4242", "mona@example.org", "Mona Octocat")
}

#[tokio::test]
async fn github_login_creates_the_user_from_the_primary_verified_email() {
    let (app, idp) = github_app(SignupPolicy::Open, mona()).await;
    let browser = Browser::new();
    let start = start_web(&app, &browser, "github", RETURN_TO).await;
    assert!(
        start
            .location()
            .starts_with(&format!("{}/login/oauth/authorize?", idp.issuer())),
        "{start:?}"
    );
    let back = browser.follow(&start).await;
    let asked = idp.authorizations().pop().unwrap();
    assert_eq!(
        asked["redirect_uri"],
        format!("{}/auth/github/callback", app.address)
    );
    assert_eq!(asked["code_challenge_method"], "S256");
    assert_eq!(asked["scope"], "read:user user:email");
    let done = browser.follow(&back).await;
    assert_eq!(done.location(), RETURN_TO, "{done:?}");
    assert!(idp.refusals().is_empty(), "{:?}", idp.refusals());
    let session = done.session().expect("a session").value().to_owned();

    let (_, body) = graphql_as(
        &app,
        As::Browser(&session),
        "{ viewer { name email } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["viewer"],
        json!({ "name": "Mona Octocat", "email": "mona@example.org" })
    );
    let mona = user_by_email(&app, "mona@example.org").await.unwrap();
    let identities = identities_of(&app, mona.id).await;
    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0].issuer, idp.issuer());
    assert_eq!(identities[0].subject, "4242");
    assert!(identities[0].email_verified);

    // The same GitHub account signs in as the same user, mobile included.
    let (challenge, verifier) = pkce();
    let phone = Browser::new();
    let start = phone
        .get(&start_url(
            &app,
            "github",
            &[
                ("client", "mobile"),
                ("redirect_uri", APP_REDIRECT),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        ))
        .await;
    let done = phone.follow(&phone.follow(&start).await).await;
    let code = done.location_param("code").expect("a code");
    assert_eq!(done.location_param("state"), None);
    let (status, body) = redeem_code(&app, &code, &verifier).await;
    let pair = Pair::from_body(status, &body);
    assert_eq!(
        viewer_id(&app, As::Bearer(&pair.access)).await,
        gid(NodeKind::User, mona.id)
    );
}

#[tokio::test]
async fn github_links_an_existing_account_by_its_primary_verified_email() {
    let (app, idp) = github_app(SignupPolicy::Invitation, mona()).await;
    let existing = ensure_user(&app.db, "mona@example.org", "Mona", UserRole::User)
        .await
        .unwrap();
    let session = web_session(&app, "github").await;
    assert_eq!(
        viewer_id(&app, As::Browser(&session)).await,
        gid(NodeKind::User, existing.id)
    );
    let identities = identities_of(&app, existing.id).await;
    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0].issuer, idp.issuer());
    assert_eq!(user_count(&app).await, 1);
}

#[tokio::test]
async fn github_does_not_link_by_an_unverified_or_secondary_email() {
    let (app, idp) = github_app(
        SignupPolicy::Open,
        TestUser::unverified("4242", "grace@example.org", "Mona Octocat"),
    )
    .await;
    let grace = ensure_user(
        &app.db,
        "grace@example.org",
        "Grace Hopper",
        UserRole::Admin,
    )
    .await
    .unwrap();

    // The primary address is Grace's but unverified; a verified secondary one does not count.
    idp.misbehave(Knobs {
        extra_emails: vec![GithubEmail {
            email: "mona@example.org".to_owned(),
            primary: false,
            verified: true,
        }],
        ..Knobs::default()
    });
    let session = web_session(&app, "github").await;
    assert_ne!(
        viewer_id(&app, As::Browser(&session)).await,
        gid(NodeKind::User, grace.id)
    );
    let (_, body) = graphql_as(
        &app,
        As::Browser(&session),
        "{ viewer { email } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["viewer"]["email"], Value::Null);
    assert!(identities_of(&app, grace.id).await.is_empty());

    // A verified secondary address that is Grace's does not link either.
    idp.sign_in_as(TestUser::verified("4343", "mona@example.org", "Mona"));
    idp.misbehave(Knobs {
        extra_emails: vec![GithubEmail {
            email: "grace@example.org".to_owned(),
            primary: false,
            verified: true,
        }],
        ..Knobs::default()
    });
    let session = web_session(&app, "github").await;
    assert_ne!(
        viewer_id(&app, As::Browser(&session)).await,
        gid(NodeKind::User, grace.id)
    );
    assert!(identities_of(&app, grace.id).await.is_empty());
}

#[tokio::test]
async fn a_github_error_answer_is_a_failed_sign_in() {
    let idp = FakeIdp::start(mona()).await;
    let mut config = idp.github_provider("github");
    config.client_secret = Some("not-the-secret".to_owned());
    let app = spawn(SignupPolicy::Open, vec![config]).await;
    let done = web_login(&app, "github").await;
    assert_sent_back_with(&done, "provider_error");
    assert_eq!(idp.refusals().len(), 1, "{:?}", idp.refusals());
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn the_viewer_sees_their_web_and_mobile_sessions_and_which_one_is_current() {
    let (app, _idp) = oidc_app(SignupPolicy::Open, ada()).await;
    let cookie = web_session(&app, PROVIDER).await;
    let pair = mobile_login(&app).await;
    let query = "{ viewer { sessions { nodes { id kind isCurrent } } } }";
    let current_kind = |body: &Value| -> Vec<(String, bool)> {
        body["data"]["viewer"]["sessions"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["kind"].as_str().unwrap().to_owned(),
                    s["isCurrent"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let (_, from_browser) = graphql_as(&app, As::Browser(&cookie), query, json!({})).await;
    assert_eq!(
        current_kind(&from_browser),
        [("WEB".to_owned(), true), ("MOBILE".to_owned(), false)],
        "{from_browser}"
    );
    let (_, from_app) = graphql_as(&app, As::Bearer(&pair.access), query, json!({})).await;
    assert_eq!(
        current_kind(&from_app),
        [("WEB".to_owned(), false), ("MOBILE".to_owned(), true)],
        "{from_app}"
    );

    // Ending the mobile session from the browser signs the app out.
    let mobile = from_browser["data"]["viewer"]["sessions"]["nodes"][1]["id"].clone();
    let (_, body) = graphql_as(
        &app,
        As::Browser(&cookie),
        "mutation($id: ID!) { revokeSession(input: { id: $id }) { revokedSessionId userErrors { code } } }",
        json!({ "id": mobile }),
    )
    .await;
    assert_eq!(
        body["data"]["revokeSession"]["revokedSessionId"], mobile,
        "{body}"
    );
    assert_refused(&app, As::Bearer(&pair.access)).await;
    let (status, _) = refresh(&app, &pair.refresh).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn an_invitation_to_ones_own_second_address_grants_nothing() {
    let coach = TestUser::verified("sub-coach", "coach@example.org", "Cora Coach");
    let (app, idp) = oidc_app(SignupPolicy::Open, coach).await;
    web_session(&app, PROVIDER).await;
    let coach = user_by_email(&app, "coach@example.org").await.unwrap();
    let cohort = app.cohort("alpha").await;
    let clinic = app.organization("Harbor Clinic").await;
    app.enroll(&cohort, &clinic).await;
    app.staff(&cohort, &coach, StaffRole::Coach).await;
    let token = peerlearn::auth::token::create_personal_token(&app.db, coach.id, "t", None)
        .await
        .unwrap()
        .secret;
    // Coaches may invite members into their cohort's organizations, so this is accepted...
    invite_to_organization(
        &app,
        &token,
        "cora.second@example.org",
        clinic.id,
        "MEMBER",
        "NURSE",
    )
    .await;
    // ...but when the provider later reports that address for the coach, it grants nothing.
    idp.sign_in_as(TestUser::verified(
        "sub-coach",
        "cora.second@example.org",
        "Cora Coach",
    ));
    web_session(&app, PROVIDER).await;
    assert!(memberships_of(&app, coach.id).await.is_empty());
}
