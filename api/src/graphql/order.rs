//! Puts the fields of a response in the order the query asked for them.
//!
//! async-graphql resolves the fields of a query concurrently and records each as it completes,
//! so `{ viewer { name } cohorts { ... } }` may come back with `cohorts` first. The GraphQL
//! specification asks for the order of the query, and people reading responses expect it.

use async_graphql::Value;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

use crate::graphql::MAX_WALK_DEPTH;

/// The response keys of a selection, in query order, each with the selection sets below it.
type Keys<'a> = Vec<(&'a str, Vec<&'a SelectionSet>)>;

/// Reorders every object in `data` to follow the selection sets of the operation of `document`
/// named `operation_name` (or its only operation). Objects are reordered in place, and the
/// items of a list share the key order worked out once for the list.
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

/// Reorders `value`, whose fields the selection sets `sets` chose.
fn reorder(value: &mut Value, sets: &[&SelectionSet], document: &ExecutableDocument, depth: usize) {
    if depth > MAX_WALK_DEPTH || !matches!(value, Value::Object(_) | Value::List(_)) {
        return;
    }
    let mut keys = Vec::new();
    for set in sets {
        collect(set, document, &mut keys, depth);
    }
    in_order(value, &keys, document, depth);
}

/// Puts the fields of `value` (or of each object in it, if it is a list) in the order of
/// `keys`, and recurses into them.
fn in_order(value: &mut Value, keys: &Keys<'_>, document: &ExecutableDocument, depth: usize) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    match value {
        Value::List(items) => {
            for item in items {
                in_order(item, keys, document, depth + 1);
            }
        }
        Value::Object(object) => {
            // Fields the walk names move to the front in query order; anything else keeps its
            // place after them.
            let mut position = 0;
            for (key, subsets) in keys {
                // Objects mostly come in order already: look a key up only when it is not
                // where it belongs.
                let in_place = object
                    .get_index(position)
                    .is_some_and(|(name, _)| name.as_str() == *key);
                if !in_place {
                    let Some(index) = object.get_index_of(*key) else {
                        continue;
                    };
                    object.move_index(index, position);
                }
                if let Some((_, field)) = object.get_index_mut(position) {
                    reorder(field, subsets, document, depth + 1);
                }
                position += 1;
            }
        }
        _ => {}
    }
}

/// The response keys of `set`, in order, each with the selection sets below it (one per field
/// that shares the key), following fragments.
fn collect<'a>(
    set: &'a SelectionSet,
    document: &'a ExecutableDocument,
    keys: &mut Keys<'a>,
    depth: usize,
) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                let key = field
                    .alias
                    .as_ref()
                    .map_or(field.name.node.as_str(), |alias| alias.node.as_str());
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
        match value {
            Value::Object(object) => object.keys().map(|key| key.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    fn field<'a>(value: &'a Value, key: &str) -> &'a Value {
        match value {
            Value::Object(object) => &object[key],
            _ => &Value::Null,
        }
    }

    fn item(value: &Value, index: usize) -> &Value {
        match value {
            Value::List(items) => &items[index],
            _ => &Value::Null,
        }
    }

    #[test]
    fn fields_follow_the_query_through_aliases_lists_and_fragments() {
        let data = Value::from_json(json!({
            "b": [{ "z": 1, "y": 2 }, { "y": 3, "z": 4, "extra": 5 }],
            "first": { "x": 1 },
            "viewer": { "name": "A", "id": "1" },
        }));
        let Ok(mut data) = data else {
            panic!("the data converts");
        };
        let document = async_graphql::parser::parse_query(
            "query Q { viewer { ...V name } first: thing { x } b { ... on T { y } z } }
             fragment V on User { id }",
        );
        let Ok(document) = document else {
            panic!("the query parses");
        };
        in_query_order(&mut data, &document, Some("Q"));
        assert_eq!(keys(&data), ["viewer", "first", "b"]);
        assert_eq!(keys(field(&data, "viewer")), ["id", "name"]);
        assert_eq!(keys(item(field(&data, "b"), 0)), ["y", "z"]);
        assert_eq!(keys(item(field(&data, "b"), 1)), ["y", "z", "extra"]);
    }
}
