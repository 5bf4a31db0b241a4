//! Limits checked on the parsed document before validation and execution, so that a small
//! request cannot make the server do unbounded work.
//!
//! Fragments can spread each other: a document of a kilobyte whose fragments each spread the
//! next one twice selects billions of fields once expanded, and validating it field by field
//! would pin a worker for minutes. The size of every fragment is computed once here, so the
//! check costs time linear in the document however far it expands.

use std::collections::HashMap;

use async_graphql::Name;
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};

/// Most fields (and directives) one operation may select once its fragments are expanded; an
/// alias counts as a field of its own. The standard introspection query selects a few hundred.
pub const MAX_FIELDS: u64 = 2_000;
/// Most root fields of one mutation: a request is not a batch job.
pub const MAX_MUTATION_FIELDS: u64 = 10;
/// Most response keys (aliases) one field may have in one selection set. Each alias of a list
/// or count can cost a statement of its own, and loaders batch only identical requests.
pub const MAX_ALIASES_PER_FIELD: usize = 10;

/// Why a document is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// An operation selects more than [`MAX_FIELDS`] fields.
    TooManyFields(u64),
    /// A mutation has more than [`MAX_MUTATION_FIELDS`] root fields.
    TooManyMutationFields(u64),
    /// A field is selected under more than [`MAX_ALIASES_PER_FIELD`] aliases in one selection.
    TooManyAliases(String),
}

impl Refusal {
    /// The message for the client.
    pub fn message(&self) -> String {
        match self {
            Self::TooManyFields(n) => format!(
                "the operation selects {n} fields once its fragments are expanded; at most \
                 {MAX_FIELDS} are allowed"
            ),
            Self::TooManyAliases(field) => format!(
                "`{field}` is selected under more than {MAX_ALIASES_PER_FIELD} aliases in one \
                 selection"
            ),
            Self::TooManyMutationFields(n) => format!(
                "the mutation has {n} root fields; at most {MAX_MUTATION_FIELDS} are allowed, send \
                 more requests"
            ),
        }
    }
}

/// Checks every operation of `document`.
pub fn check(document: &ExecutableDocument) -> Result<(), Refusal> {
    let mut sizes = Sizes {
        document,
        known: HashMap::new(),
        expanding: Vec::new(),
    };
    for (_, operation) in document.operations.iter() {
        let selection = &operation.node.selection_set.node;
        let fields = sizes.of(selection);
        if fields > MAX_FIELDS {
            return Err(Refusal::TooManyFields(fields));
        }
        if operation.node.ty == OperationType::Mutation {
            let roots = sizes.roots(selection);
            if roots > MAX_MUTATION_FIELDS {
                return Err(Refusal::TooManyMutationFields(roots));
            }
        }
        // Bounded by the size checked above: every expanded field is visited once.
        check_aliases(document, selection, &mut Vec::new())?;
    }
    Ok(())
}

/// Checks that no field of `set` (fragments merged in, as execution merges them) has more than
/// [`MAX_ALIASES_PER_FIELD`] response keys, then checks the fields' own selections.
fn check_aliases<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    expanding: &mut Vec<&'a Name>,
) -> Result<(), Refusal> {
    let mut fields = Vec::new();
    level_fields(document, set, expanding, &mut fields);
    let mut keys: HashMap<&str, Vec<&str>> = HashMap::new();
    for field in &fields {
        let name = field.name.node.as_str();
        let key = field
            .alias
            .as_ref()
            .map_or(name, |alias| alias.node.as_str());
        let keys = keys.entry(name).or_default();
        if !keys.contains(&key) {
            keys.push(key);
            if keys.len() > MAX_ALIASES_PER_FIELD {
                return Err(Refusal::TooManyAliases(name.to_owned()));
            }
        }
    }
    for field in fields {
        check_aliases(document, &field.selection_set.node, expanding)?;
    }
    Ok(())
}

/// The fields selected at the level of `set`, through fragment spreads and inline fragments.
fn level_fields<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    expanding: &mut Vec<&'a Name>,
    fields: &mut Vec<&'a Field>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => fields.push(&field.node),
            Selection::InlineFragment(inline) => {
                level_fields(document, &inline.node.selection_set.node, expanding, fields);
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                if expanding.contains(&name) {
                    continue;
                }
                if let Some(fragment) = document.fragments.get(name) {
                    expanding.push(name);
                    level_fields(
                        document,
                        &fragment.node.selection_set.node,
                        expanding,
                        fields,
                    );
                    expanding.pop();
                }
            }
        }
    }
}

/// The variables that the operation to run declares non-null without a default but that
/// `variables` leaves out or sets to `null`. Such a request cannot run (GraphQL's coercion of
/// variable values fails before execution), so it is refused as a whole.
pub fn missing_variables(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Vec<String> {
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
    let Some(operation) = operation else {
        return Vec::new();
    };
    operation
        .node
        .variable_definitions
        .iter()
        .filter(|definition| {
            let definition = &definition.node;
            !definition.var_type.node.nullable
                && definition.default_value.is_none()
                && variables
                    .and_then(|v| v.get(definition.name.node.as_str()))
                    .is_none_or(serde_json::Value::is_null)
        })
        .map(|definition| {
            format!(
                "variable `${}` of type `{}` was not given",
                definition.node.name.node, definition.node.var_type.node
            )
        })
        .collect()
}

/// Expanded sizes of selection sets, each fragment's computed once.
struct Sizes<'a> {
    document: &'a ExecutableDocument,
    known: HashMap<&'a Name, u64>,
    /// Fragments being expanded: a cycle counts nothing here (validation rejects it).
    expanding: Vec<&'a Name>,
}

impl<'a> Sizes<'a> {
    /// Fields and directives selected by `set`, fragments expanded.
    fn of(&mut self, set: &'a SelectionSet) -> u64 {
        set.items.iter().fold(0, |total, selection| {
            let size = match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    (1 + field.directives.len() as u64)
                        .saturating_add(self.of(&field.selection_set.node))
                }
                Selection::FragmentSpread(spread) => {
                    let directives = spread.node.directives.len() as u64;
                    directives.saturating_add(self.fragment(&spread.node.fragment_name.node))
                }
                Selection::InlineFragment(inline) => (inline.node.directives.len() as u64)
                    .saturating_add(self.of(&inline.node.selection_set.node)),
            };
            total.saturating_add(size)
        })
    }

    /// Root fields selected by `set` (fragments expanded, nothing below them counted).
    fn roots(&mut self, set: &'a SelectionSet) -> u64 {
        set.items.iter().fold(0, |total, selection| {
            total.saturating_add(match &selection.node {
                Selection::Field(_) => 1,
                Selection::FragmentSpread(spread) => self
                    .document
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .map_or(0, |fragment| self.roots(&fragment.node.selection_set.node)),
                Selection::InlineFragment(inline) => self.roots(&inline.node.selection_set.node),
            })
        })
    }

    fn fragment(&mut self, name: &'a Name) -> u64 {
        if let Some(size) = self.known.get(name) {
            return *size;
        }
        if self.expanding.contains(&name) {
            return 0;
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            return 0;
        };
        self.expanding.push(name);
        let size = self.of(&fragment.node.selection_set.node);
        self.expanding.pop();
        self.known.insert(name, size);
        size
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn checked(query: &str) -> Result<(), Refusal> {
        match parse_query(query) {
            Ok(document) => check(&document),
            Err(err) => panic!("{query} does not parse: {err}"),
        }
    }

    /// A document whose fragment `F0` expands to 2^`depth` copies of `__typename`.
    fn doubling(depth: usize) -> String {
        let mut query = String::from("{ ...F0 }");
        for i in 0..depth {
            query.push_str(&format!(
                " fragment F{i} on Query {{ ...F{n} a{i}: __typename ...F{n} }}",
                n = i + 1
            ));
        }
        query.push_str(&format!(" fragment F{depth} on Query {{ __typename }}"));
        query
    }

    #[test]
    fn fragments_that_double_are_refused_quickly() {
        assert!(checked(&doubling(5)).is_ok());
        let started = std::time::Instant::now();
        assert!(matches!(
            checked(&doubling(60)),
            Err(Refusal::TooManyFields(n)) if n > MAX_FIELDS
        ));
        // Linear work: far from the 2^60 fields the document stands for.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn aliases_and_directives_count() {
        let aliases: String = (0..=MAX_FIELDS)
            .map(|i| format!(" a{i}: __typename"))
            .collect();
        assert!(matches!(
            checked(&format!("{{{aliases} }}")),
            Err(Refusal::TooManyFields(_))
        ));
        let directives = " @skip(if: false)".repeat(usize::try_from(MAX_FIELDS).unwrap_or(0));
        assert!(checked(&format!("{{ __typename{directives} }}")).is_err());
    }

    #[test]
    fn mutations_have_few_root_fields() {
        let roots = |n: u64| -> String { (0..n).map(|i| format!(" m{i}: x")).collect() };
        assert!(checked(&format!("mutation {{{} }}", roots(MAX_MUTATION_FIELDS))).is_ok());
        assert_eq!(
            checked(&format!("mutation {{{} }}", roots(MAX_MUTATION_FIELDS + 1))),
            Err(Refusal::TooManyMutationFields(MAX_MUTATION_FIELDS + 1))
        );
        assert!(
            checked(&format!(
                "mutation {{ ...M }} fragment M on Mutation {{{} }}",
                roots(11)
            ))
            .is_err()
        );
    }

    #[test]
    fn required_variables_must_be_given() {
        let Ok(document) =
            parse_query("query Q($id: ID!, $n: Int! = 5, $f: String) { node(id: $id) { id } }")
        else {
            panic!("parses");
        };
        let given = |json: serde_json::Value| missing_variables(&document, None, json.as_object());
        assert_eq!(given(serde_json::json!({})).len(), 1);
        assert_eq!(given(serde_json::json!({ "id": null })).len(), 1);
        assert!(given(serde_json::json!({ "id": "x" })).is_empty());
        assert!(missing_variables(&document, Some("Other"), None).is_empty());
    }

    #[test]
    fn a_field_has_at_most_ten_aliases_per_selection() {
        let aliases = |n: usize, field: &str| -> String {
            (0..n).map(|i| format!(" a{i}: {field}")).collect()
        };
        assert!(checked(&format!("{{{} }}", aliases(10, "topics { totalCount }"))).is_ok());
        assert_eq!(
            checked(&format!("{{{} }}", aliases(11, "topics { totalCount }"))),
            Err(Refusal::TooManyAliases("topics".to_owned()))
        );
        // Fragments merge into the level they are spread at; nested levels count on their own.
        assert!(
            checked(&format!(
                "{{{} ...F }} fragment F on Query {{ b: topics {{ totalCount }} }}",
                aliases(10, "topics { totalCount }")
            ))
            .is_err()
        );
        assert!(
            checked(&format!(
                "{{ cohorts {{ nodes {{{} }} }} }}",
                aliases(11, "staff { totalCount }")
            ))
            .is_err()
        );
        // The same key again is one key.
        assert!(checked(&format!("{{{} }}", " topics { totalCount }".repeat(20))).is_ok());
    }

    #[test]
    fn fragment_cycles_are_left_to_validation() {
        assert!(
            checked("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }").is_ok()
        );
    }
}
