//! Grantee milestones: posting, progress, review, history, visibility from every role's point
//! of view (counts and filters included), comments and kudos, and the consented showcase.

use chrono::{Duration, Utc};
use entity::cohort_staff::StaffRole;
use entity::enrollment::{self, EnrollmentStatus};
use entity::membership::MembershipRole;
use entity::milestone::MilestoneVisibility;
use entity::user::UserRole;
use entity::{cohort, organization, user};
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, error_code, gid, user_error_codes};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

/// Cohort A with organizations A1 (a lead and a member) and A2 (a member), cohort B with B1
/// (a member); a coach and a presenter of A, a coach of B, an admin; two topics.
pub struct World {
    pub app: TestApp,
    pub a: cohort::Model,
    pub a1: organization::Model,
    pub a2: organization::Model,
    pub b1: organization::Model,
    pub lead: (user::Model, String),
    pub member: (user::Model, String),
    pub peer: (user::Model, String),
    pub outsider: (user::Model, String),
    pub coach: (user::Model, String),
    pub presenter: (user::Model, String),
    pub other_coach: (user::Model, String),
    pub admin: (user::Model, String),
    pub billing: String,
    pub screening: String,
}

impl World {
    pub async fn new() -> Self {
        let app = TestApp::spawn().await;
        let a = app.cohort("cohort-a").await;
        let b = app.cohort("cohort-b").await;
        let a1 = app.organization("Acme Clinic").await;
        let a2 = app.organization("Bayside Health").await;
        let b1 = app.organization("Cedar Tribal Health").await;
        for (cohort, org) in [(&a, &a1), (&a, &a2), (&b, &b1)] {
            app.enroll(cohort, org).await;
        }
        let lead = app.user("Lena Lead", UserRole::User).await;
        app.member(&a1, &lead.0, MembershipRole::Lead).await;
        let member = app.user("Mo Member", UserRole::User).await;
        app.member(&a1, &member.0, MembershipRole::Member).await;
        let peer = app.user("Pat Peer", UserRole::User).await;
        app.member(&a2, &peer.0, MembershipRole::Member).await;
        let outsider = app.user("Oz Outsider", UserRole::User).await;
        app.member(&b1, &outsider.0, MembershipRole::Member).await;
        let coach = app.user("Cal Coach", UserRole::User).await;
        app.staff(&a, &coach.0, StaffRole::Coach).await;
        let presenter = app.user("Pia Presenter", UserRole::User).await;
        app.staff(&a, &presenter.0, StaffRole::Presenter).await;
        let other_coach = app.user("Cy Coach", UserRole::User).await;
        app.staff(&b, &other_coach.0, StaffRole::Coach).await;
        let admin = app.admin().await;
        let billing = gid(NodeKind::Topic, app.topic("billing").await.id);
        let screening = gid(NodeKind::Topic, app.topic("screening").await.id);
        Self {
            app,
            a,
            a1,
            a2,
            b1,
            lead,
            member,
            peer,
            outsider,
            coach,
            presenter,
            other_coach,
            admin,
            billing,
            screening,
        }
    }

    pub async fn send(&self, who: &(user::Model, String), query: &str, variables: Value) -> Value {
        self.app.graphql(Some(&who.1), query, variables).await
    }

    /// Runs a mutation taking `$input: <Input>!` whose payload has `milestone`, returning the
    /// payload.
    pub async fn mutate(
        &self,
        who: &(user::Model, String),
        field: &str,
        input_type: &str,
        input: Value,
    ) -> Value {
        let query = format!(
            "mutation($input: {input_type}!) {{ {field}(input: $input) {{
                milestone {{ id version status achievedOn visibility reviewState reviewComment
                    showcaseStatus kudosCount viewerHasGivenKudos }}
                userErrors {{ field code message }} }} }}"
        );
        let body = self.send(who, &query, json!({ "input": input })).await;
        if body.get("errors").is_some() {
            return body;
        }
        body["data"][field].clone()
    }

    pub async fn create(&self, who: &(user::Model, String), input: Value) -> Value {
        self.mutate(who, "createMilestone", "CreateMilestoneInput", input)
            .await
    }

    /// A milestone of A1 in cohort A posted by its member, as the payload returned it.
    pub async fn posted(&self, visibility: &str) -> Value {
        let payload = self
            .create(
                &self.member,
                json!({
                    "cohortId": gid(NodeKind::Cohort, self.a.id),
                    "organizationId": gid(NodeKind::Organization, self.a1.id),
                    "title": "First warm handoff",
                    "topicIds": [self.billing],
                    "visibility": visibility,
                }),
            )
            .await;
        assert!(payload["milestone"]["id"].is_string(), "{payload}");
        payload["milestone"].clone()
    }
}

const MILESTONE: &str = "query($id: ID!) { milestone(id: $id) {
    title status achievedOn reviewState reviewComment version
    topics { slug }
    evidence { url label }
    progress { totalCount nodes { note statusBefore statusAfter occurredOn author { name } } }
    history { nodes { kind before after comment actor { name } } }
} }";

#[tokio::test]
async fn a_member_posts_a_milestone_and_records_its_progress() {
    let w = World::new().await;
    let target = (Utc::now() + Duration::days(30)).date_naive().to_string();
    let payload = w
        .create(
            &w.member,
            json!({
                "cohortId": gid(NodeKind::Cohort, w.a.id),
                "organizationId": gid(NodeKind::Organization, w.a1.id),
                "title": "  First warm handoff  ",
                "description": "From primary care to behavioral health, same day.",
                "topicIds": [w.screening, w.billing, w.screening],
                "targetOn": target,
                "evidence": [{ "url": "https://example.org/report", "label": "Quarterly report" }],
            }),
        )
        .await;
    assert_eq!(
        user_error_codes(&payload),
        Vec::<String>::new(),
        "{payload}"
    );
    let id = payload["milestone"]["id"].as_str().unwrap().to_owned();
    assert_eq!(payload["milestone"]["status"], "PLANNED");
    assert_eq!(payload["milestone"]["visibility"], "COHORT");

    let progress = w
        .send(
            &w.member,
            "mutation($input: AddMilestoneProgressInput!) { addMilestoneProgress(input: $input) {
                progress { note statusBefore statusAfter occurredOn }
                milestone { status achievedOn version }
                userErrors { field code } } }",
            json!({ "input": {
                "milestoneId": id, "expectedVersion": 1,
                "note": "Two patients handed off this week.", "status": "ACHIEVED",
            } }),
        )
        .await;
    let added = &progress["data"]["addMilestoneProgress"];
    let today = Utc::now().date_naive().to_string();
    assert_eq!(added["milestone"]["status"], "ACHIEVED", "{progress}");
    assert_eq!(added["milestone"]["achievedOn"], today.as_str());
    assert_eq!(added["milestone"]["version"], 2);
    assert_eq!(added["progress"]["statusBefore"], "PLANNED");
    assert_eq!(added["progress"]["statusAfter"], "ACHIEVED");

    // The peer organization in the cohort sees it all, with its timeline and history.
    let body = w.send(&w.peer, MILESTONE, json!({ "id": id })).await;
    let m = &body["data"]["milestone"];
    assert_eq!(m["title"], "First warm handoff", "{body}");
    assert_eq!(
        m["topics"],
        json!([{ "slug": "screening" }, { "slug": "billing" }])
    );
    assert_eq!(
        m["evidence"],
        json!([{ "url": "https://example.org/report", "label": "Quarterly report" }])
    );
    assert_eq!(m["progress"]["totalCount"], 1);
    // People are shown only to those who may see them: not to other organizations.
    assert_eq!(m["progress"]["nodes"][0]["author"], Value::Null);
    let history: Vec<(Value, Value, Value)> = m["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].clone(), c["before"].clone(), c["after"].clone()))
        .collect();
    assert_eq!(
        history,
        [
            (json!("CREATED"), Value::Null, json!("PLANNED")),
            (json!("STATUS"), json!("PLANNED"), json!("ACHIEVED")),
        ]
    );
    let body = w.send(&w.lead, MILESTONE, json!({ "id": id })).await;
    let m = &body["data"]["milestone"];
    assert_eq!(
        m["progress"]["nodes"][0]["author"]["name"], "Mo Member",
        "{body}"
    );
    assert_eq!(m["history"]["nodes"][1]["actor"]["name"], "Mo Member");
}

#[tokio::test]
async fn staff_review_and_the_organization_sees_it() {
    let w = World::new().await;
    let m = w.posted("ORGANIZATION").await;
    let id = m["id"].as_str().unwrap();
    let review = |version: i64, decision: &str, comment: Option<&str>| json!({ "id": id, "expectedVersion": version, "decision": decision, "comment": comment });
    // Asking for changes needs a comment.
    let payload = w
        .mutate(
            &w.coach,
            "reviewMilestone",
            "ReviewMilestoneInput",
            review(1, "REQUEST_CHANGES", None),
        )
        .await;
    assert_eq!(user_error_codes(&payload), ["BLANK"], "{payload}");
    // A presenter reads the cohort but does not review; another cohort's coach sees nothing;
    // the organization's members do not review themselves.
    let presenter = w
        .mutate(
            &w.presenter,
            "reviewMilestone",
            "ReviewMilestoneInput",
            review(1, "VERIFY", None),
        )
        .await;
    assert_eq!(error_code(&presenter), Some("FORBIDDEN"), "{presenter}");
    let other = w
        .mutate(
            &w.other_coach,
            "reviewMilestone",
            "ReviewMilestoneInput",
            review(1, "VERIFY", None),
        )
        .await;
    assert_eq!(error_code(&other), Some("NOT_FOUND"), "{other}");
    let own = w
        .mutate(
            &w.lead,
            "reviewMilestone",
            "ReviewMilestoneInput",
            review(1, "VERIFY", None),
        )
        .await;
    assert_eq!(error_code(&own), Some("FORBIDDEN"), "{own}");

    let payload = w
        .mutate(
            &w.coach,
            "reviewMilestone",
            "ReviewMilestoneInput",
            review(1, "REQUEST_CHANGES", Some("Add the referral numbers.")),
        )
        .await;
    assert_eq!(
        payload["milestone"]["reviewState"], "CHANGES_REQUESTED",
        "{payload}"
    );
    let seen = w.send(&w.member, MILESTONE, json!({ "id": id })).await;
    assert_eq!(
        seen["data"]["milestone"]["reviewState"],
        "CHANGES_REQUESTED"
    );
    assert_eq!(
        seen["data"]["milestone"]["reviewComment"],
        "Add the referral numbers."
    );

    // The organization changes it: it awaits a new review.
    let payload = w
        .mutate(
            &w.member,
            "updateMilestone",
            "UpdateMilestoneInput",
            json!({ "id": id, "expectedVersion": 2, "description": "12 referrals in March." }),
        )
        .await;
    assert_eq!(
        payload["milestone"]["reviewState"], "UNREVIEWED",
        "{payload}"
    );
    let payload = w
        .mutate(
            &w.coach,
            "reviewMilestone",
            "ReviewMilestoneInput",
            review(3, "VERIFY", None),
        )
        .await;
    assert_eq!(payload["milestone"]["reviewState"], "VERIFIED", "{payload}");
    let seen = w.send(&w.member, MILESTONE, json!({ "id": id })).await;
    let kinds: Vec<(&str, &str)> = seen["data"]["milestone"]["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap(),
                c["after"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("CREATED", "PLANNED"),
            ("REVIEW", "CHANGES_REQUESTED"),
            ("REVIEW", "UNREVIEWED"),
            ("REVIEW", "VERIFIED"),
        ]
    );
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_that_changes_nothing() {
    let w = World::new().await;
    let m = w.posted("COHORT").await;
    let id = m["id"].as_str().unwrap();
    let first = w
        .mutate(
            &w.member,
            "updateMilestone",
            "UpdateMilestoneInput",
            json!({ "id": id, "expectedVersion": 1, "title": "Renamed by Mo" }),
        )
        .await;
    assert_eq!(first["milestone"]["version"], 2, "{first}");
    let before = w.app.snapshot().await;
    for (field, input_type, input) in [
        (
            "updateMilestone",
            "UpdateMilestoneInput",
            json!({ "id": id, "expectedVersion": 1, "title": "Renamed by Lena" }),
        ),
        (
            "addMilestoneProgress",
            "AddMilestoneProgressInput",
            json!({ "milestoneId": id, "expectedVersion": 1, "note": "Late news" }),
        ),
        (
            "consentToShowcase",
            "ConsentToShowcaseInput",
            json!({ "id": id, "expectedVersion": 1 }),
        ),
    ] {
        let query = format!(
            "mutation($input: {input_type}!) {{ {field}(input: $input) {{ userErrors {{ code }} }} }}"
        );
        let body = w.send(&w.lead, &query, json!({ "input": input })).await;
        assert_eq!(error_code(&body), Some("CONFLICT"), "{field}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["currentVersion"], 2,
            "{body}"
        );
    }
    assert_eq!(before, w.app.snapshot().await);
}

#[tokio::test]
async fn bad_input_is_a_user_error_and_changes_nothing() {
    let w = World::new().await;
    // A2 withdrew from cohort A: it may no longer post there.
    let withdrawn = enrollment::Entity::find()
        .filter(enrollment::Column::OrganizationId.eq(w.a2.id))
        .one(&w.app.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: enrollment::ActiveModel = withdrawn.into();
    active.status = Set(EnrollmentStatus::Withdrawn);
    active.update(&w.app.db).await.unwrap();
    let future = (Utc::now() + Duration::days(3)).date_naive().to_string();
    let today = Utc::now().date_naive().to_string();
    let base = json!({
        "cohortId": gid(NodeKind::Cohort, w.a.id),
        "organizationId": gid(NodeKind::Organization, w.a1.id),
        "title": "Billing code in use",
    });
    let with = |changes: Value| {
        let mut input = base.clone();
        for (k, v) in changes.as_object().unwrap() {
            input[k] = v.clone();
        }
        input
    };
    let long = format!("https://example.org/{}", "a".repeat(2000));
    let cases = [
        (
            with(json!({ "evidence": [{ "url": "javascript:alert(1)" }] })),
            "evidence.0.url",
            "INVALID",
        ),
        (
            with(json!({ "evidence": [{ "url": "ftp://example.org/report" }] })),
            "evidence.0.url",
            "INVALID",
        ),
        (
            with(json!({ "evidence": [{ "url": "/reports/1" }] })),
            "evidence.0.url",
            "INVALID",
        ),
        (
            with(json!({ "evidence": [{ "url": "data:text/html,<b>hi</b>" }] })),
            "evidence.0.url",
            "INVALID",
        ),
        (
            with(json!({ "evidence": [{ "url": "https://" }] })),
            "evidence.0.url",
            "INVALID",
        ),
        (
            with(
                json!({ "evidence": [{ "url": "https://example.org/ok" }, { "url": "https://exa\u{0}mple.org" }] }),
            ),
            "evidence.1.url",
            "INVALID",
        ),
        (
            with(json!({ "evidence": [{ "url": long }] })),
            "evidence.0.url",
            "INVALID",
        ),
        (with(json!({ "status": "ACHIEVED" })), "achievedOn", "BLANK"),
        (
            with(json!({ "status": "ACHIEVED", "achievedOn": future })),
            "achievedOn",
            "INVALID",
        ),
        (
            with(json!({ "status": "IN_PROGRESS", "achievedOn": today })),
            "achievedOn",
            "INVALID",
        ),
        (with(json!({ "title": "  " })), "title", "BLANK"),
        (
            with(json!({ "title": "x".repeat(201) })),
            "title",
            "TOO_LONG",
        ),
        (
            with(json!({ "organizationId": gid(NodeKind::Organization, w.a2.id) })),
            "cohortId",
            "INVALID",
        ),
        (
            with(json!({ "topicIds": [gid(NodeKind::Topic, uuid::Uuid::now_v7())] })),
            "topicIds",
            "INVALID",
        ),
    ];
    let before = w.app.snapshot().await;
    for (input, field, code) in cases {
        let payload = w.create(&w.admin, input.clone()).await;
        assert!(payload["milestone"].is_null(), "{input}: {payload}");
        let errors = payload["userErrors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == json!(["input", field]) && e["code"] == code),
            "{input}: expected {code} on {field}: {payload}"
        );
    }
    assert_eq!(before, w.app.snapshot().await);
    // An update is checked the same way.
    let m = w.posted("COHORT").await;
    let snapshot = w.app.snapshot().await;
    let payload = w
        .mutate(
            &w.member,
            "updateMilestone",
            "UpdateMilestoneInput",
            json!({ "id": m["id"], "expectedVersion": 1,
                    "evidence": [{ "url": "javascript:void(0)" }], "status": "ACHIEVED" }),
        )
        .await;
    assert_eq!(
        user_error_codes(&payload),
        ["BLANK", "INVALID"],
        "{payload}"
    );
    assert_eq!(snapshot, w.app.snapshot().await);
}

const FEED: &str = "query($id: ID!, $status: MilestoneStatus, $topic: ID, $org: ID) {
    cohort(id: $id) {
        milestones(status: $status, topicId: $topic, organizationId: $org) {
            totalCount nodes { title }
        }
        milestoneStats { total planned achieved overdue }
    }
}";

async fn feed_titles(
    w: &World,
    who: &(user::Model, String),
    variables: Value,
) -> (Vec<String>, Value) {
    let body = w.send(who, FEED, variables).await;
    let cohort = &body["data"]["cohort"];
    let titles = cohort["milestones"]["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .map(|n| n["title"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    (titles, body)
}

#[tokio::test]
async fn every_role_sees_exactly_what_it_may_in_lists_lookups_counts_and_filters() {
    let w = World::new().await;
    let private = w
        .app
        .milestone(
            &w.a,
            &w.a1,
            "Private to Acme",
            MilestoneVisibility::Organization,
        )
        .await;
    let shared = w
        .app
        .milestone(
            &w.a,
            &w.a1,
            "Shared with the cohort",
            MilestoneVisibility::Cohort,
        )
        .await;
    let peer_private = w
        .app
        .milestone(
            &w.a,
            &w.a2,
            "Private to Bayside",
            MilestoneVisibility::Organization,
        )
        .await;
    // Overdue: a target date in the past, not achieved.
    let mut overdue: entity::milestone::ActiveModel = private.clone().into();
    overdue.target_on = Set(Some((Utc::now() - Duration::days(10)).date_naive()));
    overdue.update(&w.app.db).await.unwrap();
    let cohort_id = gid(NodeKind::Cohort, w.a.id);
    let all = [
        "Private to Acme",
        "Shared with the cohort",
        "Private to Bayside",
    ];
    for (who, expected, overdue) in [
        (
            &w.member,
            vec!["Private to Acme", "Shared with the cohort"],
            1,
        ),
        (
            &w.lead,
            vec!["Private to Acme", "Shared with the cohort"],
            1,
        ),
        (
            &w.peer,
            vec!["Shared with the cohort", "Private to Bayside"],
            0,
        ),
        (&w.coach, all.to_vec(), 1),
        (&w.presenter, all.to_vec(), 1),
        (&w.admin, all.to_vec(), 1),
    ] {
        let (mut titles, body) = feed_titles(&w, who, json!({ "id": cohort_id })).await;
        titles.sort();
        let mut expected: Vec<String> = expected.into_iter().map(str::to_owned).collect();
        expected.sort();
        assert_eq!(titles, expected, "{}: {body}", who.0.name);
        let cohort = &body["data"]["cohort"];
        assert_eq!(cohort["milestones"]["totalCount"], expected.len(), "{body}");
        assert_eq!(cohort["milestoneStats"]["total"], expected.len(), "{body}");
        assert_eq!(cohort["milestoneStats"]["overdue"], overdue, "{body}");
        // Filters never widen what the viewer sees.
        let (filtered, body) = feed_titles(
            &w,
            who,
            json!({ "id": cohort_id, "org": gid(NodeKind::Organization, w.a1.id), "status": "PLANNED" }),
        )
        .await;
        let visible_of_a1 = expected
            .iter()
            .filter(|t| t.as_str() != "Private to Bayside")
            .count();
        assert_eq!(filtered.len(), visible_of_a1, "{}: {body}", who.0.name);
    }
    // The peer's organization: its private milestone by ID, through node, and its counts.
    for (who, id, visible) in [
        (&w.peer, private.id, false),
        (&w.member, peer_private.id, false),
        (&w.peer, shared.id, true),
        (&w.outsider, shared.id, false),
        (&w.other_coach, shared.id, false),
        (&w.coach, peer_private.id, true),
    ] {
        let id = gid(NodeKind::Milestone, id);
        for query in [
            "query($id: ID!) { milestone(id: $id) { title } }",
            "query($id: ID!) { node(id: $id) { ... on Milestone { title } } }",
        ] {
            let body = w.send(who, query, json!({ "id": id })).await;
            if visible {
                assert!(body.get("errors").is_none(), "{}: {body}", who.0.name);
            } else {
                assert_eq!(
                    error_code(&body),
                    Some("NOT_FOUND"),
                    "{}: {body}",
                    who.0.name
                );
            }
        }
    }
    let body = w
        .send(
            &w.peer,
            "query($id: ID!) { organization(id: $id) { milestones { totalCount nodes { title } } milestoneStats { total } } }",
            json!({ "id": gid(NodeKind::Organization, w.a1.id) }),
        )
        .await;
    let org = &body["data"]["organization"];
    assert_eq!(org["milestones"]["totalCount"], 1, "{body}");
    assert_eq!(
        org["milestones"]["nodes"][0]["title"],
        "Shared with the cohort"
    );
    assert_eq!(org["milestoneStats"]["total"], 1, "{body}");
    // Another cohort's people do not see cohort A at all.
    let (_, body) = feed_titles(&w, &w.outsider, json!({ "id": cohort_id })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let _ = w.b1;
}

#[tokio::test]
async fn feeds_sort_by_achievement_or_update_and_their_cursors_hold_while_milestones_arrive() {
    let w = World::new().await;
    let today = Utc::now().date_naive();
    for (title, days_ago) in [("Oldest win", 30), ("Newest win", 1), ("Middle win", 10)] {
        let m = w
            .app
            .milestone(&w.a, &w.a1, title, MilestoneVisibility::Cohort)
            .await;
        let mut achieved: entity::milestone::ActiveModel = m.into();
        achieved.status = Set(entity::milestone::MilestoneStatus::Achieved);
        achieved.achieved_on = Set(Some(today - Duration::days(days_ago)));
        achieved.update(&w.app.db).await.unwrap();
    }
    w.app
        .milestone(&w.a, &w.a1, "Not yet", MilestoneVisibility::Cohort)
        .await;
    let query = "query($id: ID!, $after: String) { cohort(id: $id) {
        milestones(first: 2, after: $after, orderBy: { field: ACHIEVED_ON, direction: DESC }) {
            totalCount nodes { title } pageInfo { hasNextPage endCursor } } } }";
    let cohort_id = gid(NodeKind::Cohort, w.a.id);
    let body = w.send(&w.peer, query, json!({ "id": cohort_id })).await;
    let page = &body["data"]["cohort"]["milestones"];
    assert_eq!(page["totalCount"], 3, "{body}");
    assert_eq!(
        page["nodes"],
        json!([{ "title": "Newest win" }, { "title": "Middle win" }])
    );
    let cursor = page["pageInfo"]["endCursor"].clone();
    // A new achievement arrives at the top; the next page still starts after "Middle win".
    let m = w
        .app
        .milestone(&w.a, &w.a1, "Brand new win", MilestoneVisibility::Cohort)
        .await;
    let mut achieved: entity::milestone::ActiveModel = m.into();
    achieved.status = Set(entity::milestone::MilestoneStatus::Achieved);
    achieved.achieved_on = Set(Some(today));
    achieved.update(&w.app.db).await.unwrap();
    let body = w
        .send(&w.peer, query, json!({ "id": cohort_id, "after": cursor }))
        .await;
    let page = &body["data"]["cohort"]["milestones"];
    assert_eq!(page["nodes"], json!([{ "title": "Oldest win" }]), "{body}");
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    // By last update, newest first, by default: the last one changed comes first.
    let body = w
        .send(
            &w.peer,
            "query($id: ID!) { cohort(id: $id) { milestones(first: 1) { nodes { title } } } }",
            json!({ "id": cohort_id }),
        )
        .await;
    assert_eq!(
        body["data"]["cohort"]["milestones"]["nodes"][0]["title"], "Brand new win",
        "{body}"
    );
    // A cursor of one order is refused by another.
    let body = w
        .send(
            &w.peer,
            "query($id: ID!, $after: String) { cohort(id: $id) { milestones(after: $after) { nodes { title } } } }",
            json!({ "id": cohort_id, "after": cursor }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn comments_and_kudos_come_from_people_who_can_see_the_milestone() {
    let w = World::new().await;
    let m = w.posted("COHORT").await;
    let id = m["id"].as_str().unwrap();
    for who in [&w.peer, &w.peer, &w.coach] {
        let payload = w
            .mutate(who, "giveKudos", "KudosInput", json!({ "milestoneId": id }))
            .await;
        assert!(payload["milestone"].is_object(), "{payload}");
    }
    let payload = w
        .mutate(
            &w.peer,
            "giveKudos",
            "KudosInput",
            json!({ "milestoneId": id }),
        )
        .await;
    assert_eq!(
        payload["milestone"]["kudosCount"], 2,
        "one per person: {payload}"
    );
    assert_eq!(payload["milestone"]["viewerHasGivenKudos"], true);
    let payload = w
        .mutate(
            &w.peer,
            "withdrawKudos",
            "KudosInput",
            json!({ "milestoneId": id }),
        )
        .await;
    assert_eq!(payload["milestone"]["kudosCount"], 1, "{payload}");
    assert_eq!(payload["milestone"]["viewerHasGivenKudos"], false);
    let outsider = w
        .mutate(
            &w.outsider,
            "giveKudos",
            "KudosInput",
            json!({ "milestoneId": id }),
        )
        .await;
    assert_eq!(error_code(&outsider), Some("NOT_FOUND"), "{outsider}");

    let comment =
        "mutation($input: AddMilestoneCommentInput!) { addMilestoneComment(input: $input) {
        comment { body author { name } } userErrors { field code } } }";
    let body = w
        .send(
            &w.peer,
            comment,
            json!({ "input": { "milestoneId": id, "body": "How did you bill it?" } }),
        )
        .await;
    assert_eq!(
        body["data"]["addMilestoneComment"]["comment"]["author"]["name"], "Pat Peer",
        "{body}"
    );
    let body = w
        .send(
            &w.peer,
            comment,
            json!({ "input": { "milestoneId": id, "body": " " } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["addMilestoneComment"]),
        ["BLANK"]
    );
    let body = w
        .send(
            &w.outsider,
            comment,
            json!({ "input": { "milestoneId": id, "body": "Hi" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = w
        .send(
            &w.member,
            "query($id: ID!) { milestone(id: $id) { kudosCount comments { totalCount nodes { body } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["milestone"]["kudosCount"], 1, "{body}");
    assert_eq!(body["data"]["milestone"]["comments"]["totalCount"], 1);
}

const SHOWCASE: &str = "query($slug: String) { showcase(cohortSlug: $slug) {
    totalCount
    nodes { id title achievedOn credits topics { slug } organization { name kind region } }
} }";

async fn showcase_titles(app: &TestApp, slug: Option<&str>) -> Vec<String> {
    let body = app.graphql(None, SHOWCASE, json!({ "slug": slug })).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["showcase"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_showcase_needs_the_leads_consent_then_staff_approval_and_either_can_withdraw() {
    let w = World::new().await;
    let m = w.posted("COHORT").await;
    let id = m["id"].as_str().unwrap().to_owned();
    let version = |payload: &Value| payload["milestone"]["version"].as_i64().unwrap();
    let approve = |v: i64| json!({ "id": id, "expectedVersion": v });

    // Staff cannot approve before the lead consents.
    let payload = w
        .mutate(
            &w.coach,
            "approveShowcase",
            "ApproveShowcaseInput",
            approve(1),
        )
        .await;
    assert_eq!(
        user_error_codes(&payload),
        ["CONSENT_REQUIRED"],
        "{payload}"
    );
    // A member who is not the lead cannot consent; the lead can, crediting a member.
    let consent = |v: i64, credited: Vec<String>| json!({ "id": id, "expectedVersion": v, "creditedUserIds": credited });
    let payload = w
        .mutate(
            &w.member,
            "consentToShowcase",
            "ConsentToShowcaseInput",
            consent(1, vec![]),
        )
        .await;
    assert_eq!(error_code(&payload), Some("FORBIDDEN"), "{payload}");
    let payload = w
        .mutate(
            &w.lead,
            "consentToShowcase",
            "ConsentToShowcaseInput",
            consent(1, vec![gid(NodeKind::User, w.peer.0.id)]),
        )
        .await;
    assert_eq!(
        user_error_codes(&payload),
        ["INVALID"],
        "only members are credited: {payload}"
    );
    let payload = w
        .mutate(
            &w.lead,
            "consentToShowcase",
            "ConsentToShowcaseInput",
            consent(1, vec![gid(NodeKind::User, w.member.0.id)]),
        )
        .await;
    assert_eq!(payload["milestone"]["visibility"], "PUBLIC", "{payload}");
    assert_eq!(
        payload["milestone"]["showcaseStatus"],
        "AWAITING_ACHIEVEMENT"
    );
    // Not achieved yet.
    let payload = w
        .mutate(
            &w.coach,
            "approveShowcase",
            "ApproveShowcaseInput",
            approve(version(&payload)),
        )
        .await;
    assert_eq!(user_error_codes(&payload), ["NOT_ACHIEVED"], "{payload}");
    let today = Utc::now().date_naive().to_string();
    let payload = w
        .mutate(
            &w.member,
            "updateMilestone",
            "UpdateMilestoneInput",
            json!({ "id": id, "expectedVersion": 2, "status": "ACHIEVED", "achievedOn": today }),
        )
        .await;
    assert_eq!(
        payload["milestone"]["showcaseStatus"], "AWAITING_APPROVAL",
        "{payload}"
    );
    assert!(showcase_titles(&w.app, None).await.is_empty());
    // A presenter does not approve; the coach does.
    let payload_presenter = w
        .mutate(
            &w.presenter,
            "approveShowcase",
            "ApproveShowcaseInput",
            approve(3),
        )
        .await;
    assert_eq!(error_code(&payload_presenter), Some("FORBIDDEN"));
    let payload = w
        .mutate(
            &w.coach,
            "approveShowcase",
            "ApproveShowcaseInput",
            approve(3),
        )
        .await;
    assert_eq!(
        payload["milestone"]["showcaseStatus"], "SHOWCASED",
        "{payload}"
    );

    // Anonymous viewers see it, with the credited name and nothing personal.
    let body = w
        .app
        .graphql(None, SHOWCASE, json!({ "slug": "cohort-a" }))
        .await;
    let item = &body["data"]["showcase"]["nodes"][0];
    assert_eq!(item["title"], "First warm handoff", "{body}");
    assert_eq!(item["credits"], json!(["Mo Member"]));
    assert_eq!(
        item["organization"],
        json!({ "name": "Acme Clinic", "kind": "CLINIC", "region": null })
    );
    assert_eq!(item["topics"], json!([{ "slug": "billing" }]));
    let text = body.to_string();
    for personal in ["Lena Lead", "@example.org", "Cal Coach"] {
        assert!(!text.contains(personal), "{personal} leaked: {text}");
    }
    assert!(showcase_titles(&w.app, Some("cohort-b")).await.is_empty());
    assert!(
        showcase_titles(&w.app, Some("no-such-cohort"))
            .await
            .is_empty()
    );

    // An edit takes it off until staff approve again.
    let payload = w
        .mutate(
            &w.member,
            "updateMilestone",
            "UpdateMilestoneInput",
            json!({ "id": id, "expectedVersion": 4, "title": "First warm handoffs" }),
        )
        .await;
    assert_eq!(
        payload["milestone"]["showcaseStatus"], "AWAITING_APPROVAL",
        "{payload}"
    );
    assert!(showcase_titles(&w.app, None).await.is_empty());
    let payload = w
        .mutate(
            &w.coach,
            "approveShowcase",
            "ApproveShowcaseInput",
            approve(5),
        )
        .await;
    assert_eq!(
        payload["milestone"]["showcaseStatus"], "SHOWCASED",
        "{payload}"
    );
    assert_eq!(showcase_titles(&w.app, None).await, ["First warm handoffs"]);

    // Staff withdraw their approval, whatever version they read: it leaves at once.
    let withdraw = json!({ "id": id, "reason": "Checking the numbers" });
    let payload = w
        .mutate(
            &w.coach,
            "withdrawFromShowcase",
            "WithdrawFromShowcaseInput",
            withdraw.clone(),
        )
        .await;
    assert_eq!(
        payload["milestone"]["showcaseStatus"], "AWAITING_APPROVAL",
        "{payload}"
    );
    assert!(showcase_titles(&w.app, None).await.is_empty());
    let payload = w
        .mutate(
            &w.coach,
            "approveShowcase",
            "ApproveShowcaseInput",
            approve(version(&payload)),
        )
        .await;
    assert_eq!(
        payload["milestone"]["showcaseStatus"], "SHOWCASED",
        "{payload}"
    );
    // The lead withdraws consent: it leaves at once, and staff cannot put it back.
    let payload = w
        .mutate(
            &w.lead,
            "withdrawFromShowcase",
            "WithdrawFromShowcaseInput",
            withdraw.clone(),
        )
        .await;
    assert_eq!(
        payload["milestone"]["showcaseStatus"], "AWAITING_CONSENT",
        "{payload}"
    );
    assert!(showcase_titles(&w.app, None).await.is_empty());
    let payload = w
        .mutate(
            &w.coach,
            "approveShowcase",
            "ApproveShowcaseInput",
            approve(version(&payload)),
        )
        .await;
    assert_eq!(
        user_error_codes(&payload),
        ["CONSENT_REQUIRED"],
        "{payload}"
    );
    // A member who is neither lead nor staff cannot withdraw.
    let payload = w
        .mutate(
            &w.member,
            "withdrawFromShowcase",
            "WithdrawFromShowcaseInput",
            withdraw,
        )
        .await;
    assert_eq!(error_code(&payload), Some("FORBIDDEN"), "{payload}");

    let body = w.send(&w.member, MILESTONE, json!({ "id": id })).await;
    let kinds: Vec<String> = body["data"]["milestone"]["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["kind"].as_str().unwrap(),
                c["after"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "CREATED PLANNED",
            "VISIBILITY PUBLIC",
            "SHOWCASE_CONSENT GIVEN",
            "STATUS ACHIEVED",
            "SHOWCASE_APPROVAL GIVEN",
            "SHOWCASE_APPROVAL NONE",
            "SHOWCASE_APPROVAL GIVEN",
            "SHOWCASE_APPROVAL NONE",
            "SHOWCASE_APPROVAL GIVEN",
            "SHOWCASE_CONSENT NONE",
            "SHOWCASE_APPROVAL NONE",
        ],
        "{body}"
    );
}

#[tokio::test]
async fn making_a_showcased_milestone_private_takes_it_off_and_withdraws_consent() {
    let w = World::new().await;
    let m = w
        .app
        .milestone(&w.a, &w.a1, "Screening live", MilestoneVisibility::Public)
        .await;
    let m = w.app.showcase(m).await;
    assert_eq!(showcase_titles(&w.app, None).await, ["Screening live"]);
    let payload = w
        .mutate(
            &w.member,
            "updateMilestone",
            "UpdateMilestoneInput",
            json!({ "id": gid(NodeKind::Milestone, m.id), "expectedVersion": m.version,
                    "visibility": "COHORT" }),
        )
        .await;
    assert_eq!(
        payload["milestone"]["showcaseStatus"], "NOT_PUBLIC",
        "{payload}"
    );
    assert!(showcase_titles(&w.app, None).await.is_empty());
    let stored = entity::milestone::Entity::find_by_id(m.id)
        .one(&w.app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.consented_at.is_none() && stored.approved_at.is_none());
}

#[tokio::test]
async fn anonymous_viewers_reach_the_showcase_and_nothing_behind_it() {
    let w = World::new().await;
    let m = w
        .app
        .milestone(&w.a, &w.a1, "Screening live", MilestoneVisibility::Public)
        .await;
    let m = w.app.showcase(m).await;
    let not_yet = w
        .app
        .milestone(
            &w.a,
            &w.a2,
            "Consented, not approved",
            MilestoneVisibility::Public,
        )
        .await;
    let mut consented: entity::milestone::ActiveModel = w.app.showcase(not_yet).await.into();
    consented.approved_at = Set(None);
    let not_yet = consented.update(&w.app.db).await.unwrap();
    let body = w.app.graphql(None, SHOWCASE, json!({})).await;
    assert_eq!(body["data"]["showcase"]["totalCount"], 1, "{body}");
    let showcased_id = body["data"]["showcase"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The showcased item refetches by its own ID; the milestone behind it, its organization,
    // its cohort and the unapproved milestone do not.
    let body = w
        .app
        .graphql(
            None,
            "query($id: ID!) { node(id: $id) { ... on ShowcasedMilestone { title } } }",
            json!({ "id": showcased_id }),
        )
        .await;
    assert_eq!(body["data"]["node"]["title"], "Screening live", "{body}");
    for id in [
        gid(NodeKind::Milestone, m.id),
        gid(NodeKind::ShowcasedMilestone, not_yet.id),
        gid(NodeKind::Milestone, not_yet.id),
        gid(NodeKind::Organization, w.a1.id),
        gid(NodeKind::Cohort, w.a.id),
    ] {
        let body = w
            .app
            .graphql(
                None,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{id}: {body}");
        let body = w
            .app
            .graphql(
                None,
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({ "ids": [id] }),
            )
            .await;
        assert_eq!(body["data"]["nodes"], json!([null]), "{id}: {body}");
    }
    // Signed-in viewers of another cohort get the public part only, too.
    let body = w
        .send(
            &w.outsider,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": gid(NodeKind::Milestone, m.id) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");

    // What the showcase's types reach: public fields of its own types and the public topic
    // taxonomy, nothing else.
    let schema = peerlearn::graphql::schema_builder().finish();
    let mut reached = std::collections::BTreeSet::new();
    let mut pending = vec!["ShowcasedMilestoneConnection".to_owned()];
    while let Some(name) = pending.pop() {
        if !reached.insert(name.clone()) {
            continue;
        }
        let response = schema
            .execute(format!(
                "{{ __type(name: \"{name}\") {{ fields {{ type {{ name kind ofType {{ name kind ofType {{ name kind ofType {{ name kind }} }} }} }} }} }} }}"
            ))
            .await;
        let data = response.data.into_json().unwrap();
        for field in data["__type"]["fields"].as_array().into_iter().flatten() {
            let mut ty = &field["type"];
            while ty["name"].is_null() {
                ty = &ty["ofType"];
            }
            if ty["kind"] == "OBJECT" || ty["kind"] == "INTERFACE" {
                pending.push(ty["name"].as_str().unwrap().to_owned());
            }
        }
    }
    let reached: Vec<&str> = reached.iter().map(String::as_str).collect();
    assert_eq!(
        reached,
        [
            "EvidenceLink",
            "PageInfo",
            "PublicOrganization",
            "ShowcasedMilestone",
            "ShowcasedMilestoneConnection",
            "ShowcasedMilestoneEdge",
            "Topic",
        ]
    );
}

#[tokio::test]
async fn concurrent_edits_of_one_version_let_exactly_one_through() {
    let w = World::new().await;
    let m = w.posted("COHORT").await;
    let id = m["id"].as_str().unwrap();
    let edits = (0..6).map(|n| {
        w.mutate(
            &w.member,
            "updateMilestone",
            "UpdateMilestoneInput",
            json!({ "id": id, "expectedVersion": 1, "title": format!("Edit {n}"),
                    "topicIds": [w.screening], "status": "IN_PROGRESS" }),
        )
    });
    let bodies = futures_util::future::join_all(edits).await;
    let won = bodies
        .iter()
        .filter(|b| b["milestone"]["version"] == 2)
        .count();
    let conflicts = bodies
        .iter()
        .filter(|b| error_code(b) == Some("CONFLICT"))
        .count();
    assert_eq!((won, conflicts), (1, 5), "{bodies:?}");
    let body = w.send(&w.member, MILESTONE, json!({ "id": id })).await;
    let m = &body["data"]["milestone"];
    assert_eq!(m["version"], 2, "{body}");
    assert_eq!(m["topics"], json!([{ "slug": "screening" }]));
    // One status change recorded, by the edit that won.
    let statuses = m["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "STATUS")
        .count();
    assert_eq!(statuses, 1, "{body}");
}
