//! The floor of `bench/nested_page`: the nested cohort page answered by hand, with the same JSON
//! as the GraphQL server, from one token check and four statements on PostgreSQL. No GraphQL,
//! no ORM, no loaders: what the page costs at least on this stack.
//!
//! It takes the arguments the benchmark gives the server: `serve --no-migrate` (with
//! `DATABASE_URL` and `PEERLEARN_LISTEN`), `migrate status` (nothing to report) and
//! `--version`. `POST /graphql` reads the variables `n` and `m` of the page and ignores the
//! query text; `GET /readyz` answers when the database does.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version") => {
            println!("peerlearn-floor {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some("migrate") if args.get(1).map(String::as_str) == Some("status") => Ok(()),
        Some("serve") => serve(),
        _ => anyhow::bail!("usage: peerlearn-floor serve | migrate status | --version"),
    }
}

#[actix_web::main]
async fn serve() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL")?;
    let listen = std::env::var("PEERLEARN_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .connect(&url)
        .await?;
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(pool.clone()))
            .route("/graphql", web::post().to(page))
            .route("/readyz", web::get().to(ready))
    })
    .bind(listen)?
    .run()
    .await?;
    Ok(())
}

async fn ready(pool: web::Data<PgPool>) -> HttpResponse {
    match sqlx::query("SELECT 1").execute(pool.get_ref()).await {
        Ok(_) => HttpResponse::Ok().body("ready"),
        Err(_) => HttpResponse::ServiceUnavailable().body("database unavailable"),
    }
}

async fn page(req: HttpRequest, body: web::Json<Value>, pool: web::Data<PgPool>) -> HttpResponse {
    let size = |name: &str, default: i64| {
        body["variables"][name]
            .as_i64()
            .unwrap_or(default)
            .clamp(1, 100)
    };
    let Some(token) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return HttpResponse::Unauthorized().finish();
    };
    match nested_page(pool.get_ref(), token, size("n", 20), size("m", 20)).await {
        Ok(Some(page)) => HttpResponse::Ok()
            .content_type("application/json")
            .body(page.to_string()),
        Ok(None) => HttpResponse::Unauthorized().finish(),
        Err(err) => HttpResponse::InternalServerError().body(err.to_string()),
    }
}

/// One page of `(parent, row)` pairs per parent, with each parent's total.
type Children<T> = HashMap<Uuid, (i64, Vec<T>)>;

/// The page for an admin's token, `None` if the token is not one that works.
async fn nested_page(pool: &PgPool, token: &str, n: i64, m: i64) -> sqlx::Result<Option<Value>> {
    let hash: String = Sha256::digest(token.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let admin: Option<(Uuid,)> = sqlx::query_as(
        "SELECT u.id FROM access_token t JOIN \"user\" u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.is_active",
    )
    .bind(&hash)
    .fetch_optional(pool)
    .await?;
    if admin.is_none() {
        return Ok(None);
    }
    let cohorts: Vec<(Uuid, String, i64)> =
        sqlx::query_as("SELECT id, name, count(*) OVER () FROM cohort ORDER BY id LIMIT $1")
            .bind(n)
            .fetch_all(pool)
            .await?;
    let cohort_ids: Vec<Uuid> = cohorts.iter().map(|c| c.0).collect();
    let staff: Vec<(Uuid, String, String, i64)> = sqlx::query_as(
        "SELECT cohort_id, role, name, total FROM (
           SELECT s.cohort_id, s.role, u.name,
                  row_number() OVER (PARTITION BY s.cohort_id ORDER BY s.id) AS rn,
                  count(*) OVER (PARTITION BY s.cohort_id) AS total
           FROM cohort_staff s JOIN \"user\" u ON u.id = s.user_id
           WHERE s.cohort_id = ANY($1)) page
         WHERE rn <= $2 ORDER BY cohort_id, rn",
    )
    .bind(&cohort_ids)
    .bind(n)
    .fetch_all(pool)
    .await?;
    let enrollments: Vec<(Uuid, String, Uuid, String, i64)> = sqlx::query_as(
        "SELECT cohort_id, status, organization_id, name, total FROM (
           SELECT e.cohort_id, e.status, e.organization_id, o.name,
                  row_number() OVER (PARTITION BY e.cohort_id ORDER BY e.id) AS rn,
                  count(*) OVER (PARTITION BY e.cohort_id) AS total
           FROM enrollment e JOIN organization o ON o.id = e.organization_id
           WHERE e.cohort_id = ANY($1)) page
         WHERE rn <= $2 ORDER BY cohort_id, rn",
    )
    .bind(&cohort_ids)
    .bind(n)
    .fetch_all(pool)
    .await?;
    let organization_ids: Vec<Uuid> = enrollments.iter().map(|e| e.2).collect();
    let members: Vec<(Uuid, String, String, i64)> = sqlx::query_as(
        "SELECT organization_id, role, name, total FROM (
           SELECT m.organization_id, m.role, u.name,
                  row_number() OVER (PARTITION BY m.organization_id ORDER BY m.id) AS rn,
                  count(*) OVER (PARTITION BY m.organization_id) AS total
           FROM membership m JOIN \"user\" u ON u.id = m.user_id
           WHERE m.organization_id = ANY($1)) page
         WHERE rn <= $2 ORDER BY organization_id, rn",
    )
    .bind(&organization_ids)
    .bind(m)
    .fetch_all(pool)
    .await?;

    let mut staff_of: Children<Value> = HashMap::new();
    for (cohort, role, name, total) in staff {
        let entry = staff_of.entry(cohort).or_insert((total, Vec::new()));
        entry
            .1
            .push(json!({ "role": role, "user": { "name": name } }));
    }
    let mut members_of: Children<Value> = HashMap::new();
    for (organization, role, name, total) in members {
        let entry = members_of
            .entry(organization)
            .or_insert((total, Vec::new()));
        entry
            .1
            .push(json!({ "role": role, "user": { "name": name } }));
    }
    let mut enrollments_of: Children<Value> = HashMap::new();
    for (cohort, status, organization, name, total) in enrollments {
        let (members_total, members) = members_of.remove(&organization).unwrap_or_default();
        let entry = enrollments_of.entry(cohort).or_insert((total, Vec::new()));
        entry.1.push(json!({
            "status": status,
            "organization": {
                "name": name,
                "members": { "totalCount": members_total, "nodes": members },
            },
        }));
    }
    let total = cohorts.first().map_or(0, |c| c.2);
    let nodes: Vec<Value> = cohorts
        .into_iter()
        .map(|(id, name, _)| {
            let (staff_total, staff) = staff_of.remove(&id).unwrap_or_default();
            let (enrollments_total, enrollments) = enrollments_of.remove(&id).unwrap_or_default();
            json!({
                "name": name,
                "staff": { "totalCount": staff_total, "nodes": staff },
                "enrollments": { "totalCount": enrollments_total, "nodes": enrollments },
            })
        })
        .collect();
    Ok(Some(json!({
        "data": { "cohorts": { "totalCount": total, "nodes": nodes } },
    })))
}
