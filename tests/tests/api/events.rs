//! Events: scheduling single events and series (across a daylight-saving change), edits by
//! scope, cancellations with notifications, registration with a capacity, a waitlist and a
//! race for the last seat, attendance (marked, self-reported, imported from a messy report),
//! visibility, and calendar feeds.

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use entity::cohort_staff::StaffRole;
use entity::event;
use entity::membership::MembershipRole;
use entity::user::UserRole;
use entity::{cohort, organization, user};
use futures_util::future::join_all;
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, error_code, gid, user_error_codes};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

/// Cohort A with organizations A1 (a lead and three members) and A2 (a member), cohort B with
/// B1 (a member); a coach and a presenter of A; an admin.
struct World {
    app: TestApp,
    a: cohort::Model,
    a1: organization::Model,
    members: Vec<(user::Model, String)>,
    peer: (user::Model, String),
    outsider: (user::Model, String),
    coach: (user::Model, String),
    presenter: (user::Model, String),
    admin: (user::Model, String),
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let a = app.cohort("cohort-a").await;
        let b = app.cohort("cohort-b").await;
        let a1 = app.organization("Acme Clinic").await;
        let a2 = app.organization("Bayside Health").await;
        let b1 = app.organization("Cedar Tribal Health").await;
        for (cohort, org) in [(&a, &a1), (&a, &a2), (&b, &b1)] {
            app.enroll(cohort, org).await;
        }
        let mut members = Vec::new();
        for (n, name) in ["Lena Lead", "Mo Member", "Ana Diaz", "Ben Cho"]
            .iter()
            .enumerate()
        {
            let member = app.user(name, UserRole::User).await;
            let role = if n == 0 {
                MembershipRole::Lead
            } else {
                MembershipRole::Member
            };
            app.member(&a1, &member.0, role).await;
            members.push(member);
        }
        let peer = app.user("Pat Peer", UserRole::User).await;
        app.member(&a2, &peer.0, MembershipRole::Member).await;
        let outsider = app.user("Oz Outsider", UserRole::User).await;
        app.member(&b1, &outsider.0, MembershipRole::Member).await;
        let coach = app.user("Cal Coach", UserRole::User).await;
        app.staff(&a, &coach.0, StaffRole::Coach).await;
        let presenter = app.user("Pia Presenter", UserRole::User).await;
        app.staff(&a, &presenter.0, StaffRole::Presenter).await;
        let admin = app.admin().await;
        Self {
            app,
            a,
            a1,
            members,
            peer,
            outsider,
            coach,
            presenter,
            admin,
        }
    }

    async fn send(&self, who: &(user::Model, String), query: &str, variables: Value) -> Value {
        self.app.graphql(Some(&who.1), query, variables).await
    }

    /// Runs `field(input: $input)` returning the payload (or the whole body on an error).
    async fn mutate(
        &self,
        who: &(user::Model, String),
        field: &str,
        input_type: &str,
        selection: &str,
        input: Value,
    ) -> Value {
        let query = format!(
            "mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} userErrors {{ field code message }} }} }}"
        );
        let body = self.send(who, &query, json!({ "input": input })).await;
        if body.get("errors").is_some() {
            return body;
        }
        body["data"][field].clone()
    }

    async fn create(&self, input: Value) -> Value {
        let mut full = json!({
            "cohortId": gid(NodeKind::Cohort, self.a.id),
            "kind": "WEBINAR",
            "title": "Billing for collaborative care",
            "startsAt": (Utc::now() + Duration::days(7)).to_rfc3339(),
            "timeZone": "America/Denver",
            "durationMinutes": 60,
            "joinUrl": "https://zoom.example.org/j/123",
        });
        for (k, v) in input.as_object().unwrap() {
            full[k] = v.clone();
        }
        self.mutate(
            &self.coach,
            "createEvent",
            "CreateEventInput",
            "event { id version startsAt status capacity registeredCount waitlistCount }",
            full,
        )
        .await
    }

    async fn register(&self, who: &(user::Model, String), event: &str, extra: Value) -> Value {
        let mut input = json!({ "eventId": event });
        for (k, v) in extra.as_object().unwrap() {
            input[k] = v.clone();
        }
        self.mutate(
            who,
            "registerForEvent",
            "RegisterForEventInput",
            "registration { status }",
            input,
        )
        .await
    }
}

fn denver(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    chrono_tz::America::Denver
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// The next late February (before the US change to daylight time in March).
fn late_february() -> i32 {
    let now = Utc::now();
    let year = now.format("%Y").to_string().parse::<i32>().unwrap();
    if denver(year, 2, 23, 10) > now + Duration::days(1) {
        year
    } else {
        year + 1
    }
}

const SERIES: &str = "query($id: ID!, $from: DateTime!) { cohort(id: $id) {
    events(first: 20, from: $from) { totalCount nodes { id startsAt timeZone isRecurring status version } }
} }";

#[tokio::test]
async fn a_weekly_series_keeps_its_local_time_across_daylight_saving() {
    let w = World::new().await;
    let year = late_february();
    let start = denver(year, 2, 23, 10);
    let payload = w
        .create(json!({
            "startsAt": start.to_rfc3339(),
            "recurrence": { "frequency": "WEEKLY", "count": 6 },
        }))
        .await;
    assert_eq!(
        user_error_codes(&payload),
        Vec::<String>::new(),
        "{payload}"
    );
    let body = w
        .send(
            &w.peer,
            SERIES,
            json!({ "id": gid(NodeKind::Cohort, w.a.id), "from": start.to_rfc3339() }),
        )
        .await;
    let nodes = body["data"]["cohort"]["events"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(nodes.len(), 6, "{body}");
    let tz = chrono_tz::America::Denver;
    let starts: Vec<DateTime<Utc>> = nodes
        .iter()
        .map(|n| n["startsAt"].as_str().unwrap().parse().unwrap())
        .collect();
    for at in &starts {
        assert_eq!(at.with_timezone(&tz).hour(), 10, "{at}");
    }
    // The UTC hour changes with the offset: 17:00 in winter, 16:00 in summer.
    assert_eq!(starts[0].hour(), 17);
    assert_eq!(starts[5].hour(), 16);

    // Moving the fourth occurrence and those that follow by an hour keeps them on their
    // local time too.
    let fourth = &nodes[3];
    let moved = fourth["startsAt"]
        .as_str()
        .unwrap()
        .parse::<DateTime<Utc>>()
        .unwrap()
        + Duration::hours(1);
    let payload = w
        .mutate(
            &w.coach,
            "updateEvent",
            "UpdateEventInput",
            "event { startsAt }",
            json!({ "id": fourth["id"], "expectedVersion": fourth["version"],
                    "scope": "THIS_AND_FOLLOWING", "startsAt": moved.to_rfc3339() }),
        )
        .await;
    assert_eq!(
        user_error_codes(&payload),
        Vec::<String>::new(),
        "{payload}"
    );
    let body = w
        .send(
            &w.peer,
            SERIES,
            json!({ "id": gid(NodeKind::Cohort, w.a.id), "from": start.to_rfc3339() }),
        )
        .await;
    let hours: Vec<u32> = body["data"]["cohort"]["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            n["startsAt"]
                .as_str()
                .unwrap()
                .parse::<DateTime<Utc>>()
                .unwrap()
                .with_timezone(&tz)
                .hour()
        })
        .collect();
    assert_eq!(hours, [10, 10, 10, 11, 11, 11], "{body}");

    // Cancelling the whole series cancels every occurrence that has not started.
    let payload = w
        .mutate(
            &w.coach,
            "cancelEvent",
            "CancelEventInput",
            "event { status }",
            json!({ "id": nodes[0]["id"], "scope": "WHOLE_SERIES" }),
        )
        .await;
    assert_eq!(payload["event"]["status"], "CANCELLED", "{payload}");
    let body = w
        .send(
            &w.peer,
            SERIES,
            json!({ "id": gid(NodeKind::Cohort, w.a.id), "from": start.to_rfc3339() }),
        )
        .await;
    assert!(
        body["data"]["cohort"]["events"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["status"] == "CANCELLED"),
        "{body}"
    );
}

#[tokio::test]
async fn bad_schedules_are_user_errors_and_change_nothing() {
    let w = World::new().await;
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    let soon = Utc::now() + Duration::days(2);
    let cases = [
        (json!({ "startsAt": past }), "startsAt"),
        (json!({ "timeZone": "Mars/Olympus_Mons" }), "timeZone"),
        (json!({ "timeZone": " " }), "timeZone"),
        (
            json!({ "recurrence": { "frequency": "WEEKLY", "interval": -1, "count": 3 } }),
            "recurrence",
        ),
        (json!({ "durationMinutes": 0 }), "durationMinutes"),
        (json!({ "joinUrl": "javascript:alert(1)" }), "joinUrl"),
        (json!({ "capacity": 0 }), "capacity"),
        (
            json!({ "registrationDeadline": (soon + Duration::days(10)).to_rfc3339(), "startsAt": soon.to_rfc3339() }),
            "registrationDeadline",
        ),
        (
            json!({ "recurrence": { "frequency": "WEEKLY" } }),
            "recurrence",
        ),
        (
            json!({ "recurrence": { "frequency": "WEEKLY", "until": (soon + Duration::days(4 * 365)).date_naive().to_string() } }),
            "recurrence",
        ),
        (
            json!({ "recurrence": { "frequency": "MONTHLY", "days": ["TUESDAY"] , "count": 3 } }),
            "recurrence",
        ),
        (json!({ "kind": "SITE_VISIT" }), "hostOrganizationId"),
        (json!({ "title": " " }), "title"),
    ];
    let before = w.app.snapshot().await;
    let rows = w.app.count_rows("event").await;
    for (input, field) in cases {
        let payload = w.create(input.clone()).await;
        assert!(payload["event"].is_null(), "{input}: {payload}");
        assert!(
            payload["userErrors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == json!(["input", field])),
            "{input}: expected an error on {field}: {payload}"
        );
    }
    assert_eq!(before, w.app.snapshot().await);
    assert_eq!(w.app.count_rows("event").await, rows);
    // A site visit hosted by an enrolled organization is fine.
    let payload = w
        .create(json!({ "kind": "SITE_VISIT", "hostOrganizationId": gid(NodeKind::Organization, w.a1.id) }))
        .await;
    assert!(payload["event"]["id"].is_string(), "{payload}");
}

#[tokio::test]
async fn capacity_waitlist_promotion_and_closed_registration() {
    let w = World::new().await;
    let payload = w.create(json!({ "capacity": 2 })).await;
    let event = payload["event"]["id"].as_str().unwrap().to_owned();
    let statuses: Vec<Value> = join_all(
        w.members[..3]
            .iter()
            .map(|m| w.register(m, &event, json!({}))),
    )
    .await
    .into_iter()
    .map(|p| p["registration"]["status"].clone())
    .collect();
    let registered = statuses.iter().filter(|s| *s == "REGISTERED").count();
    let waitlisted = statuses.iter().filter(|s| *s == "WAITLISTED").count();
    assert_eq!((registered, waitlisted), (2, 1), "{statuses:?}");
    // Asking not to be waitlisted when full is EVENT_FULL.
    let full = w
        .register(&w.peer, &event, json!({ "waitlist": false }))
        .await;
    assert_eq!(user_error_codes(&full), ["EVENT_FULL"], "{full}");
    // Staff do not register; another cohort does not see the event.
    let staff = w.register(&w.coach, &event, json!({})).await;
    assert_eq!(error_code(&staff), Some("FORBIDDEN"), "{staff}");
    let outsider = w.register(&w.outsider, &event, json!({})).await;
    assert_eq!(error_code(&outsider), Some("NOT_FOUND"), "{outsider}");

    // A registered person cancels: the waitlisted one gets the seat and is told.
    let waiting = w.members[..3]
        .iter()
        .zip(&statuses)
        .find(|(_, s)| *s == "WAITLISTED")
        .map(|(m, _)| m)
        .unwrap();
    let leaving = w.members[..3]
        .iter()
        .zip(&statuses)
        .find(|(_, s)| *s == "REGISTERED")
        .map(|(m, _)| m)
        .unwrap();
    let payload = w
        .mutate(
            leaving,
            "cancelRegistration",
            "EventIdInput",
            "registration { status }",
            json!({ "eventId": event }),
        )
        .await;
    assert_eq!(payload["registration"]["status"], "CANCELLED", "{payload}");
    let body = w
        .send(
            waiting,
            "query($id: ID!) { event(id: $id) { registeredCount waitlistCount viewerRegistration { status } } notifications { nodes { kind message } } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(
        body["data"]["event"]["viewerRegistration"]["status"], "REGISTERED",
        "{body}"
    );
    assert_eq!(body["data"]["event"]["registeredCount"], 2);
    assert_eq!(body["data"]["event"]["waitlistCount"], 0);
    assert_eq!(
        body["data"]["notifications"]["nodes"][0]["kind"], "SEAT_OFFERED",
        "{body}"
    );

    // Members see the counts but only their own registration; the coach sees the list.
    let body = w
        .send(
            &w.peer,
            "query($id: ID!) { event(id: $id) { registeredCount registrations { totalCount } } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(body["data"]["event"]["registeredCount"], 2, "{body}");
    assert_eq!(body["data"]["event"]["registrations"]["totalCount"], 0);
    let body = w
        .send(
            &w.coach,
            "query($id: ID!) { event(id: $id) { registrations { totalCount nodes { status user { name } } } } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(
        body["data"]["event"]["registrations"]["totalCount"], 3,
        "{body}"
    );

    // Registration closes at the deadline.
    let closing = w
        .create(json!({ "registrationDeadline": (Utc::now() + Duration::seconds(1)).to_rfc3339() }))
        .await;
    let closing = closing["event"]["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let late = w.register(&w.peer, &closing, json!({})).await;
    assert_eq!(user_error_codes(&late), ["REGISTRATION_CLOSED"], "{late}");
}

#[tokio::test]
async fn two_people_racing_for_the_last_seat_one_gets_it() {
    let w = World::new().await;
    for round in 0..5 {
        let payload = w
            .create(json!({ "capacity": 1, "title": format!("Round {round}") }))
            .await;
        let event = payload["event"]["id"].as_str().unwrap().to_owned();
        let racers = [&w.members[1], &w.members[2], &w.members[3], &w.peer];
        let results = join_all(racers.iter().map(|m| w.register(m, &event, json!({})))).await;
        let registered = results
            .iter()
            .filter(|p| p["registration"]["status"] == "REGISTERED")
            .count();
        let waitlisted = results
            .iter()
            .filter(|p| p["registration"]["status"] == "WAITLISTED")
            .count();
        assert_eq!(
            (registered, waitlisted),
            (1, 3),
            "round {round}: {results:?}"
        );
    }
}

#[tokio::test]
async fn moving_or_cancelling_notifies_the_people_on_the_list() {
    let w = World::new().await;
    let payload = w.create(json!({})).await;
    let event = payload["event"]["id"].as_str().unwrap().to_owned();
    w.register(&w.members[1], &event, json!({})).await;
    let later = Utc::now() + Duration::days(8);
    let payload = w
        .mutate(
            &w.coach,
            "updateEvent",
            "UpdateEventInput",
            "event { startsAt version }",
            json!({ "id": event, "expectedVersion": 1, "startsAt": later.to_rfc3339() }),
        )
        .await;
    assert_eq!(payload["event"]["version"], 2, "{payload}");
    let stale = w
        .mutate(
            &w.coach,
            "updateEvent",
            "UpdateEventInput",
            "event { id }",
            json!({ "id": event, "expectedVersion": 1, "title": "Stale" }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    let presenter = w
        .mutate(
            &w.presenter,
            "cancelEvent",
            "CancelEventInput",
            "event { id }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(error_code(&presenter), Some("FORBIDDEN"), "{presenter}");
    w.mutate(
        &w.coach,
        "cancelEvent",
        "CancelEventInput",
        "event { status }",
        json!({ "id": event }),
    )
    .await;
    let body = w
        .send(
            &w.members[1],
            "{ notifications { totalCount nodes { kind event { status } } } }",
            json!({}),
        )
        .await;
    let kinds: Vec<&str> = body["data"]["notifications"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["EVENT_CANCELLED", "EVENT_MOVED"], "{body}");
    let payload = w
        .mutate(
            &w.members[1],
            "markNotificationsRead",
            "MarkNotificationsReadInput",
            "marked",
            json!({}),
        )
        .await;
    assert_eq!(payload["marked"], 2, "{payload}");
    let body = w
        .send(
            &w.members[1],
            "{ notifications(unreadOnly: true) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["notifications"]["totalCount"], 0, "{body}");
    // Nobody else got them.
    let body = w
        .send(&w.peer, "{ notifications { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["notifications"]["totalCount"], 0, "{body}");
}

#[tokio::test]
async fn people_outside_the_cohort_see_nothing_of_its_events() {
    let w = World::new().await;
    let payload = w.create(json!({})).await;
    let event = payload["event"]["id"].as_str().unwrap().to_owned();
    for who in [&w.peer, &w.members[0], &w.presenter, &w.admin] {
        let body = w
            .send(
                who,
                "query($id: ID!) { event(id: $id) { joinUrl } events { totalCount } }",
                json!({ "id": event }),
            )
            .await;
        assert_eq!(
            body["data"]["event"]["joinUrl"], "https://zoom.example.org/j/123",
            "{body}"
        );
        assert_eq!(
            body["data"]["events"]["totalCount"], 1,
            "{}: {body}",
            who.0.name
        );
    }
    let body = w
        .send(
            &w.outsider,
            "query($id: ID!) { event(id: $id) { title } events { totalCount } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    assert_eq!(body["data"]["events"]["totalCount"], 0, "{body}");
    let body = w
        .send(
            &w.outsider,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
}

#[tokio::test]
async fn attendance_is_marked_self_reported_and_imported_from_a_messy_report() {
    let w = World::new().await;
    let payload = w.create(json!({})).await;
    let event_id = payload["event"]["id"].as_str().unwrap().to_owned();
    // Check-in opens a quarter of an hour before the start.
    let early = w
        .mutate(
            &w.members[1],
            "checkIn",
            "EventIdInput",
            "attendance { minutes }",
            json!({ "eventId": event_id }),
        )
        .await;
    assert_eq!(user_error_codes(&early), ["REGISTRATION_CLOSED"], "{early}");
    let uuid = peerlearn::graphql::ids::decode(&async_graphql::ID(event_id.clone()))
        .unwrap()
        .1;
    let stored = event::Entity::find_by_id(uuid)
        .one(&w.app.db)
        .await
        .unwrap()
        .unwrap();
    let mut started: event::ActiveModel = stored.into();
    started.starts_at = Set(Utc::now() - Duration::minutes(5));
    started.update(&w.app.db).await.unwrap();
    let payload = w
        .mutate(
            &w.members[1],
            "checkIn",
            "EventIdInput",
            "attendance { minutes source }",
            json!({ "eventId": event_id }),
        )
        .await;
    assert_eq!(
        payload["attendance"]["source"], "SELF_CHECK_IN",
        "{payload}"
    );

    // Staff correct it, with a reason that is kept.
    let record = |who: &(user::Model, String), minutes: i64, reason: &str| json!({ "eventId": event_id, "userId": gid(NodeKind::User, who.0.id), "minutes": minutes, "reason": reason });
    let payload = w
        .mutate(
            &w.coach,
            "recordAttendance",
            "RecordAttendanceInput",
            "attendance { minutes source reason adjustedBy { name } }",
            record(&w.members[1], 45, "Left early"),
        )
        .await;
    assert_eq!(payload["attendance"]["minutes"], 45, "{payload}");
    assert_eq!(payload["attendance"]["reason"], "Left early");
    assert_eq!(payload["attendance"]["adjustedBy"]["name"], "Cal Coach");
    let payload = w
        .mutate(
            &w.coach,
            "recordAttendance",
            "RecordAttendanceInput",
            "attendance { id }",
            record(&w.outsider, 30, "Visited"),
        )
        .await;
    assert_eq!(
        error_code(&payload),
        Some("NOT_FOUND"),
        "not a user the coach sees: {payload}"
    );
    let payload = w
        .mutate(
            &w.members[1],
            "recordAttendance",
            "RecordAttendanceInput",
            "attendance { id }",
            record(&w.members[1], 600, "Me"),
        )
        .await;
    assert_eq!(error_code(&payload), Some("FORBIDDEN"), "{payload}");

    // A messy Zoom report: a byte-order mark, reordered and extra columns, a blank line, two
    // joins of one person, an email that matches, a name that matches, a guest, a bad row.
    let ana = &w.members[2].0;
    let report = format!(
        "\u{feff}User Email,Name (Original Name),Department,Join Time,Leave Time,Duration (Minutes),Guest\r\n\
         {},Ana D. (Ana Diaz),Clinic,03/09/2027 10:01:00 AM,03/09/2027 10:31:00 AM,30,No\r\n\
         \r\n\
         {},Ana D. (Ana Diaz),Clinic,03/09/2027 10:35:00 AM,03/09/2027 10:55:00 AM,20,No\r\n\
         ,Ben Cho,,2027-03-09 10:00:00,2027-03-09 10:40:00,,No\r\n\
         visitor@elsewhere.example,Vera Visitor,,03/09/2027 10:00 AM,03/09/2027 10:10 AM,10,Yes\r\n\
         ,Pat Peer,,not a time,later,,No\r\n",
        ana.email.clone().unwrap().to_uppercase(),
        ana.email.clone().unwrap(),
    );
    let body = w
        .send(
            &w.coach,
            "mutation($input: ImportAttendanceInput!) { importAttendance(input: $input) {
                attended { user { name } minutes } skipped { line name reason } userErrors { code } } }",
            json!({ "input": { "eventId": event_id, "report": report } }),
        )
        .await;
    let result = &body["data"]["importAttendance"];
    assert_eq!(
        result["attended"],
        json!([
            { "user": { "name": "Ana Diaz" }, "minutes": 50 },
            { "user": { "name": "Ben Cho" }, "minutes": 40 },
        ]),
        "{body}"
    );
    let skipped: Vec<&str> = result["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["Vera Visitor", "Pat Peer"], "{body}");
    // A file that is not a report at all is a user error.
    let body = w
        .send(
            &w.coach,
            "mutation($input: ImportAttendanceInput!) { importAttendance(input: $input) { userErrors { field code } } }",
            json!({ "input": { "eventId": event_id, "report": "just some text" } }),
        )
        .await;
    assert_eq!(
        body["data"]["importAttendance"]["userErrors"],
        json!([{ "field": ["input", "report"], "code": "INVALID" }]),
        "{body}"
    );
    // The member sees their own record only; the coach sees all three.
    let query = "query($id: ID!) { event(id: $id) { attendance { totalCount } } }";
    let body = w
        .send(&w.members[2], query, json!({ "id": event_id }))
        .await;
    assert_eq!(
        body["data"]["event"]["attendance"]["totalCount"], 1,
        "{body}"
    );
    let body = w.send(&w.coach, query, json!({ "id": event_id })).await;
    assert_eq!(
        body["data"]["event"]["attendance"]["totalCount"], 3,
        "{body}"
    );
}

#[tokio::test]
async fn a_calendar_feed_serves_ics_until_it_is_revoked() {
    let w = World::new().await;
    let payload = w
        .create(json!({ "title": "Warm handoffs, in practice; part 1" }))
        .await;
    let event = payload["event"]["id"].as_str().unwrap().to_owned();
    w.register(&w.members[1], &event, json!({})).await;
    let payload = w
        .mutate(
            &w.members[1],
            "createCalendarFeed",
            "CreateCalendarFeedInput",
            "feed { id } path",
            json!({}),
        )
        .await;
    let path = payload["path"].as_str().unwrap().to_owned();
    let feed = payload["feed"]["id"].as_str().unwrap().to_owned();
    let response = w.app.get(&path).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar"),
        "{:?}",
        response.headers()
    );
    let text = response.text().await.unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(
        text.contains("SUMMARY:Warm handoffs\\, in practice\\; part 1 (Cohort cohort-a)"),
        "{text}"
    );
    assert!(
        text.contains("TRANSP:OPAQUE"),
        "registered events block time: {text}"
    );
    assert!(text.contains("SEQUENCE:0"), "{text}");
    // A cohort feed is for the staff who run the cohort.
    let payload = w
        .mutate(
            &w.members[1],
            "createCalendarFeed",
            "CreateCalendarFeedInput",
            "path",
            json!({ "cohortId": gid(NodeKind::Cohort, w.a.id) }),
        )
        .await;
    assert_eq!(error_code(&payload), Some("FORBIDDEN"), "{payload}");
    // Someone else cannot revoke it; the owner can, and the URL is gone.
    let payload = w
        .mutate(
            &w.peer,
            "revokeCalendarFeed",
            "RevokeCalendarFeedInput",
            "feed { id }",
            json!({ "id": feed }),
        )
        .await;
    assert_eq!(error_code(&payload), Some("NOT_FOUND"), "{payload}");
    let payload = w
        .mutate(
            &w.members[1],
            "revokeCalendarFeed",
            "RevokeCalendarFeedInput",
            "feed { revokedAt }",
            json!({ "id": feed }),
        )
        .await;
    assert!(payload["feed"]["revokedAt"].is_string(), "{payload}");
    assert_eq!(w.app.get(&path).await.status(), 404);
    assert_eq!(w.app.get("/calendar/plc_unknown.ics").await.status(), 404);
}

#[tokio::test]
async fn attendance_adds_up_per_organization_and_cohort_by_kind() {
    use entity::attendance::{self, AttendanceSource};
    let w = World::new().await;
    let past = Utc::now() - Duration::days(3);
    let webinar = w.app.event(&w.a, "Webinar", past).await;
    let mut call: event::ActiveModel = w.app.event(&w.a, "Coaching call", past).await.into();
    call.kind = Set(event::EventKind::CoachingCall);
    let call = call.update(&w.app.db).await.unwrap();
    let now = Utc::now();
    for (event, who, minutes) in [
        (&webinar, &w.members[1].0, 60),
        (&webinar, &w.members[2].0, 30),
        (&call, &w.members[1].0, 90),
        (&call, &w.peer.0, 45),
    ] {
        attendance::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            event_id: Set(event.id),
            user_id: Set(who.id),
            minutes: Set(minutes),
            source: Set(AttendanceSource::Manual),
            adjusted_by_id: Set(None),
            reason: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&w.app.db)
        .await
        .unwrap();
    }
    let query = "query($org: ID!, $cohort: ID!) {
        organization(id: $org) { attendanceSummary { eventsAttended hours byKind { kind eventsAttended hours } } }
        cohort(id: $cohort) { attendanceSummary { eventsAttended hours } }
    }";
    let variables = json!({
        "org": gid(NodeKind::Organization, w.a1.id),
        "cohort": gid(NodeKind::Cohort, w.a.id),
    });
    let body = w.send(&w.coach, query, variables.clone()).await;
    assert_eq!(
        body["data"]["organization"]["attendanceSummary"],
        json!({ "eventsAttended": 2, "hours": 3.0, "byKind": [
            { "kind": "COACHING_CALL", "eventsAttended": 1, "hours": 1.5 },
            { "kind": "WEBINAR", "eventsAttended": 1, "hours": 1.5 },
        ] }),
        "{body}"
    );
    assert_eq!(
        body["data"]["cohort"]["attendanceSummary"],
        json!({ "eventsAttended": 2, "hours": 3.75 }),
        "{body}"
    );
    // The organization's own members see its figures; others count nothing of it.
    let body = w.send(&w.members[0], query, variables.clone()).await;
    assert_eq!(
        body["data"]["organization"]["attendanceSummary"]["hours"], 3.0,
        "{body}"
    );
    assert_eq!(
        body["data"]["cohort"]["attendanceSummary"]["hours"], 0.0,
        "{body}"
    );
    let body = w.send(&w.peer, query, variables).await;
    assert_eq!(
        body["data"]["organization"]["attendanceSummary"]["hours"], 0.0,
        "{body}"
    );
}

#[tokio::test]
async fn coaching_calls_have_groups_agenda_notes_resources_and_action_items() {
    let w = World::new().await;
    let billing = gid(NodeKind::Topic, w.app.topic("billing").await.id);
    let payload = w
        .mutate(
            &w.coach,
            "createEvent",
            "CreateEventInput",
            "event { id version }",
            json!({
                "cohortId": gid(NodeKind::Cohort, w.a.id),
                "kind": "COACHING_CALL",
                "title": "Coaching call",
                "startsAt": (Utc::now() + Duration::days(2)).to_rfc3339(),
                "timeZone": "America/Chicago",
                "durationMinutes": 90,
                "agenda": "Billing wins; warm handoff barriers",
                "people": {
                    "presenterIds": [gid(NodeKind::User, w.coach.0.id)],
                    "discussionLeadOrganizationIds": [gid(NodeKind::Organization, w.a1.id)],
                },
            }),
        )
        .await;
    assert_eq!(
        user_error_codes(&payload),
        Vec::<String>::new(),
        "{payload}"
    );
    let call = payload["event"]["id"].as_str().unwrap().to_owned();
    // People must take part in the cohort.
    let payload = w
        .create(json!({ "people": { "presenterIds": [gid(NodeKind::User, w.outsider.0.id)] } }))
        .await;
    assert!(
        payload["userErrors"][0]["field"] == json!(["input", "presenterIds"]),
        "{payload}"
    );
    let webinar = w.create(json!({})).await["event"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let group = |event: &str, orgs: Vec<String>| json!({ "eventId": event, "name": "Rural clinics", "facilitatorId": gid(NodeKind::User, w.coach.0.id), "organizationIds": orgs });
    let a1 = gid(NodeKind::Organization, w.a1.id);
    let payload = w
        .mutate(
            &w.coach,
            "createBreakoutGroup",
            "CreateBreakoutGroupInput",
            "group { id }",
            group(&webinar, vec![a1.clone()]),
        )
        .await;
    assert_eq!(
        user_error_codes(&payload),
        ["INVALID"],
        "webinars have no groups: {payload}"
    );
    let outsider_org = w
        .send(
            &w.outsider,
            "{ viewer { memberships { nodes { organization { id } } } } }",
            json!({}),
        )
        .await["data"]["viewer"]["memberships"]["nodes"][0]["organization"]["id"]
        .clone();
    let payload = w
        .mutate(
            &w.coach,
            "createBreakoutGroup",
            "CreateBreakoutGroupInput",
            "group { id }",
            group(
                &call,
                vec![a1.clone(), outsider_org.as_str().unwrap_or("x").to_owned()],
            ),
        )
        .await;
    assert!(payload["group"].is_null(), "{payload}");
    let payload = w
        .mutate(
            &w.coach,
            "createBreakoutGroup",
            "CreateBreakoutGroupInput",
            "group { id name organizations { name } facilitator { name } }",
            group(&call, vec![a1.clone()]),
        )
        .await;
    assert_eq!(
        payload["group"]["organizations"],
        json!([{ "name": "Acme Clinic" }]),
        "{payload}"
    );

    // A recording added after the call, tagged with a topic; a bad link is refused.
    let resource = |url: &str| {
        json!({ "cohortId": gid(NodeKind::Cohort, w.a.id), "eventId": call, "kind": "RECORDING",
                "title": "Call recording", "url": url, "topicIds": [billing] })
    };
    let payload = w
        .mutate(
            &w.coach,
            "addResource",
            "AddResourceInput",
            "resource { id }",
            resource("ftp://files.example.org/rec.mp4"),
        )
        .await;
    assert_eq!(user_error_codes(&payload), ["INVALID"], "{payload}");
    let payload = w
        .mutate(
            &w.coach,
            "addResource",
            "AddResourceInput",
            "resource { id }",
            resource("https://video.example.org/rec/1"),
        )
        .await;
    assert!(payload["resource"]["id"].is_string(), "{payload}");
    let payload = w
        .mutate(
            &w.members[1],
            "addResource",
            "AddResourceInput",
            "resource { id }",
            resource("https://video.example.org/rec/2"),
        )
        .await;
    assert_eq!(error_code(&payload), Some("FORBIDDEN"), "{payload}");

    // Notes after the call; action items for the organization, done or open.
    let payload = w
        .mutate(&w.coach, "updateEvent", "UpdateEventInput", "event { notes }", json!({ "id": call, "expectedVersion": 1, "notes": "Acme shared its billing workflow." }))
        .await;
    assert_eq!(
        payload["event"]["notes"], "Acme shared its billing workflow.",
        "{payload}"
    );
    let item = |title: &str| json!({ "eventId": call, "organizationId": a1, "title": title, "ownerId": gid(NodeKind::User, w.members[1].0.id) });
    let first = w
        .mutate(
            &w.members[1],
            "createActionItem",
            "CreateActionItemInput",
            "actionItem { id version }",
            item("Map the billing workflow"),
        )
        .await;
    w.mutate(
        &w.coach,
        "createActionItem",
        "CreateActionItemInput",
        "actionItem { id }",
        item("Share the referral form"),
    )
    .await;
    let payload = w
        .mutate(
            &w.members[1],
            "updateActionItem",
            "UpdateActionItemInput",
            "actionItem { isDone }",
            json!({ "id": first["actionItem"]["id"], "expectedVersion": 1, "done": true }),
        )
        .await;
    assert_eq!(payload["actionItem"]["isDone"], true, "{payload}");
    let payload = w
        .mutate(
            &w.peer,
            "createActionItem",
            "CreateActionItemInput",
            "actionItem { id }",
            item("Not ours"),
        )
        .await;
    assert_eq!(error_code(&payload), Some("FORBIDDEN"), "{payload}");

    let query = "query($call: ID!, $org: ID!, $cohort: ID!, $topic: ID!) {
        event(id: $call) {
            agenda notes presenters { name } discussionLeadOrganizations { name }
            breakoutGroups { totalCount } resources { nodes { title kind topics { slug } } }
            actionItems { totalCount }
        }
        organization(id: $org) { actionItems(done: false) { nodes { title owner { name } } } }
        cohort(id: $cohort) { resources(topicId: $topic) { totalCount } }
    }";
    let variables = json!({ "call": call, "org": a1, "cohort": gid(NodeKind::Cohort, w.a.id), "topic": billing });
    let body = w.send(&w.members[0], query, variables.clone()).await;
    let event = &body["data"]["event"];
    assert_eq!(
        event["agenda"], "Billing wins; warm handoff barriers",
        "{body}"
    );
    assert_eq!(event["presenters"], json!([{ "name": "Cal Coach" }]));
    assert_eq!(
        event["discussionLeadOrganizations"],
        json!([{ "name": "Acme Clinic" }])
    );
    assert_eq!(event["breakoutGroups"]["totalCount"], 1);
    assert_eq!(
        event["resources"]["nodes"][0]["topics"],
        json!([{ "slug": "billing" }])
    );
    assert_eq!(event["actionItems"]["totalCount"], 2);
    assert_eq!(
        body["data"]["organization"]["actionItems"]["nodes"],
        json!([{ "title": "Share the referral form", "owner": { "name": "Mo Member" } }])
    );
    assert_eq!(body["data"]["cohort"]["resources"]["totalCount"], 1);
    // Another organization of the cohort sees the call and its toolkit, not Acme's items.
    let body = w.send(&w.peer, query, variables.clone()).await;
    assert_eq!(
        body["data"]["event"]["actionItems"]["totalCount"], 0,
        "{body}"
    );
    assert_eq!(
        body["data"]["organization"]["actionItems"]["nodes"],
        json!([])
    );
    assert_eq!(body["data"]["cohort"]["resources"]["totalCount"], 1);
    // Another cohort sees none of it.
    let body = w.send(&w.outsider, query, variables).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    assert!(
        body["data"]["event"].is_null() && body["data"]["cohort"].is_null(),
        "{body}"
    );
}

#[tokio::test]
async fn a_groups_matching_run_becomes_the_breakout_groups_of_a_call() {
    use entity::matching_run::{self, MatchingMode, RunStatus};
    use entity::peer_match::MatchStatus;
    let w = World::new().await;
    let a2 = w.app.organization("Delta Health").await;
    w.app.enroll(&w.a, &a2).await;
    let a3 = w.app.organization("Eagle Clinic").await;
    w.app.enroll(&w.a, &a3).await;
    let orgs = [&w.a1, &a2, &a3];
    let run = w.app.matching_run(&w.a, &orgs, RunStatus::Published).await;
    let mut groups: matching_run::ActiveModel = run.into();
    groups.mode = Set(MatchingMode::Groups);
    let run = groups.update(&w.app.db).await.unwrap();
    w.app
        .peer_match(&run, &[&w.a1, &a2], MatchStatus::Active)
        .await;
    w.app.peer_match(&run, &[&a3], MatchStatus::Proposed).await;
    w.app
        .peer_match(&run, &[&a2, &a3], MatchStatus::Declined)
        .await;
    let call = w.create(json!({ "kind": "COACHING_CALL" })).await["event"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let input = json!({ "eventId": call, "runId": gid(NodeKind::MatchingRun, run.id) });
    let selection = "groups { name organizations { name } }";
    let payload = w
        .mutate(
            &w.coach,
            "createBreakoutGroupsFromRun",
            "CreateBreakoutGroupsFromRunInput",
            selection,
            input.clone(),
        )
        .await;
    assert_eq!(
        payload["groups"],
        json!([
            { "name": "Group 1", "organizations": [{ "name": "Acme Clinic" }, { "name": "Delta Health" }] },
            { "name": "Group 2", "organizations": [{ "name": "Eagle Clinic" }] },
        ]),
        "{payload}"
    );
    // Twice is refused: the call has its groups.
    let again = w
        .mutate(
            &w.coach,
            "createBreakoutGroupsFromRun",
            "CreateBreakoutGroupsFromRunInput",
            selection,
            input,
        )
        .await;
    assert_eq!(user_error_codes(&again), ["INVALID_STATE"], "{again}");
    // A pairs run does not form groups; a member may not run it.
    let pairs = w.app.matching_run(&w.a, &orgs, RunStatus::Draft).await;
    let call2 = w.create(json!({ "kind": "COACHING_CALL" })).await["event"]["id"].clone();
    let input = json!({ "eventId": call2, "runId": gid(NodeKind::MatchingRun, pairs.id) });
    let payload = w
        .mutate(
            &w.coach,
            "createBreakoutGroupsFromRun",
            "CreateBreakoutGroupsFromRunInput",
            selection,
            input.clone(),
        )
        .await;
    assert_eq!(user_error_codes(&payload), ["INVALID"], "{payload}");
    let payload = w
        .mutate(
            &w.members[0],
            "createBreakoutGroupsFromRun",
            "CreateBreakoutGroupsFromRunInput",
            selection,
            input,
        )
        .await;
    assert_eq!(error_code(&payload), Some("FORBIDDEN"), "{payload}");
}
