use sea_orm_migration::prelude::*;

use crate::columns::{
    boolean, foreign_key, id, index, string, timestamp, timestamp_null, unique_index, uuid_ref,
    version,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(M::Assessment)
                    .col(id(M::Id))
                    .col(uuid_ref(M::OrganizationId))
                    .col(ColumnDef::new(M::SubmittedById).uuid().null())
                    .col(timestamp(M::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_assessment_organization",
                        (M::Assessment, M::OrganizationId),
                        (M::Organization, M::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_assessment_submitted_by",
                        (M::Assessment, M::SubmittedById),
                        (M::User, M::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(M::AssessmentRating)
                    .col(id(M::Id))
                    .col(uuid_ref(M::AssessmentId))
                    .col(uuid_ref(M::TopicId))
                    .col(ColumnDef::new(M::Level).integer().not_null())
                    .col(boolean(M::WantsHelp, false))
                    .col(timestamp(M::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_assessment_rating_assessment",
                        (M::AssessmentRating, M::AssessmentId),
                        (M::Assessment, M::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_assessment_rating_topic",
                        (M::AssessmentRating, M::TopicId),
                        (M::Topic, M::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(M::MatchingRun)
                    .col(id(M::Id))
                    .col(uuid_ref(M::CohortId))
                    .col(string(M::Mode, 16))
                    .col(string(M::Status, 16))
                    .col(ColumnDef::new(M::Parameters).json().not_null())
                    .col(ColumnDef::new(M::Problem).json().not_null())
                    .col(ColumnDef::new(M::Unmatched).json().not_null())
                    .col(ColumnDef::new(M::TotalScore).big_integer().not_null())
                    .col(ColumnDef::new(M::CreatedById).uuid().null())
                    .col(timestamp_null(M::PublishedAt))
                    .col(version(M::Version))
                    .col(timestamp(M::CreatedAt))
                    .col(timestamp(M::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_matching_run_cohort",
                        (M::MatchingRun, M::CohortId),
                        (M::Cohort, M::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_matching_run_created_by",
                        (M::MatchingRun, M::CreatedById),
                        (M::User, M::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(M::PeerMatch)
                    .col(id(M::Id))
                    .col(uuid_ref(M::RunId))
                    .col(uuid_ref(M::CohortId))
                    .col(ColumnDef::new(M::Score).big_integer().not_null())
                    .col(ColumnDef::new(M::Explanation).json().not_null())
                    .col(string(M::Status, 16))
                    .col(boolean(M::IsManual, false))
                    .col(timestamp_null(M::PublishedAt))
                    .col(timestamp_null(M::ActivatedAt))
                    .col(timestamp_null(M::CompletedAt))
                    .col(ColumnDef::new(M::LastContactOn).date().null())
                    .col(timestamp(M::CreatedAt))
                    .col(timestamp(M::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_peer_match_run",
                        (M::PeerMatch, M::RunId),
                        (M::MatchingRun, M::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_peer_match_cohort",
                        (M::PeerMatch, M::CohortId),
                        (M::Cohort, M::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(M::MatchParticipant)
                    .col(id(M::Id))
                    .col(uuid_ref(M::MatchId))
                    .col(uuid_ref(M::OrganizationId))
                    .col(string(M::Role, 8))
                    .col(string(M::Response, 16))
                    .col(ColumnDef::new(M::DeclineReason).text().null())
                    .col(ColumnDef::new(M::RespondedById).uuid().null())
                    .col(timestamp_null(M::RespondedAt))
                    .col(timestamp(M::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_match_participant_match",
                        (M::MatchParticipant, M::MatchId),
                        (M::PeerMatch, M::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_match_participant_organization",
                        (M::MatchParticipant, M::OrganizationId),
                        (M::Organization, M::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_match_participant_responded_by",
                        (M::MatchParticipant, M::RespondedById),
                        (M::User, M::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(M::MatchContact)
                    .col(id(M::Id))
                    .col(uuid_ref(M::MatchId))
                    .col(ColumnDef::new(M::AuthorId).uuid().null())
                    .col(ColumnDef::new(M::OccurredOn).date().not_null())
                    .col(ColumnDef::new(M::Note).text().not_null())
                    .col(timestamp(M::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_match_contact_match",
                        (M::MatchContact, M::MatchId),
                        (M::PeerMatch, M::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_match_contact_author",
                        (M::MatchContact, M::AuthorId),
                        (M::User, M::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(M::MatchFeedback)
                    .col(id(M::Id))
                    .col(uuid_ref(M::MatchId))
                    .col(uuid_ref(M::OrganizationId))
                    .col(ColumnDef::new(M::AuthorId).uuid().null())
                    .col(ColumnDef::new(M::Rating).integer().not_null())
                    .col(ColumnDef::new(M::Comment).text().null())
                    .col(timestamp(M::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_match_feedback_match",
                        (M::MatchFeedback, M::MatchId),
                        (M::PeerMatch, M::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_match_feedback_organization",
                        (M::MatchFeedback, M::OrganizationId),
                        (M::Organization, M::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_match_feedback_author",
                        (M::MatchFeedback, M::AuthorId),
                        (M::User, M::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        let indexes = [
            // An organization's assessments, newest first, and its latest one.
            index(
                "ix_assessment_organization_id",
                M::Assessment,
                [M::OrganizationId, M::Id],
            ),
            index(
                "ix_assessment_submitted_by_id",
                M::Assessment,
                [M::SubmittedById],
            ),
            unique_index(
                "ux_assessment_rating_assessment_topic",
                M::AssessmentRating,
                [M::AssessmentId, M::TopicId],
            ),
            index(
                "ix_assessment_rating_topic_id",
                M::AssessmentRating,
                [M::TopicId],
            ),
            index(
                "ix_matching_run_cohort_id",
                M::MatchingRun,
                [M::CohortId, M::Id],
            ),
            index(
                "ix_matching_run_created_by_id",
                M::MatchingRun,
                [M::CreatedById],
            ),
            index("ix_peer_match_run_id", M::PeerMatch, [M::RunId, M::Id]),
            // The match health of a cohort: its published matches by status.
            index(
                "ix_peer_match_cohort_status",
                M::PeerMatch,
                [M::CohortId, M::Status],
            ),
            unique_index(
                "ux_match_participant_match_organization",
                M::MatchParticipant,
                [M::MatchId, M::OrganizationId],
            ),
            index(
                "ix_match_participant_organization_id",
                M::MatchParticipant,
                [M::OrganizationId],
            ),
            index(
                "ix_match_participant_responded_by_id",
                M::MatchParticipant,
                [M::RespondedById],
            ),
            index("ix_match_contact_match_id", M::MatchContact, [M::MatchId]),
            index("ix_match_contact_author_id", M::MatchContact, [M::AuthorId]),
            unique_index(
                "ux_match_feedback_match_organization",
                M::MatchFeedback,
                [M::MatchId, M::OrganizationId],
            ),
            index(
                "ix_match_feedback_organization_id",
                M::MatchFeedback,
                [M::OrganizationId],
            ),
            index(
                "ix_match_feedback_author_id",
                M::MatchFeedback,
                [M::AuthorId],
            ),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            M::MatchFeedback,
            M::MatchContact,
            M::MatchParticipant,
            M::PeerMatch,
            M::MatchingRun,
            M::AssessmentRating,
            M::Assessment,
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The tables of self-assessments and matching, the tables they refer to, and their columns.
#[derive(DeriveIden, Clone, Copy)]
enum M {
    Assessment,
    AssessmentRating,
    MatchingRun,
    PeerMatch,
    MatchParticipant,
    MatchContact,
    MatchFeedback,
    Organization,
    Cohort,
    Topic,
    User,
    Id,
    OrganizationId,
    SubmittedById,
    AssessmentId,
    TopicId,
    Level,
    WantsHelp,
    CohortId,
    Mode,
    Status,
    Parameters,
    Problem,
    Unmatched,
    TotalScore,
    CreatedById,
    PublishedAt,
    Version,
    RunId,
    Score,
    Explanation,
    IsManual,
    ActivatedAt,
    CompletedAt,
    LastContactOn,
    MatchId,
    Role,
    Response,
    DeclineReason,
    RespondedById,
    RespondedAt,
    AuthorId,
    OccurredOn,
    Note,
    Rating,
    Comment,
    CreatedAt,
    UpdatedAt,
}
