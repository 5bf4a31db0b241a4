//! Running one GraphQL request, whatever transport carried it: authenticate the credential,
//! attach the per-request data, execute, and shape the response. The HTTP handler calls
//! [`execute`]; a WebSocket endpoint calls the same function per operation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::Variables;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use sea_orm::DatabaseConnection;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value, json};

use crate::auth::{Credential, Viewer, authenticate};
use crate::config::Introspection;
use crate::error::ApiError;
use crate::graphql::loaders::Loaders;
use crate::graphql::{ApiSchema, build_schema, limits, order, schema_builder};

/// How long one request may execute; past it, it is stopped and answered with an error.
pub const EXECUTION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Most errors one response lists; `extensions.omittedErrors` counts the rest.
pub const MAX_ERRORS: usize = 50;

/// A GraphQL request as a transport received it.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphqlRequest {
    /// The document.
    pub query: String,
    /// Which operation of the document to run; `None` for its only one.
    pub operation_name: Option<String>,
    /// The variables, as a JSON object.
    pub variables: Option<Map<String, Value>>,
    /// The SHA-256 (lowercase hex) of an automatic persisted query; `query` is then empty
    /// until [`Executor::resolve_persisted`] fills it in, or holds the text to register.
    pub persisted_query: Option<String>,
}

/// Why an automatic persisted query cannot run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersistedQueryError {
    /// The hash is unknown here: the client should send the text with it.
    NotFound,
    /// The text sent does not have the hash sent.
    HashMismatch,
}

/// Most automatic persisted queries one server remembers; when full it starts over, and clients
/// send the text again for queries it forgot.
const MAX_PERSISTED_QUERIES: usize = 10_000;

/// The result of a request that passed authentication.
#[derive(Debug)]
pub struct Outcome {
    /// Whether execution started: `false` when the document did not parse or validate, so the
    /// response has no `data`.
    pub executed: bool,
    /// The response body.
    pub body: Body,
}

/// A response body: `data` (fields in query order), `errors` (each with an `extensions.code`)
/// and `extensions`, as present. `data` is serialized straight from the executor's value.
#[derive(Debug, Default)]
pub struct Body {
    /// The data, if execution started.
    pub data: Option<async_graphql::Value>,
    /// `errors` and `extensions`, as present.
    pub rest: Map<String, Value>,
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map =
            serializer.serialize_map(Some(usize::from(self.data.is_some()) + self.rest.len()))?;
        if let Some(data) = &self.data {
            map.serialize_entry("data", data)?;
        }
        for (key, value) in &self.rest {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// What the server needs to run requests.
#[derive(Clone)]
pub struct Executor {
    /// The executable schema.
    schema: ApiSchema,
    /// The schema for anonymous requests: the same, or without introspection and suggestions.
    anonymous_schema: ApiSchema,
    /// The database pool.
    db: DatabaseConnection,
    /// How long a browser session may sit unused.
    session_idle: chrono::Duration,
    /// Automatic persisted queries by SHA-256, as clients registered them with this server.
    persisted: Arc<Mutex<HashMap<String, String>>>,
}

impl Executor {
    /// Runs requests on `db`; `introspection` says whether anonymous callers may introspect.
    pub fn new(
        db: DatabaseConnection,
        session_idle: chrono::Duration,
        introspection: Introspection,
    ) -> Self {
        let schema = build_schema(db.clone());
        let anonymous_schema = match introspection {
            Introspection::Anyone => schema.clone(),
            Introspection::SignedIn => schema_builder()
                .data(db.clone())
                .disable_introspection()
                .disable_suggestions()
                .finish(),
        };
        Self {
            schema,
            anonymous_schema,
            db,
            session_idle,
            persisted: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Fills in the text of an automatic persisted query from its hash, or registers the text
    /// sent with its hash. Requests without a persisted query pass unchanged.
    pub fn resolve_persisted(
        &self,
        request: &mut GraphqlRequest,
    ) -> Result<(), PersistedQueryError> {
        let Some(hash) = &request.persisted_query else {
            return Ok(());
        };
        // A poisoned map holds complete entries: each insert is one call.
        let mut persisted = self
            .persisted
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if request.query.is_empty() {
            request.query = persisted
                .get(hash)
                .cloned()
                .ok_or(PersistedQueryError::NotFound)?;
            return Ok(());
        }
        if crate::auth::token::hash(&request.query) != *hash {
            return Err(PersistedQueryError::HashMismatch);
        }
        if persisted.len() >= MAX_PERSISTED_QUERIES {
            persisted.clear();
        }
        persisted.insert(hash.clone(), request.query.clone());
        Ok(())
    }

    /// Authenticates `credential` (none is an anonymous viewer) and runs `request`. A wrong or
    /// expired credential is an error, so the transport can answer it as such (HTTP 401).
    pub async fn execute(
        &self,
        credential: Option<&Credential>,
        request: GraphqlRequest,
    ) -> Result<Outcome, ApiError> {
        let viewer = authenticate(&self.db, credential, self.session_idle).await?;
        let mut prepared = async_graphql::Request::new(request.query.as_str());
        // Parsed once here: checked against the limits, handed to the executor, and used to
        // order the response. A document that does not parse is left to the executor, which
        // reports the syntax error.
        let document = match async_graphql::parser::parse_query(&request.query) {
            Ok(document) => {
                if let Err(refusal) = limits::check(&document) {
                    return Ok(refused(&[refusal.message()]));
                }
                let missing = limits::missing_variables(
                    &document,
                    request.operation_name.as_deref(),
                    request.variables.as_ref(),
                );
                if !missing.is_empty() {
                    return Ok(refused(&missing));
                }
                prepared.set_parsed_query(document.clone());
                Some(document)
            }
            Err(_) => None,
        };
        if let Some(name) = &request.operation_name {
            prepared = prepared.operation_name(name.as_str());
        }
        if let Some(variables) = request.variables {
            prepared = prepared.variables(Variables::from_json(Value::Object(variables)));
        }
        // Only queries read ahead: in a request that writes, a row read before a write must not
        // answer a lookup after it.
        let reads_only = document
            .as_ref()
            .is_some_and(|document| is_query(document, request.operation_name.as_deref()));
        let loaders = Arc::new(Loaders::new(self.db.clone(), viewer.clone(), reads_only));
        let schema = match viewer {
            Viewer::Anonymous => &self.anonymous_schema,
            Viewer::User(_) => &self.schema,
        };
        let prepared = prepared.data(viewer).data(loaders);
        let Ok(response) = tokio::time::timeout(EXECUTION_TIMEOUT, schema.execute(prepared)).await
        else {
            tracing::warn!(timeout = ?EXECUTION_TIMEOUT, "execution stopped at the time limit");
            let mut body = Body {
                data: Some(async_graphql::Value::Null),
                rest: Map::new(),
            };
            body.rest.insert(
                "errors".to_owned(),
                json!([{
                    "message": "the request took too long and was stopped",
                    "extensions": { "code": "SERVICE_UNAVAILABLE" },
                }]),
            );
            return Ok(Outcome {
                executed: true,
                body,
            });
        };

        // A request that could not execute (it did not parse or validate, its operation or its
        // variables were wrong) has no data and only errors without a path: a field's error
        // always has one, even when it nulls the whole data.
        let executed = !(response.data == async_graphql::Value::Null
            && response.errors.iter().all(|error| error.path.is_empty()));
        let mut body = Body::default();
        if executed {
            let mut data = response.data;
            if let Some(document) = &document {
                order::in_query_order(&mut data, document, request.operation_name.as_deref());
            }
            body.data = Some(data);
        }
        let mut extensions = response.extensions;
        if !response.errors.is_empty() {
            let mut errors = response.errors;
            if errors.len() > MAX_ERRORS {
                let omitted = errors.len() - MAX_ERRORS;
                errors.truncate(MAX_ERRORS);
                extensions.insert(
                    "omittedErrors".to_owned(),
                    async_graphql::Value::from(omitted),
                );
            }
            let mut errors = to_json(&errors);
            // Errors of ours carry a code; those without one come from the GraphQL layer: before
            // execution the request is invalid, during it an input value could not be used.
            let code = if executed {
                "BAD_USER_INPUT"
            } else {
                "GRAPHQL_VALIDATION_FAILED"
            };
            with_default_code(&mut errors, code);
            body.rest.insert("errors".to_owned(), errors);
        }
        if !extensions.is_empty() {
            body.rest
                .insert("extensions".to_owned(), to_json(&extensions));
        }
        Ok(Outcome { executed, body })
    }
}

/// Whether the operation of `document` that runs (the one named `operation_name`, or the only
/// one) is a query.
fn is_query(document: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    let mut operations = document.operations.iter();
    let operation = match operation_name {
        Some(wanted) => operations
            .find(|(name, _)| name.is_some_and(|n| n.as_str() == wanted))
            .map(|(_, operation)| operation),
        None => match (operations.next(), operations.next()) {
            (Some((_, operation)), None) => Some(operation),
            _ => None,
        },
    };
    operation.is_some_and(|operation| operation.node.ty == OperationType::Query)
}

/// The outcome of a request refused before validation.
fn refused(messages: &[String]) -> Outcome {
    let errors = messages
        .iter()
        .map(|message| {
            json!({ "message": message, "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" } })
        })
        .collect();
    let mut body = Body::default();
    body.rest.insert("errors".to_owned(), Value::Array(errors));
    Outcome {
        executed: false,
        body,
    }
}

/// Gives every error without an `extensions.code` the code `code`, so clients can tell a
/// request that could not run from other failures.
fn with_default_code(errors: &mut Value, code: &str) {
    for error in errors.as_array_mut().into_iter().flatten() {
        let Some(error) = error.as_object_mut() else {
            continue;
        };
        let extensions = error
            .entry("extensions")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(extensions) = extensions.as_object_mut() {
            extensions
                .entry("code")
                .or_insert_with(|| Value::String(code.to_owned()));
        }
    }
}

fn to_json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}
