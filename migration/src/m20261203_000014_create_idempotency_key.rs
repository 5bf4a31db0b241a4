use sea_orm_migration::prelude::*;

use crate::columns::{foreign_key, id, index, string, timestamp, unique_index, uuid_ref};
use crate::m20261125_000001_create_user::User;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(id(IdempotencyKey::Id))
                    .col(uuid_ref(IdempotencyKey::UserId))
                    .col(string(IdempotencyKey::Operation, 100))
                    .col(string(IdempotencyKey::Key, 255))
                    .col(string(IdempotencyKey::Fingerprint, 64))
                    .col(ColumnDef::new(IdempotencyKey::ResultId).uuid().null())
                    .col(timestamp(IdempotencyKey::CreatedAt))
                    .col(timestamp(IdempotencyKey::ExpiresAt))
                    .foreign_key(&mut foreign_key(
                        "fk_idempotency_key_user",
                        (IdempotencyKey::Table, IdempotencyKey::UserId),
                        (User::Table, User::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_idempotency_key_user_operation_key",
                IdempotencyKey::Table,
                [
                    IdempotencyKey::UserId,
                    IdempotencyKey::Operation,
                    IdempotencyKey::Key,
                ],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_idempotency_key_expires_at",
                IdempotencyKey::Table,
                [IdempotencyKey::ExpiresAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKey::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Id,
    UserId,
    Operation,
    Key,
    Fingerprint,
    ResultId,
    CreatedAt,
    ExpiresAt,
}
