use sea_orm_migration::prelude::*;

use crate::columns::{id, index, string, string_null, timestamp, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuthFlow::Table)
                    .col(id(AuthFlow::Id))
                    .col(string(AuthFlow::StateHash, 64))
                    .col(string(AuthFlow::Provider, 64))
                    .col(string(AuthFlow::PkceVerifier, 128))
                    .col(string(AuthFlow::Nonce, 128))
                    .col(string(AuthFlow::Client, 16))
                    .col(string_null(AuthFlow::ReturnTo, 2000))
                    .col(string_null(AuthFlow::AppRedirectUri, 2000))
                    .col(string_null(AuthFlow::AppCodeChallenge, 128))
                    .col(string_null(AuthFlow::AppState, 500))
                    .col(timestamp(AuthFlow::ExpiresAt))
                    .col(timestamp(AuthFlow::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_auth_flow_state_hash",
                AuthFlow::Table,
                [AuthFlow::StateHash],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_auth_flow_expires_at",
                AuthFlow::Table,
                [AuthFlow::ExpiresAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuthFlow::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuthFlow {
    Table,
    Id,
    StateHash,
    Provider,
    PkceVerifier,
    Nonce,
    Client,
    ReturnTo,
    AppRedirectUri,
    AppCodeChallenge,
    AppState,
    ExpiresAt,
    CreatedAt,
}
