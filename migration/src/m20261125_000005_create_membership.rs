use sea_orm_migration::prelude::*;

use crate::columns::{
    boolean, foreign_key, id, index, string, timestamp, unique_index, uuid_ref, version,
};
use crate::m20261125_000001_create_user::User;
use crate::m20261125_000004_create_organization::Organization;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Membership::Table)
                    .col(id(Membership::Id))
                    .col(uuid_ref(Membership::OrganizationId))
                    .col(uuid_ref(Membership::UserId))
                    .col(string(Membership::Role, 16))
                    .col(string(Membership::Profession, 40))
                    .col(boolean(Membership::IsChampion, false))
                    .col(version(Membership::Version))
                    .col(timestamp(Membership::CreatedAt))
                    .col(timestamp(Membership::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_membership_organization",
                        (Membership::Table, Membership::OrganizationId),
                        (Organization::Table, Organization::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_membership_user",
                        (Membership::Table, Membership::UserId),
                        (User::Table, User::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // Also serves lookups by organization, whose column leads it.
        manager
            .create_index(unique_index(
                "ux_membership_organization_user",
                Membership::Table,
                [Membership::OrganizationId, Membership::UserId],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_membership_user_id",
                Membership::Table,
                [Membership::UserId],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Membership::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Membership {
    Table,
    Id,
    OrganizationId,
    UserId,
    Role,
    Profession,
    IsChampion,
    Version,
    CreatedAt,
    UpdatedAt,
}
