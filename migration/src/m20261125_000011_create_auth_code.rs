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
                    .table(AuthCode::Table)
                    .col(id(AuthCode::Id))
                    .col(string(AuthCode::CodeHash, 64))
                    .col(uuid_ref(AuthCode::UserId))
                    .col(string(AuthCode::RedirectUri, 2000))
                    .col(string(AuthCode::CodeChallenge, 128))
                    .col(timestamp(AuthCode::ExpiresAt))
                    .col(timestamp(AuthCode::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_auth_code_user",
                        (AuthCode::Table, AuthCode::UserId),
                        (User::Table, User::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_auth_code_code_hash",
                AuthCode::Table,
                [AuthCode::CodeHash],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_auth_code_user_id",
                AuthCode::Table,
                [AuthCode::UserId],
            ))
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
