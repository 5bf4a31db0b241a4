//! The binary reads `.env` from its working directory before parsing its flags.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::process::Command;

fn peerlearn(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_peerlearn"));
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn");
    command
}

#[test]
fn settings_come_from_dot_env_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("from-dotenv.db");
    std::fs::write(
        dir.path().join(".env"),
        format!(
            "# a comment\nDATABASE_URL=sqlite://{}?mode=rwc\n",
            database.display()
        ),
    )
    .unwrap();
    let output = peerlearn(dir.path())
        .args(["migrate", "up"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        database.exists(),
        "the database named in .env was not created"
    );
}

#[test]
fn the_environment_wins_over_dot_env() {
    let dir = tempfile::tempdir().unwrap();
    let ignored = dir.path().join("ignored.db");
    let used = dir.path().join("used.db");
    std::fs::write(
        dir.path().join(".env"),
        format!("DATABASE_URL=sqlite://{}?mode=rwc\n", ignored.display()),
    )
    .unwrap();
    let output = peerlearn(dir.path())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", used.display()),
        )
        .args(["migrate", "up"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(used.exists() && !ignored.exists());
}

#[test]
fn a_malformed_dot_env_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "DATABASE_URL='unterminated\n").unwrap();
    let output = peerlearn(dir.path())
        .args(["migrate", "status"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(".env"), "{stderr}");
}
