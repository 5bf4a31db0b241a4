//! Sign-in routes under `/auth`:
//!
//! - `GET /auth/providers`: the configured providers.
//! - `GET /auth/{provider}/start?return_to=<url>`: web sign-in.
//! - `GET /auth/{provider}/start?client=mobile&redirect_uri=<uri>&code_challenge=<S256>&code_challenge_method=S256[&state=<s>]`:
//!   mobile sign-in.
//! - `GET /auth/{provider}/callback`: the provider's redirect back.
//! - `POST /auth/token`: a mobile app redeems its code, or refreshes.
//! - `POST /auth/logout`: ends the session or mobile sign-in presented.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::auth::Credential;
use crate::auth::login::{self, Callback, Completed, LoginError, StartRequest};
use crate::auth::session::{self, GrantError};
use crate::http::{AppState, CredentialError, credential};

/// Registers the routes.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/auth/providers", web::get().to(providers))
        .route("/auth/token", web::post().to(token))
        .route("/auth/logout", web::post().to(logout))
        .route("/auth/{provider}/start", web::get().to(start))
        .route("/auth/{provider}/callback", web::get().to(callback));
}

fn user_agent(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

fn error_body(status: actix_web::http::StatusCode, code: &str, description: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({ "error": code, "error_description": description }))
}

async fn providers(state: web::Data<AppState>) -> HttpResponse {
    let list: Vec<_> = state
        .auth
        .providers
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "startUrl": format!("{}/auth/{}/start", state.auth.public_url.as_str().trim_end_matches('/'), p.name),
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({ "providers": list }))
}

#[derive(Debug, Deserialize)]
struct StartQuery {
    client: Option<String>,
    return_to: Option<String>,
    redirect_uri: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    state: Option<String>,
}

fn login_error_response(err: &LoginError) -> HttpResponse {
    use actix_web::http::StatusCode;
    let (status, description) = match err {
        LoginError::UnknownProvider => (StatusCode::NOT_FOUND, "no such identity provider"),
        LoginError::RedirectNotAllowed => (
            StatusCode::BAD_REQUEST,
            "the redirect is not on the allow-list",
        ),
        LoginError::InvalidRequest(why) => (StatusCode::BAD_REQUEST, *why),
        LoginError::InvalidState => (StatusCode::BAD_REQUEST, "unknown or already used state"),
        LoginError::BrowserMismatch => (
            StatusCode::BAD_REQUEST,
            "the sign-in was started in another browser; start again here",
        ),
        LoginError::Expired => (
            StatusCode::BAD_REQUEST,
            "the sign-in took too long; start again",
        ),
        LoginError::IssuerMismatch => (
            StatusCode::BAD_REQUEST,
            "the response came from another issuer",
        ),
        LoginError::ProviderFailed(_) => (StatusCode::BAD_GATEWAY, "the identity provider failed"),
        LoginError::Denied => (StatusCode::FORBIDDEN, "sign-in was cancelled"),
        LoginError::NotInvited => (StatusCode::FORBIDDEN, "sign-up is by invitation only"),
        LoginError::Deactivated => (StatusCode::FORBIDDEN, "the account is deactivated"),
        LoginError::Api(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "sign-in is unavailable; try again",
        ),
    };
    error_body(status, err.code(), description)
}

fn log_login_error(err: &LoginError) {
    match err {
        LoginError::ProviderFailed(detail) => {
            tracing::warn!(%detail, "sign-in failed at the provider")
        }
        LoginError::Api(api) => api.log(),
        other => tracing::info!(code = other.code(), "sign-in rejected"),
    }
}

async fn start(
    provider: web::Path<String>,
    query: web::Query<StartQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let query = query.into_inner();
    let request = match query.client.as_deref() {
        Some("mobile") => {
            if query.code_challenge_method.as_deref() != Some("S256") {
                return login_error_response(&LoginError::InvalidRequest(
                    "code_challenge_method must be S256",
                ));
            }
            StartRequest::Mobile {
                redirect_uri: query.redirect_uri.unwrap_or_default(),
                code_challenge: query.code_challenge.unwrap_or_default(),
                state: query.state,
            }
        }
        None | Some("web") => StartRequest::Web {
            return_to: query.return_to.unwrap_or_default(),
        },
        Some(_) => {
            return login_error_response(&LoginError::InvalidRequest(
                "client must be web or mobile",
            ));
        }
    };
    match login::start(&state.db, &state.auth, &provider, request).await {
        Ok(started) => HttpResponse::Found()
            .insert_header((header::LOCATION, started.url.as_str()))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .cookie(flow_cookie(&state, &started.state, started.state.clone()))
            .finish(),
        Err(err) => {
            log_login_error(&err);
            login_error_response(&err)
        }
    }
}

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
}

async fn callback(
    req: HttpRequest,
    provider: web::Path<String>,
    query: web::Query<CallbackQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let query = query.into_inner();
    // What the browser holds for this flow: it must come back to the browser that started it.
    let flow_state = query.state.clone().unwrap_or_default();
    let held = req
        .cookie(&login::flow_cookie_name(&state.auth, &flow_state))
        .map(|cookie| cookie.value().to_owned());
    let callback = Callback {
        code: query.code,
        state: query.state,
        iss: query.iss,
        error: query.error,
    };
    let result = login::finish(
        &state.db,
        &state.auth,
        &provider,
        callback,
        held.as_deref(),
        user_agent(&req),
    )
    .await;
    let mut response = match result {
        Ok(Completed::Web { session, return_to }) => {
            // Renew at sign-in: a session cookie the browser already had ends here.
            if let Some(old) = req.cookie(state.auth.cookie_name())
                && let Err(err) = session::sign_out(&state.db, old.value()).await
            {
                err.log();
            }
            HttpResponse::Found()
                .insert_header((header::LOCATION, return_to))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .cookie(session_cookie(&state, session))
                .finish()
        }
        Ok(Completed::Mobile { redirect }) => HttpResponse::Found()
            .insert_header((header::LOCATION, redirect.as_str()))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        Err(failure) => {
            log_login_error(&failure.error);
            match failure.redirect {
                Some(mut url) => {
                    url.query_pairs_mut()
                        .append_pair("error", failure.error.code());
                    HttpResponse::Found()
                        .insert_header((header::LOCATION, url.as_str()))
                        .insert_header((header::CACHE_CONTROL, "no-store"))
                        .finish()
                }
                None => login_error_response(&failure.error),
            }
        }
    };
    // The flow is over either way: its cookie goes.
    if held.is_some()
        && let Err(err) =
            response.add_removal_cookie(&flow_cookie(&state, &flow_state, String::new()))
    {
        tracing::warn!(error = %err, "cannot clear the flow cookie");
    }
    response
}

/// The cookie that binds a sign-in to the browser that started it: `HttpOnly`, `SameSite=Lax`
/// (it must come along on the provider's redirect back), `__Host-` over HTTPS (hence path
/// `/`), and gone after the flow expires.
fn flow_cookie(state: &AppState, flow_state: &str, value: String) -> Cookie<'static> {
    Cookie::build(login::flow_cookie_name(&state.auth, flow_state), value)
        .path("/")
        .http_only(true)
        .secure(state.auth.is_https())
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::seconds(
            login::FLOW_TTL.num_seconds(),
        ))
        .finish()
}

/// The session cookie: `HttpOnly`, `SameSite=Lax`, and `Secure` with the `__Host-` prefix when
/// the server is reached over HTTPS.
fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    let max_age =
        actix_web::cookie::time::Duration::days(i64::from(state.auth.settings.session_max_days));
    Cookie::build(state.auth.cookie_name(), value)
        .path("/")
        .http_only(true)
        .secure(state.auth.is_https())
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .finish()
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    grant_type: String,
    code: Option<String>,
    code_verifier: Option<String>,
    redirect_uri: Option<String>,
    refresh_token: Option<String>,
}

async fn token(
    req: HttpRequest,
    form: web::Form<TokenForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = form.into_inner();
    let result = match form.grant_type.as_str() {
        "authorization_code" => match (form.code, form.code_verifier, form.redirect_uri) {
            (Some(code), Some(verifier), Some(redirect_uri)) => {
                session::redeem_code(
                    &state.db,
                    &state.auth,
                    &code,
                    &verifier,
                    &redirect_uri,
                    user_agent(&req),
                )
                .await
            }
            _ => Err(GrantError::InvalidRequest(
                "code, code_verifier and redirect_uri are required",
            )),
        },
        "refresh_token" => match form.refresh_token {
            Some(refresh) => {
                session::refresh(&state.db, &state.auth, &refresh, user_agent(&req)).await
            }
            None => Err(GrantError::InvalidRequest("refresh_token is required")),
        },
        _ => {
            return error_body(
                actix_web::http::StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "use authorization_code or refresh_token",
            );
        }
    };
    match result {
        Ok(pair) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(pair),
        Err(err) => {
            let description = match &err {
                GrantError::InvalidGrant => "the code or refresh token is invalid, used or expired",
                GrantError::InvalidRequest(why) => why,
                GrantError::Api(api) => {
                    api.log();
                    "try again later"
                }
            };
            let status = if matches!(err, GrantError::Api(_)) {
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE
            } else {
                actix_web::http::StatusCode::BAD_REQUEST
            };
            error_body(status, err.code(), description)
        }
    }
}

async fn logout(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let presented = match credential(&req, &state.auth) {
        Ok(presented) => presented,
        Err(CredentialError::MissingCsrfHeader) => {
            return error_body(
                actix_web::http::StatusCode::FORBIDDEN,
                "csrf",
                "cookie-authenticated requests must send the X-Requested-With header",
            );
        }
        Err(CredentialError::Malformed) => None,
    };
    if let Some(credential) = &presented {
        let secret = match credential {
            Credential::Bearer(secret) | Credential::Cookie(secret) => secret,
        };
        if let Err(err) = session::sign_out(&state.db, secret).await {
            err.log();
            return error_body(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                "server_error",
                "try again later",
            );
        }
    }
    let mut response = HttpResponse::NoContent();
    if matches!(presented, Some(Credential::Cookie(_))) {
        let mut removal = session_cookie(&state, String::new());
        removal.make_removal();
        response.cookie(removal);
    }
    response.finish()
}
