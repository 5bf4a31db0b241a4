//! GraphQL over HTTP, following the GraphQL-over-HTTP specification:
//!
//! - `Accept` negotiation between `application/graphql-response+json` (the default, also for a
//!   missing header or `*/*`) and `application/json`; anything else is 406.
//! - POST bodies must be `application/json` in UTF-8 (415 otherwise) and fit the body limit
//!   (413 otherwise); malformed requests are 400.
//! - GET runs queries only: a mutation over GET is 405.
//! - With `application/graphql-response+json`, a request that cannot execute (parse or
//!   validation errors) is 400 and has no `data`; with `application/json` it is 200.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::OperationType;
use async_graphql::{Variables, parser};
use futures_util::StreamExt as _;
use serde_json::{Map, Value, json};

use crate::auth::authenticate;
use crate::error::ApiError;
use crate::graphql::{Executed, request_data};
use crate::http::AppState;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The media type of the response, chosen from `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseType {
    GraphqlResponseJson,
    Json,
}

impl ResponseType {
    fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response media type; `None` when the client accepts neither.
fn negotiate(headers: &HeaderMap) -> Option<ResponseType> {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Some(ResponseType::GraphqlResponseJson);
    };
    let accept = accept.to_str().ok()?;
    let mut best: Option<(f32, ResponseType)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut quality = 1.0_f32;
        let mut charset_ok = true;
        for param in parts {
            if let Some((key, value)) = param.split_once('=') {
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "q" => quality = value.parse().unwrap_or(0.0),
                    "charset" => charset_ok = value.eq_ignore_ascii_case("utf-8"),
                    _ => {}
                }
            }
        }
        let candidate = match media.as_str() {
            GRAPHQL_RESPONSE_JSON | "application/*" | "*/*" => ResponseType::GraphqlResponseJson,
            JSON => ResponseType::Json,
            _ => continue,
        };
        if quality <= 0.0 || !charset_ok {
            continue;
        }
        // Prefer higher quality; on a tie, prefer the exact GraphQL media type.
        let better = match best {
            None => true,
            Some((q, kind)) => {
                quality > q
                    || (quality == q
                        && kind != ResponseType::GraphqlResponseJson
                        && candidate == ResponseType::GraphqlResponseJson)
            }
        };
        if better {
            best = Some((quality, candidate));
        }
    }
    best.map(|(_, kind)| kind)
}

/// An error response before any GraphQL execution, in the GraphQL response shape.
fn http_error(
    status: StatusCode,
    code: &str,
    message: &str,
    response_type: ResponseType,
) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(response_type.content_type())
        .json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))
}

/// The parameters of one GraphQL request, from a JSON body or a query string.
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Option<Map<String, Value>>,
}

/// Reads `query`, `operationName` and `variables` from a JSON object; each must have the right
/// type (`null` counts as absent for the optional ones).
fn params_from_json(body: Value) -> Result<Params, String> {
    let Value::Object(mut body) = body else {
        return Err("the request body must be a JSON object".to_owned());
    };
    let query = match body.remove("query") {
        Some(Value::String(query)) => query,
        Some(_) => return Err("`query` must be a string".to_owned()),
        None => return Err("`query` is required".to_owned()),
    };
    let operation_name = match body.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err("`operationName` must be a string".to_owned()),
    };
    let variables = match body.remove("variables") {
        None | Some(Value::Null) => None,
        Some(Value::Object(variables)) => Some(variables),
        Some(_) => return Err("`variables` must be an object".to_owned()),
    };
    match body.remove("extensions") {
        None | Some(Value::Null | Value::Object(_)) => {}
        Some(_) => return Err("`extensions` must be an object".to_owned()),
    }
    Ok(Params {
        query,
        operation_name,
        variables,
    })
}

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some(response_type) = negotiate(req.headers()) else {
        return not_acceptable();
    };
    if !is_json_content_type(req.headers()) {
        return http_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "the request body must be application/json in UTF-8",
            response_type,
        );
    }
    let too_large = || {
        http_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &format!(
                "the request body must be at most {} bytes",
                state.max_body_bytes
            ),
            response_type,
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > state.max_body_bytes) {
        return too_large();
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return http_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the request body could not be read",
                response_type,
            );
        };
        if body.len() + chunk.len() > state.max_body_bytes {
            return too_large();
        }
        body.extend_from_slice(&chunk);
    }
    let params = serde_json::from_slice::<Value>(&body)
        .map_err(|_| "the request body is not valid JSON".to_owned())
        .and_then(params_from_json);
    match params {
        Ok(params) => execute(&req, &state, params, response_type).await,
        Err(message) => http_error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            &message,
            response_type,
        ),
    }
}

/// `GET /graphql?query=...&variables=...&operationName=...`: queries only.
pub async fn get(
    req: HttpRequest,
    query: web::Query<HashMap<String, String>>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some(response_type) = negotiate(req.headers()) else {
        return not_acceptable();
    };
    let mut query = query.into_inner();
    let mut body = Map::new();
    if let Some(text) = query.remove("query") {
        body.insert("query".to_owned(), Value::String(text));
    }
    if let Some(name) = query.remove("operationName") {
        body.insert("operationName".to_owned(), Value::String(name));
    }
    for key in ["variables", "extensions"] {
        if let Some(raw) = query.remove(key) {
            match serde_json::from_str::<Value>(&raw) {
                Ok(value) => {
                    body.insert(key.to_owned(), value);
                }
                Err(_) => {
                    return http_error(
                        StatusCode::BAD_REQUEST,
                        "BAD_REQUEST",
                        &format!("`{key}` must be JSON"),
                        response_type,
                    );
                }
            }
        }
    }
    let params = match params_from_json(Value::Object(body)) {
        Ok(params) => params,
        Err(message) => {
            return http_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &message,
                response_type,
            );
        }
    };
    if is_mutation(&params) {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .content_type(response_type.content_type())
            .json(json!({ "errors": [{
                "message": "mutations must be sent with POST",
                "extensions": { "code": "METHOD_NOT_ALLOWED" }
            }] }));
    }
    execute(&req, &state, params, response_type).await
}

/// Any other method on `/graphql`.
pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let response_type = negotiate(req.headers()).unwrap_or(ResponseType::Json);
    let mut response = http_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "use GET for queries or POST",
        response_type,
    );
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
    response
}

fn not_acceptable() -> HttpResponse {
    http_error(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "accept application/graphql-response+json or application/json",
        ResponseType::Json,
    )
}

/// Whether the body is declared as JSON in UTF-8 (the default charset of JSON).
fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';').map(str::trim);
    let media = parts.next().unwrap_or_default();
    media.eq_ignore_ascii_case(JSON)
        && parts.all(|param| match param.split_once('=') {
            Some((key, value)) if key.trim().eq_ignore_ascii_case("charset") => {
                value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            _ => true,
        })
}

/// Whether the operation that would run is a mutation (or subscription). A document that does
/// not parse is left to execution, which reports the syntax error.
fn is_mutation(params: &Params) -> bool {
    let Ok(document) = parser::parse_query(&params.query) else {
        return false;
    };
    let operation = match &params.operation_name {
        Some(name) => document
            .operations
            .iter()
            .find(|(op_name, _)| op_name.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| op.node.ty),
        None => document.operations.iter().next().map(|(_, op)| op.node.ty),
    };
    matches!(
        operation,
        Some(OperationType::Mutation | OperationType::Subscription)
    )
}

async fn execute(
    req: &HttpRequest,
    state: &AppState,
    params: Params,
    response_type: ResponseType,
) -> HttpResponse {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let viewer = match authenticate(&state.db, authorization).await {
        Ok(viewer) => viewer,
        Err(err) => return auth_failure(err, response_type),
    };
    let mut request = async_graphql::Request::new(params.query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(variables) = params.variables {
        request = request.variables(Variables::from_json(Value::Object(variables)));
    }
    let executed = Executed::default();
    let (viewer, loaders) = request_data(&state.db, viewer);
    let request = request.data(viewer).data(loaders).data(executed.clone());
    let response = state.schema.execute(request).await;

    let mut body = Map::new();
    let status = if executed.get() {
        body.insert("data".to_owned(), to_json(&response.data));
        StatusCode::OK
    } else if response_type == ResponseType::Json {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    if !response.errors.is_empty() {
        body.insert("errors".to_owned(), to_json(&response.errors));
    }
    if !response.extensions.is_empty() {
        body.insert("extensions".to_owned(), to_json(&response.extensions));
    }
    HttpResponse::build(status)
        .content_type(response_type.content_type())
        .json(Value::Object(body))
}

fn to_json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The response when the credentials could not be checked or are wrong.
fn auth_failure(err: ApiError, response_type: ResponseType) -> HttpResponse {
    let status = match &err {
        ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    err.log();
    let mut response = http_error(status, err.code(), &err.message(), response_type);
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    fn accept(value: &str) -> Option<ResponseType> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).ok()?);
        negotiate(&headers)
    }

    #[test]
    fn accept_header_is_negotiated() {
        assert_eq!(
            negotiate(&HeaderMap::new()),
            Some(ResponseType::GraphqlResponseJson)
        );
        assert_eq!(accept("*/*"), Some(ResponseType::GraphqlResponseJson));
        assert_eq!(accept("application/json"), Some(ResponseType::Json));
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            Some(ResponseType::GraphqlResponseJson)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(ResponseType::Json)
        );
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json; charset=iso-8859-1"), None);
    }

    #[test]
    fn get_requests_detect_mutations() {
        let params = |query: &str, name: Option<&str>| Params {
            query: query.to_owned(),
            operation_name: name.map(str::to_owned),
            variables: None,
        };
        assert!(is_mutation(&params("mutation { x }", None)));
        assert!(!is_mutation(&params("{ x }", None)));
        assert!(is_mutation(&params(
            "query A { x } mutation B { y }",
            Some("B")
        )));
        assert!(!is_mutation(&params(
            "query A { x } mutation B { y }",
            Some("A")
        )));
        assert!(!is_mutation(&params("mutation {", None)));
    }
}
