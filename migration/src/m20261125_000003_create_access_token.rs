use sea_orm_migration::prelude::*;

use crate::columns::{id, string, timestamp, timestamp_null, uuid_ref};
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
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_token_user")
                            .from(AccessToken::Table, AccessToken::UserId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_access_token_token_hash")
                    .table(AccessToken::Table)
                    .col(AccessToken::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_token_user_id")
                    .table(AccessToken::Table)
                    .col(AccessToken::UserId)
                    .to_owned(),
            )
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
