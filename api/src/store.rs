//! Data-access helpers shared by the domain services.

use sea_orm::sea_query::{Expr, ExprTrait as _, ValueType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ModelTrait,
    QueryFilter, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use crate::error::ApiError;

/// The row of `E` whose `key` is `id` if it lies inside `scope`, else `NOT_FOUND` naming
/// `what`: an object the viewer may not see is indistinguishable from one that does not exist.
pub async fn find_in_scope<E: EntityTrait>(
    db: &impl ConnectionTrait,
    key: E::Column,
    id: impl Into<sea_orm::Value>,
    scope: Condition,
    what: &'static str,
) -> Result<E::Model, ApiError> {
    E::find()
        .filter(key.eq(id))
        .filter(scope)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound(what))
}

/// Applies `changes` to the row `id` only if its version is still `expected_version`, bumping
/// the version in the same statement, and returns the updated row. A stale version is a
/// `CONFLICT` carrying the current one.
pub async fn update_versioned<E, A>(
    db: &impl ConnectionTrait,
    key: E::Column,
    version: E::Column,
    id: Uuid,
    expected_version: i32,
    changes: A,
    what: &'static str,
) -> Result<E::Model, ApiError>
where
    E: EntityTrait<ActiveModel = A>,
    A: ActiveModelTrait<Entity = E> + Send,
{
    let updated = E::update_many()
        .set(changes)
        .col_expr(version, Expr::col((E::default(), version)).add(1))
        .filter(key.eq(id))
        .filter(version.eq(expected_version))
        .exec(db)
        .await?;
    let current = E::find()
        .filter(key.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound(what))?;
    if updated.rows_affected == 0 {
        let current_version = <i32 as ValueType>::try_from(current.get(version))
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("{what} has no integer version")))?;
        return Err(ApiError::Conflict {
            entity: what,
            current_version,
        });
    }
    Ok(current)
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), so concurrent writers queue for the busy timeout instead of failing when a
/// transaction that read first tries to write; on PostgreSQL it is a plain transaction.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Takes the write lock on the row `id` of `E` for the rest of the transaction `txn`, with a
/// write that changes nothing: other transactions that lock the same row wait for this one to
/// end. Concurrent check-then-write sequences on one aggregate (an organization and its leads)
/// lock its root row first and so run one after the other. (On SQLite, [`begin_write`]
/// already serialises writers.)
pub async fn lock_row<E: EntityTrait>(
    txn: &impl ConnectionTrait,
    key: E::Column,
    id: Uuid,
) -> Result<(), ApiError> {
    E::update_many()
        .col_expr(key, Expr::col((E::default(), key)))
        .filter(key.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}
