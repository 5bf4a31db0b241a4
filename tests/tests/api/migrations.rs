//! Migrations run up, down and up again on the test backend, and the entities read the tables
//! they create.

use std::fmt::Debug;

use entity::membership::MembershipRole;
use entity::user::UserRole;
use entity::{Columns, FromColumns, membership, organization, user};
use peerlearn::db;
use peerlearn_tests::TestApp;
use sea_orm::sea_query::{Expr, ExprTrait as _, JoinType, SelectStatement};
use sea_orm::{
    ConnectionTrait as _, DatabaseConnection, EntityTrait, FromQueryResult, Iterable, QueryTrait,
};

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

/// Every row of `E`, decoded by position and by name, must agree.
async fn decodes_by_position_as_by_name<E>(db: &DatabaseConnection)
where
    E: EntityTrait,
    E::Model: FromColumns + PartialEq + Debug,
{
    let rows = db.query_all(&E::find().into_query()).await.unwrap();
    assert!(!rows.is_empty());
    for row in &rows {
        assert_eq!(
            E::Model::from_columns(row, 0).unwrap(),
            E::Model::from_query_result(row, "").unwrap()
        );
    }
}

/// Memberships with their user's columns after their own, the user joined on `on`.
fn memberships_with_users(on: sea_orm::sea_query::SimpleExpr) -> SelectStatement {
    let mut query = membership::Entity::find().into_query();
    query.join(JoinType::LeftJoin, user::Entity, on);
    for column in user::Column::iter() {
        query.expr(Expr::col((user::Entity, column)));
    }
    query
}

#[tokio::test]
async fn entities_decode_by_position_as_by_name() {
    let app = TestApp::spawn().await;
    let (member, _) = app.user("Member", UserRole::User).await;
    let organization = app.organization("Clinic").await;
    app.member(&organization, &member, MembershipRole::Lead)
        .await;
    decodes_by_position_as_by_name::<user::Entity>(&app.db).await;
    decodes_by_position_as_by_name::<organization::Entity>(&app.db).await;
    decodes_by_position_as_by_name::<membership::Entity>(&app.db).await;

    // A joined row decodes after the first entity's columns; a left join that found nothing
    // decodes as no row, not as an error.
    let found = memberships_with_users(
        Expr::col((membership::Entity, membership::Column::UserId))
            .equals((user::Entity, user::Column::Id)),
    );
    let rows = app.db.query_all(&found).await.unwrap();
    let joined =
        user::Model::from_some_columns_optional(&rows[0], membership::Model::WIDTH, Columns::ALL)
            .unwrap();
    assert_eq!(joined, Some(member));
    let missing = memberships_with_users(Expr::val(1).eq(0));
    let rows = app.db.query_all(&missing).await.unwrap();
    let joined =
        user::Model::from_some_columns_optional(&rows[0], membership::Model::WIDTH, Columns::ALL)
            .unwrap();
    assert_eq!(joined, None);
}
