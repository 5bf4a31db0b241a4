use sea_orm_migration::prelude::*;

use crate::columns::{id, string, timestamp, uuid_ref};
use crate::m20261125_000001_create_user::User;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuthCode::Table)
                    .col(id(AuthCode::Id))
                    .col(string(AuthCode::CodeHash, 64))
                    .col(uuid_ref(AuthCode::UserId))
                    .col(string(AuthCode::RedirectUri, 2000))
                    .col(string(AuthCode::CodeChallenge, 128))
                    .col(timestamp(AuthCode::ExpiresAt))
                    .col(timestamp(AuthCode::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_auth_code_user")
                            .from(AuthCode::Table, AuthCode::UserId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_auth_code_code_hash")
                    .table(AuthCode::Table)
                    .col(AuthCode::CodeHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_auth_code_user_id")
                    .table(AuthCode::Table)
                    .col(AuthCode::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuthCode::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuthCode {
    Table,
    Id,
    CodeHash,
    UserId,
    RedirectUri,
    CodeChallenge,
    ExpiresAt,
    CreatedAt,
}
