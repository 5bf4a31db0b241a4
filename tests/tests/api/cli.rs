//! The binary's subcommands, run through the same entry point as `main`.

use clap::Parser as _;
use entity::user::UserRole;
use peerlearn::config::Cli;
use sea_orm::{ColumnTrait, Database, EntityTrait, PaginatorTrait, QueryFilter};

fn run(args: &[&str]) -> std::process::ExitCode {
    let cli = Cli::try_parse_from(std::iter::once("peerlearn").chain(args.iter().copied()))
        .expect("valid arguments");
    peerlearn::cli::run(cli).expect("the command succeeds")
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display())
}

#[test]
fn token_create_makes_an_admin_on_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    for _ in 0..2 {
        run(&[
            "token",
            "create",
            "--database-url",
            &url,
            "--email",
            "First.Admin@Example.org",
            "--name",
            "First Admin",
            "--role",
            "admin",
            "--expires-in-days",
            "30",
        ]);
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = Database::connect(&url).await.unwrap();
        let users = entity::user::Entity::find().all(&db).await.unwrap();
        assert_eq!(users.len(), 1, "the second run reuses the user");
        assert_eq!(users[0].email.as_deref(), Some("first.admin@example.org"));
        assert_eq!(users[0].role, UserRole::Admin);
        let tokens = entity::access_token::Entity::find()
            .filter(entity::access_token::Column::UserId.eq(users[0].id))
            .all(&db)
            .await
            .unwrap();
        assert_eq!(tokens.len(), 2);
        assert!(
            tokens
                .iter()
                .all(|t| t.expires_at.is_some() && t.token_hash.len() == 64)
        );
        assert_eq!(entity::topic::Entity::find().count(&db).await.unwrap(), 0);
    });
}

#[test]
fn migrate_subcommands_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    run(&["migrate", "--database-url", &url, "up"]);
    run(&["migrate", "--database-url", &url, "down", "--all"]);
    run(&["migrate", "--database-url", &url, "status"]);
    run(&["migrate", "--database-url", &url, "up"]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = Database::connect(&url).await.unwrap();
        let status = peerlearn::db::migration_status(&db).await.unwrap();
        assert!(status.iter().all(|(_, applied)| *applied));
    });
}

#[test]
fn schema_check_passes_for_the_checked_in_schema_and_fails_on_drift() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    assert_eq!(
        run(&["schema", "--check", "--path", path]),
        std::process::ExitCode::SUCCESS
    );
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join("schema.graphql");
    std::fs::write(&stale, "type Query { stale: Int }\n").unwrap();
    assert_eq!(
        run(&["schema", "--check", "--path", stale.to_str().unwrap()]),
        std::process::ExitCode::FAILURE
    );
}

#[test]
fn bad_arguments_are_rejected_before_touching_anything() {
    for args in [
        vec!["serve", "--listen", "not-an-address"],
        vec!["serve", "--database-pool-size", "0"],
        vec!["token", "create", "--email", "a@b.c", "--role", "owner"],
        vec!["token", "create"],
    ] {
        let parsed = Cli::try_parse_from(std::iter::once("peerlearn").chain(args.iter().copied()));
        assert!(parsed.is_err(), "{args:?} should be rejected");
    }
}

#[test]
fn tokens_are_listed_and_revoked_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    run(&[
        "token",
        "create",
        "--database-url",
        &url,
        "--email",
        "script@example.org",
        "--token-name",
        "nightly export",
    ]);
    assert_eq!(
        run(&[
            "token",
            "list",
            "--database-url",
            &url,
            "--email",
            "script@example.org"
        ]),
        std::process::ExitCode::SUCCESS
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let token = runtime.block_on(async {
        let db = Database::connect(&url).await.unwrap();
        entity::access_token::Entity::find()
            .one(&db)
            .await
            .unwrap()
            .unwrap()
    });
    assert_eq!(token.name, "nightly export");
    assert!(token.revoked_at.is_none());
    run(&[
        "token",
        "revoke",
        "--database-url",
        &url,
        &token.id.to_string(),
    ]);
    let revoked = runtime.block_on(async {
        let db = Database::connect(&url).await.unwrap();
        entity::access_token::Entity::find_by_id(token.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap()
    });
    assert!(revoked.revoked_at.is_some());
    let unknown = Cli::try_parse_from([
        "peerlearn",
        "token",
        "revoke",
        "--database-url",
        &url,
        "not-a-uuid",
    ]);
    assert!(unknown.is_err());
}
