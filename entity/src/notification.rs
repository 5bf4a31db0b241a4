//! Something a person should learn about: an event they registered for was cancelled or moved.

use sea_orm::entity::prelude::*;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum NotificationKind {
    #[default]
    #[sea_orm(string_value = "EVENT_CANCELLED")]
    EventCancelled,
    #[sea_orm(string_value = "EVENT_MOVED")]
    EventMoved,
    #[sea_orm(string_value = "SEAT_OFFERED")]
    SeatOffered,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notification")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub kind: NotificationKind,
        pub event_id: Option<Uuid>,
        pub message: String,
        pub read_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
