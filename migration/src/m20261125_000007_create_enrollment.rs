use sea_orm_migration::prelude::*;

use crate::columns::{
    foreign_key, id, index, string, timestamp, timestamp_null, unique_index, uuid_ref,
};
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
                    .foreign_key(&mut foreign_key(
                        "fk_enrollment_cohort",
                        (Enrollment::Table, Enrollment::CohortId),
                        (Cohort::Table, Cohort::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_enrollment_organization",
                        (Enrollment::Table, Enrollment::OrganizationId),
                        (Organization::Table, Organization::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // Also serves lookups by cohort, whose column leads it.
        manager
            .create_index(unique_index(
                "ux_enrollment_cohort_organization",
                Enrollment::Table,
                [Enrollment::CohortId, Enrollment::OrganizationId],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_enrollment_organization_id",
                Enrollment::Table,
                [Enrollment::OrganizationId],
            ))
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
