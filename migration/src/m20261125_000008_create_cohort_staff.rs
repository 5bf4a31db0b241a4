use sea_orm_migration::prelude::*;

use crate::columns::{foreign_key, id, index, string, timestamp, unique_index, uuid_ref};
use crate::m20261125_000001_create_user::User;
use crate::m20261125_000006_create_cohort::Cohort;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CohortStaff::Table)
                    .col(id(CohortStaff::Id))
                    .col(uuid_ref(CohortStaff::CohortId))
                    .col(uuid_ref(CohortStaff::UserId))
                    .col(string(CohortStaff::Role, 16))
                    .col(timestamp(CohortStaff::CreatedAt))
                    .col(timestamp(CohortStaff::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_cohort_staff_cohort",
                        (CohortStaff::Table, CohortStaff::CohortId),
                        (Cohort::Table, Cohort::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_cohort_staff_user",
                        (CohortStaff::Table, CohortStaff::UserId),
                        (User::Table, User::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // Also serves lookups by cohort, whose column leads it.
        manager
            .create_index(unique_index(
                "ux_cohort_staff_cohort_user",
                CohortStaff::Table,
                [CohortStaff::CohortId, CohortStaff::UserId],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_cohort_staff_user_id",
                CohortStaff::Table,
                [CohortStaff::UserId],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CohortStaff::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CohortStaff {
    Table,
    Id,
    CohortId,
    UserId,
    Role,
    CreatedAt,
    UpdatedAt,
}
