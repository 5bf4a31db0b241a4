use sea_orm_migration::prelude::*;

use crate::columns::{id, string, timestamp, unique_index, version};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Cohort::Table)
                    .col(id(Cohort::Id))
                    .col(string(Cohort::Slug, 64))
                    .col(string(Cohort::Name, 200))
                    .col(ColumnDef::new(Cohort::Description).text().null())
                    .col(ColumnDef::new(Cohort::StartsOn).date().null())
                    .col(ColumnDef::new(Cohort::EndsOn).date().null())
                    .col(version(Cohort::Version))
                    .col(timestamp(Cohort::CreatedAt))
                    .col(timestamp(Cohort::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_cohort_slug",
                Cohort::Table,
                [Cohort::Slug],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Cohort::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Cohort {
    Table,
    Id,
    Slug,
    Name,
    Description,
    StartsOn,
    EndsOn,
    Version,
    CreatedAt,
    UpdatedAt,
}
