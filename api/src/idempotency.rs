//! Idempotency keys: a create mutation that a client retries with the same key creates one
//! object, and the retry gets the first result.
//!
//! The key is claimed in the same transaction that creates the object, by inserting a row that
//! a unique index guards. A concurrent retry waits for that transaction (on PostgreSQL at the
//! index, on SQLite at the write lock) and then finds the key taken: with the same input it
//! returns the object the first request created; with another input it fails with
//! `IDEMPOTENCY_KEY_REUSED`. A request that fails (invalid input, say) rolls back its claim, so
//! a corrected retry may reuse the key. Keys expire after a day.

use chrono::{Duration, Utc};
use entity::idempotency_key;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::{ApiError, FieldErrorCode, is_unique_violation};
use crate::store::begin_write;
use crate::validate::has_control_characters;

/// How long a key holds: a retry within this time returns the first result.
pub const KEY_LIFETIME: Duration = Duration::hours(24);
/// Longest key, in characters.
pub const KEY_MAX: usize = 255;

/// A create request that its client may retry.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The mutation, for example `createOrganization`: keys are per user and mutation.
    pub operation: &'static str,
    /// The key the client sent, if any.
    pub key: Option<&'a str>,
    /// A digest of the request's input (see [`fingerprint`]).
    pub fingerprint: String,
}

/// The SHA-256 (hex) of a canonical rendering of a request's input.
pub fn fingerprint(canonical_input: &str) -> String {
    crate::auth::token::hash(canonical_input)
}

/// Runs `create` in a transaction, at most once per key: a retry with the same key and input
/// returns `replay(id)` of the object the first run created (`id_of` tells its id).
pub async fn once<M>(
    db: &DatabaseConnection,
    viewer: &Viewer,
    request: Request<'_>,
    id_of: fn(&M) -> Uuid,
    create: impl AsyncFnOnce(&DatabaseTransaction) -> Result<M, ApiError>,
    replay: impl AsyncFnOnce(Uuid) -> Result<M, ApiError>,
) -> Result<M, ApiError> {
    let actor = viewer.require()?;
    let Some(key) = request.key else {
        let txn = db.begin().await?;
        let created = create(&txn).await?;
        txn.commit().await?;
        return Ok(created);
    };
    if key.trim().is_empty() || key.chars().count() > KEY_MAX || has_control_characters(key) {
        return Err(ApiError::invalid(
            "idempotencyKey",
            FieldErrorCode::Invalid,
            format!(
                "must be 1 to {KEY_MAX} characters, not only spaces, without control characters"
            ),
        ));
    }
    let now = Utc::now();
    let txn = begin_write(db).await?;
    // Free this user's keys that have expired, so one of them can be claimed again.
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::UserId.eq(actor.user_id))
        .filter(idempotency_key::Column::ExpiresAt.lte(now))
        .exec(&txn)
        .await?;
    let claimed = idempotency_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(actor.user_id),
        operation: Set(request.operation.to_owned()),
        key: Set(key.to_owned()),
        fingerprint: Set(request.fingerprint.clone()),
        result_id: Set(None),
        created_at: Set(now),
        expires_at: Set(now + KEY_LIFETIME),
    }
    .insert(&txn)
    .await;
    let claim = match claimed {
        Ok(claim) => claim,
        Err(err) if is_unique_violation(&err) => {
            txn.rollback().await?;
            let first = idempotency_key::Entity::find()
                .filter(idempotency_key::Column::UserId.eq(actor.user_id))
                .filter(idempotency_key::Column::Operation.eq(request.operation))
                .filter(idempotency_key::Column::Key.eq(key))
                .one(db)
                .await?
                .ok_or_else(|| ApiError::from(err))?;
            if first.fingerprint != request.fingerprint {
                return Err(ApiError::IdempotencyKeyReused);
            }
            let id = first.result_id.ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "idempotency key committed without a result"
                ))
            })?;
            return replay(id).await;
        }
        Err(err) => return Err(err.into()),
    };
    let created = create(&txn).await?;
    let mut claim: idempotency_key::ActiveModel = claim.into();
    claim.result_id = Set(Some(id_of(&created)));
    claim.update(&txn).await?;
    txn.commit().await?;
    Ok(created)
}
