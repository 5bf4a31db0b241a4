//! The test harness: [`TestApp::spawn`] starts the real HTTP server on a fresh database and
//! small builders create fixtures.
//!
//! The suite runs on SQLite (a temporary file per test). Set `TEST_DATABASE_URL` to a
//! PostgreSQL server URL, for example `postgres://postgres@127.0.0.1:5432/postgres`, to run it
//! on PostgreSQL instead: each test then gets its own database, dropped afterwards.

#![expect(
    clippy::expect_used,
    reason = "test harness: a failed fixture should abort the test"
)]

use std::net::TcpListener;

use chrono::Utc;
use entity::cohort_staff::StaffRole;
use entity::enrollment::EnrollmentStatus;
use entity::membership::{MembershipRole, Profession};
use entity::organization::OrganizationKind;
use entity::user::UserRole;
use entity::{
    cohort, cohort_staff, enrollment, idempotency_key, identity, invitation, membership,
    organization, topic, user,
};
use peerlearn::auth::login::Auth;
use peerlearn::auth::settings::AuthSettings;
use peerlearn::config::{DatabaseArgs, Introspection};
use peerlearn::db::{self, StatementCounter};
use peerlearn::graphql::ids::{NodeKind, encode};
use peerlearn::http::{AppState, ServerOptions, serve};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, Set, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

pub use serde_json;

/// The environment variable that switches the suite to PostgreSQL.
pub const POSTGRES_ENV: &str = "TEST_DATABASE_URL";

/// A database that exists for one test.
enum TestDatabase {
    Sqlite(#[expect(dead_code, reason = "kept alive until the test ends")] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Self::Postgres { admin_url, name } = self {
            let admin_url = admin_url.clone();
            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            // Drop runs outside async code; a short-lived runtime on its own thread does it.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                runtime.block_on(async {
                    let admin = Database::connect(&admin_url).await.ok()?;
                    admin.execute_unprepared(&sql).await.ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
    }
}

/// Creates a fresh, empty database and returns its URL.
async fn fresh_database() -> (String, TestDatabase) {
    match std::env::var(POSTGRES_ENV) {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("peerlearn_test_{}", Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url)
                .await
                .expect("connect to the PostgreSQL server in TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create a test database");
            admin.close().await.expect("close the admin connection");
            let (base, _) = admin_url
                .rsplit_once('/')
                .expect("a URL with a database name");
            let url = format!("{base}/{name}");
            (url, TestDatabase::Postgres { admin_url, name })
        }
        _ => {
            let dir = tempfile::tempdir().expect("create a temporary folder");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            (url, TestDatabase::Sqlite(dir))
        }
    }
}

/// Database arguments as the binary would parse them, for `url`.
pub fn database_args(url: &str) -> DatabaseArgs {
    DatabaseArgs {
        database_url: url.to_owned(),
        database_pool_size: 5,
        database_acquire_timeout: 3,
    }
}

/// A running server on a fresh database.
pub struct TestApp {
    /// Base URL, for example `http://127.0.0.1:41234`.
    pub address: String,
    /// The server's connection pool.
    pub db: DatabaseConnection,
    /// Counts the SQL statements run through the server's pool.
    pub statements: StatementCounter,
    /// The database URL.
    pub database_url: String,
    /// An HTTP client.
    pub client: reqwest::Client,
    server: actix_web::dev::ServerHandle,
    _database: TestDatabase,
}

/// Options for [`TestApp::spawn_with`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Largest accepted body.
    pub max_body_bytes: usize,
    /// Sign-in settings; `public_url` defaults to the server's address.
    pub auth: AuthSettings,
    /// Who may introspect the schema.
    pub introspection: Introspection,
    /// How long a client may take to send a body.
    pub body_read_timeout: std::time::Duration,
    /// Whether `/graphiql` is served.
    pub graphiql: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
            auth: AuthSettings::default(),
            introspection: Introspection::Anyone,
            body_read_timeout: std::time::Duration::from_secs(10),
            graphiql: true,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command at once; the returned future only waits for completion.
        drop(self.server.stop(false));
    }
}

impl TestApp {
    /// Starts the server on a fresh, migrated database.
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    /// Starts the server with `options`.
    pub async fn spawn_with(options: Options) -> Self {
        let (database_url, database) = fresh_database().await;
        let (db, statements) = db::connect(&database_args(&database_url))
            .await
            .expect("connect to the test database");
        db::migrate_up(&db)
            .await
            .expect("migrate the test database");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let auth = Auth::new(options.auth, &address).expect("valid auth settings");
        let state = AppState::new(
            db.clone(),
            auth,
            ServerOptions {
                max_body_bytes: options.max_body_bytes,
                body_read_timeout: options.body_read_timeout,
                graphiql: options.graphiql,
                introspection: options.introspection,
            },
        );
        let server = serve(listener, state, 1).expect("start the server");
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            address,
            db,
            statements,
            database_url,
            client: reqwest::Client::new(),
            server: handle,
            _database: database,
        }
    }

    /// GETs `path` (for example `/healthz`) from the server.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("send the request")
    }

    /// The GraphQL endpoint.
    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.address)
    }

    /// POSTs a GraphQL request as `token` (anonymous if `None`) and returns the JSON body.
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.graphql_response(token, query, variables)
            .await
            .json()
            .await
            .expect("a JSON response body")
    }

    /// POSTs a GraphQL request and returns the raw response.
    pub async fn graphql_response(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.graphql_url())
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("send the request")
    }

    /// Runs `f` and returns how many SQL statements the server ran meanwhile.
    pub async fn count_statements<F: Future<Output = Value>>(&self, f: F) -> (u64, Value) {
        let before = self.statements.get();
        let value = f.await;
        (self.statements.get() - before, value)
    }

    /// Runs `f` and returns the SQL statements the server ran meanwhile.
    pub async fn record_statements<F: Future<Output = Value>>(&self, f: F) -> (Vec<String>, Value) {
        self.statements.start_recording();
        let value = f.await;
        (self.statements.stop_recording(), value)
    }

    /// Creates a user with a personal access token and returns both.
    pub async fn user(&self, name: &str, role: UserRole) -> (user::Model, String) {
        let now = Utc::now();
        let user = user::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name.to_owned()),
            email: Set(Some(format!("{}@example.org", Uuid::now_v7().simple()))),
            role: Set(role),
            is_active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert a user");
        let token = peerlearn::auth::token::create_personal_token(&self.db, user.id, "test", None)
            .await
            .expect("create a token")
            .secret;
        (user, token)
    }

    /// An administrator and their token.
    pub async fn admin(&self) -> (user::Model, String) {
        self.user("Ada Admin", UserRole::Admin).await
    }

    /// Creates an organization.
    pub async fn organization(&self, name: &str) -> organization::Model {
        let now = Utc::now();
        organization::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name.to_owned()),
            kind: Set(OrganizationKind::Clinic),
            region: Set(None),
            time_zone: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert an organization")
    }

    /// Makes `user` a member of `organization` with `role`.
    pub async fn member(
        &self,
        organization: &organization::Model,
        user: &user::Model,
        role: MembershipRole,
    ) -> membership::Model {
        let now = Utc::now();
        membership::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(organization.id),
            user_id: Set(user.id),
            role: Set(role),
            profession: Set(Profession::Nurse),
            is_champion: Set(false),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert a membership")
    }

    /// Creates a cohort.
    pub async fn cohort(&self, slug: &str) -> cohort::Model {
        let now = Utc::now();
        cohort::ActiveModel {
            id: Set(Uuid::now_v7()),
            slug: Set(slug.to_owned()),
            name: Set(format!("Cohort {slug}")),
            description: Set(None),
            starts_on: Set(None),
            ends_on: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert a cohort")
    }

    /// Enrolls `organization` in `cohort`.
    pub async fn enroll(
        &self,
        cohort: &cohort::Model,
        organization: &organization::Model,
    ) -> enrollment::Model {
        let now = Utc::now();
        enrollment::ActiveModel {
            id: Set(Uuid::now_v7()),
            cohort_id: Set(cohort.id),
            organization_id: Set(organization.id),
            status: Set(EnrollmentStatus::Active),
            withdrawn_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert an enrollment")
    }

    /// Makes `user` staff of `cohort` with `role`.
    pub async fn staff(
        &self,
        cohort: &cohort::Model,
        user: &user::Model,
        role: StaffRole,
    ) -> cohort_staff::Model {
        let now = Utc::now();
        cohort_staff::ActiveModel {
            id: Set(Uuid::now_v7()),
            cohort_id: Set(cohort.id),
            user_id: Set(user.id),
            role: Set(role),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert a staff assignment")
    }

    /// Creates a topic.
    pub async fn topic(&self, slug: &str) -> topic::Model {
        let now = Utc::now();
        topic::ActiveModel {
            id: Set(Uuid::now_v7()),
            slug: Set(slug.to_owned()),
            name: Set(slug.replace('-', " ")),
            description: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert a topic")
    }

    /// Creates a planned milestone of `organization` in `cohort`, seen by `visibility`.
    pub async fn milestone(
        &self,
        cohort: &cohort::Model,
        organization: &organization::Model,
        title: &str,
        visibility: entity::milestone::MilestoneVisibility,
    ) -> entity::milestone::Model {
        use entity::milestone::{self, MilestoneStatus, ReviewState};
        let now = Utc::now();
        milestone::ActiveModel {
            id: Set(Uuid::now_v7()),
            cohort_id: Set(cohort.id),
            organization_id: Set(organization.id),
            title: Set(title.to_owned()),
            description: Set(None),
            status: Set(MilestoneStatus::Planned),
            target_on: Set(None),
            achieved_on: Set(None),
            visibility: Set(visibility),
            evidence: Set(json!([])),
            review_state: Set(ReviewState::Unreviewed),
            review_comment: Set(None),
            reviewed_by_id: Set(None),
            reviewed_at: Set(None),
            consented_by_id: Set(None),
            consented_at: Set(None),
            approved_by_id: Set(None),
            approved_at: Set(None),
            created_by_id: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert a milestone")
    }

    /// Puts `milestone` on the public showcase: achieved today, `PUBLIC`, consented and
    /// approved.
    pub async fn showcase(&self, milestone: entity::milestone::Model) -> entity::milestone::Model {
        use entity::milestone::{self, MilestoneStatus, MilestoneVisibility};
        let now = Utc::now();
        let mut active: milestone::ActiveModel = milestone.into();
        active.status = Set(MilestoneStatus::Achieved);
        active.achieved_on = Set(Some(now.date_naive()));
        active.visibility = Set(MilestoneVisibility::Public);
        active.consented_at = Set(Some(now));
        active.approved_at = Set(Some(now));
        active.update(&self.db).await.expect("showcase a milestone")
    }

    /// Schedules a one-hour webinar of `cohort` starting at `starts_at` (Denver time).
    pub async fn event(
        &self,
        cohort: &cohort::Model,
        title: &str,
        starts_at: chrono::DateTime<Utc>,
    ) -> entity::event::Model {
        use entity::event::{self, EventKind, EventStatus};
        let now = Utc::now();
        event::ActiveModel {
            id: Set(Uuid::now_v7()),
            cohort_id: Set(cohort.id),
            series_id: Set(None),
            kind: Set(EventKind::Webinar),
            title: Set(title.to_owned()),
            description: Set(None),
            starts_at: Set(starts_at),
            time_zone: Set("America/Denver".to_owned()),
            duration_minutes: Set(60),
            join_url: Set(Some("https://zoom.example.org/j/1".to_owned())),
            location: Set(None),
            capacity: Set(None),
            registration_deadline: Set(None),
            status: Set(EventStatus::Scheduled),
            host_organization_id: Set(None),
            agenda: Set(None),
            notes: Set(None),
            sequence: Set(0),
            created_by_id: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert an event")
    }

    /// Puts `user` on the list of `event` with `status`.
    pub async fn registration(
        &self,
        event: &entity::event::Model,
        user: &user::Model,
        status: entity::registration::RegistrationStatus,
    ) -> entity::registration::Model {
        let now = Utc::now();
        entity::registration::ActiveModel {
            id: Set(Uuid::now_v7()),
            event_id: Set(event.id),
            user_id: Set(user.id),
            status: Set(status),
            queued_at: Set(now),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert a registration")
    }

    /// Records a self-assessment of `organization`: `(topic, level, wants help)` per topic.
    pub async fn assessment(
        &self,
        organization: &organization::Model,
        ratings: &[(Uuid, i32, bool)],
    ) -> entity::assessment::Model {
        use entity::{assessment, assessment_rating};
        let now = Utc::now();
        let created = assessment::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(organization.id),
            submitted_by_id: Set(None),
            created_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert an assessment");
        for (topic, level, wants_help) in ratings {
            assessment_rating::ActiveModel {
                id: Set(Uuid::now_v7()),
                assessment_id: Set(created.id),
                topic_id: Set(*topic),
                level: Set(*level),
                wants_help: Set(*wants_help),
                created_at: Set(now),
            }
            .insert(&self.db)
            .await
            .expect("insert a rating");
        }
        created
    }

    /// Creates a PEER_PAIRS matching run of `cohort` over `organizations` (none of them
    /// assessed), with default parameters and no matches, in `status`.
    pub async fn matching_run(
        &self,
        cohort: &cohort::Model,
        organizations: &[&organization::Model],
        status: entity::matching_run::RunStatus,
    ) -> entity::matching_run::Model {
        use entity::matching_run::{self, MatchingMode, RunStatus};
        use peerlearn::matching::service::{RunInput, RunParameters};
        use peerlearn_matching::{Mode, Org, Params, Problem, Weights};
        let now = Utc::now();
        let parameters = RunParameters {
            weights: Weights::default(),
            candidates_limit: None,
            group_size: 4,
            top_needs: 3,
            seed: 0,
            topic_focus: Vec::new(),
            mentors: Vec::new(),
            exclusions: Vec::new(),
        };
        let input = RunInput {
            organizations: organizations.iter().map(|o| o.id).collect(),
            topics: Vec::new(),
            problem: Problem {
                orgs: organizations.iter().map(|_| Org::default()).collect(),
                exclusions: Vec::new(),
                history: Vec::new(),
            },
            params: Params {
                weights: Weights::default(),
                mode: Mode::PeerPairs {
                    candidates_per_org: None,
                },
            },
        };
        matching_run::ActiveModel {
            id: Set(Uuid::now_v7()),
            cohort_id: Set(cohort.id),
            mode: Set(MatchingMode::PeerPairs),
            status: Set(status),
            parameters: Set(serde_json::to_value(parameters).expect("parameters as JSON")),
            problem: Set(serde_json::to_value(input).expect("input as JSON")),
            unmatched: Set(json!([])),
            total_score: Set(0),
            created_by_id: Set(None),
            published_at: Set((status == RunStatus::Published).then_some(now)),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert a matching run")
    }

    /// Adds a match of `organizations` (as peers) to `run`, in `status`, published with the
    /// run. The participants of an active or completed match have accepted it.
    pub async fn peer_match(
        &self,
        run: &entity::matching_run::Model,
        organizations: &[&organization::Model],
        status: entity::peer_match::MatchStatus,
    ) -> entity::peer_match::Model {
        use entity::match_participant::{self, ParticipantResponse, ParticipantRole};
        use entity::peer_match::{self, MatchStatus};
        let now = Utc::now();
        let accepted = matches!(status, MatchStatus::Active | MatchStatus::Completed);
        let created = peer_match::ActiveModel {
            id: Set(Uuid::now_v7()),
            run_id: Set(run.id),
            cohort_id: Set(run.cohort_id),
            score: Set(100),
            explanation: Set(json!([])),
            status: Set(status),
            is_manual: Set(false),
            published_at: Set(run.published_at),
            activated_at: Set(accepted.then_some(now)),
            completed_at: Set((status == MatchStatus::Completed).then_some(now)),
            last_contact_on: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert a match");
        for organization in organizations {
            match_participant::ActiveModel {
                id: Set(Uuid::now_v7()),
                match_id: Set(created.id),
                organization_id: Set(organization.id),
                role: Set(ParticipantRole::Peer),
                response: Set(if accepted {
                    ParticipantResponse::Accepted
                } else {
                    ParticipantResponse::Pending
                }),
                decline_reason: Set(None),
                responded_by_id: Set(None),
                responded_at: Set(accepted.then_some(now)),
                created_at: Set(now),
            }
            .insert(&self.db)
            .await
            .expect("insert a participant");
        }
        created
    }

    /// Counts the rows of `table` (for "nothing changed" assertions).
    pub async fn count_rows(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM \"{table}\""),
            ))
            .await
            .expect("count rows")
            .expect("a count row");
        row.try_get::<i64>("", "n").expect("an integer count")
    }
}

/// The global ID of a row.
pub fn gid(kind: NodeKind, id: Uuid) -> String {
    encode(kind, id).0
}

/// The `extensions.code` of the first error of a response, if any.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// The codes of a payload's `userErrors`.
pub fn user_error_codes(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every row of `E`, ordered by its primary key `id`, as JSON.
async fn all_rows<E: sea_orm::EntityTrait>(
    db: &sea_orm::DatabaseConnection,
    id: E::Column,
) -> Value {
    use sea_orm::QueryOrder as _;
    Value::Array(
        E::find()
            .order_by_asc(id)
            .into_json()
            .all(db)
            .await
            .expect("read a table for a snapshot"),
    )
}

impl TestApp {
    /// Every row of the tables a request may write (users, organizations, memberships, cohorts,
    /// enrollments, cohort staff, topics, invitations, identities, idempotency keys, milestones
    /// and what hangs off them, assessments, matching runs and matches) as JSON, ordered by
    /// id: compare two snapshots to assert that a request changed nothing. Access tokens are
    /// left out because reads record when a token was last used; count them with
    /// [`TestApp::count_rows`].
    pub async fn snapshot(&self) -> Value {
        use entity::{
            assessment, assessment_rating, match_contact, match_feedback, match_participant,
            matching_run, milestone, milestone_change, milestone_comment, milestone_credit,
            milestone_kudos, milestone_progress, milestone_topic, peer_match,
        };
        let db = &self.db;
        json!({
            "user": all_rows::<user::Entity>(db, user::Column::Id).await,
            "organization": all_rows::<organization::Entity>(db, organization::Column::Id).await,
            "membership": all_rows::<membership::Entity>(db, membership::Column::Id).await,
            "cohort": all_rows::<cohort::Entity>(db, cohort::Column::Id).await,
            "enrollment": all_rows::<enrollment::Entity>(db, enrollment::Column::Id).await,
            "cohort_staff": all_rows::<cohort_staff::Entity>(db, cohort_staff::Column::Id).await,
            "topic": all_rows::<topic::Entity>(db, topic::Column::Id).await,
            "invitation": all_rows::<invitation::Entity>(db, invitation::Column::Id).await,
            "identity": all_rows::<identity::Entity>(db, identity::Column::Id).await,
            "idempotency_key":
                all_rows::<idempotency_key::Entity>(db, idempotency_key::Column::Id).await,
            "milestone": all_rows::<milestone::Entity>(db, milestone::Column::Id).await,
            "milestone_topic":
                all_rows::<milestone_topic::Entity>(db, milestone_topic::Column::Id).await,
            "milestone_credit":
                all_rows::<milestone_credit::Entity>(db, milestone_credit::Column::Id).await,
            "milestone_kudos":
                all_rows::<milestone_kudos::Entity>(db, milestone_kudos::Column::Id).await,
            "milestone_comment":
                all_rows::<milestone_comment::Entity>(db, milestone_comment::Column::Id).await,
            "milestone_progress":
                all_rows::<milestone_progress::Entity>(db, milestone_progress::Column::Id).await,
            "milestone_change":
                all_rows::<milestone_change::Entity>(db, milestone_change::Column::Id).await,
            "assessment": all_rows::<assessment::Entity>(db, assessment::Column::Id).await,
            "assessment_rating":
                all_rows::<assessment_rating::Entity>(db, assessment_rating::Column::Id).await,
            "matching_run": all_rows::<matching_run::Entity>(db, matching_run::Column::Id).await,
            "peer_match": all_rows::<peer_match::Entity>(db, peer_match::Column::Id).await,
            "match_participant":
                all_rows::<match_participant::Entity>(db, match_participant::Column::Id).await,
            "match_contact":
                all_rows::<match_contact::Entity>(db, match_contact::Column::Id).await,
            "match_feedback":
                all_rows::<match_feedback::Entity>(db, match_feedback::Column::Id).await,
        })
    }
}
