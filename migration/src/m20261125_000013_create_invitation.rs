use sea_orm_migration::prelude::*;

use crate::columns::{foreign_key, id, index, string, string_null, timestamp, timestamp_null};
use crate::m20261125_000001_create_user::User;
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
                    .table(Invitation::Table)
                    .col(id(Invitation::Id))
                    .col(string(Invitation::Email, 320))
                    .col(ColumnDef::new(Invitation::OrganizationId).uuid().null())
                    .col(string_null(Invitation::MembershipRole, 16))
                    .col(string_null(Invitation::Profession, 40))
                    .col(ColumnDef::new(Invitation::CohortId).uuid().null())
                    .col(string_null(Invitation::StaffRole, 16))
                    .col(ColumnDef::new(Invitation::InvitedById).uuid().null())
                    .col(timestamp(Invitation::ExpiresAt))
                    .col(timestamp_null(Invitation::RevokedAt))
                    .col(timestamp_null(Invitation::RedeemedAt))
                    .col(ColumnDef::new(Invitation::RedeemedById).uuid().null())
                    .col(timestamp(Invitation::CreatedAt))
                    .col(timestamp(Invitation::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_invitation_organization",
                        (Invitation::Table, Invitation::OrganizationId),
                        (Organization::Table, Organization::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_invitation_cohort",
                        (Invitation::Table, Invitation::CohortId),
                        (Cohort::Table, Cohort::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_invitation_invited_by",
                        (Invitation::Table, Invitation::InvitedById),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_invitation_redeemed_by",
                        (Invitation::Table, Invitation::RedeemedById),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_invitation_email", Invitation::Email),
            ("ix_invitation_organization_id", Invitation::OrganizationId),
            ("ix_invitation_cohort_id", Invitation::CohortId),
            ("ix_invitation_invited_by_id", Invitation::InvitedById),
            ("ix_invitation_redeemed_by_id", Invitation::RedeemedById),
        ] {
            manager
                .create_index(index(name, Invitation::Table, [column]))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Invitation::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Invitation {
    Table,
    Id,
    Email,
    OrganizationId,
    MembershipRole,
    Profession,
    CohortId,
    StaffRole,
    InvitedById,
    ExpiresAt,
    RevokedAt,
    RedeemedAt,
    RedeemedById,
    CreatedAt,
    UpdatedAt,
}
