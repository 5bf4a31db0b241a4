use sea_orm_migration::prelude::*;

use crate::columns::{id, string, timestamp, timestamp_null, uuid_ref};
use crate::m20261125_000004_create_organization::Organization;
use crate::m20261125_000006_create_cohort::Cohort;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Enrollment::Table)
                    .col(id(Enrollment::Id))
                    .col(uuid_ref(Enrollment::CohortId))
                    .col(uuid_ref(Enrollment::OrganizationId))
                    .col(string(Enrollment::Status, 16))
                    .col(timestamp_null(Enrollment::WithdrawnAt))
                    .col(timestamp(Enrollment::CreatedAt))
                    .col(timestamp(Enrollment::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrollment_cohort")
                            .from(Enrollment::Table, Enrollment::CohortId)
                            .to(Cohort::Table, Cohort::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrollment_organization")
                            .from(Enrollment::Table, Enrollment::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Also serves lookups by cohort, whose column leads it.
        manager
            .create_index(
                Index::create()
                    .name("ux_enrollment_cohort_organization")
                    .table(Enrollment::Table)
                    .col(Enrollment::CohortId)
                    .col(Enrollment::OrganizationId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_enrollment_organization_id")
                    .table(Enrollment::Table)
                    .col(Enrollment::OrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Enrollment::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Enrollment {
    Table,
    Id,
    CohortId,
    OrganizationId,
    Status,
    WithdrawnAt,
    CreatedAt,
    UpdatedAt,
}
