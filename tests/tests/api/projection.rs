//! Pages read only the columns their selected fields need (`graphql::projection`). Every field
//! of each type that lists its columns answers in a page, alone and with all the others, and
//! through the row read ahead with the page, exactly what it answers when its object is read
//! whole by `nodes(ids:)`; and the statements really leave the other columns out.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use entity::cohort_staff::StaffRole;
use entity::enrollment::{self, EnrollmentStatus};
use entity::membership::{self, MembershipRole, Profession};
use entity::organization::{self, OrganizationKind};
use entity::user::UserRole;
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, gid};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde_json::{Value, json};

/// The types whose pages read only some columns, and a list of each through which the test
/// reads them: the query of the page around `SELECTION` (an item's fields, `id` included) and
/// the path from `data` to the items.
const CASES: &[(&str, &str, &[&str])] = &[
    (
        "Membership",
        "query($id: ID!) { node(id: $id) { ... on Organization {
            members(first: 10) { nodes { SELECTION } } } } }",
        &["node", "members", "nodes"],
    ),
    (
        "Membership",
        "query($id: ID!) { node(id: $id) { ... on Organization {
            members(first: 10) { edges { cursor node { ...Item } } } } } }
         fragment Item on Membership { SELECTION }",
        &["node", "members", "edges", "node"],
    ),
    (
        "User",
        "query($id: ID!) { node(id: $id) { ... on Organization {
            members(first: 10) { nodes { role user { SELECTION } } } } } }",
        &["node", "members", "nodes", "user"],
    ),
    (
        "Membership",
        "query($id: ID!) { node(id: $id) { ... on User {
            memberships(first: 10) { nodes { SELECTION } } } } }",
        &["node", "memberships", "nodes"],
    ),
    (
        "Organization",
        "query($id: ID!) { node(id: $id) { ... on User {
            memberships(first: 10) { nodes { role organization { SELECTION } } } } } }",
        &["node", "memberships", "nodes", "organization"],
    ),
    (
        "CohortStaff",
        "query($id: ID!) { node(id: $id) { ... on Cohort {
            staff(first: 10) { nodes { SELECTION } } } } }",
        &["node", "staff", "nodes"],
    ),
    (
        "User",
        "query($id: ID!) { node(id: $id) { ... on Cohort {
            staff(first: 10) { totalCount nodes { user { ... on User { SELECTION } } } } } } }",
        &["node", "staff", "nodes", "user"],
    ),
    (
        "Enrollment",
        "query($id: ID!) { node(id: $id) { ... on Cohort {
            enrollments(first: 10) { nodes { SELECTION } } } } }",
        &["node", "enrollments", "nodes"],
    ),
    (
        "Organization",
        "query($id: ID!) { node(id: $id) { ... on Cohort {
            enrollments(first: 10) { nodes { status organization { SELECTION } } } } } }",
        &["node", "enrollments", "nodes", "organization"],
    ),
];

/// Data whose every column differs from the placeholder a column left out holds (the type's
/// default), so a field that reads a column it does not list answers differently.
struct Fixture {
    app: TestApp,
    admin: String,
    organization: String,
    cohort: String,
    /// A member of two organizations.
    member: String,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let org = app.organization("Acme Clinic").await;
    let mut active = org.into_active_model();
    active.kind = Set(OrganizationKind::TribalHealthProgram);
    active.region = Set(Some("Montana".to_owned()));
    active.time_zone = Set(Some("America/Denver".to_owned()));
    active.version = Set(3);
    let org: organization::Model = active.update(&app.db).await.unwrap();
    let other = app.organization("Birch Health Center").await;

    let cohort = app.cohort("alpha").await;
    app.enroll(&cohort, &org).await;
    let withdrawn = app.enroll(&cohort, &other).await;
    let mut active = withdrawn.into_active_model();
    active.status = Set(EnrollmentStatus::Withdrawn);
    active.withdrawn_at = Set(Some(Utc::now() - Duration::days(3)));
    let _: enrollment::Model = active.update(&app.db).await.unwrap();

    let (lead, _) = app.user("Lena Lead", UserRole::Admin).await;
    let (member, _) = app.user("Max Member", UserRole::User).await;
    let membership = app.member(&org, &lead, MembershipRole::Lead).await;
    let mut active = membership.into_active_model();
    active.profession = Set(Profession::CommunityHealthWorker);
    active.is_champion = Set(true);
    active.version = Set(2);
    let _: membership::Model = active.update(&app.db).await.unwrap();
    app.member(&org, &member, MembershipRole::Member).await;
    app.member(&other, &member, MembershipRole::Lead).await;
    // The lead is staff too: the same user is read ahead by two pages of one request.
    app.staff(&cohort, &lead, StaffRole::Coach).await;
    app.staff(&cohort, &member, StaffRole::Lead).await;

    Fixture {
        organization: gid(NodeKind::Organization, org.id),
        cohort: gid(NodeKind::Cohort, cohort.id),
        member: gid(NodeKind::User, member.id),
        app,
        admin,
    }
}

impl Fixture {
    async fn query(&self, query: &str, variables: Value) -> Value {
        let body = self.app.graphql(Some(&self.admin), query, variables).await;
        assert!(body.get("errors").is_none(), "{query}: {body}");
        body["data"].clone()
    }

    /// Each field of `type_name` with a selection that makes it answer: scalars alone, objects
    /// by `id` (or their count, or their type name), leaving out fields with required arguments.
    async fn fields(&self, type_name: &str) -> Vec<(String, String)> {
        let data = self
            .query(
                "query($name: String!) { __type(name: $name) { fields {
                    name args { type { kind } defaultValue }
                    type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
                } } }",
                json!({ "name": type_name }),
            )
            .await;
        let mut fields = Vec::new();
        for field in data["__type"]["fields"].as_array().unwrap() {
            let required = field["args"]
                .as_array()
                .unwrap()
                .iter()
                .any(|arg| arg["type"]["kind"] == "NON_NULL" && arg["defaultValue"].is_null());
            if required {
                continue;
            }
            let name = field["name"].as_str().unwrap().to_owned();
            let mut of = &field["type"];
            while of["name"].is_null() {
                of = &of["ofType"];
            }
            let selection = match of["kind"].as_str().unwrap() {
                "SCALAR" | "ENUM" => name.clone(),
                _ => {
                    let inner = self.field_names(of["name"].as_str().unwrap()).await;
                    let pick = ["id", "totalCount"]
                        .into_iter()
                        .find(|f| inner.iter().any(|i| i == f))
                        .unwrap_or("__typename");
                    format!("{name} {{ {pick} }}")
                }
            };
            fields.push((name, selection));
        }
        assert!(!fields.is_empty(), "{type_name} has fields");
        fields
    }

    async fn field_names(&self, type_name: &str) -> Vec<String> {
        let data = self
            .query(
                "query($name: String!) { __type(name: $name) { fields { name } } }",
                json!({ "name": type_name }),
            )
            .await;
        data["__type"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The items of `query` with `selection` (and `id`), each by its ID.
    async fn items(
        &self,
        query: &str,
        path: &[&str],
        parent: &str,
        selection: &str,
    ) -> BTreeMap<String, Value> {
        let query = query.replace("SELECTION", &format!("id {selection}"));
        let data = self.query(&query, json!({ "id": parent })).await;
        let mut items = vec![&data];
        for step in path {
            items = items
                .into_iter()
                .flat_map(|value| match &value[step] {
                    Value::Array(values) => values.iter().collect::<Vec<_>>(),
                    value => vec![value],
                })
                .collect();
        }
        assert!(items.len() >= 2, "{query} answers several items: {data}");
        items
            .into_iter()
            .map(|item| (item["id"].as_str().unwrap().to_owned(), item.clone()))
            .collect()
    }

    /// The objects `ids` of `type_name`, read whole, with `selection` (and `id`).
    async fn whole(
        &self,
        type_name: &str,
        ids: Vec<&String>,
        selection: &str,
    ) -> BTreeMap<String, Value> {
        let query = format!(
            "query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on {type_name} {{ id {selection} }} }} }}"
        );
        let data = self.query(&query, json!({ "ids": ids })).await;
        data["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| (item["id"].as_str().unwrap().to_owned(), item.clone()))
            .collect()
    }
}

#[tokio::test]
async fn every_listed_field_answers_in_a_page_as_when_read_whole() {
    let fixture = fixture().await;
    for (type_name, query, path) in CASES {
        // The type of the object the page hangs from: `node(id: $id) { ... on <Type>`.
        let parent = match query
            .split("... on ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
        {
            Some("Organization") => &fixture.organization,
            Some("Cohort") => &fixture.cohort,
            Some("User") => &fixture.member,
            other => panic!("no parent for {other:?}"),
        };
        let fields = fixture.fields(type_name).await;
        let all = fields
            .iter()
            .map(|(_, selection)| selection.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let selections = fields
            .iter()
            .map(|(name, selection)| (name.as_str(), selection.as_str()))
            .chain([("every field", all.as_str())]);
        for (name, selection) in selections {
            let paged = fixture.items(query, path, parent, selection).await;
            let whole = fixture
                .whole(type_name, paged.keys().collect(), selection)
                .await;
            assert_eq!(
                paged, whole,
                "{type_name}.{name} in a page differs from the object read whole ({query})"
            );
        }
    }
}

#[tokio::test]
async fn one_row_read_ahead_by_two_pages_and_looked_up_answers_every_field() {
    let fixture = fixture().await;
    let fields = "name email isAdmin createdAt isActive";
    // The same users: through the members page asking for two columns, the staff page asking
    // for two others, and looked up by ID asking for every field, in one request.
    let data = fixture
        .query(
            "query($org: ID!, $cohort: ID!) {
                org: node(id: $org) { ... on Organization {
                    members(first: 10) { nodes { user { id name } } } } }
                cohort: node(id: $cohort) { ... on Cohort {
                    staff(first: 10) { nodes { user { id email isAdmin } } } } }
                viewer { id }
            }",
            json!({ "org": fixture.organization, "cohort": fixture.cohort }),
        )
        .await;
    let mut ids: Vec<String> = data["org"]["members"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .chain(data["cohort"]["staff"]["nodes"].as_array().unwrap())
        .map(|node| node["user"]["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    let whole = fixture.whole("User", ids.iter().collect(), fields).await;
    let together = fixture
        .query(
            &format!(
                "query($org: ID!, $cohort: ID!, $ids: [ID!]!) {{
                    org: node(id: $org) {{ ... on Organization {{
                        members(first: 10) {{ nodes {{ user {{ id name }} }} }} }} }}
                    cohort: node(id: $cohort) {{ ... on Cohort {{
                        staff(first: 10) {{ nodes {{ user {{ id email isAdmin }} }} }} }} }}
                    nodes(ids: $ids) {{ ... on User {{ id {fields} }} }}
                }}"
            ),
            json!({ "org": fixture.organization, "cohort": fixture.cohort, "ids": ids }),
        )
        .await;
    let looked_up: BTreeMap<String, Value> = together["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["id"].as_str().unwrap().to_owned(), item.clone()))
        .collect();
    assert_eq!(looked_up, whole);
    for (page, key, picked) in [
        ("org", "members", &["name"][..]),
        ("cohort", "staff", &["email", "isAdmin"][..]),
    ] {
        for node in together[page][key]["nodes"].as_array().unwrap() {
            let user = &node["user"];
            let id = user["id"].as_str().unwrap();
            for field in picked {
                assert_eq!(user[field], whole[id][field], "{key}: {field} of {id}");
            }
        }
    }
}

#[tokio::test]
async fn pages_select_only_the_columns_their_fields_read() {
    let fixture = fixture().await;
    let query = "query($id: ID!) { node(id: $id) { ... on Organization {
        members(first: 10) { nodes { role user { SELECTION } } } } } }";
    let fixture = &fixture;
    let run = |selection: &str| {
        let query = query.replace("SELECTION", selection);
        async move {
            fixture
                .app
                .record_statements(fixture.app.graphql(
                    Some(&fixture.admin),
                    &query,
                    json!({ "id": fixture.organization }),
                ))
                .await
        }
    };
    let page = |statements: Vec<String>| {
        statements
            .into_iter()
            .find(|sql| sql.contains("\"membership\"") && sql.contains("ROW_NUMBER"))
            .expect("the members page's statement")
    };

    let (statements, body) = run("name").await;
    assert!(body.get("errors").is_none(), "{body}");
    let narrow = page(statements);
    for column in ["\"name\"", "\"role\"", "\"user_id\""] {
        assert!(narrow.contains(column), "{column} in {narrow}");
    }
    for column in [
        "\"email\"",
        "\"profession\"",
        "\"is_champion\"",
        "\"is_active\"",
    ] {
        assert!(!narrow.contains(column), "{column} in {narrow}");
    }

    let (statements, body) = run("name email").await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(page(statements).contains("\"email\""));

    // Fragments, the ID and the type name read no column beyond the key.
    let (statements, body) = run("name ... on Node { id } __typename").await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(!page(statements).contains("\"email\""));
}
