use sea_orm_migration::prelude::*;

use crate::columns::{
    foreign_key, id, index, string, timestamp, timestamp_null, unique_index, uuid_ref, version,
};
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
                    .table(Milestone::Table)
                    .col(id(Milestone::Id))
                    .col(uuid_ref(Milestone::CohortId))
                    .col(uuid_ref(Milestone::OrganizationId))
                    .col(string(Milestone::Title, 200))
                    .col(ColumnDef::new(Milestone::Description).text().null())
                    .col(string(Milestone::Status, 16))
                    .col(ColumnDef::new(Milestone::TargetOn).date().null())
                    .col(ColumnDef::new(Milestone::AchievedOn).date().null())
                    .col(string(Milestone::Visibility, 16))
                    .col(ColumnDef::new(Milestone::Evidence).json().not_null())
                    .col(string(Milestone::ReviewState, 24))
                    .col(ColumnDef::new(Milestone::ReviewComment).text().null())
                    .col(ColumnDef::new(Milestone::ReviewedById).uuid().null())
                    .col(timestamp_null(Milestone::ReviewedAt))
                    .col(ColumnDef::new(Milestone::ConsentedById).uuid().null())
                    .col(timestamp_null(Milestone::ConsentedAt))
                    .col(ColumnDef::new(Milestone::ApprovedById).uuid().null())
                    .col(timestamp_null(Milestone::ApprovedAt))
                    .col(ColumnDef::new(Milestone::CreatedById).uuid().null())
                    .col(version(Milestone::Version))
                    .col(timestamp(Milestone::CreatedAt))
                    .col(timestamp(Milestone::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_milestone_cohort",
                        (Milestone::Table, Milestone::CohortId),
                        (Cohort::Table, Cohort::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_milestone_organization",
                        (Milestone::Table, Milestone::OrganizationId),
                        (Organization::Table, Organization::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_milestone_reviewed_by",
                        (Milestone::Table, Milestone::ReviewedById),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_milestone_consented_by",
                        (Milestone::Table, Milestone::ConsentedById),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_milestone_approved_by",
                        (Milestone::Table, Milestone::ApprovedById),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_milestone_created_by",
                        (Milestone::Table, Milestone::CreatedById),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // The feeds of a cohort, newest update or achievement first; the showcase, newest
        // achievement first.
        let indexes = [
            index(
                "ix_milestone_cohort_updated",
                Milestone::Table,
                [Milestone::CohortId, Milestone::UpdatedAt],
            ),
            index(
                "ix_milestone_cohort_achieved",
                Milestone::Table,
                [Milestone::CohortId, Milestone::AchievedOn],
            ),
            index(
                "ix_milestone_organization_id",
                Milestone::Table,
                [Milestone::OrganizationId],
            ),
            index(
                "ix_milestone_showcase",
                Milestone::Table,
                [Milestone::Visibility, Milestone::AchievedOn],
            ),
            index(
                "ix_milestone_reviewed_by_id",
                Milestone::Table,
                [Milestone::ReviewedById],
            ),
            index(
                "ix_milestone_consented_by_id",
                Milestone::Table,
                [Milestone::ConsentedById],
            ),
            index(
                "ix_milestone_approved_by_id",
                Milestone::Table,
                [Milestone::ApprovedById],
            ),
            index(
                "ix_milestone_created_by_id",
                Milestone::Table,
                [Milestone::CreatedById],
            ),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        // Topics, credits and kudos: one row per (milestone, other) pair.
        for (table, other, other_table, on_delete) in [
            (
                Child::MilestoneTopic,
                Child::TopicId,
                Child::Topic,
                ForeignKeyAction::Cascade,
            ),
            (
                Child::MilestoneCredit,
                Child::UserId,
                Child::User,
                ForeignKeyAction::Cascade,
            ),
            (
                Child::MilestoneKudos,
                Child::UserId,
                Child::User,
                ForeignKeyAction::Cascade,
            ),
        ] {
            let name = table.to_string();
            let other_name = other.to_string();
            manager
                .create_table(
                    Table::create()
                        .table(table)
                        .col(id(Child::Id))
                        .col(uuid_ref(Child::MilestoneId))
                        .col(uuid_ref(other))
                        .col(timestamp(Child::CreatedAt))
                        .foreign_key(&mut foreign_key(
                            &format!("fk_{name}_milestone"),
                            (table, Child::MilestoneId),
                            (Milestone::Table, Milestone::Id),
                            ForeignKeyAction::Cascade,
                        ))
                        .foreign_key(&mut foreign_key(
                            &format!("fk_{name}_{}", other_name.trim_end_matches("_id")),
                            (table, other),
                            (other_table, Child::Id),
                            on_delete,
                        ))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(unique_index(
                    &format!("ux_{name}_milestone_{other_name}"),
                    table,
                    [Child::MilestoneId, other],
                ))
                .await?;
            manager
                .create_index(index(&format!("ix_{name}_{other_name}"), table, [other]))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Child::MilestoneComment)
                    .col(id(Child::Id))
                    .col(uuid_ref(Child::MilestoneId))
                    .col(ColumnDef::new(Child::AuthorId).uuid().null())
                    .col(ColumnDef::new(Child::Body).text().not_null())
                    .col(timestamp(Child::CreatedAt))
                    .col(timestamp(Child::UpdatedAt))
                    .foreign_key(&mut child_of_milestone("milestone_comment"))
                    .foreign_key(&mut author_of(Child::MilestoneComment, "milestone_comment"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Child::MilestoneProgress)
                    .col(id(Child::Id))
                    .col(uuid_ref(Child::MilestoneId))
                    .col(ColumnDef::new(Child::AuthorId).uuid().null())
                    .col(ColumnDef::new(Child::OccurredOn).date().not_null())
                    .col(ColumnDef::new(Child::Note).text().not_null())
                    .col(ColumnDef::new(Child::StatusBefore).string_len(16).null())
                    .col(ColumnDef::new(Child::StatusAfter).string_len(16).null())
                    .col(timestamp(Child::CreatedAt))
                    .foreign_key(&mut child_of_milestone("milestone_progress"))
                    .foreign_key(&mut author_of(
                        Child::MilestoneProgress,
                        "milestone_progress",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Child::MilestoneChange)
                    .col(id(Child::Id))
                    .col(uuid_ref(Child::MilestoneId))
                    .col(ColumnDef::new(Child::ActorId).uuid().null())
                    .col(string(Child::Kind, 24))
                    .col(ColumnDef::new(Child::Before).text().null())
                    .col(ColumnDef::new(Child::After).text().null())
                    .col(ColumnDef::new(Child::Comment).text().null())
                    .col(timestamp(Child::CreatedAt))
                    .foreign_key(&mut child_of_milestone("milestone_change"))
                    .foreign_key(&mut foreign_key(
                        "fk_milestone_change_actor",
                        (Child::MilestoneChange, Child::ActorId),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_milestone_comment_milestone_id",
                Child::MilestoneComment,
                Child::MilestoneId,
            ),
            (
                "ix_milestone_comment_author_id",
                Child::MilestoneComment,
                Child::AuthorId,
            ),
            (
                "ix_milestone_progress_milestone_id",
                Child::MilestoneProgress,
                Child::MilestoneId,
            ),
            (
                "ix_milestone_progress_author_id",
                Child::MilestoneProgress,
                Child::AuthorId,
            ),
            (
                "ix_milestone_change_milestone_id",
                Child::MilestoneChange,
                Child::MilestoneId,
            ),
            (
                "ix_milestone_change_actor_id",
                Child::MilestoneChange,
                Child::ActorId,
            ),
        ] {
            manager.create_index(index(name, table, [column])).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Child::MilestoneChange,
            Child::MilestoneProgress,
            Child::MilestoneComment,
            Child::MilestoneKudos,
            Child::MilestoneCredit,
            Child::MilestoneTopic,
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Milestone::Table).to_owned())
            .await
    }
}

/// The foreign key from `table.milestone_id` to the milestone, deleted with it.
fn child_of_milestone(table: &str) -> ForeignKeyCreateStatement {
    foreign_key(
        &format!("fk_{table}_milestone"),
        (Alias::new(table), Child::MilestoneId),
        (Milestone::Table, Milestone::Id),
        ForeignKeyAction::Cascade,
    )
}

/// The foreign key from `table.author_id` to the user, kept as `NULL` when the user goes.
fn author_of(table: Child, name: &str) -> ForeignKeyCreateStatement {
    foreign_key(
        &format!("fk_{name}_author"),
        (table, Child::AuthorId),
        (User::Table, User::Id),
        ForeignKeyAction::SetNull,
    )
}

#[derive(DeriveIden)]
enum Milestone {
    Table,
    Id,
    CohortId,
    OrganizationId,
    Title,
    Description,
    Status,
    TargetOn,
    AchievedOn,
    Visibility,
    Evidence,
    ReviewState,
    ReviewComment,
    ReviewedById,
    ReviewedAt,
    ConsentedById,
    ConsentedAt,
    ApprovedById,
    ApprovedAt,
    CreatedById,
    Version,
    CreatedAt,
    UpdatedAt,
}

/// The tables that hang off a milestone, and their columns.
#[derive(DeriveIden, Clone, Copy)]
enum Child {
    MilestoneTopic,
    MilestoneCredit,
    MilestoneKudos,
    MilestoneComment,
    MilestoneProgress,
    MilestoneChange,
    Topic,
    User,
    Id,
    MilestoneId,
    TopicId,
    UserId,
    AuthorId,
    ActorId,
    Body,
    OccurredOn,
    Note,
    StatusBefore,
    StatusAfter,
    Kind,
    Before,
    After,
    Comment,
    CreatedAt,
    UpdatedAt,
}
