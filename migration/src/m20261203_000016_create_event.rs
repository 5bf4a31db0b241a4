use sea_orm_migration::prelude::*;

use crate::columns::{
    foreign_key, id, index, string, string_null, timestamp, timestamp_null, unique_index, uuid_ref,
    version,
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
                    .table(EventSeries::Table)
                    .col(id(EventSeries::Id))
                    .col(uuid_ref(EventSeries::CohortId))
                    .col(string(EventSeries::Rule, 500))
                    .col(string(EventSeries::TimeZone, 64))
                    .col(timestamp(EventSeries::CreatedAt))
                    .col(timestamp(EventSeries::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_event_series_cohort",
                        (EventSeries::Table, EventSeries::CohortId),
                        (Cohort::Table, Cohort::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Event::Table)
                    .col(id(Event::Id))
                    .col(uuid_ref(Event::CohortId))
                    .col(ColumnDef::new(Event::SeriesId).uuid().null())
                    .col(string(Event::Kind, 16))
                    .col(string(Event::Title, 200))
                    .col(ColumnDef::new(Event::Description).text().null())
                    .col(timestamp(Event::StartsAt))
                    .col(string(Event::TimeZone, 64))
                    .col(ColumnDef::new(Event::DurationMinutes).integer().not_null())
                    .col(string_null(Event::JoinUrl, 2000))
                    .col(string_null(Event::Location, 500))
                    .col(ColumnDef::new(Event::Capacity).integer().null())
                    .col(timestamp_null(Event::RegistrationDeadline))
                    .col(string(Event::Status, 16))
                    .col(ColumnDef::new(Event::HostOrganizationId).uuid().null())
                    .col(
                        ColumnDef::new(Event::Sequence)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Event::CreatedById).uuid().null())
                    .col(version(Event::Version))
                    .col(timestamp(Event::CreatedAt))
                    .col(timestamp(Event::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_event_cohort",
                        (Event::Table, Event::CohortId),
                        (Cohort::Table, Cohort::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_event_series",
                        (Event::Table, Event::SeriesId),
                        (EventSeries::Table, EventSeries::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_event_host_organization",
                        (Event::Table, Event::HostOrganizationId),
                        (Organization::Table, Organization::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_event_created_by",
                        (Event::Table, Event::CreatedById),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventTopic::Table)
                    .col(id(EventTopic::Id))
                    .col(uuid_ref(EventTopic::EventId))
                    .col(uuid_ref(EventTopic::TopicId))
                    .col(timestamp(EventTopic::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_event_topic_event",
                        (EventTopic::Table, EventTopic::EventId),
                        (Event::Table, Event::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_event_topic_topic",
                        (EventTopic::Table, EventTopic::TopicId),
                        (Topic::Table, Topic::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Registration::Table)
                    .col(id(Registration::Id))
                    .col(uuid_ref(Registration::EventId))
                    .col(uuid_ref(Registration::UserId))
                    .col(string(Registration::Status, 16))
                    .col(timestamp(Registration::QueuedAt))
                    .col(timestamp(Registration::CreatedAt))
                    .col(timestamp(Registration::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_registration_event",
                        (Registration::Table, Registration::EventId),
                        (Event::Table, Event::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_registration_user",
                        (Registration::Table, Registration::UserId),
                        (User::Table, User::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Attendance::Table)
                    .col(id(Attendance::Id))
                    .col(uuid_ref(Attendance::EventId))
                    .col(uuid_ref(Attendance::UserId))
                    .col(ColumnDef::new(Attendance::Minutes).integer().not_null())
                    .col(string(Attendance::Source, 16))
                    .col(ColumnDef::new(Attendance::AdjustedById).uuid().null())
                    .col(ColumnDef::new(Attendance::Reason).text().null())
                    .col(timestamp(Attendance::CreatedAt))
                    .col(timestamp(Attendance::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_attendance_event",
                        (Attendance::Table, Attendance::EventId),
                        (Event::Table, Event::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_attendance_user",
                        (Attendance::Table, Attendance::UserId),
                        (User::Table, User::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_attendance_adjusted_by",
                        (Attendance::Table, Attendance::AdjustedById),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notification::Table)
                    .col(id(Notification::Id))
                    .col(uuid_ref(Notification::UserId))
                    .col(string(Notification::Kind, 24))
                    .col(ColumnDef::new(Notification::EventId).uuid().null())
                    .col(ColumnDef::new(Notification::Message).text().not_null())
                    .col(timestamp_null(Notification::ReadAt))
                    .col(timestamp(Notification::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_notification_user",
                        (Notification::Table, Notification::UserId),
                        (User::Table, User::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_notification_event",
                        (Notification::Table, Notification::EventId),
                        (Event::Table, Event::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CalendarFeed::Table)
                    .col(id(CalendarFeed::Id))
                    .col(string(CalendarFeed::TokenHash, 64))
                    .col(uuid_ref(CalendarFeed::UserId))
                    .col(ColumnDef::new(CalendarFeed::CohortId).uuid().null())
                    .col(timestamp_null(CalendarFeed::RevokedAt))
                    .col(timestamp(CalendarFeed::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_calendar_feed_user",
                        (CalendarFeed::Table, CalendarFeed::UserId),
                        (User::Table, User::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_calendar_feed_cohort",
                        (CalendarFeed::Table, CalendarFeed::CohortId),
                        (Cohort::Table, Cohort::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        let indexes = [
            index(
                "ix_event_series_cohort_id",
                EventSeries::Table,
                [EventSeries::CohortId],
            ),
            // A cohort's calendar, in time order.
            index(
                "ix_event_cohort_starts",
                Event::Table,
                [Event::CohortId, Event::StartsAt],
            ),
            index("ix_event_series_id", Event::Table, [Event::SeriesId]),
            index(
                "ix_event_host_organization_id",
                Event::Table,
                [Event::HostOrganizationId],
            ),
            index("ix_event_created_by_id", Event::Table, [Event::CreatedById]),
            unique_index(
                "ux_event_topic_event_topic",
                EventTopic::Table,
                [EventTopic::EventId, EventTopic::TopicId],
            ),
            index(
                "ix_event_topic_topic_id",
                EventTopic::Table,
                [EventTopic::TopicId],
            ),
            unique_index(
                "ux_registration_event_user",
                Registration::Table,
                [Registration::EventId, Registration::UserId],
            ),
            index(
                "ix_registration_user_id",
                Registration::Table,
                [Registration::UserId],
            ),
            unique_index(
                "ux_attendance_event_user",
                Attendance::Table,
                [Attendance::EventId, Attendance::UserId],
            ),
            index(
                "ix_attendance_user_id",
                Attendance::Table,
                [Attendance::UserId],
            ),
            index(
                "ix_attendance_adjusted_by_id",
                Attendance::Table,
                [Attendance::AdjustedById],
            ),
            index(
                "ix_notification_user_created",
                Notification::Table,
                [Notification::UserId, Notification::CreatedAt],
            ),
            index(
                "ix_notification_event_id",
                Notification::Table,
                [Notification::EventId],
            ),
            unique_index(
                "ux_calendar_feed_token_hash",
                CalendarFeed::Table,
                [CalendarFeed::TokenHash],
            ),
            index(
                "ix_calendar_feed_user_id",
                CalendarFeed::Table,
                [CalendarFeed::UserId],
            ),
            index(
                "ix_calendar_feed_cohort_id",
                CalendarFeed::Table,
                [CalendarFeed::CohortId],
            ),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CalendarFeed::Table.into_iden(),
            Notification::Table.into_iden(),
            Attendance::Table.into_iden(),
            Registration::Table.into_iden(),
            EventTopic::Table.into_iden(),
            Event::Table.into_iden(),
            EventSeries::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Topic {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EventSeries {
    Table,
    Id,
    CohortId,
    Rule,
    TimeZone,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Event {
    Table,
    Id,
    CohortId,
    SeriesId,
    Kind,
    Title,
    Description,
    StartsAt,
    TimeZone,
    DurationMinutes,
    JoinUrl,
    Location,
    Capacity,
    RegistrationDeadline,
    Status,
    HostOrganizationId,
    Sequence,
    CreatedById,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EventTopic {
    Table,
    Id,
    EventId,
    TopicId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Registration {
    Table,
    Id,
    EventId,
    UserId,
    Status,
    QueuedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Attendance {
    Table,
    Id,
    EventId,
    UserId,
    Minutes,
    Source,
    AdjustedById,
    Reason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    UserId,
    Kind,
    EventId,
    Message,
    ReadAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CalendarFeed {
    Table,
    Id,
    TokenHash,
    UserId,
    CohortId,
    RevokedAt,
    CreatedAt,
}
