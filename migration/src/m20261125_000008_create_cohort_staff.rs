use sea_orm_migration::prelude::*;

use crate::columns::{id, string, timestamp, uuid_ref};
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
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohort_staff_cohort")
                            .from(CohortStaff::Table, CohortStaff::CohortId)
                            .to(Cohort::Table, Cohort::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohort_staff_user")
                            .from(CohortStaff::Table, CohortStaff::UserId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Also serves lookups by cohort, whose column leads it.
        manager
            .create_index(
                Index::create()
                    .name("ux_cohort_staff_cohort_user")
                    .table(CohortStaff::Table)
                    .col(CohortStaff::CohortId)
                    .col(CohortStaff::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_cohort_staff_user_id")
                    .table(CohortStaff::Table)
                    .col(CohortStaff::UserId)
                    .to_owned(),
            )
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
