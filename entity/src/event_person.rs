//! Who leads an event: its presenters or facilitators (people) and its discussion leads
//! (people or organizations).

use sea_orm::entity::prelude::*;

/// What part someone plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EventRole {
    #[default]
    #[sea_orm(string_value = "PRESENTER")]
    Presenter,
    #[sea_orm(string_value = "DISCUSSION_LEAD")]
    DiscussionLead,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "event_person")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub event_id: Uuid,
        pub role: EventRole,
        pub user_id: Option<Uuid>,
        pub organization_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
