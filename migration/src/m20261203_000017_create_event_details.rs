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
        // One column per statement: SQLite adds one at a time.
        for column in [Event::Agenda, Event::Notes] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Event::Table)
                        .add_column(ColumnDef::new(column).text().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(EventPerson::Table)
                    .col(id(EventPerson::Id))
                    .col(uuid_ref(EventPerson::EventId))
                    .col(string(EventPerson::Role, 16))
                    .col(ColumnDef::new(EventPerson::UserId).uuid().null())
                    .col(ColumnDef::new(EventPerson::OrganizationId).uuid().null())
                    .col(timestamp(EventPerson::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_event_person_event",
                        (EventPerson::Table, EventPerson::EventId),
                        (Event::Table, Event::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_event_person_user",
                        (EventPerson::Table, EventPerson::UserId),
                        (User::Table, User::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_event_person_organization",
                        (EventPerson::Table, EventPerson::OrganizationId),
                        (Organization::Table, Organization::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Resource::Table)
                    .col(id(Resource::Id))
                    .col(uuid_ref(Resource::CohortId))
                    .col(ColumnDef::new(Resource::EventId).uuid().null())
                    .col(string(Resource::Kind, 16))
                    .col(string(Resource::Title, 200))
                    .col(string(Resource::Url, 2000))
                    .col(ColumnDef::new(Resource::Description).text().null())
                    .col(ColumnDef::new(Resource::CreatedById).uuid().null())
                    .col(version(Resource::Version))
                    .col(timestamp(Resource::CreatedAt))
                    .col(timestamp(Resource::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_resource_cohort",
                        (Resource::Table, Resource::CohortId),
                        (Cohort::Table, Cohort::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_resource_event",
                        (Resource::Table, Resource::EventId),
                        (Event::Table, Event::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_resource_created_by",
                        (Resource::Table, Resource::CreatedById),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ResourceTopic::Table)
                    .col(id(ResourceTopic::Id))
                    .col(uuid_ref(ResourceTopic::ResourceId))
                    .col(uuid_ref(ResourceTopic::TopicId))
                    .col(timestamp(ResourceTopic::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_resource_topic_resource",
                        (ResourceTopic::Table, ResourceTopic::ResourceId),
                        (Resource::Table, Resource::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_resource_topic_topic",
                        (ResourceTopic::Table, ResourceTopic::TopicId),
                        (Topic::Table, Topic::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BreakoutGroup::Table)
                    .col(id(BreakoutGroup::Id))
                    .col(uuid_ref(BreakoutGroup::EventId))
                    .col(string(BreakoutGroup::Name, 100))
                    .col(ColumnDef::new(BreakoutGroup::FacilitatorId).uuid().null())
                    .col(version(BreakoutGroup::Version))
                    .col(timestamp(BreakoutGroup::CreatedAt))
                    .col(timestamp(BreakoutGroup::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_breakout_group_event",
                        (BreakoutGroup::Table, BreakoutGroup::EventId),
                        (Event::Table, Event::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_breakout_group_facilitator",
                        (BreakoutGroup::Table, BreakoutGroup::FacilitatorId),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BreakoutGroupMember::Table)
                    .col(id(BreakoutGroupMember::Id))
                    .col(uuid_ref(BreakoutGroupMember::GroupId))
                    .col(uuid_ref(BreakoutGroupMember::OrganizationId))
                    .col(timestamp(BreakoutGroupMember::CreatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_breakout_group_member_group",
                        (BreakoutGroupMember::Table, BreakoutGroupMember::GroupId),
                        (BreakoutGroup::Table, BreakoutGroup::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_breakout_group_member_organization",
                        (
                            BreakoutGroupMember::Table,
                            BreakoutGroupMember::OrganizationId,
                        ),
                        (Organization::Table, Organization::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActionItem::Table)
                    .col(id(ActionItem::Id))
                    .col(uuid_ref(ActionItem::EventId))
                    .col(uuid_ref(ActionItem::OrganizationId))
                    .col(ColumnDef::new(ActionItem::OwnerId).uuid().null())
                    .col(string(ActionItem::Title, 500))
                    .col(ColumnDef::new(ActionItem::DueOn).date().null())
                    .col(timestamp_null(ActionItem::DoneAt))
                    .col(ColumnDef::new(ActionItem::CreatedById).uuid().null())
                    .col(version(ActionItem::Version))
                    .col(timestamp(ActionItem::CreatedAt))
                    .col(timestamp(ActionItem::UpdatedAt))
                    .foreign_key(&mut foreign_key(
                        "fk_action_item_event",
                        (ActionItem::Table, ActionItem::EventId),
                        (Event::Table, Event::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_action_item_organization",
                        (ActionItem::Table, ActionItem::OrganizationId),
                        (Organization::Table, Organization::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_action_item_owner",
                        (ActionItem::Table, ActionItem::OwnerId),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        "fk_action_item_created_by",
                        (ActionItem::Table, ActionItem::CreatedById),
                        (User::Table, User::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        let indexes = [
            index(
                "ix_event_person_event_id",
                EventPerson::Table,
                [EventPerson::EventId],
            ),
            index(
                "ix_event_person_user_id",
                EventPerson::Table,
                [EventPerson::UserId],
            ),
            index(
                "ix_event_person_organization_id",
                EventPerson::Table,
                [EventPerson::OrganizationId],
            ),
            index(
                "ix_resource_cohort_id",
                Resource::Table,
                [Resource::CohortId],
            ),
            index("ix_resource_event_id", Resource::Table, [Resource::EventId]),
            index(
                "ix_resource_created_by_id",
                Resource::Table,
                [Resource::CreatedById],
            ),
            unique_index(
                "ux_resource_topic_resource_topic",
                ResourceTopic::Table,
                [ResourceTopic::ResourceId, ResourceTopic::TopicId],
            ),
            index(
                "ix_resource_topic_topic_id",
                ResourceTopic::Table,
                [ResourceTopic::TopicId],
            ),
            index(
                "ix_breakout_group_event_id",
                BreakoutGroup::Table,
                [BreakoutGroup::EventId],
            ),
            index(
                "ix_breakout_group_facilitator_id",
                BreakoutGroup::Table,
                [BreakoutGroup::FacilitatorId],
            ),
            unique_index(
                "ux_breakout_group_member_group_organization",
                BreakoutGroupMember::Table,
                [
                    BreakoutGroupMember::GroupId,
                    BreakoutGroupMember::OrganizationId,
                ],
            ),
            index(
                "ix_breakout_group_member_organization_id",
                BreakoutGroupMember::Table,
                [BreakoutGroupMember::OrganizationId],
            ),
            index(
                "ix_action_item_event_id",
                ActionItem::Table,
                [ActionItem::EventId],
            ),
            index(
                "ix_action_item_organization_id",
                ActionItem::Table,
                [ActionItem::OrganizationId],
            ),
            index(
                "ix_action_item_owner_id",
                ActionItem::Table,
                [ActionItem::OwnerId],
            ),
            index(
                "ix_action_item_created_by_id",
                ActionItem::Table,
                [ActionItem::CreatedById],
            ),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ActionItem::Table.into_iden(),
            BreakoutGroupMember::Table.into_iden(),
            BreakoutGroup::Table.into_iden(),
            ResourceTopic::Table.into_iden(),
            Resource::Table.into_iden(),
            EventPerson::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in [Event::Agenda, Event::Notes] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Event::Table)
                        .drop_column(column)
                        .to_owned(),
                )
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
enum Event {
    Table,
    Id,
    Agenda,
    Notes,
}

#[derive(DeriveIden)]
enum EventPerson {
    Table,
    Id,
    EventId,
    Role,
    UserId,
    OrganizationId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Resource {
    Table,
    Id,
    CohortId,
    EventId,
    Kind,
    Title,
    Url,
    Description,
    CreatedById,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ResourceTopic {
    Table,
    Id,
    ResourceId,
    TopicId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BreakoutGroup {
    Table,
    Id,
    EventId,
    Name,
    FacilitatorId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BreakoutGroupMember {
    Table,
    Id,
    GroupId,
    OrganizationId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActionItem {
    Table,
    Id,
    EventId,
    OrganizationId,
    OwnerId,
    Title,
    DueOn,
    DoneAt,
    CreatedById,
    Version,
    CreatedAt,
    UpdatedAt,
}
