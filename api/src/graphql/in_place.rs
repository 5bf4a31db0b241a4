//! Resolves the fields of an object together in one future.
//!
//! async-graphql resolves each field of an object as a boxed future of its own and runs them as
//! tasks of a `FuturesUnordered`: an allocation and a task per field, for every object of a
//! page. [`InPlace`] is the same object type to clients and to the schema, but its fields are
//! polled side by side in a single allocation and come back in the order of the query. Fields
//! still run concurrently, so the data loaders batch across them as before.
//!
//! Wrap the node types of lists and the objects that pages return many of; a type returned once
//! per request gains nothing from it.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::resolve_container;
use async_graphql::{
    ContextSelectionSet, Name, ObjectType, OutputType, Positioned, ServerError, ServerResult, Value,
};
use futures_util::future::join_all;

use crate::graphql::MAX_WALK_DEPTH;

/// An object type whose fields resolve together in one future; see the module documentation.
pub struct InPlace<T>(pub T);

impl<T: ObjectType> OutputType for InPlace<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve_in_place(ctx, &self.0).await
    }
}

/// Resolves the selection of `ctx` on `root` like async-graphql's own `resolve_container`,
/// which it falls back to when custom directives need to see each field. The schema registers
/// no extensions (`schema_builder`): one that hooked the resolution of each field would not see
/// these.
async fn resolve_in_place<T: ObjectType>(
    ctx: &ContextSelectionSet<'_>,
    root: &T,
) -> ServerResult<Value> {
    if !ctx.schema_env.custom_directives.is_empty() {
        return resolve_container(ctx, root).await;
    }
    let mut fields = Vec::new();
    collect::<T>(ctx, ctx.item, &mut fields, 0)?;
    let contexts: Vec<_> = fields.iter().map(|field| ctx.with_field(field)).collect();
    let values = join_all(contexts.iter().map(|ctx_field| async move {
        if ctx_field.item.node.name.node == "__typename" {
            Ok(Some(Value::String(
                root.introspection_type_name().into_owned(),
            )))
        } else {
            root.resolve_field(ctx_field).await
        }
    }))
    .await;
    let mut object = IndexMap::with_capacity(fields.len());
    for (field, value) in fields.iter().zip(values) {
        match value {
            Ok(value) => insert(
                &mut object,
                field.node.response_key().node.clone(),
                value.unwrap_or_default(),
            ),
            Err(error) => ctx.add_error(error),
        }
    }
    Ok(if object.is_empty() {
        Value::Null
    } else {
        Value::Object(object)
    })
}

/// The fields of `set` that apply to `T`, in query order, following fragments whose type
/// condition `T` meets.
fn collect<'a, T: ObjectType>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a Positioned<SelectionSet>,
    fields: &mut Vec<&'a Positioned<Field>>,
    depth: usize,
) -> ServerResult<()> {
    if depth > MAX_WALK_DEPTH {
        return Err(ServerError::new(
            "Fragments nest too deeply.",
            Some(set.pos),
        ));
    }
    for selection in &set.node.items {
        let (condition, subset) = match &selection.node {
            Selection::Field(field) => {
                fields.push(field);
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                let Some(fragment) = ctx.query_env.fragments.get(name) else {
                    return Err(ServerError::new(
                        format!(r#"Unknown fragment "{name}"."#),
                        Some(spread.pos),
                    ));
                };
                (
                    Some(fragment.node.type_condition.node.on.node.as_str()),
                    &fragment.node.selection_set,
                )
            }
            Selection::InlineFragment(inline) => (
                inline
                    .node
                    .type_condition
                    .as_ref()
                    .map(|condition| condition.node.on.node.as_str()),
                &inline.node.selection_set,
            ),
        };
        if condition.is_none_or(|condition| applies::<T>(ctx, condition)) {
            collect::<T>(ctx, subset, fields, depth + 1)?;
        }
    }
    Ok(())
}

/// Whether a fragment on `condition` applies to the object type `T`: it names `T` or an
/// interface `T` implements.
fn applies<T: ObjectType>(ctx: &ContextSelectionSet<'_>, condition: &str) -> bool {
    let name = T::type_name();
    name == condition
        || ctx
            .schema_env
            .registry
            .implements
            .get(name.as_ref())
            .is_some_and(|interfaces| interfaces.contains(condition))
}

/// Adds a field's value under its response key; a key selected twice merges the objects (and
/// the objects of lists, item by item) that its selections resolved to.
fn insert(object: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    let Some(previous) = object.get_mut(&key) else {
        object.insert(key, value);
        return;
    };
    match (previous, value) {
        (Value::Object(previous), Value::Object(value)) => {
            for (key, value) in value {
                insert(previous, key, value);
            }
        }
        (Value::List(previous), Value::List(value)) => {
            for (previous, value) in previous.iter_mut().zip(value) {
                if let (Value::Object(previous), Value::Object(value)) = (previous, value) {
                    for (key, value) in value {
                        insert(previous, key, value);
                    }
                }
            }
        }
        _ => {}
    }
}
