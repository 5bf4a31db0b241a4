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
                    .table(Topic::Table)
                    .col(id(Topic::Id))
                    .col(string(Topic::Slug, 64))
                    .col(string(Topic::Name, 200))
                    .col(ColumnDef::new(Topic::Description).text().null())
                    .col(version(Topic::Version))
                    .col(timestamp(Topic::CreatedAt))
                    .col(timestamp(Topic::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("ux_topic_slug", Topic::Table, [Topic::Slug]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Topic::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Topic {
    Table,
    Id,
    Slug,
    Name,
    Description,
    Version,
    CreatedAt,
    UpdatedAt,
}
