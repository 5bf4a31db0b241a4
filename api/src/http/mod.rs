//! The HTTP surface: `/graphql`, `/graphiql`, `/healthz`, `/readyz`.

mod auth;
pub mod cors;
mod graphiql;
mod graphql;
mod request_id;

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use sea_orm::DatabaseConnection;

use crate::auth::login::Auth;
use crate::auth::{Credential, bearer};
use crate::config::Introspection;
use crate::graphql::execute::Executor;
use crate::http::cors::AllowedOrigins;

/// The header a cookie-authenticated request must carry. A cross-site form cannot set it, and
/// a cross-site script cannot send it without a CORS preflight that only configured origins
/// pass.
pub const CSRF_HEADER: &str = "x-requested-with";

/// How the HTTP surface behaves, from the `serve` flags.
#[derive(Debug, Clone, Copy)]
pub struct ServerOptions {
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// How long a client may take to send a request body.
    pub body_read_timeout: std::time::Duration,
    /// Whether `/graphiql` is served.
    pub graphiql: bool,
    /// Who may introspect the schema.
    pub introspection: Introspection,
}

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    /// Runs GraphQL requests.
    pub executor: Executor,
    /// The database pool.
    pub db: DatabaseConnection,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// How long a client may take to send a request body.
    pub body_read_timeout: std::time::Duration,
    /// Whether `/graphiql` is served.
    pub graphiql: bool,
    /// Sign-in providers and settings.
    pub auth: Arc<Auth>,
}

impl AppState {
    /// The state of a server on `db` with sign-in settings `auth`.
    pub fn new(db: DatabaseConnection, auth: Auth, options: ServerOptions) -> Self {
        let session_idle = chrono::Duration::minutes(i64::from(auth.settings.session_idle_minutes));
        Self {
            executor: Executor::new(db.clone(), session_idle, options.introspection),
            db,
            max_body_bytes: options.max_body_bytes,
            body_read_timeout: options.body_read_timeout,
            graphiql: options.graphiql,
            auth: Arc::new(auth),
        }
    }
}

/// Why the presented credential cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialError {
    /// An `Authorization` header that is not `Bearer <token>`.
    Malformed,
    /// A session cookie without the CSRF header.
    MissingCsrfHeader,
}

/// The credential of a request: a bearer token, or the session cookie together with the CSRF
/// header. A bearer token wins over a cookie.
pub fn credential(req: &HttpRequest, auth: &Auth) -> Result<Option<Credential>, CredentialError> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let secret = value
            .to_str()
            .ok()
            .and_then(bearer)
            .filter(|s| !s.is_empty())
            .ok_or(CredentialError::Malformed)?;
        return Ok(Some(Credential::Bearer(secret.to_owned())));
    }
    let Some(cookie) = req.cookie(auth.cookie_name()) else {
        return Ok(None);
    };
    if req.headers().get(CSRF_HEADER).is_none() {
        return Err(CredentialError::MissingCsrfHeader);
    }
    Ok(Some(Credential::Cookie(cookie.value().to_owned())))
}

/// CORS: browsers on the configured origins (and this server's own) may call the API with
/// credentials; other origins get no CORS headers, so browsers refuse their scripts the
/// response and the preflight that a custom header needs.
fn cors(auth: &Auth) -> Cors {
    let own_origin = auth.public_url.origin().ascii_serialization();
    // Checked at start-up (`Auth::new`), so nothing is lost here.
    let allowed = AllowedOrigins::parse(
        std::iter::once(own_origin.as_str())
            .chain(auth.settings.cors_origins.iter().map(String::as_str)),
    )
    .unwrap_or_default();
    Cors::default()
        .block_on_origin_mismatch(false)
        .allowed_methods(["GET", "POST"])
        // Tracing and client headers (traceparent, sentry-trace, apollographql-client-name)
        // vary by client; the origin check is what keeps other sites out.
        .allow_any_header()
        .expose_headers([header::HeaderName::from_static("x-request-id")])
        .supports_credentials()
        .max_age(3600)
        .allowed_origin_fn(move |origin, _| {
            origin.to_str().is_ok_and(|origin| allowed.allows(origin))
        })
}

/// Registers every route.
pub fn routes(config: &mut web::ServiceConfig, state: AppState) {
    let graphiql = state.graphiql;
    config
        .app_data(web::Data::new(state))
        .service(
            web::resource("/graphql")
                .route(web::post().to(graphql::post))
                .route(web::get().to(graphql::get))
                .default_service(web::to(graphql::method_not_allowed)),
        )
        .configure(auth::routes)
        .route(
            "/calendar/{feed}",
            web::get().to(crate::event::calendar::serve),
        )
        .route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz));
    if graphiql {
        config.configure(graphiql::routes);
    }
}

/// Starts the server on `listener` with `workers` threads. The returned future runs until the
/// server stops; SIGTERM and SIGINT stop it gracefully.
pub fn serve(listener: TcpListener, state: AppState, workers: usize) -> std::io::Result<Server> {
    let server = HttpServer::new(move || {
        let state = state.clone();
        App::new()
            .wrap(cors(&state.auth))
            .wrap(request_id::RequestId)
            .configure(move |config| routes(config, state))
    })
    .workers(workers.max(1))
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}

/// The process is up.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The database answers.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unavailable")
        }
    }
}
