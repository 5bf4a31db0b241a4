use sea_orm_migration::prelude::*;

use crate::columns::{
    foreign_key, id, index, string, timestamp, timestamp_null, unique_index, uuid_ref,
};
use crate::m20261125_000001_create_user::User;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessToken::Table)
                    .col(id(AccessToken::Id))
                    .col(uuid_ref(AccessToken::UserId))
                    .col(string(AccessToken::Kind, 16))
                    .col(string(AccessToken::Name, 100))
                    .col(string(AccessToken::TokenHash, 64))
                    .col(timestamp_null(AccessToken::ExpiresAt))
                    .col(timestamp_null(AccessToken::LastUsedAt))
                    .col(timestamp_null(AccessToken::RevokedAt))
                    .col(timestamp(AccessToken::CreatedAt))
                    .col(timestamp(AccessToken::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_access_token_user",
                        (AccessToken::Table, AccessToken::UserId),
                        (User::Table, User::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_access_token_token_hash",
                AccessToken::Table,
                [AccessToken::TokenHash],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_access_token_user_id",
                AccessToken::Table,
                [AccessToken::UserId],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccessToken::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AccessToken {
    Table,
    Id,
    UserId,
    Kind,
    Name,
    TokenHash,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
    CreatedAt,
    UpdatedAt,
}
