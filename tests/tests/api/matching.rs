//! Self-assessments, matching runs and matches, driven through GraphQL: from assessments to a
//! published run to feedback that weighs on the next run; who sees what; stale versions; bad
//! input; and statement counts that do not grow with page size.

use entity::cohort;
use entity::cohort_staff::StaffRole;
use entity::matching_run::RunStatus;
use entity::membership::MembershipRole;
use entity::organization;
use entity::peer_match::MatchStatus;
use entity::user::UserRole;
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, error_code, gid, user_error_codes};
use serde_json::{Value, json};
use uuid::Uuid;

/// A cohort with a coach, two organizations A and B with a member each, a third organization
/// C in the same cohort, and the coach of another cohort.
struct World {
    app: TestApp,
    cohort: cohort::Model,
    a: organization::Model,
    b: organization::Model,
    c: organization::Model,
    coach: String,
    other_coach: String,
    a_member: String,
    b_member: String,
    c_member: String,
    billing: Uuid,
    screening: Uuid,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let cohort = app.cohort("bhi-2026").await;
        let other = app.cohort("other").await;
        let (coach_user, coach) = app.user("Coach", UserRole::User).await;
        app.staff(&cohort, &coach_user, StaffRole::Coach).await;
        let (other_user, other_coach) = app.user("Other coach", UserRole::User).await;
        app.staff(&other, &other_user, StaffRole::Coach).await;
        let mut orgs = Vec::new();
        let mut tokens = Vec::new();
        for name in ["A clinic", "B clinic", "C clinic"] {
            let org = app.organization(name).await;
            app.enroll(&cohort, &org).await;
            let (user, token) = app.user(&format!("Member of {name}"), UserRole::User).await;
            app.member(&org, &user, MembershipRole::Member).await;
            orgs.push(org);
            tokens.push(token);
        }
        let billing = app.topic("billing").await.id;
        let screening = app.topic("screening").await.id;
        let c = orgs.pop().unwrap();
        let b = orgs.pop().unwrap();
        let a = orgs.pop().unwrap();
        let c_member = tokens.pop().unwrap();
        let b_member = tokens.pop().unwrap();
        let a_member = tokens.pop().unwrap();
        Self {
            app,
            cohort,
            a,
            b,
            c,
            coach,
            other_coach,
            a_member,
            b_member,
            c_member,
            billing,
            screening,
        }
    }

    async fn run(&self, token: &str, query: &str, variables: Value) -> Value {
        self.app.graphql(Some(token), query, variables).await
    }

    fn org(&self, org: &organization::Model) -> String {
        gid(NodeKind::Organization, org.id)
    }

    fn topic(&self, id: Uuid) -> String {
        gid(NodeKind::Topic, id)
    }

    /// Submits an assessment as `token`: `(topic, level, wants help)` per topic.
    async fn assess(
        &self,
        token: &str,
        org: &organization::Model,
        ratings: &[(Uuid, i32, bool)],
    ) -> Value {
        let ratings: Vec<Value> = ratings
            .iter()
            .map(|(t, level, help)| json!({ "topicId": self.topic(*t), "level": level, "wantsHelp": help }))
            .collect();
        let body = self
            .run(
                token,
                SUBMIT,
                json!({ "input": { "organizationId": self.org(org), "ratings": ratings } }),
            )
            .await;
        body["data"]["submitAssessment"].clone()
    }

    /// A's need of billing is B's expertise, and B's need of screening is A's.
    async fn assess_both(&self) {
        let a = self
            .assess(
                &self.a_member,
                &self.a,
                &[(self.billing, 0, true), (self.screening, 3, false)],
            )
            .await;
        assert_eq!(user_error_codes(&a), Vec::<String>::new(), "{a}");
        let b = self
            .assess(
                &self.b_member,
                &self.b,
                &[(self.billing, 3, false), (self.screening, 1, true)],
            )
            .await;
        assert_eq!(user_error_codes(&b), Vec::<String>::new(), "{b}");
    }

    /// Creates a run as the coach and returns the payload.
    async fn create_run(&self, input: Value) -> Value {
        let mut input = input;
        input["cohortId"] = json!(gid(NodeKind::Cohort, self.cohort.id));
        let body = self
            .run(&self.coach, CREATE_RUN, json!({ "input": input }))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        body["data"]["createMatchingRun"].clone()
    }

    async fn mutate(&self, token: &str, field: &str, input_type: &str, input: Value) -> Value {
        let query = format!(
            "mutation($input: {input_type}!) {{ {field}(input: $input) {{ userErrors {{ field code message }} }} }}"
        );
        let body = self.run(token, &query, json!({ "input": input })).await;
        if body.get("errors").is_some() {
            return body;
        }
        body["data"][field].clone()
    }
}

const SUBMIT: &str = "mutation($input: SubmitAssessmentInput!) {
    submitAssessment(input: $input) {
        assessment { id ratings { level wantsHelp topic { name } } }
        userErrors { field code message }
    }
}";

const RUN_FIELDS: &str = "id status mode version totalScore
    matches { totalCount nodes { id score status isManual
        participants { role response organization { name } }
        explanation { kind points need expertise timesMatched lowestRating
            topic { name } learner { name } helper { name } organizations { name } } } }
    unmatched { reason organization { name } }";

const CREATE_RUN: &str = "mutation($input: CreateMatchingRunInput!) {
    createMatchingRun(input: $input) {
        matchingRun { id status mode version totalScore
            matches { totalCount nodes { id score status isManual
                participants { role response organization { name } }
                explanation { kind points need expertise timesMatched lowestRating
                    topic { name } learner { name } helper { name } organizations { name } } } }
            unmatched { reason organization { name } } }
        userErrors { field code message }
    }
}";

fn run_payload_query(field: &str, input_type: &str) -> String {
    format!(
        "mutation($input: {input_type}!) {{ {field}(input: $input) {{ matchingRun {{ {RUN_FIELDS} }} userErrors {{ field code message }} }} }}"
    )
}

const MATCH_PAYLOAD: &str = "match { id status participants { response declineReason organization { name } } lastContactOn }
    userErrors { field code message }";

#[tokio::test]
async fn a_provider_goes_from_assessments_to_a_published_run_to_feedback() {
    let w = World::new().await;
    w.assess_both().await;
    // A reassesses: billing went from 0 to 1 since the first assessment.
    let again = w
        .assess(
            &w.a_member,
            &w.a,
            &[(w.billing, 1, true), (w.screening, 3, false)],
        )
        .await;
    assert_eq!(again["assessment"]["ratings"][0]["level"], 1, "{again}");

    let profile = w
        .run(
            &w.a_member,
            "query($id: ID!) { organization(id: $id) {
                assessments { totalCount nodes { ratings { level } } }
                needs { level weight topic { name } }
                expertise { level weight topic { name } }
                growth { firstLevel latestLevel change topic { name } }
            } }",
            json!({ "id": w.org(&w.a) }),
        )
        .await;
    let org = &profile["data"]["organization"];
    assert_eq!(org["assessments"]["totalCount"], 2, "{profile}");
    // Newest first.
    assert_eq!(org["assessments"]["nodes"][0]["ratings"][0]["level"], 1);
    assert_eq!(
        org["needs"],
        json!([{ "level": 1, "weight": 3, "topic": { "name": "billing" } }])
    );
    assert_eq!(
        org["expertise"],
        json!([{ "level": 3, "weight": 2, "topic": { "name": "screening" } }])
    );
    assert_eq!(
        org["growth"],
        json!([
            { "firstLevel": 0, "latestLevel": 1, "change": 1, "topic": { "name": "billing" } },
            { "firstLevel": 3, "latestLevel": 3, "change": 0, "topic": { "name": "screening" } },
        ])
    );

    // PEER_PAIRS: A learns billing from B (need 3 x expertise 2 x 100), B screening from A
    // (need 3 x expertise 2 x 100), both clinics (+50). C assessed nothing.
    let created = w.create_run(json!({ "mode": "PEER_PAIRS" })).await;
    let run = &created["matchingRun"];
    assert_eq!(run["status"], "DRAFT", "{created}");
    assert_eq!(run["totalScore"], 1250);
    assert_eq!(run["matches"]["totalCount"], 1);
    let m = &run["matches"]["nodes"][0];
    assert_eq!(m["score"], 1250);
    let points: i64 = m["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["points"].as_i64().unwrap())
        .sum();
    assert_eq!(points, 1250, "the explanation adds up to the score: {m}");
    assert!(
        m["explanation"].as_array().unwrap().contains(&json!({
            "kind": "TOPIC", "points": 600, "need": 3, "expertise": 2,
            "timesMatched": null, "lowestRating": null,
            "topic": { "name": "billing" }, "learner": { "name": "A clinic" },
            "helper": { "name": "B clinic" }, "organizations": [],
        })),
        "{m}"
    );
    assert_eq!(
        run["unmatched"],
        json!([{ "reason": "NO_NEEDS", "organization": { "name": "C clinic" } }])
    );
    let run_id = run["id"].as_str().unwrap().to_owned();
    let match_id = m["id"].as_str().unwrap().to_owned();

    // A draft is the staff's: the organizations do not see its match yet.
    let body = w
        .run(
            &w.a_member,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": match_id }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");

    // A stale version is a conflict and changes nothing.
    let publish = run_payload_query("publishMatchingRun", "PublishMatchingRunInput");
    let before = w.app.snapshot().await;
    let body = w
        .run(
            &w.coach,
            &publish,
            json!({ "input": { "id": run_id, "expectedVersion": 0 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["currentVersion"], 1);
    assert_eq!(before, w.app.snapshot().await);
    let body = w
        .run(
            &w.coach,
            &publish,
            json!({ "input": { "id": run_id, "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        body["data"]["publishMatchingRun"]["matchingRun"]["status"], "PUBLISHED",
        "{body}"
    );

    // Published: A's members see their match and why.
    let body = w
        .run(
            &w.a_member,
            "query($id: ID!) { organization(id: $id) { matchParticipations { totalCount nodes {
                role response match { score status explanation { kind points } } } } } }",
            json!({ "id": w.org(&w.a) }),
        )
        .await;
    let places = &body["data"]["organization"]["matchParticipations"];
    assert_eq!(places["totalCount"], 1, "{body}");
    assert_eq!(places["nodes"][0]["role"], "PEER");
    assert_eq!(places["nodes"][0]["match"]["score"], 1250);

    let respond = |org: &organization::Model| json!({ "matchId": match_id, "organizationId": w.org(org), "answer": "ACCEPT" });
    let query = format!(
        "mutation($input: RespondToMatchInput!) {{ respondToMatch(input: $input) {{ {MATCH_PAYLOAD} }} }}"
    );
    let body = w
        .run(&w.a_member, &query, json!({ "input": respond(&w.a) }))
        .await;
    assert_eq!(
        body["data"]["respondToMatch"]["match"]["status"], "PROPOSED",
        "{body}"
    );
    let body = w
        .run(&w.b_member, &query, json!({ "input": respond(&w.b) }))
        .await;
    assert_eq!(
        body["data"]["respondToMatch"]["match"]["status"], "ACTIVE",
        "{body}"
    );

    let logged = w
        .mutate(
            &w.a_member,
            "logMatchContact",
            "LogMatchContactInput",
            json!({ "matchId": match_id, "occurredOn": "2026-11-30", "note": "First call" }),
        )
        .await;
    assert_eq!(user_error_codes(&logged), Vec::<String>::new(), "{logged}");

    for (token, org, rating) in [(&w.a_member, &w.a, 5), (&w.b_member, &w.b, 2)] {
        let rated = w
            .mutate(
                token,
                "rateMatch",
                "RateMatchInput",
                json!({ "matchId": match_id, "organizationId": w.org(org), "rating": rating, "comment": "Useful" }),
            )
            .await;
        assert_eq!(user_error_codes(&rated), Vec::<String>::new(), "{rated}");
    }
    // One rating per organization.
    let again = w
        .mutate(
            &w.a_member,
            "rateMatch",
            "RateMatchInput",
            json!({ "matchId": match_id, "organizationId": w.org(&w.a), "rating": 4 }),
        )
        .await;
    assert_eq!(user_error_codes(&again), ["TAKEN"], "{again}");

    let health = w
        .run(
            &w.coach,
            "query($id: ID!) { cohort(id: $id) { matchHealth(staleAfterDays: 1) {
                activeMatches declinedMatches declineRate averageRating ratingCount
                staleMatches { id } } } }",
            json!({ "id": gid(NodeKind::Cohort, w.cohort.id) }),
        )
        .await;
    assert_eq!(
        health["data"]["cohort"]["matchHealth"],
        json!({
            "activeMatches": 1, "declinedMatches": 0, "declineRate": 0.0,
            "averageRating": 3.5, "ratingCount": 2,
            // The only contact was logged on 2026-11-30, more than a day ago.
            "staleMatches": [{ "id": match_id }],
        }),
        "{health}"
    );

    let completed = w
        .mutate(
            &w.coach,
            "completeMatch",
            "CompleteMatchInput",
            json!({ "matchId": match_id }),
        )
        .await;
    assert_eq!(user_error_codes(&completed), Vec::<String>::new());

    // The next run remembers: matched once and rated 2, so -150 and -300.
    let next = w.create_run(json!({ "mode": "PEER_PAIRS" })).await;
    let m = &next["matchingRun"]["matches"]["nodes"][0];
    assert_eq!(m["score"], 800, "{next}");
    let history: Vec<&Value> = m["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "HISTORY")
        .collect();
    assert_eq!(history.len(), 1, "{m}");
    assert_eq!(history[0]["points"], -450);
    assert_eq!(history[0]["timesMatched"], 1);
    assert_eq!(history[0]["lowestRating"], 2);
}

#[tokio::test]
async fn a_decline_closes_the_match_and_counts_against_the_pair_in_later_runs() {
    let w = World::new().await;
    w.assess_both().await;
    let created = w.create_run(json!({ "mode": "PEER_PAIRS" })).await;
    let run = &created["matchingRun"];
    let match_id = run["matches"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let publish = run_payload_query("publishMatchingRun", "PublishMatchingRunInput");
    w.run(
        &w.coach,
        &publish,
        json!({ "input": { "id": run["id"], "expectedVersion": 1 } }),
    )
    .await;
    let query = format!(
        "mutation($input: RespondToMatchInput!) {{ respondToMatch(input: $input) {{ {MATCH_PAYLOAD} }} }}"
    );
    // Declining needs a reason.
    let input = json!({ "matchId": match_id, "organizationId": w.org(&w.b), "answer": "DECLINE" });
    let body = w
        .run(&w.b_member, &query, json!({ "input": input.clone() }))
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["respondToMatch"]),
        ["BLANK"],
        "{body}"
    );
    let mut with_reason = input;
    with_reason["reason"] = json!("We are short-staffed this quarter");
    let body = w
        .run(&w.b_member, &query, json!({ "input": with_reason }))
        .await;
    let m = &body["data"]["respondToMatch"]["match"];
    assert_eq!(m["status"], "DECLINED", "{body}");
    assert!(
        m["participants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["declineReason"] == "We are short-staffed this quarter")
    );
    // A declined match cannot be answered again.
    let body = w
        .run(
            &w.a_member,
            &query,
            json!({ "input": { "matchId": match_id, "organizationId": w.org(&w.a), "answer": "ACCEPT" } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["respondToMatch"]),
        ["INVALID_STATE"],
        "{body}"
    );

    let health = w
        .run(
            &w.coach,
            "query($id: ID!) { cohort(id: $id) { matchHealth { declinedMatches declineRate averageRating } } }",
            json!({ "id": gid(NodeKind::Cohort, w.cohort.id) }),
        )
        .await;
    assert_eq!(
        health["data"]["cohort"]["matchHealth"],
        json!({ "declinedMatches": 1, "declineRate": 1.0, "averageRating": null })
    );

    // A decline counts as a rating of 1: -150 for the repeat, -300 for the poor outcome.
    let next = w.create_run(json!({ "mode": "PEER_PAIRS" })).await;
    let m = &next["matchingRun"]["matches"]["nodes"][0];
    assert_eq!(m["score"], 1450 - 450, "{next}");
}

#[tokio::test]
async fn staff_edit_a_mentoring_draft_by_hand_and_the_engine_scores_it() {
    let w = World::new().await;
    w.assess_both().await;
    // B mentors A: only A's billing need counts (need 4 x expertise 2 x 100), plus the kind.
    let created = w
        .create_run(json!({
            "mode": "MENTORING",
            "mentors": [{ "organizationId": w.org(&w.b), "capacity": 1 }],
        }))
        .await;
    let run = &created["matchingRun"];
    assert_eq!(run["mode"], "MENTORING", "{created}");
    let m = &run["matches"]["nodes"][0];
    assert_eq!(m["score"], 850);
    assert_eq!(
        m["participants"],
        json!([
            { "role": "MENTEE", "response": "PENDING", "organization": { "name": "A clinic" } },
            { "role": "MENTOR", "response": "PENDING", "organization": { "name": "B clinic" } },
        ])
    );
    let run_id = run["id"].as_str().unwrap().to_owned();

    let remove = run_payload_query("removeProposedMatch", "RemoveProposedMatchInput");
    let body = w
        .run(
            &w.coach,
            &remove,
            json!({ "input": { "matchId": m["id"], "expectedVersion": 1 } }),
        )
        .await;
    let edited = &body["data"]["removeProposedMatch"]["matchingRun"];
    assert_eq!(edited["version"], 2, "{body}");
    assert_eq!(edited["totalScore"], 0);
    assert_eq!(edited["matches"]["totalCount"], 0);
    let removed: Vec<&Value> = edited["unmatched"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["reason"] == "REMOVED_BY_STAFF")
        .collect();
    assert_eq!(removed.len(), 2, "{edited}");

    let add = "mutation($input: AddManualMatchInput!) { addManualMatch(input: $input) {
        matchingRun { version totalScore unmatched { reason } }
        match { score isManual participants { role organization { name } } explanation { kind points } }
        userErrors { field code message } } }";
    let body = w
        .run(
            &w.coach,
            add,
            json!({ "input": { "runId": run_id, "expectedVersion": 2,
                "organizationIds": [w.org(&w.a), w.org(&w.b)] } }),
        )
        .await;
    let payload = &body["data"]["addManualMatch"];
    assert_eq!(payload["match"]["score"], 850, "{body}");
    assert_eq!(payload["match"]["isManual"], true);
    assert_eq!(payload["matchingRun"]["version"], 3);
    assert_eq!(payload["matchingRun"]["totalScore"], 850);
    assert_eq!(
        payload["matchingRun"]["unmatched"],
        json!([{ "reason": "NO_NEEDS" }])
    );

    // An organization already matched in the run cannot be matched again.
    let body = w
        .run(
            &w.coach,
            add,
            json!({ "input": { "runId": run_id, "expectedVersion": 3,
                "organizationIds": [w.org(&w.c), w.org(&w.b)] } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["addManualMatch"]),
        ["ALREADY_MATCHED"],
        "{body}"
    );

    // A stale version is a conflict.
    let discard = run_payload_query("discardMatchingRun", "DiscardMatchingRunInput");
    let body = w
        .run(
            &w.coach,
            &discard,
            json!({ "input": { "id": run_id, "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let body = w
        .run(
            &w.coach,
            &discard,
            json!({ "input": { "id": run_id, "expectedVersion": 3 } }),
        )
        .await;
    assert_eq!(
        body["data"]["discardMatchingRun"]["matchingRun"]["status"], "DISCARDED",
        "{body}"
    );
    // Only drafts change.
    let body = w
        .run(
            &w.coach,
            &discard,
            json!({ "input": { "id": run_id, "expectedVersion": 4 } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["discardMatchingRun"]),
        ["INVALID_STATE"],
        "{body}"
    );
}

#[tokio::test]
async fn excluded_pairs_are_never_matched_not_even_by_hand() {
    let w = World::new().await;
    w.assess_both().await;
    let created = w
        .create_run(json!({
            "mode": "PEER_PAIRS",
            "exclusions": [{ "firstOrganizationId": w.org(&w.a), "secondOrganizationId": w.org(&w.b) }],
        }))
        .await;
    let run = &created["matchingRun"];
    assert_eq!(run["matches"]["totalCount"], 0, "{created}");
    let body = w
        .run(
            &w.coach,
            "mutation($input: AddManualMatchInput!) { addManualMatch(input: $input) { userErrors { code } } }",
            json!({ "input": { "runId": run["id"], "expectedVersion": 1,
                "organizationIds": [w.org(&w.a), w.org(&w.b)] } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["addManualMatch"]),
        ["EXCLUDED"],
        "{body}"
    );
}

#[tokio::test]
async fn assessments_and_matches_stay_with_their_organizations_and_runs_with_their_staff() {
    let w = World::new().await;
    w.assess_both().await;
    let created = w.create_run(json!({ "mode": "PEER_PAIRS" })).await;
    let run = &created["matchingRun"];
    let run_id = run["id"].as_str().unwrap().to_owned();
    let match_id = run["matches"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.run(
        &w.coach,
        &run_payload_query("publishMatchingRun", "PublishMatchingRunInput"),
        json!({ "input": { "id": run_id, "expectedVersion": 1 } }),
    )
    .await;
    let assessment = w
        .run(
            &w.a_member,
            "query($id: ID!) { organization(id: $id) { assessments { nodes { id } } } }",
            json!({ "id": w.org(&w.a) }),
        )
        .await["data"]["organization"]["assessments"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // C, a grantee of the same cohort, sees A but not its assessments nor its match.
    let body = w
        .run(
            &w.c_member,
            "query($id: ID!) { organization(id: $id) { name assessments { totalCount } needs { level }
                expertise { level } growth { change } matchParticipations { totalCount } } }",
            json!({ "id": w.org(&w.a) }),
        )
        .await;
    assert_eq!(
        body["data"]["organization"],
        json!({ "name": "A clinic", "assessments": { "totalCount": 0 }, "needs": [],
            "expertise": [], "growth": [], "matchParticipations": { "totalCount": 0 } }),
        "{body}"
    );
    for id in [&assessment, &match_id, &run_id] {
        let body = w
            .run(
                &w.c_member,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{id}: {body}");
    }
    // Participants see their match but not the run behind it, nor the cohort's runs.
    let body = w
        .run(
            &w.a_member,
            "query($id: ID!, $cohort: ID!) { node(id: $id) { ... on PeerMatch { run { id } } }
                cohort(id: $cohort) { matchingRuns { totalCount } matchHealth { activeMatches } } }",
            json!({ "id": match_id, "cohort": gid(NodeKind::Cohort, w.cohort.id) }),
        )
        .await;
    assert_eq!(
        body["data"],
        json!({ "node": { "run": null },
            "cohort": { "matchingRuns": { "totalCount": 0 }, "matchHealth": null } }),
        "{body}"
    );
    let body = w
        .run(
            &w.a_member,
            "query($id: ID!) { matchingRun(id: $id) { id } }",
            json!({ "id": run_id }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    // The staff of another cohort see none of it.
    for id in [&assessment, &match_id, &run_id] {
        let body = w
            .run(
                &w.other_coach,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{id}: {body}");
    }
    // The cohort's staff see the assessments of its organizations.
    let body = w
        .run(
            &w.coach,
            "query($id: ID!) { organization(id: $id) { assessments { totalCount } needs { weight } } }",
            json!({ "id": w.org(&w.a) }),
        )
        .await;
    assert_eq!(
        body["data"]["organization"],
        json!({ "assessments": { "totalCount": 1 }, "needs": [{ "weight": 4 }] }),
        "{body}"
    );
}

#[tokio::test]
async fn bad_input_comes_back_as_user_errors_and_changes_nothing() {
    let w = World::new().await;
    let before = w.app.snapshot().await;
    let unknown = Uuid::now_v7();
    let payload = w
        .assess(
            &w.a_member,
            &w.a,
            &[
                (w.billing, 4, true),
                (w.billing, 1, true),
                (unknown, 1, false),
            ],
        )
        .await;
    let errors: Vec<(Value, Value)> = payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].clone(), e["code"].clone()))
        .collect();
    assert_eq!(
        errors,
        [
            (json!(["input", "ratings.0.level"]), json!("INVALID")),
            (json!(["input", "ratings.1.topicId"]), json!("DUPLICATE")),
            (json!(["input", "ratings.2.topicId"]), json!("INVALID")),
        ],
        "{payload}"
    );
    let empty = w.assess(&w.a_member, &w.a, &[]).await;
    assert_eq!(user_error_codes(&empty), ["BLANK"], "{empty}");

    let cohort = gid(NodeKind::Cohort, w.cohort.id);
    for (input, expected) in [
        (json!({ "mode": "MENTORING" }), vec!["BLANK"]),
        (json!({ "mode": "GROUPS", "groupSize": 1 }), vec!["INVALID"]),
        (
            json!({ "mode": "PEER_PAIRS", "candidatesLimit": 0, "weights": { "topic": -1 } }),
            vec!["INVALID", "INVALID"],
        ),
        (
            json!({ "mode": "PEER_PAIRS", "exclusions": [{
                "firstOrganizationId": w.org(&w.a), "secondOrganizationId": w.org(&w.a) }] }),
            vec!["INVALID"],
        ),
        (
            json!({ "mode": "MENTORING", "mentors": [{ "organizationId": w.org(&w.a), "capacity": 0 }] }),
            vec!["INVALID"],
        ),
    ] {
        let mut input = input;
        input["cohortId"] = json!(cohort);
        let body = w.run(&w.coach, CREATE_RUN, json!({ "input": input })).await;
        let codes = user_error_codes(&body["data"]["createMatchingRun"]);
        assert_eq!(codes, expected, "{input}: {body}");
    }

    assert_eq!(before, w.app.snapshot().await);

    // Ratings are 1 to 5, on matches under way.
    let run = w
        .app
        .matching_run(&w.cohort, &[&w.a, &w.b], RunStatus::Published)
        .await;
    let proposed = w
        .app
        .peer_match(&run, &[&w.a, &w.b], MatchStatus::Proposed)
        .await;
    let active = w
        .app
        .peer_match(&run, &[&w.a, &w.c], MatchStatus::Active)
        .await;
    let before = w.app.snapshot().await;
    let rate = |m: Uuid, org: &organization::Model, rating: i32| json!({ "matchId": gid(NodeKind::PeerMatch, m), "organizationId": w.org(org), "rating": rating });
    let body = w
        .mutate(
            &w.a_member,
            "rateMatch",
            "RateMatchInput",
            rate(proposed.id, &w.a, 5),
        )
        .await;
    assert_eq!(user_error_codes(&body), ["INVALID_STATE"], "{body}");
    let body = w
        .mutate(
            &w.a_member,
            "rateMatch",
            "RateMatchInput",
            rate(active.id, &w.a, 6),
        )
        .await;
    assert_eq!(user_error_codes(&body), ["INVALID"], "{body}");
    // Nobody rates for an organization they do not belong to.
    let body = w
        .mutate(
            &w.a_member,
            "rateMatch",
            "RateMatchInput",
            rate(active.id, &w.b, 3),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = w
        .mutate(
            &w.a_member,
            "logMatchContact",
            "LogMatchContactInput",
            json!({ "matchId": gid(NodeKind::PeerMatch, active.id), "occurredOn": "2999-01-01", "note": " " }),
        )
        .await;
    assert_eq!(user_error_codes(&body), ["BLANK", "INVALID"], "{body}");
    // A grantee outside the match does not even see it.
    let body = w
        .mutate(
            &w.b_member,
            "completeMatch",
            "CompleteMatchInput",
            json!({ "matchId": gid(NodeKind::PeerMatch, active.id) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    assert_eq!(before, w.app.snapshot().await);
}

#[tokio::test]
async fn submitting_an_assessment_twice_with_one_key_records_it_once() {
    let w = World::new().await;
    let input = json!({ "input": {
        "organizationId": w.org(&w.a),
        "ratings": [{ "topicId": w.topic(w.billing), "level": 2 }],
        "idempotencyKey": "first-assessment",
    } });
    let first = w.run(&w.a_member, SUBMIT, input.clone()).await;
    let second = w.run(&w.a_member, SUBMIT, input).await;
    assert_eq!(
        first["data"]["submitAssessment"]["assessment"]["id"],
        second["data"]["submitAssessment"]["assessment"]["id"],
        "{first} {second}"
    );
    assert_eq!(w.app.count_rows("assessment").await, 1);
}

#[tokio::test]
async fn runs_and_matches_cost_the_same_statements_at_every_page_size() {
    let w = World::new().await;
    let orgs = [&w.a, &w.b, &w.c];
    for _ in 0..4 {
        let run = w
            .app
            .matching_run(&w.cohort, &orgs, RunStatus::Published)
            .await;
        for i in 0..12 {
            let pair = [orgs[i % 3], orgs[(i + 1) % 3]];
            w.app.peer_match(&run, &pair, MatchStatus::Active).await;
        }
    }
    let query = "query($id: ID!, $n: Int!, $m: Int!) { cohort(id: $id) {
        matchHealth { activeMatches averageRating staleMatches { id } }
        matchingRuns(first: $n) { totalCount nodes { status totalScore
            parameters { weights { topic } mentors { capacity } }
            unmatched { reason organization { name } }
            matches(first: $m) { totalCount nodes { score status
                participants { role response organization { name } }
                feedback { rating }
                contacts { totalCount }
                explanation { kind } } } } }
    } }";
    // The first request of a token records its last use; keep that write out of the counts.
    w.run(&w.coach, "{ viewer { name } }", json!({})).await;
    w.run(&w.a_member, "{ viewer { name } }", json!({})).await;
    let id = gid(NodeKind::Cohort, w.cohort.id);
    let (small, body) = w
        .app
        .count_statements(
            w.app
                .graphql(Some(&w.coach), query, json!({ "id": id, "n": 1, "m": 2 })),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let (large, body) = w
        .app
        .count_statements(w.app.graphql(
            Some(&w.coach),
            query,
            json!({ "id": id, "n": 4, "m": 12 }),
        ))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let runs = body["data"]["cohort"]["matchingRuns"]["nodes"]
        .as_array()
        .unwrap();
    assert_eq!(runs.len(), 4);
    assert_eq!(runs[3]["matches"]["nodes"].as_array().unwrap().len(), 12);
    assert_eq!(
        small, large,
        "statements: {small} at 1 x 2, {large} at 4 x 12"
    );

    let places = "query($id: ID!, $n: Int!) { organization(id: $id) {
        needs { level } growth { change }
        matchParticipations(first: $n) { nodes { role match { score participants { organization { name } } } } } } }";
    let (small, _) = w
        .app
        .count_statements(w.app.graphql(
            Some(&w.a_member),
            places,
            json!({ "id": w.org(&w.a), "n": 2 }),
        ))
        .await;
    let (large, body) = w
        .app
        .count_statements(w.app.graphql(
            Some(&w.a_member),
            places,
            json!({ "id": w.org(&w.a), "n": 30 }),
        ))
        .await;
    assert_eq!(
        body["data"]["organization"]["matchParticipations"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        30,
        "{body}"
    );
    assert_eq!(small, large, "statements: {small} at 2, {large} at 30");
}

#[tokio::test]
async fn swapping_organizations_between_proposed_pairs_rescores_both() {
    let w = World::new().await;
    w.assess_both().await;
    // C is another billing expert like B, D another billing learner like A: every perfect
    // matching pairs a learner with an expert, for 1450 points a pair.
    let d = w.app.organization("D clinic").await;
    w.app.enroll(&w.cohort, &d).await;
    let (d_user, d_member) = w.app.user("Member of D", UserRole::User).await;
    w.app.member(&d, &d_user, MembershipRole::Member).await;
    w.assess(
        &w.c_member,
        &w.c,
        &[(w.billing, 3, false), (w.screening, 1, true)],
    )
    .await;
    w.assess(
        &d_member,
        &d,
        &[(w.billing, 0, true), (w.screening, 3, false)],
    )
    .await;
    let query = "mutation($input: CreateMatchingRunInput!) { createMatchingRun(input: $input) {
        matchingRun { id totalScore matches { nodes { id score
            participants { id organization { name } } } } } } }";
    let body = w
        .run(
            &w.coach,
            query,
            json!({ "input": { "cohortId": gid(NodeKind::Cohort, w.cohort.id), "mode": "PEER_PAIRS" } }),
        )
        .await;
    let run = &body["data"]["createMatchingRun"]["matchingRun"];
    assert_eq!(run["totalScore"], 2900, "{body}");
    // A changes places with the expert of the other pair: two experts and two learners.
    let matches = run["matches"]["nodes"].as_array().unwrap();
    let (mine, other): (Vec<&Value>, Vec<&Value>) = matches.iter().partition(|m| {
        m["participants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["organization"]["name"] == "A clinic")
    });
    let place_of = |m: &Value, pick: &dyn Fn(&str) -> bool| {
        m["participants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| pick(p["organization"]["name"].as_str().unwrap()))
            .unwrap()["id"]
            .clone()
    };
    let a_place = place_of(mine[0], &|name| name == "A clinic");
    let expert_place = place_of(other[0], &|name| name != "D clinic");
    let swap = run_payload_query("swapMatchedOrganizations", "SwapMatchedOrganizationsInput");
    let input = |places: Value, version: i32| json!({ "input": { "runId": run["id"], "expectedVersion": version, "participantIds": places } });
    // Two places of one pair cannot swap.
    let mate = place_of(mine[0], &|name| name != "A clinic");
    let body = w
        .run(&w.coach, &swap, input(json!([a_place, mate]), 1))
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["swapMatchedOrganizations"]),
        ["INVALID"],
        "{body}"
    );
    let body = w
        .run(&w.coach, &swap, input(json!([a_place, expert_place]), 1))
        .await;
    let swapped = &body["data"]["swapMatchedOrganizations"]["matchingRun"];
    assert_eq!(swapped["version"], 2, "{body}");
    assert_eq!(swapped["totalScore"], 0);
    for m in swapped["matches"]["nodes"].as_array().unwrap() {
        assert_eq!(m["score"], 0, "{m}");
        assert_eq!(m["isManual"], true);
        assert_eq!(m["explanation"], json!([]));
    }
    // A stale version is a conflict.
    let body = w
        .run(&w.coach, &swap, input(json!([a_place, expert_place]), 1))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
}
