//! Puts the fields of a response in the order the query asked for them.
//!
//! async-graphql resolves the fields of a query concurrently and records each as it completes,
//! so `{ viewer { name } cohorts { ... } }` may come back with `cohorts` first. The GraphQL
//! specification asks for the order of the query, and people reading responses expect it.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use serde_json::{Map, Value};

/// Deeper than any query the schema accepts; stops a malformed fragment cycle.
const MAX_DEPTH: usize = 64;

/// Reorders every object in `data` to follow the selection sets of the operation of `document`
/// named `operation_name` (or its only operation).
pub fn in_query_order(
    data: &mut Value,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) {
    let operation = document
        .operations
        .iter()
        .find(|(name, _)| match operation_name {
            Some(wanted) => name.is_some_and(|n| n.as_str() == wanted),
            None => true,
        })
        .map(|(_, operation)| &operation.node.selection_set.node);
    if let Some(selection_set) = operation {
        reorder(data, &[selection_set], document, 0);
    }
}

fn reorder(value: &mut Value, sets: &[&SelectionSet], document: &ExecutableDocument, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                reorder(item, sets, document, depth + 1);
            }
        }
        Value::Object(object) => {
            let mut keys: Vec<(String, Vec<&SelectionSet>)> = Vec::new();
            for set in sets {
                collect(set, document, &mut keys, depth);
            }
            let mut ordered = Map::with_capacity(object.len());
            for (key, subsets) in keys {
                if let Some(mut field) = object.remove(&key) {
                    reorder(&mut field, &subsets, document, depth + 1);
                    ordered.insert(key, field);
                }
            }
            // Anything the walk did not name keeps its place after the rest.
            ordered.append(object);
            *object = ordered;
        }
        _ => {}
    }
}

/// The response keys of `set`, in order, each with the selection sets below it (one per field
/// that shares the key), following fragments.
fn collect<'a>(
    set: &'a SelectionSet,
    document: &'a ExecutableDocument,
    keys: &mut Vec<(String, Vec<&'a SelectionSet>)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                let key = field.alias.as_ref().map_or_else(
                    || field.name.node.to_string(),
                    |alias| alias.node.to_string(),
                );
                let subset = &field.selection_set.node;
                match keys.iter_mut().find(|(existing, _)| *existing == key) {
                    Some((_, subsets)) => subsets.push(subset),
                    None => keys.push((key, vec![subset])),
                }
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    collect(&fragment.node.selection_set.node, document, keys, depth + 1);
                }
            }
            Selection::InlineFragment(inline) => {
                collect(&inline.node.selection_set.node, document, keys, depth + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    #[test]
    fn fields_follow_the_query_through_aliases_lists_and_fragments() {
        let mut data = json!({
            "b": [{ "z": 1, "y": 2 }, { "y": 3, "z": 4 }],
            "first": { "x": 1 },
            "viewer": { "name": "A", "id": "1" },
        });
        let document = async_graphql::parser::parse_query(
            "query Q { viewer { ...V name } first: thing { x } b { ... on T { y } z } }
             fragment V on User { id }",
        );
        let Ok(document) = document else {
            panic!("the query parses");
        };
        in_query_order(&mut data, &document, Some("Q"));
        assert_eq!(keys(&data), ["viewer", "first", "b"]);
        assert_eq!(keys(&data["viewer"]), ["id", "name"]);
        assert_eq!(keys(&data["b"][0]), ["y", "z"]);
        assert_eq!(keys(&data["b"][1]), ["y", "z"]);
    }
}
