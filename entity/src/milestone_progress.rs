//! A dated entry of a milestone's progress timeline: a note and perhaps a status change.

use sea_orm::entity::prelude::*;

pub use super::milestone::MilestoneStatus;

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "milestone_progress")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub milestone_id: Uuid,
        pub author_id: Option<Uuid>,
        pub occurred_on: Date,
        pub note: String,
        pub status_before: Option<MilestoneStatus>,
        pub status_after: Option<MilestoneStatus>,
        pub created_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::milestone::Entity",
        from = "Column::MilestoneId",
        to = "super::milestone::Column::Id",
        on_delete = "Cascade"
    )]
    Milestone,
}

impl Related<super::milestone::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Milestone.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
