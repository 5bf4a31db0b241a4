use sea_orm_migration::prelude::*;

use crate::columns::{boolean, id, string, string_null, timestamp, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(User::Table)
                    .col(id(User::Id))
                    .col(string(User::Name, 200))
                    .col(string_null(User::Email, 320))
                    .col(string(User::Role, 16))
                    .col(boolean(User::IsActive, true))
                    .col(timestamp(User::CreatedAt))
                    .col(timestamp(User::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("ux_user_email", User::Table, [User::Email]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(User::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum User {
    Table,
    Id,
    Name,
    Email,
    Role,
    IsActive,
    CreatedAt,
    UpdatedAt,
}
