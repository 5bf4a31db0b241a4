use sea_orm_migration::prelude::*;

use crate::columns::{
    boolean, foreign_key, id, index, string, string_null, timestamp, unique_index, uuid_ref,
};
use crate::m20261125_000001_create_user::User;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Identity::Table)
                    .col(id(Identity::Id))
                    .col(uuid_ref(Identity::UserId))
                    .col(string(Identity::Issuer, 500))
                    .col(string(Identity::Subject, 255))
                    .col(string_null(Identity::Email, 320))
                    .col(boolean(Identity::EmailVerified, false))
                    .col(timestamp(Identity::CreatedAt))
                    .col(timestamp(Identity::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_identity_user",
                        (Identity::Table, Identity::UserId),
                        (User::Table, User::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_identity_issuer_subject",
                Identity::Table,
                [Identity::Issuer, Identity::Subject],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_identity_user_id",
                Identity::Table,
                [Identity::UserId],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Identity::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Identity {
    Table,
    Id,
    UserId,
    Issuer,
    Subject,
    Email,
    EmailVerified,
    CreatedAt,
    UpdatedAt,
}
