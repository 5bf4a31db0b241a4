//! A recorded change of a milestone: its status, review, visibility or showcase state, with who made it and when.

use sea_orm::entity::prelude::*;

/// What a recorded change changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ChangeKind {
    #[default]
    #[sea_orm(string_value = "CREATED")]
    Created,
    #[sea_orm(string_value = "STATUS")]
    Status,
    #[sea_orm(string_value = "VISIBILITY")]
    Visibility,
    #[sea_orm(string_value = "REVIEW")]
    Review,
    #[sea_orm(string_value = "SHOWCASE_CONSENT")]
    ShowcaseConsent,
    #[sea_orm(string_value = "SHOWCASE_APPROVAL")]
    ShowcaseApproval,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "milestone_change")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub milestone_id: Uuid,
        pub actor_id: Option<Uuid>,
        pub kind: ChangeKind,
        pub before: Option<String>,
        pub after: Option<String>,
        pub comment: Option<String>,
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
