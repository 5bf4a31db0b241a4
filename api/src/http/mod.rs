//! The HTTP surface: `/graphql`, `/graphiql`, `/healthz`, `/readyz`.

mod graphql;
mod request_id;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use sea_orm::DatabaseConnection;

use crate::graphql::ApiSchema;

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    /// The executable schema.
    pub schema: ApiSchema,
    /// The database pool.
    pub db: DatabaseConnection,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// Whether `/graphiql` is served.
    pub graphiql: bool,
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
        .route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz));
    if graphiql {
        config.route("/graphiql", web::get().to(graphiql_page));
    }
}

/// Starts the server on `listener` with `workers` threads. The returned future runs until the
/// server stops; SIGTERM and SIGINT stop it gracefully.
pub fn serve(listener: TcpListener, state: AppState, workers: usize) -> std::io::Result<Server> {
    let server = HttpServer::new(move || {
        let state = state.clone();
        App::new()
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

async fn graphiql_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            async_graphql::http::GraphiQLSource::build()
                .endpoint("/graphql")
                .title("Peer learning API")
                .finish(),
        )
}
