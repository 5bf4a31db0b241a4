use sea_orm_migration::prelude::*;

use crate::columns::{index, string_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(AccessToken::Table)
                    .add_column(ColumnDef::new(AccessToken::FamilyId).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AccessToken::Table)
                    .add_column(string_null(AccessToken::UserAgent, 300))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_access_token_family_id",
                AccessToken::Table,
                [AccessToken::FamilyId],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_access_token_family_id")
                    .table(AccessToken::Table)
                    .to_owned(),
            )
            .await?;
        for column in [AccessToken::UserAgent, AccessToken::FamilyId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AccessToken::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AccessToken {
    Table,
    FamilyId,
    UserAgent,
}
