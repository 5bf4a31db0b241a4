//! GraphQL over HTTP, following the GraphQL-over-HTTP specification:
//!
//! - `Accept` negotiation between `application/graphql-response+json` and `application/json`;
//!   anything else is 406. A missing header or one that names neither type (`*/*`) gets
//!   `application/json`, which every GraphQL client understands; a client that names
//!   `application/graphql-response+json` gets it. Responses carry `Vary: Accept`.
//! - POST bodies must be `application/json` in UTF-8 (415 otherwise) and fit the body limit
//!   (413 otherwise); malformed requests are 400.
//! - GET runs queries only: a mutation over GET is 405. Its parameters come from the query
//!   string; an empty `operationName` means none, and a repeated parameter is 400.
//! - With `application/graphql-response+json`, a request that cannot execute (parse or
//!   validation errors) is 400 and has no `data`; with `application/json` it is 200.

use actix_web::http::header::{self, HeaderMap};
use actix_web::http::{ConnectionType, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser;
use async_graphql::parser::types::OperationType;
use futures_util::StreamExt as _;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::graphql::execute::{GraphqlRequest, PersistedQueryError};
use crate::http::{AppState, CredentialError, credential};

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

/// Picks the response media type; `None` when the client accepts neither. A missing or empty
/// `Accept` means no preference. Otherwise each type gets the quality of the most specific range
/// that matches it (RFC 9110, section 12.5.1), so `*/*, application/json;q=0` rules out
/// `application/json`; on a tie the GraphQL media type wins.
fn negotiate(headers: &HeaderMap) -> Option<ResponseType> {
    let mut ranges = Vec::new();
    for value in headers.get_all(header::ACCEPT) {
        let value = value.to_str().ok()?;
        ranges.extend(
            value
                .split(',')
                .map(str::trim)
                .filter(|range| !range.is_empty()),
        );
    }
    if ranges.is_empty() {
        return Some(ResponseType::Json);
    }
    let (graphql_specificity, graphql) = quality(&ranges, GRAPHQL_RESPONSE_JSON);
    let (_, json) = quality(&ranges, JSON);
    if graphql <= 0.0 && json <= 0.0 {
        None
    } else if graphql > json || (graphql == json && graphql_specificity >= NAMED) {
        Some(ResponseType::GraphqlResponseJson)
    } else {
        Some(ResponseType::Json)
    }
}

/// The specificity of a range that names the media type itself (wildcards rank lower).
const NAMED: u8 = 4;

/// The specificity and quality `ranges` give `media` (an `application/...` type sent in
/// UTF-8): those of the most specific matching range, or quality 0 when none matches. A range
/// naming another charset does not match; naming UTF-8 makes it more specific than the bare
/// type.
fn quality(ranges: &[&str], media: &str) -> (u8, f32) {
    let mut best: Option<(u8, f32)> = None;
    for range in ranges {
        let mut parts = range.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let mut specificity = if name.eq_ignore_ascii_case(media) {
            NAMED
        } else if name.eq_ignore_ascii_case("application/*") {
            2
        } else if name == "*/*" {
            0
        } else {
            continue;
        };
        let mut quality = 1.0_f32;
        let mut matches = true;
        for param in parts {
            let Some((key, value)) = param.split_once('=') else {
                continue;
            };
            let key = key.trim();
            let value = value.trim().trim_matches('"');
            if key.eq_ignore_ascii_case("q") {
                quality = value
                    .parse::<f32>()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q))
                    .unwrap_or(0.0);
                // Whatever follows `q` is an accept extension, not a media type parameter.
                break;
            }
            if key.eq_ignore_ascii_case("charset") {
                if value.eq_ignore_ascii_case("utf-8") {
                    specificity += 1;
                } else {
                    matches = false;
                }
            }
        }
        if !matches {
            continue;
        }
        let replaces = match best {
            None => true,
            Some((s, q)) => specificity > s || (specificity == s && quality > q),
        };
        if replaces {
            best = Some((specificity, quality));
        }
    }
    best.unwrap_or((0, 0.0))
}

/// A response whose media type was negotiated: it varies with `Accept`, which caches must know.
fn respond(
    status: StatusCode,
    response_type: ResponseType,
    body: &impl serde::Serialize,
) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(response_type.content_type())
        .insert_header((header::VARY, "Accept"))
        .json(body)
}

/// An error response before any GraphQL execution, in the GraphQL response shape.
fn http_error(
    status: StatusCode,
    code: &str,
    message: &str,
    response_type: ResponseType,
) -> HttpResponse {
    respond(
        status,
        response_type,
        &json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }),
    )
}

/// The parameters of one GraphQL request, from a JSON body or a query string.
/// Reads `query`, `operationName` and `variables` from a JSON object; each must have the right
/// type (`null` counts as absent for the optional ones).
fn params_from_json(body: Value) -> Result<GraphqlRequest, String> {
    let mut body = match body {
        Value::Object(body) => body,
        Value::Array(_) => {
            return Err(
                "batched requests (a JSON array of requests) are not supported; send each \
                 operation in a request of its own"
                    .to_owned(),
            );
        }
        _ => return Err("the request body must be a JSON object".to_owned()),
    };
    let persisted_query = match body.get("extensions").and_then(|e| e.get("persistedQuery")) {
        None => None,
        Some(persisted) => Some(persisted_query_hash(persisted)?),
    };
    let query = match body.remove("query") {
        Some(Value::String(query)) => query,
        Some(_) => return Err("`query` must be a string".to_owned()),
        // A persisted query's text is looked up by its hash.
        None if persisted_query.is_some() => String::new(),
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
    Ok(GraphqlRequest {
        query,
        operation_name,
        variables,
        persisted_query,
    })
}

/// The SHA-256 hash of an automatic persisted query (`{"version": 1, "sha256Hash": "..."}`).
fn persisted_query_hash(persisted: &Value) -> Result<String, String> {
    if persisted.get("version").and_then(Value::as_i64) != Some(1) {
        return Err("only version 1 of persisted queries is supported".to_owned());
    }
    persisted
        .get("sha256Hash")
        .and_then(Value::as_str)
        .filter(|hash| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| "`sha256Hash` of a persisted query must be 64 hex digits".to_owned())
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
    let read = async {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let Ok(chunk) = chunk else {
                return Err(http_error(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "the request body could not be read",
                    response_type,
                ));
            };
            if body.len() + chunk.len() > state.max_body_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    // A client that trickles its body would hold a connection (and its worker's attention)
    // for as long as it likes.
    let body = match tokio::time::timeout(state.body_read_timeout, read).await {
        Ok(Ok(body)) => body,
        Ok(Err(response)) => return response,
        Err(_) => {
            let mut response = http_error(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                "the request body took too long to arrive",
                response_type,
            );
            response
                .head_mut()
                .set_connection_type(ConnectionType::Close);
            return response;
        }
    };
    let params = serde_json::from_slice::<Value>(&body)
        .map_err(|_| "the request body is not valid JSON".to_owned())
        .and_then(params_from_json);
    match params {
        Ok(mut params) => {
            if let Some(response) = resolve_persisted(&state, &mut params, response_type) {
                return response;
            }
            execute(&req, &state, params, response_type).await
        }
        Err(message) => http_error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            &message,
            response_type,
        ),
    }
}

/// Reads the parameters of a GET request from its query string
/// (`application/x-www-form-urlencoded`): `variables` and `extensions` are JSON text, an empty
/// `operationName` is the same as none, and a parameter given twice is ambiguous, so an error.
fn params_from_query(query_string: &str) -> Result<GraphqlRequest, String> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query_string)
        .map_err(|_| "the query string is malformed".to_owned())?
        .into_inner();
    let mut body = Map::new();
    for (key, value) in pairs {
        let value = match key.as_str() {
            "query" => Value::String(value),
            "operationName" if value.is_empty() => Value::Null,
            "operationName" => Value::String(value),
            "variables" | "extensions" => {
                serde_json::from_str(&value).map_err(|_| format!("`{key}` must be JSON"))?
            }
            _ => continue,
        };
        if body.contains_key(&key) {
            return Err(format!("`{key}` must be given at most once"));
        }
        body.insert(key, value);
    }
    params_from_json(Value::Object(body))
}

/// `GET /graphql?query=...&variables=...&operationName=...`: queries only.
pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(response_type) = negotiate(req.headers()) else {
        return not_acceptable();
    };
    let mut params = match params_from_query(req.query_string()) {
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
    if let Some(response) = resolve_persisted(&state, &mut params, response_type) {
        return response;
    }
    if is_mutation(&params) {
        let mut response = http_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations must be sent with POST",
            response_type,
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return response;
    }
    execute(&req, &state, params, response_type).await
}

/// Fills in the text of an automatic persisted query, or returns the answer to why it cannot:
/// an unknown hash gets `PERSISTED_QUERY_NOT_FOUND`, which tells clients to send the text with
/// the hash.
fn resolve_persisted(
    state: &AppState,
    params: &mut GraphqlRequest,
    response_type: ResponseType,
) -> Option<HttpResponse> {
    let not_executed = match response_type {
        ResponseType::GraphqlResponseJson => StatusCode::BAD_REQUEST,
        ResponseType::Json => StatusCode::OK,
    };
    match state.executor.resolve_persisted(params) {
        Ok(()) => None,
        // Clients match the message as well as the code.
        Err(PersistedQueryError::NotFound) => Some(http_error(
            not_executed,
            "PERSISTED_QUERY_NOT_FOUND",
            "PersistedQueryNotFound",
            response_type,
        )),
        Err(PersistedQueryError::HashMismatch) => Some(http_error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the query does not match its persisted query hash",
            response_type,
        )),
    }
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

/// Whether the operation that would run is a mutation (or subscription). Without an operation
/// name that is the document's only operation. A document that does not parse, or whose
/// operation cannot be chosen, is left to execution, which reports the error.
fn is_mutation(params: &GraphqlRequest) -> bool {
    let Ok(document) = parser::parse_query(&params.query) else {
        return false;
    };
    let mut operations = document.operations.iter();
    let operation = match &params.operation_name {
        Some(name) => operations
            .find(|(op_name, _)| op_name.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| op.node.ty),
        None => match (operations.next(), operations.next()) {
            (Some((_, op)), None) => Some(op.node.ty),
            _ => None,
        },
    };
    matches!(
        operation,
        Some(OperationType::Mutation | OperationType::Subscription)
    )
}

async fn execute(
    req: &HttpRequest,
    state: &AppState,
    request: GraphqlRequest,
    response_type: ResponseType,
) -> HttpResponse {
    let presented = match credential(req, &state.auth) {
        Ok(presented) => presented,
        Err(CredentialError::Malformed) => {
            return auth_failure(ApiError::Unauthenticated, response_type);
        }
        Err(CredentialError::MissingCsrfHeader) => {
            return http_error(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                "cookie-authenticated requests must send the X-Requested-With header",
                response_type,
            );
        }
    };
    let outcome = match state.executor.execute(presented.as_ref(), request).await {
        Ok(outcome) => outcome,
        Err(err) => return auth_failure(err, response_type),
    };
    let status = if outcome.executed || response_type == ResponseType::Json {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    respond(status, response_type, &outcome.body)
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
        assert_eq!(negotiate(&HeaderMap::new()), Some(ResponseType::Json));
        assert_eq!(accept("*/*"), Some(ResponseType::Json));
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
        assert_eq!(accept(""), Some(ResponseType::Json));
        assert_eq!(accept("application/*"), Some(ResponseType::Json));
        assert_eq!(
            accept("APPLICATION/JSON;Charset=\"UTF-8\""),
            Some(ResponseType::Json)
        );
        assert_eq!(accept("application/json;q=0"), None);
        assert_eq!(accept("application/json;q=2"), None);
    }

    #[test]
    fn the_most_specific_accept_range_decides() {
        assert_eq!(
            accept("*/*, application/graphql-response+json;q=0"),
            Some(ResponseType::Json)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.2, application/*;q=0.9"),
            Some(ResponseType::Json)
        );
        assert_eq!(
            accept("application/json;q=0.5, application/json;charset=utf-8"),
            Some(ResponseType::Json)
        );
        assert_eq!(
            accept("application/json, */*;q=0.1"),
            Some(ResponseType::Json)
        );
        assert_eq!(
            accept("application/json;q=0, application/graphql-response+json;q=0, */*"),
            None
        );
        // A range for another charset says nothing about UTF-8; the wildcard decides.
        assert_eq!(
            accept("application/json;charset=latin1;q=1, application/*;q=0.3"),
            Some(ResponseType::Json)
        );
    }

    #[test]
    fn repeated_accept_headers_are_one_list() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::ACCEPT,
            HeaderValue::from_static("application/graphql-response+json;q=0.5"),
        );
        headers.append(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert_eq!(negotiate(&headers), Some(ResponseType::Json));
    }

    #[test]
    fn post_parameters_are_type_checked() {
        let params = params_from_json(json!({
            "query": "{ x }",
            "operationName": null,
            "variables": { "a": 1 },
            "extensions": null,
            "other": [1],
        }));
        let Ok(params) = params else {
            panic!("rejected");
        };
        assert_eq!(params.query, "{ x }");
        assert_eq!(params.operation_name, None);
        assert_eq!(params.variables, json!({ "a": 1 }).as_object().cloned());
        for body in [
            json!([{ "query": "{ x }" }]),
            json!({ "qeury": "{ x }" }),
            json!({ "query": null }),
            json!({ "query": 1 }),
            json!({ "query": "{ x }", "operationName": 1 }),
            json!({ "query": "{ x }", "variables": "{}" }),
            json!({ "query": "{ x }", "variables": [1] }),
            json!({ "query": "{ x }", "extensions": "x" }),
        ] {
            assert!(params_from_json(body.clone()).is_err(), "{body}");
        }
    }

    #[test]
    fn get_parameters_come_from_the_query_string() {
        let Ok(params) = params_from_query(
            "query=query+Q(%24n%3A+String!)+%7B+x+%7D&operationName=Q&variables=%7B%22n%22%3A%22%F0%9F%8F%83%22%7D&extensions=%7B%7D&other=1",
        ) else {
            panic!("rejected");
        };
        assert_eq!(params.query, "query Q($n: String!) { x }");
        assert_eq!(params.operation_name.as_deref(), Some("Q"));
        assert_eq!(params.variables, json!({ "n": "🏃" }).as_object().cloned());

        let Ok(params) = params_from_query("query=%7Bx%7D&operationName=&variables=null") else {
            panic!("rejected");
        };
        assert_eq!(params.operation_name, None);
        assert_eq!(params.variables, None);

        for query_string in [
            "",
            "operationName=Q",
            "query=%7Bx%7D&query=%7By%7D",
            "query=%7Bx%7D&operationName=A&operationName=B",
            "query=%7Bx%7D&operationName=&operationName=B",
            "query=%7Bx%7D&variables=%7B",
            "query=%7Bx%7D&variables=%5B1%5D",
            "query=%7Bx%7D&extensions=1",
        ] {
            assert!(params_from_query(query_string).is_err(), "{query_string}");
        }
    }

    #[test]
    fn get_requests_detect_mutations() {
        let params = |query: &str, name: Option<&str>| GraphqlRequest {
            query: query.to_owned(),
            operation_name: name.map(str::to_owned),
            variables: None,
            persisted_query: None,
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
        // Without a name, a document of several operations runs none of them.
        assert!(!is_mutation(&params(
            "mutation A { x } mutation B { y }",
            None
        )));
        assert!(!is_mutation(&params("mutation A { x }", Some("B"))));
        assert!(is_mutation(&params("subscription { x }", None)));
    }
}
