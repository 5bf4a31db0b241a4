//! Migrations run up, down and up again on the test backend.

use peerlearn::db;
use peerlearn_tests::TestApp;

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let app = TestApp::spawn().await;
    let applied = db::migration_status(&app.db).await.unwrap();
    assert!(!applied.is_empty());
    assert!(applied.iter().all(|(_, applied)| *applied));

    db::migrate_down(&app.db, None).await.unwrap();
    let status = db::migration_status(&app.db).await.unwrap();
    assert!(status.iter().all(|(_, applied)| !applied), "{status:?}");

    db::migrate_up(&app.db).await.unwrap();
    let status = db::migration_status(&app.db).await.unwrap();
    assert!(status.iter().all(|(_, applied)| *applied), "{status:?}");
    // The schema works again after the round trip.
    app.organization("After the round trip").await;
    assert_eq!(app.count_rows("organization").await, 1);
}

#[tokio::test]
async fn migrating_twice_concurrently_is_safe() {
    let app = TestApp::spawn().await;
    db::migrate_down(&app.db, None).await.unwrap();
    let (a, b) = tokio::join!(db::migrate_up(&app.db), db::migrate_up(&app.db));
    // On PostgreSQL the advisory lock serialises the two; on SQLite the write lock does. The
    // second finds the work done: both succeed.
    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
    let status = db::migration_status(&app.db).await.unwrap();
    assert!(status.iter().all(|(_, applied)| *applied), "{status:?}");
}
