//! A person's place at an event: registered, waiting for a seat, or cancelled.

use sea_orm::entity::prelude::*;

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RegistrationStatus {
    #[default]
    #[sea_orm(string_value = "REGISTERED")]
    Registered,
    #[sea_orm(string_value = "WAITLISTED")]
    Waitlisted,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "registration")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub event_id: Uuid,
        pub user_id: Uuid,
        pub status: RegistrationStatus,
        /// When the person last joined the list (registered or waitlisted): the waitlist's order.
        pub queued_at: DateTimeUtc,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
