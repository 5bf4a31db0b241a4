use sea_orm_migration::prelude::*;

use crate::columns::{id, index, string, string_null, timestamp, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organization::Table)
                    .col(id(Organization::Id))
                    .col(string(Organization::Name, 200))
                    .col(string(Organization::Kind, 32))
                    .col(string_null(Organization::Region, 100))
                    .col(string_null(Organization::TimeZone, 64))
                    .col(version(Organization::Version))
                    .col(timestamp(Organization::CreatedAt))
                    .col(timestamp(Organization::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_organization_name",
                Organization::Table,
                [Organization::Name],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Organization::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Organization {
    Table,
    Id,
    Name,
    Kind,
    Region,
    TimeZone,
    Version,
    CreatedAt,
    UpdatedAt,
}
