//! An achievement a grantee organization posts in a cohort: planned, worked on, achieved, and
//! perhaps showcased on the program's public website.

use sea_orm::entity::prelude::*;

/// How far a milestone has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MilestoneStatus {
    #[default]
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "ACHIEVED")]
    Achieved,
    #[sea_orm(string_value = "DEFERRED")]
    Deferred,
}

/// Who may see a milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MilestoneVisibility {
    #[default]
    #[sea_orm(string_value = "ORGANIZATION")]
    Organization,
    #[sea_orm(string_value = "COHORT")]
    Cohort,
    #[sea_orm(string_value = "PUBLIC")]
    Public,
}

/// What the cohort's staff made of a milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ReviewState {
    #[default]
    #[sea_orm(string_value = "UNREVIEWED")]
    Unreviewed,
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
    #[sea_orm(string_value = "CHANGES_REQUESTED")]
    ChangesRequested,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "milestone")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub cohort_id: Uuid,
        pub organization_id: Uuid,
        pub title: String,
        pub description: Option<String>,
        pub status: MilestoneStatus,
        pub target_on: Option<Date>,
        pub achieved_on: Option<Date>,
        pub visibility: MilestoneVisibility,
        /// The evidence links, a JSON array of `{"url": ..., "label": ...}`.
        pub evidence: Json,
        pub review_state: ReviewState,
        pub review_comment: Option<String>,
        pub reviewed_by_id: Option<Uuid>,
        pub reviewed_at: Option<DateTimeUtc>,
        /// The organization lead who consented to the public showcase, and when.
        pub consented_by_id: Option<Uuid>,
        pub consented_at: Option<DateTimeUtc>,
        /// The cohort staff member who approved the public showcase, and when.
        pub approved_by_id: Option<Uuid>,
        pub approved_at: Option<DateTimeUtc>,
        pub created_by_id: Option<Uuid>,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cohort::Entity",
        from = "Column::CohortId",
        to = "super::cohort::Column::Id",
        on_delete = "Cascade"
    )]
    Cohort,
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrganizationId",
        to = "super::organization::Column::Id",
        on_delete = "Cascade"
    )]
    Organization,
}

impl Related<super::cohort::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cohort.def()
    }
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
