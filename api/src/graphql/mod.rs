//! The GraphQL schema: shared plumbing and the root types merged from every domain.

pub mod errors;
pub mod execute;
pub mod ids;
pub mod in_place;
pub mod limits;
pub mod loaders;
pub mod node;
mod order;
pub mod pagination;
pub mod projection;
pub mod scalars;

use std::sync::Arc;

use async_graphql::{Context, EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use crate::auth::{Actor, Viewer};
use crate::error::ApiError;
use crate::graphql::loaders::{LoaderKind, Loaders};

/// The root query type.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    crate::user::query::UserQuery,
    crate::organization::query::OrganizationQuery,
    crate::cohort::query::CohortQuery,
    crate::topic::query::TopicQuery,
    crate::invitation::query::InvitationQuery,
    crate::milestone::query::MilestoneQuery,
    crate::milestone::query::ShowcaseQuery,
    crate::event::query::EventQuery,
    crate::matching::query::MatchingQuery,
);

/// The root mutation type.
#[derive(MergedObject, Default)]
pub struct Mutation(
    crate::organization::mutation::OrganizationMutation,
    crate::cohort::mutation::CohortMutation,
    crate::topic::mutation::TopicMutation,
    crate::invitation::mutation::InvitationMutation,
    crate::account::mutation::AccountMutation,
    crate::milestone::mutation::MilestoneMutation,
    crate::event::mutation::EventMutation,
    crate::event::toolkit_mutation::ToolkitMutation,
    crate::matching::mutation::MatchingMutation,
);

/// The executable schema.
pub type ApiSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deeper than any walk of a query's selections, fragments included, goes for a query the
/// schema accepts; stops a walk through a malformed fragment cycle.
pub(crate) const MAX_WALK_DEPTH: usize = 64;

/// Deepest selection a query may have: the standard introspection query of GraphiQL and code
/// generators nests `ofType` about a dozen levels; the data itself is shallower.
const MAX_DEPTH: usize = 20;
/// Upper bound on the complexity of one query: every field counts one, and a connection counts
/// its page size times its item's fields, so this bounds the objects one query can fetch
/// (about half a million objects of a few fields each).
const MAX_COMPLEXITY: usize = 2_500_000;

/// The schema without runtime data, for printing the SDL.
pub fn schema_builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
}

/// The schema used by the server and the tests.
pub fn build_schema(db: DatabaseConnection) -> ApiSchema {
    schema_builder().data(db).finish()
}

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

/// Lets only signed-in viewers through. Every root query and mutation type carries either this
/// guard or [`Public`]: an anonymous request for a field of a `SignedIn` type is
/// `UNAUTHENTICATED` before any argument is looked at.
pub struct SignedIn;

impl async_graphql::Guard for SignedIn {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        ctx.actor()?;
        Ok(())
    }
}

/// Opens the fields of a root type to anonymous viewers, who see only what the domains' public
/// scopes admit. Root types opt in with this guard explicitly; the authorization matrix has an
/// anonymous row for each of their fields.
pub struct Public;

impl async_graphql::Guard for Public {
    async fn check(&self, _ctx: &Context<'_>) -> async_graphql::Result<()> {
        Ok(())
    }
}

/// Typed access to the request data every resolver needs.
pub trait ContextExt {
    /// The database pool.
    fn db(&self) -> Result<&DatabaseConnection, ApiError>;
    /// Who is asking.
    fn viewer(&self) -> Result<&Viewer, ApiError>;
    /// The signed-in user, or `UNAUTHENTICATED`.
    fn actor(&self) -> Result<&Arc<Actor>, ApiError> {
        self.viewer()?.require()
    }
    /// The request's DataLoaders.
    fn loaders(&self) -> Result<&Arc<Loaders>, ApiError>;
    /// The request's loader of kind `K`, built on first use.
    fn loader<K: LoaderKind>(&self) -> Result<Arc<K::Loader>, ApiError> {
        Ok(self.loaders()?.get::<K>())
    }
}

impl ContextExt for Context<'_> {
    fn db(&self) -> Result<&DatabaseConnection, ApiError> {
        self.data::<DatabaseConnection>().map_err(missing)
    }

    fn viewer(&self) -> Result<&Viewer, ApiError> {
        self.data::<Viewer>().map_err(missing)
    }

    fn loaders(&self) -> Result<&Arc<Loaders>, ApiError> {
        self.data::<Arc<Loaders>>().map_err(missing)
    }
}

fn missing(err: async_graphql::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("request data missing: {}", err.message))
}

/// Declares a GraphQL enum that mirrors an entity enum variant for variant, with conversions
/// both ways. The entity enum must be in scope under the given name.
macro_rules! mirror_enum {
    (
        $(#[$meta:meta])*
        $name:ident mirrors $model:ident {
            $($(#[$variant_meta:meta])* $variant:ident),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$variant_meta])* $variant),*
        }

        impl From<$model> for $name {
            fn from(value: $model) -> Self {
                match value {
                    $($model::$variant => Self::$variant),*
                }
            }
        }

        impl From<$name> for $model {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => Self::$variant),*
                }
            }
        }
    };
}

pub(crate) use mirror_enum;

/// The idempotency request of a create mutation: `key` as the client sent it, and a digest of
/// the whole input (a retry must send the same input), computed only when there is a key.
pub fn idempotent<'a>(
    operation: &'static str,
    key: Option<&'a str>,
    input: &impl async_graphql::InputType,
) -> crate::idempotency::Request<'a> {
    let fingerprint = key.map_or_else(String::new, |_| {
        let canonical = input.to_value().into_json().map(|json| json.to_string());
        crate::idempotency::fingerprint(&canonical.unwrap_or_default())
    });
    crate::idempotency::Request {
        operation,
        key,
        fingerprint,
    }
}
